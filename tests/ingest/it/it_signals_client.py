"""Go Away and ReconnectRequest as seen on the wire by a scripted publisher, and the stitching of
its reconnect to another node (duplicates, missing frames, cutover) in the report."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_harness import Ingest, check, ingest_binary  # noqa: E402
from rtmp_test_client import Client  # noqa: E402


def flv_tags(path):
    data = open(path, "rb").read()
    assert data[:3] == b"FLV"
    pos, tags = 13, []
    while pos + 11 <= len(data):
        size = int.from_bytes(data[pos + 1:pos + 4], "big")
        ts = int.from_bytes(data[pos + 4:pos + 7], "big") | (data[pos + 7] << 24)
        tags.append((data[pos], ts, data[pos + 11:pos + 11 + size]))
        pos += 11 + size + 4
    return tags


ing = Ingest(ingest_binary(), ["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--show-stream-names"])
try:
    n1 = ing.port(1)
    c1 = Client("127.0.0.1", ing.port(0))
    s0, s1, s2 = c1.handshake(c1_version=bytes([9, 0, 124, 2]))
    check(s0 == b"\x03" and s1[4:8] == b"\x00\x00\x00\x00", "S1 version bytes are zero (plain handshake)")
    res = c1.connect("live", "rtmp://127.0.0.1:%d/live" % ing.port(0), {"supportsGoAway": True, "capsEx": 1.0,
                                                                        "fourCcList": ["avc1", "hvc1"]})
    types = [m.type for m in c1.received]
    check(types[:3] == [5, 6, 1] and c1.in_chunk == 4096, "Window Ack Size, Peer Bandwidth, Chunk Size 4096 first")
    cmd = res.command()
    check(cmd[0] == "_result" and cmd[3]["code"] == "NetConnection.Connect.Success", "connect _result")
    check(cmd[2].get("capsEx") == 1.0, "capsEx echoed in the _result")
    status = c1.publish("key1")
    check(status.command()[3]["code"] == "NetStream.Publish.Start", "publish accepted")
    c1.metadata()
    c1.headers()
    for i in range(30):
        c1.video(i * 33, i == 0)
        c1.audio(i * 33)
    ing.wait("video=30")

    # ReconnectRequest in each tcUrl form, pointing at the other node.
    expected = {"absolute": "rtmp://127.0.0.1:%d/live" % n1, "scheme-relative": "//127.0.0.1:%d/live" % n1,
                "path-relative": "/live", "none": None}
    for form, url in expected.items():
        check(ing.control("reconnect tcurl=" + form) == "ok sent=1 closed=0 skipped=0", "reconnect " + form)
        m = c1.wait_command("onStatus")
        name, tx, obj, info = m.command()
        check(tx == 0 and obj is None and m.stream_id == 0, "onStatus on stream 0, transaction 0, null object")
        check(info["code"] == "NetConnection.Connect.ReconnectRequest" and info["level"] == "status",
              "ReconnectRequest info object")
        check(info.get("tcUrl") == url, "tcUrl %s = %r" % (form, url))

    # Go Away: empty body on chunk stream 3, then the default 4-byte body on chunk stream 2.
    check(ing.control("goaway body=empty csid=3") == "ok sent=1 closed=0 skipped=0", "goaway sent")
    m = c1.wait_for(lambda m: m.type == 32)
    check(m.csid == 3 and m.body == b"" and m.stream_id == 0, "type 32, chunk stream 3, empty body")
    check(ing.control("goaway") == "ok sent=1 closed=0 skipped=0", "second goaway sent")
    m = c1.wait_for(lambda m: m.type == 32)
    check(m.csid == 2 and len(m.body) == 4, "type 32, chunk stream 2, 4-byte body")

    # A client that did not announce support is skipped unless forced.
    c3 = Client("127.0.0.1", ing.port(0))
    c3.handshake()
    c3.connect("live", "rtmp://127.0.0.1/live")
    c3.publish("other")
    check(ing.control("goaway stream=other") == "ok sent=0 closed=0 skipped=1", "no Go Away without supportsGoAway")
    check(ing.control("goaway stream=other all=1") == "ok sent=1 closed=0 skipped=0", "all=1 forces it")
    c3.wait_for(lambda m: m.type == 32)
    c3.close()

    # Like OBS: close without FCUnpublish, reconnect to the other node, resend headers + keyframe.
    # Frames 28-29 are sent again (duplicates), 30-31 never (missing).
    c1.close()
    c2 = Client("127.0.0.1", n1)
    c2.handshake()
    c2.connect("live", "rtmp://127.0.0.1:%d/live" % n1, {"supportsGoAway": True})
    c2.publish("key1")
    c2.metadata()
    c2.headers()
    for i in [28, 29] + list(range(32, 60)):
        c2.video(i * 33, i == 28)
        c2.audio(i * 33)
    c2.command("FCUnpublish", None, "key1")
    c2.command("deleteStream", None, float(c2.stream_id))
    ing.wait("video=60")
    c2.close()
    ing.wait("closed=3")
    report = ing.stop()
finally:
    ing.kill()

conns = report["connections"]
check(len(conns) == 3, "three connections")
first, second = conns[0], conns[2]
check(first["connect"]["supportsGoAway"] is True and first["connect"]["supportsGoAwayType"] == "boolean",
      "supportsGoAway announced as a boolean")
check(first["connect"]["capsEx"] == 1 and first["connect"]["fourCcList"] == ["avc1", "hvc1"], "capsEx, fourCcList")
check(not first["fcUnpublish"] and not first["deleteStream"], "no FCUnpublish / deleteStream on the old connection")
check([s["kind"] for s in first["signalsSent"]] == ["reconnect"] * 4 + ["goaway"] * 2, "six signals recorded")
check(first["signalsSent"][-1]["actedOn"] is True, "the last Go Away was acted on")
check(second["node"] == "n1" and second["firstMedia"]["ok"], "the new connection starts with headers + keyframe")
check(second["fcUnpublish"] and second["deleteStream"], "the final close has FCUnpublish / deleteStream")
stream = [s for s in report["streams"] if s["name"] == "key1"][0]
check(stream["connections"] == 2 and stream["videoFrames"] == 60, "stream key1: 2 connections, 60 frames received")
check(stream["duplicateFrames"] == 4, "4 duplicates (2 video, 2 audio)")
check(stream["uniqueVideoFrames"] == 58 and stream["missingVideoFrames"] == 2, "58 unique, 2 missing video frames")
check(stream["missingAudioFrames"] == 2, "2 missing audio frames")
cut = stream["cutovers"]
check(len(cut) == 1 and cut[0]["fromConnection"] == 1 and cut[0]["toConnection"] == 3, "one cutover 1 -> 3")
check(cut[0]["signal"] == "goaway" and cut[0]["cutoverDelayMs"] >= 0 and cut[0]["deadAirMs"] >= 0,
      "cutover after a Go Away with delay and dead air measured")
tags = flv_tags(stream["flv"])
video = [t for t in tags if t[0] == 9 and t[2][1] == 1]
check(len(video) == 58, "stitched FLV holds 58 video frames")
check([t[1] for t in video] == sorted(t[1] for t in video), "stitched video timestamps increase")
check(len([t for t in tags if t[0] == 9 and t[2][1] == 0]) == 1, "one video sequence header (repeat skipped)")
check(len([t for t in tags if t[0] == 18]) == 1, "one onMetaData")
