#!/usr/bin/env python3
"""E2E: real OBS with the plugin streams from the dock's output (driven through the obs-websocket
vendor) to a goaway-ingest that is hostile (tests/ingest/README.md, "Hostile profiles"), one set of
profiles after another, in one OBS session:

1. mistyped-onstatus, publish-status-utf8, flood-control, deep-amf: OBS rides through
   (nothing missing at the ingest);
2. connect-error-utf8: the start fails with a clear error in GetState's lastError;
3. midstream-utf8 (ReconnectRequest with invalid UTF-8 and a garbage tcUrl): OBS rides through.

Each phase has its own ingest (same port) and its own report. Throughout, OBS stays up and the
vendor's GetState / GetHandoffs answer with valid JSON; at the end OBS exits cleanly (the module
unloads), its log is clean text (the server's bytes never reach it raw) and the stream key is
nowhere in it nor in the ingests' logs and reports.

usage: test_obs_hostile.py PLUGIN_DIR INGEST_BINARY OUT_DIR
"""

import glob
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402
from obsws import free_port  # noqa: E402
from streamharness import Ingest, check, fail  # noqa: E402

VENDOR = "obs-rtmp-goaway"
KEY = "e2e-obs-hostile-key-93d1"
# Video frames (30 fps) each riding phase streams after the output is live: past the mid-stream
# faults (2 s after publish; flood-control until 3 s) and a few seconds of recovery.
RIDE_FRAMES = 6 * 30
LAST_ERROR_MAX_CHARS = 512

PHASES = [
    # (profiles, expectation)
    ("mistyped-onstatus,publish-status-utf8,flood-control,deep-amf", "ride-through"),
    ("connect-error-utf8", "stop"),
    ("midstream-utf8", "ride-through"),
]


def answers(ws):
    """GetState and GetHandoffs both answer with JSON objects of the expected shape."""
    state = ws.vendor(VENDOR, "GetState")
    handoffs = ws.vendor(VENDOR, "GetHandoffs")
    check(isinstance(state, dict) and isinstance(state.get("state"), str), "GetState answers (%s)" % state.get("state"))
    rows = handoffs.get("handoffs")
    check(isinstance(rows, list), "GetHandoffs answers (%d rows)" % len(rows or []))
    return state, handoffs["handoffs"]


def alive(obs, what):
    if obs.proc.poll() is not None:
        fail("OBS died (exit %s) %s; log tail:\n%s" % (obs.proc.returncode, what, "".join(
            obs.home.log_text().splitlines(True)[-25:])))


def ride(ws, obs, ingest, profiles):
    check(ws.vendor(VENDOR, "StartStream").get("accepted") is True, "StartStream accepted (%s)" % profiles)
    obsharness.poll_until("the dock's output goes live", lambda: alive(obs, "while starting") or
                          ws.vendor(VENDOR, "GetState").get("state") == "streaming", 60)
    target = ingest_stats(ingest)["video"] + RIDE_FRAMES
    # Polled rather than the ingest's blocking `wait`: a crash of OBS must end the wait at once.
    obsharness.poll_until("%d more video frames at the ingest" % RIDE_FRAMES, lambda: alive(
        obs, "during " + profiles) or ingest_stats(ingest)["video"] >= target, 60)
    state, _ = answers(ws)
    check(state.get("active") is True, "the output is still streaming after %s (%s, last error %r)" %
          (profiles, state.get("state"), state.get("lastError")))
    check(ws.vendor(VENDOR, "StopStream").get("accepted") is True, "StopStream accepted")
    obsharness.poll_until("the dock's output stops", lambda: alive(obs, "while stopping") or
                          ws.vendor(VENDOR, "GetState").get("active") is False, 30)


def stop_with_error(ws, obs, profiles):
    check(ws.vendor(VENDOR, "StartStream").get("accepted") is True, "StartStream accepted (%s)" % profiles)
    state = obsharness.poll_until("the start fails", lambda: alive(obs, "during " + profiles) or (
        lambda s: s if s.get("active") is False and s.get("lastError") else None)(ws.vendor(VENDOR, "GetState")), 30)
    err = state["lastError"]
    print("lastError: %r" % err, flush=True)
    check(len(err) <= LAST_ERROR_MAX_CHARS and all(c.isprintable() for c in err),
          "the last error is one short printable line")
    check(KEY not in err, "the last error does not name the key")
    answers(ws)


def ingest_stats(ingest):
    return json.loads(ingest.control("stats"))


def check_ride_report(report, profiles):
    streams = report["streams"]
    check(len(streams) == 1, "one stream at the ingest during %s (%d)" % (profiles, len(streams)))
    check(streams[0]["missingVideoFrames"] == 0 and streams[0]["missingAudioFrames"] == 0,
          "0 missing frames during %s (video %d, audio %d)" %
          (profiles, streams[0]["missingVideoFrames"], streams[0]["missingAudioFrames"]))


def main():
    plugin_dir, ingest_bin, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(out_dir, exist_ok=True)
    version = obsharness.obs_version()
    print("OBS %d.%d.%d" % version, flush=True)
    tmp = tempfile.mkdtemp(prefix="goaway-obs-hostile-")
    # One ingest per phase on the same port (the dock's server is fixed for the session): each
    # phase's report then covers that phase alone, and stitching never spans two OBS sessions.
    port = free_port()
    ws_port = free_port()
    home = obsharness.ObsHome(os.path.join(tmp, "home"), websocket_port=ws_port, plugin_dir=plugin_dir,
                              width=640, height=360)
    obsharness.write_dock_settings(home, "rtmp://127.0.0.1:%d/live" % port, KEY)
    ingest_files = []
    try:
        with obsharness.xdisplay() as display:
            with obsharness.Obs(home, display) as obs:
                obs.wait_log(r"\[WebsocketVendor::registerVendor\] vendor obs-rtmp-goaway registered", 120)
                obs.wait_log(r"==== Startup complete", 90)
                ws = obs.websocket(ws_port)
                answers(ws)
                for n, (profiles, expectation) in enumerate(PHASES):
                    print("--- hostile %s (%s)" % (profiles, expectation), flush=True)
                    work = os.path.join(tmp, "ingest-%d" % n)
                    os.makedirs(work)
                    with Ingest(ingest_bin, ["--listen", "127.0.0.1:%d" % port, "--hostile", profiles],
                                work) as ingest:
                        if expectation == "ride-through":
                            ride(ws, obs, ingest, profiles)
                        else:
                            stop_with_error(ws, obs, profiles)
                        report = ingest.stop()
                    if expectation == "ride-through":
                        check_ride_report(report, profiles)
                    with open(os.path.join(work, "report-copy.json"), "w") as f:
                        json.dump(report, f)
                    ingest_files += [os.path.join(work, "report-copy.json"), os.path.join(work, "ingest.log")]
                rc = obs.quit()
    finally:
        with open(os.path.join(out_dir, "obs-hostile.log"), "w") as f:
            f.write(home.log_text())
    log = home.log_text()
    check("[obs-rtmp-goaway] [PluginModule] unloaded" in log, "the module unloaded on exit")
    check(KEY not in log, "the stream key never appears in OBS's log")
    logs = sorted(glob.glob(os.path.join(home.config, "logs", "*.txt")), key=os.path.getmtime)
    with open(logs[-1], "rb") as f:
        raw = f.read()
    try:
        raw.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    check(valid and b"\x1b" not in raw and b"\x00" not in raw,
          "OBS's log is clean text: valid UTF-8, no escape or NUL from the server")
    for path in ingest_files:
        with open(path, errors="replace") as f:
            check(KEY not in f.read(), "the stream key never appears in %s" % os.path.relpath(path, tmp))
    check(rc in (0, None), "OBS exited cleanly (%s)" % rc)
    print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
