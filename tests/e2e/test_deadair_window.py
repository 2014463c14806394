#!/usr/bin/env python3
"""E2E (issue 19): dead air as a viewer feels it. Real libobs (goaway-stream: x264 ultrafast 640x360,
30 fps, 1 s keyint, AAC) streams through rtmp_goaway_output (make-before-break) to goaway-ingest at
50 ms and 150 ms RTT; the ingest signals Go Away SEAMS times per RTT. The RTT is TCP's own:
goaway-stream runs behind goaway-delayline (tun devices, an Ethernet MTU, RTT/2 each way), so the
new connection's initial congestion window (10 segments) is what it is on a real path: without the
warm-up (RtmpSession::warmUp) the frames after the keyframe waited a round trip for ACKs, a
90-100 ms hole at 150 ms RTT. DEADAIR_RTTS=50,150 (the default) picks the RTTs. At every seam the
largest gap between media arrivals from 1 s before the signal to 1 s after the new connection's
first media must stay within one frame interval of the largest gap of the stream's ordinary 2 s
stretches (the machine's own jitter) — a hole after the keyframe on the new connection fails it,
however short the old -> new switch is. The handoff records' own figure (the output's send times in
the same window) is held to the same bound.

usage: test_deadair_window.py BUILD_DIR INGEST_BINARY
"""

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402
from streamharness import Ingest, check, drive_seams, single_stream, start_stream, stop_stream  # noqa: E402

RTTS = [int(r) for r in os.environ.get("DEADAIR_RTTS", "50,150").split(",")]
SEAMS = 10
FPS = 30
FRAME_MS = 1000.0 / FPS
KEYINT_S = 1  # a keyframe every second keeps the seams (and the test) short
QUIET_FRAMES = 6 * FPS  # before the first and after the last signal: ordinary stretches to compare with
FRAMES_PER_SEAM = int(1.2 * FPS)  # on each new connection before the next signal
STEP_TIMEOUT_S = 20
STREAM_LIMIT_S = 120  # goaway-stream's own bound; the test stops it as soon as the seams are done


def run(build_dir, ingest_bin, display, rtt):
    workdir = tempfile.mkdtemp(prefix="goaway-e2e-deadair-rtt%d-" % rtt)
    node = "127.0.0.1:0"
    with Ingest(ingest_bin, ["--listen", node, "--listen", node, "--signal", "goaway"], workdir) as ingest:
        proc, stats_path = start_stream(build_dir, display, "rtmp://127.0.0.1:%d/live" % ingest.port(0),
                                        STREAM_LIMIT_S, workdir,
                                        extra=["--size", "640x360", "--preset", "ultrafast", "--fps", str(FPS),
                                               "--keyint", str(KEYINT_S), "--set", "handoff_mode=make-before-break"],
                                        rtt_ms=rtt)
        try:
            drive_seams(ingest, SEAMS, QUIET_FRAMES, FRAMES_PER_SEAM, STEP_TIMEOUT_S)
        finally:
            stop_stream(proc)
        report = ingest.stop()
    with open(stats_path) as f:
        stats = json.load(f)
    stream = single_stream(report)
    cuts = stream["cutovers"]
    ordinary, ordinary_max = stream["ordinaryGapMs"], stream["ordinaryGapMaxMs"]
    bound = FRAME_MS + ordinary_max
    print("rtt %d ms: ordinary 2 s stretches (%d): largest gap median %d ms, max %d ms; bound %.0f ms" %
          (rtt, stream["ordinaryWindows"], ordinary, ordinary_max, bound), flush=True)
    for c in cuts:
        print("  seam %d -> %d: dead air (window) %s ms, switch gap %s ms" %
              (c["fromConnection"], c["toConnection"], c["deadAirMs"], c["switchGapMs"]), flush=True)
    records = [h for h in (stats.get("handoffs") or []) if h["result"] == "Succeeded"]
    print("  handoff records, dead air at the output (window): %s ms; switch gap: %s ms" %
          ([h["deadAirMs"] for h in records], [h["switchGapMs"] for h in records]), flush=True)
    check(len(cuts) == SEAMS, "rtt %d: %d seams (%d)" % (rtt, SEAMS, len(cuts)))
    check(stream["ordinaryWindows"] >= 3, "rtt %d: ordinary stretches to compare with (%d)" %
          (rtt, stream["ordinaryWindows"]))
    check(stream["missingVideoFrames"] + stream["missingAudioFrames"] == 0, "rtt %d: nothing missing" % rtt)
    check(all(c["signal"] == "goaway" and c["deadAirMs"] is not None for c in cuts),
          "rtt %d: every seam followed a Go Away and has a windowed dead air" % rtt)
    worst = max(c["deadAirMs"] for c in cuts)
    check(worst <= bound, "rtt %d: every seam's windowed dead air (max %d ms) <= one frame (%.0f ms) + the "
          "ordinary stretches' largest gap (%d ms)" % (rtt, worst, FRAME_MS, ordinary_max))
    check(len(records) == SEAMS and all(h["deadAirMs"] is not None and h["deadAirMs"] <= bound for h in records),
          "rtt %d: the output's own windowed figure stays within the same bound" % rtt)


def main():
    build_dir, ingest_bin = sys.argv[1], sys.argv[2]
    with obsharness.xdisplay() as display:
        for rtt in RTTS:
            run(build_dir, ingest_bin, display, rtt)
    print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
