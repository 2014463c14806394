#!/usr/bin/env python3
"""Fault matrix (e2e): the output engine (goaway-drive: PacketQueue + StreamDriver +
SessionConnector + resolver, fed from an ffmpeg FLV at 30 fps, 2 s GOP) against goaway-ingest
and misbehaving peers. Each scenario asserts 0 missing frames (or a clear error when nothing can
work) and that no fd or thread is left behind.

usage: test_faults.py SCENARIO GOAWAY_DRIVE GOAWAY_INGEST
"""

import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from driveharness import (KEY, Drive, EvilServer, Ingest, Stunnel, check, check_complete, check_no_leaks,  # noqa: E402
                          free_port, make_flv, single_stream)
from nginxrtmp import NginxRtmp  # noqa: E402

TWO_NODES = ["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0"]


def warm(ingest):
    """Waits until the stream has run 1.5 s on its first node."""
    ingest.wait("publishing=1 video=45", timeout=20)


def succeeded(out):
    return [h for h in out["handoffs"] if h["result"] == "Succeeded"]


def publishes(report):
    return [c for c in report["connections"] if c.get("publishedAtMs") is not None]


def run(ctx, ingest_args, seconds, act, extra=(), url=None):
    """Starts the ingest and the drive, runs `act(ingest)`, waits for the end; (out, report)."""
    work = tempfile.mkdtemp(prefix="run-", dir=ctx["work"])  # a fresh ready file for each run
    ingest = Ingest(ctx["ingest"], ingest_args, work)
    drive = None
    try:
        drive = Drive(ctx["drive"], url or "rtmp://127.0.0.1:%d/live" % ingest.port(0), ctx["flv"], seconds, work,
                      extra)
        act(ingest)
        out = drive.result()
    finally:
        if drive:
            drive.kill()
        report = ingest.stop()
    print("handoffs: %s" % [(h["trigger"], h["result"], h.get("reason", "")) for h in out["handoffs"]], flush=True)
    return out, report


def goaway_twice(ctx):
    def act(ing):
        warm(ing)
        ing.control("goaway")
        ing.control("goaway")
    out, report = run(ctx, TWO_NODES, 10, act)
    check_complete(out, single_stream(report))
    check(len(succeeded(out)) >= 1, "the handoff succeeded")
    check(sum(len(c["signalsSent"]) for c in report["connections"]) >= 2, "two Go Aways were sent")
    check_no_leaks(out)


def goaway_on_new(ctx):
    def act(ing):
        warm(ing)
        ing.control("goaway")
        ing.wait("publishes=2", timeout=15)
        ing.control("goaway")  # the new connection, right after it took the stream
    out, report = run(ctx, TWO_NODES, 14, act)
    check_complete(out, single_stream(report))
    check(len(succeeded(out)) >= 2, "both handoffs succeeded (%d)" % len(succeeded(out)))
    check_no_leaks(out)


def reconnect_to(ctx, ingest_args, tcurl_arg, seconds=12, extra=(), node_check=True):
    def act(ing):
        warm(ing)
        ing.control("reconnect " + tcurl_arg)
        ing.wait("signals=1", timeout=10)
    out, report = run(ctx, ingest_args, seconds, act, extra)
    check_complete(out, single_stream(report))
    if node_check:
        check(all(c["node"] == "n0" for c in publishes(report)), "every publish landed on the working node")
    check_no_leaks(out)
    return out, report


def bad_tcurl(ctx):
    for url in ("url=ftp://127.0.0.1/live", "url=rtmp://[::1/unterminated"):
        reconnect_to(ctx, TWO_NODES, url, seconds=8)


def refuse(ctx):
    reconnect_to(ctx, ["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0,refuse"], "tcurl=absolute")


def hang(ctx):
    reconnect_to(ctx, ["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0,hang"], "tcurl=absolute", seconds=16)


def reject_publish(ctx):
    out, report = reconnect_to(ctx, ["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0,reject-publish"],
                               "tcurl=absolute", seconds=14)
    check(any(c["node"] == "n1" for c in report["connections"]), "the output tried the rejecting node")


def resolver_down(ctx):
    dead = free_port()  # nothing listens: the ingest list fetch is refused
    extra = ["--resolver", "ingest-list", "--ingest-list", "http://127.0.0.1:%d/ingests.json" % dead]

    def act(ing):
        warm(ing)
        ing.control("goaway")
        ing.wait("publishes=2", timeout=15)
    out, report = run(ctx, TWO_NODES, 10, act, extra)
    check_complete(out, single_stream(report))
    check(len(succeeded(out)) >= 1, "the handoff succeeded without the ingest list")
    check_no_leaks(out)


def drop_before_keyframe(ctx):
    def act(ing):
        # Past the second keyframe (2 s): a resume from the stream's very first keyframe looks
        # like a restarted publisher to the ingest's stitcher, which would shift it.
        ing.wait("publishing=1 video=75", timeout=20)
        ing.control("goaway")
        ing.wait("publishes=2", timeout=15)
    out, report = run(ctx, ["--listen", "127.0.0.1:0,drop-after-signal=300", "--listen", "127.0.0.1:0"], 10, act)
    stream = single_stream(report)
    check_complete(out, stream, allow_duplicates=True)
    check(any("drop" in (c.get("closeReason") or "") for c in report["connections"]) and len(publishes(report)) >= 2,
          "the old node dropped the publisher mid-GOP and the stream went on")
    check(stream["duplicateFrames"] > 0 or sum(h["duplicates"] for h in out["handoffs"]) > 0,
          "the new session resumed from the last keyframe (duplicates counted)")
    check_no_leaks(out)


def stop_during_handoff(ctx):
    ing_args = ["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0,hang"]

    def act(ing):
        warm(ing)
        ing.control("reconnect tcurl=absolute")
    out, report = run(ctx, ing_args, 30, act, ["--stop-during-handoff", "--io-timeout-ms", "3000"])
    check(out["started"] and out["stoppedEarly"] and out["stopped"], "the output stopped in the middle of the handoff")
    check(any(s in ("resolving", "preconnecting", "awaiting-cut", "reconnecting") for s in out["states"]),
          "a handoff was under way (%s)" % out["states"])
    check(out["exitCode"] == 0, "goaway-drive exited cleanly")
    check(all(c.get("closedAtMs") is not None for c in report["connections"]), "every connection was closed")
    check_no_leaks(out)


def stop_during_dead_path(ctx):
    """OBS stops the stream the moment a dead path is found: what the stalled node never
    acknowledged waits in the backlog with no live connection. The output finishes the handoff
    (bounded) before it stops, so the node's new connection gets it instead of losing it."""
    # 150 ms each way: the new connection takes about a second to be ready, and the stop comes
    # in that second, while no connection carries the stream.
    ing_args = ["--listen", "127.0.0.1:0,stall-after=3s,faults=1,latency=150"]

    def act(ing):
        ing.wait("faults=1", timeout=20)
    out, report = run(ctx, ing_args, 30, act, ["--stop-during-handoff"])
    stream = single_stream(report)
    records = [(h["trigger"], h["result"]) for h in out["handoffs"]]
    print("records %s; pushed video %d audio %d, after the stop point %s; ingest unique video %d audio %d, "
          "missing %d / %d" % (records, out["videoPacketsPushed"], out["audioPacketsPushed"], out.get("afterStop"),
                               stream["uniqueVideoFrames"], stream["uniqueAudioFrames"],
                               stream["missingVideoFrames"], stream["missingAudioFrames"]), flush=True)
    check(out["started"] and out["stoppedEarly"] and out["stopped"], "the output stopped during the handoff")
    check(records == [("DeadPath", "Succeeded")], "the dead path's handoff finished before the stop (%s)" % records)
    check(len(publishes(report)) == 2, "the node's new connection published (%d)" % len(publishes(report)))
    check(stream["missingVideoFrames"] == 0 and stream["missingAudioFrames"] == 0, "nothing missing at the ingest")
    after = out.get("afterStop") or {}
    check(stream["uniqueVideoFrames"] == out["videoPacketsPushed"] - after.get("video", 0) and
          stream["uniqueAudioFrames"] == out["audioPacketsPushed"] - after.get("audio", 0),
          "every packet before the stop point arrived")
    check_no_leaks(out)


def tls_failure(ctx):
    ingest_args = TWO_NODES
    holder = {}

    def act(ing):
        holder["tls"] = Stunnel(ctx["work"], ing.port(1))
        warm(ing)
        ing.control("reconnect url=rtmps://127.0.0.1:%d/live" % holder["tls"].port)
        ing.wait("signals=1", timeout=10)
    try:
        out, report = run(ctx, ingest_args, 12, act)
    finally:
        if "tls" in holder:
            holder["tls"].stop()
    check_complete(out, single_stream(report))
    check(all(c["node"] == "n0" for c in publishes(report)), "the untrusted node never got the stream")
    log = open(os.path.join(ctx["work"], "stunnel.log")).read() if os.path.exists(
        os.path.join(ctx["work"], "stunnel.log")) else ""
    check("accepted connection" in log, "the output did try the TLS node (stunnel accepted a connection)")
    check_no_leaks(out)


def evil_peer(ctx, mode):
    evil = EvilServer(mode)
    try:
        out, report = reconnect_to(ctx, TWO_NODES, "url=rtmp://127.0.0.1:%d/live" % evil.port, seconds=12)
        check(evil.connections >= 1, "the output tried the %s server" % mode)
        # Nothing works at all: the first connect fails with a clear error, nothing leaks.
        first = Drive(ctx["drive"], "rtmp://127.0.0.1:%d/live" % evil.port, ctx["flv"], 5, ctx["work"],
                      ["--io-timeout-ms", "3000"], name="drive-first")
        out = first.result()
    finally:
        evil.stop()
    print("first connect error: %s" % out["startError"], flush=True)
    check(not out["started"] and out["startError"] and out["exitCode"] == 1,
          "a server sending %s gives a clear start error" % mode)
    check(KEY not in out["startError"], "the error does not name the key")
    check_no_leaks(out)


NGINX_ACK_WINDOW = 5000000  # nginx-rtmp's own ack_window default (5 MB): the stream goes well past it


def nginx_acks(ctx):
    """A real server's acknowledgements (nginx-rtmp), over 10 MB of healthy stream: nothing may
    look like a dead path (no handoff at all), whatever window the server acknowledges at."""
    flv = os.path.join(ctx["work"], "cbr.flv")
    # 4 Mbit/s constant bit rate (filler included), so 20 s of stream carry about 10 MB.
    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
           "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
           "-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-bf", "0", "-b:v", "4000k", "-minrate", "4000k",
           "-maxrate", "4000k", "-bufsize", "2000k", "-x264-params", "nal-hrd=cbr", "-c:a", "aac", "-b:a", "64k",
           "-t", "10", "-f", "flv", flv]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "ffmpeg made a 4 Mbit/s CBR FLV (%s)" % r.stderr[-300:])
    with NginxRtmp(ctx["work"]) as nginx:
        out = Drive(ctx["drive"], "rtmp://127.0.0.1:%d/live" % nginx.port, flv, 20, ctx["work"]).result()
    sent = out["snapshot"]["bytesSent"]
    print("bytes sent %d; handoffs %s" % (sent, [(h["trigger"], h["result"]) for h in out["handoffs"]]), flush=True)
    check(out["started"] and not out["fallBack"], "the output streamed to nginx-rtmp without falling back")
    check(sent > 1.5 * NGINX_ACK_WINDOW, "the stream went well past nginx's own ack window (%d bytes)" % sent)
    check(out["handoffs"] == [], "no handoff: a healthy nginx-rtmp is not a dead path")
    check_no_leaks(out)


SCENARIOS = {
    "goaway-twice": goaway_twice,
    "goaway-on-new": goaway_on_new,
    "bad-tcurl": bad_tcurl,
    "refuse": refuse,
    "hang": hang,
    "reject-publish": reject_publish,
    "resolver-down": resolver_down,
    "drop-before-keyframe": drop_before_keyframe,
    "stop-during-handoff": stop_during_handoff,
    "stop-during-dead-path": stop_during_dead_path,
    "tls-failure": tls_failure,
    "garbage": lambda ctx: evil_peer(ctx, "garbage"),
    "huge-chunk": lambda ctx: evil_peer(ctx, "huge-chunk"),
    "nginx-acks": nginx_acks,
}


def main():
    scenario, drive_bin, ingest_bin = sys.argv[1], sys.argv[2], sys.argv[3]
    work = tempfile.mkdtemp(prefix="goaway-fault-%s-" % scenario)
    print("fault %s, work dir %s" % (scenario, work), flush=True)
    started = time.monotonic()
    ctx = {"drive": drive_bin, "ingest": ingest_bin, "work": work, "flv": make_flv(work)}
    SCENARIOS[scenario](ctx)
    print("PASS %s (%.0f s)" % (scenario, time.monotonic() - started), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
