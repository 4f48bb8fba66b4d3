#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Quick start, command 2: every test. Installs what is missing, then runs the workflows:
#   dev   debug library; Criterion suites (release and debug variants), lit tests of the
#         analyzer, install/consumer and header tests, demo and patterns, the demo's HTML
#         report rendered in headless Chromium, valgrind legs
#   asan  the whole runtime suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   tsan  the whole runtime suite under ThreadSanitizer
# then the Windows leg (tests/win/run.sh: MinGW-w64 cross build, runtime suites, demo and
# patterns under wine64),
# then the operation-sequence fuzzer (tests/fuzz/run.sh, 45 s per variant; FA_FUZZ_SECONDS),
# then the callgrind instruction budgets of the frame and pool fast paths (bench/check-budgets.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/deps.sh
fa_install_deps "${fa_test_packages[@]}"

for preset in dev asan tsan; do
  echo "=== cmake --workflow --preset $preset"
  cmake --workflow --preset "$preset"
done
echo "=== windows (MinGW-w64 + wine64)"
bash tests/win/run.sh
echo "=== fuzzing (libFuzzer op sequences, release and debug runtime)"
bash tests/fuzz/run.sh "${FA_FUZZ_SECONDS:-45}"
echo "=== instruction budgets (callgrind)"
bash bench/check-budgets.sh --build-dir build/bench-budget
echo "=== all tests passed"
