"""RTMPS: goaway-ingest behind a real TLS terminator (stunnel, self-signed certificate made by
openssl at test time); ffmpeg publishes rtmps:// and the stitched stream is complete."""

import os
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_harness import Ingest, check, fail, ffmpeg_publish, ffprobe_counts, ingest_binary  # noqa: E402

SECONDS = 5
stunnel_bin = shutil.which("stunnel4") or shutil.which("stunnel")
if not stunnel_bin or not shutil.which("openssl"):
    print("SKIP: stunnel or openssl missing")
    sys.exit(77)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_stunnel(work, target_port):
    """stunnel cannot report an ephemeral port: pick a free one, retry if it is taken meanwhile."""
    for _ in range(5):
        port = free_port()
        conf = os.path.join(work, "stunnel.conf")
        with open(conf, "w") as f:
            f.write("foreground = yes\npid =\ndebug = 5\noutput = %s/stunnel.log\n[rtmps]\naccept = 127.0.0.1:%d\n"
                    "connect = 127.0.0.1:%d\ncert = %s/cert.pem\nkey = %s/key.pem\n" %
                    (work, port, target_port, work, work))
        proc = subprocess.Popen([stunnel_bin, conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return proc, port
            except OSError:
                time.sleep(0.05)  # polling for the listener with a deadline
        proc.kill()
        proc.wait()
    fail("stunnel did not start")


ing = Ingest(ingest_binary(), ["--listen", "127.0.0.1:0", "--show-stream-names"])
stunnel = None
try:
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", os.path.join(ing.dir, "key.pem"), "-out",
                        os.path.join(ing.dir, "cert.pem")], capture_output=True, timeout=60)
    check(r.returncode == 0, "self-signed certificate made with openssl")
    stunnel, tls_port = start_stunnel(ing.dir, ing.port(0))
    # (stunnel reaches the ingest only after a TLS handshake: the readiness probe never does.)
    # ffmpeg verifies the certificate (explicitly: FFmpeg 5.1 does not by default, 9.0 does), with the
    # self-signed certificate as its only trust anchor.
    ff = ffmpeg_publish("rtmps://127.0.0.1:%d/live/tls" % tls_port, SECONDS, os.path.join(ing.dir, "ffmpeg.log"),
                        ["-tls_verify", "1", "-ca_file", os.path.join(ing.dir, "cert.pem")])
    try:
        rc = ff.wait(timeout=SECONDS + 40)
    except subprocess.TimeoutExpired:
        ff.kill()
        fail("ffmpeg did not finish")
    check(rc == 0, "ffmpeg verified the certificate and published over rtmps:// through stunnel")
    ing.wait("publishes=1 closed=1")
    report = ing.stop()
finally:
    if stunnel and stunnel.poll() is None:
        stunnel.terminate()
        try:
            stunnel.wait(5)
        except subprocess.TimeoutExpired:
            stunnel.kill()
    ing.kill()

conn = [c for c in report["connections"] if c["publishedAtMs"] is not None][0]
check(conn["connect"]["tcUrl"].startswith("rtmps://"), "the client's tcUrl is rtmps:// (%s)" % conn["connect"]["tcUrl"])
stream = report["streams"][0]
check(abs(stream["uniqueVideoFrames"] - SECONDS * 30) <= 1, "%d video frames arrived" % stream["uniqueVideoFrames"])
counts = ffprobe_counts(stream["flv"])
check(abs(counts.get("video", 0) - SECONDS * 30) <= 1, "ffprobe decodes %d video frames" % counts.get("video", 0))
