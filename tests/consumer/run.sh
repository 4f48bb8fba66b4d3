#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ctest install-consumer: a Release and a Debug build of the library installed into ONE prefix
# (static, then the same again as shared libraries into a second prefix), then consumers of it:
#   - find_package(framealloc) with a single-config generator, configured Debug, Release,
#     RelWithDebInfo and MinSizeRel: each must link its library (Debug: libframeallocd, the
#     others: libframealloc) and check at run time that it got the level and the behaviour of
#     that library (tests/consumer/main.c, FA_EXPECT_DEBUG);
#   - the same project with "Ninja Multi-Config", building and running Debug, Release and
#     RelWithDebInfo from one build tree;
#   - pkg-config framealloc (release) and framealloc-debug (debug), static and shared;
#   - the package of a prefix without the analyzer defines no framealloc_TIDY_* (the analyzer
#     side is ctest install-tidy-plugin).
# Usage: run.sh <framealloc-source-dir> <C compiler>
set -euo pipefail
src=$(cd "$1" && pwd)
cc=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "install-consumer: FAIL: $*" >&2; exit 1; }

# build_lib <name> <config> <prefix> [cmake args...]: a library-only build, installed.
build_lib() {
  local name=$1 config=$2 prefix=$3
  shift 3
  cmake -S "$src" -B "$work/$name" -G Ninja -DCMAKE_BUILD_TYPE="$config" \
        -DCMAKE_C_COMPILER="$cc" -DFRAMEALLOC_BUILD_TESTS=OFF -DFRAMEALLOC_BUILD_EXAMPLES=OFF \
        -DFRAMEALLOC_BUILD_ANALYZER=OFF -DFRAMEALLOC_DEBUG_LEVEL= "$@" >"$work/$name.log" 2>&1 \
    || { cat "$work/$name.log"; fail "configure $name"; }
  cmake --build "$work/$name" -j2 >>"$work/$name.log" 2>&1 || { cat "$work/$name.log"; fail "build $name"; }
  cmake --install "$work/$name" --prefix "$prefix" >>"$work/$name.log" 2>&1 \
    || { cat "$work/$name.log"; fail "install $name"; }
}

# consumer <build-dir> <prefix> <generator> [cmake args...]: configures tests/consumer.
consumer() {
  local dir=$1 prefix=$2 gen=$3
  shift 3
  cmake -S "$here" -B "$dir" -G "$gen" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
        "$@" >"$dir.log" 2>&1 || { cat "$dir.log"; fail "configure consumer $dir"; }
}

# run_config <build-dir> <config> <expected library file name>: builds one configuration,
# checks which framealloc library its link line names, runs it.
run_config() {
  local dir=$1 config=$2 want=$3 exe link
  cmake --build "$dir" --config "$config" >>"$dir.log" 2>&1 || { cat "$dir.log"; fail "build $dir $config"; }
  if [ -f "$dir/build-$config.ninja" ]; then
    link=$(ninja -C "$dir" -f "build-$config.ninja" -t commands consumer | tail -n 1)
    exe="$dir/$config/consumer"
  else
    link=$(ninja -C "$dir" -t commands consumer | tail -n 1)
    exe="$dir/consumer"
  fi
  got=$(grep -o 'libframeallocd\?\.\(a\|so\)' <<<"$link" | sort -u | tr '\n' ' ')
  [ "$got" = "$want " ] || fail "$dir $config links '$got', expected '$want'"
  echo "-- $config: links $want"
  "$exe" || fail "$dir $config: the consumer's checks failed"
}

# check_prefix <prefix> <library suffix>: the side-by-side layout.
check_prefix() {
  local p=$1 ext=$2 f
  for f in include/framealloc.h include/framealloc.hpp include/framealloc/annotations.h \
           lib/libframealloc.$ext lib/libframeallocd.$ext \
           lib/cmake/framealloc/framealloc-config.cmake \
           lib/cmake/framealloc/framealloc-config-version.cmake \
           lib/cmake/framealloc/framealloc-targets.cmake \
           lib/cmake/framealloc/framealloc-targets-release.cmake \
           lib/cmake/framealloc/framealloc-targets-debug.cmake \
           lib/cmake/framealloc/framealloc-level-release.cmake \
           lib/cmake/framealloc/framealloc-level-debug.cmake \
           lib/pkgconfig/framealloc.pc lib/pkgconfig/framealloc-debug.pc; do
    [ -e "$p/$f" ] || fail "$f is not installed in $p: $(cd "$p" && find . -type f | sort)"
  done
  [ -e "$p/share/doc/framealloc/LICENSE" ] || fail "LICENSE is not installed in $p"
  [ ! -e "$p/lib/cmake/framealloc/framealloc-tidy.cmake" ] \
    || fail "a library-only install installed framealloc-tidy.cmake"
}

echo "== static: Release then Debug installed into one prefix"
build_lib rel Release "$work/prefix"
build_lib dbg Debug "$work/prefix"
check_prefix "$work/prefix" a

echo "== find_package, single-config (Ninja)"
for config in Debug Release RelWithDebInfo MinSizeRel; do
  want=libframealloc.a
  [ "$config" = Debug ] && want=libframeallocd.a
  consumer "$work/c-$config" "$work/prefix" Ninja -DCMAKE_BUILD_TYPE="$config" -DEXPECT_TIDY=0
  run_config "$work/c-$config" "$config" "$want"
done

echo "== find_package, Ninja Multi-Config"
consumer "$work/c-multi" "$work/prefix" "Ninja Multi-Config"
run_config "$work/c-multi" Debug libframeallocd.a
run_config "$work/c-multi" Release libframealloc.a
run_config "$work/c-multi" RelWithDebInfo libframealloc.a

echo "== pkg-config framealloc / framealloc-debug (static)"
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
for pc in framealloc framealloc-debug; do
  expect=0 lib=-lframealloc
  [ "$pc" = framealloc-debug ] && expect=1 lib=-lframeallocd
  pkg-config --exists "$pc" || fail "pkg-config does not find $pc"
  libs=$(pkg-config --libs --static "$pc")
  grep -q -- "$lib\( \|$\)" <<<"$libs" || fail "pkg-config --libs $pc: '$libs' lacks $lib"
  "$cc" -o "$work/pc-$pc" "$here/main.c" -DFA_EXPECT_DEBUG=$expect $(pkg-config --cflags "$pc") \
        $libs || fail "compiling against $pc"
  echo "-- $pc: $(pkg-config --cflags "$pc" | grep -o -- '-DFA_DEBUG=[0-9]') $lib"
  "$work/pc-$pc" || fail "the $pc consumer's checks failed"
done

echo "== shared: Release then Debug installed into one prefix"
build_lib rel-so Release "$work/prefix-so" -DBUILD_SHARED_LIBS=ON
build_lib dbg-so Debug "$work/prefix-so" -DBUILD_SHARED_LIBS=ON
check_prefix "$work/prefix-so" so
[ -e "$work/prefix-so/lib/libframeallocd.so.0" ] || fail "libframeallocd.so.0 (SONAME link) missing"
consumer "$work/s-multi" "$work/prefix-so" "Ninja Multi-Config" -DEXPECT_TIDY=0
run_config "$work/s-multi" Debug libframeallocd.so
run_config "$work/s-multi" Release libframealloc.so
export PKG_CONFIG_PATH="$work/prefix-so/lib/pkgconfig"
for pc in framealloc framealloc-debug; do
  expect=0
  [ "$pc" = framealloc-debug ] && expect=1
  "$cc" -o "$work/pcso-$pc" "$here/main.c" -DFA_EXPECT_DEBUG=$expect $(pkg-config --cflags "$pc") \
        $(pkg-config --libs "$pc") -Wl,-rpath,"$work/prefix-so/lib" || fail "compiling against shared $pc"
  "$work/pcso-$pc" || fail "the shared $pc consumer's checks failed"
done
echo "install-consumer: OK"
