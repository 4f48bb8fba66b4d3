#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs one example program and judges it.
#
#   run-example.sh clean EXE [ARGS...]          exit 0 and no framealloc report in the output
#   run-example.sh mistake STATUS EXE [ARGS...] non-zero exit and a report naming STATUS
#   run-example.sh valgrind EXE [ARGS...]       as clean, under memcheck (77 = no valgrind)
#
# A report is any line starting "framealloc: " (what the default error handler writes), so a
# clean run proves the handler never fired.
set -uo pipefail
mode="$1"; shift
status=""
if [[ "$mode" == mistake ]]; then status="$1"; shift; fi
exe="$1"; shift
out="$(mktemp)"; trap 'rm -f "$out"' EXIT

case "$mode" in
  clean) "$exe" "$@" >"$out" 2>&1; rc=$? ;;
  valgrind)
    vg="$(command -v valgrind || true)"
    if [[ -z "$vg" ]]; then echo "valgrind not installed: skipped"; exit 77; fi

    "$vg" -q --error-exitcode=99 --leak-check=full \
      --errors-for-leak-kinds=definite "$exe" "$@" >"$out" 2>&1; rc=$? ;;
  mistake) "$exe" "$@" >"$out" 2>&1; rc=$? ;;
  *) echo "run-example.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac
cat "$out"

if [[ "$mode" == mistake ]]; then
  if [[ $rc -eq 0 ]]; then echo "FAIL: the mistake ran to a clean exit" >&2; exit 1; fi
  if ! grep -q "^framealloc: $status:" "$out"; then
    echo "FAIL: exit $rc but no 'framealloc: $status:' report" >&2; exit 1
  fi
  echo "OK: caught ($status, exit $rc)"
  exit 0
fi
if [[ $rc -ne 0 ]]; then echo "FAIL: exit status $rc" >&2; exit 1; fi
if grep -q '^framealloc: ' "$out"; then echo "FAIL: the error handler reported" >&2; exit 1; fi
exit 0
