#!/usr/bin/env python3
"""Benchmark (prints figures; asserts only that nothing is lost): dead air and cutover delay of
rtmp_goaway_output's handoffs, make-before-break vs break-before-make, at 0 / 50 / 150 ms
RTT, HANDOFFS Go Aways each. The RTT is TCP's own: goaway-stream runs behind goaway-delayline
(tun devices, RTT/2 each way), so a new connection's slow start shows as it would on a real path.

Dead air (issue 19) is what a viewer sees: the largest gap between media arrivals at the ingest from
1 s before the Go Away to 1 s after the new connection's first media, printed next to the same
statistic for the stream's ordinary 2 s stretches (median and max over those windows; the max is
the machine's own jitter; 6 s of quiet stream before the first and after the last Go Away) and the
excess over that max. The switch gap (old
connection's last media -> new connection's first) and the handoff record's own windowed figure (the
output's send times) are columns of their own, and so is the time to a ready session (issue 16,
item 4): TCP connect + RTMP handshake + connect + createStream of each new session, from the
output's own log line, with the RTT's multiple beside it.

usage: bench_handoff.py BUILD_DIR INGEST_BINARY [OUT_MARKDOWN] [HANDOFFS] [RTTS] [MODES]
  RTTS: comma-separated ms (default 0,50,150); MODES: make-before-break,break-before-make (default both)
"""

import json
import os
import re
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402
from streamharness import Ingest, check, drive_seams, single_stream, start_stream, stop_stream  # noqa: E402

RTTS = [0, 50, 150]
MODES = ["make-before-break", "break-before-make"]
FPS = 30
QUIET_FRAMES = 6 * FPS  # ordinary stretches before the first and after the last Go Away
FRAMES_PER_SEAM = 2 * FPS  # on each new connection before the next Go Away (2 s keyint: a keyframe wait each)
STREAM_LIMIT_S = 600


# RtmpSession::connect's log line: where a new session's connect time went.
CONNECTED = re.compile(r"connected to .*: tcp ([0-9.]+) ms, tls -?[0-9.]+ ms, handshake ([0-9.]+) ms, "
                       r"connect ([0-9.]+) ms, createStream ([0-9.]+) ms")


def session_ready_ms(workdir):
    """TCP + handshake + connect + createStream of every session after the first (the handoffs')."""
    with open(os.path.join(workdir, "stream-rtmp_goaway_output.log"), errors="replace") as f:
        times = [sum(float(x) for x in m.groups()) for m in CONNECTED.finditer(f.read())]
    return times[1:]


def summarize(values):
    values = [v for v in values if v is not None]
    if not values:
        return "-", "-"
    return "%.0f" % statistics.median(values), "%.0f" % max(values)


def run(build_dir, ingest_bin, display, rtt, mode, handoffs):
    workdir = tempfile.mkdtemp(prefix="goaway-bench-")
    node = "127.0.0.1:0"
    with Ingest(ingest_bin, ["--listen", node, "--listen", node, "--signal", "goaway"], workdir) as ingest:
        proc, stats_path = start_stream(build_dir, display, "rtmp://127.0.0.1:%d/live" % ingest.port(0),
                                        STREAM_LIMIT_S, workdir, extra=["--set", "handoff_mode=" + mode], rtt_ms=rtt)
        try:
            drive_seams(ingest, handoffs, QUIET_FRAMES, FRAMES_PER_SEAM)
        finally:
            stop_stream(proc)
        report = ingest.stop()
    with open(stats_path) as f:
        stats = json.load(f)
    return single_stream(report), stats, session_ready_ms(workdir)


def main():
    build_dir, ingest_bin = sys.argv[1], sys.argv[2]
    out_path = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] != "-" else None
    handoffs = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    rtts = [int(x) for x in sys.argv[5].split(",")] if len(sys.argv) > 5 else RTTS
    modes = sys.argv[6].split(",") if len(sys.argv) > 6 else MODES
    rows = []
    with obsharness.xdisplay() as display:
        for rtt in rtts:
            for mode in modes:
                stream, stats, ready = run(build_dir, ingest_bin, display, rtt, mode, handoffs)
                cut = stream.get("cutovers", [])
                dead = [c.get("deadAirMs") for c in cut]
                ordinary = stream["ordinaryGapMs"]
                # The stretch-of-stream jitter a seam is held to: the worst ordinary 2 s window.
                above = [d - stream["ordinaryGapMaxMs"] for d in dead if d is not None]
                switch = [c.get("switchGapMs") for c in cut]
                delay = [c.get("cutoverDelayMs") for c in cut]
                records = [h for h in (stats.get("handoffs") or []) if h["result"] == "Succeeded"]
                out_dead = [h.get("deadAirMs") for h in records]
                lost = stream["missingVideoFrames"] + stream["missingAudioFrames"]
                ready_rtts = "-" if not rtt or not ready else "%.1f" % (statistics.median(ready) / rtt)
                row = (rtt, mode, len(cut), lost, stream["duplicateFrames"], summarize(dead),
                       "%d / %d" % (ordinary, stream["ordinaryGapMaxMs"]), summarize(above)[1], summarize(switch),
                       summarize(out_dead), summarize(delay), summarize(ready), ready_rtts)
                rows.append(row)
                print("rtt %3d ms %-18s handoffs %2d lost %d dup %d dead air (window) median/max %s/%s ms, "
                      "ordinary median/max %s ms, above ordinary max: max %s ms, switch gap %s/%s ms, "
                      "output window %s/%s ms, cutover delay %s/%s ms, session ready %s/%s ms (%s RTT)" %
                      (rtt, mode, len(cut), lost, stream["duplicateFrames"], *summarize(dead), row[6], row[7],
                       *summarize(switch), *summarize(out_dead), *summarize(delay), *summarize(ready), ready_rtts),
                      flush=True)
                check(lost == 0, "no frame lost (rtt %d, %s)" % (rtt, mode))
    lines = ["| RTT | mode | handoffs | frames lost | duplicates | dead air (window), median / max (ms) | "
             "ordinary stretches, median / max (ms) | dead air above ordinary max, max (ms) | "
             "switch gap, median / max (ms) | output's window, median / max (ms) | "
             "Go Away → first media on new connection, median / max (ms) | "
             "session ready (TCP + handshake + connect + createStream), median / max (ms) | in RTTs (median) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for rtt, mode, n, lost, dup, dead, ordinary, above, switch, out_dead, delay, ready, ready_rtts in rows:
        lines.append("| %d ms | %s | %d | %d | %d | %s / %s | %s | %s | %s / %s | %s / %s | %s / %s | %s / %s | %s |" %
                     (rtt, mode, n, lost, dup, dead[0], dead[1], ordinary, above, switch[0], switch[1],
                      out_dead[0], out_dead[1], delay[0], delay[1], ready[0], ready[1], ready_rtts))
    table = "\n".join(lines)
    print(table)
    if out_path:
        os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
        with open(out_path, "w") as f:
            f.write(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
