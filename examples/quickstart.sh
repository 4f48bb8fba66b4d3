#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, run the demo game loop, then run the
# clang-tidy checks on a sample with a seeded mistake.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/deps.sh
fa_install_deps

cmake --preset release >/dev/null
cmake --build --preset release --target framealloc-demo framealloc-tidy

echo
echo "=== demo: 300 frames of physics / render / audio with 2 worker threads ==="
build/release/examples/framealloc-demo --frames 300 --every 10

echo
echo "=== analyzer: framealloc-* checks on examples/analyzer-sample (one seeded mistake) ==="
bash examples/analyzer-sample/run.sh build/release
