#!/usr/bin/env python3
"""The demo: real OBS with the plugin streams a visible scene through the dock's output to a
two-node local goaway-ingest that sends Go Away every 15 s; the dock shows each handoff. At the
end: a report (handoffs, frames lost, dead air, what the ingest received) and a screenshot in
--out. Run through scripts/demo (inside a private network namespace)."""

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402
from obsws import free_port  # noqa: E402
from streamharness import Ingest  # noqa: E402

VENDOR = "obs-rtmp-goaway"
KEY = "demo-stream-key"


def say(msg):
    print("[demo] " + msg, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin-dir", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    seconds = int(os.environ.get("GOAWAY_DEMO_SECONDS", "60"))
    every = os.environ.get("GOAWAY_DEMO_GOAWAY_EVERY", "15s")
    # goaway: Go Away (no target: the output returns to the configured node on a new connection);
    # reconnect: E-RTMP ReconnectRequest whose tcUrl names the other node (the stream moves).
    signal = os.environ.get("GOAWAY_DEMO_SIGNAL", "goaway")
    os.makedirs(args.out, exist_ok=True)
    version = obsharness.obs_version()
    tmp = tempfile.mkdtemp(prefix="goaway-demo-")
    os.makedirs(os.path.join(tmp, "ingest"))
    handoffs, state, shot = [], {}, None
    with Ingest(os.path.join(args.build_dir, "bin", "goaway-ingest"),
                ["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--signal", signal, "--goaway-every", every],
                os.path.join(tmp, "ingest")) as ingest:
        say("goaway-ingest: nodes on 127.0.0.1:%d and 127.0.0.1:%d, %s every %s" %
            (ingest.port(0), ingest.port(1), "Go Away" if signal == "goaway" else "ReconnectRequest", every))
        ws_port = free_port()
        home = obsharness.ObsHome(os.path.join(tmp, "home"), websocket_port=ws_port, plugin_dir=args.plugin_dir)
        with open(os.path.join(home.config, "basic", "profiles", obsharness.PROFILE, "obs-rtmp-goaway.json"), "w") as f:
            json.dump({"server": "rtmp://127.0.0.1:%d/live" % ingest.port(0), "key": KEY, "resolver": "off",
                       "handoff_mode": "make-before-break", "video_bitrate_kbps": 2500}, f)
        with obsharness.xdisplay(1920, 1080) as display:
            with obsharness.Obs(home, display) as obs:
                obs.wait_log(r"vendor obs-rtmp-goaway registered", 120)
                obs.wait_log(r"==== Startup complete", 90)
                say("OBS %d.%d.%d is up with obs-rtmp-goaway (display %s)" % (version + (display,)))
                ws = obs.websocket(ws_port)
                ws.vendor(VENDOR, "StartStream")
                say("streaming through the dock's output for %d s" % seconds)
                deadline = time.monotonic() + seconds
                seen = 0
                while time.monotonic() < deadline and obs.proc.poll() is None:
                    ws.drain(1.0)  # waits for vendor events up to a second at a time
                    events = ws.vendor_events(VENDOR, "Handoff")
                    for h in events[seen:]:
                        say("handoff #%s (%s) %s:%s -> %s:%s: waited %s ms for a keyframe, pre-connect %s ms, "
                            "dead air %s ms, frames lost %s, %s" %
                            (h["id"], h["trigger"], h["from"]["host"], h["from"]["port"], h["to"]["host"],
                             h["to"]["port"], h["waitedForKeyframeMs"], h["preconnectMs"], h["deadAirMs"],
                             h["framesLost"], h["result"]))
                    seen = len(events)
                handoffs = ws.vendor(VENDOR, "GetHandoffs").get("handoffs", [])
                state = ws.vendor(VENDOR, "GetState")
                shot = obs.screenshot(os.path.join(args.out, "obs-%d.%d-demo.png" % version[:2]))
                ws.vendor(VENDOR, "StopStream")
                deadline = time.monotonic() + 30
                while ws.vendor(VENDOR, "GetState").get("active") and time.monotonic() < deadline:
                    time.sleep(0.25)  # polling the output's state, bounded
        report = ingest.stop()
        with open(os.path.join(args.out, "obs.log"), "w") as f:
            f.write(home.log_text())
    streams = report.get("streams", [])
    lost = sum(h.get("framesLost", 0) for h in handoffs)
    dead = [h["deadAirMs"] for h in handoffs if h.get("deadAirMs") is not None]
    summary = {
        "obs": "%d.%d.%d" % version, "seconds": seconds, "goAwayEvery": every,
        "handoffs": len(handoffs), "succeeded": sum(1 for h in handoffs if h.get("result") == "Succeeded"),
        "framesLostByOutput": lost, "deadAirMs": dead, "goAwaySent": report.get("signalsSent"),
        "ingestStreams": len(streams),
        "ingestMissingVideoFrames": sum(s["missingVideoFrames"] for s in streams),
        "ingestMissingAudioFrames": sum(s["missingAudioFrames"] for s in streams),
        "ingestUniqueVideoFrames": sum(s["uniqueVideoFrames"] for s in streams),
        "bytesSent": state.get("totalBytes"), "droppedFrames": state.get("droppedFrames"),
        "screenshot": shot,
    }
    with open(os.path.join(args.out, "report.json"), "w") as f:
        json.dump({"summary": summary, "handoffs": handoffs, "ingest": report}, f, indent=1)
    say("---- report ----")
    say("OBS %s streamed %d s; the ingest sent Go Away %s times" % (summary["obs"], seconds, summary["goAwaySent"]))
    say("handoffs: %d (%d succeeded); frames lost by the output: %d" %
        (summary["handoffs"], summary["succeeded"], lost))
    say("dead air per handoff (ms): %s" % (", ".join(str(d) for d in dead) or "—"))
    say("ingest: %d video frames received, missing video %d, missing audio %d" %
        (summary["ingestUniqueVideoFrames"], summary["ingestMissingVideoFrames"], summary["ingestMissingAudioFrames"]))
    say("screenshot: %s; full report: %s" % (shot, os.path.join(args.out, "report.json")))
    ok = lost == 0 and summary["ingestMissingVideoFrames"] == 0 and summary["ingestMissingAudioFrames"] == 0
    say("RESULT: %s" % ("no media lost" if ok else "MEDIA LOST"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
