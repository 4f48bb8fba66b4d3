#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# check_plots.py SRCDIR OUTDIR - runs bench/plots.py on the committed report
# (bench/results/default-run.md) and checks the SVGs: they parse with xml.etree as SVG, have a
# title, axis labels and a legend naming every allocator; every bar and point carries the value
# of its table cell (read here with a separate, simpler parser), bar heights follow the values;
# the committed SVGs under bench/results/ are exactly what plots.py writes today. plots.py must
# also refuse a report without the tables it plots.
import json, math, os, re, subprocess, sys
import xml.etree.ElementTree as ET

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
plots = os.path.join(src, "bench", "plots.py")
results = os.path.join(src, "bench", "results")
report = os.path.join(results, "default-run.md")
res = subprocess.run([sys.executable, plots, report, out], capture_output=True, text=True)
assert res.returncode == 0, res.stdout + res.stderr
NAMES = ("ratio-to-raw.svg", "soak-frame-time.svg", "soak-rss.svg")
ALLOCS = ("framealloc", "glibc", "mimalloc", "jemalloc", "tcmalloc")
NS = "{http://www.w3.org/2000/svg}"

def cell_num(c):
    m = re.search(r"-?\d[\d,]*(?:\.\d+)?", c)
    return float(m.group(0).replace(",", ""))

md = open(report, encoding="utf-8").read()
# Expected bars: rows of ours/sys variants in the timed sections that have a raw row (x base in
# column 7), and the P2 ours/sys rows (x base in column 7 too).
expect = {}
for sec in re.split(r"\n(?=### )", md.split("\n## Timed workloads")[1].split("\n## ")[0]):
    m = re.match(r"### ([^:\n]+):", sec)
    if not m:
        continue
    rows = [[c.strip() for c in l.strip("|").split("|")] for l in sec.splitlines() if l.startswith("| ")]
    for suffix, label in (("", m.group(1)), ("-touch", m.group(1) + " touch")):
        if any(r[0] == "raw" + suffix for r in rows):
            for r in rows:
                if r[0] in ("ours" + suffix, "sys" + suffix):
                    a = "framealloc" if r[0].startswith("ours") else r[1]
                    expect[(label, a)] = cell_num(r[6])
p2 = md.split("\n## P2 ")[1].split("\n## ")[0]
for l in p2.splitlines():
    r = [c.strip() for c in l.strip("|").split("|")]
    if l.startswith("| ") and r[1] in ("ours", "sys"):
        expect[("P2 b" + r[0], "framealloc" if r[1] == "ours" else r[2])] = cell_num(r[6])
assert len(expect) > 50, len(expect)

soak = {}
s1 = md.split("\n## S1 soak")[1].split("\n## ")[0]
for l in s1.splitlines():
    r = [c.strip() for c in l.strip("|").split("|")]
    if l.startswith("| ") and r[0] in ("ours", "sys"):
        soak["framealloc" if r[0] == "ours" else r[1]] = r
assert set(soak) == set(ALLOCS), soak.keys()

def load(name):
    root = ET.parse(os.path.join(out, name)).getroot()
    assert root.tag == NS + "svg", root.tag
    assert int(root.get("width")) > 0 and int(root.get("height")) > 0 and root.get("viewBox")
    texts = {t.get("class"): "".join(t.itertext()) for t in root.iter(NS + "text") if t.get("class")}
    for k in ("title", "xlabel", "ylabel"):
        assert texts.get(k, "").strip(), (name, k)
    assert root.find(NS + "title") is not None, name
    legend = [g for g in root.iter(NS + "g") if g.get("class") == "legend"]
    assert len(legend) == 1, name
    ltext = ["".join(t.itertext()) for t in legend[0].iter(NS + "text")]
    for a in ALLOCS:
        assert a in ltext, (name, a, ltext)
    return root

# Ratio chart: one bar per expected cell, with its value; taller for a larger ratio.
root = load("ratio-to-raw.svg")
bars = [r for r in root.iter(NS + "rect") if r.get("class") == "bar"]
got = {(b.get("data-group"), b.get("data-alloc")): float(b.get("data-value")) for b in bars}
assert len(got) == len(bars), "duplicate bars"
assert got == expect, (sorted(set(got.items()) ^ set(expect.items())))[:10]
for b in bars:
    assert "%s %s: %sx raw" % (b.get("data-group"), b.get("data-alloc"), b.get("data-value")) in \
        "".join(b.itertext()), b.attrib
hs = sorted((float(b.get("data-value")), float(b.get("height"))) for b in bars)
assert all(hs[i][1] <= hs[i + 1][1] + 0.11 for i in range(len(hs) - 1)), "bar heights out of order"
# Log scale from 0.5x: height / log(value / 0.5) is the same for every bar.
k = [h / math.log10(v / 0.5) for v, h in hs]
assert max(k) - min(k) < 0.01 * max(k), (min(k), max(k))
raw = [l for l in root.iter(NS + "line") if l.get("class") == "raw"]
assert len(raw) == 1

# Soak charts: one line per allocator (RSS: plus framealloc's reservation); every point's title
# is its table value (frame time in us, RSS in MiB).
def points(root):
    lines = {p.get("data-name"): p for p in root.iter(NS + "polyline") if p.get("class") == "series"}
    vals = [("".join(c.itertext())) for c in root.iter(NS + "circle")]
    return lines, vals
root = load("soak-frame-time.svg")
lines, vals = points(root)
assert set(lines) == set(ALLOCS), lines.keys()
for a, r in soak.items():
    assert len(lines[a].get("points").split()) == 4, a
    for c in (3, 4, 6, 7):  # p50, p99, p99.9, max (ns)
        assert "%s: %g" % (a, cell_num(r[c]) / 1000) in vals, (a, c, r[c])
root = load("soak-rss.svg")
lines, vals = points(root)
assert set(lines) == set(ALLOCS) | {"framealloc frame+pool reserved"}, lines.keys()
for a, r in soak.items():
    for c in (8, 9):  # RSS @1k, RSS end (KiB)
        assert "%s: %g" % (a, cell_num(r[c]) / 1024) in vals, (a, c, r[c])
assert "framealloc frame+pool reserved: %g" % (cell_num(soak["framealloc"][15]) / 1024) in vals

# The committed charts are today's output for the committed report.
for n in NAMES:
    a = open(os.path.join(out, n), "rb").read()
    b = open(os.path.join(results, n), "rb").read()
    assert a == b, "bench/results/%s is stale: rerun bench/plots.py %s bench/results" % (n, report)

# The soak series run (bench/results/soak-series: soak.jsonl as fabench wrote it, report.md
# from report.py): report.md is report.py's output for soak.jsonl, the series charts carry the
# JSON arrays point by point, and the committed charts are up to date.
sdir = os.path.join(results, "soak-series")
r = subprocess.run([sys.executable, os.path.join(src, "bench", "report.py"), sdir],
                   capture_output=True, text=True)
assert r.returncode == 0, r.stderr
assert r.stdout == open(os.path.join(sdir, "report.md"), encoding="utf-8").read(), \
    "bench/results/soak-series/report.md is not report.py's output for its soak.jsonl"
sout = os.path.join(out, "soak-series")
r = subprocess.run([sys.executable, plots, os.path.join(sdir, "report.md"), sout],
                   capture_output=True, text=True)
assert r.returncode == 0 and "ratio-to-raw.svg skipped" in r.stderr, (r.returncode, r.stderr)
SERIES = ("soak-frame-time.svg", "soak-rss.svg", "soak-frame-time-series.svg", "soak-rss-series.svg")
assert sorted(os.listdir(sout)) == sorted(SERIES), os.listdir(sout)
runs = [json.loads(l) for l in open(os.path.join(sdir, "soak.jsonl")) if l.startswith("{")]
assert len(runs) == len(ALLOCS), len(runs)
def series_of(root):
    return {p.get("data-name"): p for p in root.iter(NS + "polyline") if p.get("class") == "series"}
ft = ET.parse(os.path.join(sout, "soak-frame-time-series.svg")).getroot()
rs = ET.parse(os.path.join(sout, "soak-rss-series.svg")).getroot()
for root in (ft, rs):
    assert root.tag == NS + "svg"
fvals = ["".join(c.itertext()) for c in ft.iter(NS + "circle")]
rvals = ["".join(c.itertext()) for c in rs.iter(NS + "circle")]
for run in runs:
    a = "framealloc" if run["mode"] == "ours" else run["peer"]
    n = len(run["series_end_frame"])
    assert n == 20 and run["series_end_frame"][-1] == run["frames"], run["series_end_frame"]
    assert len(series_of(ft)[a].get("points").split()) == n == len(series_of(rs)[a].get("points").split())
    for k in range(n):
        assert "%s: %g" % (a, run["series_p50_ns"][k] / 1000) in fvals, (a, k)
        assert "%s max: %g" % (a, run["series_max_ns"][k] / 1000) in fvals, (a, k)
        assert "%s: %g" % (a, run["series_rss_kib"][k] / 1024) in rvals, (a, k)
        if a == "framealloc":
            assert "framealloc frame+pool reserved: %g" % (run["series_fa_reserved_kib"][k] / 1024) in rvals
for n in SERIES:
    assert open(os.path.join(sout, n), "rb").read() == open(os.path.join(sdir, n), "rb").read(), \
        "bench/results/soak-series/%s is stale: rerun bench/plots.py" % n

# A report without the soak table gives the ratio chart only (and says so); one without any
# of the tables is refused.
cut = os.path.join(out, "no-soak.md")
open(cut, "w", encoding="utf-8").write(md.split("\n## S1 soak")[0])
r = subprocess.run([sys.executable, plots, cut, os.path.join(out, "cut")], capture_output=True, text=True)
assert r.returncode == 0 and "soak charts skipped" in r.stderr, (r.returncode, r.stderr)
assert sorted(os.listdir(os.path.join(out, "cut"))) == ["ratio-to-raw.svg"]
r = subprocess.run([sys.executable, plots, os.devnull, os.path.join(out, "bad")], capture_output=True, text=True)
assert r.returncode != 0 and "nothing to plot" in r.stderr, (r.returncode, r.stderr)
print("bench plots OK: %d bars, %d soak allocators, %d soak series" % (len(bars), len(soak), len(runs)))
