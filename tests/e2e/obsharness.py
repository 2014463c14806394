"""Runs real OBS Studio under Xvfb for end-to-end tests and the demo.

Everything here is bounded: every wait has a deadline, every process gets SIGKILL as a last
resort, and nothing waits on a fixed sleep — waits poll for a condition (a log line, a file).
Callers must already be inside a private network namespace (`unshare -n`, lo up).
"""

import contextlib
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

PROFILE = "GoAway"
COLLECTION = "GoAway"


def obs_version():
    """(major, minor, patch) of the obs binary on PATH, from `obs --version`."""
    out = subprocess.run(["obs", "--version"], capture_output=True, text=True, timeout=60).stdout
    m = re.search(r"(\d+)\.(\d+)\.(\d+)", out)
    if not m:
        raise RuntimeError("cannot read the OBS version from: %r" % out)
    return tuple(int(x) for x in m.groups())


def poll_until(what, fn, timeout, interval=0.25):
    """Calls fn() until it returns something true, which is returned; past the deadline the test
    fails naming `what`. The interval only spaces the checks of a condition, bounded by the deadline."""
    from streamharness import fail  # the tests' failure path: prints FAIL, keeps the work dirs
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(interval)
    fail("%s within %ss" % (what, timeout))


def write_dock_settings(home, server, key, **extra):
    """The dock's settings in the test profile (ui/ProfileSettingsStore), before OBS starts."""
    settings = {"server": server, "key": key, "resolver": "off", "handoff_mode": "make-before-break",
                "max_keyframe_wait_ms": 10000, "video_bitrate_kbps": 2500}
    settings.update(extra)
    path = os.path.join(home.config, "basic", "profiles", PROFILE, "obs-rtmp-goaway.json")
    with open(path, "w") as f:
        json.dump(settings, f)


def begin_test(prefix, out_dir):
    """A real-OBS test's start: its output folder, OBS's version (printed) and a scratch folder
    with an `ingest` folder for goaway-ingest. Returns (version, "obs-X.Y", scratch)."""
    os.makedirs(out_dir, exist_ok=True)
    version = obs_version()
    print("OBS %d.%d.%d" % version, flush=True)
    tmp = tempfile.mkdtemp(prefix=prefix)
    os.makedirs(os.path.join(tmp, "ingest"))
    return version, "obs-%d.%d" % version[:2], tmp


def dock_home(tmp, plugin_dir, server, key, **extra):
    """An OBS home in tmp/home with the plugin, obs-websocket on a free port and the dock's output
    set to server / key (extra: more dock settings). Returns (home, websocket port)."""
    from obsws import free_port
    ws_port = free_port()
    home = ObsHome(os.path.join(tmp, "home"), websocket_port=ws_port, plugin_dir=plugin_dir)
    write_dock_settings(home, server, key, **extra)
    return home, ws_port


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _scene_collection(width, height):
    """A visible scene: a dark background, a moving test pattern and a caption."""
    bg = {"id": "color_source_v3", "versioned_id": "color_source_v3", "name": "Background",
          "uuid": "b0000000-0000-4000-8000-000000000001",
          "settings": {"color": 4281348144, "width": width, "height": height}}
    caption = {"id": "text_ft2_source_v2", "versioned_id": "text_ft2_source_v2", "name": "Caption",
               "uuid": "b0000000-0000-4000-8000-000000000002",
               "settings": {"text": "obs-rtmp-goaway", "font": {"face": "Sans", "size": 96}}}
    items = []
    for i, src in enumerate([bg, caption]):
        items.append({"name": src["name"], "source_uuid": src["uuid"], "visible": True, "id": i + 1,
                      "pos": {"x": 0.0 if i == 0 else 80.0, "y": 0.0 if i == 0 else 80.0},
                      "scale": {"x": 1.0, "y": 1.0}, "align": 5, "bounds_type": 0})
    scene = {"id": "scene", "versioned_id": "scene", "name": "Scene",
             "uuid": "a0000000-0000-4000-8000-000000000001",
             "settings": {"id_counter": len(items), "items": items}}
    return {"current_scene": "Scene", "current_program_scene": "Scene", "name": COLLECTION,
            "scene_order": [{"name": "Scene"}], "sources": [scene, bg, caption], "groups": [],
            "transitions": [], "current_transition": "Fade", "transition_duration": 300}


class ObsHome:
    """A throwaway HOME with a finished first run, one profile, one scene collection."""

    def __init__(self, root, server="rtmp://127.0.0.1:1935/live", key="test", websocket_port=None,
                 width=1280, height=720, fps=30, keyint_sec=2, bitrate=2500, plugin_dir=None):
        self.home = root
        self.config = os.path.join(root, ".config", "obs-studio")
        general = ("[General]\nFirstRun=true\nLastVersion=570425344\nConfirmOnExit=false\n"
                   "WarnedAboutClosingDocks=true\nEnableAutoUpdates=false\n"
                   "InfoIncrement=-1\nLicenseAccepted=true\n\n"
                   "[Basic]\nProfile=%s\nProfileDir=%s\nSceneCollection=%s\nSceneCollectionFile=%s\n"
                   "ConfigOnNewProfile=false\n\n[BasicWindow]\nPreviewEnabled=true\n" %
                   (PROFILE, PROFILE, COLLECTION, COLLECTION))
        # OBS 31+ reads user.ini, OBS 29/30 global.ini: write both.
        _write(os.path.join(self.config, "user.ini"), general)
        _write(os.path.join(self.config, "global.ini"), general)
        basic = ("[General]\nName=%s\n\n[Video]\nBaseCX=%d\nBaseCY=%d\nOutputCX=%d\nOutputCY=%d\n"
                 "FPSType=1\nFPSInt=%d\n\n[Output]\nMode=Simple\nReconnect=true\n\n"
                 "[SimpleOutput]\nStreamEncoder=x264\nVBitrate=%d\nABitrate=160\nPreset=veryfast\n\n"
                 "[AdvOut]\nEncoder=obs_x264\n\n[Audio]\nSampleRate=48000\nChannelSetup=Stereo\n" %
                 (PROFILE, width, height, width, height, fps, bitrate))
        _write(os.path.join(self.config, "basic", "profiles", PROFILE, "basic.ini"), basic)
        _write(os.path.join(self.config, "basic", "profiles", PROFILE, "service.json"),
               json.dumps({"type": "rtmp_custom", "settings": {"server": server, "key": key}}))
        _write(os.path.join(self.config, "basic", "profiles", PROFILE, "streamEncoder.json"),
               json.dumps({"rate_control": "CBR", "bitrate": bitrate, "keyint_sec": keyint_sec,
                           "preset": "veryfast", "tune": "zerolatency"}))
        _write(os.path.join(self.config, "basic", "scenes", COLLECTION + ".json"),
               json.dumps(_scene_collection(width, height)))
        if websocket_port:
            _write(os.path.join(self.config, "plugin_config", "obs-websocket", "config.json"),
                   json.dumps({"server_enabled": True, "server_port": websocket_port, "auth_required": False,
                               "alerts_enabled": False, "first_load": False}))
        if plugin_dir:
            dest = os.path.join(self.config, "plugins", "obs-rtmp-goaway")
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(plugin_dir, dest)

    def log_text(self):
        logs = sorted(glob.glob(os.path.join(self.config, "logs", "*.txt")), key=os.path.getmtime)
        if not logs:
            return ""
        with open(logs[-1], encoding="utf-8", errors="replace") as f:
            return f.read()


@contextlib.contextmanager
def xdisplay(width=1280, height=800):
    """Yields a DISPLAY: the caller's when GOAWAY_USE_DISPLAY=1 and it answers, else a new Xvfb."""
    if os.environ.get("GOAWAY_USE_DISPLAY") == "1" and os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    r, w = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "%dx%dx24" % (width, height),
                             "-nolisten", "tcp", "-noreset"], pass_fds=(w,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    try:
        number = b""
        deadline = time.monotonic() + 30
        with os.fdopen(r, "rb", buffering=0) as pipe:
            while not number.endswith(b"\n") and time.monotonic() < deadline:
                chunk = pipe.read(1)  # Xvfb writes the display number once it accepts clients
                if not chunk:
                    break
                number += chunk
        if not number.strip():
            raise RuntimeError("Xvfb did not start")
        yield ":" + number.decode().strip()
    finally:
        _terminate(proc, 5)


def _terminate(proc, grace):
    if proc.poll() is not None:
        return proc.returncode
    proc.terminate()
    try:
        return proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait(10)


class Obs:
    """One real OBS process. Use as a context manager; it always ends the process."""

    def __init__(self, home, display, args=(), log_path=None, hosts=None):
        """hosts: a file bind-mounted over /etc/hosts for this OBS only (a platform's ingest host
        name that must resolve to a loopback ingest), in a mount namespace of its own."""
        self.home = home
        self.display = display
        env = dict(os.environ, HOME=home.home, DISPLAY=display, LIBGL_ALWAYS_SOFTWARE="1",
                   QT_QPA_PLATFORM="xcb")
        env.pop("WAYLAND_DISPLAY", None)
        self.env = env
        self.stdout = open(log_path or os.path.join(home.home, "obs-stdout.txt"), "w")
        prefix = []
        if hosts:
            prefix = ["unshare", "--mount", "--propagation", "unchanged", "--", "sh", "-c",
                      'mount --bind "$0" /etc/hosts && exec "$@"', hosts]
        self.proc = subprocess.Popen(prefix + ["obs", "--multi", "--disable-shutdown-check", "--disable-updater",
                                               "--profile", PROFILE, "--collection", COLLECTION] + list(args),
                                     env=env, cwd=home.home, stdout=self.stdout, stderr=subprocess.STDOUT)
        self.websockets = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.quit()

    def websocket(self, port, **kwargs):
        """An obs-websocket client of this OBS; quit() closes it first, so OBS never waits on it."""
        from obsws import ObsWebsocket  # here: the bench imports this module where websocket-client is absent
        ws = ObsWebsocket(port, **kwargs)
        self.websockets.append(ws)
        return ws

    def wait_log(self, pattern, timeout):
        """Waits until the OBS log matches `pattern`; returns the match. Raises on timeout/exit."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = rx.search(self.home.log_text())
            if m:
                return m
            if self.proc.poll() is not None:
                raise RuntimeError("OBS exited (%s) before logging %r" % (self.proc.returncode, pattern))
            time.sleep(0.1)  # polling interval for a condition, not synchronisation
        raise TimeoutError("OBS did not log %r within %ss" % (pattern, timeout))

    def main_window(self, timeout=60):
        """X window id of OBS's main window (title "OBS <version> - Profile: ..."), once it is mapped."""
        out = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", r"^OBS [0-9]"],
                             env=self.env, capture_output=True, text=True, timeout=timeout).stdout.split()
        if not out:
            raise RuntimeError("OBS's main window did not appear")
        return out[0]

    def screenshot(self, path, timeout=60, window=False):
        """Saves the whole screen (window=True: OBS's main window only) once the main window has
        painted (the image is not all black)."""
        wid = self.main_window(timeout)
        deadline = time.monotonic() + timeout
        while True:
            subprocess.run(["import", "-display", self.display, "-window", wid if window else "root", path],
                           check=True, timeout=60, env=self.env)
            mean = subprocess.run(["convert", path, "-format", "%[fx:mean]", "info:"], capture_output=True,
                                  text=True, timeout=60).stdout.strip()
            if float(mean or 0) > 0.02 or time.monotonic() > deadline:
                return path
            time.sleep(0.2)  # polling interval while waiting for the first paint

    def quit(self, timeout=30):
        """Ctrl+Q for a clean exit (plugins unload); SIGTERM, then SIGKILL if OBS hangs."""
        for ws in self.websockets:
            ws.close()
        self.websockets = []
        if self.proc.poll() is None:
            # Without a window manager, focus the main window directly (windowactivate needs EWMH).
            try:
                wid = self.main_window(20)
                subprocess.run(["xdotool", "windowfocus", "--sync", wid, "key", "--clearmodifiers", "ctrl+q"],
                               env=self.env, timeout=20, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except (RuntimeError, subprocess.TimeoutExpired):
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                _terminate(self.proc, 10)
        self.stdout.close()
        return self.proc.returncode
