#!/usr/bin/env python3
"""Fault suite (e2e): real libobs (goaway-stream: x264 + AAC through rtmp_goaway_output) against
goaway-ingest in one hostile profile (tests/ingest/README.md, "Hostile profiles"): malformed,
oversized, mistyped or invalid-UTF-8 messages, floods and stalls, at every phase of the session.

Whatever the server does, the output must:
- never take the process down: goaway-stream exits 0 or 1 (a clean stop with an error), never on a
  signal, never hangs past its deadline;
- either ride through (kept streaming, every frame it encoded arrived: 0 missing) or stop with a
  clear last_error (non-empty, valid UTF-8, one printable line of bounded length), as the
  profile's expectation says;
- give back what it took: open fds and threads after the stop and release equal to before the
  encoders and the output were created; peak memory bounded;
- never leak the stream key: not in goaway-stream's stdout/stderr (libobs log), its statistics
  and handoff records, nor the ingest's log or report;
- never pass the server's bytes raw to the log: it stays valid UTF-8 without escape sequences.

usage: test_hostile.py PROFILE BUILD_DIR INGEST_BINARY
"""

import json
import os
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402
from streamharness import Ingest, check, fail, new_threads  # noqa: E402

KEY = "hostile-e2e-key-51f0c3"
# Stream length for profiles a good client rides through: the mid-stream faults fire 2 s after the
# publish (flood-control from 1 s to 3 s, stall-mid-stream until 5 s), with room to recover after.
RIDE_SECONDS = 8
# Profiles that end the session: the output must have stopped (or be retrying with a clear error)
# by then. handshake-trickle's server only hangs up after 25 s: a client must give up by itself
# first (the plugin's I/O deadline is 10 s).
STOP_SECONDS = 14
TRICKLE_SECONDS = 28
# Peak resident memory of the whole goaway-stream process (libobs, OpenGL, x264 at 640x360): a
# normal run peaks at about 300 MB; a client that buffers what a hostile server announces (16 MiB
# messages, 1 MiB descriptions, floods) may add a few tens of MB, not hundreds.
PEAK_RSS_LIMIT_KB = 600 * 1024
# A last_error is a sentence for a human, not a server's 1 MiB description.
LAST_ERROR_MAX_CHARS = 512

# profile: expectation (same table as tests/ingest/HostileProfile.cpp and the README)
PROFILES = {
    "handshake-trickle": "stop",
    "handshake-garbage": "either",
    "connect-result-mistyped": "either",
    "connect-error-utf8": "stop",
    "createstream-bad": "either",
    "publish-status-utf8": "ride-through",
    "mistyped-onstatus": "ride-through",
    "midstream-utf8": "ride-through",
    "flood-control": "ride-through",
    "huge-length": "either",
    "deep-amf": "either",
    "goaway-then-garbage": "ride-through",
    "stall-mid-stream": "ride-through",
}

# What the ingest logs when it has done the profile's misbehaviour (proof the fault was applied).
APPLIED = {
    "handshake-trickle": "hostile handshake-trickle",
    "handshake-garbage": "hostile handshake-garbage",
    "connect-result-mistyped": "hostile connect-result-mistyped",
    "connect-error-utf8": "hostile connect-error-utf8",
    "createstream-bad": "hostile createstream-bad",
    "publish-status-utf8": "hostile publish-status-utf8",
    "mistyped-onstatus": "hostile mistyped-onstatus",
    "midstream-utf8": "hostile midstream-utf8",
    "flood-control": "hostile flood-control over",
    "huge-length": "hostile huge-length",
    "deep-amf": "hostile deep-amf",
    "goaway-then-garbage": "hostile goaway-then-garbage: Go Away",
    "stall-mid-stream": "hostile stall-mid-stream over",
}


def tail(path, n=25):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


# stall-mid-stream pauses every connection for 3 s: a pause shorter than the output's dead-path
# window is ridden through on the same connection, which is what this profile checks (leaving a
# stalled connection after the window is e2e.stream.no-signal-stall's).
DEAD_PATH_WINDOW_MS = {"stall-mid-stream": 5000}


def run_stream(build_dir, display, url, seconds, workdir, extra=()):
    """goaway-stream to its end: (return code, statistics or None, log path)."""
    rundir = os.path.join(build_dir, "rundir", "obs-rtmp-goaway")
    json_path = os.path.join(workdir, "stream.json")
    log_path = os.path.join(workdir, "stream.log")
    cmd = [os.path.join(build_dir, "tests", "runner", "goaway-stream"), "--url", url, "--key", KEY,
           "--seconds", str(seconds), "--size", "640x360", "--output", "rtmp_goaway_output",
           "--plugin-dir", os.path.join(rundir, "bin", "64bit"), "--plugin-data", os.path.join(rundir, "data"),
           "--json", json_path] + list(extra)
    env = dict(os.environ, DISPLAY=display)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            # Streaming time + libobs start-up and shut-down + the output's 20 s stop bound.
            rc = proc.wait(timeout=seconds + 45)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            fail("goaway-stream hung: still running %d s after its %d s stream; log tail:\n%s" %
                 (seconds + 45, seconds, tail(log_path)))
    stats = None
    if os.path.exists(json_path):
        with open(json_path) as f:
            stats = json.load(f)
    return rc, stats, log_path


def check_survived(rc, stats, log_path):
    if rc < 0:
        fail("goaway-stream was killed by %s; log tail:\n%s" % (signal.Signals(-rc).name, tail(log_path)))
    check(rc in (0, 1), "goaway-stream exited normally (code %d)" % rc)
    if stats is None:
        fail("goaway-stream wrote no statistics (exit %d); log tail:\n%s" % (rc, tail(log_path)))
    check(not stats.get("error"), "goaway-stream ran: %s" % stats.get("error", "ok"))


def check_clear_error(stats):
    err = stats.get("lastError") or ""
    print("last_error: %r" % err, flush=True)
    check(err.strip() != "", "the output gave a last_error")
    check(stats.get("lastErrorValidUtf8") is True, "the last_error is valid UTF-8")
    check(len(err) <= LAST_ERROR_MAX_CHARS, "the last_error is a sentence, not a dump (%d chars)" % len(err))
    check(all(c.isprintable() for c in err), "the last_error is one printable line (no control characters)")
    check(any(c.isalpha() for c in err), "the last_error has words in it")


def check_rode_through(stats, report):
    final = stats.get("finalStats") or {}
    check(stats.get("stoppedByItself") is False,
          "the output kept streaming to the end (last error: %r)" % stats.get("lastError"))
    streams = report.get("streams", [])
    check(len(streams) == 1, "the ingest stitched exactly one stream (%d)" % len(streams))
    stream = streams[0]
    encoded = final.get("videoPacketsEncoded", -1) - final.get("videoPacketsAfterStop", 0)
    print("encoded video %s; received unique video %s audio %s; missing video %s audio %s; dropped %s" %
          (encoded, stream["uniqueVideoFrames"], stream["uniqueAudioFrames"], stream["missingVideoFrames"],
           stream["missingAudioFrames"], final.get("droppedFrames")), flush=True)
    check(stream["missingVideoFrames"] == 0, "0 missing video frames (%d)" % stream["missingVideoFrames"])
    check(stream["missingAudioFrames"] == 0, "0 missing audio frames (%d)" % stream["missingAudioFrames"])
    check(stream["uniqueVideoFrames"] == encoded,
          "every encoded video frame arrived (%d of %s)" % (stream["uniqueVideoFrames"], encoded))


def check_figures(stats):
    figures = stats.get("figures") or {}
    # Before the encoders and the output were created, and after they were stopped and released.
    before, after = figures.get("beforeCreate"), figures.get("afterRelease")
    if not before or not after:
        fail("goaway-stream reported no process figures: %s" % sorted(figures))
    print("fds %s -> %s; threads %s -> %s; rss kB %s -> %s; peak rss kB %s" %
          (before["fds"], after["fds"], before["threads"], after["threads"], before["rssKb"], after["rssKb"],
           after["peakRssKb"]), flush=True)
    # fds by number and target, threads by id: libobs' own come and go (a count alone is not
    # stable); everything open after the release must have been open before the creation.
    new_fds = sorted(set(after["fdList"]) - set(before["fdList"]))
    check(not new_fds, "no fd left behind (new since before the creation: %s)" % new_fds)
    extra = new_threads(before["threadNames"], after["threadNames"])
    check(not extra, "no thread left behind (new since before the creation: %s; waited %s ms for threads to end)"
          % (extra, after.get("threadExitWaitMs")))
    check(after["peakRssKb"] < PEAK_RSS_LIMIT_KB,
          "peak memory bounded (%d kB < %d kB)" % (after["peakRssKb"], PEAK_RSS_LIMIT_KB))


def check_log_is_clean_text(log_path):
    """The server's bytes never reach the log raw: the log is UTF-8 and has no terminal escape,
    NUL or BEL (the profiles' invalid text carries all of them; libobs and x264 write none)."""
    with open(log_path, "rb") as f:
        data = f.read()
    try:
        data.decode("utf-8")
        valid = True
    except UnicodeDecodeError as e:
        valid = False
        print("invalid UTF-8 in the log near: %r" % data[max(0, e.start - 80):e.start + 20], flush=True)
    raw = [c for c in (b"\x1b", b"\x00", b"\x07") if c in data]
    for c in raw:
        at = data.find(c)
        print("control byte %r in the log near: %r" % (c, data[max(0, at - 80):at + 20]), flush=True)
    check(valid and not raw, "the output's log is clean text (valid UTF-8, no escape / NUL / BEL from the server)")


def check_no_key(paths):
    for path in paths:
        if not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            check(KEY.encode() not in f.read(), "the stream key appears nowhere in %s" % os.path.basename(path))


def main():
    profile, build_dir, ingest_bin = sys.argv[1], sys.argv[2], sys.argv[3]
    expectation = PROFILES[profile]
    seconds = TRICKLE_SECONDS if profile == "handshake-trickle" else STOP_SECONDS if expectation == "stop" \
        else RIDE_SECONDS
    workdir = tempfile.mkdtemp(prefix="goaway-hostile-%s-" % profile)
    print("hostile profile %s (expected: %s), work dir %s" % (profile, expectation, workdir), flush=True)
    with Ingest(ingest_bin, ["--listen", "127.0.0.1:0", "--hostile", profile], workdir) as ingest:
        url = "rtmp://127.0.0.1:%d/live" % ingest.port(0)
        with obsharness.xdisplay() as display:
            window = DEAD_PATH_WINDOW_MS.get(profile)
            extra = ["--set", "dead_path_window_ms=%d" % window] if window else []
            rc, stats, log_path = run_stream(build_dir, display, url, seconds, workdir, extra)
        report = ingest.stop()  # the ingest survived its own profile and wrote its report
    with open(os.path.join(workdir, "ingest-report.json"), "w") as f:
        json.dump(report, f)
    check_survived(rc, stats, log_path)
    ingest_log = os.path.join(workdir, "ingest.log")
    check(APPLIED[profile] in open(ingest_log, errors="replace").read(),
          "the ingest applied the profile (%r in its log)" % APPLIED[profile])
    started = stats.get("finalStats") is not None
    handoffs = stats.get("handoffs")
    print("stopped by itself: %s, stop code %s, reconnects %s, handoffs %s" %
          (stats.get("stoppedByItself"), stats.get("stopCode"), stats.get("reconnects"),
           [(h.get("trigger"), h.get("result"), h.get("reason")) for h in handoffs or []]), flush=True)
    if started:
        check(isinstance(handoffs, list), "the handoff records are a JSON list")
        check(isinstance(stats.get("state"), dict), "the state is a JSON object")
    stopped = stats.get("stoppedByItself") is True
    # A client whose session died mid-stream may be in libobs' reconnect loop at the end: that too
    # must carry a clear error.
    retrying = not stopped and (stats.get("reconnects") or 0) > 0 and (stats.get("lastError") or "") != ""
    if expectation == "ride-through":
        check_rode_through(stats, report)
    elif expectation == "stop":
        check(stopped or retrying, "the output stopped (or is retrying) instead of hanging (last error: %r)" %
              stats.get("lastError"))
        check_clear_error(stats)
        # The server never ends these sessions first (trickle: only after 25 s; connect-error: 5 s
        # after its _error): a client that waited for it to hang up would hang on a worse server.
        reasons = [c.get("closeReason") for c in report["connections"]]
        check(reasons and all(r == "client closed" for r in reasons),
              "the client gave up by itself, the server did not have to hang up (%s)" % reasons)
    elif stopped or retrying:
        check_clear_error(stats)
    else:
        check_rode_through(stats, report)
    check_figures(stats)
    check_log_is_clean_text(log_path)
    check_no_key([log_path, os.path.join(workdir, "stream.json"), ingest_log,
                  os.path.join(workdir, "ingest-report.json")])
    print("PASS %s" % profile, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
