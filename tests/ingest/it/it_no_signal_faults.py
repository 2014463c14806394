"""Failures without a signal (README.md "Failures without a signal"), seen from the wire by the
scripted publisher: reset-after (a TCP RST mid-GOP: the client gets ECONNRESET), a stall (the node
reads and answers nothing: the client's writes stop progressing while the node's read figures stay
flat; stall-hold then resets), ack=on|off (Acknowledgements with exactly the window's multiples, or
none), the `reset` / `stall` commands and the schedule (--mode reset), the report's fault records, and
read-rate= (the node reads no faster than that, acknowledging as it reads)."""

import json
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_harness import Ingest, check, fail, ingest_binary  # noqa: E402
from rtmp_test_client import Client  # noqa: E402

WINDOW = 10000  # the client's Window Acknowledgement Size in the ack tests: ten acks per 100 kB
FRAME_BYTES = 600  # video payload per frame (rtmp_test_client.video)


class CountingClient(Client):
    """Counts the chunk-stream bytes it sends (after the handshake): what the acks must match."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent = 0

    def handshake(self, *args, **kwargs):
        out = super().handshake(*args, **kwargs)
        self.sent = 0
        return out

    def send_message(self, mtype, body, csid=3, stream_id=0, timestamp=0):
        before = self.out_chunk
        chunks = max(1, -(-len(body) // before))
        ext = 4 if timestamp >= 0xFFFFFF else 0
        self.sent += 12 + ext + len(body) + (chunks - 1) * (1 + ext)
        super().send_message(mtype, body, csid, stream_id, timestamp)


def publisher(port, name, cls=Client):
    c = cls("127.0.0.1", port)
    c.handshake()
    c.connect("live", "rtmp://127.0.0.1/live")
    c.publish(name)
    c.metadata()
    c.headers()
    return c


def ping(c, value):
    c.send_message(4, struct.pack(">HI", 6, value), csid=2)


def reset_seen(c, timeout=5):
    """True when the connection ends with ECONNRESET (not a FIN: recv returning b"")."""
    return read_until_reset(c, timeout)[0]


def read_until_reset(c, timeout=5):
    """(ended with ECONNRESET, bytes received before the end)."""
    c.sock.settimeout(timeout)
    data = b""
    try:
        while True:
            got = c.sock.recv(65536)
            if not got:
                return False, data
            data += got
    except ConnectionResetError:
        return True, data
    except socket.timeout:
        return False, data


def live(ing, conn_id):
    for x in json.loads(ing.control("stats"))["live"]:
        if x["id"] == conn_id:
            return x
    fail("connection %d is not live" % conn_id)


def last_id(ing):
    return json.loads(ing.control("stats"))["connections"]


binary = ingest_binary()
ing = Ingest(binary, ["--listen", "127.0.0.1:0,reset-after=0,faults=1",
                      "--listen", "127.0.0.1:0,stall-hold=1500ms",
                      "--listen", "127.0.0.1:0",
                      "--listen", "127.0.0.1:0,ack=off",
                      "--listen", "127.0.0.1:0,stall-after=0"])
try:
    # --- reset-after=0: RST at the first non-key video frame after publish (mid-GOP) -----------
    a = publisher(ing.port(0), "reset")
    a.video(0, True)
    a.audio(0)
    a.video(33, False)
    check(reset_seen(a), "reset-after: the client's connection ends with ECONNRESET (a TCP RST, no FIN)")
    ing.wait("faults=1 closed=1", timeout=5)
    # faults=1: the node's budget is spent, a second publisher there streams on.
    b = publisher(ing.port(0), "reset2")
    b.video(0, True)
    b.video(33, False)
    b.video(66, False)
    ping(b, 7)
    pong = b.wait_for(lambda m: m.type == 4, timeout=5)
    check(pong.body == struct.pack(">HI", 7, 7), "faults=1: the next publisher on the node is not reset")
    b.close()

    # --- stall (command) and stall-hold: the node stops reading and answering ----------------
    s = publisher(ing.port(1), "stall")
    video_so_far = json.loads(ing.control("stats"))["video"]
    for i in range(10):
        s.video(i * 33, i == 0)
    ing.wait("video=%d" % (video_so_far + 10), timeout=5)
    sid = last_id(ing)
    before = live(ing, sid)
    reply = ing.control("stall conn=%d" % sid)
    check(reply == "ok sent=0 closed=0 skipped=0 reset=0 stalled=1", "stall command: one connection stalled")
    ping(s, 42)  # stays in the node's socket buffer: never read, never answered
    s.sock.setblocking(False)
    written, ts = 0, 10 * 33
    while True:
        try:
            s.video(ts, False, size=FRAME_BYTES)
        except BlockingIOError:
            break  # the node's receive buffer and ours are full: writes stopped progressing
        written += 1
        ts += 33
        if written > 100000:
            fail("the client's writes never stopped progressing on a stalled node")
    s.sock.setblocking(True)
    check(written > 0, "stall: the client wrote %d more frames into the kernels' buffers, then writes blocked" % written)
    after = live(ing, sid)
    check(after["stalled"] and after["videoFrames"] == before["videoFrames"] and after["bytes"] == before["bytes"],
          "stall: the node's read figures stayed flat (video %d, bytes %d) while the client wrote %d frames" %
          (after["videoFrames"], after["bytes"], written))
    was_reset, answered = read_until_reset(s, timeout=5)
    check(was_reset and answered == b"",
          "stall-hold: the stalled connection ended with ECONNRESET; nothing was answered before (%d bytes)" %
          len(answered))
    ing.wait("faults=3", timeout=5)

    # --- stall-after=0: stalled by the node's own timer right after publish --------------------
    t = publisher(ing.port(4), "stall-timer")
    ing.wait("stalled=1", timeout=5)
    tid = last_id(ing)
    ping(t, 5)
    t.sock.settimeout(1.0)
    try:
        got = t.read_message()
        fail("a stalled node answered (message type %d)" % got.type)
    except socket.timeout:
        pass
    check(live(ing, tid)["stalled"], "stall-after=0: the node stalled by itself and answered nothing for 1 s")
    check(ing.control("reset conn=%d" % tid) == "ok sent=0 closed=0 skipped=0 reset=1 stalled=0",
          "reset command: resets a stalled connection")
    check(reset_seen(t), "reset command: ECONNRESET at the client")

    # --- ack=on: one Acknowledgement per window read, sequence = k x window ---------------------
    def ack_run(port, name):
        c = CountingClient("127.0.0.1", port)
        c.handshake()
        c.send_message(5, struct.pack(">I", WINDOW), csid=2)  # Window Acknowledgement Size
        c.connect("live", "rtmp://127.0.0.1/live")
        c.publish(name)
        c.headers()
        for i in range(150):
            c.video(i * 33, i % 60 == 0)
        ping(c, 99)  # a barrier: the pong follows every ack the media earned (in-order processing)
        c.wait_for(lambda m: m.type == 4 and m.body == struct.pack(">HI", 7, 99), timeout=10)
        acks = [struct.unpack(">I", m.body)[0] for m in c.received if m.type == 3]
        return c, acks

    on, acks = ack_run(ing.port(2), "ack-on")
    # A boundary falling exactly on the ping's last byte is acknowledged just after the pong.
    expected = [WINDOW * k for k in range(1, on.sent // WINDOW + 1) if WINDOW * k < on.sent]
    print("client sent %d bytes after the handshake; acks %s" % (on.sent, acks), flush=True)
    check(len(expected) >= 9 and acks == expected,
          "ack=on: %d acknowledgements, exactly every %d bytes read (%s...)" % (len(acks), WINDOW, acks[:3]))
    off, acks_off = ack_run(ing.port(3), "ack-off")
    check(acks_off == [], "ack=off: no acknowledgement at all (client sent %d bytes, window %d)" % (off.sent, WINDOW))
    on.close()
    off.close()
    report = ing.stop()
finally:
    ing.kill()

conns = {c["id"]: c for c in report["connections"]}
first = conns[1]
check(first["closeReason"] == "server reset (node fault)" and
      [(f["kind"], f["cause"], f["videoFramesRead"], f["audioFramesRead"]) for f in first["faults"]] ==
      [("reset", "reset-after", 1, 1)], "report: reset-after after 1 video + 1 audio frame read (%s)" % first["faults"])
check(first["videoFrames"] == 1 and first["audioFrames"] == 1, "report: the frame at the reset was not counted as read")
stalled = [c for c in report["connections"] if any(f["kind"] == "stall" and f["cause"] == "command" for f in c["faults"])]
check(len(stalled) == 1, "report: one commanded stall")
st = stalled[0]
check([(f["kind"], f["cause"]) for f in st["faults"]] == [("stall", "command"), ("reset", "stall-hold")],
      "report: the stall, then the stall-hold reset")
check(st["videoFrames"] == 10 and all(f["videoFramesRead"] == 10 for f in st["faults"]) and
      st["faults"][0]["bytesRead"] == st["faults"][1]["bytesRead"] == st["bytes"],
      "report: the stalled connection counts what it read before the stall only (10 frames, %d bytes; "
      "the client had written %d more frames)" % (st["bytes"], written))
timer = [c for c in report["connections"] if any(f["cause"] == "stall-after" for f in c["faults"])]
check(len(timer) == 1 and [f["cause"] for f in timer[0]["faults"]] == ["stall-after", "command"],
      "report: stall-after, then the reset command")
on_rec = [c for c in report["connections"] if c["node"] == "n2"][0]
check(on_rec["windowAckSize"] == WINDOW and on_rec["acknowledgements"] == len(expected) and
      on_rec["lastAckSequence"] == expected[-1], "report: acknowledgements and the last sequence number")
off_rec = [c for c in report["connections"] if c["node"] == "n3"][0]
check(off_rec["windowAckSize"] == WINDOW and off_rec["acknowledgements"] == 0, "report: ack=off sent none")
check(report["faultsInjected"] == 5, "report: 5 fault records (%d)" % report["faultsInjected"])

# --- the schedule: --mode reset with --goaway-every / --signal-count ------------------------------
ing = Ingest(binary, ["--listen", "127.0.0.1:0", "--mode", "reset", "--goaway-every", "1s", "--signal-count", "2"])
try:
    for k in (1, 2):
        c = publisher(ing.port(0), "sched")
        c.video(0, True)
        check(reset_seen(c), "schedule round %d: the publisher gets ECONNRESET" % k)
        ing.wait("faults=%d" % k, timeout=5)
    c = publisher(ing.port(0), "sched")
    c.video(0, True)
    check(ing.control("wait faults=3 timeout=2") == "error timeout", "no round after --signal-count 2")
    c.close()
    report = ing.stop()
finally:
    ing.kill()
causes = [f["cause"] for x in report["connections"] for f in x["faults"]]
check(causes == ["schedule", "schedule"], "report: two scheduled resets (%s)" % causes)
stream = report["streams"][0]
check(all(cut["signal"] == "none" for cut in stream["cutovers"]) and len(stream["cutovers"]) == 2,
      "report: the cutovers after a reset carry no signal")
check(report["signalsSent"] == 0 and "faults=2" in report["summary"], "no signal sent; the summary counts the faults")

# --- the schedule with --mode stall: the node's stall-hold ends each stall with a reset ----------
ing = Ingest(binary, ["--listen", "127.0.0.1:0,stall-hold=300ms", "--mode", "stall", "--goaway-every", "1s",
                      "--signal-count", "1"])
try:
    c = publisher(ing.port(0), "sched-stall")
    c.video(0, True)
    ing.wait("stalled=1", timeout=5)
    ping(c, 3)
    was_reset, answered = read_until_reset(c, timeout=5)
    check(was_reset and answered == b"", "scheduled stall: nothing answered, then the stall-hold RST")
    report = ing.stop()
finally:
    ing.kill()
check([(f["kind"], f["cause"]) for f in report["connections"][0]["faults"]] ==
      [("stall", "schedule"), ("reset", "stall-hold")], "report: the scheduled stall and its stall-hold reset")

# --- read-rate=KBIT: the node reads no faster than that (a congested path), acknowledging as it reads
READ_RATE_KBPS = 400  # 50 kB/s
RATE_FRAMES, RATE_FRAME_BYTES = 20, 6000  # 120 kB of video: about 2.4 s at that rate
ing = Ingest(binary, ["--listen", "127.0.0.1:0,read-rate=%d" % READ_RATE_KBPS])
try:
    c = publisher(ing.port(0), "slow-reader")
    c.send_message(5, struct.pack(">I", 20000), csid=2)  # Window Acknowledgement Size
    ing.wait("publishes=1", timeout=5)
    bytes_before, started = live(ing, last_id(ing))["bytes"], time.monotonic()
    for i in range(RATE_FRAMES):  # blocking writes: they wait while the node's buffers are full
        c.video(i * 33, i == 0, size=RATE_FRAME_BYTES)
    ing.wait("video=%d" % RATE_FRAMES, timeout=15)  # the node has read the last frame
    seconds = time.monotonic() - started
    bytes_read = live(ing, last_id(ing))["bytes"] - bytes_before
    ping(c, 11)
    c.wait_for(lambda m: m.type == 4 and m.body == struct.pack(">HI", 7, 11), timeout=10)
    acks = [m for m in c.received if m.type == 3]
    c.close()
    report = ing.stop()
finally:
    ing.kill()
rec = report["connections"][0]
kbps = bytes_read * 8 / 1000.0 / seconds
print("read-rate: %d bytes read in %.2f s = %.0f kbit/s (limit %d); %d acknowledgements" %
      (bytes_read, seconds, kbps, READ_RATE_KBPS, len(acks)), flush=True)
check(READ_RATE_KBPS * 0.8 <= kbps <= READ_RATE_KBPS * 1.1,
      "read-rate: the node read at its rate, not faster (%.0f kbit/s of %d)" % (kbps, READ_RATE_KBPS))
check(rec["videoFrames"] == RATE_FRAMES and len(acks) >= 5,
      "read-rate: everything was read in the end, and acknowledged as it was read (%d acks)" % len(acks))
