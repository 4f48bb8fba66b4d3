#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs one test program under valgrind memcheck: any memcheck error or definite leak, in the
# program or in a child it forks (the built-in harness runs each test in a forked child),
# fails it. Exit 77 (ctest SKIP_RETURN_CODE) when valgrind is not installed, so a missing
# valgrind is reported as skipped, never as passed.
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind not installed: skipped"
    exit 77
fi
exe="$1"
shift
exec valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
    --trace-children=yes "$exe" "$@"
