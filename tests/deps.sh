# SPDX-License-Identifier: MIT
# Installs the Debian packages framealloc needs to build, test and run the analyzer, if any is
# missing. Sourced by examples/quickstart.sh, tests/run-all.sh and .ci/run. Needs root (or sudo).
fa_packages=(
  cmake ninja-build gcc g++ make pkg-config python3
  clang-14 clang-tidy-14 libclang-14-dev libclang-cpp14-dev llvm-14-dev llvm-14-tools
  libclang-rt-14-dev libcriterion-dev valgrind libgtest-dev doxygen liblua5.4-dev libsqlite3-dev
)
# Only for the full test run (tests/run-all.sh), not the quick start: the browser that renders
# the HTML memory report in the demo-report-browser test (~110 MB download; without it that test
# is skipped).
fa_test_packages=(chromium)

fa_install_deps() {
  local missing=() p
  for p in "${fa_packages[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  echo "framealloc: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
}
