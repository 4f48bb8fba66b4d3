#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# check_render.py DEMO|REPORT.html OUTDIR [--keep PNG] - renders the demo's HTML memory report
# in headless Chromium and checks what the browser made of it: in the DOM it parsed (--dump-dom),
# the stacked memory chart has one series per tag that held memory (cross-checked with the tags
# table), the peak marker sits on top of the stack, budget lines name a tag with that budget, the
# frame-time chart has one bar per frame and the worst-frames table its rows in order; the
# screenshot is a PNG of the window size asked for, with the report's colours in it.
# The browser: $CHROMIUM, else chromium, chromium-browser or google-chrome on PATH. Exits 77
# (reported as skipped by ctest) when none is found; never passes without one.
import os, re, shutil, struct, subprocess, sys, zlib
from html.parser import HTMLParser

W, H = 960, 1500
args = sys.argv[1:]
keep = None
if "--keep" in args:
    i = args.index("--keep"); keep = args[i + 1]; del args[i:i + 2]
src, out = args[0], args[1]
browser = os.environ.get("CHROMIUM") or next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
if not browser:
    print("check_render: no chromium, chromium-browser or google-chrome on PATH: skipped")
    sys.exit(77)
os.makedirs(out, exist_ok=True)

if src.endswith(".html"):
    report = os.path.abspath(src)
else:
    report = os.path.abspath(os.path.join(out, "report.html"))
    res = subprocess.run([src, "--frames", "120", "--quiet", "--report", report],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr

def chromium(*extra):
    # Own profile directory: parallel runs and the caller's profile stay apart.
    # --disable-dev-shm-usage: containers often have a small /dev/shm, which crashes the renderer.
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--hide-scrollbars", "--user-data-dir=" + os.path.join(out, "profile"),
           "--window-size=%d,%d" % (W, H),
           *extra, "file://" + report]
    res = subprocess.run(cmd, capture_output=True, timeout=120)
    assert res.returncode == 0, (cmd, res.returncode, res.stderr.decode(errors="replace")[-2000:])
    return res

# ---- the DOM as the browser parsed it ----------------------------------------------------------
class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.kids, self.text = tag, dict(attrs), parent, [], []
    def all(self, tag=None, cls=None):
        for k in self.kids:
            if (tag is None or k.tag == tag) and (cls is None or cls in k.attrs.get("class", "").split()):
                yield k
            yield from k.all(tag, cls)
    def content(self):
        return "".join(self.text) + "".join(k.content() for k in self.kids)
    def title(self):
        t = [k for k in self.kids if k.tag == "title"]
        return t[0].content() if t else None

class Tree(HTMLParser):
    VOID = {"meta", "br", "img", "input", "link", "hr", "wbr", "col", "area", "base", "source"}
    def __init__(self):
        super().__init__(); self.root = Node("#root", {}, None); self.cur = self.root
    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur); self.cur.kids.append(n)
        if tag not in self.VOID: self.cur = n
    def handle_startendtag(self, tag, attrs):
        self.cur.kids.append(Node(tag, attrs, self.cur))
    def handle_endtag(self, tag):
        if tag in self.VOID: return
        assert self.cur.tag == tag, ("unbalanced serialised DOM", tag, self.cur.tag)
        self.cur = self.cur.parent
    def handle_data(self, d): self.cur.text.append(d)

dom = chromium("--dump-dom").stdout.decode("utf-8")
assert dom.lstrip().startswith("<"), dom[:200]
t = Tree(); t.feed(dom); t.close()
root = t.root
byid = {n.attrs["id"]: n for n in root.all() if "id" in n.attrs}
for need in ("memory", "frametime", "worst", "tags"):
    assert need in byid, ("missing element id", need, sorted(byid))
m = re.search(r"(\d+) frame numbers shown", root.content())
assert m, "frame count sentence missing"
nf = int(m.group(1))
assert nf >= 2, nf

def rows(table):
    return [[c.content().strip() for c in tr.kids if c.tag == "td"] for tr in table.all("tr")][1:]
tags = rows(byid["tags"])
assert tags and all(len(r) == 4 for r in tags), tags
held = [r[0] for r in tags if r[1] != "0 B"]
assert held, ("no tag held memory", tags)

def nums(s): return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", s)]

# Stacked memory chart: one polygon per tag that held memory, in tag order, one point per frame on
# its top edge and one per frame on its base.
mem = byid["memory"]
assert mem.tag == "svg" and mem.attrs.get("viewbox", mem.attrs.get("viewBox")), mem.attrs
series = list(mem.all("polygon", "tag"))
assert [p.title() for p in series] == held, ([p.title() for p in series], held)
assert len({p.attrs["fill"] for p in series}) == len(series), "series share a colour"
tops = []
for p in series:
    pts = nums(p.attrs["points"])
    assert len(pts) == 4 * nf, (p.title(), len(pts), nf)
    xy = list(zip(pts[0::2], pts[1::2]))
    assert all(xy[i][0] < xy[i + 1][0] for i in range(nf - 1)), ("x not increasing", p.title())
    tops.append(xy[:nf])
# The topmost edge of the stack is the last series' top edge; the peak marker sits at its highest
# point.
ys = [pt[1] for pt in tops[-1]]
peak = list(mem.all("circle", "peak"))
assert len(peak) == 1, peak
cx, cy = float(peak[0].attrs["cx"]), float(peak[0].attrs["cy"])
assert abs(cy - min(ys)) <= 0.2, ("peak marker not on top of the stack", cy, min(ys))
assert any(abs(cx - x) <= 0.2 and abs(cy - y) <= 0.2 for x, y in tops[-1]), (cx, cy)
ptext = [x.content() for x in mem.all("text") if x.content().startswith("peak ")]
assert len(ptext) == 1 and re.fullmatch(r"peak [\d.]+ (B|KiB|MiB) \(frame \d+\)", ptext[0]), ptext
# Budget lines: horizontal, across the chart, each labelled with a tag whose budget the tags
# table lists.
budgets = list(mem.all("line", "budget"))
assert budgets, "no budget line in the memory chart"
labels = [x.content() for x in mem.all("text") if x.content().endswith(" budget")]
assert len(labels) == len(budgets), (labels, len(budgets))
limits = {(r[0], "soft") for r in tags if r[2] != "-"} | {(r[0], "hard") for r in tags if r[3] != "-"}
for ln, lb in zip(budgets, labels):
    name, kind, _ = lb.rsplit(" ", 2)
    assert (name, kind) in limits, (lb, limits)
    x1, y1, x2, y2 = (float(ln.attrs[k]) for k in ("x1", "y1", "x2", "y2"))
    assert y1 == y2 and x2 - x1 > 500, ln.attrs
legend = [k.content() for k in root.all("p", "legend")]
assert legend and all(r[0] in legend[0] for r in tags), (legend, tags)

# Frame-time chart: one bar per frame with its time in the title.
bars = list(byid["frametime"].all("rect"))
assert len(bars) == nf, (len(bars), nf)
times = {}
for b in bars:
    m = re.fullmatch(r"frame (\d+): ([\d.]+) ms", b.title() or "")
    assert m, b.title()
    times[int(m.group(1))] = float(m.group(2))
    assert float(b.attrs["height"]) >= 0
assert len(times) == nf, "frame numbers repeat in the frame-time chart"

# Worst frames: min(10, frames) rows, slowest first, the times of the chart's bars.
worst = rows(byid["worst"])
assert len(worst) == min(10, nf) and all(len(r) == 7 for r in worst), worst
wt = [float(r[1]) for r in worst]
assert wt == sorted(wt, reverse=True), wt
assert wt[0] == max(times.values()), (wt[0], max(times.values()))
for r in worst:
    assert times[int(r[0])] == float(r[1]), r

# ---- the screenshot ----------------------------------------------------------------------------
png = os.path.join(out, "report.png")
if os.path.exists(png): os.remove(png)
chromium("--screenshot=" + png)
data = open(png, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
chunks, pos = [], 8
while pos < len(data):
    n, typ = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    assert len(body) == n and zlib.crc32(typ + body) == struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0], typ
    chunks.append((typ, body)); pos += 12 + n
assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND", [c[0] for c in chunks]
w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
assert (w, h) == (W, H), ("screenshot size", w, h)
assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(b"".join(b for t_, b in chunks if t_ == b"IDAT"))
stride = w * bpp
assert len(raw) == h * (stride + 1), (len(raw), h, stride)

def paeth(a, b, c):
    p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c

prev, colours = bytearray(stride), {}
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    if f == 1:
        for i in range(bpp, stride): line[i] = (line[i] + line[i - bpp]) & 255
    elif f == 2:
        line = bytearray((a + b) & 255 for a, b in zip(line, prev))
    elif f == 3:
        for i in range(stride):
            line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
    elif f == 4:
        for i in range(stride):
            a, c = (line[i - bpp], prev[i - bpp]) if i >= bpp else (0, 0)
            line[i] = (line[i] + paeth(a, prev[i], c)) & 255
    else:
        assert f == 0, ("bad filter", f, y)
    for x in range(0, stride, bpp):
        px = bytes(line[x:x + 3])
        colours[px] = colours.get(px, 0) + 1
    prev = line
assert len(colours) > 16, ("screenshot nearly blank", len(colours))
white = colours.get(b"\xff\xff\xff", 0)
assert white < 0.97 * w * h, ("screenshot nearly all white", white)

def rgb(c): return bytes.fromhex(c.lstrip("#"))
def near(c):
    # Pixels within 3 per channel of colour c: blending and rounding differ a little by renderer.
    return sum(k for px, k in colours.items() if all(abs(a - b) <= 3 for a, b in zip(px, c)))
# Legend swatches (12x12, opaque): every tag's colour is on screen.
for p in series:
    assert near(rgb(p.attrs["fill"])) >= 100, ("tag colour not rendered", p.title(), p.attrs["fill"])
# The largest series, drawn at fill-opacity 0.85 over white, fills a visible area of the chart.
op = float(series[0].attrs.get("fill-opacity", "1"))
blend = bytes(round(op * v + (1 - op) * 255) for v in rgb(series[0].attrs["fill"]))
assert near(blend) >= 2000, ("stacked chart area not rendered", blend.hex(), near(blend))
if keep:
    shutil.copyfile(png, keep)
print("report rendered OK: %d series, %d bars, %d worst rows, %dx%d PNG, %d colours"
      % (len(series), len(bars), len(worst), w, h, len(colours)))
