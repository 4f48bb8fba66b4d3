#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# check_report.py DEMO OUTDIR - runs the demo with --trace/--csv/--report and validates the
# files: the trace parses as JSON with one frame slice per recorded frame on each of the three
# threads, the CSV has one row per frame and thread, the HTML report parses (html.parser) with
# balanced elements, two SVG charts, every tag name and the worst-frames table.
import csv, json, os, subprocess, sys
from html.parser import HTMLParser

demo, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
t, c, r = (os.path.join(out, n) for n in ("demo.json", "demo.csv", "demo.html"))
res = subprocess.run([demo, "--frames", "120", "--quiet", "--trace", t, "--csv", c, "--report", r],
                     capture_output=True, text=True)
assert res.returncode == 0, res.stdout + res.stderr
assert "120 frames on 3 threads" in res.stdout, res.stdout
h = subprocess.run([demo, "--help"], capture_output=True, text=True)
assert h.returncode == 0 and "--report" in h.stdout, h

ev = json.load(open(t, encoding="utf-8"))["traceEvents"]
tids = {e["tid"] for e in ev if e["ph"] == "X"}
assert len(tids) == 3, tids
for tid in tids:
    assert len([e for e in ev if e["ph"] == "X" and e["tid"] == tid]) == 120, tid
rows = list(csv.reader(open(c, newline="", encoding="utf-8")))
assert len(rows) == 1 + 3 * 120 and all(len(x) == len(rows[0]) for x in rows)

class P(HTMLParser):
    VOID = {"meta", "line", "circle", "rect", "polygon"}
    def __init__(self):
        super().__init__(); self.stack = []; self.count = {}; self.ids = set(); self.text = []
    def handle_starttag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1
        self.ids |= {v for k, v in attrs if k == "id"}
        if tag not in self.VOID: self.stack.append(tag)
    def handle_endtag(self, tag):
        if tag in self.VOID: return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-3:])
        self.stack.pop()
    def handle_data(self, d): self.text.append(d)
p = P(); p.feed(open(r, encoding="utf-8").read()); p.close()
assert not p.stack and p.count.get("svg") == 2 and {"memory", "frametime", "worst"} <= p.ids
text = "".join(p.text)
for name in ("physics", "render", "audio", "jobs", "Worst frames", "soft budget"):
    assert name in text, name
print("demo exports OK")
