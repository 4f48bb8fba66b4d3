// SPDX-License-Identifier: MIT
/*
 * fa_win_runner.c - the Windows runner of the FA_TEST_SHIM harness (tests/harness/fa_test.h):
 * the same self-registering Test() / cr_assert_* subset the ThreadSanitizer build uses, for
 * Windows, where neither Criterion nor fork exist.
 *
 * Every test runs in its own child process (the runner started again with --run=suite/name),
 * so a crash, an abort or a guard-mode report ends that test only and no global state (error
 * handlers, environment) leaks between tests. A child's stdout and stderr go to a temporary
 * file that is shown when the test fails (or always with --verbose). Outcomes, by exit code:
 *   default      PASS_CODE, which the child returns only after init, test and fini returned;
 *   .exit_code   that exit code;
 *   .signal      SIGABRT: 3 (what abort() exits with); SIGSEGV: STATUS_ACCESS_VIOLATION.
 * An assertion exits with FAIL_CODE at once. A timeout (.timeout, else 300 s) kills the child
 * and fails the test. A disabled test is listed as skipped, never as passed. Exit status: 0
 * when every test that ran passed and at least one ran; 1 otherwise.
 *
 * Options: --list; --filter=GLOB on "suite/name" (* and ?; also a bare GLOB argument); -jN or
 * --jobs=N (children at a time, default 2); --verbose; --ascii (ignored).
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include "fa_test.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PASS_CODE 0x7E57u
#define FAIL_CODE 0xFA11u
#define ABORT_CODE 3u

static struct fa_test_def *tests;
static size_t n_tests;

void fa_test_register(struct fa_test_def *t) {
    t->next = tests;
    tests = t;
    n_tests++;
}

void fa_test_fail(const char *file, int line, const char *what, const char *fmt, ...) {
    char msg[1024] = "";
    if (fmt != NULL && fmt[0] != '\0') {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
    }
    fprintf(stderr, "%s:%d: Assertion failed: %s%s%s\n", file, line, what, msg[0] ? ": " : "",
            msg);
    fflush(NULL);
    /* At once: other test threads may still be running; the verdict is known. */
    TerminateProcess(GetCurrentProcess(), FAIL_CODE);
    for (;;) Sleep(INFINITE);
}

void fa_test_log(const char *level, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[%s] ", level);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int by_name(const void *a, const void *b) {
    const struct fa_test_def *x = *(struct fa_test_def *const *)a;
    const struct fa_test_def *y = *(struct fa_test_def *const *)b;
    int c = strcmp(x->suite, y->suite);
    return c != 0 ? c : strcmp(x->name, y->name);
}

/* * and ? only (test names have no other special characters). */
static bool glob_match(const char *p, const char *s) {
    if (*p == '\0') return *s == '\0';
    if (*p == '*') return glob_match(p + 1, s) || (*s != '\0' && glob_match(p, s + 1));
    if (*s != '\0' && (*p == '?' || *p == *s)) return glob_match(p + 1, s + 1);
    return false;
}

static void full_name(const struct fa_test_def *t, char *out, size_t cap) {
    snprintf(out, cap, "%s/%s", t->suite, t->name);
}

/* Child mode: run one test and report by exit code. */
static int run_here(const struct fa_test_def *t) {
    if (t->init != NULL) t->init();
    t->fn();
    if (t->fini != NULL) t->fini();
    fflush(NULL);
    exit((int)PASS_CODE); /* exit, not ExitProcess: atexit handlers and stdio run */
}

typedef struct child {
    const struct fa_test_def *t;
    HANDLE process, out;
    ULONGLONG started, deadline;
} child;

static bool start_child(child *c, const struct fa_test_def *t, const char *self) {
    char name[512], cmd[1200];
    full_name(t, name, sizeof name);
    snprintf(cmd, sizeof cmd, "\"%s\" --run=%s", self, name);
    char dir[MAX_PATH], path[MAX_PATH];
    if (GetTempPathA(sizeof dir, dir) == 0 || GetTempFileNameA(dir, "fat", 0, path) == 0) {
        fprintf(stderr, "runner: no temporary file (error %lu)\n", GetLastError());
        return false;
    }
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    c->out = CreateFileA(path, GENERIC_READ | GENERIC_WRITE,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &sa,
                         CREATE_ALWAYS, FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE, NULL);
    if (c->out == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "runner: cannot open %s (error %lu)\n", path, GetLastError());
        return false;
    }
    STARTUPINFOA si;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = c->out;
    si.hStdError = c->out;
    PROCESS_INFORMATION pi;
    fflush(NULL);
    /* Under Wine, process creation fails now and then with a transient internal
     * error (1359) while many children start at once; a failed start is retried,
     * and only a start that keeps failing fails the test. */
    bool started = false;
    DWORD err = 0;
    for (int attempt = 0; attempt < 5 && !started; attempt++) {
        if (attempt > 0) Sleep(100u * (DWORD)attempt);
        started = CreateProcessA(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi) != 0;
        if (!started) {
            err = GetLastError();
            fprintf(stderr, "runner: CreateProcess failed for %s (error %lu, attempt %d of 5)\n",
                    name, err, attempt + 1);
        }
    }
    if (!started) {
        CloseHandle(c->out);
        return false;
    }
    CloseHandle(pi.hThread);
    c->t = t;
    c->process = pi.hProcess;
    c->started = GetTickCount64();
    double limit = t->timeout > 0 ? t->timeout : 300.0;
    c->deadline = c->started + (ULONGLONG)(limit * 1000.0);
    return true;
}

static void show_output(HANDLE out) {
    LARGE_INTEGER zero = {{0, 0}};
    if (!SetFilePointerEx(out, zero, NULL, FILE_BEGIN)) return;
    char buf[4096];
    DWORD n;
    while (ReadFile(out, buf, sizeof buf, &n, NULL) && n > 0) fwrite(buf, 1, n, stdout);
}

/* The verdict on a finished child: 1 passed, 0 failed (why says why). */
static int verdict(const struct fa_test_def *t, DWORD code, bool timed_out, char *why,
                   size_t cap) {
    if (timed_out) {
        snprintf(why, cap, "timed out");
        return 0;
    }
    if (code == FAIL_CODE) {
        snprintf(why, cap, "assertion failed");
        return 0;
    }
    if (t->signal != 0) {
        DWORD want = t->signal == SIGABRT   ? ABORT_CODE
                     : t->signal == SIGSEGV ? (DWORD)STATUS_ACCESS_VIOLATION
                                            : 0;
        if (want == 0) {
            snprintf(why, cap, "expected signal %d has no Windows equivalent here", t->signal);
            return 0;
        }
        if (code == want) return 1;
        snprintf(why, cap, "exit code 0x%lx, expected 0x%lx (signal %d)", code, want, t->signal);
        return 0;
    }
    if (t->exit_code != 0) {
        if (code == (DWORD)t->exit_code) return 1;
        snprintf(why, cap, "exit code 0x%lx, expected %d", code, t->exit_code);
        return 0;
    }
    if (code == PASS_CODE) return 1;
    if (code == ABORT_CODE)
        snprintf(why, cap, "aborted");
    else if (code >= 0xC0000000u)
        snprintf(why, cap, "crashed (exception 0x%lx)", code);
    else
        snprintf(why, cap, "exited (code 0x%lx) before the test finished", code);
    return 0;
}

int main(int argc, char **argv) {
    /* No crash dialogs and no debugger for the children (the error mode is inherited). */
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
    const char *filter = NULL, *run = NULL;
    bool list = false, verbose = false;
    unsigned jobs = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--list") == 0 || strcmp(a, "-l") == 0)
            list = true;
        else if (strncmp(a, "--filter=", 9) == 0)
            filter = a + 9;
        else if (strncmp(a, "--run=", 6) == 0)
            run = a + 6;
        else if (strncmp(a, "-j", 2) == 0 && a[2] != '\0')
            jobs = (unsigned)atoi(a + 2);
        else if (strncmp(a, "--jobs=", 7) == 0)
            jobs = (unsigned)atoi(a + 7);
        else if (strcmp(a, "--verbose") == 0)
            verbose = true;
        else if (strcmp(a, "--ascii") == 0)
            continue;
        else if (a[0] != '-')
            filter = a;
        else {
            fprintf(stderr, "unknown option %s\n", a);
            return 2;
        }
    }
    if (jobs < 1) jobs = 1;
    if (jobs > MAXIMUM_WAIT_OBJECTS) jobs = MAXIMUM_WAIT_OBJECTS;

    struct fa_test_def **v = calloc(n_tests ? n_tests : 1, sizeof *v);
    if (v == NULL) return 2;
    size_t n = 0;
    for (struct fa_test_def *t = tests; t != NULL; t = t->next) v[n++] = t;
    qsort(v, n, sizeof *v, by_name);

    if (run != NULL) {
        for (size_t i = 0; i < n; i++) {
            char name[512];
            full_name(v[i], name, sizeof name);
            if (strcmp(name, run) == 0) return run_here(v[i]);
        }
        fprintf(stderr, "no test %s\n", run);
        return 2;
    }

    /* The guard-mode override belongs to the tests, not to the caller's shell. */
    SetEnvironmentVariableA("FRAMEALLOC_GUARD_FRAMES", NULL);
    _putenv("FRAMEALLOC_GUARD_FRAMES=");

    char self[MAX_PATH];
    DWORD len = GetModuleFileNameA(NULL, self, sizeof self);
    if (len == 0 || len >= sizeof self) {
        fprintf(stderr, "runner: GetModuleFileName failed\n");
        return 2;
    }

    child *running = calloc(jobs, sizeof *running);
    HANDLE *waits = calloc(jobs, sizeof *waits);
    if (running == NULL || waits == NULL) return 2;
    size_t next = 0, active = 0, ran = 0, passed = 0, failed = 0, skipped = 0;
    for (;;) {
        /* Fill the free slots. */
        while (active < jobs && next < n) {
            struct fa_test_def *t = v[next++];
            char name[512];
            full_name(t, name, sizeof name);
            if (filter != NULL && !glob_match(filter, name)) continue;
            if (list) {
                printf("%s::%s%s\n", t->suite, t->name, t->disabled ? " (disabled)" : "");
                continue;
            }
            if (t->disabled) {
                printf("[SKIP] %s::%s: disabled\n", t->suite, t->name);
                skipped++;
                continue;
            }
            if (!start_child(&running[active], t, self)) {
                printf("[FAIL] %s::%s: could not start\n", t->suite, t->name);
                ran++;
                failed++;
                continue;
            }
            active++;
        }
        if (active == 0) break;
        for (size_t i = 0; i < active; i++) waits[i] = running[i].process;
        DWORD w = WaitForMultipleObjects((DWORD)active, waits, FALSE, 250);
        ULONGLONG now = GetTickCount64();
        for (size_t i = 0; i < active;) {
            child *c = &running[i];
            bool done = WaitForSingleObject(c->process, 0) == WAIT_OBJECT_0;
            bool timed_out = !done && now > c->deadline;
            if (!done && !timed_out) {
                i++;
                continue;
            }
            if (timed_out) {
                TerminateProcess(c->process, 1);
                WaitForSingleObject(c->process, INFINITE);
            }
            DWORD code = 0;
            GetExitCodeProcess(c->process, &code);
            char why[256] = "";
            int ok = verdict(c->t, code, timed_out, why, sizeof why);
            double secs = (double)(GetTickCount64() - c->started) / 1000.0;
            ran++;
            if (ok) {
                passed++;
                printf("[PASS] %s::%s (%.2fs)\n", c->t->suite, c->t->name, secs);
                if (verbose) show_output(c->out);
            } else {
                failed++;
                printf("[FAIL] %s::%s: %s\n", c->t->suite, c->t->name, why);
                printf("---- output of %s::%s\n", c->t->suite, c->t->name);
                show_output(c->out);
                printf("---- end of output\n");
            }
            fflush(stdout);
            CloseHandle(c->process);
            CloseHandle(c->out);
            running[i] = running[--active];
        }
        (void)w;
    }
    free(running);
    free(waits);
    free(v);
    if (list) return 0;
    printf("[====] Synthesis: Tested: %zu | Passing: %zu | Failing: %zu | Skipped: %zu\n", ran,
           passed, failed, skipped);
    if (ran == 0) {
        printf("[====] no test ran\n");
        return 1;
    }
    return failed == 0 ? 0 : 1;
}
