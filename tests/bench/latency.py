"""End-to-end latency around each handoff, from goaway-ingest's --media-log.

Per media message: latency L = arrival wall time (ms) - its timestamp in the stitched stream,
smoothed per track by a running median over SMOOTH messages (one frame's encoder jitter is not a level). The
difference has an arbitrary constant offset (the clocks' origins differ), so only changes matter.
For each cutover and each track:
  * base = median L over the messages of that track arriving in the BASE_WINDOW_MS before the old
    connection's last message (the level just before the handoff disturbs anything);
  * tolerance = the larger of TOLERANCE_MS and the 90th percentile - median of that window (the
    encoder's own jitter when the machine is loaded);
  * back at = the arrival of the first message on the new connection whose (smoothed) latency is
    within base + tolerance again, looking RECOVERY_WINDOW_MS past the new connection's first
    message (and not past the next signal);
  * latencyRecoveryMs = back at - the old connection's last media message (so a handoff without
    any backlog recovers in exactly its dead air); None when it does not come back in that window (a client that dropped frames and restarted its timestamps comes
    back shifted for good);
  * peakExtraMs = the largest (smoothed) L - base in that window (the viewer's extra delay at its
    worst).
  * shiftMs = per track, median L over the SETTLED_WINDOW_MS before the next signal (or the end)
    minus base; only when that window starts SETTLE_AFTER_MS or more after the new connection's
    first message (else framesLostByShift is None: not measurable). A client that restarts its timestamps on the new connection makes the ingest
    continue them right after the previous last frame; media that was never sent then shows up as
    a lasting shift of exactly its duration, so framesLostByShift = round(shift / frame interval)
    per track (when above two frames and above the jitter) counts frames lost at such a seam (the ingest's timestamp count cannot see them).
Messages the ingest did not keep (duplicates of frames already received) are left out.
"""

import statistics

BASE_WINDOW_MS = 1000
TOLERANCE_MS = 15
SETTLED_WINDOW_MS = 1000
END_MARGIN_MS = 1000
SMOOTH = 5
RECOVERY_WINDOW_MS = 2500  # after the new connection's first message
SETTLE_AFTER_MS = 1000  # a backlog drains before the settled window starts


def _median_l(kept, track, start, end):
    values = [r[0] - r[4] for r in kept if r[2] == track and start <= r[0] < end]
    return (statistics.median(values), values) if values else (None, values)


def cutover_latency(rows, cutovers, intervals):
    """rows: (arrivalMs, connection, track, ts, outTs, bytes); cutovers: the report's list; intervals:
    {"v": ms, "a": ms} between frames. Returns one dict per cutover: latencyRecoveryMs, peakExtraMs,
    toleranceMs, shiftMs (per track: settled level after - level before) and framesLostByShift."""
    kept = sorted((r for r in rows if r[4] >= 0), key=lambda r: r[0])
    results = []
    for i, c in enumerate(cutovers):
        old_last = c.get("lastMediaOldAtMs")
        new_first = c.get("firstMediaNewAtMs")
        empty = {"latencyRecoveryMs": None, "peakExtraMs": None, "toleranceMs": None, "shiftMs": None,
                 "framesLostByShift": None}
        if old_last is None or new_first is None:
            results.append(empty)
            continue
        following = [x.get("signalAtMs") for x in cutovers[i + 1:] if x.get("signalAtMs") is not None]
        # The last cutover ends a second before the last message: the encoders drain at the stop.
        window_end = following[0] if following else max(new_first + 1, (kept[-1][0] if kept else 0) - END_MARGIN_MS)
        base = {}
        tolerance = TOLERANCE_MS
        for track in ("v", "a"):
            level, values = _median_l(kept, track, old_last - BASE_WINDOW_MS, old_last + 1)
            if level is not None:
                base[track] = level
                values.sort()
                tolerance = max(tolerance, values[int(len(values) * 0.9)] - level)
        extra = []
        # Only the stretch right after the cutover is the handoff's: later wobbles are the machine's.
        recovery_end = min(window_end, new_first + RECOVERY_WINDOW_MS)
        for track in base:
            after = [r for r in kept if old_last <= r[0] < recovery_end and r[2] == track]
            raw = [r[0] - r[4] - base[track] for r in after]
            # A centred running median over SMOOTH messages: the level, not one frame's encoder jitter.
            half = SMOOTH // 2
            for k, r in enumerate(after):
                extra.append((r[0], statistics.median(raw[max(0, k - half):k + half + 1])))
        extra.sort()
        peak = max((e[1] for e in extra), default=None)
        recovered_at = next((at for at, ex in extra if at >= new_first and ex <= tolerance), None)
        shift, lost = {}, 0
        if window_end - SETTLED_WINDOW_MS < new_first + SETTLE_AFTER_MS:
            lost = None  # no settled stretch before the next signal or the end: not measurable
        for track in base if lost is not None else ():
            level, _ = _median_l(kept, track, window_end - SETTLED_WINDOW_MS, window_end)
            if level is not None:
                shift[track] = level - base[track]
                # Below two frames or the window's own jitter a shift is the encoder's wobble, not a gap.
                if shift[track] > max(2 * intervals[track], tolerance):
                    lost += round(shift[track] / intervals[track])
        results.append({"latencyRecoveryMs": None if recovered_at is None else recovered_at - old_last,
                        "peakExtraMs": peak, "toleranceMs": tolerance, "shiftMs": shift, "framesLostByShift": lost})
    return results
