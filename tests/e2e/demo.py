#!/usr/bin/env python3
"""The demo: real OBS with the plugin streams a visible scene through the dock's output to a
two-node local goaway-ingest behind one host name, ingest.goaway.test (127.0.0.2 and 127.0.0.3,
one port; scripts/demo gives the run a hosts file), with the dock's resolver on DNS. Three events:
1. Go Away from the node in use: the plugin re-resolves the name, leaves the draining address
   aside and moves to the other one;
2. an E-RTMP ReconnectRequest naming the other node (rtmp://node-a.goaway.test:PORT/live): the
   stream goes where the server said;
3. the node in use dies without a word (it stops reading and answering; the socket stays open):
   the plugin finds the dead path from what the node acknowledged, moves to the other node and
   sends again from the keyframe before the oldest unacknowledged byte.
At the end: a report (each handoff from -> to with host:port and address, frames lost, dead air,
what the ingest received and missed) and a screenshot of the OBS window in --out. Run through
scripts/demo (inside a private network namespace)."""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402
from obsws import free_port  # noqa: E402
from streamharness import Ingest  # noqa: E402

VENDOR = "obs-rtmp-goaway"
KEY = "demo-stream-key"
HOST = "ingest.goaway.test"  # both nodes (scripts/demo's hosts file)
NODES = {"node-a": ("127.0.0.2", "node-a.goaway.test"), "node-b": ("127.0.0.3", "node-b.goaway.test")}
SCREEN = (1920, 1080)  # Xvfb size; OBS's window is made to fill it
DOCK_WIDTH = 1100  # px: the timeline's columns (route with two host names and addresses, dead air, lost, result)
DOCK_ROW_Y = 650  # a row through the dock below the timeline's rows (three rows end near y = 470)
DOCK_RIGHT_MARGIN = 20  # px from the screen's right edge: inside the dock, off its frame
DOCK_SEPARATOR_OFFSET = 6  # px left of the dock's edge: QMainWindow's separator
DOCK_WIDEN_TIMEOUT_S = 30
HANDOFF_TIMEOUT_S = 30  # a handoff that has not published on the new node by then has failed
EVENTS = ("goaway", "reconnect", "stall")  # in this order, at 1/4, 2/4 and 3/4 of the run


def say(msg):
    print("[demo] " + msg, flush=True)


def shared_port():
    """A port free on both node addresses (the nodes share one port behind one name)."""
    for _ in range(50):
        with socket.socket() as a, socket.socket() as b:
            a.bind((NODES["node-a"][0], 0))
            port = a.getsockname()[1]
            try:
                b.bind((NODES["node-b"][0], port))
            except OSError:
                continue
            return port
    raise RuntimeError("no port free on both node addresses")


def check_names(port):
    """The demo's names must resolve to the nodes (only inside scripts/demo's run)."""
    try:
        got = sorted({a[4][0] for a in socket.getaddrinfo(HOST, port, type=socket.SOCK_STREAM)})
    except socket.gaierror as e:
        got = ["(%s)" % e]
    want = sorted(addr for addr, _ in NODES.values())
    if got != want:
        say("%s resolves to %s, not %s: run the demo through scripts/demo" % (HOST, got, want))
        sys.exit(2)


def endpoint(e):
    return "%s:%s (%s)" % (e.get("host"), e.get("port"), e.get("address") or "?")


def dead_air(h):
    """The record's dead air as the dock shows it: after a lost connection it is a bound."""
    sign = {"up-to": "<= ", "at-least": ">= "}.get(h.get("deadAirBasis"), "")
    return "%s%s ms" % (sign, h.get("deadAirMs"))


def missing(ingest):
    """The ingest's running count of missing frames (video, audio) over every stream."""
    streams = json.loads(ingest.control("report")).get("streams", [])
    return (sum(s["missingVideoFrames"] for s in streams), sum(s["missingAudioFrames"] for s in streams))


def publishing_node(ingest):
    conns = [c for c in json.loads(ingest.control("stats")).get("live", []) if c.get("publishing")]
    return conns[-1]["node"] if conns else None


def fill_screen(obs):
    """Without a window manager, the window is placed and sized directly."""
    wid = obs.main_window(60)
    subprocess.run(["xdotool", "windowmove", "--sync", wid, "0", "0", "windowsize", "--sync", wid, str(SCREEN[0]),
                    str(SCREEN[1])], env=obs.env, timeout=30, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def dock_edge(obs, path, y):
    """x of the right dock area's left edge on row y: the run of the dock's background colour that
    ends at the screen's right edge (OBS fills the screen)."""
    subprocess.run(["import", "-display", obs.display, "-window", "root", path], check=True, timeout=60, env=obs.env)
    row = subprocess.run(["convert", path, "-crop", "%dx1+0+%d" % (SCREEN[0], y), "-depth", "8", "txt:-"],
                         capture_output=True, text=True, timeout=60).stdout.splitlines()
    colours = [line.split()[2] for line in row if not line.startswith("#")]
    x = len(colours) - DOCK_RIGHT_MARGIN
    while x > 0 and colours[x - 1] == colours[len(colours) - DOCK_RIGHT_MARGIN]:
        x -= 1
    return x


def widen_dock(obs, scratch):
    """Drags the separator left of the dock (QMainWindow's dock splitter) until the dock is
    DOCK_WIDTH wide, so the handoff timeline shows every column. The dock's edge is read from the
    screen, on a row below the timeline's rows; retried (bounded) while OBS may still be laying out
    its window. If it never works, the timeline keeps its scroll bar (nothing else changes)."""
    y = DOCK_ROW_Y
    deadline = time.monotonic() + DOCK_WIDEN_TIMEOUT_S
    while time.monotonic() < deadline:
        edge = dock_edge(obs, scratch, y)
        if SCREEN[0] - edge >= DOCK_WIDTH:
            return True
        grab = edge - DOCK_SEPARATOR_OFFSET
        subprocess.run(["xdotool", "mousemove", "--sync", str(grab), str(y), "mousedown", "1", "sleep", "0.2",
                        "mousemove", "--sync", str(grab - 20), str(y), "sleep", "0.2", "mousemove", "--sync",
                        str(SCREEN[0] - DOCK_WIDTH - DOCK_SEPARATOR_OFFSET), str(y), "sleep", "0.2", "mouseup", "1",
                        "mousemove", "0", "0"],
                       env=obs.env, timeout=30, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    say("could not widen the dock (OBS's layout differs); the timeline keeps its scroll bar")
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin-dir", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    seconds = int(os.environ.get("GOAWAY_DEMO_SECONDS", "60"))
    os.makedirs(args.out, exist_ok=True)
    version = obsharness.obs_version()
    tmp = tempfile.mkdtemp(prefix="goaway-demo-")
    os.makedirs(os.path.join(tmp, "ingest"))
    port = shared_port()
    check_names(port)
    handoffs, state, shot, signals = [], {}, None, []
    listen = []
    for name, (addr, _) in NODES.items():
        listen += ["--listen", "%s:%d,name=%s" % (addr, port, name)]
    binary = os.path.join(args.build_dir, "tests", "ingest", "goaway-ingest")
    with Ingest(binary, listen, os.path.join(tmp, "ingest")) as ingest:
        say("goaway-ingest: %s -> node-a 127.0.0.2:%d and node-b 127.0.0.3:%d" % (HOST, port, port))
        ws_port = free_port()
        home = obsharness.ObsHome(os.path.join(tmp, "home"), websocket_port=ws_port, plugin_dir=args.plugin_dir)
        with open(os.path.join(home.config, "basic", "profiles", obsharness.PROFILE, "obs-rtmp-goaway.json"), "w") as f:
            json.dump({"server": "rtmp://%s:%d/live" % (HOST, port), "key": KEY, "resolver": "dns",
                       "handoff_mode": "make-before-break", "video_bitrate_kbps": 2500}, f)
        with obsharness.xdisplay(*SCREEN) as display:
            with obsharness.Obs(home, display) as obs:
                obs.wait_log(r"vendor obs-rtmp-goaway registered", 120)
                obs.wait_log(r"==== Startup complete", 90)
                if os.environ.get("GOAWAY_USE_DISPLAY") != "1":
                    fill_screen(obs)
                say("OBS %d.%d.%d is up with obs-rtmp-goaway (display %s)" % (version + (display,)))
                ws = obs.websocket(ws_port)
                ws.vendor(VENDOR, "StartStream")
                started = time.monotonic()
                ingest.wait("publishes=1", HANDOFF_TIMEOUT_S)
                say("streaming through the dock's output to rtmp://%s:%d/live for %d s; on %s" %
                    (HOST, port, seconds, publishing_node(ingest)))
                seen = [0]

                def pump(until, handoffs=None):
                    """Shows each Handoff event as the dock gets it, until `until` (monotonic) or,
                    given `handoffs`, until that many have been seen."""
                    while time.monotonic() < until and obs.proc.poll() is None and \
                            (handoffs is None or seen[0] < handoffs):
                        ws.drain(min(1.0, max(0.05, until - time.monotonic())))
                        events = ws.vendor_events(VENDOR, "Handoff")
                        for h in events[seen[0]:]:
                            say("handoff #%s (%s) %s -> %s: dead air %s, frames lost %s, %s" %
                                (h["id"], h["trigger"], endpoint(h["from"]), endpoint(h["to"]), dead_air(h),
                                 h["framesLost"], h["result"]))
                        seen[0] = len(events)

                before = missing(ingest)
                for k, event in enumerate(EVENTS, start=1):
                    pump(started + k * seconds / (len(EVENTS) + 1))
                    node = publishing_node(ingest)
                    if event == "goaway":
                        what, line = "Go Away", "goaway"
                    elif event == "reconnect":
                        other = "node-a" if node != "node-a" else "node-b"
                        url = "rtmp://%s:%d/live" % (NODES[other][1], port)
                        what, line = "ReconnectRequest naming %s" % url, "reconnect url=%s" % url
                    else:
                        what, line = "nothing: it stops reading and answering (a dead path)", "stall"
                    reply = ingest.control(line)
                    say("the ingest's %s sends %s (%s)" % (node, what, reply))
                    ingest.wait("publishes=%d" % (k + 1), HANDOFF_TIMEOUT_S)
                    pump(time.monotonic() + HANDOFF_TIMEOUT_S, handoffs=k)  # the output's record of it
                    now = missing(ingest)
                    signals.append({"signal": what, "fromNode": node, "toNode": publishing_node(ingest),
                                    "ingestMissingVideo": now[0] - before[0],
                                    "ingestMissingAudio": now[1] - before[1]})
                    say("the stream is on %s now; the ingest missed %d video / %d audio frames across it" %
                        (signals[-1]["toNode"], now[0] - before[0], now[1] - before[1]))
                    before = now
                pump(started + seconds)
                handoffs = ws.vendor(VENDOR, "GetHandoffs").get("handoffs", [])
                state = ws.vendor(VENDOR, "GetState")
                if os.environ.get("GOAWAY_USE_DISPLAY") != "1":
                    widen_dock(obs, os.path.join(tmp, "layout.png"))
                shot = obs.screenshot(os.path.join(args.out, "obs-%d.%d-demo.png" % version[:2]), window=True)
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
    moved = [h for h in handoffs if h.get("result") == "Succeeded" and h["from"].get("address") and
             h["to"].get("address") and h["from"]["address"] != h["to"]["address"]]
    summary = {
        "obs": "%d.%d.%d" % version, "seconds": seconds, "server": "rtmp://%s:%d/live" % (HOST, port),
        "handoffs": len(handoffs), "succeeded": sum(1 for h in handoffs if h.get("result") == "Succeeded"),
        "movedToAnotherAddress": len(moved),
        "framesLostByOutput": lost, "deadAirMs": dead, "signalsSent": report.get("signalsSent"),
        "ingestStreams": len(streams),
        "ingestMissingVideoFrames": sum(s["missingVideoFrames"] for s in streams),
        "ingestMissingAudioFrames": sum(s["missingAudioFrames"] for s in streams),
        "ingestUniqueVideoFrames": sum(s["uniqueVideoFrames"] for s in streams),
        "bytesSent": state.get("totalBytes"), "droppedFrames": state.get("droppedFrames"),
        "screenshot": shot,
    }
    with open(os.path.join(args.out, "report.json"), "w") as f:
        json.dump({"summary": summary, "signals": signals, "handoffs": handoffs, "ingest": report}, f, indent=1)
    say("---- report ----")
    say("OBS %s streamed %d s to %s; the ingest sent %s signals" %
        (summary["obs"], seconds, summary["server"], summary["signalsSent"]))
    for h, s in zip(handoffs, signals + [{}] * len(handoffs)):
        say("handoff #%s %s: %s -> %s, %s; dead air %s, frames lost by the output %s, missed by the "
            "ingest %s video / %s audio" %
            (h.get("id"), h.get("trigger"), endpoint(h["from"]), endpoint(h["to"]), h.get("result"),
             dead_air(h), h.get("framesLost"), s.get("ingestMissingVideo", "?"),
             s.get("ingestMissingAudio", "?")))
    say("handoffs: %d (%d succeeded, %d to another address); frames lost by the output: %d" %
        (summary["handoffs"], summary["succeeded"], len(moved), lost))
    say("ingest: %d video frames received, missing video %d, missing audio %d" %
        (summary["ingestUniqueVideoFrames"], summary["ingestMissingVideoFrames"], summary["ingestMissingAudioFrames"]))
    for s in streams:
        say("ingest: switch gap per cutover %s ms; dead air per cutover %s ms against ordinary 2 s stretches' "
            "%s ms median, %s ms largest" %
            ([c.get("switchGapMs") for c in s.get("cutovers", [])], [c.get("deadAirMs") for c in s.get("cutovers", [])],
             s.get("ordinaryGapMs"), s.get("ordinaryGapMaxMs")))
    say("screenshot: %s; full report: %s" % (shot, os.path.join(args.out, "report.json")))
    ok = lost == 0 and summary["ingestMissingVideoFrames"] == 0 and summary["ingestMissingAudioFrames"] == 0
    moves_ok = len(handoffs) == len(EVENTS) and len(moved) == len(EVENTS)
    triggers = [h.get("trigger") for h in handoffs]
    say("RESULT: %s; %s (%s)" % ("no media lost" if ok else "MEDIA LOST",
                                 "each event moved the stream to the other node" if moves_ok
                                 else "NOT EVERY EVENT MOVED THE STREAM TO THE OTHER NODE", ", ".join(map(str, triggers))))
    return 0 if ok and moves_ok else 1


if __name__ == "__main__":
    sys.exit(main())
