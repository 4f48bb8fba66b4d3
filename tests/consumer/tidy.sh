#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ctest install-tidy-plugin: installs a build tree that has the analyzer into a scratch prefix,
# then a consumer project (tests/consumer/tidy) finds the plugin through the CMake package
# (framealloc_TIDY_PLUGIN, framealloc::tidy-plugin, framealloc_TIDY_RUN) and
#   1. clang-tidy --load=<framealloc_TIDY_PLUGIN> --list-checks shows every framealloc-* check
#      (a plugin that fails to load makes clang-tidy silently check nothing);
#   2. clang-tidy --load on the consumer's game.c reports its known bug;
#   3. the project's framealloc-lint target (the installed runner) fails on it and writes SARIF
#      naming the rule and the line.
# Usage: tidy.sh <build-dir-with-analyzer> <clang-tidy>
set -euo pipefail
build=$(cd "$1" && pwd)
tidy_hint=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "install-tidy-plugin: FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1 \
  || { cat "$work/install.log"; fail "cmake --install"; }
for f in bin/framealloc-tidy-run lib/framealloc/framealloc-tidy.so \
         lib/cmake/framealloc/framealloc-tidy.cmake lib/cmake/framealloc/framealloc-config.cmake \
         share/framealloc/tools/framealloc_tidy/runner.py \
         share/framealloc/tools/framealloc_tidy/sarif.py \
         share/framealloc/docs/analyzer/frame-escape.md include/framealloc/annotations.h; do
  [ -e "$work/prefix/$f" ] || fail "$f not installed: $(cd "$work/prefix" && find . -type f | sort)"
done

cmake -S "$here/tidy" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
      -DCLANG_TIDY="$tidy_hint" >"$work/configure.log" 2>&1 \
  || { cat "$work/configure.log"; fail "configuring the consumer"; }
# shellcheck source=/dev/null
source "$work/build/tidy-vars.sh"
case "$plugin" in "$work/prefix/"*) ;; *) fail "framealloc_TIDY_PLUGIN '$plugin' is not in the prefix" ;; esac
case "$run" in "$work/prefix/"*) ;; *) fail "framealloc_TIDY_RUN '$run' is not in the prefix" ;; esac
echo "-- framealloc_TIDY_PLUGIN=$plugin"
echo "-- framealloc_TIDY_RUN=$run"

listed=$("$clang_tidy" --load="$plugin" --checks='-*,framealloc-*' --list-checks 2>&1) || true
for check in framealloc-frame-escape framealloc-frame-pairing framealloc-thread-crossing \
             framealloc-use-after-frame; do
  grep -q "^ *$check\$" <<<"$listed" || fail "--list-checks does not show $check: $listed"
done
echo "-- --list-checks: $(grep -c '^ *framealloc-' <<<"$listed") framealloc-* checks"

line=$(grep -n 'the known bug' "$here/tidy/game.c" | cut -d: -f1)
want="game.c:$line:9: warning: frame memory stored in global 'g_last_scratch' outlives its frame [framealloc-frame-escape]"
out=$("$clang_tidy" --load="$plugin" --checks='-*,framealloc-*' -p "$work/build" \
      "$here/tidy/game.c" 2>&1) || true
grep -qF "$want" <<<"$out" || fail "clang-tidy --load did not report '$want': $out"
echo "-- clang-tidy --load: $want"

if cmake --build "$work/build" --target framealloc-lint >"$work/lint.log" 2>&1; then
  cat "$work/lint.log"; fail "framealloc-lint passed on a file with a known bug"
fi
grep -qF "$want" "$work/lint.log" || { cat "$work/lint.log"; fail "framealloc-lint did not report the bug"; }
python3 - "$work/build/framealloc.sarif" "$line" <<'EOF' || fail "SARIF log"
import json, sys
log = json.load(open(sys.argv[1], encoding="utf-8"))
res = log["runs"][0]["results"]
hits = [r for r in res if r["ruleId"] == "framealloc-frame-escape"
        and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "game.c"
        and r["locations"][0]["physicalLocation"]["region"]["startLine"] == int(sys.argv[2])]
if len(hits) != 1 or len(res) != 1:
    sys.exit(f"expected one framealloc-frame-escape result at game.c:{sys.argv[2]}, got {res}")
print(f"-- SARIF: {len(res)} result, {hits[0]['ruleId']} at game.c:{sys.argv[2]}")
EOF
echo "install-tidy-plugin: OK"
