"""The benchmark's markdown table and dead-air chart, from the JSON files bench.py wrote."""

import glob
import json
import os
import shutil
import statistics

from chart import write_chart

CLIENT_LABELS = {
    "plugin-mbb": "obs-rtmp-goaway, make-before-break",
    "plugin-bbm": "obs-rtmp-goaway, break-before-make",
    "obs-goaway": "OBS {v} rtmp_output, Go Away",
    "obs-close": "OBS {v} rtmp_output, server closes (default reconnect)",
    "plugin-reset": "obs-rtmp-goaway, server resets",
    "plugin-reset-standby": "obs-rtmp-goaway + hot standby, server resets",
    "plugin-stall": "obs-rtmp-goaway, path dies",
    "obs-reset": "OBS {v} rtmp_output, server resets",
    "obs-stall": "OBS {v} rtmp_output, path dies",
}
CLIENT_COLORS = {"plugin-mbb": "#1b7837", "plugin-bbm": "#66bd63", "obs-goaway": "#2166ac", "obs-close": "#b2182b",
                 "plugin-reset": "#1b7837", "plugin-reset-standby": "#00441b", "plugin-stall": "#66bd63", "obs-reset": "#b2182b", "obs-stall": "#f4a582"}
CLIENT_ORDER = ["plugin-mbb", "plugin-bbm", "obs-goaway", "obs-close",
                "plugin-reset", "plugin-reset-standby", "obs-reset", "plugin-stall", "obs-stall"]
# Rows of the second table: failures without any signal (issue 16).
NO_SIGNAL = ("plugin-reset", "plugin-reset-standby", "plugin-stall", "obs-reset", "obs-stall")
TARGET_DEAD_AIR_MS = 33
TARGET_CPU_RATIO = 0.8


def _mm(values, fmt="%.0f"):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    return (fmt + " / " + fmt) % (statistics.median(values), max(values))


def _version(text):
    """"29.0.2.1-1+b1" (Debian 12) and "32.2.2+ds-1" (sid) -> "29.0.2", "32.2.2"."""
    return ".".join((text or "?").split("-")[0].split("+")[0].split(".")[:3])


def _label(r):
    return CLIENT_LABELS[r["client"]].format(v=_version(r.get("obsVersion")))


def _lost(r):
    """Frames lost: the ingest's count from timestamps; where the client restarted its timestamps on
    the new connection that count cannot see a gap at the seam, so the wall-clock count is used."""
    if r["timestampResets"]:
        seams = [c for c in r["cutovers"] if c["timestampReset"]]
        shifted = sum(c["framesLostByShift"] or 0 for c in seams)
        unknown = any(c["framesLostByShift"] is None for c in seams)
        return r["missingFrames"] + shifted, "†≥" if unknown else "†"
    return r["missingFrames"], ""


def _above(cut):
    """Per seam: windowed dead air minus the largest gap of its stream's ordinary 2 s stretches (the
    machine's own jitter: a seam window is compared with the worst ordinary window, not the typical one,
    since a window 2-3 s long meets the machine's rarer hiccups as often as an ordinary one does)."""
    return [c["deadAirMs"] - c["ordinaryGapMaxMs"] for c in cut
            if c.get("deadAirMs") is not None and c.get("ordinaryGapMaxMs") is not None]


def _ordinary(cut):
    """"median / max" of the ordinary stretches (one pair per segment of the row)."""
    pairs = sorted({(c["ordinaryGapMs"], c["ordinaryGapMaxMs"]) for c in cut
                    if c.get("ordinaryGapMs") is not None and c.get("ordinaryGapMaxMs") is not None})
    return ", ".join("%d / %d" % p for p in pairs) or "–"


def _max(values):
    values = [v for v in values if v is not None]
    return "%.0f" % max(values) if values else "–"


def handoff_table(rows):
    lines = ["| Client | RTT | Handoffs | Frames lost | Duplicates | Dead air (window), median / max (ms) | "
             "Ordinary stretches' largest gap, median / max (ms) | Dead air above ordinary max, max (ms) | Switch gap, median / max (ms) | "
             "Cutover delay, median / max (ms) | Latency back to pre-handoff level, median / max (ms) | "
             "Peak extra latency, max (ms) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    aborted = []
    for r in rows:
        cut = r["cutovers"]
        lost, mark = _lost(r)
        never = sum(1 for c in cut if c["latencyRecoveryMs"] is None)
        rec = _mm([c["latencyRecoveryMs"] for c in cut])
        if never:
            rec += " (%d of %d never)" % (never, len(cut))
        stopped = " (stream stopped)" if (r.get("runner") or {}).get("stoppedByItself") else ""
        stalls = r.get("aborted") or []
        if isinstance(stalls, str):
            stalls = [stalls]
        if stalls:
            stopped += " ‡%d" % len(stalls)
            aborted.append("‡%d %s at %d ms: the stream stalled %d time(s) and the client was restarted "
                           "(%s)." % (len(stalls), _label(r), r["rtt"], len(stalls), "; ".join(stalls)))
        lines.append("| %s | %d ms | %d%s | %s%s | %d | %s | %s | %s | %s | %s | %s | %s |" %
                     (_label(r), r["rtt"], r["handoffs"], stopped, "≥" * ("≥" in mark) + str(lost), mark.replace("≥", ""),
                      r["duplicates"],
                      _mm([c.get("deadAirMs") for c in cut]), _ordinary(cut),
                      _max(_above(cut)), _mm([c.get("switchGapMs") for c in cut]),
                      _mm([c["cutoverDelayMs"] for c in cut]), rec,
                      _mm([c["peakExtraMs"] for c in cut]).split(" / ")[-1]))
    return "\n".join(lines + ([""] + aborted if aborted else []))


def no_signal_table(rows):
    """Failures without a signal: what the ingest counted beside what the output's records say."""
    lines = ["| Client | RTT | Failures | Frames lost | Duplicates | Detection, median / max (ms) | "
             "Dead air (window), median / max (ms) | Switch gap, median / max (ms) | Records: triggers | "
             "Records: frames lost (ingest: frames lost) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        cut, recs = r["cutovers"], r.get("records") or []
        lost, mark = r["missingFrames"], ""
        if r["timestampResets"]:  # seconds-long holes: the wall-clock count (see the note below)
            lost, mark = r["lostByClock"]["video"] + r["lostByClock"]["audio"], "*"
        triggers = ", ".join("%s %d" % (t, sum(1 for h in recs if h.get("trigger") == t))
                             for t in sorted({h.get("trigger") for h in recs if h.get("trigger")})) or "–"
        if recs:
            said = sum(h.get("framesLost") or 0 for h in recs)
            unknown = sum(1 for h in recs if h.get("framesLostKnown") is False)
            record = "%d%s (%s%s)" % (said, " + %d bound(s)" % unknown if unknown else "", lost, mark)
        else:
            record = "no records (%s%s)" % (lost, mark)
        stalls = r.get("aborted") or []
        lines.append("| %s | %d ms | %d%s | %s%s | %d | %s | %s | %s | %s | %s |" %
                     (_label(r), r["rtt"], r["handoffs"], " ‡%d" % len(stalls) if stalls else "",
                      "≥" * ("≥" in mark) + str(lost), mark.replace("≥", ""), r["duplicates"],
                      _mm([h.get("detectionMs") for h in recs]), _mm([c.get("deadAirMs") for c in cut]),
                      _mm([c.get("switchGapMs") for c in cut]), triggers, record))
    return "\n".join(lines)


# libobs delivers encoded video packets to the outputs on the thread that runs the video encoders
# ("video-io: video" in libobs 29 to 32): an output's packet callback (muxing, Annex-B -> AVCC) runs there.
ENCODER_THREAD_PREFIXES = ("video-io", "obs-encoder", "encoder")


def sender_ns(run):
    """CPU of the threads the output started, plus the encoder thread that runs its callback."""
    return sum(t["ns"] for t in run["threads"] if t["new"] or t["name"].startswith(ENCODER_THREAD_PREFIXES))


def cpu_rows(runs):
    """Sender CPU seconds per GB = (sender_ns - the null output's sender_ns rate x the same wall time)
    / bytes sent, median over the repeats; and, for reference, the output's own threads alone."""
    out = []
    for kbps in sorted({r["kbps"] for r in runs}):
        null = [r for r in runs if r["kbps"] == kbps and r["output"] == "goaway_bench_null_output"]
        null_rate = statistics.median(sender_ns(r) / r["wallNs"] for r in null) if null else 0.0
        for output in ("rtmp_goaway_output", "rtmp_output"):
            sel = [r for r in runs if r["kbps"] == kbps and r["output"] == output]
            if not sel:
                continue
            per_gb = statistics.median((sender_ns(r) - null_rate * r["wallNs"]) / r["bytes"] for r in sel)
            threads = statistics.median(r["newThreadsNs"] / r["bytes"] for r in sel)
            mbps = statistics.median(r["bytes"] * 8 / (r["wallNs"] / 1e9) / 1e6 for r in sel)
            out.append({"output": output, "kbps": kbps, "perGB": per_gb, "threadsPerGB": threads, "mbps": mbps,
                        "runs": len(sel), "obsVersion": sel[0].get("obsVersion"),
                        "threadNames": sorted({t["name"] for r in sel for t in r["threads"] if t["new"]})})
    return out


def cpu_table(runs):
    rows = cpu_rows(runs)
    lines = ["| Sender | Video bitrate | Measured send rate | Sender CPU per GB sent (s) | vs stock | "
             "CPU of the output's own threads per GB (s) |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        stock = next((s for s in rows if s["kbps"] == r["kbps"] and s["output"] == "rtmp_output"), None)
        ratio = "%.2f×" % (r["perGB"] / stock["perGB"]) if stock and stock["perGB"] > 0 else "–"
        name = ("obs-rtmp-goaway (rtmp_goaway_output)" if r["output"] == "rtmp_goaway_output" else
                "OBS %s rtmp_output" % _version(r["obsVersion"]))
        lines.append("| %s | %d Mbps | %.1f Mbps | %.2f | %s | %.2f |" %
                     (name, r["kbps"] // 1000, r["mbps"], r["perGB"], ratio, r["threadsPerGB"]))
    return "\n".join(lines), rows


def verdicts(rows, cpu):
    mine = [r for r in rows if r["client"] == "plugin-mbb"]
    out = []
    if mine:
        lost = sum(_lost(r)[0] for r in mine)
        out.append("- 0 frames lost (make-before-break, every RTT): %s (%d lost over %d handoffs)" %
                   ("**met**" if lost == 0 else "**not met**", lost, sum(r["handoffs"] for r in mine)))
        # Issue 19: every seam's windowed dead air at most one frame above the stream's ordinary jitter.
        worst = {r["rtt"]: max(_above(r["cutovers"]), default=None) for r in mine}
        complete = all(len(_above(r["cutovers"])) == r["handoffs"] for r in mine)
        ok = complete and all(v is not None and v <= TARGET_DEAD_AIR_MS for v in worst.values())
        out.append("- dead air (window) ≤ %d ms above the stream's ordinary jitter at every seam and RTT "
                   "(max per RTT: %s): %s" %
                   (TARGET_DEAD_AIR_MS, ", ".join("%d ms → %s ms" % (k, v) for k, v in sorted(worst.items())),
                    "**met**" if ok else "**not met**"))
    for kbps in sorted({c["kbps"] for c in cpu}):
        a = next((c for c in cpu if c["kbps"] == kbps and c["output"] == "rtmp_goaway_output"), None)
        b = next((c for c in cpu if c["kbps"] == kbps and c["output"] == "rtmp_output"), None)
        if a and b and b["perGB"] > 0:
            ratio = a["perGB"] / b["perGB"]
            out.append("- CPU per GB ≤ %.1f× the stock output at %d Mbps: %.2f× — %s" %
                       (TARGET_CPU_RATIO, kbps // 1000, ratio, "**met**" if ratio <= TARGET_CPU_RATIO else "**not met**"))
    return "\n".join(out)


NOTES = """Method. One machine (2 cores), everything on loopback inside `unshare -n`; `scripts/bench` runs it all.
The stream: goaway-stream (headless libobs) with a synthetic moving pattern and a 440 Hz tone through real
obs_x264 (1280x720, 30 fps, 2500 kbps CBR, keyframe every 2 s, veryfast) and ffmpeg_aac, into goaway-ingest with
two nodes; the RTT is TCP's own: the client runs behind goaway-delayline (its own network namespace joined to the
ingest's by tun devices, every packet held RTT/2 each way, Ethernet MTU). The ingest signals every
publishing connection after 6 s of stream and then 3.5 s into each new connection (Go Away, or a plain close for the last client: what a server does with
clients without Go Away support, i.e. what OBS 30–32 users get; OBS's default reconnect settings, first retry after
2 s). The plugin and the OBS 32 rows run in a Debian sid root (OBS {sid}); the OBS 29 row is Debian 12's own
OBS {host} (goaway-stream built against the host's libobs).
- Frames lost: frames whose timestamps never arrived (goaway-ingest's count over the stitched stream). †: the client
  restarted its timestamps at 0 on the new connection; the ingest then continues them right after the previous
  last frame, which hides a gap at that seam from the timestamp count, and media never sent shows up instead as a
  lasting latency shift of its duration: those seams add round(shift / frame interval) per track when the shift
  exceeds two frames and the window's jitter (shift = median
  latency over the last 1 s before the next signal minus the level before the handoff, when that second starts at
  least 1 s after the new connection's first message; ≥: some seam had no such second, e.g. the last one).
- Dead air (issue 19: as a viewer feels it): the longest wall-clock gap between media messages as the ingest
  received them, in a window from 1 s before the signal to 1 s after the new connection's first media; a hole after
  the keyframe on the new connection counts as much as one at the switch. Ordinary stretches: the same statistic
  for the stream outside every seam's window (its first second excluded), in 2 s windows; the median of those
  windows is the typical one, their maximum the machine's and encoder's own jitter (6 s of stream before the first
  signal guarantee some). Dead air above ordinary max: per seam, dead air minus its stream's largest ordinary gap
  (the target: ≤ one frame, 33 ms, at every seam; negative: the seam was calmer than the worst ordinary stretch). Switch
  gap: the old measure, old connection's last media → new connection's first. Cutover delay: signal sent → first
  media on the new connection (includes the wait for the next keyframe).
- Latency back: per media message, arrival wall time minus its (stitched) timestamp, smoothed per track by a running
  median of 5 messages; relative to that track's median over the 1 s before the old connection's last message. Time
  from the old connection's last message until the first message on the new connection that is back within 15 ms
  (or that window's own 90th-percentile jitter, if larger) of that level — a handoff without backlog recovers in
  exactly its dead air. "never": not back within 2.5 s of the new connection's first message (a client that dropped
  media and restarted its clock stays shifted for good). Peak extra latency: the largest excess in that interval.
- Sender CPU: no hardware counters on this VM (`perf stat -e instructions` says `<not supported>`), so CPU *time*
  (user + kernel, from the kernel's per-thread CPU clocks) instead of instruction counts. To isolate the sender from
  the encoder, the video encoder is a synthetic H.264 encoder in goaway-stream that emits Annex-B access units of
  exactly bitrate/fps bytes for almost no CPU; each run is 12 s of steady streaming after 4 s of warm-up, 640x360
  canvas, into goaway-ingest on loopback. Sender CPU = CPU time of the threads the output started (send thread(s),
  with the kernel's TCP send path) + CPU time of libobs' encoder thread (`video-io: video`, where the output's packet
  callback runs: muxing, Annex-B → AVCC), minus that encoder thread's CPU rate in the same run with a null output
  that discards the packets; divided by the bytes the output sent; median of the repeats. Whole-process CPU is no
  use here: rendering (llvmpipe) and audio mixing cost 10× more than the sender and vary by more than it costs. The
  last column counts only the threads the output started itself."""


NO_SIGNAL_NOTES = """The same stream and paths, but the node gives no warning: "server resets" sends a TCP RST
to the publishing connection (at its next non-key video frame, mid-GOP); "path dies" stops reading and answering
while keeping the socket open, and resets it 20 s later as a server's own timeout would. Each failure comes 3.5 s
into a connection. Detection (path dies): the output's record, from the moment an acknowledgement was due and
none came to the handoff's start; a reset is seen at once (the socket reports it), so its records carry none. Records: what the plugin's handoff records say was lost, with
"bound(s)" for records that could only give an upper bound, beside the ingest's own count (in brackets).
*: the client restarted its timestamps at 0 on the new connection, which hides the hole from the ingest's
timestamp count; frames lost are then counted by wall clock: video and audio frames the stream should have
carried between its first and last arrival at the ingest (30 fps, 48 kHz AAC) minus those that arrived."""


def write_report(out_dir, docs_dir=None):
    rows = []
    for path in glob.glob(os.path.join(out_dir, "handoffs-*.json")):
        with open(path) as f:
            rows.append(json.load(f))
    rows.sort(key=lambda r: (CLIENT_ORDER.index(r["client"]), r["rtt"]))
    cpu_runs = []
    if os.path.exists(os.path.join(out_dir, "cpu.json")):
        with open(os.path.join(out_dir, "cpu.json")) as f:
            cpu_runs = json.load(f)
    sid = next((r.get("obsVersion") for r in rows if r["client"] != "obs-goaway"), "?")
    host = next((r.get("obsVersion") for r in rows if r["client"] == "obs-goaway"), "?")
    failures = [r for r in rows if r["client"] in NO_SIGNAL]
    rows = [r for r in rows if r["client"] not in NO_SIGNAL]
    parts = ["### Handoffs (%s)" % ", ".join(sorted({"%d ms" % r["rtt"] for r in rows}, key=lambda s: int(s.split()[0]))
                                          ) if rows else "### Handoffs", "", handoff_table(rows), ""]
    if failures:
        parts += ["### Failures without a signal", "", no_signal_table(failures), "", NO_SIGNAL_NOTES, ""]
    cpu = []
    if cpu_runs:
        text, cpu = cpu_table(cpu_runs)
        parts += ["### Sender efficiency", "", text, ""]
    parts += ["### Targets", "", verdicts(rows, cpu), ""]
    parts += [NOTES.replace("{sid}", _version(sid)).replace("{host}", _version(host)), ""]
    loads = [r["loadAvg1"] for r in rows + cpu_runs if r.get("loadAvg1") is not None]
    if loads:
        parts += ["1-minute load average at the end of the runs (2 cores): %.1f to %.1f." % (min(loads), max(loads)), ""]
    text = "\n".join(parts)
    with open(os.path.join(out_dir, "table.md"), "w") as f:
        f.write(text)
    series, colors = {}, {}
    for r in rows:
        colors[_label(r)] = CLIENT_COLORS[r["client"]]
        dead = [c["deadAirMs"] for c in r["cutovers"] if c.get("deadAirMs") is not None]
        if dead:
            series.setdefault(_label(r), []).append((r["rtt"], statistics.median(dead), max(dead)))
    png = write_chart(series, os.path.join(out_dir, "dead-air.svg"), TARGET_DEAD_AIR_MS, colors)
    if docs_dir:
        os.makedirs(docs_dir, exist_ok=True)
        for name in ("table.md", "dead-air.svg", "dead-air.png"):
            if os.path.exists(os.path.join(out_dir, name)):
                shutil.copy(os.path.join(out_dir, name), os.path.join(docs_dir, name))
    print(text)
    if not png:
        print("(no PNG: ImageMagick's magick/convert not found; the SVG is there)")
    return 0
