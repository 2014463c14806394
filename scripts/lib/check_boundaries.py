#!/usr/bin/env python3
"""Checks that every place where code outside ours calls into the plugin is a noexcept function
whose body runs inside goaway::guarded() (plugin/common/Boundary.hpp), or, for a body that calls
only C functions, says so in a comment starting "cannot throw:": OBS output/service callbacks, proc and signal handlers, frontend
callbacks, obs_module_* entries, libcurl callbacks, Qt slots and thread entries. The second half of
the check (scripts/check-boundaries) runs clang-tidy's bugprone-exception-escape over the same
files, which reports any noexcept function an exception can still leave.

usage: check_boundaries.py REPO_TOP   (prints one line per finding; exit 1 when there is any)
"""

import pathlib
import re
import sys

top = pathlib.Path(sys.argv[1])
sources = sorted(p for d in ("plugin", "ui") for p in (top / d).rglob("*.[ch]pp"))
findings = []
registration_files = set()


MARKER = "cannot throw:"  # a reviewed body that calls only C functions says why, in this form


def body_at(text, brace):
    """The text of the {...} block starting at index `brace`."""
    depth = 0
    for i in range(brace, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[brace:i + 1]
    return text[brace:]


def definition_body(name, texts):
    """The body of the noexcept definition of `name` (a free function or Class::member)."""
    short = name.split("::")[-1]
    pattern = re.compile(r"\b%s\s*\(([^()]|\([^()]*\))*\)\s*(const\s*)?noexcept\s*\{" % re.escape(short))
    for t in texts:
        m = pattern.search(t)
        if m:
            return body_at(t, m.end() - 1)
    return None


def guarded_body(body):
    return body is not None and ("guarded(" in body or MARKER in body or "guarded<" in body)


all_text = {p: p.read_text() for p in sources}

texts = list(all_text.values())

for path, text in all_text.items():
    rel = path.relative_to(top)
    lineno = lambda pos: text.count("\n", 0, pos) + 1  # noqa: E731

    def flag(pos, what):
        findings.append("%s:%d: %s" % (rel, lineno(pos), what))

    def named(pos, fn, what, scope=None):
        """A boundary implemented by the function `fn`: noexcept, and its body runs in guarded()."""
        registration_files.add(path)
        body = definition_body(fn, scope or [text] + texts)
        if body is None:
            flag(pos, "%s %s is not noexcept" % (what, fn))
        elif not guarded_body(body):
            flag(pos, "%s %s does not run its body inside guarded() (or say '%s ...')" % (what, fn, MARKER))

    def lambda_at(m, what):
        """A boundary implemented by the lambda whose noexcept group ends at m.end()."""
        registration_files.add(path)
        if not m.group("nx"):
            flag(m.start(), "%s lambda is not noexcept" % what)
            return
        brace = text.find("{", m.end())
        if not guarded_body(body_at(text, brace)):
            flag(m.start(), "%s lambda does not run its body inside guarded()" % what)

    # Thread entries: the lambda a std::thread runs.
    for m in re.finditer(r"std::thread\s*\w*\s*[({]\s*\[[^\]]*\]\s*(\([^)]*\))?\s*(?P<nx>noexcept)?", text):
        lambda_at(m, "thread entry")
    # obs_output_info / obs_service_info callbacks.
    for m in re.finditer(r"\binfo\.(\w+)\s*=\s*([A-Za-z_]\w*)\s*;", text):
        field, fn = m.groups()
        if field in ("id", "flags", "protocols", "encoded_video_codecs", "encoded_audio_codecs", "type"):
            continue
        named(m.start(), fn, "OBS callback %s =" % field, [text])
    # proc handlers (lambdas) and signal connections (named functions).
    for m in re.finditer(r"proc_handler_add\(\s*\w+,\s*\"[^\"]*\",\s*\[[^\]]*\]\s*\([^)]*\)\s*(?P<nx>noexcept)?", text):
        lambda_at(m, "proc handler")
    for m in re.finditer(r"(?:signal_handler_connect\w*\(|emplace_back\()\s*\w+,\s*\"[^\"]*\",\s*&?([\w:]+)", text):
        named(m.start(), m.group(1), "signal handler")
    for m in re.finditer(r"obs_frontend_add_event_callback\(\s*([\w:]+)", text):
        named(m.start(), m.group(1), "frontend callback", [text])
    for m in re.finditer(r"CURLOPT_\w+FUNCTION,\s*([\w:]+)", text):
        named(m.start(), m.group(1), "libcurl callback", [text])
    for m in re.finditer(r"\bsetHandoffListener\(\s*\[[^\]]*\]\s*\([^)]*\)\s*(?P<nx>noexcept)?", text):
        lambda_at(m, "handoff listener")
    # Module entries: their bodies run inside guarded().
    for m in re.finditer(r"^(?:bool|void) (obs_module_\w+)\(void\)\s*\{", text, re.M):
        registration_files.add(path)
        if not guarded_body(body_at(text, m.end() - 1)):
            flag(m.start(), "%s does not run its body inside guarded()" % m.group(1))
    # obs-websocket vendor requests: what callbackFor() hands out.
    cb = re.search(r"RequestCallback callbackFor\([^)]*\)\s*\{(.*?)\n\}", text, re.S)
    if cb:
        for r in re.finditer(r"return\s+(\w+)", cb.group(1)):
            named(cb.start(1) + r.start(), r.group(1), "vendor request callback", [text])
    # Qt slots: every method declared under `slots:` until the next access specifier.
    if path.suffix == ".hpp":
        for m in re.finditer(r"\b(?:public|private|protected)\s+slots:(.*?)(?=\n\s*(?:public|private|protected|signals)\b|\n};)",
                             text, re.S):
            for d in re.finditer(r"^\s*[\w:<>&*\s]+\b(\w+)\s*\(([^;]*)\)\s*([^;]*);", m.group(1), re.M):
                named(m.start(1) + d.start(), d.group(1), "Qt slot", [all_text.get(path.with_suffix(".cpp"), "")])

for line in findings:
    print(line)
print("checked %d files; boundary registrations in %d; %d finding(s)" % (len(sources), len(registration_files), len(findings)))
if len(sys.argv) > 2:
    pathlib.Path(sys.argv[2]).write_text("\n".join(str(p) for p in sorted(registration_files)) + "\n")
sys.exit(1 if findings else 0)
