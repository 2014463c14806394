#!/usr/bin/env python3
"""E2E: OBS exits while a handoff is under way (real OBS 32.x in sid, 30.x in trixie).

The dock's output streams to node n0; a ReconnectRequest sends it to node n1, which accepts TCP and
then never answers, so the handoff stays in its pre-connect. OBS is told to quit right then. It
must exit by itself and cleanly: the module unloads, the live connection ends gracefully, the
half-open one to n1 is closed, no frame is missing up to the exit.

usage: test_obs_exit_mid_handoff.py PLUGIN_DIR INGEST_BINARY OUT_DIR
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402
from streamharness import Ingest, check, single_stream  # noqa: E402

VENDOR = "obs-rtmp-goaway"
KEY = "e2e-exit-mid-handoff-key"


def main():
    plugin_dir, ingest_bin, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    version, tag, tmp = obsharness.begin_test("goaway-exit-mid-handoff-", out_dir)
    with Ingest(ingest_bin, ["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0,hang", "--signal", "reconnect",
                             "--reconnect-tcurl", "absolute"], os.path.join(tmp, "ingest")) as ingest:
        home, ws_port = obsharness.dock_home(tmp, plugin_dir, "rtmp://127.0.0.1:%d/live" % ingest.port(0), KEY)
        with obsharness.xdisplay() as display:
            with obsharness.Obs(home, display) as obs:
                obs.wait_log(r"==== Startup complete", 120)
                ws = obs.websocket(ws_port)
                check(ws.vendor(VENDOR, "StartStream").get("accepted") is True, "StartStream accepted")
                obsharness.poll_until("the dock's output goes live", lambda: ws.vendor(VENDOR, "GetState").get("state") == "streaming", 60)
                ingest.wait("publishing=1 keyframes=2", 60)
                reply = ingest.control("reconnect")
                check(reply.startswith("ok sent=1 "), "ReconnectRequest to the hanging node sent (%s)" % reply)
                state = obsharness.poll_until("the handoff is pre-connecting to the hanging node",
                             lambda: (lambda s: s if s in ("resolving", "preconnecting") else None)(
                                 ws.vendor(VENDOR, "GetState").get("state")), 10, interval=0.1)
                ingest.wait("connections=2", 10)  # the TCP connection to n1 is open
                print("quitting OBS during the handoff (state %s)" % state, flush=True)
                began = time.monotonic()
                rc = obs.quit()
                quit_s = time.monotonic() - began
        report = ingest.stop()
    log = home.log_text()
    with open(os.path.join(out_dir, "%s-exit-mid-handoff.log" % tag), "w") as f:
        f.write(log)
    print("OBS quit in %.1f s" % quit_s, flush=True)
    check(rc in (0, None), "OBS exited by itself, cleanly (%s)" % rc)
    check("[obs-rtmp-goaway] [PluginModule] unloaded" in log, "the module unloaded")
    conns = report["connections"]
    live = [c for c in conns if c["node"] == "n0" and c.get("publishedAtMs") is not None]
    hung = [c for c in conns if c["node"] == "n1"]
    check(len(live) == 1 and live[0]["fcUnpublish"], "the live connection ended gracefully (FCUnpublish)")
    check(len(hung) >= 1 and all(c["publishedAtMs"] is None for c in hung), "nothing was published on the hanging node")
    check(all(c.get("closedAtMs") is not None and c["closeReason"] != "ingest shutdown" for c in conns),
          "OBS closed every connection itself (%s)" % [(c["node"], c["closeReason"]) for c in conns])
    stream = single_stream(report)
    check(stream["missingVideoFrames"] == 0 and stream["missingAudioFrames"] == 0,
          "no missing frame up to the exit (video %d, audio %d)" % (stream["missingVideoFrames"],
                                                                     stream["missingAudioFrames"]))
    check(KEY not in log, "the stream key never appears in OBS's log")
    print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
