"""Debian 12's OBS 29.0.2 (stock rtmp_output, which implements RTMP Go Away) streams to
goaway-ingest under Xvfb; the ingest sends Go Away with a 4-byte body, then with an empty body,
and the report shows what OBS did. Run by obs29_peer_test.sh inside `unshare -n` on the host.

Facts measured here are written down in tests/ingest/README.md ("OBS 29.0.2 as a Go Away peer").
"""

import glob
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_harness import Ingest, check, fail, ingest_binary  # noqa: E402

KEY = "obs29peer"
EMPTY_BODY_WAIT = 12  # seconds: > 2 keyframe intervals; OBS switches at the next keyframe
ATTEMPTS = 3  # OBS 29's Go Away handling races (README): try a fresh OBS up to this many times


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def obs_home(root, server):
    cfg = os.path.join(root, ".config", "obs-studio")
    # OBS 29 reads global.ini; FirstRun=true means "the first run is done" (no wizard).
    write(os.path.join(cfg, "global.ini"),
          "[General]\nFirstRun=true\nLastVersion=486539266\nConfirmOnExit=false\nWarnedAboutClosingDocks=true\n"
          "EnableAutoUpdates=false\nLicenseAccepted=true\n\n[Basic]\nProfile=P\nProfileDir=P\n"
          "SceneCollection=S\nSceneCollectionFile=S\n")
    write(os.path.join(cfg, "basic", "profiles", "P", "basic.ini"),
          "[General]\nName=P\n\n[Video]\nBaseCX=640\nBaseCY=360\nOutputCX=640\nOutputCY=360\nFPSType=1\n"
          "FPSInt=30\n\n[Output]\nMode=Advanced\nReconnect=true\n\n[AdvOut]\nEncoder=obs_x264\nTrackIndex=1\n"
          "Track1Bitrate=128\nApplyServiceSettings=true\n\n[Audio]\nSampleRate=48000\nChannelSetup=Stereo\n")
    write(os.path.join(cfg, "basic", "profiles", "P", "service.json"),
          json.dumps({"type": "rtmp_custom", "settings": {"server": server, "key": KEY}}))
    write(os.path.join(cfg, "basic", "profiles", "P", "streamEncoder.json"),
          json.dumps({"rate_control": "CBR", "bitrate": 800, "keyint_sec": 2, "preset": "veryfast"}))
    scene = {"id": "scene", "versioned_id": "scene", "name": "Scene", "settings": {"id_counter": 1, "items": [
        {"name": "Color", "visible": True, "id": 1, "pos": {"x": 0.0, "y": 0.0}, "scale": {"x": 1.0, "y": 1.0},
         "align": 5, "bounds_type": 0}]}}
    color = {"id": "color_source_v3", "versioned_id": "color_source_v3", "name": "Color",
             "settings": {"color": 4281348144, "width": 640, "height": 360}}
    write(os.path.join(cfg, "basic", "scenes", "S.json"),
          json.dumps({"current_scene": "Scene", "current_program_scene": "Scene", "name": "S",
                      "scene_order": [{"name": "Scene"}], "sources": [scene, color], "groups": [],
                      "transitions": [], "current_transition": "Fade", "transition_duration": 300}))
    return cfg


def start_xvfb():
    r, w = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    number = b""
    with os.fdopen(r, "rb", buffering=0) as pipe:
        deadline = time.monotonic() + 30
        while not number.endswith(b"\n") and time.monotonic() < deadline:
            chunk = pipe.read(1)  # Xvfb writes its display number once it accepts clients
            if not chunk:
                break
            number += chunk
    if not number.strip():
        proc.kill()
        fail("Xvfb did not start")
    return proc, ":" + number.decode().strip()


def stop(proc, grace=5):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def stat(ing):
    return json.loads(ing.control("stats"))


def obs_log(home):
    logs = sorted(glob.glob(os.path.join(home, ".config", "obs-studio", "logs", "*.txt")), key=os.path.getmtime)
    return open(logs[-1], errors="replace").read() if logs else ""


def attempt():
    """One OBS run. Returns (report, obs log, empty body acted on, clean) where clean means the
    reconnect after the first Go Away carried media again."""
    home = tempfile.mkdtemp(prefix="goaway-obs29-")
    ing = Ingest(ingest_binary(), ["--listen", "127.0.0.1:0", "--show-stream-names"], workdir=home)
    xvfb, display = start_xvfb()
    obs = None
    empty_acted = None
    clean = False
    try:
        obs_home(home, "rtmp://127.0.0.1:%d/live" % ing.port(0))
        env = dict(os.environ, HOME=home, DISPLAY=display, LIBGL_ALWAYS_SOFTWARE="1", QT_QPA_PLATFORM="xcb")
        obs = subprocess.Popen(["obs", "--multi", "--disable-updater", "--startstreaming", "--profile", "P",
                                "--collection", "S"], env=env, cwd=home,
                               stdout=open(os.path.join(home, "obs-stdout.txt"), "w"), stderr=subprocess.STDOUT)
        ing.wait("publishes=1", timeout=90)
        ing.wait("video=90", timeout=60)
        # Advanced output mode: streamEncoder.json (keyint_sec=2) is used; Simple mode keeps x264's
        # default 250-frame GOP (8.3 s), which OBS then waits for before it switches.
        # 1) Go Away with a 4-byte body, sent just after a keyframe arrived: OBS reconnects (same URL)
        #    at its next keyframe, ~2 s later.
        ing.wait("keyframes=%d" % (stat(ing)["keyframes"] + 1), timeout=30)
        check(ing.control("goaway body=4bytes") == "ok sent=1 closed=0 skipped=0", "Go Away (4-byte body) sent")
        ing.wait("publishes=2", timeout=30)
        before = stat(ing)["video"]
        # Clean only when the reconnect's own connection carried the media: in one form of the race
        # that connection publishes and closes at once, and OBS's ordinary reconnect (a third
        # publish, 2 s later) carries it instead.
        clean = (ing.control("wait video=%d timeout=10" % (before + 90)) == "ok" and
                 stat(ing)["publishes"] == 2)
        if clean:
            # 2) Go Away with an empty body: observe whether OBS acts on it.
            ing.wait("keyframes=%d" % (stat(ing)["keyframes"] + 1), timeout=30)
            check(ing.control("goaway body=empty") == "ok sent=1 closed=0 skipped=0", "Go Away (empty body) sent")
            s = stat(ing)
            empty_acted = ing.control("wait publishes=%d timeout=%d" % (s["publishes"] + 1, EMPTY_BODY_WAIT)) == "ok"
            ing.wait("video=%d" % (stat(ing)["video"] + 30), timeout=30)
        stop(obs, grace=10)
        deadline = time.monotonic() + 30
        while stat(ing)["open"] > 0 and time.monotonic() < deadline:
            time.sleep(0.1)  # polling the ingest's state with a deadline
        report = ing.stop()
    finally:
        if obs:
            stop(obs)
        stop(xvfb)
        ing.kill()
    return report, obs_log(home), empty_acted, clean


races = 0
for _ in range(ATTEMPTS):
    report, log, empty_acted, clean = attempt()
    if clean:
        break
    races += 1
    lines = [l for l in log.splitlines() if "Silent reconnect" in l or "Disconnected while" in l
             or "Reconnecting in" in l]
    print("FACT: race: the reconnect after Go Away did not carry media again; OBS log:\n  " + "\n  ".join(lines))
check(clean, "a clean Go Away reconnect within %d OBS runs (%d raced)" % (ATTEMPTS, races))
print("FACT: OBS runs with the double-reconnect race before a clean one: %d" % races)
conns = report["connections"]
first, second = conns[0], conns[1]
check(first["connect"]["supportsGoAway"] is True and first["connect"]["supportsGoAwayType"] == "boolean",
      "OBS 29 announces supportsGoAway as AMF boolean true")
check(first["closeReason"] == "client closed", "OBS closed the first connection itself after Go Away")
check(not first["fcUnpublish"] and not first["deleteStream"], "no FCUnpublish / deleteStream before the reconnect")
check(second["node"] == first["node"], "OBS reconnected to the same URL")
check(second["firstMedia"]["ok"], "first media after the reconnect: metadata, headers, keyframe (%s)" %
      second["firstMedia"])
stream = report["streams"][0]
cut = stream["cutovers"][0]
check(cut["signal"] == "goaway", "cutover 1 -> 2 follows the Go Away")
print("FACT: timestamps after the reconnect: %s (shift %d ms)" %
      ("restart at 0" if cut["timestampReset"] else "continue", cut["timestampOffsetMs"]))
check(stream["duplicateFrames"] == 0, "no frame was sent twice")
print("FACT: Go Away 4-byte body: cutover delay %s ms, dead air %s ms, missing video %d audio %d, duplicates %d" %
      (cut["cutoverDelayMs"], cut["deadAirMs"], stream["missingVideoFrames"], stream["missingAudioFrames"],
       stream["duplicateFrames"]))
print("FACT: Go Away empty body: %s" % ("acted on (reconnected)" if empty_acted else
                                        "ignored (same connection kept streaming for %d s)" % EMPTY_BODY_WAIT))
if not empty_acted:
    check(second["signalsSent"][0]["actedOn"] is False, "report: the empty-body Go Away recorded as not acted on")
