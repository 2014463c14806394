"""Fault knobs (refuse, hang, reject-publish, latency, drop-mid-gop, --refuse-second-publisher)
and malformed input closing only the offending connection."""

import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_harness import Ingest, check, ingest_binary  # noqa: E402
from rtmp_test_client import Client, amf_encode  # noqa: E402

ing = Ingest(ingest_binary(), ["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0,refuse",
                               "--listen", "127.0.0.1:0,hang", "--listen", "127.0.0.1:0,reject-publish",
                               "--listen", "127.0.0.1:0,latency=100", "--listen", "127.0.0.1:0,drop-mid-gop=0",
                               "--listen", "127.0.0.1:0,drop-after-signal=0",
                               "--refuse-second-publisher", "--show-stream-names"])


def publisher(port, name):
    c = Client("127.0.0.1", port)
    c.handshake()
    c.connect("live", "rtmp://127.0.0.1/live")
    return c, c.publish(name)


def closed_by_server(c, timeout=5):
    c.sock.settimeout(timeout)
    try:
        while True:
            if not c.sock.recv(65536):
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


try:
    good, _ = publisher(ing.port(0), "dup")
    good.headers()
    good.video(0, True)

    s = socket.create_connection(("127.0.0.1", ing.port(1)), timeout=5)
    check(s.recv(10) == b"", "refuse: closed right after accept")
    s.close()

    hang = socket.create_connection(("127.0.0.1", ing.port(2)), timeout=1.0)
    hang.sendall(b"\x03" + bytes(1536))
    try:
        got = hang.recv(1)
    except socket.timeout:
        got = None
    check(got is None, "hang: no S0 within 1 s")

    c, status = publisher(ing.port(3), "x")
    info = status.command()[3]
    check(info["level"] == "error" and info["code"] == "NetStream.Publish.BadName", "reject-publish: BadName")
    check(closed_by_server(c), "reject-publish: connection closed after the answer")

    c, status = publisher(ing.port(0), "dup")
    check(status.command()[3]["code"] == "NetStream.Publish.BadName" and
          status.command()[3]["description"] == "Already publishing", "second publisher: Already publishing")

    lat = Client("127.0.0.1", ing.port(4))
    t0 = time.monotonic()
    lat.handshake()
    rtt = time.monotonic() - t0
    check(rtt >= 0.19, "latency=100 delays the handshake answer by ~2 x 100 ms (%.0f ms)" % (rtt * 1000))
    lat.close()

    d, _ = publisher(ing.port(5), "gop")
    d.headers()
    d.video(0, True)
    d.audio(0)
    d.video(33, False)
    check(closed_by_server(d), "drop-mid-gop: dropped at the first non-key frame")

    g = Client("127.0.0.1", ing.port(6))
    g.handshake()
    g.connect("live", "rtmp://127.0.0.1/live", {"supportsGoAway": True})
    g.publish("late")
    g.headers()
    g.video(0, True)
    g.video(33, False)
    ing.wait("publishes=3 video=4")
    check(ing.control("goaway stream=late") == "ok sent=1 closed=0 skipped=0", "drop-after-signal: Go Away sent")
    g.wait_for(lambda m: m.type == 32)
    g.video(66, True)  # a keyframe is where a client should switch: not dropped
    g.video(99, False)  # still on the old connection mid-GOP: dropped
    check(closed_by_server(g), "drop-after-signal: dropped at the first non-key frame after the signal")

    # Malformed input: each closes only its own connection.
    bad = Client("127.0.0.1", ing.port(0))
    bad.handshake()
    bad.set_chunk_size(0x7FFFFFFF)
    check(closed_by_server(bad), "oversized chunk size: connection closed")
    bad = Client("127.0.0.1", ing.port(0))
    bad.handshake()
    bad.send_message(20, amf_encode("connect") + b"\x00\x3f\xf0", csid=3)
    check(closed_by_server(bad), "broken AMF: connection closed")
    raw = socket.create_connection(("127.0.0.1", ing.port(0)), timeout=5)
    raw.sendall(b"GET / HTTP/1.1\r\n\r\n")
    check(raw.recv(10) == b"", "bad handshake version: connection closed")

    # The first publisher is untouched: a ping is still answered.
    good.send_message(4, struct.pack(">HI", 6, 1234), csid=2)
    pong = good.wait_for(lambda m: m.type == 4)
    check(pong.body == struct.pack(">HI", 7, 1234), "the other connection still works (ping answered)")
    good.video(33, False)
    ing.wait("video=2")
    check(ing.control("stats").startswith("{"), "the control endpoint still answers")
    good.close()
    hang.close()
    report = ing.stop()
finally:
    ing.kill()

reasons = [c["closeReason"] for c in report["connections"]]
print([(c["id"], c["node"], c["closeReason"]) for c in report["connections"]])
for expected in ["refused (node fault)", "publish rejected: reject-publish fault", "publish rejected: Already publishing",
                 "server drop mid-GOP (node fault)"]:
    check(expected in reasons, "report: " + expected)
check(len([r for r in reasons if r and r.startswith("protocol error: ")]) == 3, "report: three protocol errors")
late = [c for c in report["connections"] if c["stream"] == "late"][0]
check(late["closeReason"] == "server drop mid-GOP (node fault)" and late["videoFrames"] == 3 and
      [s["kind"] for s in late["signalsSent"]] == ["goaway"], "report: the late switcher dropped after its Go Away")
check(any("chunk size" in r for r in reasons if r), "the chunk size error names its cause")
