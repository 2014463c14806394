#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/TARGET/*). The seeds are
committed; run this again only to change them. python3 stdlib only."""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def amf(v):
    if v is None:
        return b"\x05"
    if isinstance(v, bool):
        return b"\x01" + bytes([int(v)])
    if isinstance(v, (int, float)):
        return b"\x00" + struct.pack(">d", float(v))
    if isinstance(v, (str, bytes)):  # bytes: a string as a server may send it (not UTF-8)
        b = v.encode() if isinstance(v, str) else v
        return b"\x02" + struct.pack(">H", len(b)) + b
    if isinstance(v, list):
        return b"\x0a" + struct.pack(">I", len(v)) + b"".join(amf(x) for x in v)
    if isinstance(v, dict):
        out = b"\x03"
        for k, x in v.items():
            kb = k.encode()
            out += struct.pack(">H", len(kb)) + kb + amf(x)
        return out + b"\x00\x00\x09"
    raise TypeError(v)


def ecma(d):
    out = b"\x08" + struct.pack(">I", len(d))
    for k, x in d.items():
        kb = k.encode()
        out += struct.pack(">H", len(kb)) + kb + amf(x)
    return out + b"\x00\x00\x09"


def chunks(csid, mtype, payload, ts=0, stream=0, size=128):
    """Format 0 first chunk, format 3 continuations (RTMP spec 5.3.1)."""
    out = bytes([csid & 0x3F]) + struct.pack(">I", ts)[1:] + struct.pack(">I", len(payload))[1:] + bytes([mtype])
    out += struct.pack("<I", stream)
    first = True
    for i in range(0, max(len(payload), 1), size):
        if not first:
            out += bytes([0xC0 | (csid & 0x3F)])
        out += payload[i:i + size]
        first = False
    return out


def cmd(name, tid, obj, *args, csid=3, stream=0):
    return chunks(csid, 20, amf(name) + amf(tid) + amf(obj) + b"".join(amf(a) for a in args), stream=stream)


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def server_seeds():
    ack = chunks(2, 5, struct.pack(">I", 2500000))
    bw = chunks(2, 6, struct.pack(">IB", 2500000, 2))
    setcs = chunks(2, 1, struct.pack(">I", 4096))
    result = cmd("_result", 1, {"fmsVer": "FMS/3,0,1,123", "capabilities": 31},
                 {"level": "status", "code": "NetConnection.Connect.Success", "description": "ok"})
    create = cmd("_result", 4, None, 1)
    start = cmd("onStatus", 0, None, {"level": "status", "code": "NetStream.Publish.Start"}, csid=5, stream=1)
    bad = cmd("onStatus", 0, None, {"level": "error", "code": "NetStream.Publish.BadName"}, csid=5, stream=1)
    ping = chunks(2, 4, struct.pack(">HI", 6, 12345))
    goaway = chunks(2, 32, b"\x00\x00\x00\x00")
    goaway_empty = chunks(7, 32, b"")
    reconnect = cmd("onStatus", 0, None, {"level": "status", "code": "NetConnection.Connect.ReconnectRequest",
                                          "description": "move", "tcUrl": "rtmp://127.0.0.1:1936/live"})
    reconnect_rel = cmd("onStatus", 0, None, {"level": "status", "code": "NetConnection.Connect.ReconnectRequest",
                                              "tcUrl": "//[::1]:1937/live/app"})
    err = cmd("_error", 5, None, {"level": "error", "code": "NetStream.Publish.Denied"})
    ext = bytes([3]) + b"\xff\xff\xff" + struct.pack(">I", 8)[1:] + bytes([20]) + struct.pack("<I", 0) + \
        struct.pack(">I", 0x01020304) + amf("onBWDone")[:8]
    pump = "fuzz-rtmp-pump"
    write(pump, "connect-publish", b"\x10" + ack + bw + setcs + result + create + start)
    write(pump, "goaway", b"\x00" + goaway + goaway_empty + ping)
    write(pump, "reconnect", b"\x05" + reconnect + reconnect_rel)
    write(pump, "errors", b"\x21" + bad + err + ext)
    # The whole path (fuzz-server-path): byte 0 = piece size, byte 1 = the output's choices
    # (bit 0 break-before-make, bit 1 publish early, bit 2 pre-connects fail), then server bytes.
    path = "fuzz-server-path"
    latin1 = cmd("onStatus", 0, None, {"level": "status", "code": "NetConnection.Connect.ReconnectRequest",
                                       "description": b"Serveur arr\xeat\xe9\r\n\x1b[2J",
                                       "tcUrl": "rtmp://127.0.0.1:1936/live"})
    bad_tcurl = cmd("onStatus", 0, None, {"level": "status", "code": "NetConnection.Connect.ReconnectRequest",
                                          "tcUrl": b"rtmp://b\xff\n/live"})
    refused = cmd("onStatus", 0, None, {"level": "error", "code": b"NetStream.Publish.BadName\x07",
                                        "description": b"\xe2\x80\xae" + b"x" * 600}, csid=5, stream=1)
    write(path, "goaway-then-start", b"\x10\x00" + goaway + start + ping + start)
    write(path, "latin1-reconnect", b"\x08\x00" + latin1 + start)
    write(path, "bad-tcurl-refused", b"\x03\x02" + bad_tcurl + refused + goaway + start)
    write(path, "break-before-make-errors", b"\x21\x05" + goaway + bad + err + reconnect + start)
    amf0 = "fuzz-amf0"
    write(amf0, "connect", amf("connect") + amf(1) + amf({"app": "live", "tcUrl": "rtmp://h/live",
                                                             "supportsGoAway": True, "capsEx": 1,
                                                             "fourCcList": ["hvc1", "av01"]}))
    write(amf0, "metadata", amf("@setDataFrame") + amf("onMetaData") + ecma({"width": 1280, "height": 720,
                                                                           "framerate": 30.0}))
    write(amf0, "date-long", b"\x0b" + struct.pack(">d", 1.7e12) + b"\x00\x00" + b"\x0c\x00\x00\x00\x03abc" + b"\x06")


def client_seeds():
    connect = cmd("connect", 1, {"app": "live", "type": "nonprivate", "flashVer": "FMLE/3.0",
                                 "tcUrl": "rtmp://127.0.0.1:1935/live", "supportsGoAway": True, "capsEx": 1,
                                 "fourCcList": ["hvc1", "av01"]})
    setcs = chunks(2, 1, struct.pack(">I", 4096))
    release = cmd("releaseStream", 2, None, "key")
    fcpub = cmd("FCPublish", 3, None, "key")
    create = cmd("createStream", 4, None)
    publish = cmd("publish", 5, None, "key", "live", csid=8, stream=1)
    meta = chunks(5, 18, amf("@setDataFrame") + amf("onMetaData") + ecma({"width": 64, "height": 64,
                                                                          "videocodecid": 7, "audiocodecid": 10}),
                  stream=1, size=4096)
    avc_seq = bytes([0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1f, 0xff, 0xe1, 0, 4, 0x67, 0x64, 0, 0x1f, 1, 0, 2, 0x68, 0xee])
    key = bytes([0x17, 1, 0, 0, 0]) + struct.pack(">I", 5) + bytes([0x65, 0x88, 0x84, 0, 0x10])
    inter = bytes([0x27, 1, 0, 0, 0]) + struct.pack(">I", 4) + bytes([0x41, 0x9a, 0, 0x11])
    aac_seq = bytes([0xaf, 0, 0x12, 0x10])
    aac = bytes([0xaf, 1, 0x21, 0x10, 0x04, 0x60])
    media = (chunks(6, 9, avc_seq, 0, 1, 4096) + chunks(4, 8, aac_seq, 0, 1, 4096) + chunks(6, 9, key, 0, 1, 4096) +
             chunks(4, 8, aac, 10, 1, 4096) + chunks(6, 9, inter, 33, 1, 4096) + chunks(6, 9, inter, 66, 1, 4096))
    hevc_seq = b"\x90hvc1" + bytes(23)
    fcunpub = cmd("FCUnpublish", 6, None, "key")
    delete = cmd("deleteStream", 7, None, 1)
    sess = "fuzz-ingest-session"
    write(sess, "publish-media", b"\x21" + connect + setcs + release + fcpub + create + publish + meta + media +
          fcunpub + delete)
    write(sess, "publish-small-pieces", b"\x03" + connect + create + publish + media)
    write(sess, "ertmp-hevc", b"\x01" + connect + setcs + create + publish + chunks(6, 9, hevc_seq, 0, 1, 4096))
    write(sess, "handshake-only", b"\x00\x03" + bytes(1536) + bytes(1536))
    ctl = "fuzz-ingest-control"
    write(ctl, "goaway", b"goaway stream=abc body=empty csid=3\n--listen\x00127.0.0.1:0,latency=50\x00--signal\x00goaway")
    write(ctl, "reconnect", b"reconnect node=n1 tcurl=scheme-relative conn=2\n--listen\x00[::1]:0,drop-mid-gop=300"
          b"\x00--goaway-every\x0010s\x00--reconnect-tcurl\x00path-relative")
    write(ctl, "wait", b"wait publishing=1 video=30 timeout=5\n--duration\x002m\x00--chunk-size\x0060000")


def url_seeds():
    t = "fuzz-tcurl"
    write(t, "absolute", b"rtmp://127.0.0.1:1935/live/key\nrtmp://127.0.0.1:1936/live")
    write(t, "scheme-relative", b"rtmps://ingest.example/app/key\n//[::1]:443/app?x=1")
    write(t, "path-relative", b"rtmp://[::1]:1935/a/b/key\n/other")
    write(t, "downgrade", b"rtmps://h:443/app/key\nrtmp://h:1935/app")
    lst = "fuzz-ingest-list"
    write(lst, "twitch", b"\x00" + b'{"ingests":[{"_id":1,"availability":1.0,"default":true,"name":"Frankfurt",'
          b'"url_template":"rtmp://fra.example/app/{stream_key}","url_template_secure":"rtmps://fra.example:443/app/{stream_key}",'
          b'"priority":1}]}')
    write(lst, "generic", b"\x01" + b'{"ingests":[{"name":"a","url":"rtmps://a.example/live","priority":2},'
          b'{"name":"b","url":"rtmp://127.0.0.1:1935/live?k={stream_key}","priority":1}]}')
    write(lst, "bad", b"\x02" + b'{"ingests":[{"name":"x","url":"ftp://x"},{"url_template":"rtmp://{x}/a"}]}')


if __name__ == "__main__":
    server_seeds()
    client_seeds()
    url_seeds()
