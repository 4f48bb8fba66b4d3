#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Windows leg: cross-builds the runtime, the Windows test runners (release, debug, DLL),
# the demo and examples/patterns.c with MinGW-w64, and runs them all under wine64 (ctest of the
# "windows" preset, CMAKE_CROSSCOMPILING_EMULATOR = wine64). Installs gcc-mingw-w64-x86-64 and
# wine64 when missing. Fails loudly when wine cannot start: a leg that cannot run its tests
# never passes.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/deps.sh
fa_install_deps gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine64

t0=$SECONDS
step() { echo "--- windows: $1 ($((SECONDS - t0)) s)"; }

wine_bin=""
for w in wine64 wine /usr/lib/wine/wine64; do
  if command -v "$w" >/dev/null 2>&1; then wine_bin=$(command -v "$w"); break; fi
done
if [ -z "$wine_bin" ]; then
  echo "windows: FAILED: no wine64 binary after installing wine64" >&2
  exit 1
fi

export WINEDEBUG=-all
export WINEPREFIX="$PWD/build/windows/wineprefix"
mkdir -p "$WINEPREFIX"

# The first start creates the prefix (30-60 s on a fresh machine).
step "starting wine ($wine_bin, prefix $WINEPREFIX)"
if ! out=$(timeout 300 "$wine_bin" cmd.exe /c echo framealloc-wine-ok 2>&1) ||
   ! grep -q framealloc-wine-ok <<<"$out"; then
  echo "windows: FAILED: wine cannot start programs here:" >&2
  echo "$out" | tail -20 >&2
  exit 1
fi

step "configure + build (preset windows)"
cmake --preset windows
cmake --build --preset windows -j2

step "tests under wine (runners rel/dbg/dll, demo, patterns)"
ctest --preset windows

step "done"
# The wine server of this prefix lingers for a few seconds otherwise.
wineserver_bin=$(command -v wineserver || echo /usr/lib/wine/wineserver64)
WINEPREFIX="$WINEPREFIX" "$wineserver_bin" -k 2>/dev/null || true
echo "windows: passed in $((SECONDS - t0)) s"
