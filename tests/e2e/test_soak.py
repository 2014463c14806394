#!/usr/bin/env python3
"""Soak (bounded): the output engine (goaway-drive, 30 fps, 2 s GOP, fed from an ffmpeg FLV)
streams through N handoffs (default 100), the ingest sending a Go Away every 2.5 s. Asserts 0 missing frames over all of
them, RSS growth under 5 MB (from the first completed handoff to the end), open fds and threads
back to baseline; prints the figures.

usage: test_soak.py GOAWAY_DRIVE GOAWAY_INGEST [HANDOFFS]
"""

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from driveharness import Drive, Ingest, check, check_complete, check_no_leaks, make_flv, single_stream  # noqa: E402

INTERVAL_S = 2.5
RSS_BUDGET_KB = 5 * 1024


def main():
    drive_bin, ingest_bin = sys.argv[1], sys.argv[2]
    handoffs = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    work = tempfile.mkdtemp(prefix="goaway-soak-")
    print("soak: %d handoffs, one every %.1f s, work dir %s" % (handoffs, INTERVAL_S, work), flush=True)
    started = time.monotonic()
    flv = make_flv(work)
    # The first signal comes INTERVAL_S after the publish; one more interval lets the last finish
    # (a signal still in progress at the end is recorded as Stopped and not counted).
    seconds = (handoffs + 2) * INTERVAL_S + 1
    ingest = Ingest(ingest_bin, ["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--signal", "goaway",
                                 "--goaway-every", "%dms" % int(INTERVAL_S * 1000)], work)
    drive = None
    try:
        drive = Drive(drive_bin, "rtmp://127.0.0.1:%d/live" % ingest.port(0), flv, seconds, work)
        out = drive.result(slack=90)
    finally:
        if drive:
            drive.kill()
        report = ingest.stop()
    stream = single_stream(report)
    ok = [h for h in out["handoffs"] if h["result"] == "Succeeded"]
    f = out["figures"]
    growth = f["end"]["rssKb"] - f["warm"]["rssKb"]
    dead = sorted(h["deadAirMs"] for h in ok if h.get("deadAirMs") is not None)
    print("soak figures: handoffs %d succeeded of %d (signals %d); RSS kB start %d, after first handoff %d, end %d "
          "(growth %d kB); fds before %d during %d after %d; threads before %d during %d after %d; dead air ms "
          "median %s max %s; %.0f s" %
          (len(ok), len(out["handoffs"]), report["signalsSent"], f["started"]["rssKb"], f["warm"]["rssKb"],
           f["end"]["rssKb"], growth, f["before"]["fds"], f["end"]["fds"], f["after"]["fds"], f["before"]["threads"],
           f["end"]["threads"], f["after"]["threads"], dead[len(dead) // 2] if dead else None,
           dead[-1] if dead else None, time.monotonic() - started), flush=True)
    check_complete(out, stream)
    check(len(ok) >= handoffs, "at least %d handoffs succeeded (%d)" % (handoffs, len(ok)))
    check(all(h["framesLost"] == 0 for h in out["handoffs"]), "no handoff record reports a lost frame")
    check(growth < RSS_BUDGET_KB, "RSS growth under 5 MB over the soak (%d kB)" % growth)
    check_no_leaks(out)
    print("PASS soak", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
