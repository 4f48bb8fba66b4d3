# SPDX-License-Identifier: MIT
"""framealloc-tidy-run: runs clang-tidy with the framealloc plugin over a compilation database.

See `framealloc-tidy-run --help`. The pieces a CI needs, and why each is here:
  * the plugin is checked before anything runs: clang-tidy prints "-load request ignored" and
    carries on when a plugin fails to load, so a missing or ABI-broken plugin would otherwise
    give a green run that checked nothing;
  * every TU gets its own --export-fixes file in a private temporary directory (clang-tidy
    writes none when a TU has no diagnostics, so a stale file must never be picked up);
  * diagnostics from headers seen by several TUs are merged, then printed grouped per file;
  * a crash or a TU that does not compile is a tool failure, distinct from findings, because
    its code was not analysed.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field

from . import __version__, diagnostics, sarif, sarif_check

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_FAILURE = 3

DEFAULT_CHECKS = "-*,framealloc-*"
PLUGIN_NAMES = ("framealloc-tidy.so", "libframealloc-tidy.so")
_CRASH_MARKERS = ("PLEASE submit a bug report", "Stack dump:", "Segmentation fault")

EPILOG = f"""\
exit status:
  {EXIT_CLEAN}  no findings
  {EXIT_FINDINGS}  findings (diagnostics of the enabled checks); every TU was analysed
  {EXIT_USAGE}  bad command line
  {EXIT_FAILURE}  tool failure: the plugin did not load, no check is enabled, clang-tidy is
     missing, the compilation database is unusable, or a TU crashed clang-tidy, did not
     compile or timed out (its code was not analysed; findings of other TUs are still
     printed and written to SARIF)

environment:
  CLANG_TIDY              default for --clang-tidy
  FRAMEALLOC_TIDY_PLUGIN  default for --plugin

examples:
  framealloc-tidy-run -p build
  framealloc-tidy-run -p build --files '/src/engine/' -j 8 --sarif framealloc.sarif
  framealloc-tidy-run -p build --checks='-*,framealloc-*,bugprone-*' -- --header-filter='.*'
"""


@dataclass
class TuResult:
    file: str
    diagnostics: list = field(default_factory=list)
    failure: str = ""  # empty when the TU was analysed
    output: str = ""   # clang-tidy's stdout+stderr, shown for failures
    seconds: float = 0.0


class RunnerError(Exception):
    """A problem that stops the run before or instead of analysis (exit 3)."""


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="framealloc-tidy-run",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.dedent("""\
            Run clang-tidy with the framealloc plugin (framealloc-* checks) over the
            translation units of a compile_commands.json, in parallel. Findings are printed
            grouped per file; --sarif also writes a SARIF 2.1.0 log (with notes as related
            locations and a code flow, and fix-its as SARIF fixes). Arguments after `--` are
            passed to every clang-tidy invocation."""),
        epilog=EPILOG)
    src = parser.add_argument_group("input")
    src.add_argument("-p", "--build-dir", default=".", metavar="DIR",
                     help="directory holding compile_commands.json (default: .)")
    src.add_argument("--compile-commands", metavar="FILE",
                     help="path of the compilation database (overrides -p)")
    src.add_argument("--files", metavar="REGEX",
                     help="analyse only TUs whose absolute path matches (re.search)")
    src.add_argument("--exclude", metavar="REGEX", help="skip TUs whose absolute path matches")
    tidy = parser.add_argument_group("clang-tidy")
    tidy.add_argument("--clang-tidy", metavar="PATH",
                      default=os.environ.get("CLANG_TIDY") or None,
                      help="clang-tidy executable (default: $CLANG_TIDY, clang-tidy-14, "
                           "clang-tidy)")
    tidy.add_argument("--plugin", metavar="SO",
                      default=os.environ.get("FRAMEALLOC_TIDY_PLUGIN") or None,
                      help="the framealloc-tidy plugin (default: $FRAMEALLOC_TIDY_PLUGIN, "
                           "else framealloc-tidy.so found under the build directory)")
    tidy.add_argument("--no-plugin", action="store_true",
                      help="do not load the plugin (only for clang-tidy's own checks; the "
                           "load check is skipped)")
    tidy.add_argument("--checks", default=DEFAULT_CHECKS, metavar="GLOBS",
                      help=f"clang-tidy -checks value (default: '{DEFAULT_CHECKS}')")
    tidy.add_argument("--config-file", metavar="FILE", help="passed as --config-file")
    tidy.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                      help="parallel clang-tidy processes (default: number of CPUs, %(default)s)")
    tidy.add_argument("--timeout", type=float, metavar="SECONDS",
                      help="fail a TU that takes longer than this")
    out = parser.add_argument_group("output")
    out.add_argument("--sarif", metavar="FILE", help="write a SARIF 2.1.0 log")
    out.add_argument("--source-root", metavar="DIR",
                     help="root for relative URIs in SARIF (%%SRCROOT%%; default: the current "
                          "directory)")
    out.add_argument("--docs-dir", metavar="DIR",
                     help="framealloc check documentation (docs/analyzer), referenced from "
                          "SARIF rules (default: <source-root>/docs/analyzer when present, "
                          "else the pages installed or checked out with this tool)")
    out.add_argument("--docs-base-url", metavar="URL",
                     help="SARIF rules' helpUri is URL/<check>.md (e.g. the docs/analyzer "
                          "folder on a code host) instead of the page's file:// URI")
    out.add_argument("--export-fixes-dir", metavar="DIR",
                     help="keep each TU's --export-fixes YAML here (for "
                          "clang-apply-replacements)")
    out.add_argument("--no-snippets", action="store_true",
                     help="do not print source lines under diagnostics")
    out.add_argument("-q", "--quiet", action="store_true",
                     help="print findings and failures only, no progress or summary")
    out.add_argument("--progress-interval", type=float, default=10.0, metavar="SECONDS",
                     help="while no TU finishes, say every SECONDS which TUs are still "
                          "running (default: %(default)g; 0 = never)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    # Everything after `--` goes to clang-tidy; argparse would treat it as positionals.
    extra = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    args = parser.parse_args(argv)
    args.extra = extra
    if args.jobs < 1:
        parser.error("-j must be at least 1")
    if args.progress_interval < 0:
        parser.error("--progress-interval must not be negative")
    for name in ("files", "exclude"):
        pattern = getattr(args, name)
        if pattern is not None:
            try:
                setattr(args, name, re.compile(pattern))
            except re.error as exc:
                parser.error(f"--{name}: bad regular expression: {exc}")
    return args


def find_clang_tidy(explicit):
    if explicit:
        path = shutil.which(explicit) or (explicit if os.path.isfile(explicit) else None)
        if not path:
            raise RunnerError(f"clang-tidy not found: {explicit}")
        return path
    for name in ("clang-tidy-14", "clang-tidy"):
        path = shutil.which(name)
        if path:
            return path
    raise RunnerError("clang-tidy not found (install clang-tidy-14 or pass --clang-tidy)")


def find_plugin(explicit, build_dir, installed=None):
    """--plugin / $FRAMEALLOC_TIDY_PLUGIN, else a plugin built under build_dir, else the one
    installed next to this tool (installed: its path, set by the installed launcher)."""
    if explicit:
        if not os.path.isfile(explicit):
            raise RunnerError(f"plugin not found: {explicit}")
        return os.path.abspath(explicit)
    for root, dirs, files in os.walk(build_dir):
        dirs[:] = [d for d in dirs if d not in ("CMakeFiles", ".git", "Testing")]
        for name in PLUGIN_NAMES:
            if name in files:
                return os.path.abspath(os.path.join(root, name))
    if installed and os.path.isfile(installed):
        return os.path.abspath(installed)
    raise RunnerError(f"no {PLUGIN_NAMES[0]} under {build_dir}: build the framealloc-tidy "
                      "target or pass --plugin")


def _tidy_base(clang_tidy, plugin, config_file):
    cmd = [clang_tidy]
    if plugin:
        cmd.append(f"--load={plugin}")
    if config_file:
        cmd.append(f"--config-file={config_file}")
    return cmd


def list_checks(clang_tidy, plugin, checks, config_file=None):
    """Checks clang-tidy would enable with this -checks value; (names, diagnostic output)."""
    cmd = _tidy_base(clang_tidy, plugin, config_file) + [f"--checks={checks}", "--list-checks"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RunnerError(f"cannot run {clang_tidy}: {exc}") from None
    names = [line.strip() for line in proc.stdout.splitlines()
             if line.startswith("    ") and line.strip()]
    return names, (proc.stdout + proc.stderr).strip()


def verify_checks(clang_tidy, plugin, checks, config_file, require_plugin):
    """Fails loudly when the plugin did not load or nothing would run. Returns enabled checks."""
    if require_plugin:
        names, output = list_checks(clang_tidy, plugin, "-*,framealloc-*", config_file)
        if not any(n.startswith("framealloc-") for n in names):
            raise RunnerError(
                f"the plugin {plugin} did not load into {clang_tidy} (no framealloc-* check "
                "listed); clang-tidy said:\n" + textwrap.indent(output or "(nothing)", "  "))
    names, output = list_checks(clang_tidy, plugin, checks, config_file)
    if not names:
        raise RunnerError(f"no check is enabled by --checks='{checks}'; clang-tidy said:\n"
                          + textwrap.indent(output or "(nothing)", "  "))
    return names


def clang_tidy_version(clang_tidy):
    try:
        out = subprocess.run([clang_tidy, "--version"], capture_output=True, text=True,
                             timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"version\s+(\d+[\w.\-]*)", out)
    return match.group(1) if match else None


def load_compile_commands(path):
    """Unique absolute source paths of a compile_commands.json, in database order."""
    try:
        with open(path, encoding="utf-8") as f:
            entries = json.load(f)
    except OSError as exc:
        raise RunnerError(f"cannot read {path}: {exc.strerror} (configure with "
                          "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON)") from None
    except ValueError as exc:
        raise RunnerError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(entries, list):
        raise RunnerError(f"{path}: expected a JSON array of compile commands")
    files = []
    seen = set()
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or "file" not in entry or "directory" not in entry:
            raise RunnerError(f"{path}: entry {i} lacks 'file' or 'directory'")
        source = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
        if source not in seen:
            seen.add(source)
            files.append(source)
    return files


def run_tu(cmd_base, source, fixes_path, timeout, started=None):
    """Runs clang-tidy on one TU and classifies the outcome. started: a dict that gets
    source -> start time (for progress reports about long TUs)."""
    t0 = time.monotonic()
    if started is not None:
        started[source] = t0
    result = _run_tu(cmd_base, source, fixes_path, timeout)
    result.seconds = time.monotonic() - t0
    return result


def _run_tu(cmd_base, source, fixes_path, timeout):
    cmd = cmd_base[:]
    cmd.insert(1, f"--export-fixes={fixes_path}")
    cmd.append(source)
    result = TuResult(file=source)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        result.failure = f"timed out after {timeout:g} s"
        return result
    except OSError as exc:
        result.failure = f"cannot run clang-tidy: {exc}"
        return result
    result.output = (proc.stdout + proc.stderr).strip()
    if os.path.exists(fixes_path):
        try:
            with open(fixes_path, "rb") as f:
                result.diagnostics = diagnostics.load_fixes(f.read(), fixes_path)
        except (OSError, diagnostics.FixesFormatError) as exc:
            result.failure = f"unreadable --export-fixes output: {exc}"
            return result
    crashed = proc.returncode < 0 or any(m in proc.stderr for m in _CRASH_MARKERS)
    compile_errors = [d for d in result.diagnostics if d.check == "clang-diagnostic-error"]
    if crashed:
        result.failure = f"clang-tidy crashed (exit status {proc.returncode})"
    elif compile_errors:
        result.failure = f"does not compile ({len(compile_errors)} error(s)); not analysed"
        result.output = ""  # the errors themselves are printed with the findings
    elif proc.returncode != 0 and not any(d.level == "Error" for d in result.diagnostics):
        # Exit 1 with Error-level findings is --warnings-as-errors; anything else is a failure.
        result.failure = f"clang-tidy failed (exit status {proc.returncode})"
    return result


def _display_path(path):
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


class _Printer:
    def __init__(self, stream, snippets):
        self.stream = stream
        self.snippets = snippets
        self.sources = diagnostics.SourceCache()

    def _line(self, severity, msg, suffix, fallback_path):
        pos = self.sources.position(msg.path, msg.offset) if msg.path else None
        if pos:
            where = f"{_display_path(msg.path)}:{pos.line}:{pos.byte_column}"
        elif msg.path:  # the file is gone or shorter now: no line to name
            where = _display_path(msg.path)
        else:
            where = _display_path(fallback_path)
        self.stream.write(f"{where}: {severity}: {msg.text}{suffix}\n")
        if self.snippets and pos:
            text = pos.line_text.replace("\t", " ")  # keeps the caret under its character
            caret = pos.utf16_column - 1
            self.stream.write(f"{text}\n{' ' * caret}^\n")

    def diagnostic(self, diag, fallback_path):
        severity = {"Warning": "warning", "Error": "error", "Remark": "remark"}[diag.level]
        self._line(severity, diag.message, f" [{diag.check}]", fallback_path)
        for note in diag.notes:
            self._line("note", note, "", fallback_path)


def _sort_key(sources, diag):
    msg = diag.message
    pos = sources.position(msg.path, msg.offset) if msg.path else None
    return (pos.line, pos.byte_column) if pos else (0, msg.offset)


def report(results, stream, snippets):
    """Prints merged diagnostics grouped per file; returns the merged list."""
    merged = diagnostics.merge([r.diagnostics for r in results])
    groups = {}
    for diag in merged:
        groups.setdefault(diag.message.path or diag.main_file, []).append(diag)
    printer = _Printer(stream, snippets)
    for path in sorted(groups):
        diags = sorted(groups[path], key=lambda d: _sort_key(printer.sources, d))
        count = len(diags)
        plural = "s" if count != 1 else ""
        stream.write(f"--- {_display_path(path)}: {count} diagnostic{plural}\n")
        for diag in diags:
            printer.diagnostic(diag, path)
        stream.write("\n")
    return merged


def _clock(seconds):
    seconds = int(seconds + 0.5)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


class _Progress:
    """Progress on stderr: one line per finished TU with its time, the elapsed time and an
    estimate of the remaining time; and, while no TU finishes for `interval` seconds, a line
    naming the TUs still running (the slowest first), so a long run never looks hung."""

    def __init__(self, stream, total, interval, quiet, clock=time.monotonic):
        self.stream = stream
        self.total = total
        self.interval = interval
        self.quiet = quiet
        self.clock = clock
        self.start = clock()
        self.done = 0
        self.started = {}  # source -> start time, filled by the worker threads
        self.finished_files = set()

    def wait_timeout(self):
        return self.interval if self.interval > 0 and not self.quiet else None

    def finished(self, result):
        self.done += 1
        self.finished_files.add(result.file)
        if self.quiet:
            return
        elapsed = self.clock() - self.start
        state = "FAILED" if result.failure else f"{len(result.diagnostics)} diagnostic(s)"
        eta = ""
        if self.done < self.total:
            eta = f", about {_clock(elapsed / self.done * (self.total - self.done))} left"
        self.stream.write(f"[{self.done}/{self.total} {100 * self.done // self.total}%] "
                          f"{_display_path(result.file)}: {state} ({result.seconds:.1f} s; "
                          f"{_clock(elapsed)} elapsed{eta})\n")
        self.stream.flush()

    def heartbeat(self):
        now = self.clock()
        running = sorted(((now - t, f) for f, t in list(self.started.items())
                          if f not in self.finished_files), reverse=True)
        names = ", ".join(f"{_display_path(f)} ({age:.0f} s)" for age, f in running[:4])
        if len(running) > 4:
            names += f", +{len(running) - 4} more"
        self.stream.write(f"framealloc-tidy-run: {self.done}/{self.total} done, "
                          f"{_clock(now - self.start)} elapsed; running: {names or 'starting'}\n")
        self.stream.flush()


def run(args, out=sys.stdout, err=sys.stderr):
    if not args.compile_commands and args.build_dir.endswith(".json"):
        args.compile_commands = args.build_dir  # `-p build/compile_commands.json` works too
    build_dir = os.path.abspath(os.path.dirname(args.compile_commands)
                                if args.compile_commands else args.build_dir)
    db_path = args.compile_commands or os.path.join(build_dir, "compile_commands.json")
    clang_tidy = find_clang_tidy(args.clang_tidy)
    plugin = None if args.no_plugin else find_plugin(args.plugin, build_dir,
                                                     getattr(args, "installed_plugin", None))
    enabled = verify_checks(clang_tidy, plugin, args.checks, args.config_file,
                            require_plugin=not args.no_plugin)
    files = load_compile_commands(db_path)
    if args.files:
        files = [f for f in files if args.files.search(f)]
    if args.exclude:
        files = [f for f in files if not args.exclude.search(f)]
    if not files:
        raise RunnerError(f"no translation unit of {db_path} matches the --files/--exclude "
                          "filters: nothing to analyse")
    if not args.quiet:
        err.write(f"framealloc-tidy-run: {len(files)} translation unit(s), {len(enabled)} "
                  f"check(s) [{', '.join(enabled[:6])}{', ...' if len(enabled) > 6 else ''}], "
                  f"-j{args.jobs}\n")
    base = _tidy_base(clang_tidy, plugin, args.config_file)
    base += [f"--checks={args.checks}", "-p", build_dir, "--quiet"] + args.extra
    results = [None] * len(files)
    with tempfile.TemporaryDirectory(prefix="framealloc-tidy-") as tmp:
        progress = _Progress(err, len(files), args.progress_interval, quiet=args.quiet)
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = {pool.submit(run_tu, base, f, os.path.join(tmp, f"{i}.yaml"),
                                   args.timeout, progress.started): i
                       for i, f in enumerate(files)}
            pending = set(futures)
            while pending:
                done, pending = concurrent.futures.wait(
                    pending, timeout=progress.wait_timeout(),
                    return_when=concurrent.futures.FIRST_COMPLETED)
                for future in sorted(done, key=lambda fut: futures[fut]):
                    i = futures[future]
                    results[i] = future.result()
                    progress.finished(results[i])
                if not done:
                    progress.heartbeat()
        if args.export_fixes_dir:
            os.makedirs(args.export_fixes_dir, exist_ok=True)
            for i, f in enumerate(files):
                src = os.path.join(tmp, f"{i}.yaml")
                if os.path.exists(src):
                    name = f"{i:04d}-{os.path.basename(f)}.yaml"
                    shutil.copyfile(src, os.path.join(args.export_fixes_dir, name))
    failures = [r for r in results if r.failure]
    merged = report(results, out, snippets=not args.no_snippets)
    findings = [d for d in merged if d.check != "clang-diagnostic-error"]
    for r in failures:
        err.write(f"framealloc-tidy-run: error: {_display_path(r.file)}: {r.failure}\n")
        if r.output:
            err.write(textwrap.indent(r.output[-4000:], "  | ") + "\n")
    if args.sarif:
        write_sarif(args, merged, failures, clang_tidy, err)
    if not args.quiet:
        files_hit = len({d.message.path or d.main_file for d in findings})
        out.write(f"framealloc-tidy-run: {len(findings)} finding(s) in {files_hit} file(s); "
                  f"{len(files)} translation unit(s) analysed, {len(failures)} failed\n")
    if failures:
        return EXIT_FAILURE
    return EXIT_FINDINGS if findings else EXIT_CLEAN


def write_sarif(args, merged, failures, clang_tidy, err):
    source_root = os.path.abspath(args.source_root or os.getcwd())
    docs_dir = args.docs_dir
    if not docs_dir:
        docs_dir = os.path.join(source_root, "docs", "analyzer")
        if not os.path.isdir(docs_dir):
            docs_dir = sarif.default_docs_dir()
    builder = sarif.SarifBuilder(source_root=source_root,
                                 clang_tidy_version=clang_tidy_version(clang_tidy),
                                 docs_dir=docs_dir if docs_dir and os.path.isdir(docs_dir)
                                 else None,
                                 docs_base_url=args.docs_base_url)
    for diag in merged:
        builder.add(diag)
    invocation = {"executionSuccessful": not failures,
                  "toolExecutionNotifications": [
                      sarif.notification(f"{r.file}: {r.failure}", path=r.file,
                                         artifacts=builder.artifacts) for r in failures]}
    log = builder.build(invocation)
    problems = sarif_check.check(log)
    if problems:  # a bug in this tool; say so rather than hand CI a broken file silently
        raise RunnerError("internal error: the SARIF log is not valid:\n  " +
                          "\n  ".join(problems[:20]))
    tmp = args.sarif + ".tmp"
    try:
        os.makedirs(os.path.dirname(os.path.abspath(args.sarif)), exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(log, f, indent=2, ensure_ascii=False)
            f.write("\n")
        os.replace(tmp, args.sarif)
    except OSError as exc:
        raise RunnerError(f"cannot write {args.sarif}: {exc}") from None
    if not args.quiet:
        err.write(f"framealloc-tidy-run: wrote {args.sarif} "
                  f"({len(log['runs'][0]['results'])} result(s))\n")


def main(argv=None, installed_plugin=None):
    """installed_plugin: the plugin installed with this tool (the installed launcher passes
    it), used when neither --plugin nor the build directory gives one."""
    argv = sys.argv[1:] if argv is None else argv
    args = _parse_args(argv)
    args.installed_plugin = installed_plugin
    try:
        return run(args)
    except RunnerError as exc:
        sys.stderr.write(f"framealloc-tidy-run: error: {exc}\n")
        return EXIT_FAILURE
    except KeyboardInterrupt:
        sys.stderr.write("framealloc-tidy-run: interrupted\n")
        return 130
