#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The framealloc-* checks over every example program.
#
#   check-analyzer.sh CLANG_TIDY PLUGIN
#
# 1. `--list-checks` with the plugin loaded must list framealloc checks (a plugin that fails to
#    load would otherwise make every later step pass vacuously).
# 2. Every example outside mistakes/ must produce zero warnings.
# 3. Every file in mistakes/ must produce at least one warning of each check on its
#    "expect-analyzer:" line, and no warning of any other check.
# 4. mistakes/expected-misses.txt lists "<file> <check>" pairs the analyzer misses today; each
#    must still be missed (a listed check that now fires fails too, so the list stays true).
set -uo pipefail
tidy="$1"; plugin="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"   # examples/
root="$(cd "$here/.." && pwd)"
fail=0

listed="$("$tidy" --load="$plugin" -checks='-*,framealloc-*' --list-checks 2>&1)"
n_checks="$(grep -c '^ *framealloc-' <<<"$listed")"
if [[ "$n_checks" -lt 1 ]]; then
  echo "FAIL: $plugin does not load into $tidy (no framealloc-* check listed):"; echo "$listed"
  exit 1
fi
echo "plugin loaded: $n_checks framealloc checks"

# Warnings of one file, as "check" lines (sorted, duplicates kept).
warnings_of() {
  local f="$1" std=-std=c11
  [[ "$f" == *.cpp ]] && std=-std=c++17
  "$tidy" --load="$plugin" -checks='-*,framealloc-*' --quiet "$f" -- "$std" \
      -I"$root/runtime/include" -I"$root/annotations" -DFA_DEBUG=1 2>/dev/null |
    tee "$tmp/last.txt" | sed -n 's/^.*: warning: .* \[\(framealloc-[a-z-]*\)\]$/\1/p' | sort
}
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

files=0
while IFS= read -r f; do
  files=$((files + 1))
  rel="${f#"$here"/}"
  got="$(warnings_of "$f")"
  if [[ "$rel" != mistakes/* ]]; then
    if [[ -n "$got" ]]; then echo "FAIL: $rel: warnings in a correct example:"; cat "$tmp/last.txt"; fail=1; fi
    continue
  fi
  base="$(basename "$f")"
  expect="$(sed -n 's/^.*expect-analyzer: *//p' "$f" | head -n 1)"
  if [[ -z "$expect" ]]; then echo "FAIL: $rel has no expect-analyzer line"; fail=1; continue; fi
  for check in $expect; do
    if ! grep -qx "$check" <<<"$got"; then echo "FAIL: $rel: expected $check, not reported"; cat "$tmp/last.txt"; fail=1; fi
  done
  while IFS= read -r check; do
    [[ -z "$check" ]] && continue
    if ! grep -qw -- "$check" <<<"$expect"; then
      echo "FAIL: $rel: unexpected $check"; cat "$tmp/last.txt"; fail=1
    fi
  done <<<"$(uniq <<<"$got")"
  while read -r mf mc; do
    [[ "$mf" == "$base" ]] || continue
    if grep -qx "$mc" <<<"$got"; then
      echo "FAIL: $rel: $mc is listed as an expected miss but now reports (update expected-misses.txt)"
      fail=1
    else
      echo "expected miss still missed: $rel $mc"
    fi
  done < <(grep -v '^#' "$here/mistakes/expected-misses.txt")
  [[ $fail -eq 0 ]] && echo "flagged as expected: $rel ($expect)"
done < <(find "$here" \( -name '*.c' -o -name '*.cpp' \) -not -path '*/analyzer-sample/*' | sort)

# Every listed miss must name an existing mistake file.
while read -r mf mc; do
  [[ -z "$mf" ]] && continue
  [[ -f "$here/mistakes/$mf" ]] || { echo "FAIL: expected-misses.txt names missing file $mf"; fail=1; }
done < <(grep -v '^#' "$here/mistakes/expected-misses.txt")

if [[ $files -lt 10 ]]; then echo "FAIL: only $files example sources found"; fail=1; fi
[[ $fail -eq 0 ]] && echo "analyzer: $files example sources checked, all as expected"
exit $fail
