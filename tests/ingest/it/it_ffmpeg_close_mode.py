"""--mode close: instead of a signal the ingest drops ffmpeg's connection; the report says so."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_harness import Ingest, check, ffmpeg_publish, ingest_binary, fail  # noqa: E402

ing = Ingest(ingest_binary(), ["--listen", "127.0.0.1:0", "--mode", "close"])
try:
    ff = ffmpeg_publish("rtmp://127.0.0.1:%d/live/test" % ing.port(0), 30, os.path.join(ing.dir, "ffmpeg.log"))
    ing.wait("video=60")
    reply = ing.control("goaway")
    check(reply == "ok sent=0 closed=1 skipped=0", "the publisher is closed, not signalled")
    try:
        rc = ff.wait(timeout=20)
    except subprocess.TimeoutExpired:
        ff.kill()
        fail("ffmpeg kept running after its connection was dropped")
    check(rc != 0, "ffmpeg stopped with an error (rc=%d) long before its 30 s" % rc)
    report = ing.stop()
finally:
    ing.kill()

conn = report["connections"][0]
check(conn["closeReason"] == "server close mode", "report: closeReason 'server close mode'")
check([s["kind"] for s in conn["signalsSent"]] == ["close"], "report: one 'close' signal")
check(conn["videoFrames"] >= 60, "frames arrived before the drop (%d)" % conn["videoFrames"])
check(report["signalsSent"] == 1, "signalsSent = 1")
