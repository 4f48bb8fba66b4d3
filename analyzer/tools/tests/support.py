# SPDX-License-Identifier: MIT
"""Shared helpers for the framealloc-tidy tool tests (stdlib unittest only).

Environment knobs (all optional; the CMake test sets them):
  CLANG_TIDY              the real clang-tidy for integration tests (default: clang-tidy-14)
  FRAMEALLOC_TIDY_PLUGIN  the built plugin; tests that need it are skipped without it
  FRAMEALLOC_UPDATE_GOLDEN=1  rewrite the expected SARIF files instead of comparing
"""

import os
import shutil
import stat
import sys
import tempfile

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
TOOLS_DIR = os.path.dirname(TESTS_DIR)
DATA_DIR = os.path.join(TESTS_DIR, "data")
RUNNER = os.path.join(TOOLS_DIR, "framealloc-tidy-run")
FRAMEALLOC_ROOT = os.path.dirname(os.path.dirname(TOOLS_DIR))
INCLUDE_FLAGS = ["-I" + os.path.join(FRAMEALLOC_ROOT, "runtime", "include"),
                 "-I" + os.path.join(FRAMEALLOC_ROOT, "annotations")]

if TOOLS_DIR not in sys.path:
    sys.path.insert(0, TOOLS_DIR)


def real_clang_tidy():
    explicit = os.environ.get("CLANG_TIDY")
    if explicit:
        return shutil.which(explicit) or explicit
    return shutil.which("clang-tidy-14") or shutil.which("clang-tidy")


def plugin_path():
    path = os.environ.get("FRAMEALLOC_TIDY_PLUGIN")
    return path if path and os.path.isfile(path) else None


def make_fake_clang_tidy(directory):
    """An executable wrapper around fake_clang_tidy.py (the .py file's own mode bits may not
    survive every checkout, so the wrapper is created at test time)."""
    wrapper = os.path.join(directory, "fake-clang-tidy")
    with open(wrapper, "w", encoding="utf-8") as f:
        f.write(f"#!/bin/sh\nexec '{sys.executable}' "
                f"'{os.path.join(TESTS_DIR, 'fake_clang_tidy.py')}' \"$@\"\n")
    os.chmod(wrapper, os.stat(wrapper).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    fake_plugin = os.path.join(directory, "framealloc-tidy.so")
    with open(fake_plugin, "w", encoding="utf-8") as f:
        f.write("FAKE-FRAMEALLOC-PLUGIN\n")
    return wrapper, fake_plugin


class TempDirMixin:
    """Gives each test a fresh temporary directory, removed afterwards."""

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="fa-tidy-test-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def write(self, relpath, content, mode="w"):
        path = os.path.join(self.tmp, relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
            f.write(content)
        return path
