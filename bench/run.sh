#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/run.sh - builds fabench (Release) and runs the whole benchmark: timed workloads in one
# child process per peer allocator (LD_PRELOAD), the S1 soak, the callgrind differential
# instruction counts and the fast-path disassembly check; then writes report.md.
#
#   bench/run.sh [--quick | --full] [options]
#     --quick            ~1 min (< 2 min loaded): 5 rounds, 0.3x work, short soak, F1/F2/P1 callgrind only
#     (default)          < 10 min: 21 rounds, full work, 10,000-frame soak, all callgrind kernels
#     --full             41 rounds, 2x work, 2 repetitions of every child, 30,000-frame soak
#     --build-dir DIR    build tree (default: <repo>/build/bench-run)
#     --bin PATH         use this fabench binary, do not build
#     --out DIR          results directory (default: <repo>/build/bench-results/<date>)
#     --peers "LIST"     subset of: glibc mimalloc jemalloc tcmalloc (default: all four)
#     --only LIST        timed sections, e.g. F1,F3,P1 (default: all)
#     --no-timed | --no-soak | --no-ir | --no-disasm   skip a phase
#   Extra local allocators (not packaged, never vendored): EXTRA_ALLOCS="rpmalloc=/path/lib.so ..."
#
# Requirements: cmake, ninja (or make), gcc, python3 (stdlib only), valgrind (for --ir),
# objdump; peers: libmimalloc2.0 / libjemalloc2 / libtcmalloc-minimal4 (Debian). A peer whose
# library is missing is reported as missing and gets no row.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
MODE=default
BUILD_DIR="$SRC/build/bench-run"
BIN=""
OUT=""
PEERS="glibc mimalloc jemalloc tcmalloc"
ONLY=""
DO_TIMED=1 DO_SOAK=1 DO_IR=1 DO_DISASM=1

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick ;;
    --full) MODE=full ;;
    --build-dir) BUILD_DIR=$2; shift ;;
    --bin) BIN=$2; shift ;;
    --out) OUT=$2; shift ;;
    --peers) PEERS=$2; shift ;;
    --only) ONLY=$2; shift ;;
    --no-timed) DO_TIMED=0 ;;
    --no-soak) DO_SOAK=0 ;;
    --no-ir) DO_IR=0 ;;
    --no-disasm) DO_DISASM=0 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

case $MODE in
  quick) CHILD_FLAGS=(--quick); REPS=1; SOAK_FRAMES=2000 ;;
  full) CHILD_FLAGS=(--full); REPS=2; SOAK_FRAMES=30000 ;;
  *) CHILD_FLAGS=(); REPS=1; SOAK_FRAMES=10000 ;;
esac
[ -n "$ONLY" ] && CHILD_FLAGS+=(--only "$ONLY")

OUT=${OUT:-$SRC/build/bench-results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
log() { printf '[run.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
T0=$(date +%s)

# ---- build ------------------------------------------------------------------------------------
BIN_GIVEN=$BIN
if [ -z "$BIN" ]; then
  GEN=()
  command -v ninja >/dev/null 2>&1 && GEN=(-G Ninja)
  if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    cmake -S "$SRC" -B "$BUILD_DIR" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release \
      -DFRAMEALLOC_BUILD_BENCH=ON -DFRAMEALLOC_BUILD_TESTS=OFF -DFRAMEALLOC_BUILD_ANALYZER=OFF \
      -DFRAMEALLOC_BUILD_EXAMPLES=OFF >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }
  fi
  cmake --build "$BUILD_DIR" --target fabench >>"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }
  BIN="$BUILD_DIR/bench/fabench"
fi
[ -x "$BIN" ] || { echo "run.sh: no fabench binary at $BIN" >&2; exit 1; }
log "binary $BIN, mode $MODE, results in $OUT"
{
  if c=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null); then
    git -C "$SRC" diff --quiet HEAD -- runtime || c="$c (runtime/ has uncommitted changes)"
  else
    c="? (not a git checkout)"
  fi
  echo "source tree: $SRC, commit $c"
  [ -n "$BIN_GIVEN" ] && echo "binary: $BIN (given with --bin: built from whatever tree produced it)"
  echo "gcc: $(gcc --version | head -1)"
  echo "kernel: $(uname -r)"
  echo "valgrind: $(valgrind --version 2>/dev/null || echo none)"
  for p in libmimalloc2.0 libjemalloc2 libtcmalloc-minimal4 libc6; do
    echo "$p: $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo '?')"
  done
} >"$OUT/env.txt"

# ---- peers --------------------------------------------------------------------------------------
declare -A LIB
LIB[glibc]=""
find_lib() {
  local name=$1 d
  for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/lib /lib/x86_64-linux-gnu; do
    [ -e "$d/$name" ] && { echo "$d/$name"; return 0; }
  done
  ldconfig -p 2>/dev/null | awk -v n="$name" '$1 == n { print $NF; exit }'
}
: >"$OUT/missing_peers.txt"
ACTIVE=()
for p in $PEERS; do
  case $p in
    glibc) LIB[glibc]=""; ACTIVE+=(glibc); continue ;;
    mimalloc) so=libmimalloc.so.2; pkg=libmimalloc2.0 ;;
    jemalloc) so=libjemalloc.so.2; pkg=libjemalloc2 ;;
    tcmalloc) so=libtcmalloc_minimal.so.4; pkg=libtcmalloc-minimal4 ;;
    *) echo "run.sh: unknown peer $p" >&2; exit 2 ;;
  esac
  path=$(find_lib "$so" || true)
  if [ -n "$path" ]; then
    LIB[$p]=$path
    ACTIVE+=("$p")
  else
    log "peer $p: $so not found (apt-get install $pkg); no row for it"
    echo "$p: $so not found (Debian package $pkg)" >>"$OUT/missing_peers.txt"
  fi
done
for spec in ${EXTRA_ALLOCS:-}; do
  name=${spec%%=*}; path=${spec#*=}
  if [ -e "$path" ]; then LIB[$name]=$path; ACTIVE+=("$name")
  else echo "$name: $path not found" >>"$OUT/missing_peers.txt"; fi
done
log "peers: ${ACTIVE[*]}"

run_child() { # peer args...
  local p=$1; shift
  if [ -n "${LIB[$p]}" ]; then
    env LD_PRELOAD="${LIB[$p]}" "$BIN" --peer "$p" "$@"
  else
    "$BIN" --peer "$p" "$@"
  fi
}

shuffled() { printf '%s\n' "$@" | python3 -c 'import random,sys; l=sys.stdin.read().split(); random.shuffle(l); print(" ".join(l))'; }

# ---- timed workloads: rep-major, one child per peer, peers in random order ---------------------
if [ $DO_TIMED = 1 ]; then
  : >"$OUT/timed.jsonl"
  for rep in $(seq 1 $REPS); do
    for p in $(shuffled "${ACTIVE[@]}"); do
      log "timed: rep $rep, peer $p"
      run_child "$p" "${CHILD_FLAGS[@]}" >>"$OUT/timed.jsonl" 2>>"$OUT/stderr.log" \
        || { log "child for $p failed (see $OUT/stderr.log)"; echo "$p: child failed" >>"$OUT/missing_peers.txt"; }
    done
  done
fi

# ---- S1 soak: ours (heap backed by glibc) and every peer's malloc ----------------------------
if [ $DO_SOAK = 1 ]; then
  : >"$OUT/soak.jsonl"
  log "soak: ours, $SOAK_FRAMES frames"
  run_child glibc --soak ours --frames "$SOAK_FRAMES" >>"$OUT/soak.jsonl" 2>>"$OUT/stderr.log"
  for p in "${ACTIVE[@]}"; do
    log "soak: $p malloc, $SOAK_FRAMES frames"
    run_child "$p" --soak sys --frames "$SOAK_FRAMES" >>"$OUT/soak.jsonl" 2>>"$OUT/stderr.log"
  done
fi

# ---- callgrind differential Ir ----------------------------------------------------------------
ir_total() { # file -> total Ir
  awk '/^(summary|totals):/ { print $2; exit }' "$1"
}
ir_kernel() { # peer kernel N  -> appends to ir.tsv
  local p=$1 k=$2 n=$3 a b f=()
  local o="$OUT/cg/$p.$k"
  mkdir -p "$OUT/cg"
  case $k in p2_remote_*) f=(--separate-threads=yes) ;; esac
  for m in 1 2; do
    local pre=()
    [ -n "${LIB[$p]}" ] && pre=(env LD_PRELOAD="${LIB[$p]}")
    "${pre[@]}" valgrind --tool=callgrind "${f[@]}" --callgrind-out-file="$o.$m" \
      "$BIN" --ir "$k" $((n * m)) >/dev/null 2>>"$OUT/callgrind.log" || { log "callgrind $k ($p) failed"; return 0; }
  done
  if [ ${#f[@]} -gt 0 ]; then a=$(ir_total "$o.1-01"); b=$(ir_total "$o.2-01")
  else a=$(ir_total "$o.1"); b=$(ir_total "$o.2"); fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$k" "$p" "$n" "$a" "$b" \
    "$(python3 -c "print(f'{($b - $a) / $n:.4f}')")" >>"$OUT/ir.tsv"
}
if [ $DO_IR = 1 ]; then
  if ! command -v valgrind >/dev/null 2>&1; then
    log "valgrind not installed: no instruction counts"
  else
    printf 'kernel\tallocator\tN\tIr(N)\tIr(2N)\tIr_per_op\n' >"$OUT/ir.tsv"
    log "callgrind kernels (commands in $OUT/ir-commands.txt)"
    OURS_K="loop:800000 f1_raw:800000 f1_ours:800000 f1_ours_at:800000 f1_ours_tag:800000 f1_proto:800000 f2_raw:16000 f2_ours:16000 p1_raw:200000 p1_ours:200000"
    SYS_K="p1_sys:200000"
    if [ $MODE != quick ]; then
      OURS_K+=" f0_ours:20000 f3_raw:2000 f3_ours:2000 f5_raw:5000 f5_ours:5000 f6_ours:2000 p1_lifo_raw:40960 p1_lifo_ours:40960 h1_ours:1000 p2_remote_ours:100000"
      SYS_K+=" f3_sys:2000 p1_lifo_sys:40960 h1_sys:1000 p2_remote_sys:100000"
    fi
    for kn in $OURS_K; do ir_kernel glibc "${kn%%:*}" "${kn##*:}"; done
    for p in "${ACTIVE[@]}"; do
      for kn in $SYS_K; do ir_kernel "$p" "${kn%%:*}" "${kn##*:}"; done
    done
    {
      echo "# For every kernel K with N operations, for m in 1 2:"
      echo "[LD_PRELOAD=<peer lib>] valgrind --tool=callgrind --callgrind-out-file=cg.K.\$m $BIN --ir K \$((N*m))"
      echo "# Ir/op = (totals(cg.K.2) - totals(cg.K.1)) / N   (p2_remote_*: --separate-threads=yes, file -01 = main thread)"
    } >"$OUT/ir-commands.txt"
  fi
fi

# ---- fast-path disassembly --------------------------------------------------------------------
if [ $DO_DISASM = 1 ] && command -v objdump >/dev/null 2>&1; then
  objdump -d --no-show-raw-insn --disassemble=f1_ours "$BIN" 2>/dev/null | python3 -c '
import re, sys
ins = []
for line in sys.stdin:
    m = re.match(r"\s+([0-9a-f]+):\s+(.*)", line)
    if m:
        ins.append((int(m.group(1), 16), m.group(2).strip()))
# The hot loop: the backward conditional jump with the smallest span.
best = None
for a, t in ins:
    m = re.match(r"(j[a-z]+)\s+([0-9a-f]+)", t)
    if m and m.group(1) != "jmp" and int(m.group(2), 16) < a:
        span = a - int(m.group(2), 16)
        if best is None or span < best[0]:
            best = (span, int(m.group(2), 16), a)
if best is None:
    print("no loop found in f1_ours"); sys.exit(0)
_, lo, hi = best
loop = [(a, t) for a, t in ins if lo <= a <= hi]
cond = [t for a, t in loop if re.match(r"j(?!mp)[a-z]+\s", t)]
bad = [t for a, t in loop if re.match(r"(lock|xchg|cmpxchg|div|idiv|call|mfence)", t)]
for a, t in loop:
    print(f"{a:8x}:  {t}")
print(f"-- {len(loop)} instructions per iteration, {len(cond)} conditional branches "
      f"(1 is the harness loop counter), atomics/division/calls: {len(bad)}")
' >"$OUT/disasm.txt"
  log "fast path: $(tail -1 "$OUT/disasm.txt")"
fi

python3 "$HERE/report.py" "$OUT" >"$OUT/report.md"
log "done in $(( $(date +%s) - T0 )) s: $OUT/report.md"
cat "$OUT/report.md"
