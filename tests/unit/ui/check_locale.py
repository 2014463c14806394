#!/usr/bin/env python3
"""Every locale string the plugin asks for exists in en-US, de-DE and fr-FR, with the same
%N placeholders, and no file has a key the code never uses.

usage: check_locale.py REPO_TOP"""

import glob
import os
import re
import sys

top = sys.argv[1]
sources = glob.glob(os.path.join(top, "ui", "*.cpp")) + glob.glob(os.path.join(top, "plugin", "obs", "*.cpp"))
used = set()
for path in sources:
    text = open(path, encoding="utf-8").read()
    used |= set(re.findall(r'(?:uiText|obs_module_text)\("([A-Za-z0-9_.]+)"\)', text))
    columns = set(re.findall(r'"(Dock\.Column\.[A-Za-z]+)"', text))
    used |= columns | {c + ".Tip" for c in columns}  # header text and its tooltip
# Keys built at run time from the output's names (HandoffTableModel: "Trigger." / "Result." + name).
used |= {"Trigger." + t for t in ("GoAway", "ReconnectRequest", "Manual", "ConnectionLost", "DeadPath")}
used |= {"Result." + r for r in ("Succeeded", "Failed", "FellBack", "Stopped")}

failures = []


def load(lang):
    keys = {}
    for n, line in enumerate(open(os.path.join(top, "data", "locale", lang + ".ini"), encoding="utf-8"), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([A-Za-z0-9_.]+)="(.*)"$', line)
        if not m:
            failures.append("%s:%d is not KEY=\"text\"" % (lang, n))
            continue
        keys[m.group(1)] = m.group(2)
    return keys


english = load("en-US")
for lang in ("en-US", "de-DE", "fr-FR"):
    keys = english if lang == "en-US" else load(lang)
    for k in sorted(used - keys.keys()):
        failures.append("%s lacks %s" % (lang, k))
    for k in sorted(keys.keys() - used):
        failures.append("%s has %s, which the code never asks for" % (lang, k))
    for k in keys.keys() & english.keys():
        if sorted(re.findall(r"%\d", keys[k])) != sorted(re.findall(r"%\d", english[k])):
            failures.append("%s %s: placeholders differ from en-US" % (lang, k))
print("%d keys used" % len(used))
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
