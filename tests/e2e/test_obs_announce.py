#!/usr/bin/env python3
"""E2E: real OBS (32.x in the sid root, 30.x in trixie), the dock's output with "Announce RTMP Go
Away" switched off, against a two-node goaway-ingest.

Asserted on the wire (the ingest's record of each connect) and through the vendor's GetState:
- connect carries no supportsGoAway, and still capsEx 0x01 (E-RTMP ReconnectRequest stays on);
- the ingest therefore refuses to send a Go Away (not announced), and a ReconnectRequest moves the
  stream to the other node with 0 frames missing;
- GetState keeps what we announce (supportsGoAway false, capsEx 1) apart from what the server
  showed (capsEx 1 echoed by goaway-ingest, 0 Go Away, 1 ReconnectRequest).

usage: test_obs_announce.py PLUGIN_DIR INGEST_BINARY OUT_DIR
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402
from streamharness import Ingest, check, single_stream  # noqa: E402

VENDOR = "obs-rtmp-goaway"
KEY = "e2e-announce-secret-key"


def main():
    plugin_dir, ingest_bin, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    version, tag, tmp = obsharness.begin_test("goaway-announce-e2e-", out_dir)
    with Ingest(ingest_bin, ["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0"],
                os.path.join(tmp, "ingest")) as ingest:
        home, ws_port = obsharness.dock_home(tmp, plugin_dir, "rtmp://127.0.0.1:%d/live" % ingest.port(0), KEY, announce_goaway=False)
        with obsharness.xdisplay(1280, 800) as display:
            with obsharness.Obs(home, display) as obs:
                obs.wait_log(r"\[WebsocketVendor::registerVendor\] vendor obs-rtmp-goaway registered", 120)
                obs.wait_log(r"==== Startup complete", 90)
                ws = obs.websocket(ws_port)
                check(ws.vendor(VENDOR, "StartStream").get("accepted") is True, "StartStream accepted")
                ingest.wait("publishing=1 keyframes=2", 60)
                reply = ingest.control("goaway")
                check(reply.startswith("ok sent=0") and "skipped=1" in reply,
                      "the ingest sends no Go Away to a client that did not announce it (%s)" % reply)
                reply = ingest.control("reconnect")
                check(reply.startswith("ok sent=1"), "ReconnectRequest sent (%s)" % reply)
                obsharness.poll_until("the handoff is recorded",
                     lambda: [h for h in ws.vendor(VENDOR, "GetHandoffs").get("handoffs", [])
                              if h.get("completedAtMs") is not None], 60)
                ingest.wait("publishes=2 keyframes=4", 60)
                state = ws.vendor(VENDOR, "GetState")
                handoffs = ws.vendor(VENDOR, "GetHandoffs").get("handoffs", [])
                check(ws.vendor(VENDOR, "StopStream").get("accepted") is True, "StopStream accepted")
                obsharness.poll_until("the dock's output stops",
                     lambda: ws.vendor(VENDOR, "GetState").get("active") is False, 30)
                ended = ws.vendor(VENDOR, "GetState")  # the stopped output keeps the ended stream's facts
                check(ended.get("announced") == state.get("announced") and
                      ended.get("serverShowed") == state.get("serverShowed"),
                      "GetState after the stop: the ended stream's announced / serverShowed (%s, %s)" %
                      (ended.get("announced"), ended.get("serverShowed")))
                rc = obs.quit()
        report = ingest.stop()
    log = home.log_text()
    with open(os.path.join(out_dir, "%s-announce.log" % tag), "w") as f:
        f.write(log)
    print("GetState announced %s, serverShowed %s" % (state.get("announced"), state.get("serverShowed")), flush=True)
    connects = [c["connect"] for c in report["connections"] if c.get("connect")]
    check(len(connects) >= 2, "the ingest recorded both connects (%d)" % len(connects))
    check(all(c["supportsGoAway"] is False and c["supportsGoAwayType"] is None for c in connects),
          "no connect carried supportsGoAway: %s" % [(c["supportsGoAway"], c["supportsGoAwayType"]) for c in connects])
    check(all(c["capsEx"] == 1 for c in connects), "every connect announced capsEx 1 (%s)" % [c["capsEx"] for c in connects])
    check(state.get("announced") == {"supportsGoAway": False, "capsEx": 1},
          "GetState: we announce capsEx 1, no Go Away (%s)" % state.get("announced"))
    check(state.get("serverShowed") == {"capsEx": 1, "goAways": 0, "reconnectRequests": 1},
          "GetState: the server showed capsEx 1 in its reply and one ReconnectRequest (%s)" % state.get("serverShowed"))
    check(len(handoffs) == 1 and handoffs[0]["trigger"] == "ReconnectRequest" and handoffs[0]["result"] == "Succeeded",
          "one handoff, by ReconnectRequest, Succeeded (%s)" % [(h["trigger"], h["result"]) for h in handoffs])
    stream = single_stream(report)
    check(stream["missingVideoFrames"] == 0, "0 missing video frames at the ingest (%d)" % stream["missingVideoFrames"])
    check(stream["missingAudioFrames"] == 0, "0 missing audio frames at the ingest (%d)" % stream["missingAudioFrames"])
    check(KEY not in log, "the stream key never appears in OBS's log")
    check(rc in (0, None), "OBS exited cleanly (%s)" % rc)
    print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
