"""Hostile profiles (--hostile / hostile=): what each one puts on the wire, in which phase, read
byte for byte by the scripted client; and that the ingest itself survives all of them."""

import json
import math
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_harness import Ingest, check, ingest_binary  # noqa: E402
from rtmp_test_client import Client, amf_decode_all, amf_encode  # noqa: E402

PROFILES = ["handshake-trickle", "handshake-garbage", "connect-result-mistyped", "connect-error-utf8",
            "createstream-bad", "publish-status-utf8", "mistyped-onstatus", "midstream-utf8", "flood-control",
            "huge-length", "deep-amf", "goaway-then-garbage", "stall-mid-stream"]
MID_STREAM_S = 2.0  # the ingest's kMidStreamDelayMs


def port(profile):
    return ing.port(PROFILES.index(profile))


def connected(profile):
    c = Client("127.0.0.1", port(profile))
    c.handshake()
    return c


def publishing(profile, name="hostile"):
    c = connected(profile)
    c.connect("live", "rtmp://127.0.0.1/live")
    c.publish(name)
    return c, time.monotonic()


def is_command(m, name):
    return m.type == 20 and m.body.startswith(b"\x02" + struct.pack(">H", len(name)) + name.encode())


def decoded(m):
    try:
        return amf_decode_all(m.body)
    except (ValueError, IndexError, struct.error):
        return None


def nbytes(text):
    return len(text.encode("utf-8", "surrogateescape"))


def invalid_utf8(text):
    return any(0xDC80 <= ord(ch) <= 0xDCFF for ch in text)  # surrogateescape'd bytes


def raw_for(sock, seconds):
    sock.settimeout(0.2)
    data, deadline = b"", time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(1 << 20)
        except socket.timeout:
            continue
        if not chunk:
            break
        data += chunk
    return data


ing = Ingest(ingest_binary(), [a for p in PROFILES for a in ("--listen", "127.0.0.1:0,hostile=" + p)])
try:
    # handshake-trickle: S0/S1 one byte at a time, 100 ms apart.
    s = socket.create_connection(("127.0.0.1", port("handshake-trickle")), timeout=5)
    s.sendall(b"\x03" + bytes(1536))
    arrivals, sizes = [], []
    for _ in range(4):
        sizes.append(len(s.recv(4096)))
        arrivals.append(time.monotonic())
    check(sizes == [1, 1, 1, 1], "handshake-trickle: one byte at a time (%s)" % sizes)
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    check(all(g >= 0.08 for g in gaps), "handshake-trickle: bytes ~100 ms apart (%s)" % ["%.3f" % g for g in gaps])
    s.close()

    # handshake-garbage: wrong version, S2 not an echo of C1, the same bytes every time.
    def garbage_handshake():
        g = socket.create_connection(("127.0.0.1", port("handshake-garbage")), timeout=5)
        c1 = bytes(8) + os.urandom(1528)
        g.sendall(b"\x03" + c1)
        reply = b""
        while len(reply) < 3073:
            reply += g.recv(4096)
        g.close()
        return reply, c1
    reply, c1 = garbage_handshake()
    check(reply[0] == 0x0A, "handshake-garbage: S0 version 0x0A")
    check(reply[1537:3073] != c1, "handshake-garbage: S2 does not echo C1")
    check(garbage_handshake()[0] == reply, "handshake-garbage: deterministic bytes")

    # connect-result-mistyped: junk _results first, then the real one.
    c = connected("connect-result-mistyped")
    c.command("connect", {"app": "live", "tcUrl": "rtmp://127.0.0.1/live"})
    junk = 0
    while True:
        m = c.wait_for(lambda m: is_command(m, "_result"))
        v = decoded(m)
        if v and len(v) > 3 and v[1] == 1 and isinstance(v[3], dict) and \
                v[3].get("code") == "NetConnection.Connect.Success":
            break
        junk += 1
    check(junk == 7, "connect-result-mistyped: 7 junk _results before the real one (%d)" % junk)
    c.close()

    # connect-error-utf8: _error with a 1 MiB invalid UTF-8 description.
    c = connected("connect-error-utf8")
    c.command("connect", {"app": "live", "tcUrl": "rtmp://127.0.0.1/live"})
    m = c.wait_for(lambda m: m.type == 20 and m.command()[0] in ("_result", "_error"))
    info = m.command()[3]
    check(m.command()[0] == "_error" and info["code"] == "NetConnection.Connect.Rejected",
          "connect-error-utf8: connect answered by _error Rejected")
    desc = info["description"]
    check(nbytes(desc) == 1 << 20 and invalid_utf8(desc) and "\x00" in desc and "\x1b" in desc,
          "connect-error-utf8: 1 MiB description, invalid UTF-8 with NUL and ESC")
    c.close()

    # createstream-bad: NaN, "1", -1, 1e300, nothing.
    c = connected("createstream-bad")
    c.connect("live", "rtmp://127.0.0.1/live")
    c.command("createStream", None)
    ids = [c.wait_for(lambda m: is_command(m, "_result")).command()[3:] for _ in range(5)]
    check(math.isnan(ids[0][0]) and ids[1] == ["1"] and ids[2] == [-1.0] and ids[3] == [1e300] and ids[4] == [],
          "createstream-bad: stream ids NaN, '1', -1, 1e300, none (%r)" % ids)
    c.close()

    # publish-status-utf8: a valid Publish.Start with an invalid 64 KiB description.
    c = connected("publish-status-utf8")
    c.connect("live", "rtmp://127.0.0.1/live")
    info = c.publish("x").command()[3]
    check(info["code"] == "NetStream.Publish.Start" and nbytes(info["description"]) == 65536 and
          invalid_utf8(info["description"]), "publish-status-utf8: Publish.Start, 64 KiB invalid description")
    c.close()

    # mistyped-onstatus: seven mistyped onStatus before the real Publish.Start.
    c = connected("mistyped-onstatus")
    c.connect("live", "rtmp://127.0.0.1/live")
    c.command("createStream", None)
    c.wait_for(lambda m: is_command(m, "_result"))
    c.stream_id = 1
    c.command("publish", None, "x", "live", stream_id=1, csid=5)
    before = 0
    while True:
        v = decoded(c.wait_for(lambda m: is_command(m, "onStatus")))
        if v and len(v) > 3 and isinstance(v[3], dict) and v[3].get("code") == "NetStream.Publish.Start":
            break
        before += 1
    check(before == 7, "mistyped-onstatus: 7 mistyped onStatus before Publish.Start (%d)" % before)
    c.close()

    # midstream-utf8: 2 s after publish, an invalid onStatus and a ReconnectRequest with a garbage tcUrl.
    c, t0 = publishing("midstream-utf8")
    notice = c.wait_for(lambda m: is_command(m, "onStatus") and m.command()[3]["code"] == "NetStream.Info.Notice", 5)
    check(time.monotonic() - t0 >= MID_STREAM_S - 0.2, "midstream-utf8: mid-stream (%.1f s after publish)" %
          (time.monotonic() - t0))
    check(invalid_utf8(notice.command()[3]["description"]), "midstream-utf8: invalid UTF-8 notice")
    rr = c.wait_for(lambda m: is_command(m, "onStatus"), 2).command()[3]
    check(rr["code"] == "NetConnection.Connect.ReconnectRequest" and rr["tcUrl"].startswith("rtmp://") and
          invalid_utf8(rr["tcUrl"]) and "\x1b" in rr["tcUrl"] and invalid_utf8(rr["description"]),
          "midstream-utf8: ReconnectRequest with invalid description and garbage tcUrl")
    c.close()

    # flood-control: thousands of control messages from 1 s to 3 s after publish.
    c, t0 = publishing("flood-control")
    counts = {}
    c.sock.settimeout(5)
    while time.monotonic() - t0 < 3.5:
        try:
            m = c.read_message()
        except socket.timeout:
            break
        key = (m.type, m.body[:2]) if m.type == 4 else m.type
        counts[key] = counts.get(key, 0) + 1
        if is_command(m, "onStatus") and b"flood step 200" in m.body:
            break
    c.wait_for(lambda m: m.type == 1 and m.body == struct.pack(">I", 4096), 2)  # the step's chunk size back
    counts[1] = counts.get(1, 0) + 1
    pings = counts.get((4, b"\x00\x06"), 0)
    check(pings == 20 * 200 and counts.get(1, 0) == 400 and counts.get(2, 0) == 200 and counts.get(3, 0) == 1000,
          "flood-control: 200 steps of 20 pings, 5 acks, 1 abort, 2 Set Chunk Size (%r)" % counts)
    c.close()

    # huge-length: a 16 MiB - 1 command announced on chunk stream 9, 1 MiB of it sent.
    c, t0 = publishing("huge-length")
    raw = c.buf + raw_for(c.sock, 3.0)
    at = raw.find(b"\x09\x00\x00\x00\xff\xff\xff\x14\x00\x00\x00\x00")
    check(at >= 0 and len(raw) - at >= 1 << 20, "huge-length: header announcing 16777215 bytes, 1 MiB of body")
    c.close()

    # deep-amf: two onStatus nesting 100 000 levels.
    c, t0 = publishing("deep-amf")
    deep = c.wait_for(lambda m: is_command(m, "onStatus") and len(m.body) > 500000, 5)
    check(deep.body.count(b"\x03\x00\x01a") == 100000, "deep-amf: 100 000 nested objects")
    deep = c.wait_for(lambda m: is_command(m, "onStatus") and len(m.body) > 400000, 5)
    check(deep.body.count(b"\x0a\x00\x00\x00\x01") == 100000, "deep-amf: 100 000 nested strict arrays")
    c.close()

    # goaway-then-garbage: Go Away on the publisher, then garbage for the next connection.
    a, t0 = publishing("goaway-then-garbage", "gtg")
    ga = a.wait_for(lambda m: m.type == 32, 5)
    check(ga.body == bytes(4), "goaway-then-garbage: Go Away (4-byte body) on the publisher")
    b = connected("goaway-then-garbage")
    b.command("connect", {"app": "live", "tcUrl": "rtmp://127.0.0.1/live"})
    started = time.monotonic()
    raw = b.buf + raw_for(b.sock, 7.0)
    check(raw.startswith(b"\x02\x00\x00\x00\x00\x00\x01\x05\x00\x00\x00\x00\x01"),
          "goaway-then-garbage: the new connection gets a 1-byte Window Ack Size first")
    check(b"\xd5" + b"\xee" * 64 == raw[-65:], "goaway-then-garbage: ends with a headerless continuation chunk")
    check(time.monotonic() - started < 6.5, "goaway-then-garbage: the ingest closed it after its linger")
    a.close()
    b.close()

    # stall-mid-stream: a ping sent during the stall is answered only when it ends.
    c, t0 = publishing("stall-mid-stream")
    time.sleep(MID_STREAM_S + 0.3)  # to land inside the 3 s stall, not to synchronise
    sent = time.monotonic()
    c.send_message(4, b"\x00\x06" + struct.pack(">I", 1234), csid=2)
    c.wait_for(lambda m: m.type == 4 and m.body[:2] == b"\x00\x07", 8)
    waited = time.monotonic() - sent
    check(2.0 <= waited <= 4.5, "stall-mid-stream: the ping was answered after the stall (%.1f s)" % waited)
    c.close()
    # A hostile client, the other way round: invalid UTF-8 in connect's fields must not take the
    # ingest down when it writes the report (stats and report show U+FFFD instead).
    c = connected("publish-status-utf8")
    bad = b"FMLE\xff\xfe\x1b[2J"
    obj = (b"\x03" + struct.pack(">H", 3) + b"app" + amf_encode("live") + struct.pack(">H", 8) + b"flashVer" +
           b"\x02" + struct.pack(">H", len(bad)) + bad + b"\x00\x00\x09")
    c.send_message(20, amf_encode("connect") + amf_encode(1) + obj)
    c.wait_for(lambda m: is_command(m, "_result"))
    flash = [x["connect"]["flashVer"] for x in json.loads(ing.control("report"))["connections"]
             if x.get("connect") and x["connect"]["flashVer"].startswith("FMLE\ufffd")]
    check(len(flash) == 1, "an invalid UTF-8 flashVer is reported with U+FFFD (%r)" % flash)
    c.close()

    # The control command swaps a node's profiles at run time.
    check(ing.control("hostile node=n5 profiles=none") == "ok nodes=1", "hostile control: profiles cleared")
    c = connected("publish-status-utf8")
    c.connect("live", "rtmp://127.0.0.1/live")
    info = c.publish("y").command()[3]
    check(info["description"] == "Stream is now published.", "hostile control: n5 answers normally again")
    c.close()
    check(ing.control("hostile profiles=bogus").startswith("error unknown hostile profile 'bogus'"),
          "hostile control: an unknown profile is an error")
finally:
    report = ing.stop()
reasons = [c["closeReason"] for c in report["connections"]]
check(any(r == "hostile goaway-then-garbage" for r in reasons), "the report names the hostile close (%s)" % reasons)
print("PASS")
