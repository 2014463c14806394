"""reset-after against the project's own publisher (goaway-publish: RtmpSession, a real H.264/AAC
FLV in real time): the node resets it mid-GOP twice without a signal; the publisher sees its
connection lost each time and comes back on a new one; the ingest's fault records and the stitched
stream tell the same story (goaway-publish resumes at the next keyframe without replaying, so the
frames in between are missing at the ingest and skipped at the client).

usage: it_publish_reset.py GOAWAY_INGEST GOAWAY_PUBLISH"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_harness import Ingest, check, fail, ingest_binary  # noqa: E402

FPS = 30
KEYINT = 30  # frames: a keyframe every second
SECONDS = 5
RESETS = 2

if len(sys.argv) < 3:
    fail("usage: %s GOAWAY_INGEST GOAWAY_PUBLISH" % sys.argv[0])
publish_bin = sys.argv[2]
ing = Ingest(ingest_binary(), ["--listen", "127.0.0.1:0,reset-after=1500ms,faults=%d" % RESETS])
try:
    flv = os.path.join(ing.dir, "input.flv")
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                    "-f", "lavfi", "-i", "testsrc=size=320x240:rate=%d" % FPS,
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-t", str(SECONDS), "-c:v", "libx264", "-preset", "ultrafast", "-g", str(KEYINT),
                    "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "flv", flv], check=True, timeout=120)
    summary_path = os.path.join(ing.dir, "publish.json")
    with open(os.path.join(ing.dir, "publish.log"), "w") as log:
        proc = subprocess.run([publish_bin, "--summary", summary_path, flv,
                               "rtmp://127.0.0.1:%d/live/reset-key" % ing.port(0)],
                              stdout=subprocess.DEVNULL, stderr=log, timeout=SECONDS + 60)
    with open(summary_path) as f:
        client = json.load(f)
    report = ing.stop()
finally:
    ing.kill()

lost = [h for h in client["handoffs"] if h["trigger"] == "connection-lost"]
faults = [f for c in report["connections"] for f in c["faults"]]
published = [c for c in report["connections"] if c.get("publishedAtMs") is not None]
stream = report["streams"][0]
read_video = sum(c["videoFrames"] for c in published)
print("client: ok %s, video sent %d, audio sent %d, skipped %d, handoffs %s" %
      (client["ok"], client["videoFrames"], client["audioFrames"], client["framesSkipped"],
       [h["trigger"] for h in client["handoffs"]]),
      flush=True)
print("ingest: faults %s; video read %d; missing video %d audio %d" %
      ([(f["cause"], f["videoFramesRead"], f["audioFramesRead"]) for f in faults], read_video,
       stream["missingVideoFrames"], stream["missingAudioFrames"]), flush=True)
check(proc.returncode == 0 and client["ok"], "goaway-publish streamed to the end (exit %d)" % proc.returncode)
check(len(faults) == RESETS and all(f["kind"] == "reset" and f["cause"] == "reset-after" for f in faults),
      "the node reset the publisher %d times, no signal" % RESETS)
check(len(lost) == RESETS, "goaway-publish saw its connection lost %d times (%d)" % (RESETS, len(lost)))
check(len(published) == RESETS + 1 and all(c["firstMedia"]["ok"] for c in published),
      "each new connection started with metadata, sequence headers and a keyframe")
check([c["closeReason"] for c in published[:-1]] == ["server reset (node fault)"] * RESETS,
      "the reset connections' close reason")
check(all(c["faults"][0]["videoFramesRead"] == c["videoFrames"] for c in published[:-1]),
      "each fault record holds what the connection had read when it was reset")
read_audio = sum(c["audioFrames"] for c in published)
unread = client["videoFrames"] + client["audioFrames"] - read_video - read_audio
missing = stream["missingVideoFrames"] + stream["missingAudioFrames"]
check(read_video <= client["videoFrames"] and read_audio <= client["audioFrames"] and unread >= RESETS,
      "the ingest read no more than the client sent: %d frames written into the socket were never read (at least "
      "the frame each reset came at)" % unread)
check(client["framesSkipped"] > 0 and missing == client["framesSkipped"] + unread,
      "the ingest's missing frames (%d) = the client's skipped frames (%d) + frames sent but never read (%d)" %
      (missing, client["framesSkipped"], unread))
check(all(c["signal"] == "none" for c in stream["cutovers"]), "no cutover followed a signal")
