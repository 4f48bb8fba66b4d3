#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the API reference and checks it (ctest "docs-api", and the `docs` target).
#   build-docs.sh DOXYGEN DOXYFILE OUT_DIR
# Exit 77 (skipped) when doxygen is not installed; 1 when doxygen fails, warns, or the pages
# for the core API are missing.
set -uo pipefail
doxygen="$1"; doxyfile="$2"; out="$3"
if [[ -z "$doxygen" || "$doxygen" == *NOTFOUND* ]] || ! command -v "$doxygen" >/dev/null; then
  echo "doxygen not installed (Debian: apt-get install doxygen): skipped"
  exit 77
fi
rm -rf "$out"; mkdir -p "$out"
if ! "$doxygen" "$doxyfile"; then
  echo "FAIL: doxygen failed"; cat "$out/warnings.log" 2>/dev/null; exit 1
fi
if [[ -s "$out/warnings.log" ]]; then
  echo "FAIL: doxygen warnings:"; cat "$out/warnings.log"; exit 1
fi
fail=0
for sym in fa_create fa_begin_frame fa_frame_alloc fa_frame_retain fa_pool_alloc fa_heap_alloc \
           fa_transfer_create fa_tag_set_budget fa_frame_checkpoint fa_try_frame_alloc \
           FA_ERR_USE_AFTER_FRAME FrameScope; do
  if ! grep -rqs -- "$sym" "$out/html"; then echo "FAIL: $sym is not in the reference"; fail=1; fi
done
[[ -f "$out/html/index.html" ]] || { echo "FAIL: no index.html"; fail=1; }
[[ $fail -eq 0 ]] && echo "API reference: $out/html/index.html"
exit $fail
