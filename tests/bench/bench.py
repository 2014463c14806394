#!/usr/bin/env python3
"""Side-by-side benchmarks (issue 9): handoffs of four clients through goaway-ingest, and sender CPU.

Callers are inside `unshare -n` with lo up (loopback only). python3 stdlib only.

  bench.py handoffs CLIENT --build DIR --out DIR [--rtts 0,50,150] [--handoffs N]
      CLIENT: plugin-mbb | plugin-bbm (rtmp_goaway_output) | obs-goaway (stock rtmp_output, Go Away;
      meant for Debian 12's OBS 29.0.2) | obs-close (stock rtmp_output, the server closes the
      connection instead; OBS's default reconnect settings) | plugin-reset, plugin-reset-standby (with the
      hot standby), obs-reset (the node resets
      the connection, no signal) | plugin-stall, obs-stall (the path dies: the node stops reading and
      answering, and resets the connection STALL_HOLD later). One JSON file per RTT in --out.
  bench.py cpu --build DIR --out DIR [--seconds S] [--repeat N]
      Sender CPU per GB: rtmp_goaway_output and rtmp_output against a null output, at 6 and 50 Mbps.
  bench.py report --out DIR [--docs DIR]
      Markdown table (table.md) and chart (dead-air.svg, dead-air.png when ImageMagick is there).
"""

import argparse
import glob
import json
import os
import statistics
import re
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
os.environ.setdefault("GOAWAY_KEEP_TEST_DIRS", "1")  # the work directories are ours (results/)
import obsharness  # noqa: E402
from latency import cutover_latency  # noqa: E402
from streamharness import Ingest, run_stream, single_stream, start_stream, stop_stream  # noqa: E402
from table import write_report  # noqa: E402

FPS = 30
KEYINT_S = 2
AAC_FRAME_MS = 1024 * 1000.0 / 48000  # one AAC frame at 48 kHz
# Each handoff: the server signals once the current connection has carried STEADY_S of video (time for a
# pre-handoff baseline and for the previous handoff's backlog to settle), then waits for the next publish.
STEADY_S = 3.5
# Before the first signal: an ordinary stretch of the stream long enough for the ingest's 2 s windows
# (issue 19: dead air is judged against the stream's own jitter, measured outside every seam's window).
QUIET_S = 6
STEP_TIMEOUT_S = 30  # a client that does not publish again or sends nothing this long has failed
STREAM_KEY = "bench-secret-key"
MAX_SEGMENTS = 6
CLIENTS = {
    "plugin-mbb": dict(output="rtmp_goaway_output", extra=["--set", "handoff_mode=make-before-break"], mode="signal"),
    "plugin-bbm": dict(output="rtmp_goaway_output", extra=["--set", "handoff_mode=break-before-make"], mode="signal"),
    "obs-goaway": dict(output="rtmp_output", extra=[], mode="signal"),
    "obs-close": dict(output="rtmp_output", extra=[], mode="close"),
    # Failures without a signal (issue 16): the node resets the publishing connection (TCP RST mid-GOP),
    # or stops reading and answering while keeping the socket (a dead path / hung ingest) and resets it
    # STALL_HOLD later, as a server's own timeout would; without that a stock output waits for TCP's
    # retransmission timeout (minutes).
    "plugin-reset": dict(output="rtmp_goaway_output", extra=[], mode="reset"),
    # The same with the optional hot standby (issue 16, item 3): a second connection kept ready.
    "plugin-reset-standby": dict(output="rtmp_goaway_output", extra=["--set", "hot_standby=true"], mode="reset"),
    "plugin-stall": dict(output="rtmp_goaway_output", extra=[], mode="stall"),
    "obs-reset": dict(output="rtmp_output", extra=[], mode="reset"),
    "obs-stall": dict(output="rtmp_output", extra=[], mode="stall"),
}
STALL_HOLD = "20s"


def ingest_bin(build):
    return os.path.join(build, "tests", "ingest", "goaway-ingest")


def read_media_log(path):
    rows = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) == 6:
                rows.append((int(p[0]), int(p[1]), p[2], int(p[3]), int(p[4]), int(p[5])))
    return rows


def lost_by_clock(rows, track, interval_ms):
    """Frames of `track` that never arrived, from wall time: a stream of FPS frames a second should
    carry (last arrival - first arrival) / interval + 1 frames. Needed where a client restarts its
    timestamps on a new connection: the ingest then cannot see missing frames across the seam."""
    arr = [r[0] for r in rows if r[2] == track and r[4] >= 0]
    if len(arr) < 2:
        return 0
    expected = round((max(arr) - min(arr)) / interval_ms) + 1
    return max(0, expected - len(arr))


def analyse(workdir):
    """The figures of one handoff run, from what its work directory holds (run.json, the ingest's
    report.json and media.log, goaway-stream's statistics): `report` re-runs it, so the definitions
    can change without measuring again."""
    with open(os.path.join(workdir, "run.json")) as f:
        result = json.load(f)
    with open(os.path.join(workdir, "report.json")) as f:
        report = json.load(f)
    stats_path = os.path.join(workdir, "stream-%s.json" % result["output"])
    if os.path.exists(stats_path):
        with open(stats_path) as f:
            stats = json.load(f)
    else:  # the client hung on stop and was killed: its version is in its log
        stats = {"error": "goaway-stream did not stop and was killed"}
        with open(os.path.join(workdir, "stream-%s.log" % result["output"]), errors="replace") as f:
            m = re.search(r"goaway-stream: libobs (\S+),", f.read())
        stats["obsVersion"] = m.group(1) if m else None
    stream = report["streams"][0]
    rows = read_media_log(os.path.join(workdir, "media.log"))
    cutovers = stream.get("cutovers", [])
    lat = cutover_latency(rows, cutovers, {"v": 1000.0 / FPS, "a": AAC_FRAME_MS})
    result.update({
        "obsVersion": stats.get("obsVersion"), "handoffs": len(cutovers),
        "timestampResets": sum(1 for c in cutovers if c.get("timestampReset")),
        "missingFrames": stream["missingVideoFrames"] + stream["missingAudioFrames"],
        "lostByClock": {"video": lost_by_clock(rows, "v", 1000.0 / FPS), "audio": lost_by_clock(rows, "a", AAC_FRAME_MS)},
        "duplicates": stream["duplicateFrames"],
        # An ingest from before issue 19 reported the switch gap as deadAirMs: no windowed figure then.
        "cutovers": [dict(deadAirMs=c.get("deadAirMs") if "switchGapMs" in c else None,
                          switchGapMs=c.get("switchGapMs", c.get("deadAirMs")),
                          ordinaryGapMs=stream.get("ordinaryGapMs"), ordinaryGapMaxMs=stream.get("ordinaryGapMaxMs"),
                          cutoverDelayMs=c.get("cutoverDelayMs"),
                          timestampReset=c.get("timestampReset", False), **l) for c, l in zip(cutovers, lat)],
        "stream": {k: stream.get(k) for k in ("connections", "videoFrames", "audioFrames", "uniqueVideoFrames",
                                               "uniqueAudioFrames", "maxMediaGapMs", "ordinaryGapMs",
                                               "ordinaryGapMaxMs", "ordinaryWindows")},
        # The output's own handoff records (rtmp_goaway_output only): how each failure was found and
        # what the record says was lost, to set beside what the ingest counted.
        "records": [{k: h.get(k) for k in ("trigger", "detectionMs", "framesLost", "framesLostKnown",
                                           "duplicatesAtMost", "result")} for h in (stats.get("handoffs") or [])],
        "runner": {k: stats.get(k) for k in ("stoppedByItself", "stopCode", "lastError", "reconnects",
                                              "reconnectSuccesses", "totalFrames", "framesDropped", "skippedFrames",
                                              "error")},
    })
    return result


def ctl(ingest, line):
    reply = ingest.control(line)
    return reply


def stats(ingest):
    return json.loads(ctl(ingest, "stats"))


def drive_handoffs(ingest, handoffs, steady_frames, timeout_s, quiet_frames=None):
    """Exactly `handoffs` server signals, each once the stream has run steady_frames video frames on
    its current connection, each waiting for the client's next publish. Paced by the ingest's own
    frame count (its `wait` command), not by sleeping. Returns None or why it stopped early."""
    if ctl(ingest, "wait publishes=1 timeout=%d" % timeout_s) != "ok":
        return "the client never published"
    for k in range(1, handoffs + 1):
        target = stats(ingest)["video"] + (quiet_frames if k == 1 and quiet_frames else steady_frames)
        if ctl(ingest, "wait video=%d timeout=%d" % (target, timeout_s)) != "ok":
            return "no media for %d s on connection %d (handoff %d)" % (timeout_s, k, k)
        reply = ctl(ingest, "signal")
        counts = dict(kv.split("=", 1) for kv in reply.split()[1:] if "=" in kv)
        if not reply.startswith("ok") or not any(int(counts.get(k_, 0)) for k_ in ("sent", "closed", "reset", "stalled")):
            return "signal %d reached no publisher: %s" % (k, reply)
        if ctl(ingest, "wait publishes=%d timeout=%d" % (k + 1, timeout_s)) != "ok":
            return "the client did not publish again within %d s of signal %d" % (timeout_s, k)
    # A longer settled stretch after the last handoff: its lasting shift is measured there too.
    target = stats(ingest)["video"] + int(steady_frames * 1.6)
    if ctl(ingest, "wait video=%d timeout=%d" % (target, timeout_s)) != "ok":
        return "no media for %d s after the last handoff" % timeout_s
    return None


def run_segment(args, spec, display, rtt, workdir, handoffs):
    """One client process against one ingest: `handoffs` signals (fewer when the client fails)."""
    shutil.rmtree(workdir, ignore_errors=True)  # a stale ready file would point at a dead ingest
    os.makedirs(workdir)
    node = "127.0.0.1:0"  # the RTT is TCP's own: the client runs behind goaway-delayline
    if spec["mode"] == "stall":
        node += ",stall-hold=" + STALL_HOLD
    media_log = os.path.join(workdir, "media.log")
    ingest = Ingest(ingest_bin(args.build), ["--listen", node, "--listen", node, "--signal", "goaway",
                                             "--mode", spec["mode"], "--media-log", media_log], workdir)
    began = time.monotonic()
    # Long enough for every handoff to time out; normally stopped as soon as they are done.
    limit = handoffs * (STEADY_S + 2 * STEP_TIMEOUT_S) + 30
    proc, stats_path = start_stream(args.build, display, "rtmp://127.0.0.1:%d/live" % ingest.port(0), limit,
                                    workdir, spec["output"], ["--keyint", str(KEYINT_S), "--fps", str(FPS)] + spec["extra"],
                                    key=STREAM_KEY, rtt_ms=rtt)
    try:
        aborted = drive_handoffs(ingest, handoffs, int(STEADY_S * FPS), STEP_TIMEOUT_S, int(QUIET_S * FPS))
    finally:
        stop_stream(proc)
        report = ingest.stop()
    if aborted:
        print("%s rtt %d: %s" % (args.client, rtt, aborted), flush=True)
    for flv in glob.glob(os.path.join(workdir, "*.flv")):
        os.remove(flv)
    if not os.path.exists(stats_path):
        print("%s rtt %d: goaway-stream did not stop by itself and was killed" % (args.client, rtt), flush=True)
    if STREAM_KEY in open(os.path.join(workdir, "stream-%s.log" % spec["output"])).read():
        raise SystemExit("the stream key appears in the output's log")
    single_stream(report)
    with open(os.path.join(workdir, "run.json"), "w") as f:
        json.dump({"client": args.client, "rtt": rtt, "output": spec["output"], "serverMode": spec["mode"],
                   "requestedHandoffs": handoffs, "aborted": aborted, "wallS": round(time.monotonic() - began, 1),
                   "loadAvg1": os.getloadavg()[0]}, f)
    return analyse(workdir)


def merge(results):
    """Segments of one client and RTT (a client that stalled was restarted) as one row."""
    out = dict(results[0])
    for key in ("handoffs", "timestampResets", "missingFrames", "duplicates", "wallS"):
        out[key] = sum(r[key] for r in results)
    out["lostByClock"] = {t: sum(r["lostByClock"][t] for r in results) for t in ("video", "audio")}
    out["cutovers"] = [c for r in results for c in r["cutovers"]]
    out["records"] = [h for r in results for h in r.get("records", [])]
    out["aborted"] = [r["aborted"] for r in results if r.get("aborted")]
    out["segments"] = len(results)
    out["loadAvg1"] = max(r.get("loadAvg1") or 0 for r in results)
    out["obsVersion"] = next((r["obsVersion"] for r in results if r.get("obsVersion")), None)
    return out


def run_handoffs(args):
    spec = CLIENTS[args.client]
    os.makedirs(args.out, exist_ok=True)
    with obsharness.xdisplay() as display:
        for rtt in [int(x) for x in args.rtts.split(",")]:
            for old in glob.glob(os.path.join(args.out, "%s-rtt%d-*" % (args.client, rtt))):
                shutil.rmtree(old, ignore_errors=True)
            segments = []
            # A client whose stream stalls is restarted (a fresh process, a fresh ingest) until the
            # handoffs add up, at most MAX_SEGMENTS times; the table counts the stalls.
            while sum(r["handoffs"] for r in segments) < args.handoffs and len(segments) < MAX_SEGMENTS:
                need = args.handoffs - sum(r["handoffs"] for r in segments)
                workdir = os.path.join(args.out, "%s-rtt%d-%d" % (args.client, rtt, len(segments)))
                segments.append(run_segment(args, spec, display, rtt, workdir, need))
            result = merge(segments)
            with open(os.path.join(args.out, "handoffs-%s-rtt%d.json" % (args.client, rtt)), "w") as f:
                json.dump(result, f, indent=1)
            dead = [c["deadAirMs"] for c in result["cutovers"] if c["deadAirMs"] is not None]
            above = [c["deadAirMs"] - c["ordinaryGapMaxMs"] for c in result["cutovers"]
                     if c["deadAirMs"] is not None and c["ordinaryGapMaxMs"] is not None]
            print("%-11s rtt %3d ms: %2d handoffs, missing %d, lost by clock v%d/a%d, dup %d, dead air (window) median %s "
                  "max %s ms, above ordinary max %s ms, latency back after %s ms (median), %d stalls" %
                  (args.client, rtt, result["handoffs"], result["missingFrames"], result["lostByClock"]["video"],
                   result["lostByClock"]["audio"], result["duplicates"],
                   statistics.median(dead) if dead else "-", max(dead) if dead else "-", max(above) if above else "-",
                   _median([c["latencyRecoveryMs"] for c in result["cutovers"]]), len(result["aborted"])), flush=True)
    return 0


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else "-"


CPU_OUTPUTS = ["goaway_bench_null_output", "rtmp_goaway_output", "rtmp_output"]
CPU_BITRATES = [6000, 50000]


def run_cpu(args):
    os.makedirs(args.out, exist_ok=True)
    runs = []
    with obsharness.xdisplay() as display:
        for rep in range(args.repeat):
            for kbps in CPU_BITRATES:
                for output in args.outputs.split(","):
                    workdir = os.path.join(args.out, "cpu-%s-%d-%d" % (output, kbps, rep))
                    shutil.rmtree(workdir, ignore_errors=True)
                    os.makedirs(workdir)
                    ingest = Ingest(ingest_bin(args.build), ["--listen", "127.0.0.1:0"], workdir)
                    try:
                        stats = run_stream(args.build, display, "rtmp://127.0.0.1:%d/live" % ingest.port(0),
                                           args.seconds, workdir, output=output,
                                           extra=["--video-encoder", "goaway_bench_h264", "--bitrate", str(kbps),
                                                  "--size", "640x360", "--fps", str(FPS), "--keyint", str(KEYINT_S),
                                                  "--cpu-from", str(args.warmup)])
                    finally:
                        ingest.stop()
                    for flv in glob.glob(os.path.join(workdir, "*.flv")):
                        os.remove(flv)
                    cpu = stats.get("cpu")
                    if not cpu:
                        raise SystemExit("no CPU figures from goaway-stream (%s): %s" % (output, stats.get("error")))
                    out_threads = sum(t["ns"] for t in cpu["threads"] if t["new"])
                    run = {"output": output, "kbps": kbps, "rep": rep, "wallNs": cpu["wallNs"],
                           "loadAvg1": os.getloadavg()[0],
                           "processNs": cpu["processNs"], "newThreadsNs": out_threads, "bytes": cpu["bytes"],
                           "threads": cpu["threads"], "obsVersion": stats.get("obsVersion")}
                    runs.append(run)
                    print("cpu %-24s %5d kbps rep %d: process %.3f s, threads started by the output %.3f s, "
                          "%.1f MB in %.1f s" % (output, kbps, rep, run["processNs"] / 1e9, out_threads / 1e9,
                                                 run["bytes"] / 1e6, run["wallNs"] / 1e9), flush=True)
    with open(os.path.join(args.out, "cpu.json"), "w") as f:
        json.dump(runs, f, indent=1)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    h = sub.add_parser("handoffs")
    h.add_argument("client", choices=sorted(CLIENTS))
    h.add_argument("--build", required=True)
    h.add_argument("--out", required=True)
    h.add_argument("--rtts", default="0,50,150")
    h.add_argument("--handoffs", type=int, default=10)
    c = sub.add_parser("cpu")
    c.add_argument("--build", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--seconds", type=float, default=16)
    c.add_argument("--warmup", type=float, default=4)
    c.add_argument("--repeat", type=int, default=2)
    c.add_argument("--outputs", default=",".join(CPU_OUTPUTS))
    r = sub.add_parser("report")
    r.add_argument("--out", required=True)
    r.add_argument("--docs")
    args = ap.parse_args()
    if args.cmd == "handoffs":
        return run_handoffs(args)
    if args.cmd == "cpu":
        return run_cpu(args)
    groups = {}
    for run in sorted(glob.glob(os.path.join(args.out, "*-rtt*-*", "run.json"))):
        result = analyse(os.path.dirname(run))
        groups.setdefault((result["client"], result["rtt"]), []).append(result)
    for (client, rtt), results in groups.items():
        with open(os.path.join(args.out, "handoffs-%s-rtt%d.json" % (client, rtt)), "w") as f:
            json.dump(merge(results), f, indent=1)
    return write_report(args.out, args.docs)


if __name__ == "__main__":
    sys.exit(main())
