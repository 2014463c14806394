#!/usr/bin/env python3
"""E2E: real OBS (32.x in the sid root, 30.x in trixie) with the plugin streams from the dock's
output, started through the obs-websocket vendor "obs-rtmp-goaway", to a two-node goaway-ingest
that sends Go Away twice. Asserted through the vendor request GetHandoffs (two rows, 0 frames
lost, Succeeded), the vendor events, and the ingest's report (no missing frame); a screenshot
shows the dock with both rows.

usage: test_obs_dock_websocket.py PLUGIN_DIR INGEST_BINARY OUT_DIR
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402
from streamharness import Ingest, check, print_cutovers, single_stream  # noqa: E402

VENDOR = "obs-rtmp-goaway"
KEY = "e2e-dock-secret-key"


def main():
    plugin_dir, ingest_bin, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    version, tag, tmp = obsharness.begin_test("goaway-dock-e2e-", out_dir)
    with Ingest(ingest_bin, ["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--signal", "goaway"],
                os.path.join(tmp, "ingest")) as ingest:
        home, ws_port = obsharness.dock_home(tmp, plugin_dir, "rtmp://127.0.0.1:%d/live" % ingest.port(0), KEY)
        with obsharness.xdisplay(1920, 1080) as display:
            with obsharness.Obs(home, display) as obs:
                obs.wait_log(r"\[WebsocketVendor::registerVendor\] vendor obs-rtmp-goaway registered with 5 requests", 120)
                obs.wait_log(r"==== Startup complete", 90)
                ws = obs.websocket(ws_port)
                state = ws.vendor(VENDOR, "GetState")
                check(state.get("active") is False, "GetState before start: not active (%s)" % state.get("state"))
                check(ws.vendor(VENDOR, "GetHandoffs").get("handoffs") == [], "GetHandoffs before start: no rows")
                check(ws.vendor(VENDOR, "StartStream").get("accepted") is True, "StartStream accepted")
                obsharness.poll_until("the dock's output goes live",
                     lambda: ws.vendor(VENDOR, "GetState").get("state") == "streaming", 60)
                ingest.wait("publishing=1 keyframes=2", 60)
                for n in (1, 2):
                    reply = ingest.control("goaway")
                    check(reply.startswith("ok sent=") and not reply.startswith("ok sent=0"),
                          "Go Away #%d sent (%s)" % (n, reply))
                    obsharness.poll_until("handoff #%d recorded" % n,
                         lambda: [h for h in ws.vendor(VENDOR, "GetHandoffs").get("handoffs", [])
                                  if h.get("completedAtMs") is not None][n - 1:], 60)
                    ingest.wait("publishes=%d" % (n + 1), 60)
                handoffs = ws.vendor(VENDOR, "GetHandoffs").get("handoffs", [])
                state = ws.vendor(VENDOR, "GetState")
                ws.drain(1.0)
                events = ws.vendor_events(VENDOR, "Handoff")
                # Let the dock's poll pick up the last statistics, then photograph it.
                time.sleep(1.5)  # one poll interval of the dock, so its bitrate label is current
                shot = obs.screenshot(os.path.join(out_dir, "%s-dock-two-handoffs.png" % tag))
                print("screenshot:", shot, flush=True)
                check(ws.vendor(VENDOR, "StopStream").get("accepted") is True, "StopStream accepted")
                obsharness.poll_until("the dock's output stops", lambda: ws.vendor(VENDOR, "GetState").get("active") is False, 30)
                # Profiles: a new profile has no dock settings; switching back loads ours again.
                ok, _, status = ws.request("CreateProfile", {"profileName": "Second"})
                check(ok, "CreateProfile switches to a new profile (%s)" % status)
                obs.wait_log(r"settings loaded \(server not set", 30)
                ok, _, status = ws.request("SetCurrentProfile", {"profileName": obsharness.PROFILE})
                check(ok, "SetCurrentProfile back to %s (%s)" % (obsharness.PROFILE, status))
                obsharness.poll_until("the dock reloads the first profile's settings",
                     lambda: obs.home.log_text().count("settings loaded (server set") >= 3, 30)
                check(ws.vendor(VENDOR, "GetState").get("active") is False, "the dock's output stayed stopped")
                rc = obs.quit()
        report = ingest.stop()
    log = home.log_text()
    with open(os.path.join(out_dir, "%s-dock-websocket.log" % tag), "w") as f:
        f.write(log)
    for h in handoffs:
        print("handoff %s %s %s:%s -> %s:%s keyframe %s ms preconnect %s ms dead air %s ms lost %s %s" %
              (h["id"], h["trigger"], h["from"]["host"], h["from"]["port"], h["to"]["host"], h["to"]["port"],
               h["waitedForKeyframeMs"], h["preconnectMs"], h["deadAirMs"], h["framesLost"], h["result"]), flush=True)
    check(len(handoffs) == 2, "GetHandoffs returns two rows (%d)" % len(handoffs))
    check(all(h["trigger"] == "GoAway" for h in handoffs), "both were triggered by Go Away")
    check(all(h["framesLost"] == 0 for h in handoffs), "framesLost is 0 in both rows")
    check(all(h["result"] == "Succeeded" for h in handoffs), "both handoffs Succeeded")
    check(len(events) == 2 and sorted(e["id"] for e in events) == sorted(h["id"] for h in handoffs),
          "one vendor event Handoff per handoff (%d)" % len(events))
    check(state.get("handoffs") == 2 and state.get("announced", {}).get("supportsGoAway") is True,
          "GetState counts 2 handoffs and reports Go Away announced")
    check(state.get("serverShowed") == {"capsEx": 1, "goAways": 2, "reconnectRequests": 0},
          "GetState: what the server showed, apart: its capsEx echo and the two Go Away (%s)" % state.get("serverShowed"))
    stream = single_stream(report)
    print_cutovers(stream)
    check(report["signalsSent"] == 2, "the ingest sent exactly two Go Away (%d)" % report["signalsSent"])
    check(stream["missingVideoFrames"] == 0, "0 missing video frames at the ingest (%d)" % stream["missingVideoFrames"])
    check(stream["missingAudioFrames"] == 0, "0 missing audio frames at the ingest (%d)" % stream["missingAudioFrames"])
    check(stream["uniqueVideoFrames"] > 0, "the ingest received video (%d frames)" % stream["uniqueVideoFrames"])
    check("vendor requests removed" in log, "the vendor's requests are removed at exit")
    check("[obs-rtmp-goaway] [PluginModule] unloaded" in log, "the module unloaded on exit")
    check(KEY not in log, "the stream key never appears in OBS's log")
    check(rc in (0, None), "OBS exited cleanly (%s)" % rc)
    print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
