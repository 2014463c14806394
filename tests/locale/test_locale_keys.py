#!/usr/bin/env python3
"""Every locale key the code asks for exists in en-US.ini; the other locales hold only keys that
en-US has, are well-formed, and translate every key (a missing one falls back to English).

usage: test_locale_keys.py SOURCE_DIR
"""

import glob
import os
import re
import sys

# obs_module_text("Key") / uiText("Key") anywhere; in ui/ also bare "Dock.X" style literals (tables of keys).
CALL = re.compile(r'(?:obs_module_text|uiText|tr_key)\(\s*"([^"]+)"\s*\)')
UI_LITERAL = re.compile(r'"((?:Dock|Settings|Trigger|Result|Service|Output|Module|Websocket|Main)\.[A-Za-z0-9_.]+)"')
LINE = re.compile(r'^([A-Za-z0-9_.]+)="(.*)"$')


def read_ini(path):
    keys, bad = {}, []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#") or line.startswith(";"):
                continue
            m = LINE.match(line)
            if not m:
                bad.append("%s:%d: %r" % (os.path.basename(path), n, line))
                continue
            keys[m.group(1)] = m.group(2)
    return keys, bad


def main():
    top = sys.argv[1]
    used = set()
    for path in glob.glob(os.path.join(top, "plugin", "obs", "*.cpp")) + glob.glob(os.path.join(top, "ui", "*.cpp")):
        text = open(path, encoding="utf-8").read()
        used.update(CALL.findall(text))
        if os.sep + "ui" + os.sep in path:
            used.update(UI_LITERAL.findall(text))
    locale_dir = os.path.join(top, "data", "locale")
    english, bad = read_ini(os.path.join(locale_dir, "en-US.ini"))
    failures = list(bad)
    missing = sorted(k for k in used if k not in english)
    failures += ["en-US.ini lacks %s" % k for k in missing]
    others = sorted(p for p in glob.glob(os.path.join(locale_dir, "*.ini")) if not p.endswith("en-US.ini"))
    for path in others:
        keys, bad = read_ini(path)
        failures += bad
        failures += ["%s has unknown key %s" % (os.path.basename(path), k) for k in keys if k not in english]
        untranslated = [k for k in english if k not in keys]
        if untranslated:
            print("note: %s falls back to English for %d key(s): %s" % (os.path.basename(path), len(untranslated),
                                                                       ", ".join(untranslated[:8])))
    print("%d keys used by the code, %d in en-US.ini, %d other locale(s)" % (len(used), len(english), len(others)))
    for f in failures:
        print("FAIL:", f)
    if not used or not others:
        print("FAIL: found no keys or no other locale")
        return 1
    print("PASS" if not failures else "FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
