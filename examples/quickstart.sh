#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Quick start, command 1: install what is missing, build, run the demo game loop, then run the
# clang-tidy checks on a sample with a seeded mistake. Prints each step before it runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== [%s/5] %s ===\n' "$1" "$2"; }

step 1 "dependencies: installing the Debian packages that are missing (tests/deps.sh)"
source tests/deps.sh
fa_install_deps
echo "dependencies ready"

step 2 "configure: cmake --preset release (build tree build/release)"
cmake --preset release >/dev/null
echo "configured build/release"

step 3 "build: the demo and the clang-tidy plugin (framealloc-demo, framealloc-tidy)"
cmake --build --preset release --target framealloc-demo framealloc-tidy
echo "built build/release/examples/framealloc-demo and the framealloc-tidy plugin"

step 4 "demo: 300 frames of physics / render / audio with 2 worker threads"
build/release/examples/framealloc-demo --frames 300 --every 10

step 5 "analyzer: framealloc-* checks on examples/analyzer-sample (one seeded mistake)"
bash examples/analyzer-sample/run.sh build/release

echo
echo "=== done: next, 'bash tests/run-all.sh' runs every test ==="
