#!/usr/bin/env python3
"""E2E: "Start and stop together with OBS's main stream" in real OBS (32.x in sid, 30.x in trixie).

OBS's main stream (stock rtmp_output, rtmp_custom service) and the dock's output both publish to a
two-node goaway-ingest under different keys. The main stream is started and stopped through
obs-websocket's StartStream / StopStream (the main button's code path); the dock's output must
follow it on the main stream's encoders (one encode, two destinations: the video packets of the
dock's stream are a contiguous run of the main stream's, byte sizes equal), keep streaming while the
scene collection is switched, hand off on a Go Away with 0 frames lost, and stop with the main
stream.

usage: test_obs_follow_main.py PLUGIN_DIR INGEST_BINARY OUT_DIR
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402
from obsws import free_port  # noqa: E402
from streamharness import Ingest, check, fail  # noqa: E402

VENDOR = "obs-rtmp-goaway"
MAIN_KEY = "e2e-follow-main-key"
DOCK_KEY = "e2e-follow-dock-key"


def video_sizes(flv):
    """The video packets of an FLV (ffprobe), in order: their size, or "K" for a keyframe (muxers may
    carry parameter sets in keyframes differently; every other frame is the encoder's bytes)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=size,flags",
                          "-of", "csv=p=0", flv], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        fail("ffprobe cannot read %s: %s" % (flv, out.stderr.strip()))
    rows = [line.split(",") for line in out.stdout.split()]
    return ["K" if "K" in flags else int(size) for size, flags in rows]


def contiguous_run(inner, outer):
    """Index in outer where inner appears as a contiguous run, or -1."""
    if not inner:
        return -1
    for i in range(len(outer) - len(inner) + 1):
        if outer[i] == inner[0] and outer[i:i + len(inner)] == inner:
            return i
    return -1


def main():
    plugin_dir, ingest_bin, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(out_dir, exist_ok=True)
    version = obsharness.obs_version()
    tag = "obs-%d.%d" % version[:2]
    print("OBS %d.%d.%d" % version, flush=True)
    tmp = tempfile.mkdtemp(prefix="goaway-follow-main-")
    os.makedirs(os.path.join(tmp, "ingest"))
    with Ingest(ingest_bin, ["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--signal", "goaway"],
                os.path.join(tmp, "ingest")) as ingest:  # the harness writes each stream's FLV there
        server = "rtmp://127.0.0.1:%d/live" % ingest.port(0)
        ws_port = free_port()
        home = obsharness.ObsHome(os.path.join(tmp, "home"), server=server, key=MAIN_KEY, websocket_port=ws_port,
                                  plugin_dir=plugin_dir)
        # Not the main stream's 2500 kbps: had the dock used its own x264 (deterministic, same
        # input), its frames could not match the main stream's sizes.
        obsharness.write_dock_settings(home, server, DOCK_KEY, video_bitrate_kbps=800, follow_main_stream=True)
        with obsharness.xdisplay() as display:
            with obsharness.Obs(home, display) as obs:
                obs.wait_log(r"==== Startup complete", 120)
                obs.wait_log(r"settings loaded \(server set, follow main stream on\)", 30)
                ws = obs.websocket(ws_port)
                check(ws.vendor(VENDOR, "GetState").get("active") is False, "before the main stream: dock idle")
                ok, _, status = ws.request("StartStream")
                check(ok, "StartStream (the main button's path) accepted (%s)" % status)
                obsharness.poll_until("the main stream goes active", lambda: ws.request("GetStreamStatus")[1].get("outputActive"), 60)
                obsharness.poll_until("the dock's output follows it",
                     lambda: ws.vendor(VENDOR, "GetState").get("state") == "streaming", 60)
                obs.wait_log(r"starting the dock's output \(the main stream's encoders\)", 10)
                ingest.wait("publishing=2 keyframes=4", 60)

                # A scene collection switch while both stream: the dock's output is not rebound.
                before = json.loads(ingest.control("stats"))["video"]
                ok, _, status = ws.request("CreateSceneCollection", {"sceneCollectionName": "Second"})
                check(ok, "CreateSceneCollection switches collections while streaming (%s)" % status)
                ok, _, status = ws.request("SetCurrentSceneCollection",
                                           {"sceneCollectionName": obsharness.COLLECTION})
                check(ok, "SetCurrentSceneCollection back (%s)" % status)
                ingest.wait("video=%d" % (before + 120), 30)  # two more seconds of video for both streams
                check(ws.vendor(VENDOR, "GetState").get("state") == "streaming",
                      "the dock's output kept streaming across the collection switches")

                reply = ingest.control("goaway")
                check(reply.startswith("ok sent=1 "), "Go Away went to the one publisher that announced it (%s)" % reply)
                rows = obsharness.poll_until("the handoff is recorded",
                            lambda: [h for h in ws.vendor(VENDOR, "GetHandoffs").get("handoffs", [])
                                     if h.get("completedAtMs") is not None], 60)
                ingest.wait("publishes=3 keyframes=8", 60)

                ok, _, status = ws.request("StopStream")
                check(ok, "StopStream accepted (%s)" % status)
                obsharness.poll_until("the main stream stops", lambda: not ws.request("GetStreamStatus")[1].get("outputActive"), 30)
                obsharness.poll_until("the dock's output stops with it", lambda: ws.vendor(VENDOR, "GetState").get("active") is False, 30)
                rc = obs.quit()
        report = ingest.stop()
    log = home.log_text()
    with open(os.path.join(out_dir, "%s-follow-main.log" % tag), "w") as f:
        f.write(log)

    check(len(rows) == 1 and rows[0]["result"] == "Succeeded" and rows[0]["framesLost"] == 0,
          "one handoff, Succeeded, 0 frames lost (%s)" % [(h["result"], h["framesLost"]) for h in rows])
    published = [c for c in report["connections"] if c.get("publishedAtMs") is not None]
    dock = [c for c in published if c["connect"]["supportsGoAway"] is True]
    main_conns = [c for c in published if c["connect"]["supportsGoAway"] is not True]
    check(len(dock) == 2 and len(main_conns) == 1,
          "the dock published twice (one handoff), the main stream once (%d, %d)" % (len(dock), len(main_conns)))
    check(main_conns[0]["signalsSent"] == [], "the main stream (no Go Away support) was left alone")
    check(all(c["fcUnpublish"] for c in main_conns + dock[-1:]), "both streams ended gracefully at StopStream")
    streams = {s["id"]: s for s in report["streams"]}
    check(len(streams) == 2, "two streams at the ingest (%d)" % len(streams))
    for s in streams.values():
        check(s["missingVideoFrames"] == 0 and s["missingAudioFrames"] == 0,
              "no missing frame in stream %s (video %d, audio %d)" % (s["id"], s["missingVideoFrames"],
                                                                        s["missingAudioFrames"]))
        check(s["duplicateFrames"] == 0, "no duplicate in stream %s" % s["id"])
    main_sizes = video_sizes(streams[main_conns[0]["streamId"]]["flv"])
    dock_sizes = video_sizes(streams[dock[0]["streamId"]]["flv"])
    at = contiguous_run(dock_sizes, main_sizes)
    print("main stream %d video packets, dock %d; the dock's run starts at the main's packet %d" %
          (len(main_sizes), len(dock_sizes), at), flush=True)
    check(len(dock_sizes) > 150 and at >= 0,
          "the dock's video is the main stream's own encoder output (%d packets in one run)" % len(dock_sizes))
    check("the dock's output stopped (requested)" in log, "the dock's output stopped on request")
    check(DOCK_KEY not in log and MAIN_KEY not in log, "no stream key in OBS's log")
    check(rc in (0, None), "OBS exited cleanly (%s)" % rc)
    print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
