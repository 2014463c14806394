#!/usr/bin/env python3
"""E2E (issue 16): failures without a signal. Real libobs (goaway-stream: x264 ultrafast 640x360,
30 fps, 1 s keyint, AAC) streams through rtmp_goaway_output to goaway-ingest, whose node fails
without warning on a schedule. Nothing the encoder produced may be missing at the ingest, and the
output gives back every fd and thread it took.

Scenarios:
  reset  the node resets (TCP RST, no Go Away / ReconnectRequest) each publisher at its first
         non-key video frame RESET_AFTER after its publish, RESETS times (reset-after=, faults=).
  stall  the node stops reading and answering (a dead path / hung ingest: the socket stays open)
         STALL_AFTER after each publish, STALLS times, and resets the stalled connection only
         STALL_HOLD later (stall-after=, stall-hold=, faults=). The output must notice within its
         dead-path window from the missing RTMP acknowledgements, leave without a word and replay
         from the keyframe before the oldest byte the node did not acknowledge.
  stall-no-acks  the same with a node that ignores the window and never acknowledges (ack=off):
         only TCP's figures are left (what reached the node's machine, not what it read), found
         once the node's receive buffer is full. What it took and never read is lost, in an amount
         only the node knows (its receive buffer): the record must not claim to know it (no
         "0 lost", dead air and duplicates as bounds the ingest's counts respect).
  congestion  a node that reads slower than the stream's bitrate (read-rate=) but acknowledges
         what it reads: no handoff, congestion reported, and every encoded frame either reached
         the ingest or is in the output's drop count (none vanished in a socket buffer).

usage: test_stream_no_signal.py SCENARIO BUILD_DIR INGEST_BINARY
"""

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402
from streamharness import Ingest, check, check_process_figures, fail, single_stream, start_stream, stop_stream  # noqa: E402

FPS = 30
KEYINT_S = 1
RESETS = 3
RESET_AFTER = "3s"  # each publish runs 3 s, then the node resets it mid-GOP
QUIET_FRAMES = 3 * FPS  # after the last reset: the last connection carries 3 s of media
STEP_TIMEOUT_S = 20
STREAM_LIMIT_S = 90  # goaway-stream's own bound; the test stops it as soon as the resets are done


def check_duplicate_bounds(handoffs, stream):
    """The output replays from a keyframe: only what the node acknowledged is surely a duplicate;
    what its kernel took but it may never have read is counted apart (duplicatesAtMost)."""
    sure, at_most = sum(h.get("duplicates", 0) for h in handoffs), sum(h.get("duplicatesAtMost", 0) for h in handoffs)
    check(sure <= stream["duplicateFrames"] <= at_most,
          "the ingest's duplicates lie between what the records call sure and at most (%d <= %d <= %d)" %
          (sure, stream["duplicateFrames"], at_most))


def reset(build_dir, ingest_bin, display):
    workdir = tempfile.mkdtemp(prefix="goaway-e2e-no-signal-reset-")
    print("work dir %s" % workdir, flush=True)
    node = "127.0.0.1:0,reset-after=%s,faults=%d" % (RESET_AFTER, RESETS)
    with Ingest(ingest_bin, ["--listen", node], workdir) as ingest:
        proc, stats_path = start_stream(build_dir, display, "rtmp://127.0.0.1:%d/live" % ingest.port(0),
                                        STREAM_LIMIT_S, workdir,
                                        extra=["--size", "640x360", "--preset", "ultrafast", "--fps", str(FPS),
                                               "--keyint", str(KEYINT_S)])
        try:
            # Paced by the ingest's own counts (its wait command), never by sleeping.
            ingest.wait("publishes=1", STEP_TIMEOUT_S)
            for k in range(1, RESETS + 1):
                ingest.wait("faults=%d" % k, STEP_TIMEOUT_S)
                ingest.wait("publishes=%d" % (k + 1), STEP_TIMEOUT_S)
            frames = json.loads(ingest.control("stats"))["video"]
            ingest.wait("video=%d" % (frames + QUIET_FRAMES), STEP_TIMEOUT_S)
        finally:
            stop_stream(proc)
        report = ingest.stop()
    with open(stats_path) as f:
        stats = json.load(f)
    with open(os.path.join(workdir, "ingest-report.json"), "w") as f:
        json.dump(report, f)

    stream = single_stream(report)
    faults = [dict(f, connection=c["id"]) for c in report["connections"] for f in c["faults"]]
    published = [c for c in report["connections"] if c.get("publishedAtMs") is not None]
    final = stats.get("finalStats") or {}
    handoffs = stats.get("handoffs") or []
    for f in faults:
        print("fault: %s (%s) on connection %d at %d ms after %d video / %d audio frames read" %
              (f["kind"], f["cause"], f["connection"], f["atMs"], f["videoFramesRead"], f["audioFramesRead"]),
              flush=True)
    for c in stream["cutovers"]:
        print("cutover %d -> %d (signal %s): dead air %s ms, switch gap %s ms" %
              (c["fromConnection"], c["toConnection"], c["signal"], c["deadAirMs"], c["switchGapMs"]), flush=True)
    print("handoff records: %s" % [(h.get("trigger"), h.get("result"), h.get("framesLost"), h.get("duplicates"))
                                   for h in handoffs], flush=True)
    check_duplicate_bounds(handoffs, stream)
    encoded = final.get("videoPacketsEncoded", -1) - final.get("videoPacketsAfterStop", 0)
    print("encoded video %s before the stop; unique video %d audio %d; missing video %d audio %d; duplicates %d; "
          "dropped %s; reconnects %s" %
          (encoded, stream["uniqueVideoFrames"], stream["uniqueAudioFrames"], stream["missingVideoFrames"],
           stream["missingAudioFrames"], stream["duplicateFrames"], final.get("droppedFrames"),
           stats.get("reconnects")), flush=True)

    check(not stats.get("error"), "goaway-stream ran: %s" % stats.get("error", "ok"))
    check(stats.get("stoppedByItself") is False,
          "the output streamed until asked to stop (last error: %r)" % stats.get("lastError"))
    check(len(faults) == RESETS and all(f["kind"] == "reset" and f["cause"] == "reset-after" for f in faults),
          "the node reset the publisher %d times without a signal (%d)" % (RESETS, len(faults)))
    check(report["signalsSent"] == 0, "no Go Away / ReconnectRequest was sent")
    check(len(published) == RESETS + 1, "the output came back after each reset (%d publishes)" % len(published))
    check(all(c["firstMedia"]["ok"] for c in published),
          "every new connection starts with metadata + sequence headers + a keyframe")
    check(all(c["signal"] == "none" for c in stream["cutovers"]), "no cutover followed a signal")
    check(stream["missingVideoFrames"] == 0, "0 missing video frames across %d resets (%d)" %
          (RESETS, stream["missingVideoFrames"]))
    check(stream["missingAudioFrames"] == 0, "0 missing audio frames across %d resets (%d)" %
          (RESETS, stream["missingAudioFrames"]))
    if final:
        check(stream["uniqueVideoFrames"] == encoded,
              "every encoded video frame arrived (%d of %s)" % (stream["uniqueVideoFrames"], encoded))
    check_process_figures(stats)


STALLS = 2
STALL_AFTER = "3s"
STALL_HOLD = "30s"  # far longer than the run: only the output's own detection can end the stall
DEAD_PATH_WINDOW_MS = 2000  # the output's default
# Acknowledgement is due once 1.5 ack windows are outstanding: 1.5 x 200 ms of media at the
# stream's bitrate (5 acknowledgements a second), plus the loop's turn and the new connect.
DETECTION_MARGIN_MS = 1000
# The ingest's frame count includes the replay after a dead path: up to detection window + ack
# spacing + one GOP of frames come again at once. The quiet wait adds them, so the last record's
# dead-air window (1 s) has closed before the output is asked for its records.
REPLAY_BOUND_FRAMES = int((DEAD_PATH_WINDOW_MS / 1000.0 + 1 + KEYINT_S) * FPS)
# The ingest reads and timestamps frames a little after the output sent them (loopback, one thread).
INGEST_READ_SLACK_MS = 50


# stall-rtt150: the bench's stream (x264 1280x720, 2500 kbps) behind a 150 ms path, where a write
# can block on the stalled connection: it must still be found within the window, nothing dropped.
# From the stall the node's receive buffer and the path still take bytes for a while before a
# write blocks, and the new connection needs its round trips.
RTT_STALL_MARGIN_MS = 2000


def stall(build_dir, ingest_bin, display, acks=True, rtt=0):
    workdir = tempfile.mkdtemp(prefix="goaway-e2e-no-signal-stall-")
    print("work dir %s" % workdir, flush=True)
    node = "127.0.0.1:0,stall-after=%s,stall-hold=%s,faults=%d" % (STALL_AFTER, STALL_HOLD, STALLS)
    if not acks:
        node += ",ack=off"
    with Ingest(ingest_bin, ["--listen", node], workdir) as ingest:
        picture = [] if rtt else ["--size", "640x360", "--preset", "ultrafast"]
        proc, stats_path = start_stream(build_dir, display, "rtmp://127.0.0.1:%d/live" % ingest.port(0),
                                        STREAM_LIMIT_S, workdir,
                                        extra=picture + ["--fps", str(FPS), "--keyint", str(KEYINT_S)], rtt_ms=rtt)
        try:
            ingest.wait("publishes=1", STEP_TIMEOUT_S)
            for k in range(1, STALLS + 1):
                ingest.wait("faults=%d" % k, STEP_TIMEOUT_S)
                ingest.wait("publishes=%d" % (k + 1), STEP_TIMEOUT_S)
            frames = json.loads(ingest.control("stats"))["video"]
            ingest.wait("video=%d" % (frames + QUIET_FRAMES + REPLAY_BOUND_FRAMES), STEP_TIMEOUT_S)
        finally:
            stop_stream(proc)
        report = ingest.stop()
    with open(stats_path) as f:
        stats = json.load(f)
    with open(os.path.join(workdir, "ingest-report.json"), "w") as f:
        json.dump(report, f)

    stream = single_stream(report)
    connections = {c["id"]: c for c in report["connections"]}
    faults = [dict(f, connection=c["id"]) for c in report["connections"] for f in c["faults"]]
    stalls = [f for f in faults if f["kind"] == "stall"]
    published = [c for c in report["connections"] if c.get("publishedAtMs") is not None]
    final = stats.get("finalStats") or {}
    handoffs = stats.get("handoffs") or []
    for f in faults:
        print("fault: %s (%s) on connection %d at %d ms after %d video / %d audio frames read" %
              (f["kind"], f["cause"], f["connection"], f["atMs"], f["videoFramesRead"], f["audioFramesRead"]),
              flush=True)
    # From the node's stall to the next connection it accepted, on the node's clock.
    later = sorted(c["acceptedAtMs"] for c in published)
    gaps = []
    for f in stalls:
        nxt = [t for t in later if t > f["atMs"]]
        gaps.append(nxt[0] - f["atMs"] if nxt else None)
    print("stall -> next connection accepted: %s ms" % gaps, flush=True)
    print("handoff records: %s" % [(h.get("trigger"), h.get("result"), h.get("detectionMs"), h.get("framesLost"),
                                    h.get("framesLostKnown"), h.get("lossBasis"), h.get("duplicates"),
                                    h.get("duplicatesAtMost"))
                                   for h in handoffs], flush=True)
    encoded = final.get("videoPacketsEncoded", -1) - final.get("videoPacketsAfterStop", 0)
    print("encoded video %s before the stop; unique video %d audio %d; missing video %d audio %d; duplicates %d; "
          "dropped %s" % (encoded, stream["uniqueVideoFrames"], stream["uniqueAudioFrames"],
                          stream["missingVideoFrames"], stream["missingAudioFrames"], stream["duplicateFrames"],
                          final.get("droppedFrames")), flush=True)

    check(not stats.get("error"), "goaway-stream ran: %s" % stats.get("error", "ok"))
    check(stats.get("stoppedByItself") is False,
          "the output streamed until asked to stop (last error: %r)" % stats.get("lastError"))
    check(len(stalls) == STALLS and all(f["cause"] == "stall-after" for f in stalls),
          "the node stalled the publisher %d times (%d)" % (STALLS, len(stalls)))
    check(not [f for f in faults if f["kind"] == "reset"], "the node reset no connection (its hold is longer)")
    check(report["signalsSent"] == 0, "no Go Away / ReconnectRequest was sent")
    check(len(published) == STALLS + 1, "the output came back after each stall (%d publishes)" % len(published))
    if acks:  # without them, TCP stops acknowledging only once the node's receive buffer is full
        margin = DETECTION_MARGIN_MS + (RTT_STALL_MARGIN_MS if rtt else 0)
        check(all(g is not None and g <= DEAD_PATH_WINDOW_MS + margin for g in gaps),
              "each stall was left within the dead-path window + %d ms (%s ms)" % (margin, gaps))
    if rtt:
        check(final.get("droppedFrames") == 0,
              "a write blocked on the stalled path dropped nothing: the next session replays it (%s dropped)" %
              final.get("droppedFrames"))
        check(stream["missingVideoFrames"] == 0 and stream["missingAudioFrames"] == 0,
              "0 missing frames behind a %d ms path (video %d, audio %d)" %
              (rtt, stream["missingVideoFrames"], stream["missingAudioFrames"]))
    check(len(handoffs) == STALLS, "one handoff record per stall (%d)" % len(handoffs))
    for h in handoffs:
        check(h.get("trigger") == "DeadPath" and h.get("result") == "Succeeded",
              "the record says DeadPath, Succeeded (%s, %s)" % (h.get("trigger"), h.get("result")))
        d = h.get("detectionMs")
        check(d is not None and DEAD_PATH_WINDOW_MS <= d <= DEAD_PATH_WINDOW_MS + 500,
              "detection took the window, not more than a loop turn beyond it (%s ms)" % d)
        if acks:
            check(h.get("lossBasis") == "server-acks" and h.get("framesLostKnown") is True and
                  h.get("framesLost") == 0,
                  "the record knows from the node's acknowledgements that nothing was lost (%s, %s, %s)" %
                  (h.get("lossBasis"), h.get("framesLostKnown"), h.get("framesLost")))
        else:
            check(h.get("lossBasis") == "tcp" and h.get("framesLostKnown") is False,
                  "the record knows only TCP's figures and does not claim its loss figure (%s, known %s)" %
                  (h.get("lossBasis"), h.get("framesLostKnown")))
    # The output cannot see when the node stopped reading; its dead air must not be lower than the
    # node's (an upper bound from the last acknowledged send), and say so.
    measured = [c.get("deadAirMs") for c in stream.get("cutovers", [])]
    print("dead air: output %s, ingest %s ms" % ([(h.get("deadAirBasis"), h.get("deadAirMs")) for h in handoffs],
                                                 measured), flush=True)
    check(len(measured) == len(handoffs), "the ingest measured every cutover (%d)" % len(measured))
    for h, m in zip(handoffs, measured):
        if h.get("deadAirBasis") == "at-least":  # TCP's figures without the node's window
            check(m is not None and h.get("deadAirMs", 1 << 30) <= m + INGEST_READ_SLACK_MS,
                  "the output's dead air is a lower bound of the ingest's (%s ms, ingest %s ms)" %
                  (h.get("deadAirMs"), m))
            continue
        check(h.get("deadAirBasis") == "up-to" and m is not None and
              h.get("deadAirMs", -1) + INGEST_READ_SLACK_MS >= m,
              "the output's dead air is an upper bound of the ingest's (%s %s ms, ingest %s ms)" %
              (h.get("deadAirBasis"), h.get("deadAirMs"), m))
    check_duplicate_bounds(handoffs, stream)
    acknowledged = [connections[f["connection"]]["acknowledgements"] for f in stalls]
    if acks:
        check(all(a > 0 for a in acknowledged),
              "the node acknowledged what it read before each stall (the output asked it to)")
    else:
        check(all(a == 0 for a in acknowledged), "the node acknowledged nothing (ack=off): %s" % acknowledged)
    check(all(c["firstMedia"]["ok"] for c in published),
          "every new connection starts with metadata + sequence headers + a keyframe")
    if not acks:
        missing = stream["missingVideoFrames"] + stream["missingAudioFrames"]
        lost = sum(h.get("framesLost", 0) for h in handoffs)
        print("missing at the ingest: %d video, %d audio; the records: at least %d" %
              (stream["missingVideoFrames"], stream["missingAudioFrames"], lost), flush=True)
        check(lost <= missing, "the records' loss figure is a lower bound of the ingest's (%d <= %d)" % (lost, missing))
        check_process_figures(stats)
        return
    check(stream["missingVideoFrames"] == 0, "0 missing video frames across %d stalls (%d)" %
          (STALLS, stream["missingVideoFrames"]))
    check(stream["missingAudioFrames"] == 0, "0 missing audio frames across %d stalls (%d)" %
          (STALLS, stream["missingAudioFrames"]))
    if final:
        check(stream["uniqueVideoFrames"] == encoded,
              "every encoded video frame arrived (%d of %s)" % (stream["uniqueVideoFrames"], encoded))
    check_process_figures(stats)


# Congestion: the node reads at READ_RATE_KBPS a stream of CONGESTED_BITRATE_KBPS (about a third):
# its acknowledgements still progress, so the output must not hand off; its queue fills and the
# drop policy drops video (OBS's: disposable frames, then every non-keyframe until the next
# keyframe), and every encoded frame either reached the ingest or is in the output's drop count.
READ_RATE_KBPS = 700
CONGESTED_BITRATE_KBPS = 2000
CONGESTED_VIDEO_FRAMES = 6 * FPS  # what the node reads under congestion before the stop
CONGESTION_TIMEOUT_S = 60  # at about a third of the frames arriving: 18 s of stream, with margin


def congestion(build_dir, ingest_bin, display):
    workdir = tempfile.mkdtemp(prefix="goaway-e2e-no-signal-congestion-")
    print("work dir %s" % workdir, flush=True)
    node = "127.0.0.1:0,read-rate=%d" % READ_RATE_KBPS
    with Ingest(ingest_bin, ["--listen", node], workdir) as ingest:
        proc, stats_path = start_stream(build_dir, display, "rtmp://127.0.0.1:%d/live" % ingest.port(0),
                                        STREAM_LIMIT_S, workdir,
                                        extra=["--size", "640x360", "--preset", "ultrafast", "--fps", str(FPS),
                                               "--keyint", str(KEYINT_S), "--bitrate", str(CONGESTED_BITRATE_KBPS)])
        try:
            ingest.wait("publishes=1", STEP_TIMEOUT_S)
            ingest.wait("video=%d" % CONGESTED_VIDEO_FRAMES, CONGESTION_TIMEOUT_S)
        finally:
            stop_stream(proc)
        # What the kernel still held when the output closed reaches the node at its read rate.
        ingest.wait("closed=1", STEP_TIMEOUT_S)
        report = ingest.stop()
    with open(stats_path) as f:
        stats = json.load(f)
    with open(os.path.join(workdir, "ingest-report.json"), "w") as f:
        json.dump(report, f)

    stream = single_stream(report)
    connections = report["connections"]
    final = stats.get("finalStats") or {}
    state = stats.get("state") or {}
    handoffs = stats.get("handoffs") or []
    encoded = final.get("videoPacketsEncoded", -1) - final.get("videoPacketsAfterStop", 0)
    dropped = final.get("droppedFrames", -1)
    seconds = max(1, (connections[0].get("closedAtMs", 0) - connections[0].get("publishedAtMs", 0)) / 1000.0)
    print("node read %d bytes in %.1f s (%.0f kbit/s, limit %d); %d acknowledgements" %
          (connections[0]["bytes"], seconds, connections[0]["bytes"] * 8 / seconds / 1000, READ_RATE_KBPS,
           connections[0]["acknowledgements"]), flush=True)
    print("encoded video %s before the stop; dropped %s; unique video %d audio %d; missing video %d audio %d; "
          "congestion episodes %s; handoffs %d" %
          (encoded, dropped, stream["uniqueVideoFrames"], stream["uniqueAudioFrames"], stream["missingVideoFrames"],
           stream["missingAudioFrames"], state.get("congestionEpisodes"), len(handoffs)), flush=True)

    check(not stats.get("error"), "goaway-stream ran: %s" % stats.get("error", "ok"))
    check(stats.get("stoppedByItself") is False,
          "the output streamed until asked to stop (last error: %r)" % stats.get("lastError"))
    check(len(connections) == 1 and not connections[0]["faults"] and report["signalsSent"] == 0,
          "one connection, no fault, no signal (%d connections)" % len(connections))
    check(connections[0]["bytes"] * 8 / seconds / 1000 <= READ_RATE_KBPS * 1.1,
          "the node read no faster than its read-rate")
    check(connections[0]["acknowledgements"] > 0, "the node acknowledged what it read")
    check(not handoffs and state.get("handoffs") == 0,
          "a congested path is no dead path: no handoff (%d records)" % len(handoffs))
    check((state.get("congestionEpisodes") or 0) >= 1,
          "the output reported congestion (%s episodes)" % state.get("congestionEpisodes"))
    check(dropped > 0, "the drop policy dropped video (%s frames)" % dropped)
    check(stream["missingAudioFrames"] == 0, "audio is never dropped (%d missing)" % stream["missingAudioFrames"])
    # The ingest sees a dropped frame as a gap only between two it read: drops after its last one
    # (the queue's non-keyframes at the stop) are in the output's count, not in its gaps.
    check(0 < stream["missingVideoFrames"] <= dropped,
          "the gaps the ingest found are frames the output counted as dropped (%d of %s)" %
          (stream["missingVideoFrames"], dropped))
    check(stream["uniqueVideoFrames"] + dropped == encoded,
          "every encoded video frame arrived or was counted as dropped: nothing vanished in a buffer "
          "(%d + %d of %s)" % (stream["uniqueVideoFrames"], dropped, encoded))
    check_process_figures(stats)


SCENARIOS = {"reset": reset, "stall": stall, "congestion": congestion,
             "stall-no-acks": lambda build_dir, ingest_bin, display: stall(build_dir, ingest_bin, display, acks=False),
             "stall-rtt150": lambda build_dir, ingest_bin, display: stall(build_dir, ingest_bin, display, rtt=150)}


def main():
    scenario, build_dir, ingest_bin = sys.argv[1], sys.argv[2], sys.argv[3]
    if scenario not in SCENARIOS:
        fail("unknown scenario %s (known: %s)" % (scenario, ", ".join(SCENARIOS)))
    with obsharness.xdisplay() as display:
        SCENARIOS[scenario](build_dir, ingest_bin, display)
    print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
