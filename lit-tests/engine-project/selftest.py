#!/usr/bin/env python3
"""ctest analyzer-engine-project-selftest: check.py must fail on an unexpected finding, on an
expected finding that is missing and not known-missed, and on sources whose lines moved away
from expected-findings.txt; and pass on the project as it is. Each case runs on a copy.

usage: selftest.py --plugin PLUGIN [--clang-tidy BIN] --work-dir DIR
"""
import argparse
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

NEW_BUG = """
static float *g_new_bug;
void audio_new_bug(Engine *e) {
    eng_frame_begin(e);
    g_new_bug = eng_scratch(e, 16);
    eng_frame_end(e);
}
"""


def append(path, text):
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def keep_header(path):
    with open(path, encoding="utf-8") as f:
        lines = [l for l in f if l.startswith("#")]
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(lines)


def replace(path, old, new):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new))


def prepend_line(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write("/* moved */\n" + text)


def line_count(path):
    with open(path, encoding="utf-8") as f:
        return sum(1 for _ in f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--clang-tidy")
    ap.add_argument("--work-dir", required=True)
    args = ap.parse_args()
    work = os.path.abspath(args.work_dir)
    audio_lines = line_count(os.path.join(HERE, "src", "c", "audio.c"))
    cases = [
        ("unchanged", None, 0, "OK"),
        ("unexpected finding", lambda d: append(os.path.join(d, "src", "c", "audio.c"), NEW_BUG),
         1, f"UNEXPECTED: src/c/audio.c:{audio_lines + 5}: frame memory stored in global "
            "'g_new_bug' outlives its frame [framealloc-frame-escape]"),
        ("missing finding", lambda d: replace(os.path.join(d, "src", "cpp", "jobs.cpp"),
                                              "[weights] { (void)weights[0]; }", "[] {}"),
         1, "MISSING: src/cpp/jobs.cpp:59: framealloc-thread-crossing was not reported"),
        ("lines moved", lambda d: prepend_line(os.path.join(d, "src", "c", "render.c")),
         1, "lines shifted?"),
    ]
    failed = 0
    for name, mutate, want_rc, want_text in cases:
        copy = os.path.join(work, "project-" + name.replace(" ", "-"))
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(HERE, copy)
        if mutate:
            mutate(copy)
        cmd = [sys.executable, os.path.join(copy, "check.py"), "--plugin", args.plugin,
               "--repo-root", REPO, "--work-dir", os.path.join(copy, "build")]
        if args.clang_tidy:
            cmd += ["--clang-tidy", args.clang_tidy]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        ok = proc.returncode == want_rc and want_text in proc.stdout
        print(f"{'ok  ' if ok else 'FAIL'} {name}: exit {proc.returncode} (want {want_rc})")
        if not ok:
            failed += 1
            print(f"  expected output to contain: {want_text}")
            sys.stdout.write("".join("  | " + l + "\n" for l in
                                     (proc.stdout + proc.stderr).splitlines()))
        shutil.rmtree(copy, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
