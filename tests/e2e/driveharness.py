"""goaway-drive (the output engine without libobs, fed from an FLV) against goaway-ingest, plus
the misbehaving peers of the fault matrix: a TLS terminator with an untrusted certificate and an
RTMP server that answers with garbage or a huge chunk size. python3 stdlib only; callers are
inside `unshare -n` (loopback only)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ingest", "it"))
from ingest_harness import Ingest, check, fail  # noqa: E402,F401

KEY = "drive-secret-key"


def make_flv(workdir, seconds=10):
    """An H.264 (2 s GOP, 30 fps, no b-frames) + AAC FLV made by ffmpeg; looped by goaway-drive."""
    path = os.path.join(workdir, "source.flv")
    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
           "testsrc=size=320x180:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
           "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-bf", "0", "-b:v", "300k", "-c:a", "aac",
           "-b:a", "64k", "-t", str(seconds), "-f", "flv", path]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        fail("ffmpeg could not make the source FLV: " + r.stderr[-500:])
    return path


class Drive:
    """goaway-drive running in the background; result() waits for it and returns its JSON."""

    def __init__(self, binary, url, flv, seconds, workdir, extra=(), name="drive"):
        self.json_path = os.path.join(workdir, name + ".json")
        self.log_path = os.path.join(workdir, name + ".log")
        self.seconds = seconds
        cmd = [binary, "--url", url, "--key", KEY, "--flv", flv, "--seconds", str(seconds), "--json",
               self.json_path] + list(extra)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log)
        self.started = time.monotonic()

    def result(self, slack=60):
        try:
            self.proc.wait(timeout=self.seconds + slack)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            fail("goaway-drive did not end within %d s of its stream" % slack)
        self.elapsed = time.monotonic() - self.started
        self.log.close()
        if not os.path.exists(self.json_path):
            fail("goaway-drive wrote no result (exit %s); log: %s" % (self.proc.returncode, tail(self.log_path)))
        with open(self.json_path) as f:
            out = json.load(f)
        out["exitCode"] = self.proc.returncode
        if KEY in open(self.log_path).read() or KEY in json.dumps(out):
            fail("the stream key appears in goaway-drive's log or result")
        for name in ("ThreadSanitizer:", "AddressSanitizer:", "runtime error:", "LeakSanitizer:"):
            if name in open(self.log_path).read():
                fail("sanitizer report in goaway-drive's log (%s): %s" % (name, tail(self.log_path, 40)))
        return out

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def tail(path, n=15):
    try:
        return "".join(open(path).readlines()[-n:])
    except OSError:
        return ""


def check_no_leaks(out):
    """Open fds and threads back to where they were before the driver existed."""
    if out["started"]:
        check(out["exitCode"] == 0, "goaway-drive exited 0 (%s)" % out["exitCode"])
    f = out["figures"]
    before, after = f["before"], f["after"]
    print("fds before %s after %s; threads before %s after %s; rss kB before %s after %s" %
          (before["fds"], after["fds"], before["threads"], after["threads"], before["rssKb"], after["rssKb"]),
          flush=True)
    check(after["fds"] == before["fds"], "open fds back to baseline (%s -> %s)" % (before["fds"], after["fds"]))
    check(after["threads"] == before["threads"],
          "no thread left behind (%s -> %s)" % (before["threads"], after["threads"]))


def check_complete(out, stream, allow_duplicates=False):
    print("pushed video %s audio %s; received unique video %s audio %s; missing video %s audio %s; duplicates %s" %
          (out["videoPacketsPushed"], out["audioPacketsPushed"], stream["uniqueVideoFrames"],
           stream["uniqueAudioFrames"], stream["missingVideoFrames"], stream["missingAudioFrames"],
           stream["duplicateFrames"]), flush=True)
    check(out["started"] and not out["fallBack"], "the output streamed without falling back (%r)" % out["fallBack"])
    check(out["droppedFrames"] == 0, "the queue dropped no frame")
    check(stream["missingVideoFrames"] == 0, "0 missing video frames (%d)" % stream["missingVideoFrames"])
    check(stream["missingAudioFrames"] == 0, "0 missing audio frames (%d)" % stream["missingAudioFrames"])
    check(stream["uniqueVideoFrames"] == out["videoPacketsPushed"],
          "every video frame pushed arrived (%d of %d)" % (stream["uniqueVideoFrames"], out["videoPacketsPushed"]))
    if not allow_duplicates:
        check(stream["duplicateFrames"] == 0, "no duplicate frame")


def single_stream(report):
    streams = report.get("streams", [])
    check(len(streams) == 1, "the ingest stitched exactly one stream (got %d)" % len(streams))
    return streams[0]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Stunnel:
    """A TLS terminator in front of `target_port` with a self-signed certificate (untrusted)."""

    def __init__(self, workdir, target_port):
        binary = shutil.which("stunnel4") or shutil.which("stunnel")
        if not binary or not shutil.which("openssl"):
            fail("stunnel and openssl are needed")
        key, cert = os.path.join(workdir, "key.pem"), os.path.join(workdir, "cert.pem")
        r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                            "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                           capture_output=True, timeout=60)
        check(r.returncode == 0, "self-signed certificate made with openssl")
        for _ in range(5):  # stunnel cannot report an ephemeral port: pick one, retry if taken
            self.port = free_port()
            conf = os.path.join(workdir, "stunnel.conf")
            with open(conf, "w") as f:
                f.write("foreground = yes\npid =\ndebug = 5\noutput = %s/stunnel.log\n[rtmps]\naccept = 127.0.0.1:%d\n"
                        "connect = 127.0.0.1:%d\ncert = %s\nkey = %s\n" % (workdir, self.port, target_port, cert, key))
            self.proc = subprocess.Popen([binary, conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return
                except OSError:
                    time.sleep(0.05)  # polling for the listener with a deadline
            self.stop()
        fail("stunnel did not start")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class EvilServer:
    """An RTMP server that misbehaves: "garbage" answers C0+C1 with random bytes; "huge-chunk"
    completes the handshake, announces a 2^31-1 chunk size and a 256 MiB message, then garbage."""

    def __init__(self, mode):
        self.mode = mode
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read(self, conn, n):
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                break
            data += chunk
        return data

    def _serve(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.settimeout(5)
            try:
                c0c1 = self._read(conn, 1537)
                if self.mode == "garbage":
                    conn.sendall(os.urandom(8192))
                else:
                    conn.sendall(b"\x03" + bytes(8) + os.urandom(1528) + c0c1[1:])
                    self._read(conn, 1536)
                    set_chunk = bytes([2]) + bytes(3) + (4).to_bytes(3, "big") + b"\x01" + bytes(4) + \
                        (0x7FFFFFFF).to_bytes(4, "big")
                    huge = bytes([3]) + bytes(3) + (0xFFFFFF).to_bytes(3, "big") + b"\x14" + bytes(4)
                    conn.sendall(set_chunk + huge + os.urandom(4096))
                while conn.recv(65536):
                    pass
            except OSError:
                pass
            finally:
                conn.close()

    def stop(self):
        self.stopping = True
        self.thread.join(5)
        self.sock.close()
