#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Speed benchmark of the framealloc-* clang-tidy checks.
#
#   bench/analyzer/run.sh [BUILD_DIR] [bench_tidy.py options...]
#
# Generates a ~50,000-line C file full of frames, branches and loops (gen_bench.py), checks
# that the plugin loads, that the clean file gives no finding and that every seeded mistake
# of a seeded copy is found, then times
#     clang-tidy --load=<plugin> -checks='-*,framealloc-*' gen.c -- <flags>
# against
#     clang-14 -fsyntax-only <flags> gen.c
# (median of 7 interleaved runs each; --runs N to change) and prints both medians, the ratio
# (target <= 1.3x) and the --enable-check-profile totals, in a block meant to be pasted into
# a release note.
#
# BUILD_DIR (default: build) is searched for framealloc-tidy.so; FRAMEALLOC_TIDY_PLUGIN,
# CLANG_TIDY and CLANG override the plugin and the tools.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build_dir="build"
if [[ $# -gt 0 && "$1" != -* ]]; then
  build_dir="$1"
  shift
fi

plugin="${FRAMEALLOC_TIDY_PLUGIN:-}"
if [[ -z "$plugin" ]]; then
  plugin="$(find "$build_dir" -name 'framealloc-tidy.so' -o -name 'libframealloc-tidy.so' \
            2>/dev/null | head -n 1 || true)"
fi
if [[ -z "$plugin" || ! -f "$plugin" ]]; then
  echo "run.sh: no framealloc-tidy.so under '$build_dir' (build the framealloc-tidy target," \
       "or set FRAMEALLOC_TIDY_PLUGIN)" >&2
  exit 2
fi

exec python3 "$here/bench_tidy.py" --plugin "$plugin" \
  --clang-tidy "${CLANG_TIDY:-clang-tidy-14}" --clang "${CLANG:-clang-14}" "$@"
