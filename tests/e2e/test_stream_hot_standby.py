#!/usr/bin/env python3
"""E2E (issue 16, item 3): the optional hot standby. Real libobs (goaway-stream: x264 ultrafast
640x360, 30 fps, 1 s keyint, AAC) streams through rtmp_goaway_output with hot_standby on, behind a
150 ms path (goaway-delayline), to a goaway-ingest node that resets each publisher without a signal
RESET_AFTER after its publish, RESETS times.

Scenario `reset` (what must hold):
- a standby connection to the node is open before each reset (the ingest accepted the connection
  that takes over before the fault), and the handoff takes it: the record says hotStandby and its
  pre-connect took less than a round trip (no TCP, handshake or connect happened in it);
- the standby is made again after each use, and again after the node drops it (control `reset`
  on the idle connection);
- nothing the encoder produced is missing at the ingest; fds and threads are given back.

Scenario `stall`: the node stops reading and answering the publisher (a dead path). The standby goes
to the same node over the same network, so the output does not trust it: it closes it, hands off
with a fresh connect (the record says so), and makes a new standby once the stream is live again.

usage: test_stream_hot_standby.py reset|stall BUILD_DIR INGEST_BINARY
"""

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402
from streamharness import Ingest, check, check_process_figures, single_stream, start_stream, stop_stream  # noqa: E402

FPS = 30
KEYINT_S = 1
RTT_MS = 150
RESETS = 2
# Each publish runs this long before the node resets it: longer than the standby's pause after a
# use (HotStandby::kAfterUse, 0.5 s) plus its connect at this RTT (about four round trips), with margin.
RESET_AFTER = "3s"
QUIET_FRAMES = 2 * FPS
STEP_TIMEOUT_S = 20
STREAM_LIMIT_S = 90


def idle_connections(ingest):
    """The node's open connections that never published (a standby), by id."""
    live = json.loads(ingest.control("stats"))["live"]
    return [c["id"] for c in live if not c["publishing"]]


def start_with_standby(build_dir, display, ingest, workdir, rtt_ms=0):
    """goaway-stream with hot_standby on, to the ingest's first node."""
    return start_stream(build_dir, display, "rtmp://127.0.0.1:%d/live" % ingest.port(0), STREAM_LIMIT_S, workdir,
                        extra=["--size", "640x360", "--preset", "ultrafast", "--fps", str(FPS),
                               "--keyint", str(KEYINT_S), "--set", "hot_standby=true"], rtt_ms=rtt_ms)


def reset(build_dir, ingest_bin):
    workdir = tempfile.mkdtemp(prefix="goaway-e2e-hot-standby-")
    print("work dir %s" % workdir, flush=True)
    node = "127.0.0.1:0,reset-after=%s,faults=%d" % (RESET_AFTER, RESETS)
    with obsharness.xdisplay() as display, Ingest(ingest_bin, ["--listen", node], workdir) as ingest:
        proc, stats_path = start_with_standby(build_dir, display, ingest, workdir, rtt_ms=RTT_MS)
        try:
            # Paced by the ingest's own counts (its wait command), never by sleeping.
            ingest.wait("publishes=1", STEP_TIMEOUT_S)
            ingest.wait("connections=2", STEP_TIMEOUT_S)  # the first standby
            for k in range(1, RESETS + 1):
                ingest.wait("faults=%d" % k, STEP_TIMEOUT_S)
                ingest.wait("publishes=%d" % (k + 1), STEP_TIMEOUT_S)
            # Made again after the last use; then the node drops it, and it is made once more.
            ingest.wait("connections=%d" % (RESETS + 2), STEP_TIMEOUT_S)
            idle = idle_connections(ingest)
            check(len(idle) == 1, "one standby connection after the last use (%s)" % idle)
            print("control reset conn=%d -> %s" % (idle[0], ingest.control("reset conn=%d" % idle[0]).strip()),
                  flush=True)
            ingest.wait("connections=%d" % (RESETS + 3), STEP_TIMEOUT_S)
            frames = json.loads(ingest.control("stats"))["video"]
            ingest.wait("video=%d" % (frames + QUIET_FRAMES), STEP_TIMEOUT_S)
            after_drop = idle_connections(ingest)
        finally:
            stop_stream(proc)
        report = ingest.stop()
    with open(stats_path) as f:
        stats = json.load(f)
    with open(os.path.join(workdir, "ingest-report.json"), "w") as f:
        json.dump(report, f)

    stream = single_stream(report)
    connections = report["connections"]
    # The schedule's faults (the control `reset` of the standby is the node's too, not one of them).
    faults = [dict(f, connection=c["id"]) for c in connections for f in c["faults"] if f["cause"] == "reset-after"]
    published = sorted((c for c in connections if c.get("publishedAtMs") is not None),
                       key=lambda c: c["publishedAtMs"])
    final = stats.get("finalStats") or {}
    handoffs = stats.get("handoffs") or []
    for c in connections:
        print("connection %d: accepted %s ms, published %s ms, closed %s ms, faults %s" %
              (c["id"], c.get("acceptedAtMs"), c.get("publishedAtMs"), c.get("closedAtMs"),
               [f["kind"] for f in c["faults"]]), flush=True)
    print("handoff records: %s" % [(h.get("trigger"), h.get("result"), h.get("preconnectMs"),
                                    (h.get("preconnect") or {}).get("hotStandby"), h.get("deadAirMs"))
                                   for h in handoffs], flush=True)
    encoded = final.get("videoPacketsEncoded", -1) - final.get("videoPacketsAfterStop", 0)

    check(not stats.get("error"), "goaway-stream ran: %s" % stats.get("error", "ok"))
    check(stats.get("stoppedByItself") is False,
          "the output streamed until asked to stop (last error: %r)" % stats.get("lastError"))
    check(len(faults) == RESETS and all(f["kind"] == "reset" for f in faults),
          "the node reset the publisher %d times without a signal (%d)" % (RESETS, len(faults)))
    check(len(published) == RESETS + 1, "the output came back after each reset (%d publishes)" % len(published))
    for f, taker in zip(sorted(faults, key=lambda f: f["atMs"]), published[1:]):
        check(taker["acceptedAtMs"] < f["atMs"] <= taker["publishedAtMs"],
              "the connection that took over (%d) was open before the reset: accepted %d ms, reset %d ms, "
              "published %d ms" % (taker["id"], taker["acceptedAtMs"], f["atMs"], taker["publishedAtMs"]))
    check(len(handoffs) == RESETS, "one handoff record per reset (%d)" % len(handoffs))
    for h in handoffs:
        check(h.get("trigger") == "ConnectionLost" and h.get("result") == "Succeeded",
              "the record says ConnectionLost, Succeeded (%s, %s)" % (h.get("trigger"), h.get("result")))
        check((h.get("preconnect") or {}).get("hotStandby") is True, "the handoff took the hot standby")
        check(0 <= h.get("preconnectMs", -1) < RTT_MS // 2,
              "its pre-connect took less than a round trip: nothing was connected in it (%s ms, RTT %d ms)" %
              (h.get("preconnectMs"), RTT_MS))
    check(len(after_drop) == 1 and after_drop[0] not in idle,
          "the node dropped the standby and a new one connected (%s, dropped %s)" % (after_drop, idle))
    check(stream["missingVideoFrames"] == 0 and stream["missingAudioFrames"] == 0,
          "0 missing frames across %d resets (video %d, audio %d)" %
          (RESETS, stream["missingVideoFrames"], stream["missingAudioFrames"]))
    if final:
        check(stream["uniqueVideoFrames"] == encoded,
              "every encoded video frame arrived (%d of %s)" % (stream["uniqueVideoFrames"], encoded))
    check_process_figures(stats)


STALL_AFTER = "4s"
STALL_HOLD = "30s"  # longer than the run: only the output's own detection ends the stall


def stall(build_dir, ingest_bin):
    workdir = tempfile.mkdtemp(prefix="goaway-e2e-hot-standby-stall-")
    print("work dir %s" % workdir, flush=True)
    node = "127.0.0.1:0,stall-after=%s,stall-hold=%s,faults=1" % (STALL_AFTER, STALL_HOLD)
    with obsharness.xdisplay() as display, Ingest(ingest_bin, ["--listen", node], workdir) as ingest:
        proc, stats_path = start_with_standby(build_dir, display, ingest, workdir)
        try:
            ingest.wait("publishes=1", STEP_TIMEOUT_S)
            ingest.wait("connections=2", STEP_TIMEOUT_S)  # the first standby
            ingest.wait("faults=1", STEP_TIMEOUT_S)
            ingest.wait("publishes=2", STEP_TIMEOUT_S)
            ingest.wait("connections=4", STEP_TIMEOUT_S)  # a new publisher, then a new standby
            frames = json.loads(ingest.control("stats"))["video"]
            ingest.wait("video=%d" % (frames + QUIET_FRAMES), STEP_TIMEOUT_S)
            idle = idle_connections(ingest)
        finally:
            stop_stream(proc)
        report = ingest.stop()
    with open(stats_path) as f:
        stats = json.load(f)
    stream = single_stream(report)
    connections = sorted(report["connections"], key=lambda c: c["acceptedAtMs"])
    handoffs = stats.get("handoffs") or []
    for c in connections:
        print("connection %d: accepted %s ms, published %s ms, closed %s ms, faults %s" %
              (c["id"], c.get("acceptedAtMs"), c.get("publishedAtMs"), c.get("closedAtMs"),
               [f["kind"] for f in c["faults"]]), flush=True)
    print("handoff records: %s" % [(h.get("trigger"), h.get("result"), h.get("preconnectMs"),
                                    (h.get("preconnect") or {}).get("hotStandby")) for h in handoffs], flush=True)
    check(not stats.get("error"), "goaway-stream ran: %s" % stats.get("error", "ok"))
    check(stats.get("stoppedByItself") is False,
          "the output streamed until asked to stop (last error: %r)" % stats.get("lastError"))
    check(len(connections) == 4, "publisher, standby, new publisher, new standby (%d connections)" % len(connections))
    first, standby, taker, again = connections
    check(standby.get("publishedAtMs") is None and standby.get("closedAtMs") is not None and
          standby["closedAtMs"] <= taker["acceptedAtMs"] + 50,
          "the standby never published and was closed at the dead path (closed %s ms, new publisher accepted %d ms)"
          % (standby.get("closedAtMs"), taker["acceptedAtMs"]))
    stall_at = [f["atMs"] for f in first["faults"] if f["kind"] == "stall"]
    check(len(stall_at) == 1 and taker["acceptedAtMs"] > stall_at[0],
          "a fresh connection took over after the stall (stall %s ms, accepted %d ms)" %
          (stall_at, taker["acceptedAtMs"]))
    check(again.get("publishedAtMs") is None and again["id"] in idle,
          "a new standby was made once the stream was live again (%d, idle %s)" % (again["id"], idle))
    check(len(handoffs) == 1 and handoffs[0].get("trigger") == "DeadPath" and
          handoffs[0].get("result") == "Succeeded" and (handoffs[0].get("preconnect") or {}).get("hotStandby") is False,
          "one DeadPath handoff, Succeeded, not through the standby")
    check(stream["missingVideoFrames"] == 0 and stream["missingAudioFrames"] == 0,
          "0 missing frames (video %d, audio %d)" % (stream["missingVideoFrames"], stream["missingAudioFrames"]))
    check_process_figures(stats)


def main():
    scenario, build_dir, ingest_bin = sys.argv[1], sys.argv[2], sys.argv[3]
    {"reset": reset, "stall": stall}[scenario](build_dir, ingest_bin)
    print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
