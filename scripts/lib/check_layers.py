#!/usr/bin/env python3
"""The shape of the source tree: folders are layers and nothing points up.

Fails (exit 1, one line per finding) when
  - a file in plugin/ or ui/ includes a file of a higher layer than its own folder's, in the order
    common < net < rtmp < flv < handoff < ingest < output < obs < ui
    (a folder may include itself and the folders before it);
  - a quoted include names no file of a known layer (so a path cannot slip past the order);
  - an OBS header is included below plugin/obs, or a Qt header anywhere but ui/
    (plugin/obs is the only code calling the OBS API without Qt; ui/ is the Qt layer);
  - a plugin/ or ui/ source file is longer than MAX_LINES: a file that long does more than one
    thing (split it by responsibility, not into a "second half").

usage: check_layers.py REPO_TOP
"""

import pathlib
import re
import sys

ORDER = ["common", "net", "rtmp", "flv", "handoff", "ingest", "output", "obs", "ui"]
RANK = {name: i for i, name in enumerate(ORDER)}
MAX_LINES = 500
# Files allowed past MAX_LINES, each with the reason; an entry is itself a finding once its file is
# short enough, so the list only shrinks.
LONG_FILES = {
    "plugin/rtmp/RtmpSession.cpp": "issue 15: splits into RtmpConnection and a publisher",
}
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".c", ".in"}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
# OBS's public headers (libobs and its frontend API), as the plugin includes them.
OBS_HEADER = re.compile(r"^(obs[\w.-]*\.h(pp)?|util/|callback/|graphics/|media-io/)")
# Qt: <QWidget>, <QtCore/...>, <qobject.h>-style headers are not used here.
QT_HEADER = re.compile(r"^(Q[A-Z]\w*|Qt\w*/)")


def layer_of(rel):
    """The layer of a repository-relative path, or None when it lies outside plugin/ and ui/."""
    parts = rel.parts
    if parts and parts[0] == "ui":
        return "ui"
    if len(parts) >= 2 and parts[0] == "plugin" and parts[1] in RANK:
        return parts[1]
    return None


def included_layer(top, source, name):
    """The layer a quoted include resolves to: a repository path (plugin/x/..., ui/...) or a path
    relative to the including file, as the compiler finds them here."""
    candidate = pathlib.PurePosixPath(name)
    if candidate.parts and candidate.parts[0] in ("plugin", "ui"):
        return layer_of(candidate)
    resolved = (source.parent / name).resolve()
    try:
        rel = resolved.relative_to(top.resolve())
    except ValueError:
        return None
    # PluginInfo.hpp is generated from PluginInfo.hpp.in next to it.
    exists = resolved.exists() or resolved.with_name(resolved.name + ".in").exists()
    return layer_of(rel) if exists else None


def check(top, long_files=LONG_FILES):
    findings = [f"{rel}: listed in LONG_FILES but not found" for rel in long_files if not (top / rel).is_file()]
    roots = [top / "plugin", top / "ui"]
    sources = sorted(p for r in roots if r.is_dir() for p in r.rglob("*") if p.suffix in SOURCE_SUFFIXES)
    for path in sources:
        rel = path.relative_to(top)
        own = layer_of(rel)
        if own is None:
            findings.append(f"{rel}: folder is not a layer ({' < '.join(ORDER)})")
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        if lines > MAX_LINES and rel.as_posix() not in long_files:
            findings.append(f"{rel}: {lines} lines (at most {MAX_LINES}: split it by responsibility)")
        elif lines <= MAX_LINES and rel.as_posix() in long_files:
            findings.append(f"{rel}: {lines} lines now: remove it from LONG_FILES")
        for m in INCLUDE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            kind, name = m.group(1), m.group(2)
            where = f"{rel}:{line}"
            if kind == '"':
                target = included_layer(top, path, name)
                if target is None:
                    findings.append(f'{where}: #include "{name}" is no file of a layer')
                elif RANK[target] > RANK[own]:
                    findings.append(f'{where}: {own} includes "{name}" of the higher layer {target}')
            elif OBS_HEADER.match(name) and RANK[own] < RANK["obs"]:
                findings.append(f"{where}: {own} includes the OBS header <{name}> (only obs and ui may)")
            elif QT_HEADER.match(name) and own != "ui":
                findings.append(f"{where}: {own} includes the Qt header <{name}> (only ui may)")
    return findings, len(sources)


def main():
    top = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    findings, count = check(top)
    for f in findings:
        print(f)
    if findings:
        print(f"layers: {len(findings)} finding(s) in plugin/ and ui/", file=sys.stderr)
        return 1
    allowed = f" but the {len(LONG_FILES)} in LONG_FILES" if LONG_FILES else ""
    print(f"layers: {count} files follow {' < '.join(ORDER)}, none over {MAX_LINES} lines{allowed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
