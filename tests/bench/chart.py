"""Dead air against RTT, one line per client. The drawing is a list of primitives written out twice:
as SVG (for the docs) and as ImageMagick's own vector format (MVG), which `magick`/`convert` turns
into the PNG without an SVG delegate (Debian's ImageMagick 7 wants rsvg-convert for SVG)."""

import math
import os
import shutil
import subprocess

W, H = 900, 520
LEFT, RIGHT, TOP, BOTTOM = 90, 330, 50, 70
COLORS = ["#1b7837", "#66bd63", "#2166ac", "#b2182b", "#762a83", "#e08214"]
Y_MIN, Y_MAX = 1.0, 10000.0  # ms, log scale: the clients differ by three orders of magnitude
FONTS = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"]


def _x(rtt, rtts):
    lo, hi = min(rtts), max(rtts)
    return LEFT + (W - LEFT - RIGHT) * ((rtt - lo) / (hi - lo) if hi > lo else 0.5)


def _y(ms):
    v = min(max(ms, Y_MIN), Y_MAX)
    span = math.log10(Y_MAX) - math.log10(Y_MIN)
    return TOP + (H - TOP - BOTTOM) * (1 - (math.log10(v) - math.log10(Y_MIN)) / span)


def _primitives(series, target_ms, colors):
    rtts = sorted({p[0] for pts in series.values() for p in pts}) or [0, 150]
    p = [("text", LEFT, 28, "Dead air per handoff (±1 s window) vs RTT (dot: median, bar: up to max)", "#000", 17, "start")]
    for decade in range(0, 5):
        ms = 10 ** decade
        p.append(("line", LEFT, _y(ms), W - RIGHT, _y(ms), "#dddddd", 1, None))
        p.append(("text", LEFT - 8, _y(ms) + 4, "{:,}".format(ms), "#000", 13, "end"))
    for rtt in rtts:
        x = _x(rtt, rtts)
        p.append(("line", x, TOP, x, H - BOTTOM, "#dddddd", 1, None))
        p.append(("text", x, H - BOTTOM + 20, "%d ms" % rtt, "#000", 13, "middle"))
    p.append(("rect", LEFT, TOP, W - RIGHT, H - BOTTOM, "#444444"))
    p.append(("text", (LEFT + W - RIGHT) / 2, H - 25, "TCP round-trip time (goaway-delayline)", "#000", 13, "middle"))
    p.append(("vtext", 28, (TOP + H - BOTTOM) / 2, "dead air (ms, log scale; 0 drawn at 1)", "#000", 13, "middle"))
    ty = _y(target_ms)
    p.append(("line", LEFT, ty, W - RIGHT, ty, "#999999", 1, "6,4"))
    p.append(("text", LEFT + 6, ty - 5, "target %d ms" % target_ms, "#777777", 12, "start"))
    for i, (label, pts) in enumerate(series.items()):
        color = colors.get(label) or COLORS[i % len(COLORS)]
        pts = sorted(pts)
        dx = (i - (len(series) - 1) / 2) * 5  # spread the bars so that they do not overlap
        p.append(("polyline", [(_x(r, rtts) + dx, _y(m)) for r, m, _ in pts], color, 2.5))
        for r, m, mx in pts:
            x = _x(r, rtts) + dx
            p.append(("line", x, _y(m), x, _y(mx), color, 1.5, None))
            p.append(("circle", x, _y(m), 4.5, color))
        ly, lx = TOP + 10 + i * 42, W - RIGHT + 18
        p.append(("line", lx, ly, lx + 24, ly, color, 3, None))
        words = label.split(", ", 1)
        p.append(("text", lx + 30, ly + 4, words[0], "#000", 13, "start"))
        if len(words) > 1:
            p.append(("text", lx + 30, ly + 20, words[1], "#555555", 12, "start"))
    return p


def _esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _svg(prims):
    e = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="DejaVu Sans, sans-serif">' %
         (W, H), '<rect width="100%" height="100%" fill="white"/>']
    for q in prims:
        kind = q[0]
        if kind == "line":
            _, x1, y1, x2, y2, color, width, dash = q
            e.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%s"%s/>' %
                     (x1, y1, x2, y2, color, width, ' stroke-dasharray="%s"' % dash if dash else ""))
        elif kind == "text":
            _, x, y, text, color, size, anchor = q
            e.append('<text x="%.1f" y="%.1f" fill="%s" font-size="%d" text-anchor="%s"%s>%s</text>' %
                     (x, y, color, size, anchor, ' font-weight="bold"' if size > 15 else "", _esc(text)))
        elif kind == "vtext":
            _, x, y, text, color, size, anchor = q
            e.append('<text transform="translate(%.1f,%.1f) rotate(-90)" fill="%s" font-size="%d" '
                     'text-anchor="%s">%s</text>' % (x, y, color, size, anchor, _esc(text)))
        elif kind == "rect":
            _, x1, y1, x2, y2, color = q
            e.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="%s"/>' %
                     (x1, y1, x2 - x1, y2 - y1, color))
        elif kind == "polyline":
            _, pts, color, width = q
            e.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="%s"/>' %
                     (" ".join("%.1f,%.1f" % xy for xy in pts), color, width))
        elif kind == "circle":
            _, x, y, r, color = q
            e.append('<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s"/>' % (x, y, r, color))
    e.append("</svg>")
    return "\n".join(e) + "\n"


def _mvg(prims, font):
    def quoted(s):
        return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')

    e = ["viewbox 0 0 %d %d" % (W, H), "push graphic-context", "fill white", "rectangle 0,0 %d,%d" % (W, H),
         "pop graphic-context"]
    if font:
        e.append("font %s" % quoted(font))
    for q in prims:
        kind = q[0]
        e.append("push graphic-context")
        if kind == "line":
            _, x1, y1, x2, y2, color, width, dash = q
            e += ["fill none", "stroke %s" % quoted(color), "stroke-width %s" % width]
            if dash:
                e.append("stroke-dasharray %s" % dash.replace(",", " "))
            e.append("line %.1f,%.1f %.1f,%.1f" % (x1, y1, x2, y2))
        elif kind in ("text", "vtext"):
            _, x, y, text, color, size, anchor = q
            e += ["stroke none", "fill %s" % quoted(color), "font-size %d" % size, "text-anchor %s" % anchor]
            if kind == "vtext":
                e += ["translate %.1f,%.1f" % (x, y), "rotate -90", "text 0,0 %s" % quoted(text)]
            else:
                e.append("text %.1f,%.1f %s" % (x, y, quoted(text)))
        elif kind == "rect":
            _, x1, y1, x2, y2, color = q
            e += ["fill none", "stroke %s" % quoted(color), "rectangle %.1f,%.1f %.1f,%.1f" % (x1, y1, x2, y2)]
        elif kind == "polyline":
            _, pts, color, width = q
            e += ["fill none", "stroke %s" % quoted(color), "stroke-width %s" % width,
                  "polyline %s" % " ".join("%.1f,%.1f" % xy for xy in pts)]
        elif kind == "circle":
            _, x, y, r, color = q
            e += ["stroke none", "fill %s" % quoted(color), "circle %.1f,%.1f %.1f,%.1f" % (x, y, x + r, y)]
        e.append("pop graphic-context")
    return "\n".join(e) + "\n"


def write_chart(series, svg_path, target_ms, colors=None):
    """series: {label: [(rtt, median, max), ...]}; colors: {label: "#rrggbb"}. Writes the SVG; returns True when the PNG (same
    name, .png) was written too."""
    prims = _primitives(series, target_ms, colors or {})
    with open(svg_path, "w") as f:
        f.write(_svg(prims))
    tool = shutil.which("magick") or shutil.which("convert")
    if not tool:
        return False
    base = svg_path[:-4]
    font = next((f for f in FONTS if os.path.exists(f)), None)
    with open(base + ".mvg", "w") as f:
        f.write(_mvg(prims, font))
    # MVG:file, not -draw @file: Debian's ImageMagick policy forbids reading @files.
    r = subprocess.run([tool, "MVG:" + base + ".mvg", base + ".png"],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        print("ImageMagick: " + r.stderr.strip())
    return r.returncode == 0 and os.path.exists(base + ".png")
