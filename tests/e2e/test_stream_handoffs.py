#!/usr/bin/env python3
"""E2E: real libobs (goaway-stream: x264 + AAC, 30 fps, 2 s keyint) streams through
rtmp_goaway_output to goaway-ingest, which asks it to move; nothing the encoder produced may be
missing at the ingest.

usage: test_stream_handoffs.py SCENARIO BUILD_DIR INGEST_BINARY
scenarios: goaway, reconnect, rtt100, refuse, hang, ingest-list, backup-url, drop-mid-gop, stop-mid-handoff
"""

import http.server
import json
import os
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402
from streamharness import Ingest, check, print_cutovers, run_stream, single_stream  # noqa: E402

# Each schedule is bounded (--signal-count) so the last signal comes at least 10 s before the stream
# ends: a signal in the final seconds would race the stop (that is stop-mid-handoff's own scenario).
SCENARIOS = {
    # name: (ingest args, stream seconds, signals sent)
    "goaway": (["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--signal", "goaway", "--goaway-every", "10s", "--signal-count", "5"], 60, 5),
    "reconnect": (["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--signal", "reconnect",
                   "--reconnect-tcurl", "absolute", "--goaway-every", "10s", "--signal-count", "5"], 60, 5),
    "rtt100": (["--listen", "127.0.0.1:0,latency=50", "--listen", "127.0.0.1:0,latency=50", "--signal", "goaway",
                "--goaway-every", "10s", "--signal-count", "5"], 60, 5),
    # The ReconnectRequest points at a node that refuses / hangs: the output must try the next
    # candidate (the configured URL) while it keeps streaming on the old connection.
    "refuse": (["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0,refuse", "--signal", "reconnect",
                "--reconnect-tcurl", "absolute", "--goaway-every", "10s", "--signal-count", "3"], 40, 3),
    "hang": (["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0,hang", "--signal", "reconnect",
              "--reconnect-tcurl", "absolute", "--goaway-every", "15s", "--signal-count", "2"], 45, 2),
    # The old node drops the connection mid-GOP right after its Go Away: resume from the last keyframe.
    # Go Away, and a local HTTP ingest list (this plugin's generic shape) naming the other node first.
    "ingest-list": (["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--signal", "goaway", "--goaway-every", "10s", "--signal-count", "2"], 35, 2),
    # Go Away from the configured node, whose host name (127.0.0.1) gives no other node: the
    # streamer's backup ingest URL (the other node) is where it goes, not back to the same node.
    "backup-url": (["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--signal", "goaway", "--goaway-every", "10s", "--signal-count", "2"], 35, 2),
    "drop-mid-gop": (["--listen", "127.0.0.1:0,drop-after-signal=300", "--listen", "127.0.0.1:0", "--signal", "goaway",
                      "--goaway-every", "10s", "--signal-count", "3"], 40, 3),
    # OBS stops (and goaway-stream shuts libobs down) while a handoff to a hanging node is still
    # pre-connecting: a clean stop, both sessions closed, nothing missing up to the stop.
    "stop-mid-handoff": (["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0,hang", "--signal", "reconnect",
                          "--reconnect-tcurl", "absolute", "--goaway-every", "12s", "--signal-count", "1"], 15, 1),
}


def serve_ingest_list(ports):
    """A loopback HTTP ingest list: node n1 first, then n0. Returns (server, url)."""
    body = json.dumps({"ingests": [{"url": "rtmp://127.0.0.1:%d/live" % ports[1], "priority": 1, "name": "n1"},
                                   {"url": "rtmp://127.0.0.1:%d/live" % ports[0], "priority": 2, "name": "n0"}]}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, "http://127.0.0.1:%d/ingests" % server.server_address[1]


def main():
    scenario, build_dir, ingest_bin = sys.argv[1], sys.argv[2], sys.argv[3]
    args, seconds, min_signals = SCENARIOS[scenario]
    workdir = tempfile.mkdtemp(prefix="goaway-e2e-%s-" % scenario)
    print("scenario %s, work dir %s" % (scenario, workdir), flush=True)
    ingest = Ingest(ingest_bin, args, workdir)
    extra, list_server = [], None
    try:
        if scenario == "ingest-list":
            list_server, list_url = serve_ingest_list([ingest.port(0), ingest.port(1)])
            extra = ["--set", "resolver=ingest-list", "--set", "ingest_list_url=" + list_url]
        if scenario == "backup-url":
            # A line that is only spaces, and the backup URL: what a streamer pastes.
            extra = ["--set", "backup_urls=  \nrtmp://127.0.0.1:%d/live\n" % ingest.port(1)]
        url = "rtmp://127.0.0.1:%d/live" % ingest.port(0)
        with obsharness.xdisplay() as display:
            stats = run_stream(build_dir, display, url, seconds, workdir, extra=extra)
    finally:
        report = ingest.stop()
        if list_server:
            list_server.shutdown()
    final = stats.get("finalStats") or {}
    handoffs = stats.get("handoffs") or []
    check(not stats.get("error"), "goaway-stream ran: %s" % stats.get("error", "ok"))
    check(stats.get("stoppedByItself") is False, "the output streamed until asked to stop (last error: %r)" % stats.get("lastError"))
    stream = single_stream(report)
    print_cutovers(stream)
    # Packets encoded past the stop point are, by OBS's stop(ts) contract, never sent.
    encoded = final.get("videoPacketsEncoded", -1) - final.get("videoPacketsAfterStop", 0)
    print("encoded video %s audio %s before the stop; received unique video %s audio %s; dropped %s; duplicates %s" %
          (encoded, final.get("audioPacketsEncoded", -1) - final.get("audioPacketsAfterStop", 0), stream["uniqueVideoFrames"], stream["uniqueAudioFrames"],
           final.get("droppedFrames"), stream["duplicateFrames"]), flush=True)
    check(report["signalsSent"] == min_signals, "the ingest sent its %d scheduled signals (%d)" % (min_signals, report["signalsSent"]))
    check(stream["missingVideoFrames"] == 0, "0 missing video frames (%d)" % stream["missingVideoFrames"])
    check(stream["missingAudioFrames"] == 0, "0 missing audio frames (%d)" % stream["missingAudioFrames"])
    check(final.get("droppedFrames") == 0, "the output dropped no frame")
    check(stream["uniqueVideoFrames"] == encoded, "frames encoded (%s) == unique video frames received (%d)" %
          (encoded, stream["uniqueVideoFrames"]))
    published = [c for c in report["connections"] if c.get("publishedAtMs") is not None]
    check(all(c["firstMedia"]["ok"] for c in published),
          "every new connection starts with metadata + sequence headers + a keyframe")
    check(all(c["connect"]["supportsGoAway"] is True and c["connect"]["supportsGoAwayType"] == "boolean" and
              c["connect"]["capsEx"] == 1 for c in published), "every connect announces supportsGoAway (boolean) and capsEx 1")
    ok = [h for h in handoffs if h["result"] == "Succeeded"]
    check(all(h["framesLost"] == 0 for h in handoffs), "no handoff record reports a lost frame")
    if scenario == "drop-mid-gop":
        check(len(published) >= 3, "the output came back after each drop (%d publishes)" % len(published))
    else:
        expected_ok = 0 if scenario == "stop-mid-handoff" else min_signals
        check(len(ok) == expected_ok, "%d handoffs succeeded (%d of %d)" % (expected_ok, len(ok), len(handoffs)))
        check(stream["duplicateFrames"] == 0, "no duplicate frame without a lost connection")
    if scenario in ("goaway", "rtt100"):
        goaway_closed = [c for c in published[:-1] if any(s["kind"] == "goaway" for s in c["signalsSent"])]
        check(goaway_closed and all(not c["fcUnpublish"] and not c["deleteStream"] for c in goaway_closed),
              "no FCUnpublish / deleteStream on a connection left after a Go Away")
        dead = [h["deadAirMs"] for h in ok if h.get("deadAirMs") is not None]
        print("dead air at the output (ms): %s" % dead, flush=True)
    if scenario == "reconnect":
        nodes = [c["node"] for c in published]
        check(len(set(nodes)) == 2, "the stream moved between both nodes: %s" % nodes)
        check(all(c["fcUnpublish"] for c in published[:-1]), "the old connection is closed gracefully after a ReconnectRequest")
        # Issue 16, item 4: the resolver's probe of the node the tcUrl names is the session's TCP connection.
        check(ok and all((h.get("preconnect") or {}).get("probeConnection") is True for h in ok),
              "each handoff's session took the resolver's probe connection (%s)" %
              [(h.get("preconnect") or {}).get("probeConnection") for h in ok])
    if scenario == "ingest-list":
        first = ok[0] if ok else {}
        check(first.get("toSource") == "ingest list" and first.get("to", {}).get("port") == ingest.port(1),
              "the first Go Away moved the stream to the node the ingest list names first (%s)" % first.get("to"))
        check(published[1]["node"] == "n1", "the second publish landed on n1")
    if scenario == "backup-url":
        first = ok[0] if ok else {}
        check(first.get("toSource") == "backup" and first.get("to", {}).get("port") == ingest.port(1),
              "the first Go Away moved the stream to the backup URL's node (%s from %s)" %
              (first.get("to"), first.get("toSource")))
        check(published[1]["node"] == "n1", "the second publish landed on n1, the backup")
        # What the dock's settings show: per source, what the latest resolution gave (the second
        # Go Away's, from n1: the backup is now the draining node, n0 still in its cool-down).
        sources = {s["source"]: s for s in (stats.get("state") or {}).get("resolverSources", [])}
        print("resolver sources: %s" % sorted(sources.values(), key=lambda s: s["source"]), flush=True)
        check(set(sources) == {"DNS", "backup URL", "configured URL"} and
              sources["backup URL"]["usable"] + sources["backup URL"]["draining"] == 0 and
              "same node" in sources["backup URL"]["reason"] and
              sources["DNS"]["draining"] == 1 and sources["configured URL"]["draining"] == 1,
              "the state says what each source gave for the latest handoff")
    if scenario in ("refuse", "hang"):
        check(all(c["node"] == "n0" for c in published), "every publish landed on the working node")
    if scenario == "stop-mid-handoff":
        state = (stats.get("state") or {}).get("state")
        check(state in ("resolving", "preconnecting", "awaiting-cut", "reconnecting", "confirming"),
              "the stop came during a handoff (state %s)" % state)
        check(stats.get("stopSignalSeen") is True, "the output stopped cleanly (stop signal seen)")
        check(all(c.get("closedAtMs") is not None for c in report["connections"]), "every connection was closed")
    print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
