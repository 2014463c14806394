"""ffmpeg publishes 20 s of 30 fps testsrc + sine to goaway-ingest; the stitched FLV decodes with
ffprobe with 600 +/- 1 video frames and the report agrees."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_harness import Ingest, check, ffmpeg_publish, ffprobe_counts, ingest_binary, fail  # noqa: E402

SECONDS = 20
FPS = 30

ing = Ingest(ingest_binary(), ["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--show-stream-names"])
try:
    ff = ffmpeg_publish("rtmp://127.0.0.1:%d/live/test" % ing.port(0), SECONDS, os.path.join(ing.dir, "ffmpeg.log"))
    try:
        rc = ff.wait(timeout=SECONDS + 40)
    except Exception:
        ff.kill()
        fail("ffmpeg did not finish")
    check(rc == 0, "ffmpeg published for %d s and exited 0" % SECONDS)
    ing.wait("closed=1")
    report = ing.stop()
finally:
    ing.kill()

conn = report["connections"][0]
stream = report["streams"][0]
check(len(report["connections"]) == 1 and conn["closeReason"] == "client closed", "one connection, closed by ffmpeg")
check(conn["fcUnpublish"] and conn["deleteStream"], "ffmpeg sent FCUnpublish and deleteStream")
check(conn["firstMedia"]["ok"], "first media after publish: metadata, headers, keyframe")
check(abs(stream["uniqueVideoFrames"] - SECONDS * FPS) <= 1, "report: %d video frames" % stream["uniqueVideoFrames"])
check(stream["missingVideoFrames"] == 0 and stream["duplicateFrames"] == 0, "no missing or duplicate frames")
counts = ffprobe_counts(stream["flv"])
print("ffprobe:", counts)
check(abs(counts.get("video", 0) - SECONDS * FPS) <= 1, "ffprobe decodes %d video frames" % counts.get("video", 0))
expected_audio = SECONDS * 44100 / 1024
check(abs(counts.get("audio", 0) - expected_audio) <= 4, "ffprobe decodes %d audio frames" % counts.get("audio", 0))
print(report["summary"])
