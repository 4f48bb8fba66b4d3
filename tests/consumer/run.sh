#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the build tree into a scratch prefix, then builds and runs a consumer against it
# twice: through find_package(framealloc) and through pkg-config. Usage: run.sh <build-dir>
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/framealloc.h"
test -f "$work/prefix/include/framealloc.hpp"
test -f "$work/prefix/include/framealloc/annotations.h"
pc=$(find "$work/prefix" -name framealloc.pc | head -n 1)
cfg=$(find "$work/prefix" -name framealloc-config.cmake | head -n 1)
test -n "$pc" && test -n "$cfg"

echo "== find_package(framealloc)"
cmake -S "$here" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer"

echo "== pkg-config framealloc"
export PKG_CONFIG_PATH
PKG_CONFIG_PATH="$(dirname "$pc")"
pkg-config --exists framealloc
cc -o "$work/consumer-pc" "$here/main.c" $(pkg-config --cflags framealloc) \
   $(pkg-config --libs --static framealloc)
"$work/consumer-pc"
