#!/usr/bin/env python3
"""The Linux package as a streamer gets it: CPack builds the .deb from this build tree; its file
list, control fields and dependencies are checked against this root (the OBS it was built for);
its files are unpacked into a staging prefix and the real OBS of the root loads the plugin from
there (OBS_PLUGINS_PATH / OBS_PLUGINS_DATA_PATH, the system layout OBS searches under /usr), with
the same load check as e2e.obs_loads_plugin. The test asserts that OBS mapped the packaged module,
not the build tree's. Nothing is installed into the root itself, so other tests running in it are
undisturbed; the staging prefix is removed afterwards.

usage: test_deb_loads.py BUILD_DIR OUT_DIR
"""

import glob
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import test_obs_loads_plugin  # noqa: E402

NAME = "obs-rtmp-goaway"


def run(*args, **kwargs):
    return subprocess.run(list(args), check=True, capture_output=True, text=True, timeout=300, **kwargs).stdout


def multiarch():
    return run("dpkg-architecture", "-qDEB_HOST_MULTIARCH").strip() if os.path.exists("/usr/bin/dpkg-architecture") \
        else run("gcc", "-print-multiarch").strip()


def installed_version(package):
    try:
        out = run("dpkg-query", "-W", "-f", "${Status}\t${Version}", package)
    except subprocess.CalledProcessError:
        return None
    status, version = out.split("\t")
    return version if status.endswith(" installed") else None


def unmet_dependencies(depends):
    """The clauses of a Depends field this root does not satisfy (alternatives: any one)."""
    unmet = []
    for clause in filter(None, (c.strip() for c in depends.split(","))):
        ok = False
        for alternative in (a.strip() for a in clause.split("|")):
            name, _, constraint = alternative.partition("(")
            name = name.strip().split(":")[0]
            version = installed_version(name)
            if version is None:
                continue
            if not constraint:
                ok = True
                break
            op, wanted = constraint.rstrip(")").split()
            if subprocess.run(["dpkg", "--compare-versions", version, op, wanted]).returncode == 0:
                ok = True
                break
        if not ok:
            unmet.append(clause)
    return unmet


def main():
    build_dir, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    failures = []
    arch_dir = multiarch()
    lib_dir = "usr/lib/%s/obs-plugins" % arch_dir
    data_dir = "usr/share/obs/obs-plugins/%s" % NAME
    # The layout has to be the one the root's OBS was built with: its own modules live there.
    if not os.path.exists("/%s/obs-outputs.so" % lib_dir):
        failures.append("this root's OBS keeps no modules in /%s: the package layout cannot be checked" % lib_dir)

    with tempfile.TemporaryDirectory(prefix="goaway-deb-") as tmp:
        packages = os.path.join(tmp, "packages")
        print(run("cpack", "-G", "DEB", "--config", os.path.join(build_dir, "CPackConfig.cmake"), "-B", packages,
                  "-D", "CPACK_OUTPUT_FILE_PREFIX=" + packages)[-600:])
        debs = glob.glob(os.path.join(packages, "*.deb"))
        if len(debs) != 1:
            print("FAIL: cpack made %d .deb files: %s" % (len(debs), debs))
            return 1
        deb = debs[0]
        print("package:", os.path.basename(deb), os.path.getsize(deb), "bytes")

        fields = {f: run("dpkg-deb", "-f", deb, f).strip() for f in ("Package", "Version", "Architecture", "Depends")}
        print("control:", fields)
        if fields["Package"] != NAME:
            failures.append("package name %r" % fields["Package"])
        if fields["Architecture"] != run("dpkg", "--print-architecture").strip():
            failures.append("architecture %r" % fields["Architecture"])
        if "obs-studio" not in fields["Depends"]:
            failures.append("Depends names no obs-studio: %r" % fields["Depends"])
        unmet = unmet_dependencies(fields["Depends"])
        if unmet:
            failures.append("dependencies this root does not satisfy: %s" % unmet)

        listing = run("dpkg-deb", "-c", deb)
        files = sorted(line.split()[-1].lstrip(".") for line in listing.splitlines() if not line.startswith("d"))
        print("files:\n  " + "\n  ".join(files))
        expected = {"/%s/%s.so" % (lib_dir, NAME), "/%s/locale/en-US.ini" % data_dir,
                    "/%s/THIRD-PARTY-NOTICES.txt" % data_dir}
        for path in sorted(expected - set(files)):
            failures.append("the package lacks %s" % path)
        strays = [f for f in files if not (f.startswith("/%s/" % lib_dir) or f.startswith("/%s/" % data_dir)
                                           or f.startswith("/usr/share/doc/"))]
        if strays:
            failures.append("files outside the plugin's directories: %s" % strays)

        stage = os.path.join(tmp, "stage")
        run("dpkg-deb", "-x", deb, stage)
        module = os.path.join(stage, lib_dir, NAME + ".so")
        os.environ["OBS_PLUGINS_PATH"] = os.path.join(stage, lib_dir)
        os.environ["OBS_PLUGINS_DATA_PATH"] = os.path.join(stage, "usr/share/obs/obs-plugins")
        if os.path.exists(module):
            failures += test_obs_loads_plugin.check(out_dir, plugin_dir=None, module_file=module)
        else:
            failures.append("no module at %s after unpacking" % module)

    for f in failures:
        print("FAIL:", f)
    print("PASS" if not failures else "FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
