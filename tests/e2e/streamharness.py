"""goaway-stream (real libobs encoders + rtmp_goaway_output or OBS's rtmp_output) against goaway-ingest.

Shared by the e2e tests and the benchmarks. Callers are inside `unshare -n` (loopback only).
"""

import json
import os
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ingest", "it"))
import ingest_harness  # noqa: E402,F401  (re-exported: Ingest, check, fail, ffprobe_counts)
from ingest_harness import Ingest, check, fail  # noqa: E402,F401


def run_stream(build_dir, display, url, seconds, workdir, output="rtmp_goaway_output", key="e2e-secret-key",
               extra=(), timeout_slack=60):
    """Runs goaway-stream to the end; returns its JSON statistics."""
    rundir = os.path.join(build_dir, "rundir", "obs-rtmp-goaway")
    json_path = os.path.join(workdir, "stream-%s.json" % output)
    cmd = [os.path.join(build_dir, "tests", "runner", "goaway-stream"), "--url", url, "--key", key, "--seconds",
           str(seconds), "--output", output, "--plugin-dir", os.path.join(rundir, "bin", "64bit"), "--plugin-data",
           os.path.join(rundir, "data"), "--json", json_path] + list(extra)
    env = dict(os.environ, DISPLAY=display)
    with open(os.path.join(workdir, "stream-%s.log" % output), "w") as log:
        proc = subprocess.run(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=seconds + timeout_slack)
    if not os.path.exists(json_path):
        fail("goaway-stream wrote no statistics (exit %s); see %s" % (proc.returncode, log.name))
    with open(json_path) as f:
        stats = json.load(f)
    if key in open(log.name).read():
        fail("the stream key appears in the output's log")
    return stats


def start_stream(build_dir, display, url, seconds, workdir, output="rtmp_goaway_output", extra=(),
                 key="e2e-secret-key", rtt_ms=0):
    """goaway-stream in the background (stop it with stop_stream); returns (process, statistics path).
    rtt_ms > 0: it runs behind goaway-delayline, a TCP-level delay line (half the RTT each way)."""
    rundir = os.path.join(build_dir, "rundir", "obs-rtmp-goaway")
    json_path = os.path.join(workdir, "stream-%s.json" % output)
    cmd = [os.path.join(build_dir, "tests", "runner", "goaway-stream"), "--url", url, "--key", key, "--seconds",
           str(seconds), "--output", output, "--plugin-dir", os.path.join(rundir, "bin", "64bit"), "--plugin-data",
           os.path.join(rundir, "data"), "--json", json_path] + list(extra)
    if rtt_ms > 0:
        cmd = [os.path.join(build_dir, "tests", "delayline", "goaway-delayline"), "--delay-ms", str(rtt_ms // 2),
               "--"] + cmd
    log = open(os.path.join(workdir, "stream-%s.log" % output), "w")
    proc = subprocess.Popen(cmd, env=dict(os.environ, DISPLAY=display), stdout=log, stderr=subprocess.STDOUT)
    return proc, json_path


def stop_stream(proc, timeout=35):
    """SIGINT: goaway-stream stops its output cleanly and writes its statistics (killed after `timeout`)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def drive_seams(ingest, seams, quiet_frames, frames_per_seam, timeout_s=20):
    """`seams` server signals (the ingest's --signal kind): the first once the stream has carried
    quiet_frames video frames, each next one frames_per_seam frames into the new connection, and
    quiet_frames more after the last, so the stream has ordinary stretches to compare the seams with.
    Paced by the ingest's own frame count (its wait command), never by sleeping."""
    ingest.wait("publishes=1", timeout_s)
    ingest.wait("video=%d" % quiet_frames, timeout_s)
    for k in range(1, seams + 1):
        reply = ingest.control("signal")
        if not reply.startswith("ok") or " sent=0 " in reply:
            fail("signal %d reached no publisher: %s" % (k, reply))
        ingest.wait("publishes=%d" % (k + 1), timeout_s)
        frames = json.loads(ingest.control("stats"))["video"]
        ingest.wait("video=%d" % (frames + (quiet_frames if k == seams else frames_per_seam)), timeout_s)


def single_stream(report):
    streams = report.get("streams", [])
    check(len(streams) == 1, "the ingest stitched exactly one stream (got %d)" % len(streams))
    return streams[0]


def print_cutovers(stream):
    for c in stream.get("cutovers", []):
        print("cutover %s -> %s (%s): dead air %s ms, cutover delay %s ms" %
              (c.get("fromConnection"), c.get("toConnection"), c.get("signal"), c.get("deadAirMs"),
               c.get("cutoverDelayMs")), flush=True)


RUNNER_NAME = "goaway-stream"


def new_threads(before, after):
    """Threads in `after` that were not in `before` ("tid name" each), leaving out Mesa's own worker
    queues: the graphics driver under libobs starts them when it first needs them (the shader disk
    cache: "goaway-:disk$1") and keeps them for the process's life. Mesa names them after the process
    ("<a prefix of goaway-stream>:<queue><n>", 15 characters at most); no thread of the output or of
    libobs is named so."""
    def graphics(entry):
        name = entry.split(" ", 1)[1] if " " in entry else entry
        prefix, colon, _ = name.partition(":")
        return bool(colon) and bool(prefix) and RUNNER_NAME.startswith(prefix)
    extra = sorted(set(after) - set(before))
    ignored = [t for t in extra if graphics(t)]
    if ignored:
        print("not counted: the graphics driver's own threads %s" % ignored, flush=True)
    return [t for t in extra if not graphics(t)]


def check_process_figures(stats):
    """What the output took is given back: every fd open after the stop and release was open
    before the encoders and the output were created (by number and target), and no thread is new
    (by id: libobs' own come and go, a count alone is not stable)."""
    figures = stats.get("figures") or {}
    before, after = figures.get("beforeCreate"), figures.get("afterRelease")
    if not before or not after:
        fail("goaway-stream reported no process figures: %s" % sorted(figures))
    print("fds %s -> %s; threads %s -> %s" % (before["fds"], after["fds"], before["threads"], after["threads"]),
          flush=True)
    new_fds = sorted(set(after["fdList"]) - set(before["fdList"]))
    check(not new_fds, "no fd left behind (new since before the creation: %s)" % new_fds)
    extra = new_threads(before["threadNames"], after["threadNames"])
    check(not extra, "no thread left behind (new since before the creation: %s; waited %s ms for threads to end)"
          % (extra, after.get("threadExitWaitMs")))
