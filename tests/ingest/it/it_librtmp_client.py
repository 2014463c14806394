"""Debian's librtmp publishes to goaway-ingest: the plain handshake (S1 version bytes zero) works for
librtmp clients, and librtmp's RTMP_ReadPacket hands both Go Away forms (4-byte and empty body)
to the application."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_harness import Ingest, check, fail  # noqa: E402

ingest, probe = sys.argv[1], sys.argv[2]
ing = Ingest(ingest, ["--listen", "127.0.0.1:0", "--show-stream-names"])
try:
    p = subprocess.Popen([probe, "rtmp://127.0.0.1:%d/live/librtmp" % ing.port(0), "4"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    ing.wait("publishes=1 video=10", timeout=20)
    check(ing.control("goaway all=1") == "ok sent=1 closed=0 skipped=0", "Go Away (4-byte body) sent")
    check(ing.control("goaway all=1 body=empty csid=4") == "ok sent=1 closed=0 skipped=0", "Go Away (empty) sent")
    try:
        out, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("the librtmp probe did not finish")
    print(out, err)
    check(p.returncode == 0 and "published" in out, "librtmp connected and published through the plain handshake")
    check("goaway body=4 csid=2" in out, "librtmp returned the 4-byte Go Away")
    check("goaway body=0 csid=4" in out, "librtmp returned the empty Go Away (m_body NULL, type 32)")
    ing.wait("closed=1")
    report = ing.stop()
finally:
    ing.kill()
conn = report["connections"][0]
check(conn["videoFrames"] >= 100 and conn["closeReason"] == "client closed", "frames arrived; librtmp closed")
check(conn["fcUnpublish"] and conn["deleteStream"], "RTMP_Close sent FCUnpublish and deleteStream")
