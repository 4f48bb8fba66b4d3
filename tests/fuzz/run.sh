#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the operation-sequence fuzzer (fuzz_ops.c) against the runtime sources, release
# (FA_DEBUG=0, "rel") and debug (FA_DEBUG=2, "dbg") with clang-14
# -fsanitize=fuzzer,address,undefined, and release without ASan ("fast": ASan sends every
# frame allocation down the slow path, so only this variant fuzzes the inline fast path and
# in-place frame realloc), and runs each for a bounded time from the checked-in seed corpus.
# Fails on any finding (crash, sanitizer report, failed model check, leak, timeout, OOM).
#
#   tests/fuzz/run.sh [seconds per variant, default 45] [variants, default "rel dbg fast"]
#   FA_FUZZ_OFF=ptr_one tests/fuzz/run.sh 1800     # long run, one misuse class off
#
# Findings are written to build/fuzz/<variant>/ (FA_FUZZ_OUT: another directory) (crash-*, leak-*, timeout-*, oom-*); replay one
# with build/fuzz/fuzz_ops_<variant> <file>. New interesting inputs stay in
# build/fuzz/<variant>/corpus (the checked-in corpus is only read).
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-45}
variants=${2:-"rel dbg fast"}
cc=${FA_FUZZ_CC:-clang-14}
out=${FA_FUZZ_OUT:-build/fuzz}
mkdir -p "$out"

command -v "$cc" >/dev/null || { echo "fuzz: $cc not found (Debian: clang-14)" >&2; exit 1; }

# Coverage feedback from the runtime only: instrumenting the harness's own pattern loops made
# it six times slower and guides nothing.
printf 'src:*runtime/src/*\nfun:*\n' >"$out/coverage-allowlist.txt"

# The runtime sources, without the OS layer of other platforms (prim_win32.c).
runtime_srcs=()
for f in runtime/src/*.c; do
  [ "$f" = runtime/src/prim_win32.c ] || runtime_srcs+=("$f")
done

build() { # <variant> <FA_DEBUG> <sanitizers>
  local v=$1 level=$2 san=$3
  echo "=== fuzz: building fuzz_ops_$v (FA_DEBUG=$level)"
  "$cc" -g -O2 -std=c11 -Wall -Wextra -Wshadow -Werror \
    -fsanitize="fuzzer,$san" -fno-sanitize-recover=all -fno-omit-frame-pointer \
    -fsanitize-coverage-allowlist="$out/coverage-allowlist.txt" \
    -D_GNU_SOURCE -DFA_DEBUG="$level" -Iruntime/include -Iannotations -Iruntime/src \
    "${runtime_srcs[@]}" tests/fuzz/fuzz_*.c -pthread -o "$out/fuzz_ops_$v"
}

# Op classes off by default: defects found by this fuzzer that the runtime does not fix yet
# (none at present; see tests/fuzz/README.md). FA_FUZZ_OFF= (empty) runs every class.
export FA_FUZZ_OFF=${FA_FUZZ_OFF-}
echo "=== fuzz: op classes off: ${FA_FUZZ_OFF:-none}${FA_FUZZ_ON:+; forced on: $FA_FUZZ_ON}"

seeds=$PWD/tests/fuzz/corpus
status=0
for v in $variants; do
  case $v in
    rel) level=0 san=address,undefined ;;
    dbg) level=2 san=address,undefined ;;
    fast) level=0 san=undefined ;;
    *) echo "fuzz: unknown variant $v (rel, dbg, fast)" >&2; exit 2 ;;
  esac
  build "$v" "$level" "$san"
  dir=$out/$v
  rm -rf "$dir"
  mkdir -p "$dir/corpus"
  echo "=== fuzz: running fuzz_ops_$v for ${secs}s"
  start=$(date +%s)
  # One job (the machine is shared); -rss_limit_mb bounds a runaway input. The guard-mode
  # environment override is cleared so the inputs choose it.
  if (cd "$dir" && env -u FRAMEALLOC_GUARD_FRAMES \
        ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:allocator_may_return_null=0 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "../fuzz_ops_$v" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2560 \
          -max_len=4096 -print_final_stats=1 -artifact_prefix=./ \
          corpus "$seeds") >"$dir/log.txt" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  end=$(date +%s)
  grep -E "^fuzz_ops: FA_DEBUG|stat::number_of_executed_units|stat::average_exec_per_sec" \
    "$dir/log.txt" | sed "s/^/  [$v] /" || true
  echo "=== fuzz: fuzz_ops_$v $result after $((end - start))s (log: $dir/log.txt)"
  if [ "$result" != ok ]; then
    grep -E -A40 "==== fuzz_ops: check failed|ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error:" \
      "$dir/log.txt" | head -80 || true
    ls "$dir" | grep -E "^(crash|leak|timeout|oom)-" | sed "s|^|  finding: $dir/|" || true
  fi
done
exit $status
