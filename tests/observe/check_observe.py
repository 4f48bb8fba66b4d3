#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# check_observe.py EXPORT_MAIN OUTDIR - runs export_main and validates its trace (json), CSV
# (csv) and HTML report (html.parser): structure, per-thread slice counts equal to the records
# kept, escaped tag names, the report's charts and worst-frames table.
import csv, json, os, subprocess, sys
from html.parser import HTMLParser

exe, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
res = subprocess.run([exe, out], capture_output=True, text=True, check=True)
kept = {}
for line in res.stdout.split("\n"):
    if line.startswith("thread "):
        _, tid, n = line.split()
        kept[int(tid)] = int(n)
assert len(kept) == 2, res.stdout
assert sorted(kept.values()) == [30, 50], kept  # worker: all 30 frames; main: newest 50 of 70

# --- trace ----------------------------------------------------------------------------------
d = json.load(open(os.path.join(out, "trace.json"), encoding="utf-8"))
ev = d["traceEvents"]
assert isinstance(ev, list) and ev
assert {e["ph"] for e in ev} == {"M", "X", "C", "i"}, {e["ph"] for e in ev}
for tid, n in kept.items():
    slices = [e for e in ev if e["ph"] == "X" and e["tid"] == tid]
    assert len(slices) == n, (tid, len(slices), n)
    assert all(e["dur"] >= 0 and e["ts"] >= 0 for e in slices)
    ts = [e["ts"] for e in slices]
    assert ts == sorted(ts)
    assert any(e["ph"] == "M" and e["name"] == "thread_name" and e["tid"] == tid for e in ev)
counters = {e["name"] for e in ev if e["ph"] == "C"}
for name in ("pool reserved", "heap", "tag render", 'tag audio "fx"', "tag <ui>&co"):
    assert name in counters, (name, counters)
inst = [e for e in ev if e["ph"] == "i"]
assert inst and all(e["name"] == "FA_WARN_BUDGET" and e["cat"] == "budget" for e in inst), inst[:2]
assert 'audio "fx"' in inst[0]["args"]["message"]
proc = [e for e in ev if e["ph"] == "M" and e["name"] == "process_name"][0]
assert proc["args"]["name"] == 'framealloc export "test"'

# --- CSV ------------------------------------------------------------------------------------
rows = list(csv.reader(open(os.path.join(out, "history.csv"), newline="", encoding="utf-8")))
head = rows[0]
assert head[:2] == ["thread_id", "frame_number"], head
assert 'frame:audio "fx"' in head and "mem:<ui>&co" in head, head
assert len(head) == 19 + 2 * 4, len(head)
assert all(len(r) == len(head) for r in rows[1:])
assert len(rows) - 1 == sum(kept.values())
col = head.index("frame:render")
assert all(int(r[col]) >= 1000 for r in rows[1:])

# --- HTML -----------------------------------------------------------------------------------
class P(HTMLParser):
    VOID = {"meta", "br", "img", "hr", "input", "link", "line", "circle", "rect", "polygon"}
    def __init__(self):
        super().__init__()
        self.stack, self.tags, self.ids, self.text, self.worst_rows = [], {}, set(), [], 0
    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        a = dict(attrs)
        if "id" in a: self.ids.add(a["id"])
        if tag == "tr" and "worst" in self.stack_ids(): self.worst_rows += 1
        if tag not in self.VOID: self.stack.append((tag, a.get("id")))
    def handle_startendtag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
    def handle_endtag(self, tag):
        if tag in self.VOID: return
        assert self.stack and self.stack[-1][0] == tag, ("mismatched", tag, self.stack[-3:])
        self.stack.pop()
    def handle_data(self, data): self.text.append(data)
    def stack_ids(self): return {i for _, i in self.stack if i}

p = P()
html = open(os.path.join(out, "report.html"), encoding="utf-8").read()
p.feed(html)
p.close()
assert not p.stack, p.stack
assert p.tags.get("svg") == 2 and p.tags.get("polygon", 0) >= 3 and p.tags.get("rect", 0) >= 50, p.tags
assert {"memory", "frametime", "worst", "tags"} <= p.ids, p.ids
assert p.worst_rows == 11, p.worst_rows  # header + 10 worst frames
text = "".join(p.text)
for name in ("render", 'audio "fx"', "<ui>&co", "soft budget", "peak"):
    assert name in text, name
print("observe exports OK:", kept, len(ev), "trace events,", len(rows) - 1, "csv rows")
