#!/usr/bin/env python3
"""E2E: OBS's main Start Streaming streams through rtmp_goaway_output when the main stream's
service is rtmp_goaway_service (its preferred output type). The service is selected the way a
streamer's tool would (obs-websocket SetStreamServiceSettings); the main stream is started by
obs-websocket's StartStream, which runs the main button's code path. Then OBS restarts with the
saved profile and the main button must still pick the plugin. goaway-ingest sends one Go Away
per run: one Succeeded handoff with 0 frames lost, no frame missing at the ingest.

usage: test_obs_main_button.py PLUGIN_DIR INGEST_BINARY OUT_DIR
"""

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402
from obsws import free_port  # noqa: E402
from streamharness import Ingest, check  # noqa: E402

VENDOR = "obs-rtmp-goaway"
KEY = "e2e-main-button-key"


def one_run(home, display, ws_port, ingest, run, server):
    key = "%s-%d" % (KEY, run)  # one stream per run at the ingest
    with obsharness.Obs(home, display) as obs:
        obs.wait_log(r"==== Startup complete", 120)
        ws = obs.websocket(ws_port)
        if run > 1:
            ok, settings, _ = ws.request("GetStreamServiceSettings")
            check(settings.get("streamServiceType") == "rtmp_goaway_service",
                  "run %d: after a restart OBS loaded the saved rtmp_goaway_service" % run)
        ok, _, status = ws.request("SetStreamServiceSettings", {
            "streamServiceType": "rtmp_goaway_service", "streamServiceSettings": {"server": server, "key": key}})
        check(ok, "run %d: SetStreamServiceSettings selects rtmp_goaway_service (%s)" % (run, status))
        ok, settings, _ = ws.request("GetStreamServiceSettings")
        check(settings.get("streamServiceType") == "rtmp_goaway_service",
              "run %d: the main stream's service is rtmp_goaway_service" % run)
        ok, _, status = ws.request("StartStream")
        check(ok, "run %d: StartStream (the main button's path) accepted (%s)" % (run, status))
        obsharness.poll_until("the main stream goes active", lambda: ws.request("GetStreamStatus")[1].get("outputActive"), 60)
        state = obsharness.poll_until("our output streams",
                     lambda: (lambda s: s if s.get("state") == "streaming" else None)(ws.vendor(VENDOR, "GetState")), 60)
        check(state.get("output") not in (None, "obs-rtmp-goaway"),
              "run %d: the streaming output is OBS's main one (%s), of type rtmp_goaway_output" % (run, state.get("output")))
        ingest.wait("publishing=1 keyframes=2", 60)
        reply = ingest.control("goaway")
        check(reply.startswith("ok sent=") and not reply.startswith("ok sent=0"), "run %d: Go Away sent" % run)
        rows = obsharness.poll_until("the handoff is recorded",
                    lambda: [h for h in ws.vendor(VENDOR, "GetHandoffs").get("handoffs", [])
                             if h.get("completedAtMs") is not None], 60)
        check(len(rows) == 1 and rows[0]["result"] == "Succeeded" and rows[0]["framesLost"] == 0,
              "run %d: one handoff, Succeeded, 0 frames lost (%s, %s)" % (run, rows[0]["result"], rows[0]["framesLost"]))
        ok, _, _ = ws.request("StopStream")
        obsharness.poll_until("the main stream stops", lambda: not ws.request("GetStreamStatus")[1].get("outputActive"), 30)
        rc = obs.quit()
    check(rc in (0, None), "run %d: OBS exited cleanly (%s)" % (run, rc))
    log = home.log_text()
    check(key not in log, "run %d: the stream key never appears in OBS's log" % run)
    return log


def main():
    plugin_dir, ingest_bin, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(out_dir, exist_ok=True)
    version = obsharness.obs_version()
    print("OBS %d.%d.%d" % version, flush=True)
    tmp = tempfile.mkdtemp(prefix="goaway-main-button-")
    os.makedirs(os.path.join(tmp, "ingest"))
    with Ingest(ingest_bin, ["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--signal", "goaway"],
                os.path.join(tmp, "ingest")) as ingest:
        server = "rtmp://127.0.0.1:%d/live" % ingest.port(0)
        ws_port = free_port()
        home = obsharness.ObsHome(os.path.join(tmp, "home"), server=server, key=KEY, websocket_port=ws_port,
                                  plugin_dir=plugin_dir)
        with obsharness.xdisplay() as display:
            log1 = one_run(home, display, ws_port, ingest, 1, server)
            with open(os.path.join(home.config, "basic", "profiles", obsharness.PROFILE, "service.json")) as f:
                saved = json.load(f)
            check(saved.get("type") == "rtmp_goaway_service", "the profile saved the service type (%s)" % saved.get("type"))
            log2 = one_run(home, display, ws_port, ingest, 2, server)
        report = ingest.stop()
    with open(os.path.join(out_dir, "obs-%d.%d-main-button.log" % version[:2]), "w") as f:
        f.write(log1 + "\n\n==== second run ====\n\n" + log2)
    streams = report.get("streams", [])
    check(len(streams) == 2, "the ingest received one stream per run (%d)" % len(streams))
    for s in streams:
        check(s["missingVideoFrames"] == 0 and s["missingAudioFrames"] == 0,
              "no missing frame at the ingest (video %d, audio %d)" % (s["missingVideoFrames"], s["missingAudioFrames"]))
    check(report["signalsSent"] == 2, "one Go Away per run (%d)" % report["signalsSent"])
    print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
