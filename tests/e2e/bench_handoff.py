#!/usr/bin/env python3
"""Benchmark (prints figures; asserts only that nothing is lost): dead air and cutover delay of
rtmp_goaway_output's handoffs, make-before-break vs break-before-make, at 0 / 50 / 150 ms
emulated RTT, HANDOFFS Go Aways each (goaway-ingest adds RTT/2 to each direction).

usage: bench_handoff.py BUILD_DIR INGEST_BINARY [OUT_MARKDOWN] [HANDOFFS]
"""

import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402
from streamharness import Ingest, check, run_stream, single_stream  # noqa: E402

RTTS = [0, 50, 150]
MODES = [("make-before-break", "make-before-break"), ("break-before-make", "break-before-make")]
INTERVAL_S = 3  # one Go Away every 3 s with a 2 s keyint: every handoff waits for a keyframe


def summarize(values):
    if not values:
        return "-", "-"
    return "%.0f" % statistics.median(values), "%.0f" % max(values)


def main():
    build_dir, ingest_bin = sys.argv[1], sys.argv[2]
    out_path = sys.argv[3] if len(sys.argv) > 3 else None
    handoffs = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    seconds = handoffs * INTERVAL_S + 4
    rows = []
    with obsharness.xdisplay() as display:
        for rtt in RTTS:
            for label, mode in MODES:
                workdir = tempfile.mkdtemp(prefix="goaway-bench-")
                node = "127.0.0.1:0,latency=%d" % (rtt // 2)
                ingest = Ingest(ingest_bin, ["--listen", node, "--listen", node, "--signal", "goaway",
                                             "--goaway-every", "%ds" % INTERVAL_S], workdir)
                try:
                    stats = run_stream(build_dir, display, "rtmp://127.0.0.1:%d/live" % ingest.port(0), seconds,
                                       workdir, extra=["--set", "handoff_mode=" + mode])
                finally:
                    report = ingest.stop()
                stream = single_stream(report)
                cut = stream.get("cutovers", [])
                ingest_dead = [c["deadAirMs"] for c in cut if c.get("deadAirMs") is not None]
                delay = [c["cutoverDelayMs"] for c in cut if c.get("cutoverDelayMs") is not None]
                records = [h for h in (stats.get("handoffs") or []) if h["result"] == "Succeeded"]
                out_dead = [h["deadAirMs"] for h in records if h.get("deadAirMs") is not None]
                lost = stream["missingVideoFrames"] + stream["missingAudioFrames"]
                rows.append((rtt, label, len(cut), lost, stream["duplicateFrames"], summarize(ingest_dead),
                             summarize(out_dead), summarize(delay)))
                print("rtt %3d ms %-18s handoffs %2d lost %d dup %d dead air (ingest) median/max %s/%s ms, "
                      "send gap (output) %s/%s ms, cutover delay %s/%s ms" %
                      (rtt, label, len(cut), lost, stream["duplicateFrames"], *summarize(ingest_dead),
                       *summarize(out_dead), *summarize(delay)), flush=True)
                check(lost == 0, "no frame lost (rtt %d, %s)" % (rtt, label))
    lines = ["| RTT | mode | handoffs | frames lost | duplicates | dead air at ingest, median / max (ms) | "
             "send gap at output, median / max (ms) | Go Away → first media on new connection, median / max (ms) |",
             "|---|---|---|---|---|---|---|---|"]
    for rtt, label, n, lost, dup, dead, gap, delay in rows:
        lines.append("| %d ms | %s | %d | %d | %d | %s / %s | %s / %s | %s / %s |" %
                     (rtt, label, n, lost, dup, dead[0], dead[1], gap[0], gap[1], delay[0], delay[1]))
    table = "\n".join(lines)
    print(table)
    if out_path:
        os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
        with open(out_path, "w") as f:
            f.write(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
