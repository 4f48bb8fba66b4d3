/* SPDX-License-Identifier: MIT */
/*
 * fa_test_runner.c - the runner of the FA_TEST_SHIM harness (see fa_test.h); linked only into
 * test executables built without Criterion (ThreadSanitizer builds).
 *
 * Every test runs in a forked child, so a crash, an abort or a sanitizer report ends that test
 * only, and global state (error handlers, environment) cannot leak between tests. The parent
 * never starts a thread, so forking is safe under TSan. The child reports through a pipe: 'P'
 * once init, test and fini returned; 'F' from a failed assertion. A test passes only with the
 * outcome it expects:
 *   default      exit status 0 after 'P' (a TSan report turns exit(0) into exit code 66);
 *   .exit_code   that exit status and no 'F';
 *   .signal      death by that signal and no 'F'.
 * A disabled test is listed as skipped, never as passed. Exit status: 0 when every test that
 * ran passed and at least one ran; 1 otherwise.
 *
 * Options: --list; --filter=GLOB on "suite/name" (also a bare GLOB argument); -jN, --jobs=N,
 * --verbose, --ascii are accepted and ignored (Criterion compatibility; tests run one by one).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fa_test.h"

#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct fa_test_def *tests;
static size_t n_tests;
static int result_fd = -1; /* child: write end of the result pipe */

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
    fflush(stderr);
    if (result_fd >= 0) {
        char f = 'F';
        ssize_t w = write(result_fd, &f, 1);
        (void)w;
    }
    /* _exit: other test threads may still be running; the verdict is already known. */
    _exit(1);
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

/* Runs one test in a child; returns 1 when it passed, 0 when it failed. */
static int run_one(const struct fa_test_def *t, char *why, size_t why_cap) {
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(why, why_cap, "pipe: %s", strerror(errno));
        return 0;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, why_cap, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return 0;
    }
    if (pid == 0) {
        close(fds[0]);
        result_fd = fds[1];
        if (t->timeout > 0) alarm((unsigned)(t->timeout + 0.999));
        if (t->init != NULL) t->init();
        t->fn();
        if (t->fini != NULL) t->fini();
        char p = 'P';
        ssize_t w = write(result_fd, &p, 1);
        (void)w;
        fflush(NULL);
        exit(0); /* exit, not _exit: sanitizers report and set the status here */
    }
    close(fds[1]);
    char marks[8];
    size_t n_marks = 0;
    bool passed_mark = false, failed_mark = false;
    for (;;) {
        ssize_t r = read(fds[0], marks, sizeof marks);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        for (ssize_t i = 0; i < r; i++) {
            if (marks[i] == 'P') passed_mark = true;
            if (marks[i] == 'F') failed_mark = true;
        }
        n_marks += (size_t)r;
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(why, why_cap, "waitpid: %s", strerror(errno));
            return 0;
        }
    }
    if (failed_mark) {
        snprintf(why, why_cap, "assertion failed");
        return 0;
    }
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (t->signal != 0 && sig == t->signal) return 1;
        snprintf(why, why_cap, "%s (signal %d)%s",
                 sig == SIGALRM ? "timed out" : "crashed", sig,
                 t->signal != 0 ? ", expected another signal" : "");
        return 0;
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (t->signal != 0) {
        snprintf(why, why_cap, "exited with status %d, expected signal %d", code, t->signal);
        return 0;
    }
    if (t->exit_code != 0) {
        if (code == t->exit_code) return 1;
        snprintf(why, why_cap, "exit status %d, expected %d", code, t->exit_code);
        return 0;
    }
    if (code != 0) {
        snprintf(why, why_cap, "exit status %d%s", code,
                 code == 66 ? " (ThreadSanitizer report)" : "");
        return 0;
    }
    if (!passed_mark) {
        snprintf(why, why_cap, "exited before the test finished");
        return 0;
    }
    (void)n_marks;
    return 1;
}

int main(int argc, char **argv) {
    const char *filter = NULL;
    bool list = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--list") == 0 || strcmp(a, "-l") == 0)
            list = true;
        else if (strncmp(a, "--filter=", 9) == 0)
            filter = a + 9;
        else if (strncmp(a, "-j", 2) == 0 || strncmp(a, "--jobs", 6) == 0 ||
                 strcmp(a, "--verbose") == 0 || strcmp(a, "--ascii") == 0)
            continue;
        else if (a[0] != '-')
            filter = a;
        else {
            fprintf(stderr, "unknown option %s\n", a);
            return 2;
        }
    }
    struct fa_test_def **v = calloc(n_tests ? n_tests : 1, sizeof *v);
    if (v == NULL) return 2;
    size_t n = 0;
    for (struct fa_test_def *t = tests; t != NULL; t = t->next) v[n++] = t;
    qsort(v, n, sizeof *v, by_name);

    size_t ran = 0, passed = 0, failed = 0, skipped = 0;
    for (size_t i = 0; i < n; i++) {
        struct fa_test_def *t = v[i];
        char full[512];
        snprintf(full, sizeof full, "%s/%s", t->suite, t->name);
        if (filter != NULL && fnmatch(filter, full, 0) != 0) continue;
        if (list) {
            printf("%s::%s%s\n", t->suite, t->name, t->disabled ? " (disabled)" : "");
            continue;
        }
        if (t->disabled) {
            printf("[SKIP] %s::%s: disabled\n", t->suite, t->name);
            skipped++;
            continue;
        }
        char why[256] = "";
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int ok = run_one(t, why, sizeof why);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        ran++;
        if (ok) {
            passed++;
            printf("[PASS] %s::%s (%.2fs)\n", t->suite, t->name, secs);
        } else {
            failed++;
            printf("[FAIL] %s::%s: %s\n", t->suite, t->name, why);
        }
        fflush(stdout);
    }
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
