#!/usr/bin/env python3
"""Lint of the release files nothing here can run: the GitHub workflows (valid YAML; build, unit
tests and packages on windows-2022, macos-15 and ubuntu-24.04, the Flatpak job, the format check),
the Flatpak extension manifest (valid JSON on the runtime and SDK of OBS's current Flatpak),
buildspec.json (every archive with a SHA-256: 64 hex digits) and CMakePresets.json (valid JSON, the
three OS presets with the template's generators, every build/test preset pointing at a configure
preset). Prints every problem found; exits 1 if there is any.

usage: test_packaging_files.py SOURCE_DIR
"""

import glob
import json
import os
import re
import sys

import yaml

FLATPAK_ID = "com.obsproject.Studio.Plugin.GoAway"
# OBS's Flatpak moved from the KDE runtime to the freedesktop one with 32.1; plugin extensions build
# with the runtime's SDK (docs/reference: platforms.md).
FLATPAK_SDK = "org.freedesktop.Sdk//25.08"
RUNNERS = {"windows-2022", "macos-15", "ubuntu-24.04"}
CI_PRESET = {"windows-x64": "windows-ci-x64", "macos": "macos-ci", "ubuntu-x86_64": "ubuntu-ci-x86_64"}
SHA256 = re.compile(r"^[0-9a-f]{64}$")

problems = []


def problem(text):
    problems.append(text)


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        problem("%s: %s" % (path, e))
        return None


def runners_of(job):
    runs_on = job.get("runs-on", [])
    return set(runs_on if isinstance(runs_on, list) else [runs_on])


def steps_text(job, top=None):
    """What a job's steps run, with the repository's packaging scripts they call read in."""
    text = "\n".join(str(step.get("run", "")) + " " + str(step.get("uses", "")) + " " + json.dumps(step.get("with", {}))
                      for step in job.get("steps", []))
    if top:
        for script in sorted(set(re.findall(r"packaging/[\w./-]+\.sh", text))):
            try:
                with open(os.path.join(top, script), encoding="utf-8") as f:
                    text += "\n" + f.read()
            except OSError:
                problem("a workflow calls %s, which does not exist" % script)
    return text


def check_workflows(top):
    files = sorted(glob.glob(os.path.join(top, ".github", "workflows", "*.y*ml")))
    if not files:
        problem("no workflows in .github/workflows")
        return
    docs = {}
    for path in files:
        try:
            with open(path, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
        except (OSError, yaml.YAMLError) as e:
            problem("%s: not valid YAML: %s" % (path, e))
            continue
        name = os.path.basename(path)
        # YAML 1.1 reads the bare key `on` as true.
        if not isinstance(doc, dict) or not isinstance(doc.get("jobs"), dict) or not (("on" in doc) or (True in doc)):
            problem("%s: no triggers or no jobs" % name)
            continue
        docs[name] = doc
        for job_id, job in doc["jobs"].items():
            if "runs-on" not in job and "uses" not in job:
                problem("%s: job %s has no runs-on" % (name, job_id))
            for step in job.get("steps", []):
                uses = step.get("uses")
                if uses and not uses.startswith("./") and "@" not in uses:
                    problem("%s: job %s uses %s without a version" % (name, job_id, uses))

    build = docs.get("build.yaml")
    if not build:
        problem("no valid .github/workflows/build.yaml")
        return
    jobs = build["jobs"]
    seen = set()
    for os_name, runner, needles in (
            ("Windows", "windows-2022", ["--preset windows-ci-x64", "ctest", "Compress-Archive"]),
            ("macOS", "macos-15", ["--preset macos-ci", "ctest", "pkgbuild", "productbuild"]),
            ("Ubuntu", "ubuntu-24.04", ["--preset ubuntu-ci-x86_64", "ctest", "cpack"])):
        matching = [j for j in jobs.values() if runner in runners_of(j)]
        if not matching:
            problem("build.yaml: no job on %s (%s)" % (runner, os_name))
            continue
        seen.add(runner)
        text = "\n".join(steps_text(j, top) for j in matching)
        for needle in needles:
            if needle not in text:
                problem("build.yaml: the %s job never runs %r" % (os_name, needle))
        if "upload-artifact" not in text:
            problem("build.yaml: the %s job uploads no package" % os_name)
    if seen != RUNNERS:
        problem("build.yaml: runners %s, expected %s" % (sorted(seen), sorted(RUNNERS)))

    flatpak_jobs = [j for j in jobs.values() if "flatpak-builder" in steps_text(j)]
    if not flatpak_jobs:
        problem("build.yaml: no job builds the Flatpak extension")
    for job in flatpak_jobs:
        text = steps_text(job) + json.dumps(job.get("container", ""))
        if "packaging/flatpak/%s.json" % FLATPAK_ID not in text:
            problem("build.yaml: the Flatpak job builds another manifest")
        if "freedesktop-" + FLATPAK_SDK.split("//")[1] not in text:
            problem("build.yaml: the Flatpak job's container is not the freedesktop %s one" % FLATPAK_SDK.split("//")[1])

    if not any("clang-format" in steps_text(j) for d in docs.values() for j in d["jobs"].values()):
        problem("no workflow checks the formatting (clang-format)")


def check_flatpak(top):
    path = os.path.join(top, "packaging", "flatpak", FLATPAK_ID + ".json")
    manifest = load_json(path)
    if manifest is None:
        return
    expect = {"id": FLATPAK_ID, "runtime": "com.obsproject.Studio", "runtime-version": "stable",
              "sdk": FLATPAK_SDK, "build-extension": True}
    for key, value in expect.items():
        if manifest.get(key) != value:
            problem("flatpak manifest: %s is %r, expected %r" % (key, manifest.get(key), value))
    name = FLATPAK_ID.rsplit(".", 1)[1]
    prefix = manifest.get("build-options", {}).get("prefix")
    if prefix != "/app/plugins/" + name:
        problem("flatpak manifest: prefix %r, expected /app/plugins/%s" % (prefix, name))
    modules = [m for m in manifest.get("modules", []) if isinstance(m, dict)]
    if not modules:
        problem("flatpak manifest: no module")
        return
    opts = modules[-1].get("config-opts", [])
    # OBS's extension point merges lib/obs-plugins and share/obs/obs-plugins of every extension.
    for needed in ("-DGOAWAY_OBS_PLUGIN_LIBDIR=lib", "-DGOAWAY_SYSTEM_INSTALL=ON", "-DCMAKE_PREFIX_PATH=/app"):
        if needed not in opts:
            problem("flatpak manifest: config-opts lack %s" % needed)
    metainfo = os.path.join(top, "packaging", "flatpak", FLATPAK_ID + ".metainfo.xml")
    if not os.path.exists(metainfo):
        problem("flatpak: no %s" % os.path.basename(metainfo))
    else:
        with open(metainfo, encoding="utf-8") as f:
            text = f.read()
        if "<id>%s</id>" % FLATPAK_ID not in text or "<extends>com.obsproject.Studio</extends>" not in text:
            problem("flatpak metainfo: id or extends do not match")


def check_buildspec(top):
    spec = load_json(os.path.join(top, "buildspec.json"))
    if spec is None:
        return
    for field in ("name", "displayName", "version", "author", "website", "email"):
        if not isinstance(spec.get(field), str) or not spec[field]:
            problem("buildspec: no %s" % field)
    if not re.match(r"^\d+\.\d+\.\d+$", str(spec.get("version"))):
        problem("buildspec: version %r is not MAJOR.MINOR.PATCH" % spec.get("version"))
    deps = spec.get("dependencies", {})
    for dep in ("obs-studio", "prebuilt", "qt6"):
        entry = deps.get(dep)
        if not isinstance(entry, dict):
            problem("buildspec: no dependencies.%s" % dep)
            continue
        if not str(entry.get("baseUrl", "")).startswith("https://github.com/obsproject/"):
            problem("buildspec: %s baseUrl %r" % (dep, entry.get("baseUrl")))
        for platform in ("windows-x64", "macos"):
            value = entry.get("hashes", {}).get(platform)
            if not isinstance(value, str) or not SHA256.match(value):
                problem("buildspec: %s hash for %s is %r, not 64 hex digits" % (dep, platform, value))
    obs_version = str(deps.get("obs-studio", {}).get("version", ""))
    if not re.match(r"^(30|31|32)\.\d+\.\d+$", obs_version):
        problem("buildspec: OBS %r is outside the supported 30-32" % obs_version)
    for value in deps.get("qt6", {}).get("debugSymbols", {}).values():
        if not SHA256.match(str(value)):
            problem("buildspec: qt6 debugSymbols hash %r" % value)
    if not spec.get("platformConfig", {}).get("macos", {}).get("bundleId"):
        problem("buildspec: no platformConfig.macos.bundleId")


def check_presets(top):
    presets = load_json(os.path.join(top, "CMakePresets.json"))
    if presets is None:
        return
    configure = {p["name"]: p for p in presets.get("configurePresets", [])}

    def resolved(name, key, seen=()):
        """A preset field, following `inherits` as CMake does."""
        p = configure.get(name, {})
        if key in p:
            return p[key]
        parents = p.get("inherits", [])
        for parent in [parents] if isinstance(parents, str) else parents:
            if parent not in seen:
                value = resolved(parent, key, seen + (name,))
                if value is not None:
                    return value
        return None

    def cache(name):
        out, chain = {}, [name]
        while chain:
            current = chain.pop()
            p = configure.get(current, {})
            for k, v in p.get("cacheVariables", {}).items():
                out.setdefault(k, v)
            parents = p.get("inherits", [])
            chain += [parents] if isinstance(parents, str) else list(reversed(parents))
        return out

    expect = {"windows-x64": ("Visual Studio 17 2022", "Windows"), "macos": ("Xcode", "Darwin"),
              "ubuntu-x86_64": ("Ninja", "Linux")}
    for name, (generator, system) in expect.items():
        for variant in (name, CI_PRESET[name]):
            if variant not in configure:
                problem("presets: no configure preset %s" % variant)
                continue
            if resolved(variant, "generator") != generator:
                problem("presets: %s generator %r, expected %r" % (variant, resolved(variant, "generator"), generator))
            condition = resolved(variant, "condition") or {}
            if condition.get("rhs") != system:
                problem("presets: %s is not limited to %s hosts" % (variant, system))
            if cache(variant).get("GOAWAY_BUILD_PLUGIN") != "ON":
                problem("presets: %s does not build the plugin" % variant)
        ci = CI_PRESET[name]
        if ci in configure and cache(ci).get("CMAKE_COMPILE_WARNING_AS_ERROR") != "ON":
            problem("presets: %s does not treat warnings as errors" % ci)
    if not str(resolved("windows-x64", "architecture") or "").startswith("x64"):
        problem("presets: windows-x64 is not an x64 build")
    if cache("macos").get("CMAKE_OSX_ARCHITECTURES") != "arm64;x86_64":
        problem("presets: macos is not universal (arm64;x86_64)")
    for name in ("linux", "tools"):  # README and scripts use them
        if name not in configure:
            problem("presets: no configure preset %s" % name)
    for kind in ("buildPresets", "testPresets"):
        for p in presets.get(kind, []):
            if p.get("configurePreset") not in configure:
                problem("presets: %s %s points at unknown configure preset %r" % (kind, p.get("name"), p.get("configurePreset")))


def main():
    top = sys.argv[1]
    check_workflows(top)
    check_flatpak(top)
    check_buildspec(top)
    check_presets(top)
    for p in problems:
        print("FAIL:", p)
    print("PASS" if not problems else "FAILED (%d)" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
