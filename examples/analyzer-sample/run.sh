#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the framealloc-* clang-tidy checks on sample.c, which holds one seeded lifetime
# mistake, and prints the diagnostic with its notes.
#
#   examples/analyzer-sample/run.sh BUILD_DIR
#
# BUILD_DIR is a build tree configured with the analyzer (it holds framealloc-tidy.so).
# FRAMEALLOC_TIDY_PLUGIN and CLANG_TIDY override the plugin and clang-tidy.
# Exit status: 0 when the expected warning (on the line marked "the seeded mistake", from a
# framealloc-* check, with at least one note) appeared; 1 when it did not; 2 on a setup
# problem (no plugin, no clang-tidy, the plugin does not load).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build_dir="${1:-}"
if [[ -z "$build_dir" && -z "${FRAMEALLOC_TIDY_PLUGIN:-}" ]]; then
  echo "usage: $0 BUILD_DIR   (or set FRAMEALLOC_TIDY_PLUGIN)" >&2
  exit 2
fi

plugin="${FRAMEALLOC_TIDY_PLUGIN:-}"
if [[ -z "$plugin" ]]; then
  plugin="$(find "$build_dir" \( -name 'framealloc-tidy.so' -o -name 'libframealloc-tidy.so' \) \
            -print 2>/dev/null | head -n 1)"
fi
# clang-tidy runs from this directory below, so the plugin path must not stay relative.
[[ -n "$plugin" && -f "$plugin" ]] && plugin="$(cd "$(dirname "$plugin")" && pwd)/$(basename "$plugin")"
if [[ -z "$plugin" || ! -f "$plugin" ]]; then
  echo "run.sh: framealloc-tidy.so not found under '$build_dir': configure with" \
       "-DCMAKE_CXX_COMPILER=clang++-14 and build the framealloc-tidy target" >&2
  exit 2
fi

tidy="${CLANG_TIDY:-}"
if [[ -z "$tidy" && -n "$build_dir" && -f "$build_dir/CMakeCache.txt" ]]; then
  tidy="$(sed -n 's/^FRAMEALLOC_CLANG_TIDY:[A-Z]*=//p' "$build_dir/CMakeCache.txt")"
fi
tidy="${tidy:-$(command -v clang-tidy-14 || command -v clang-tidy || true)}"
if [[ -z "$tidy" ]]; then
  echo "run.sh: clang-tidy-14 not found (apt-get install clang-tidy-14)" >&2
  exit 2
fi

# Fail loudly when the plugin does not load: clang-tidy would otherwise just say
# "no checks enabled" or, with other checks on, check nothing.
listed="$("$tidy" --load="$plugin" --checks='-*,framealloc-*' --list-checks 2>&1)"
if ! grep -q '^ *framealloc-' <<<"$listed"; then
  echo "run.sh: $plugin does not load into $tidy:" >&2
  printf '%s\n' "$listed" >&2
  exit 2
fi

sample="$here/sample.c"
line="$(grep -n 'the seeded mistake' "$sample" | cut -d: -f1)"
echo "\$ clang-tidy --load=$(basename "$plugin") -checks='-*,framealloc-*' sample.c --" \
     "-std=c11 -I runtime/include -I annotations"
out="$(cd "$here" && "$tidy" --load="$plugin" --checks='-*,framealloc-*' sample.c -- \
       -std=c11 -I"$root/runtime/include" -I"$root/annotations" 2>&1)"
status=$?
printf '%s\n' "$out" | grep -v -e '^[0-9]* warnings\? generated\.$' -e '^Suppressed ' \
                                -e '^Use -header-filter'

if [[ $status -ne 0 ]]; then
  echo "run.sh: clang-tidy failed (exit status $status)" >&2
  exit 1
fi
if ! printf '%s\n' "$out" | grep -qE "sample\.c:$line:[0-9]+: warning: .*\[framealloc-[a-z-]+\]"; then
  echo "run.sh: FAIL: expected a framealloc-* warning on sample.c:$line" >&2
  exit 1
fi
if ! printf '%s\n' "$out" | grep -qE "sample\.c:[0-9]+:[0-9]+: note: "; then
  echo "run.sh: FAIL: the warning came without notes" >&2
  exit 1
fi
echo
echo "The analyzer found the seeded mistake on sample.c:$line (see the notes above for where"
echo "the frame memory came from and where the frame ends)."
