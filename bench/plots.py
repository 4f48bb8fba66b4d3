#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""SVG plots of a benchmark report (the markdown report.py writes). Python standard library only.

usage: plots.py REPORT.md OUTDIR

Writes into OUTDIR:
  ratio-to-raw.svg      grouped bars: each workload's time / raw time (same round, same process)
                        for framealloc and every peer allocator, log scale
  soak-frame-time.svg   S1 soak frame-time percentiles (p50, p99, p99.9, max) per allocator
  soak-rss.svg          S1 soak RSS at frame 1,000 and at the end per allocator, and framealloc's
                        own frame+pool reservation
and, when the report has the "S1 soak series" table (fabench records it since it samples the
soak in 20 windows; older reports lack it):
  soak-frame-time-series.svg   median and longest frame of each window over the soak
  soak-rss-series.svg          RSS and framealloc's frame+pool reservation at each window's end
Without the series the two summary charts only connect the points that exist: they show the
spread and the drift, not the shape over time.
Exits 1 when the report lacks the timed workload tables or the soak table.
"""
import math
import os
import re
import sys
from xml.sax.saxutils import escape, quoteattr

ALLOCS = ["framealloc", "glibc", "mimalloc", "jemalloc", "tcmalloc"]
COLOUR = {"framealloc": "#4e79a7", "glibc": "#f28e2b", "mimalloc": "#59a14f",
          "jemalloc": "#b07aa1", "tcmalloc": "#e15759"}
W, H = 960, 440
L, R, T, B = 70, 20, 50, 70  # plot margins: left, right, top, bottom


def tables(md):
    """[(h2, h3, header cells, [row cells])] for every markdown table, with its headings."""
    out, h2, h3, cur = [], "", "", None
    for line in md.splitlines():
        if line.startswith("## "):
            h2, h3, cur = line[3:].strip(), "", None
        elif line.startswith("### "):
            h3, cur = line[4:].strip(), None
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cur is None:
                cur = (h2, h3, cells, [])
                out.append(cur)
            elif not all(re.fullmatch(r":?-+:?", c) for c in cells):
                cur[3].append(cells)
        else:
            cur = None
    return out


def num(s):
    """The first number of a cell ("1,472 / 1,472" -> 1472.0), None for "-"."""
    m = re.search(r"-?\d[\d,]*(?:\.\d+)?", s)
    return float(m.group(0).replace(",", "")) if m else None


def alloc_of(variant, allocator):
    if variant.startswith("ours"):
        return "framealloc"
    return allocator if variant.startswith("sys") and allocator in ALLOCS else None


def ratios(tabs):
    """[(group label, {allocator: ratio to raw})] in report order."""
    groups = []
    for h2, h3, head, rows in tabs:
        if h2 == "Timed workloads" and h3 and "x base" in head:
            wl, col = h3.split(":")[0], head.index("x base")
            for suffix in ("", "-touch"):
                base = [r for r in rows if r[0] == "raw" + suffix]
                vals = {}
                for r in rows:
                    a = alloc_of(r[0], r[1])
                    if base and a and r[0] in ("ours" + suffix, "sys" + suffix):
                        vals[a] = num(r[col])
                if base and vals:
                    groups.append((wl + (" touch" if suffix else ""), vals))
        elif h2.startswith("P2 ") and "x base" in head:
            col, bcol = head.index("x base"), head.index("batch")
            for b in dict.fromkeys(r[bcol] for r in rows):
                vals = {alloc_of(r[1], r[2]): num(r[col]) for r in rows if r[bcol] == b}
                vals.pop(None, None)
                if vals:
                    groups.append(("P2 b" + b, vals))
    return groups


def soak_series(tabs):
    """{allocator: [(end frame, p50 ns, max ns, RSS KiB, reserved KiB or None)]}, and the
    window length, from the S1 soak series table (absent in reports of older runs)."""
    for h2, _, head, rows in tabs:
        if h2.startswith("S1 soak series"):
            out = {}
            for r in rows:
                a = "framealloc" if r[0] == "ours" else r[1]
                out.setdefault(a, []).append(tuple(num(c) for c in r[2:7]))
            m = re.search(r"windows of ([\d,]+) frames", h2)
            return out, num(m.group(1)) if m else None
    return {}, None


def soak_rows(tabs):
    """{allocator: row dict} of the S1 soak table."""
    for h2, _, head, rows in tabs:
        if h2.startswith("S1 soak"):
            out = {}
            for r in rows:
                d = dict(zip(head, r))
                a = "framealloc" if d["mode"] == "ours" else d["allocator"]
                out[a] = d
            return out
    return {}


class Svg:
    def __init__(self, title):
        self.parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
                      f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
                      f'<title>{escape(title)}</title>',
                      f'<rect width="{W}" height="{H}" fill="#fff"/>',
                      f'<text x="{W / 2}" y="22" font-size="15" text-anchor="middle" '
                      f'class="title">{escape(title)}</text>']

    def add(self, s):
        self.parts.append(s)

    def text(self, x, y, s, anchor="start", cls=None, extra=""):
        c = f' class="{cls}"' if cls else ""
        self.add(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{c}{extra}>{escape(s)}</text>')

    def axes(self, xlabel, ylabel):
        self.add(f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="#000"/>')
        self.add(f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="#000"/>')
        self.text((L + W - R) / 2, H - 12, xlabel, "middle", "xlabel")
        y = (T + H - B) / 2
        self.text(16, y, ylabel, "middle", "ylabel", f' transform="rotate(-90 16 {y:.1f})"')

    def ytick(self, y, label):
        self.add(f'<line x1="{L - 4}" y1="{y:.1f}" x2="{W - R}" y2="{y:.1f}" stroke="#ddd"/>')
        self.text(L - 6, y + 4, label, "end", "ytick")

    def legend(self, names, dashed=()):
        x = W - R - 10
        g = ['<g class="legend">']
        for n in reversed(names):
            w = 7 * len(n) + 26
            x -= w
            dash = ' stroke-dasharray="5,3"' if n in dashed else ""
            g.append(f'<line x1="{x:.0f}" y1="38" x2="{x + 16:.0f}" y2="38" stroke="{colour(n)}" '
                     f'stroke-width="8"{dash}/><text x="{x + 20:.0f}" y="42">{escape(n)}</text>')
        g.append("</g>")
        self.add("".join(g))

    def write(self, path):
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(self.parts + ["</svg>", ""]))


def colour(name):
    return COLOUR.get(name.split(" ")[0], "#888")


def log_ticks(lo, hi):
    ticks, e = [], math.floor(math.log10(lo))
    while 10 ** e <= hi:
        ticks += [m * 10 ** e for m in (1, 2, 5) if lo <= m * 10 ** e <= hi]
        e += 1
    return ticks


def tick_label(v):
    return f"{v:g}" if v < 1e4 else f"{v:,.0f}"


def ratio_chart(groups, path):
    vals = [v for _, d in groups for v in d.values() if v]
    lo, hi = 0.5, max(vals) * 1.5
    ly = lambda v: H - B - (H - B - T - 20) * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
    s = Svg("Time per workload relative to the raw baseline (same round, same process)")
    for t in log_ticks(lo, hi):
        s.ytick(ly(t), tick_label(t) + "x")
    s.axes("workload (bench/README.md, Workloads)", "time / raw time (log scale)")
    gw = (W - L - R) / len(groups)
    for gi, (label, d) in enumerate(groups):
        present = [a for a in ALLOCS if d.get(a)]
        bw = min(12.0, (gw - 8) / max(len(present), 1))
        x0 = L + gi * gw + (gw - bw * len(present)) / 2
        for k, a in enumerate(present):
            v, x = d[a], x0 + k * bw
            y = ly(v)
            s.add(f'<rect class="bar" data-group={quoteattr(label)} data-alloc="{a}" '
                  f'data-value="{v:g}" x="{x:.1f}" y="{y:.1f}" width="{bw - 1:.1f}" '
                  f'height="{H - B - y:.1f}" fill="{COLOUR[a]}"><title>{escape(label)} {a}: '
                  f'{v:g}x raw</title></rect>')
        s.text(L + gi * gw + gw / 2, H - B + 14, label, "middle", "xtick",
               ' font-size="10"')
    s.add(f'<line class="raw" x1="{L}" y1="{ly(1):.1f}" x2="{W - R}" y2="{ly(1):.1f}" '
          f'stroke="#000" stroke-dasharray="4,3"/>')
    s.text(W - R - 2, ly(1) - 4, "raw = 1x", "end", None, ' font-size="10"')
    s.legend(ALLOCS)
    s.write(path)


def line_chart(title, xlabel, ylabel, xs, xlabels, series, path, logy, dashed=(), note=None):
    """series: [(name, [y or None per x])]; names in dashed are drawn dashed, names ending in
    " max" are dashed and left out of the legend (note explains them). xs: linear positions."""
    ys = [y for _, v in series for y in v if y is not None]
    if logy:
        lo, hi = 10 ** math.floor(math.log10(min(ys))), max(ys) * 1.5
        fy = lambda v: (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        ticks = log_ticks(lo, hi)
    else:
        step = 10 ** math.floor(math.log10(max(ys))) / 2
        lo, hi = 0.0, math.ceil(max(ys) * 1.15 / step) * step
        fy = lambda v: (v - lo) / (hi - lo)
        ticks = [lo + k * step for k in range(int(round(hi / step)) + 1)]
    py = lambda v: H - B - (H - B - T - 20) * fy(v)
    x0, x1 = min(xs), max(xs)
    px = lambda x: L + 40 + (W - L - R - 80) * (x - x0) / (x1 - x0)
    s = Svg(title)
    for t in ticks:
        s.ytick(py(t), tick_label(t))
    s.axes(xlabel, ylabel)
    for x, lb in zip(xs, xlabels):
        s.add(f'<line x1="{px(x):.1f}" y1="{H - B}" x2="{px(x):.1f}" y2="{H - B + 4}" stroke="#000"/>')
        s.text(px(x), H - B + 16, lb, "middle", "xtick")
    for name, v in series:
        pts = [(px(x), py(y), y) for x, y in zip(xs, v) if y is not None]
        extra = name.endswith(" max")
        dash = ' stroke-dasharray="6,3"' if name in dashed or extra else ""
        width = 1 if extra else 2
        s.add(f'<polyline class="series" data-name={quoteattr(name)} fill="none" '
              f'stroke="{colour(name)}" stroke-width="{width}"{dash} points="'
              + " ".join(f"{a:.1f},{b:.1f}" for a, b, _ in pts) + '"/>')
        for a, b, y in pts:
            s.add(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="{2 if extra else 3.5}" '
                  f'fill="{colour(name)}"><title>{escape(name)}: {y:g}</title></circle>')
    s.legend([n for n, _ in series if not n.endswith(" max")], dashed)
    if note:
        s.text(L + 8, T + 2, note, "start", "note", ' font-size="11"')
    s.write(path)


def soak_summary(soak, out, has_series):
    order = [a for a in ALLOCS if a in soak]
    cols = ["p50 ns", "p99 ns", "p99.9 ns", "max ns"]
    line_chart("S1 soak: frame time percentiles per allocator"
               + ("" if has_series else " (summary points; no per-frame series in the report)"),
               "percentile over the soak's frames after warm-up",
               "frame time, us (log scale)", [0, 1, 2, 3], ["p50", "p99", "p99.9", "max"],
               [(a, [num(soak[a][c]) / 1000 for c in cols]) for a in order],
               os.path.join(out, "soak-frame-time.svg"), True)

    frames = {num(soak[a]["frames"]) for a in order}
    if len(frames) != 1:
        sys.exit(f"plots.py: soak runs of different lengths: {sorted(frames)}")
    end = frames.pop()
    series = [(a, [num(soak[a]["RSS @1k KiB"]) / 1024, num(soak[a]["RSS end KiB"]) / 1024])
              for a in order]
    resv = next((v for k, v in soak.get("framealloc", {}).items() if "reserved" in k), None)
    if resv:
        a, b = (num(p) / 1024 for p in resv.split("/"))
        series.append(("framealloc frame+pool reserved", [a, b]))
    line_chart("S1 soak: RSS at frame 1,000 and at the end (the two points recorded)",
               "frame", "RSS, MiB", [1000, end], ["1,000", f"{end:,.0f}"], series,
               os.path.join(out, "soak-rss.svg"), False, dashed=("framealloc frame+pool reserved",))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    md = open(sys.argv[1], encoding="utf-8").read()
    out = sys.argv[2]
    tabs = tables(md)
    groups = ratios(tabs)
    soak = soak_rows(tabs)
    ser, window = soak_series(tabs)
    if not groups and not soak:
        sys.exit(f"plots.py: {sys.argv[1]}: neither timed workload tables (with an x base "
                 "column) nor the S1 soak table: nothing to plot")
    os.makedirs(out, exist_ok=True)
    names = []
    if groups:
        ratio_chart(groups, os.path.join(out, "ratio-to-raw.svg"))
        names.append("ratio-to-raw.svg")
    else:
        print(f"plots.py: {sys.argv[1]}: no timed workload tables: ratio-to-raw.svg skipped",
              file=sys.stderr)
    if soak:
        soak_summary(soak, out, bool(ser))
        names += ["soak-frame-time.svg", "soak-rss.svg"]
    else:
        print(f"plots.py: {sys.argv[1]}: no S1 soak table: soak charts skipped", file=sys.stderr)
    if ser:
        order = [a for a in ALLOCS if a in ser]
        ends = [e for e, *_ in ser[order[0]]]
        if any([e for e, *_ in ser[a]] != ends for a in order):
            sys.exit("plots.py: soak series of different windows")
        step = max(1, len(ends) // 10)
        xl = [f"{e:,.0f}" if i % step == step - 1 else "" for i, e in enumerate(ends)]
        fs = []
        for a in order:
            fs.append((a, [p / 1000 for _, p, _, _, _ in ser[a]]))
            fs.append((a + " max", [m / 1000 for _, _, m, _, _ in ser[a]]))
        line_chart(f"S1 soak: frame time over the soak (median and longest frame per "
                   f"{window:,.0f} frames)", "frame (end of window)",
                   "frame time, us (log scale)", ends, xl, fs,
                   os.path.join(out, "soak-frame-time-series.svg"), True,
                   note="solid: median frame of the window; thin dashed: longest frame")
        rs = [(a, [r / 1024 for _, _, _, r, _ in ser[a]]) for a in order]
        if "framealloc" in ser:
            rs.append(("framealloc frame+pool reserved", [v / 1024 for *_, v in ser["framealloc"]]))
        line_chart(f"S1 soak: RSS over the soak (sampled every {window:,.0f} frames)",
                   "frame", "RSS, MiB", ends, xl, rs,
                   os.path.join(out, "soak-rss-series.svg"), False,
                   dashed=("framealloc frame+pool reserved",))
        names += ["soak-frame-time-series.svg", "soak-rss-series.svg"]
    for n in names:
        print(os.path.join(out, n))


if __name__ == "__main__":
    main()
