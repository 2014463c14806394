"""--goaway-every signals each supporting publisher once, by itself; --signal-count bounds the
schedule; `quit` and --duration stop the ingest cleanly with a report."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_harness import Ingest, check, fail, ingest_binary  # noqa: E402
from rtmp_test_client import Client  # noqa: E402

binary = ingest_binary()
ing = Ingest(binary, ["--listen", "127.0.0.1:0", "--goaway-every", "300ms", "--goaway-body", "empty"])
try:
    a = Client("127.0.0.1", ing.port(0))
    a.handshake()
    a.connect("live", "rtmp://127.0.0.1/live", {"supportsGoAway": 1.0})  # a number: still support
    a.publish("a")
    b = Client("127.0.0.1", ing.port(0))
    b.handshake()
    b.connect("live", "rtmp://127.0.0.1/live", {"supportsGoAway": False})
    b.publish("b")
    m = a.wait_for(lambda m: m.type == 32, timeout=5)
    check(m.body == b"", "the schedule sent Go Away (empty body) without a command")
    check(ing.control("wait signals=2 timeout=1") == "error timeout", "each connection is signalled once only")
    ing.ctl.sendall(b"quit\n")
    check(ing.ctl_file.readline().strip() == "ok bye", "quit answers ok bye")
    try:
        out, _ = ing.proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        fail("quit did not stop the ingest")
    check(ing.proc.returncode == 0 and "goaway-ingest: streams=2" in out, "quit: exit 0 and a summary line")
    report = json.load(open(ing.report_path))
finally:
    ing.kill()
conns = report["connections"]
check(conns[0]["connect"]["supportsGoAwayType"] == "number" and conns[0]["connect"]["supportsGoAway"],
      "supportsGoAway=1 recorded as a number, counted as support")
check([s["kind"] for s in conns[0]["signalsSent"]] == ["goaway"], "publisher a: one goaway")
check(conns[1]["connect"]["supportsGoAway"] is False and conns[1]["signalsSent"] == [], "publisher b: none")
check(conns[0]["closeReason"] == "ingest shutdown", "open connections end as 'ingest shutdown'")

# --signal-count 1: the first round signals the publisher there; one that arrives later is left alone.
ing = Ingest(binary, ["--listen", "127.0.0.1:0", "--goaway-every", "200ms", "--signal-count", "1"])
try:
    a = Client("127.0.0.1", ing.port(0))
    a.handshake()
    a.connect("live", "rtmp://127.0.0.1/live", {"supportsGoAway": True})
    a.publish("a")
    check(ing.control("wait signals=1 timeout=5") == "ok", "round 1 signalled the first publisher")
    c = Client("127.0.0.1", ing.port(0))
    c.handshake()
    c.connect("live", "rtmp://127.0.0.1/live", {"supportsGoAway": True})
    c.publish("c")
    check(ing.control("wait publishing=2 timeout=5") == "ok", "the second publisher is live")
    check(ing.control("wait signals=2 timeout=1") == "error timeout",
          "no round after the count (five periods without a signal)")
    report = ing.stop()
finally:
    ing.kill()
check([len(x["signalsSent"]) for x in report["connections"]] == [1, 0], "signals per connection: 1, 0")

work = tempfile.mkdtemp(prefix="goaway-ingest-duration-")
report_path = os.path.join(work, "r.json")
try:
    p = subprocess.run([binary, "--listen", "127.0.0.1:0", "--duration", "500ms", "--report", report_path],
                       capture_output=True, text=True, timeout=15)
except subprocess.TimeoutExpired:
    fail("--duration did not stop the ingest")
check(p.returncode == 0 and os.path.exists(report_path), "--duration 500ms: stops by itself, report written")
check(json.load(open(report_path))["connections"] == [], "empty report without clients")
shutil.rmtree(work, ignore_errors=True)
