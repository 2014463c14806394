#!/usr/bin/env python3
"""E2E: OBS's main Start Streaming streams through rtmp_goaway_output while the streamer keeps the
service they chose in Settings → Stream (real OBS 32.x in sid, 30.x in trixie, websocket-driven).

The profile starts as an older version left it (service.json = rtmp_goaway_service with a server and
a key): the plugin makes it OBS's Custom service with the same server and key and keeps the main
button on. Then three streams, each after the service was saved again the way Settings → Stream
saves it (obs-websocket SetStreamServiceSettings):
  1. Custom (rtmp_custom, rtmp://127.0.0.1:1935/live);
  2. a built-in service with a fixed server: "YouTube - RTMPS" with rtmp://a.rtmp.youtube.com/live2
     (the host name resolves to the loopback ingest through a hosts file of OBS's own);
  3. a built-in service with "Auto": Twitch, whose server OBS takes from its Twitch ingest list (the
     cached list of the API's shape, whose first node is the ingest's second address).
Each: the dock's route (GetState.mainStream) names the service, StartStream (the main button's code
path) makes OBS's main output ours, the ingest sees the service's tcUrl, a Go Away hands off with 0
frames lost, and after StopStream the main stream's service is the streamer's again, unchanged.
Last, without streaming: a non-RTMP protocol and "Enhanced Broadcasting" are OBS's own (the reason
is shown), and after OBS quits the profile still holds the streamer's Twitch service.

usage: test_obs_main_button.py PLUGIN_DIR INGEST_BINARY OUT_DIR
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402
from streamharness import Ingest, check  # noqa: E402

VENDOR = "obs-rtmp-goaway"
KEY = "e2e-main-button-key"
PORT = 1935  # the built-in services' URLs carry no port
YOUTUBE_HOST = "a.rtmp.youtube.com"

RUNS = [
    # (label, service type, settings without key, expected route fields, expected tcUrl)
    ("custom", "rtmp_custom", {"server": "rtmp://127.0.0.1:%d/live" % PORT},
     {"serviceType": "rtmp_custom", "service": "", "autoServer": False}, "rtmp://127.0.0.1:%d/live" % PORT),
    ("youtube", "rtmp_common", {"service": "YouTube - RTMPS", "server": "rtmp://%s/live2" % YOUTUBE_HOST},
     {"serviceType": "rtmp_common", "service": "YouTube - RTMPS", "autoServer": False},
     "rtmp://%s/live2" % YOUTUBE_HOST),
    ("twitch-auto", "rtmp_common", {"service": "Twitch", "server": "auto"},
     {"serviceType": "rtmp_common", "service": "Twitch", "autoServer": True}, "rtmp://127.0.0.2:%d/app" % PORT),
]


def route(ws):
    return ws.vendor(VENDOR, "GetState").get("mainStream") or {}


def route_is(ws, **expected):
    """Polls the dock's route line (it follows Settings → Stream every 2 s) until it matches."""
    def matches():
        r = route(ws)
        return r if all(r.get(k) == v for k, v in expected.items()) else None
    return obsharness.poll_until("the main stream's route is %s" % expected, matches, 30)


def one_stream(ws, ingest, label, service_type, settings, expected, run):
    key = "%s-%d" % (KEY, run)
    ok, _, status = ws.request("SetStreamServiceSettings", {
        "streamServiceType": service_type, "streamServiceSettings": dict(settings, key=key)})
    check(ok, "%s: the service is saved (%s)" % (label, status))
    route_is(ws, viaPlugin=True, reason="via-plugin", **expected)
    before = json.loads(ingest.control("stats"))  # this stream's waits count from here
    ok, _, status = ws.request("StartStream")
    check(ok, "%s: StartStream (the main button's path) accepted (%s)" % (label, status))
    obsharness.poll_until("the main stream goes active", lambda: ws.request("GetStreamStatus")[1].get("outputActive"), 60)
    state = obsharness.poll_until("our output streams",
                 lambda: (lambda s: s if s.get("state") == "streaming" else None)(ws.vendor(VENDOR, "GetState")), 60)
    check(state.get("output") not in (None, "obs-rtmp-goaway"),
          "%s: the streaming output is OBS's main one (%s), of type rtmp_goaway_output" % (label, state.get("output")))
    ingest.wait("publishing=1 publishes=%d keyframes=%d" % (before["publishes"] + 1, before["keyframes"] + 2), 60)
    reply = ingest.control("goaway")
    check(reply.startswith("ok sent=") and not reply.startswith("ok sent=0"), "%s: Go Away sent" % label)
    rows = obsharness.poll_until("the handoff is recorded",
                lambda: [h for h in ws.vendor(VENDOR, "GetHandoffs").get("handoffs", [])
                         if h.get("completedAtMs") is not None], 60)
    check(len(rows) == 1 and rows[0]["result"] == "Succeeded" and rows[0]["framesLost"] == 0,
          "%s: one handoff, Succeeded, 0 frames lost (%s, %s)" % (label, rows[0]["result"], rows[0]["framesLost"]))
    ok, _, _ = ws.request("StopStream")
    obsharness.poll_until("the main stream stops", lambda: not ws.request("GetStreamStatus")[1].get("outputActive"), 30)
    saved = obsharness.poll_until("the streamer's own service is back",
                lambda: (lambda s: s if s.get("streamServiceType") == service_type else None)(
                    ws.request("GetStreamServiceSettings")[1]), 30)
    got = saved.get("streamServiceSettings", {})
    check(all(got.get(k) == v for k, v in dict(settings, key=key).items()),
          "%s: after the stream the main service is the streamer's, unchanged (%s)" %
          (label, {k: got.get(k) for k in settings}))


def main():
    plugin_dir, ingest_bin, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    version, tag, tmp = obsharness.begin_test("goaway-main-button-", out_dir)
    legacy_server = "rtmp://127.0.0.1:%d/live" % PORT
    with Ingest(ingest_bin, ["--listen", "127.0.0.1:%d" % PORT, "--listen", "127.0.0.2:%d" % PORT,
                             "--signal", "goaway"],
                os.path.join(tmp, "ingest")) as ingest:
        home, ws_port = obsharness.dock_home(tmp, plugin_dir, legacy_server, "dock-key")
        profile = os.path.join(home.config, "basic", "profiles", obsharness.PROFILE)
        # What an older version saved for "use this plugin for the main button".
        with open(os.path.join(profile, "service.json"), "w") as f:
            json.dump({"type": "rtmp_goaway_service", "settings": {"server": legacy_server, "key": KEY}}, f)
        # Twitch's ingest list as OBS caches it (the API's shape; OBS keeps a list of more than one);
        # no network here, so OBS uses it, and "Auto" is its first node.
        cache = os.path.join(home.config, "plugin_config", "rtmp-services")
        os.makedirs(cache, exist_ok=True)
        with open(os.path.join(cache, "twitch_ingests.json"), "w") as f:
            json.dump({"ingests": [{"_id": i + 1, "availability": 1.0, "default": i == 0, "name": name,
                                    "url_template": "rtmp://%s:%d/app/{stream_key}" % (address, PORT),
                                    "url_template_secure": "rtmps://%s:443/app/{stream_key}" % address,
                                    "priority": i + 1}
                                   for i, (name, address) in enumerate([("Loopback B", "127.0.0.2"),
                                                                        ("Loopback A", "127.0.0.1")])]}, f)
        hosts = os.path.join(tmp, "hosts")
        with open(hosts, "w") as f:
            f.write("127.0.0.1 localhost\n127.0.0.1 %s\n" % YOUTUBE_HOST)
        with obsharness.xdisplay() as display:
            with obsharness.Obs(home, display, hosts=hosts) as obs:
                obs.wait_log(r"==== Startup complete", 120)
                ws = obs.websocket(ws_port)
                migrated = obsharness.poll_until("the old service became Custom",
                    lambda: (lambda s: s if s.get("streamServiceType") == "rtmp_custom" else None)(
                        ws.request("GetStreamServiceSettings")[1]), 30)
                got = migrated.get("streamServiceSettings", {})
                check(got.get("server") == legacy_server and got.get("key") == KEY,
                      "the old profile's server and key are kept in OBS's Custom service")
                route_is(ws, viaPlugin=True, serviceType="rtmp_custom")
                for run, (label, service_type, settings, expected, _) in enumerate(RUNS, 1):
                    one_stream(ws, ingest, label, service_type, settings, expected, run)
                # Not RTMP: OBS's own output for that protocol, and the dock says why.
                ws.request("SetStreamServiceSettings", {"streamServiceType": "rtmp_custom", "streamServiceSettings": {
                    "server": "srt://127.0.0.1:9000", "key": ""}})
                route_is(ws, viaPlugin=False, reason="protocol", protocol="SRT")
                # Enhanced Broadcasting: OBS's multitrack output, OBS's own.
                twitch = dict(RUNS[2][2], key=KEY)
                ws.request("SetStreamServiceSettings", {"streamServiceType": "rtmp_common",
                                                        "streamServiceSettings": twitch})
                ok, _, status = ws.request("SetProfileParameter", {"parameterCategory": "Stream1",
                    "parameterName": "EnableMultitrackVideo", "parameterValue": "true"})
                check(ok, "Enhanced Broadcasting switched on in the profile (%s)" % status)
                route_is(ws, viaPlugin=False, reason="multitrack")
                ws.request("SetProfileParameter", {"parameterCategory": "Stream1",
                    "parameterName": "EnableMultitrackVideo", "parameterValue": "false"})
                route_is(ws, viaPlugin=True, service="Twitch", autoServer=True)
                rc = obs.quit()
            check(rc in (0, None), "OBS exited cleanly (%s)" % rc)
        log = home.log_text()
        report = ingest.stop()
    with open(os.path.join(out_dir, "%s-main-button.log" % tag), "w") as f:
        f.write(log)
    check(KEY not in log, "the stream key never appears in OBS's log")
    with open(os.path.join(profile, "service.json")) as f:
        saved = json.load(f)
    check(saved.get("type") == "rtmp_common" and saved.get("settings", {}).get("service") == "Twitch"
          and saved["settings"].get("server") == "auto",
          "the profile keeps the streamer's Twitch service with server Auto (%s)" % saved.get("type"))
    with open(os.path.join(profile, "obs-rtmp-goaway.json")) as f:
        check(json.load(f).get("main_button") is True, "the main-button setting is saved on")
    tc_urls = [c.get("connect", {}).get("tcUrl") for c in report.get("connections", [])]
    for label, _, _, _, tc_url in RUNS:
        check(tc_url in tc_urls, "%s: the ingest saw the service's server as tcUrl %s (%s)" % (label, tc_url, tc_urls))
    streams = report.get("streams", [])
    check(len(streams) == len(RUNS), "the ingest received one stream per run (%d)" % len(streams))
    for s in streams:
        check(s["missingVideoFrames"] == 0 and s["missingAudioFrames"] == 0,
              "no missing frame at the ingest (video %d, audio %d)" % (s["missingVideoFrames"], s["missingAudioFrames"]))
    check(report["signalsSent"] == len(RUNS), "one Go Away per run (%d)" % report["signalsSent"])
    print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
