"""Starts goaway-ingest for a test, talks to its control endpoint, and cleans up (python3 stdlib)."""

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

READY_TIMEOUT = 10.0
_work_dirs = []
_failed = []


def _cleanup():
    # Work directories (logs, report, FLV) stay after a failure, or with GOAWAY_KEEP_TEST_DIRS=1.
    if _failed or os.environ.get("GOAWAY_KEEP_TEST_DIRS") == "1":
        for d in _work_dirs:
            print("kept: " + d, flush=True)
        return
    for d in _work_dirs:
        shutil.rmtree(d, ignore_errors=True)


atexit.register(_cleanup)
_default_excepthook = sys.excepthook


def _excepthook(kind, value, tb):
    _failed.append(repr(value))
    _default_excepthook(kind, value, tb)


sys.excepthook = _excepthook


def fail(msg):
    _failed.append(msg)
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    print("ok: " + msg, flush=True)


class Ingest:
    def __init__(self, binary, args, workdir=None):
        self.dir = workdir or tempfile.mkdtemp(prefix="goaway-ingest-it-")
        _work_dirs.append(self.dir)
        self.ready_path = os.path.join(self.dir, "ready.json")
        self.report_path = os.path.join(self.dir, "report.json")
        cmd = [binary, "--ready-file", self.ready_path, "--report", self.report_path, "--control", "127.0.0.1:0",
               "--flv-dir", self.dir] + args
        self.log = open(os.path.join(self.dir, "ingest.log"), "w")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, text=True)
        deadline = time.monotonic() + READY_TIMEOUT
        while not os.path.exists(self.ready_path):
            if self.proc.poll() is not None:
                fail("goaway-ingest exited early: " + open(os.path.join(self.dir, "ingest.log")).read())
            if time.monotonic() > deadline:
                self.kill()
                fail("goaway-ingest did not write its ready file")
            time.sleep(0.02)  # polling a file with a bounded deadline, not synchronisation by sleep
        with open(self.ready_path) as f:
            self.ready = json.load(f)
        self.ctl = socket.create_connection(("127.0.0.1", self.ready["control"]["port"]), timeout=60)
        self.ctl_file = self.ctl.makefile("r")

    def port(self, i=0):
        return self.ready["nodes"][i]["port"]

    def control(self, line):
        self.ctl.sendall((line + "\n").encode())
        reply = self.ctl_file.readline().strip()
        print("control> %s -> %s" % (line, reply[:200]), flush=True)
        return reply

    def wait(self, condition, timeout=30):
        reply = self.control("wait %s timeout=%d" % (condition, timeout))
        if reply != "ok":
            fail("wait %s: %s" % (condition, reply))

    def stop(self, timeout=15):
        """SIGTERM, then the report and the summary line."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            fail("goaway-ingest did not stop on SIGTERM")
        check(self.proc.returncode == 0, "goaway-ingest exits 0 on SIGTERM")
        summary = [l for l in out.splitlines() if l.startswith("goaway-ingest: streams=")]
        check(len(summary) == 1, "one summary line on stdout: " + (summary[0] if summary else out))
        with open(self.report_path) as f:
            return json.load(f)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        """A test that failed before stop() leaves no ingest behind; after stop() this does nothing."""
        self.kill()


def ingest_binary():
    if len(sys.argv) < 2:
        fail("usage: %s PATH/TO/goaway-ingest" % sys.argv[0])
    return sys.argv[1]


def ffprobe_counts(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-show_entries",
                          "stream=codec_type,nb_read_frames", "-of", "json", path],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        fail("ffprobe failed on %s: %s" % (path, out.stderr))
    counts = {}
    for s in json.loads(out.stdout)["streams"]:
        counts[s["codec_type"]] = int(s.get("nb_read_frames", 0))
    return counts


def ffmpeg_publish(url, seconds, log_path, output_options=()):
    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning", "-re",
           "-f", "lavfi", "-i", "testsrc=size=640x360:rate=30", "-f", "lavfi", "-i", "sine",
           "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-c:a", "aac", "-t", str(seconds), "-f", "flv"]
    cmd += list(output_options) + [url]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(log_path, "w"))
