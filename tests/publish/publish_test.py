#!/usr/bin/env python3
"""Integration tests of goaway-publish (and through it RtmpSession + librtmp's handshake).

Run by ctest inside `unshare -n` (loopback only). Every server is bounded in time and killed at the
end; readiness comes from goaway-ingest's ready file or a successful TCP connect, never a sleep.

  publish_test.py ingest  --publish BIN --ingest BIN --signal goaway|reconnect [--tcurl FORM] [--mode M]
  publish_test.py nginx   --publish BIN
  publish_test.py rtmps   --publish BIN --ingest BIN
  publish_test.py mux     --mux-check BIN --codec h264|hevc|av1   (plugin/flv against FFmpeg)
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from nginxrtmp import NginxRtmp  # noqa: E402

FPS = 30
KEYINT = 60
KEY = "testkey-do-not-log-42"


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print("ok: " + message)


def make_input(workdir, seconds):
    """A real H.264 + AAC FLV: moving test pattern, a tone, a keyframe every 2 s."""
    path = os.path.join(workdir, "input.flv")
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                    "-f", "lavfi", "-i", "testsrc=size=320x240:rate=%d" % FPS,
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", str(KEYINT),
                    "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k", "-f", "flv", path],
                   check=True, timeout=120)
    return path


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)  # polling a readiness condition, bounded by `timeout`
    fail("timed out waiting for " + what)


def port_accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Ingest:
    def __init__(self, binary, workdir, nodes, extra):
        self.ready = os.path.join(workdir, "ready.json")
        self.report = os.path.join(workdir, "report.json")
        args = [binary]
        for _ in range(nodes):
            args += ["--listen", "127.0.0.1:0"]
        args += ["--ready-file", self.ready, "--report", self.report, "--duration", "120s"] + extra
        self.log = open(os.path.join(workdir, "ingest.log"), "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: os.path.exists(self.ready) and os.path.getsize(self.ready) > 0
                 or self.proc.poll() is not None, 20, "goaway-ingest's ready file")
        if self.proc.poll() is not None:
            fail("goaway-ingest exited early, see " + self.log.name)
        with open(self.ready) as f:
            self.nodes = json.load(f)["nodes"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        with open(self.report) as f:
            return json.load(f)


def publish(binary, flv, url, workdir, extra=(), timeout=120):
    summary = os.path.join(workdir, "summary-%d.json" % time.monotonic_ns())
    proc = subprocess.run([binary, *extra, "--summary", summary, flv, url],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    sys.stderr.write(proc.stderr)
    with open(summary) as f:
        result = json.load(f)
    check(KEY not in proc.stdout and KEY not in proc.stderr, "the stream key appears in no output of goaway-publish")
    return proc.returncode, result, proc.stderr


def test_ingest(args, workdir, flv=None, fourcc=None):
    seconds = args.seconds
    if flv is None:
        flv = make_input(workdir, seconds)
    extra = ["--signal", args.signal, "--goaway-every", args.every]
    nodes = 1
    if args.signal == "reconnect":
        nodes = 2
        extra += ["--reconnect-tcurl", args.tcurl]
    ingest = Ingest(args.ingest, workdir, nodes, extra)
    try:
        url = "rtmp://127.0.0.1:%d/live/%s" % (ingest.nodes[0]["port"], KEY)
        rc, summary, _ = publish(args.publish, flv, url, workdir,
                                 ["--mode", args.mode, "--loop", str(args.loop), "--speed", str(args.speed)])
    finally:
        report = ingest.stop()
    print(json.dumps(summary["handoffs"], indent=1))
    print(report.get("summary"))
    check(rc == 0 and summary["ok"], "goaway-publish streamed to the end")
    check(summary["handoffCount"] >= 2, "at least 2 handoffs (%d)" % summary["handoffCount"])
    if args.loop == 1:
        check(summary["videoFrames"] == seconds * FPS, "every video frame of the file was sent (%d)" % summary["videoFrames"])
    else:
        check(summary["videoFrames"] >= (seconds * FPS - 1) * args.loop,
              "every pass of the looped file was sent (%d video frames)" % summary["videoFrames"])
    streams = report["streams"]
    check(len(streams) == 1, "the ingest stitched one stream")
    s = streams[0]
    check(s["missingVideoFrames"] == 0 and s["missingAudioFrames"] == 0, "0 missing frames")
    check(s["duplicateFrames"] == 0, "0 duplicate frames")
    check(s["uniqueVideoFrames"] == summary["videoFrames"], "unique video frames received == frames sent")
    check(s["uniqueAudioFrames"] == summary["audioFrames"], "unique audio frames received == frames sent")
    conns = [c for c in report["connections"] if c["publishedAtMs"] is not None]
    check(len(conns) == summary["handoffCount"] + 1, "one publishing connection per handoff + 1")
    for c in conns:
        check(c["firstMedia"]["ok"], "connection %d starts with metadata + headers + keyframe" % c["id"])
        check(c["connect"]["supportsGoAway"] and c["connect"]["supportsGoAwayType"] == "boolean",
              "connection %d announced supportsGoAway as an AMF0 boolean" % c["id"])
        check(c["connect"]["capsEx"] == 1, "connection %d announced capsEx 1" % c["id"])
        if fourcc:
            check(c["connect"]["fourCcList"] == [fourcc], "connection %d announced fourCcList [%s]" % (c["id"], fourcc))
        kinds = [x["kind"] for x in c["signalsSent"]]
        if c is conns[-1]:
            continue  # signalled too close to the end for a keyframe to follow: ends the stream gracefully
        if "goaway" in kinds:
            check(not c["fcUnpublish"] and not c["deleteStream"],
                  "Go Away'd connection %d saw no FCUnpublish / deleteStream" % c["id"])
        elif "reconnect" in kinds:
            check(c["fcUnpublish"] and c["deleteStream"], "ReconnectRequest'd connection %d closed gracefully" % c["id"])
    if args.signal == "reconnect" and args.tcurl in ("absolute", "scheme-relative"):
        used = {c["node"] for c in conns}
        check(len(used) == 2, "the ReconnectRequest tcUrl moved the stream between nodes (%s)" % sorted(used))
    check(conns[-1]["fcUnpublish"] and conns[-1]["deleteStream"], "the last connection ended gracefully")


def test_nginx(args, workdir):
    seconds = 10
    flv = make_input(workdir, seconds)
    with NginxRtmp(workdir, record=True) as nginx:
        rc, summary, _ = publish(args.publish, flv, "rtmp://127.0.0.1:%d/live/%s" % (nginx.port, KEY), workdir)
    check(rc == 0 and summary["ok"], "goaway-publish streamed to nginx-rtmp")
    recording = os.path.join(workdir, "rec", KEY + ".flv")
    check(os.path.exists(recording), "nginx-rtmp recorded the stream")
    probe = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                            "-show_entries", "stream=codec_name,nb_read_frames,width,height", "-of", "json",
                            recording], stdout=subprocess.PIPE, text=True, timeout=60, check=True)
    stream = json.loads(probe.stdout)["streams"][0]
    print(stream)
    check(stream["codec_name"] == "h264" and stream["width"] == 320, "ffprobe reads H.264 320x240")
    check(int(stream["nb_read_frames"]) == seconds * FPS,
          "ffprobe decodes every frame (%s of %d)" % (stream["nb_read_frames"], seconds * FPS))
    audio = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "a:0",
                            "-show_entries", "stream=codec_name,nb_read_frames", "-of", "json", recording],
                           stdout=subprocess.PIPE, text=True, timeout=60, check=True)
    astream = json.loads(audio.stdout)["streams"][0]
    check(astream["codec_name"] == "aac" and int(astream["nb_read_frames"]) == summary["audioFrames"],
          "ffprobe decodes every AAC frame (%s of %d)" % (astream["nb_read_frames"], summary["audioFrames"]))


def test_rtmps(args, workdir):
    seconds = 6
    flv = make_input(workdir, seconds)
    cert = os.path.join(workdir, "cert.pem")
    key = os.path.join(workdir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, timeout=60, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ingest = Ingest(args.ingest, workdir, 1, ["--goaway-every", "2s"])
    tls_port = free_port()
    conf = os.path.join(workdir, "stunnel.conf")
    with open(conf, "w") as f:
        f.write("foreground = yes\npid =\noutput = %s/stunnel.log\n[rtmps]\naccept = 127.0.0.1:%d\n"
                "connect = 127.0.0.1:%d\ncert = %s\nkey = %s\n" % (workdir, tls_port, ingest.nodes[0]["port"], cert, key))
    stunnel = subprocess.Popen(["stunnel4", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: port_accepts(tls_port) or stunnel.poll() is not None, 20, "stunnel to listen")
        check(stunnel.poll() is None, "stunnel is running")
        url = "rtmps://localhost:%d/live/%s" % (tls_port, KEY)
        rc, summary, stderr = publish(args.publish, flv, url, workdir, ["--io-timeout-ms", "5000"])
        check(rc == 1 and not summary["ok"], "a self-signed certificate is refused by default")
        check("localhost" in summary["error"] and "certificate" in summary["error"],
              "the error names the host and the certificate: " + summary["error"])
        rc, summary, _ = publish(args.publish, flv, url, workdir, ["--allow-self-signed"])
        check(rc == 0 and summary["ok"], "accepted with --allow-self-signed")
        check(all(c["timings"]["tlsMs"] >= 0 for c in summary["connections"]), "every connection did a TLS handshake")
        check(summary["handoffCount"] >= 1, "a Go Away handoff happened over RTMPS (%d)" % summary["handoffCount"])
    finally:
        stunnel.terminate()
        try:
            stunnel.wait(timeout=10)
        except subprocess.TimeoutExpired:
            stunnel.kill()
        report = ingest.stop()
    s = report["streams"][0]
    check(s["uniqueVideoFrames"] == summary["videoFrames"] and s["missingVideoFrames"] == 0,
          "every frame went through librtmp's handshake + our TLS session to the ingest (%d)" % s["uniqueVideoFrames"])


ENCODERS = {
    "h264": (["-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "high", "-bf", "0", "-g", "30",
              "-bsf:v", "h264_metadata=aud=insert", "-f", "h264"], "h264"),
    "hevc": (["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "bframes=0:keyint=30:log-level=error",
              "-bsf:v", "hevc_metadata=aud=insert", "-f", "hevc"], "hevc"),
    "av1": (["-c:v", "libaom-av1", "-cpu-used", "8", "-row-mt", "1", "-g", "30", "-f", "obu"], "av1"),
}


def ffmpeg_reads_enhanced_flv():
    """FFmpeg 6.1 added E-RTMP (hvc1 / av01) to its FLV demuxer."""
    out = subprocess.run(["ffmpeg", "-version"], stdout=subprocess.PIPE, text=True).stdout.split()
    try:
        major, minor = (int(x) for x in out[2].split(".")[:2])
    except (IndexError, ValueError):
        return True
    return (major, minor) >= (6, 1)


def test_mux(args, workdir):
    seconds, frames = 3, 3 * FPS
    if args.codec != "h264" and not ffmpeg_reads_enhanced_flv():
        print("SKIP: this FFmpeg cannot read E-RTMP FLV (needs 6.1+)")
        sys.exit(77)
    encoder, name = ENCODERS[args.codec]
    raw = os.path.join(workdir, "in." + args.codec)
    flv = os.path.join(workdir, "out.flv")
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi",
                    "-i", "testsrc=size=320x240:rate=%d" % FPS, "-t", str(seconds), "-pix_fmt", "yuv420p",
                    *encoder, raw], check=True, timeout=150)
    run = subprocess.run([args.mux_check, args.codec, raw, flv, str(FPS)], stdout=subprocess.PIPE, text=True, timeout=60)
    check(run.returncode == 0, "goaway-flv-mux-check muxed the %s stream" % args.codec)
    check(int(run.stdout.strip()) == frames, "the encoder gave %d access units" % frames)
    probe = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                            "stream=codec_name,width,height,nb_read_frames", "-of", "json", flv],
                           stdout=subprocess.PIPE, text=True, timeout=60, check=True)
    stream = json.loads(probe.stdout)["streams"][0]
    print(stream)
    check(stream["codec_name"] == name, "FFmpeg reads the FLV as %s" % name)
    check((stream["width"], stream["height"]) == (320, 240), "FFmpeg reads 320x240 from the sequence header")
    check(int(stream["nb_read_frames"]) == frames, "FFmpeg decodes all %d frames (%s)" % (frames, stream["nb_read_frames"]))
    decode = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", flv, "-f", "null", "-"],
                            stderr=subprocess.PIPE, text=True, timeout=120)
    check(decode.returncode == 0 and decode.stderr.strip() == "", "decoding reports no error: " + decode.stderr.strip()[:300])


def test_enhanced(args, workdir):
    """HEVC / AV1 through E-RTMP end to end: real encoder → FlvMuxer (goaway-flv-mux-check) →
    goaway-publish (E-RTMP connect fields, extended video headers) → goaway-ingest with Go Away."""
    encoder, _ = ENCODERS[args.codec]
    encoder = [("60" if x == "30" else x) for x in encoder]  # keyint 2 s
    encoder = [x.replace("keyint=30", "keyint=60") for x in encoder]
    raw = os.path.join(workdir, "in." + args.codec)
    flv = os.path.join(workdir, "enhanced.flv")
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi",
                    "-i", "testsrc=size=320x240:rate=%d" % FPS, "-t", str(args.seconds), "-pix_fmt", "yuv420p",
                    *encoder, raw], check=True, timeout=150)
    run = subprocess.run([args.mux_check, args.codec, raw, flv, str(FPS)], stdout=subprocess.PIPE, text=True, timeout=60)
    check(run.returncode == 0 and int(run.stdout) == args.seconds * FPS, "muxed %s frames" % run.stdout.strip())
    test_ingest(args, workdir, flv, {"hevc": "hvc1", "av1": "av01"}[args.codec])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("suite", choices=["ingest", "nginx", "rtmps", "mux", "enhanced"])
    parser.add_argument("--publish")
    parser.add_argument("--mux-check")
    parser.add_argument("--codec", default="h264")
    parser.add_argument("--ingest")
    parser.add_argument("--signal", default="goaway")
    parser.add_argument("--tcurl", default="absolute")
    parser.add_argument("--mode", default="break-before-make")
    parser.add_argument("--seconds", type=int, default=14)
    parser.add_argument("--every", default="4s")
    parser.add_argument("--loop", type=int, default=1)
    parser.add_argument("--speed", type=float, default=1)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="goaway-publish-%s-" % args.suite)
    try:
        {"ingest": test_ingest, "nginx": test_nginx, "rtmps": test_rtmps, "mux": test_mux,
         "enhanced": test_enhanced}[args.suite](args, workdir)
    except SystemExit:
        print("work files kept in " + workdir, file=sys.stderr)
        raise
    shutil.rmtree(workdir, ignore_errors=True)
    print("PASS")


if __name__ == "__main__":
    main()
