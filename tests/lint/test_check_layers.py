#!/usr/bin/env python3
"""The layer check fails on what it is there to catch: each case builds a small tree that passes,
adds one fault (an upward include, a file past the line limit, an OBS or Qt header in the wrong
layer, an include that names no layer's file) and expects exactly that finding.

usage: test_check_layers.py REPO_TOP
"""

import pathlib
import sys
import tempfile

top = pathlib.Path(sys.argv[1])
sys.path.insert(0, str(top / "scripts" / "lib"))
import check_layers  # noqa: E402

BASE = {
    "plugin/common/Result.hpp": "#pragma once\n",
    "plugin/rtmp/Amf0.hpp": '#pragma once\n#include "../common/Result.hpp"\n',
    "plugin/output/Queue.hpp": '#pragma once\n#include "plugin/rtmp/Amf0.hpp"\n#include <vector>\n',
    "plugin/obs/Module.cpp": '#include "plugin/output/Queue.hpp"\n#include "PluginInfo.hpp"\n#include <obs-module.h>\n',
    "plugin/obs/PluginInfo.hpp.in": "#pragma once\n",
    "ui/Dock.cpp": '#include "plugin/obs/PluginInfo.hpp"\n#include <QWidget>\n#include <obs-frontend-api.h>\n',
}

CASES = [
    # (name, files added or replaced, text every finding must hold)
    ("upward include", {"plugin/rtmp/Up.cpp": '#include "plugin/output/Queue.hpp"\n'}, "higher layer output"),
    ("upward relative include", {"plugin/common/Up.cpp": '#include "../rtmp/Amf0.hpp"\n'}, "higher layer rtmp"),
    ("plugin/obs includes ui", {"plugin/obs/Dock.cpp": '#include "ui/Dock.hpp"\n'}, "higher layer ui"),
    ("501 lines", {"plugin/flv/Long.cpp": "//\n" * 501}, "501 lines"),
    ("501 lines in ui", {"ui/Long.cpp": "//\n" * 501}, "501 lines"),
    ("Qt in plugin/obs", {"plugin/obs/Q.cpp": "#include <QObject>\n"}, "Qt header <QObject>"),
    ("OBS in the engine", {"plugin/output/O.cpp": "#include <obs.h>\n"}, "OBS header <obs.h>"),
    ("include of no layer", {"plugin/flv/X.cpp": '#include "Missing.hpp"\n'}, "no file of a layer"),
    ("folder that is no layer", {"plugin/misc/X.cpp": "\n"}, "not a layer"),
]


def tree(files):
    d = tempfile.TemporaryDirectory(prefix="goaway-layers-")
    for rel, text in files.items():
        path = pathlib.Path(d.name) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return d


failures = []
with tree(BASE) as d:
    findings, _ = check_layers.check(pathlib.Path(d), {})
    if findings:
        failures.append("the clean tree has findings: %s" % findings)
with tree(dict(BASE, **{"plugin/flv/Ok.cpp": "//\n" * 500})) as d:
    findings, _ = check_layers.check(pathlib.Path(d), {})
    if findings:
        failures.append("a 500-line file is allowed, yet: %s" % findings)
for name, extra, expected in CASES:
    with tree(dict(BASE, **extra)) as d:
        findings, _ = check_layers.check(pathlib.Path(d), {})
        if len(findings) != 1 or expected not in findings[0]:
            failures.append("%s: expected one finding with %r, got %s" % (name, expected, findings))
# A reasoned exception lets one long file pass, and goes stale once the file is short.
with tree(dict(BASE, **{"plugin/flv/Long.cpp": "//\n" * 501})) as d:
    findings, _ = check_layers.check(pathlib.Path(d), {"plugin/flv/Long.cpp": "reason"})
    if findings:
        failures.append("a listed long file still fails: %s" % findings)
with tree(dict(BASE, **{"plugin/flv/Long.cpp": "//\n" * 500})) as d:
    findings, _ = check_layers.check(pathlib.Path(d), {"plugin/flv/Long.cpp": "reason", "plugin/flv/Gone.cpp": "r"})
    if len(findings) != 2 or not all("LONG_FILES" in f for f in findings):
        failures.append("stale LONG_FILES entries are not reported: %s" % findings)
for f in failures:
    print("FAIL:", f)
print("layer check: %d fault cases, %d failed" % (len(CASES), len(failures)))
sys.exit(1 if failures else 0)
