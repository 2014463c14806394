#!/usr/bin/env python3
"""E2E: real OBS (whatever version is on PATH: 32.x in the sid root, 30.x in trixie) loads the
plugin from a user plugin folder, registers rtmp_goaway_output, adds the dock, shows it, and
unloads cleanly on Ctrl+Q. Asserted from OBS's own log; a screenshot is saved.

usage: test_obs_loads_plugin.py PLUGIN_DIR OUT_DIR

check(): the same load check for a plugin OBS finds elsewhere (tests/package: the files of the .deb,
through OBS_PLUGINS_PATH), asserting which module file the OBS process mapped.
"""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obsharness  # noqa: E402


def mapped_files(pid):
    """The files a process has mapped (from /proc/PID/maps)."""
    with open("/proc/%d/maps" % pid) as f:
        return {line.split(None, 5)[5].strip() for line in f if len(line.split(None, 5)) == 6}


def check(out_dir, plugin_dir=None, module_file=None):
    """Starts OBS (with the plugin copied into its user plugin folder when plugin_dir is given),
    waits for the plugin's load and dock, quits; returns the list of failures. module_file: the
    obs-rtmp-goaway.so the OBS process must have mapped."""
    os.makedirs(out_dir, exist_ok=True)
    version = obsharness.obs_version()
    print("OBS %d.%d.%d" % version)
    with tempfile.TemporaryDirectory(prefix="goaway-obs-") as tmp:
        home = obsharness.ObsHome(tmp, plugin_dir=plugin_dir)
        with obsharness.xdisplay() as display:
            with obsharness.Obs(home, display) as obs:
                obs.wait_log(r"\[obs-rtmp-goaway\] \[PluginModule\] version \S+ loaded .* output rtmp_goaway_output registered", 90)
                obs.wait_log(r"\[obs-rtmp-goaway\] \[DockModule\] dock obs-rtmp-goaway-dock added", 30)
                obs.wait_log(r"==== Startup complete", 90)
                # The modules list OBS prints after loading names ours.
                obs.wait_log(r"Loaded Modules:[\s\S]*obs-rtmp-goaway\.so", 30)
                mapped = mapped_files(obs.proc.pid)
                shot = obs.screenshot(os.path.join(out_dir, "obs-%d.%d-plugin-loaded.png" % version[:2]))
                print("screenshot:", shot)
                rc = obs.quit()
        log = home.log_text()
        with open(os.path.join(out_dir, "obs-%d.%d-load.log" % version[:2]), "w") as f:
            f.write(log)
    failures = []
    ours = sorted(m for m in mapped if m.endswith("/obs-rtmp-goaway.so"))
    print("module mapped by OBS:", ", ".join(ours) or "none")
    if module_file and ours != [os.path.realpath(module_file)]:
        failures.append("OBS mapped %s, expected only %s" % (ours, os.path.realpath(module_file)))
    if "[obs-rtmp-goaway] [DockModule] dock removed" not in log:
        failures.append("the dock was not removed on exit")
    if "[obs-rtmp-goaway] [PluginModule] unloaded" not in log:
        failures.append("the module was not unloaded on exit (clean Ctrl+Q exit expected)")
    if rc not in (0, None):
        failures.append("OBS exited with %s" % rc)
    return failures


def main():
    plugin_dir, out_dir = sys.argv[1], sys.argv[2]
    failures = check(out_dir, plugin_dir=plugin_dir)
    for f in failures:
        print("FAIL:", f)
    print("PASS" if not failures else "FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
