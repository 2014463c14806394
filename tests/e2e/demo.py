#!/usr/bin/env python3
"""The demo: real OBS with the plugin, a screenshot, a report. Run through scripts/demo."""

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin-dir", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    seconds = int(os.environ.get("GOAWAY_DEMO_SECONDS", "60"))
    os.makedirs(args.out, exist_ok=True)
    version = obsharness.obs_version()
    with tempfile.TemporaryDirectory(prefix="goaway-demo-") as tmp:
        home = obsharness.ObsHome(tmp, plugin_dir=args.plugin_dir)
        with obsharness.xdisplay() as display:
            with obsharness.Obs(home, display) as obs:
                obs.wait_log(r"\[obs-rtmp-goaway\] \[PluginModule\] dock obs-rtmp-goaway-dock added", 90)
                obs.wait_log(r"==== Startup complete", 90)
                shot = obs.screenshot(os.path.join(args.out, "obs-%d.%d-demo.png" % version[:2]))
                print("[demo] OBS %d.%d.%d running with obs-rtmp-goaway; screenshot: %s" % (version + (shot,)))
                deadline = time.monotonic() + seconds
                while time.monotonic() < deadline and obs.proc.poll() is None:
                    time.sleep(0.5)  # the demo runs for a fixed wall time; nothing waits on it
        with open(os.path.join(args.out, "obs.log"), "w") as f:
            f.write(home.log_text())
    print("[demo] done: results in %s" % args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
