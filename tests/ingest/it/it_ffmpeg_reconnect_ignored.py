"""ReconnectRequest sent to ffmpeg (which does not implement it): ffmpeg keeps streaming on the
same connection; the report records the request as sent and not acted on."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_harness import Ingest, check, ffmpeg_publish, ingest_binary, fail  # noqa: E402

SECONDS = 8
ing = Ingest(ingest_binary(), ["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--signal", "reconnect"])
try:
    ff = ffmpeg_publish("rtmp://127.0.0.1:%d/live/test" % ing.port(0), SECONDS, os.path.join(ing.dir, "ffmpeg.log"))
    ing.wait("video=60")
    check(ing.control("reconnect") == "ok sent=0 closed=0 skipped=1",
          "by default no ReconnectRequest to a client without capsEx")
    check(ing.control("reconnect all=1 tcurl=absolute") == "ok sent=1 closed=0 skipped=0",
          "ReconnectRequest sent when forced")
    try:
        rc = ff.wait(timeout=SECONDS + 40)
    except Exception:
        ff.kill()
        fail("ffmpeg did not finish")
    check(rc == 0, "ffmpeg finished its %d s normally" % SECONDS)
    ing.wait("closed=1")
    report = ing.stop()
finally:
    ing.kill()

check(len(report["connections"]) == 1, "ffmpeg never reconnected (one connection)")
conn = report["connections"][0]
check(conn["connect"]["capsEx"] is None, "ffmpeg announces no capsEx")
sig = conn["signalsSent"]
check(len(sig) == 1 and sig[0]["kind"] == "reconnect", "report: the ReconnectRequest is recorded as sent")
check(sig[0]["actedOn"] is False, "report: not acted on")
check(sig[0]["framesAfter"] > 100, "the same connection kept streaming (%d frames after)" % sig[0]["framesAfter"])
check(conn["closeReason"] == "client closed" and conn["fcUnpublish"], "ffmpeg ended its publish normally")
check(abs(report["streams"][0]["uniqueVideoFrames"] - SECONDS * 30) <= 1, "all video frames arrived")
check(report["streams"][0]["cutovers"] == [], "no cutover")
