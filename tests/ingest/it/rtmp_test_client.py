"""A tiny RTMP publisher for goaway-ingest's integration tests (python3 stdlib only).

It speaks just enough RTMP to publish synthetic H.264/AAC-shaped media and to see exactly what
the ingest sends back (message type, chunk stream id, body) -- what ffmpeg and OBS cannot show.
"""

import os
import socket
import struct
import time


def amf_encode(v):
    if v is None:
        return b"\x05"
    if isinstance(v, bool):
        return b"\x01" + (b"\x01" if v else b"\x00")
    if isinstance(v, (int, float)):
        return b"\x00" + struct.pack(">d", float(v))
    if isinstance(v, str):
        b = v.encode()
        return b"\x02" + struct.pack(">H", len(b)) + b
    if isinstance(v, list):
        return b"\x0a" + struct.pack(">I", len(v)) + b"".join(amf_encode(x) for x in v)
    if isinstance(v, dict):
        out = b"\x03"
        for k, x in v.items():
            kb = k.encode()
            out += struct.pack(">H", len(kb)) + kb + amf_encode(x)
        return out + b"\x00\x00\x09"
    raise TypeError(v)


def amf_decode(data, pos=0):
    m = data[pos]
    pos += 1
    if m == 0x00:
        return struct.unpack(">d", data[pos:pos + 8])[0], pos + 8
    if m == 0x01:
        return data[pos] != 0, pos + 1
    if m == 0x02:
        n = struct.unpack(">H", data[pos:pos + 2])[0]
        # surrogateescape: a hostile server's invalid UTF-8 survives byte for byte (hostile tests).
        return data[pos + 2:pos + 2 + n].decode("utf-8", "surrogateescape"), pos + 2 + n
    if m == 0x0C:
        n = struct.unpack(">I", data[pos:pos + 4])[0]
        return data[pos + 4:pos + 4 + n].decode("utf-8", "surrogateescape"), pos + 4 + n
    if m in (0x05, 0x06):
        return None, pos
    if m in (0x03, 0x08):
        if m == 0x08:
            pos += 4
        obj = {}
        while data[pos:pos + 3] != b"\x00\x00\x09":
            n = struct.unpack(">H", data[pos:pos + 2])[0]
            key = data[pos + 2:pos + 2 + n].decode()
            obj[key], pos = amf_decode(data, pos + 2 + n)
        return obj, pos + 3
    raise ValueError("AMF marker %d" % m)


def amf_decode_all(data):
    out, pos = [], 0
    while pos < len(data):
        v, pos = amf_decode(data, pos)
        out.append(v)
    return out


class Message:
    def __init__(self, mtype, csid, stream_id, timestamp, body):
        self.type, self.csid, self.stream_id, self.timestamp, self.body = mtype, csid, stream_id, timestamp, body

    def command(self):
        return amf_decode_all(self.body) if self.type == 20 else None


class Client:
    def __init__(self, host, port, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.in_chunk = 128
        self.out_chunk = 128
        self.streams = {}
        self.received = []
        self.tx = 1
        self.stream_id = 0

    # -- bytes --------------------------------------------------------------------------------
    def _need(self, n):
        while len(self.buf) < n:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("server closed the connection")
            self.buf += data
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def handshake(self, c1_version=b"\x00\x00\x00\x00"):
        c1 = b"\x00\x00\x00\x00" + c1_version + os.urandom(1528)
        self.sock.sendall(b"\x03" + c1)
        s0 = self._need(1)
        s1 = self._need(1536)
        s2 = self._need(1536)
        self.sock.sendall(s1)
        return s0, s1, s2

    def send_message(self, mtype, body, csid=3, stream_id=0, timestamp=0):
        ext = timestamp >= 0xFFFFFF
        head = bytes([csid]) + (0xFFFFFF if ext else timestamp).to_bytes(3, "big") + len(body).to_bytes(3, "big")
        head += bytes([mtype]) + struct.pack("<I", stream_id) + (struct.pack(">I", timestamp) if ext else b"")
        out = head + body[:self.out_chunk]
        for i in range(self.out_chunk, len(body), self.out_chunk):
            out += bytes([0xC0 | csid]) + (struct.pack(">I", timestamp) if ext else b"") + body[i:i + self.out_chunk]
        self.sock.sendall(out)

    def read_message(self):
        while True:
            b0 = self._need(1)[0]
            fmt, csid = b0 >> 6, b0 & 0x3F
            if csid == 0:
                csid = 64 + self._need(1)[0]
            elif csid == 1:
                b = self._need(2)
                csid = 64 + b[0] + b[1] * 256
            st = self.streams.setdefault(csid, {"ts": 0, "len": 0, "type": 0, "sid": 0, "delta": 0, "buf": b""})
            if fmt <= 2:
                ts = int.from_bytes(self._need(3), "big")
            if fmt <= 1:
                st["len"] = int.from_bytes(self._need(3), "big")
                st["type"] = self._need(1)[0]
            if fmt == 0:
                st["sid"] = struct.unpack("<I", self._need(4))[0]
            if fmt <= 2 and ts == 0xFFFFFF:
                ts = struct.unpack(">I", self._need(4))[0]
            if not st["buf"]:
                if fmt == 0:
                    st["ts"] = ts
                elif fmt <= 2:
                    st["ts"] += ts
                    st["delta"] = ts
                else:
                    st["ts"] += st["delta"]
            take = min(self.in_chunk, st["len"] - len(st["buf"]))
            st["buf"] += self._need(take)
            if len(st["buf"]) == st["len"]:
                m = Message(st["type"], csid, st["sid"], st["ts"], st["buf"])
                st["buf"] = b""
                if m.type == 1:
                    self.in_chunk = struct.unpack(">I", m.body[:4])[0]
                self.received.append(m)
                return m

    def wait_for(self, predicate, timeout=10.0):
        """Reads messages until predicate(message) is true (bounded by `timeout`)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("expected message did not arrive")
            self.sock.settimeout(left)
            m = self.read_message()
            if predicate(m):
                return m

    def wait_command(self, name, timeout=10.0):
        return self.wait_for(lambda m: m.type == 20 and m.command()[0] == name, timeout)

    # -- session ------------------------------------------------------------------------------
    def command(self, name, *args, stream_id=0, csid=3):
        tx = self.tx
        self.tx += 1
        self.send_message(20, b"".join(amf_encode(a) for a in (name, tx) + args), csid=csid, stream_id=stream_id)
        return tx

    def connect(self, app, tc_url, extra=None):
        obj = {"app": app, "type": "nonprivate", "flashVer": "FMLE/3.0 (compatible; goaway-it)", "tcUrl": tc_url}
        obj.update(extra or {})
        self.command("connect", obj)
        return self.wait_for(lambda m: m.type == 20 and m.command()[0] in ("_result", "_error"))

    def publish(self, name):
        self.command("releaseStream", None, name)
        self.command("FCPublish", None, name)
        tx = self.command("createStream", None)
        res = self.wait_for(lambda m: m.type == 20 and m.command()[0] == "_result" and m.command()[1] == tx)
        self.stream_id = int(res.command()[3])
        self.command("publish", None, name, "live", stream_id=self.stream_id, csid=5)
        return self.wait_command("onStatus")

    def set_chunk_size(self, size):
        self.send_message(1, struct.pack(">I", size), csid=2)
        self.out_chunk = size

    def metadata(self):
        body = amf_encode("@setDataFrame") + amf_encode("onMetaData") + amf_encode({"width": 640.0, "height": 360.0})
        self.send_message(18, body, csid=5, stream_id=self.stream_id)

    def headers(self):
        self.send_message(9, b"\x17\x00\x00\x00\x00\x01\x64\x00\x1f\xff\xe1\x00\x04test", csid=6, stream_id=self.stream_id)
        self.send_message(8, b"\xaf\x00\x12\x10", csid=4, stream_id=self.stream_id)

    def video(self, ts, key, size=600):
        body = (b"\x17" if key else b"\x27") + b"\x01\x00\x00\x00" + os.urandom(size)
        self.send_message(9, body, csid=6, stream_id=self.stream_id, timestamp=ts)

    def audio(self, ts):
        self.send_message(8, b"\xaf\x01" + os.urandom(100), csid=4, stream_id=self.stream_id, timestamp=ts)

    def close(self):
        self.sock.close()
