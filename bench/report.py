#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turns the JSON lines of bench/run.sh (timed.jsonl, soak.jsonl, ir.tsv, disasm.txt) into
markdown tables. Python standard library only.

usage: report.py RESULTS_DIR  > report.md
"""
import json
import os
import statistics
import sys

PEER_ORDER = ["glibc", "mimalloc", "jemalloc", "tcmalloc"]


def load_jsonl(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, nd=1):
    if x is None:
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{nd}f}"


def peer_key(p):
    return (PEER_ORDER.index(p) if p in PEER_ORDER else len(PEER_ORDER), p)


def load_ir(path):
    """{(kernel, allocator): Ir/op}, plus the loop overhead under key ("loop", "glibc")."""
    ir = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                if len(p) >= 6 and p[0] != "kernel":
                    ir[(p[0], p[1])] = float(p[5])
    return ir


# workload -> (ours kernel, raw kernel, sys kernel, divisor to get per-op, loop-excluded?)
IR_MAP = {
    "F1": ("f1_ours", "f1_raw", None, 1, True),
    "F2": ("f2_ours", "f2_raw", None, 1, True),
    "F3": ("f3_ours", "f3_raw", "f3_sys", 800, False),
    "F5": ("f5_ours", "f5_raw", None, 200, False),
    "P1a-64": ("p1_ours", "p1_raw", "p1_sys", 1, True),
    "P1b-lifo": ("p1_lifo_ours", "p1_lifo_raw", "p1_lifo_sys", 1, True),
    "H1": ("h1_ours", None, "h1_sys", 1, False),
}


def headline(w, sets, ir):
    """One row per workload: raw, ours and the best peer, each with ns/op and x raw."""
    loop = ir.get(("loop", "glibc"), 0.0)

    def irv(kernel, alloc, div, excl):
        if kernel is None or (kernel, alloc) not in ir:
            return None
        v = ir[(kernel, alloc)] / div
        return v - loop if excl else v

    w("## Headline\n")
    w("Per operation (allocation, pair, or heap replace); ns/op from the median over rounds of each round's fastest call. x raw = median of same-round ratios. "
      "best peer = the sys allocator with the lowest ratio to raw; ours vs best = that peer's "
      "ratio / ours' ratio in the same child process (> 1: ours is faster). Ir/op from "
      "callgrind (loop excluded for F1/F2/P1; per-frame kernels / allocations; ours/peer heap "
      "= whole pair incl. the backing malloc).\n")
    w("| workload | raw ns/op | ours ns/op | ours x raw | best peer | peer ns/op | peer x raw | ours vs best | Ir/op raw / ours / peer | ours faults/call |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    wls = []
    for r in sets:
        if r["wl"] not in wls:
            wls.append(r["wl"])
    for wl in wls:
        rows = [r for r in sets if r["wl"] == wl]
        ours = [r for r in rows if r["variant"] == "ours"]
        raw = [r for r in rows if r["variant"] == "raw"]
        sysr = [r for r in rows if r["variant"] == "sys"]
        if not ours:
            continue
        base_is_sys = ours[0]["base"] == "sys"
        ops = ours[0]["ops"]
        best = min(sysr, key=lambda r: r["ratio"] if not base_is_sys else r["p50_ns"]) if sysr else None
        if base_is_sys:
            best = min(sysr, key=lambda r: r["best_ns"])
            o = [r for r in ours if r["peer"] == best["peer"]]
            vs = 1.0 / o[0]["ratio"] if o else None
            raw_ns = None
            ours_ns = o[0]["best_ns"] / ops if o else None
            ours_x = "-"
            peer_x = "-"
        else:
            raw_ns = med([r["best_ns"] for r in raw]) / ops if raw else None
            ours_ns = med([r["best_ns"] for r in ours]) / ops
            ours_x = f"{med([r['ratio'] for r in ours]):.2f}"
            vs = None
            peer_x = "-"
            if best:
                peer_x = f"{best['ratio']:.2f}"
                o = [r for r in ours if r["peer"] == best["peer"]]
                if o:
                    vs = best["ratio"] / o[0]["ratio"]
        k = IR_MAP.get(wl)
        irs = "-"
        if k:
            ko, kr, ks, div, excl = k
            vals = [irv(kr, "glibc", div, excl), irv(ko, "glibc", div, excl),
                    irv(ks, best["peer"], div, excl) if best else None]
            irs = " / ".join(fmt(v, 1) for v in vals)
        fc = med([r["faults_per_call"] for r in ours])
        w(f"| {wl} | {fmt(raw_ns, 2)} | {fmt(ours_ns, 2)} | {ours_x} | {best['peer'] if best else '-'} | "
          f"{fmt(best['best_ns'] / ops, 2) if best else '-'} | {peer_x} | {fmt(vs, 1)}x | {irs} | {fmt(fc, 2)} |")
    w("")


def soak_alloc(r):
    """The allocator column of a soak row. Runs before --heap-backend existed backed the heap
    with malloc; the default backend maps large blocks from the OS."""
    if r["mode"] != "ours":
        return r["peer"]
    hb = r.get("heap_backend", "libc")
    if hb == "default":
        return "framealloc (default heap backend)"
    return "framealloc (heap backed by " + (r["peer"] if hb == "libc" else hb) + ")"


def ok_meta(m):
    """The child's malloc really came from the peer it was started for."""
    return m["peer"] == m["alloc_detected"] or m["peer"] in m["malloc_from"]


def main():
    d = sys.argv[1]
    timed = load_jsonl(os.path.join(d, "timed.jsonl"))
    soak = load_jsonl(os.path.join(d, "soak.jsonl"))
    out = []
    w = out.append

    metas = [r for r in timed if r["type"] == "meta"]
    bad_peers = set()
    for m in metas:
        if not ok_meta(m):
            bad_peers.add(m["peer"])
    w("## Machine and runs\n")
    if metas:
        m0 = metas[0]
        w(f"CPU `{m0['cpu']}`, {m0['cpus']} CPUs, TSC {m0['tsc_ghz']:.3f} GHz, "
          f"framealloc {m0['fa_version']} (FA_DEBUG={m0['fa_debug']}), rounds {m0['rounds']}, "
          f"scale {m0['scale']}.\n")
        w("| child | malloc resolved from | core GHz (dependent adds) | loadavg at start |")
        w("|---|---|---|---|")
        for m in metas:
            flag = "" if ok_meta(m) else " **MISMATCH: rows dropped**"
            w(f"| {m['peer']} | `{m['malloc_from']}`{flag} | {m['core_ghz']:.2f} | {m['loadavg']} |")
        w("")
    else:
        w("No timed children in this run (env.txt has the commit, compiler and packages).\n")
    missing = os.path.join(d, "missing_peers.txt")
    if os.path.exists(missing):
        with open(missing) as f:
            for line in f:
                if line.strip():
                    w(f"- peer not measured: {line.strip()}")
        w("")

    sets = [r for r in timed if r["type"] == "set" and r["peer"] not in bad_peers]
    ir = load_ir(os.path.join(d, "ir.tsv"))
    if sets:  # a --no-timed run has none: no empty tables
        headline(w, sets, ir)
    wls = []
    for r in sets:
        if r["wl"] not in wls:
            wls.append(r["wl"])
    if sets:
        w("## Timed workloads\n")
        w("best = median over rounds of each round's fastest call; p50/p99 over all timed calls; "
          "**x base** = median over rounds of (variant's fastest call / baseline's fastest call in "
          "the same round of the same process), range over rounds in brackets; x base (p50) = the "
          "same with each round's median call. raw/ours rows pool every child process (median of "
          "the children's values); sys rows are one child each (that peer preloaded).\n")
    for wl in wls:
        rows = [r for r in sets if r["wl"] == wl]
        r0 = rows[0]
        unit = r0["unit"]
        per_frame = unit == "frame"
        w(f"### {wl}: {r0['desc']}\n")
        w(f"| variant | allocator | ns/{'frame' if per_frame else 'call'} best | p50 | p99 | ns/{'alloc' if per_frame else unit} (best) | x base | x base (p50) | faults/{'frame' if per_frame else '1k ' + unit} | RSS delta KiB |")
        w("|---|---|---|---|---|---|---|---|---|---|")
        variants = []
        for r in rows:
            if r["variant"] not in variants:
                variants.append(r["variant"])
        for v in variants:
            vr = [r for r in rows if r["variant"] == v]
            groups = []
            per_peer = v.startswith("sys") or vr[0]["base"].startswith("sys")
            if per_peer:
                for p in sorted({r["peer"] for r in vr}, key=peer_key):
                    groups.append((p, [r for r in vr if r["peer"] == p]))
            else:
                groups.append(("(all children)" if len(vr) > 1 else vr[0]["peer"], vr))
            for label, g in groups:
                alloc = label if v.startswith("sys") else ("framealloc" if v.startswith(("ours", "proto")) else "harness")
                if per_peer and not v.startswith("sys"):
                    alloc = f"framealloc (backed by {label})"
                if v.startswith("proto"):
                    alloc = "suggested fast path (not the library)"
                ops = g[0]["ops"]
                best = med([r["best_ns"] for r in g])
                rp50 = med([r["ratio_p50"] for r in g])
                p50 = med([r["p50_ns"] for r in g])
                p99 = med([r["p99_ns"] for r in g])
                ratio = med([r["ratio"] for r in g])
                lo = min(r["ratio_lo"] for r in g)
                hi = max(r["ratio_hi"] for r in g)
                fpc = med([r["faults_per_call"] for r in g])
                if not per_frame:
                    fpc = fpc / ops * 1000.0
                rss = med([r["rss_delta_kib"] for r in g])
                base = g[0]["base"]
                rs = f"{ratio:.2f} [{lo:.2f}-{hi:.2f}]" if v != base else "1 (base)"
                w(f"| {v} | {alloc} | {fmt(best)} | {fmt(p50)} | {fmt(p99)} | {fmt(best / ops, 2)} | {rs} | "
                  f"{'-' if v == base else f'{rp50:.2f}'} | {fmt(fpc, 2)} | {fmt(rss, 0)} |")
        w("")

    waste = [r for r in timed if r["type"] == "waste"]
    if waste:
        r = waste[0]
        w("### F2 padding waste\n")
        w(f"requested {r['requested']:,} B per frame; ours {r['ours_bytes']:,} B "
          f"(waste {r['ours_waste_pct']:.2f}%), raw {r['raw_bytes']:,} B "
          f"(waste {r['raw_waste_pct']:.2f}%); the bound of (align - 1) per allocation would be "
          f"{r['max_padding_bound_pct']:.2f}%.\n")

    p2 = [r for r in timed if r["type"] == "p2" and r["peer"] not in bad_peers]
    if p2:
        w("## P2 cross-thread producer (cpu0) -> consumer (cpu1), 64 B objects\n")
        w("ns/object = wall time / objects (median over rounds); free side = consumer's time "
          "inside its free loop per object; x base = per-round ratio to raw-ideal (local free "
          "list + one CAS per returned batch).\n")
        w("| batch | variant | allocator | ns/object | min-max | free side ns/object | x base | faults/1k obj |")
        w("|---|---|---|---|---|---|---|---|")
        for wl in sorted({r["wl"] for r in p2}, key=lambda s: -int(s.split("b")[1])):
            for v in ["raw-ideal", "ours", "sys"]:
                vr = [r for r in p2 if r["wl"] == wl and r["variant"] == v]
                if not vr:
                    continue
                groups = ([(p, [r for r in vr if r["peer"] == p]) for p in sorted({r["peer"] for r in vr}, key=peer_key)]
                          if v == "sys" else [("harness" if v == "raw-ideal" else "framealloc", vr)])
                for label, g in groups:
                    w(f"| {g[0]['batch']} | {v} | {label} | {fmt(med([r['per_obj_ns'] for r in g]))} | "
                      f"{fmt(min(r['min_ns'] for r in g))}-{fmt(max(r['max_ns'] for r in g))} | "
                      f"{fmt(med([r['free_side_ns'] for r in g]))} | {fmt(med([r['ratio'] for r in g]), 2)} | "
                      f"{fmt(med([r['faults_per_obj'] for r in g]) * 1000, 2)} |")
        w("")

    t2 = [r for r in timed if r["type"] == "t2" and r["peer"] not in bad_peers]
    if t2:
        w("## T2 1 vs 2 threads (each thread pinned to its own CPU)\n")
        w("per-thread throughput = time per unit on 1 thread / time per unit with both threads "
          "running (1.0 = perfect scaling; target >= 0.9). alu-probe (independent adds, no "
          "memory; unit = 20,000 iterations in both tables) and raw show what the VM itself "
          "allows: an alu-probe below 1 means the two vCPUs share a physical core or the host "
          "throttles.\n")
        w("| unit | variant | allocator | 1 thread ns/unit | 2 threads ns/unit | per-thread throughput [range] |")
        w("|---|---|---|---|---|---|")
        for wl in sorted({r["wl"] for r in t2}):
            for v in ["alu-probe", "raw", "ours", "sys"]:
                vr = [r for r in t2 if r["wl"] == wl and r["variant"] == v]
                groups = ([(p, [r for r in vr if r["peer"] == p]) for p in sorted({r["peer"] for r in vr}, key=peer_key)]
                          if v == "sys" else [("harness" if v in ("raw", "alu-probe") else "framealloc", vr)])
                for label, g in groups:
                    if not g:
                        continue
                    w(f"| {g[0]['unit']} | {v} | {label} | {fmt(med([r['one_thread_ns'] for r in g]))} | "
                      f"{fmt(med([r['two_thread_ns'] for r in g]))} | "
                      f"{med([r['per_thread_throughput'] for r in g]):.2f} "
                      f"[{min(r['lo'] for r in g):.2f}-{max(r['hi'] for r in g):.2f}] |")
        w("")

    if soak:
        w("## S1 soak (F3 + F4 + F5 frame, 1,000 pool objects/frame with 5% surviving 1-60 frames, "
          "heap churn of 10 of 100 blocks every 10th frame)\n")
        w("p50/p99 over all frames after warm-up; (no heap) = the 9 of 10 frames without the heap "
          "churn step.\n")
        w("| mode | allocator | frames | p50 ns | p99 ns | p50 / p99 ns (no heap) | p99.9 ns | max ns | RSS @1k KiB | RSS end KiB | drift KiB | peak RSS KiB | faults/frame | faults/frame (no heap churn) | faults per heap-churn frame | framealloc frame+pool reserved @1k / end KiB |")
        w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in sorted(soak, key=lambda r: (r["mode"] != "ours", peer_key(r["peer"]))):
            alloc = soak_alloc(r)
            w(f"| {r['mode']} | {alloc} | {r['frames']} | {fmt(r['p50_ns'])} | {fmt(r['p99_ns'])} | "
              f"{fmt(r.get('noheap_p50_ns'))} / {fmt(r.get('noheap_p99_ns'))} | "
              f"{fmt(r['p999_ns'])} | {fmt(r['max_ns'])} | {fmt(r['rss_1k_kib'], 0)} | "
              f"{fmt(r['rss_end_kib'], 0)} | {fmt(r['rss_end_kib'] - r['rss_1k_kib'], 0)} | "
              f"{fmt(r['peak_rss_kib'], 0)} | {r['faults_per_frame']:.3f} | "
              f"{r['faults_per_frame_noheap']:.3f} | {r['faults_per_heap_frame']:.2f} | "
              + (f"{r['fa_reserved_1k_kib']:,} / {r['fa_reserved_end_kib']:,} |" if r['mode'] == 'ours' else "- |"))
        w("")
        series = [r for r in soak if "series_end_frame" in r]
        if series:
            w(f"## S1 soak series (windows of {series[0]['series_window']:,} frames, warm-up in the first)\n")
            w("Per window: the median and the longest frame, RSS and framealloc's frame+pool "
              "reservation at the window's last frame (bench/plots.py draws them).\n")
            w("| mode | allocator | end frame | p50 ns | max ns | RSS KiB | framealloc frame+pool reserved KiB |")
            w("|---|---|---|---|---|---|---|")
            for r in sorted(series, key=lambda r: (r["mode"] != "ours", peer_key(r["peer"]))):
                alloc = soak_alloc(r)
                for k, e in enumerate(r["series_end_frame"]):
                    res = r["series_fa_reserved_kib"][k]
                    w(f"| {r['mode']} | {alloc} | {e} | {r['series_p50_ns'][k]} | "
                      f"{r['series_max_ns'][k]} | {r['series_rss_kib'][k]} | "
                      f"{res if r['mode'] == 'ours' else '-'} |")
            w("")

    irf = os.path.join(d, "ir.tsv")
    if os.path.exists(irf):
        rows = []
        with open(irf) as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                if len(p) >= 6 and p[0] != "kernel":
                    rows.append(p)
        loop = next((float(p[5]) for p in rows if p[0] == "loop"), 0.0)
        w("## Callgrind differential instruction counts\n")
        w("Ir/op = (Ir(2N) - Ir(N)) / N from `valgrind --tool=callgrind` totals (user-mode "
          "instructions of the whole process; start-up cancels). Per-allocation and per-pair "
          f"kernels are unrolled x8; the `loop` kernel measures what is left of the loop "
          f"({loop:.3f} Ir/op), subtracted in the last column. Per-frame kernels are per frame.\n")
        w("| kernel | allocator | N | Ir(N) | Ir(2N) | Ir/op | Ir/op loop excluded |")
        w("|---|---|---|---|---|---|---|")
        for p in rows:
            k, peer, n, a, b, per = p[:6]
            per = float(per)
            excl = per - loop if k != "loop" and not k.startswith(("f0", "f3", "f5", "f6", "h1", "p2")) else None
            w(f"| {k} | {peer} | {int(n):,} | {int(a):,} | {int(b):,} | {per:.2f} | {fmt(excl, 2)} |")
        w("")

    dis = os.path.join(d, "disasm.txt")
    if os.path.exists(dis):
        w("## Fast-path check (objdump of `f1_ours`, the FA_FRAME_NEW loop)\n")
        w("```")
        with open(dis) as f:
            w(f.read().rstrip())
        w("```\n")
    print("\n".join(out))


if __name__ == "__main__":
    main()
