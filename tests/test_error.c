/* SPDX-License-Identifier: MIT */
/*
 * test_error.c - error reporting (error.c): status names, the per-thread last status, what a
 * handler receives, handlers that call back into the library, the default handler (silent in
 * release builds, never aborting on resource conditions), the global handler.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static fa_alloc *fa;
static void setup(void) {
    tu_setup();
    fa = tu_create(NULL);
}
static void teardown(void) { fa_destroy(fa); }

#define ERR_TEST(name, ...) Test(error, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

Test(error, status_names) {
    /* The public spellings: tools outside the repository match on them. */
    static const char *const expect[FA_STATUS_COUNT] = {
        "FA_OK", "FA_ERR_INVALID_ARGUMENT", "FA_ERR_ZERO_SIZE", "FA_ERR_TOO_LARGE",
        "FA_ERR_OVERFLOW", "FA_ERR_BAD_ALIGN", "FA_ERR_OUT_OF_MEMORY", "FA_ERR_FRAME_LIMIT",
        "FA_ERR_HEAP_LIMIT", "FA_ERR_BUDGET", "FA_WARN_BUDGET", "FA_ERR_NO_FRAME",
        "FA_ERR_END_WITHOUT_BEGIN", "FA_ERR_NESTING_TOO_DEEP", "FA_ERR_FOREIGN_POINTER",
        "FA_ERR_DOUBLE_FREE", "FA_ERR_FRAME_POINTER", "FA_ERR_USE_AFTER_FRAME",
        "FA_ERR_WRONG_THREAD", "FA_ERR_TRANSFER_MISUSE", "FA_ERR_THREAD_EXIT_IN_FRAME",
        "FA_ERR_DESTROY_IN_FRAME", "FA_ERR_LEAK", "FA_ERR_CORRUPTION",
    };
    for (int s = 0; s < FA_STATUS_COUNT; s++) {
        const char *n = fa_status_name((fa_status)s);
        cr_assert_not_null(n, "status %d", s);
        cr_assert_not_null(expect[s], "status %d has no expected name: update the test", s);
        cr_assert_str_eq(n, expect[s]);
    }
    const char *unknown = fa_status_name(FA_STATUS_COUNT);
    cr_assert_not_null(unknown);
    for (int s = 0; s < FA_STATUS_COUNT; s++) cr_assert_neq(strcmp(unknown, expect[s]), 0);
    cr_assert_not_null(fa_status_name((fa_status)-1));
}

ERR_TEST(last_error_and_clear) {
    cr_assert_eq(fa_last_error(), FA_OK);
    fa_pool_alloc(fa, 0);
    cr_assert_eq(fa_last_error(), FA_ERR_ZERO_SIZE);
    void *p = fa_pool_alloc(fa, 8); /* success does not clear it */
    cr_assert_eq(fa_last_error(), FA_ERR_ZERO_SIZE);
    fa_pool_free(fa, p);
    fa_heap_alloc(fa, 8, 5);
    cr_assert_eq(fa_last_error(), FA_ERR_BAD_ALIGN);
    fa_clear_error();
    cr_assert_eq(fa_last_error(), FA_OK);
}

static void *error_on_thread(void *arg) {
    fa_end_frame(fa);
    *(fa_status *)arg = fa_last_error();
    return NULL;
}

ERR_TEST(last_error_is_per_thread) {
    fa_pool_alloc(fa, 0);
    fa_status other = FA_OK;
    tu_run_threads(1, error_on_thread, &other, 0);
    cr_assert_eq(other, FA_ERR_END_WITHOUT_BEGIN);
    cr_assert_eq(fa_last_error(), FA_ERR_ZERO_SIZE, "another thread's error is not mine");
}

ERR_TEST(handler_receives_the_details) {
    fa_begin_frame(fa);
    cr_assert_null(fa_frame_alloc_at(fa, 64, 3, "physics.c:42"));
    cr_assert_eq(tu_cap.count, 1);
    cr_assert_eq(tu_cap.last, FA_ERR_BAD_ALIGN);
    cr_assert_eq(tu_cap.alloc, fa);
    cr_assert_eq(tu_cap.size, 64);
    cr_assert_eq(tu_cap.align, 3);
    cr_assert_str_eq(tu_cap.site, "physics.c:42");
    cr_assert_eq(tu_cap.thread, fa_thread_id());
    cr_assert_eq(tu_cap.current_frame, 1);
    cr_assert_gt(strlen(tu_cap.message), 0);
    cr_assert_not_null(strstr(tu_cap.report, "FA_ERR_BAD_ALIGN"), "%s", tu_cap.report);
    cr_assert_not_null(strstr(tu_cap.report, tu_cap.message), "the report holds the message");
    cr_assert_not_null(strstr(tu_cap.report, "physics.c:42"));
    fa_end_frame(fa);
    int local;
    fa_pool_free(fa, &local);
    cr_assert_eq(tu_cap.ptr, &local);
    cr_assert(tu_cap.message_set && tu_cap.report_set, "message and report are always set");
}

/* Debug builds capture call sites through the public macros. */
ERR_TEST(sites_in_debug_builds) {
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 0, 8);
#if FA_DEBUG
    cr_assert(tu_cap.had_site);
    cr_assert_not_null(strstr(tu_cap.site, "test_error.c:"), "%s", tu_cap.site);
#else
    cr_assert_not(tu_cap.had_site, "release fast path passes no site");
#endif
    fa_end_frame(fa);
    fa_pool_alloc(fa, 0);
    cr_assert_eq(tu_cap.had_site, FA_DEBUG >= 1);
}

/* A handler may call back into the library (no runtime lock is held during a report), and an
 * error raised inside the handler is recorded but does not re-enter it. */
static void reentrant_hook(const fa_error *err, void *arg) {
    fa_alloc *a = err->alloc != NULL ? err->alloc : arg;
    fa_stats st;
    fa_get_stats(a, &st);
    fa_thread_stats ts[4];
    fa_get_thread_stats(a, ts, 4);
    void *p = fa_pool_alloc(a, 32);
    void *h = fa_heap_alloc(a, 100, 16);
    fa_pool_free(a, p);
    fa_heap_free(a, h);
    fa_tag_register(a, "from-handler");
    fa_pool_trim(a);
    fa_pool_alloc(a, 0); /* nested error: recorded only */
}

Test(error, handler_may_call_back_into_the_library, .init = tu_setup, .timeout = 30) {
    fa_config cfg = tu_config();
    cfg.heap_limit = 1 << 20;
    fa = tu_create(&cfg);
    tu_cap.hook = reentrant_hook;
    tu_cap.hook_arg = fa;
    unsigned n = 0;
    fa_pool_free(fa, &n); /* pool bad free */
    cr_assert_eq(tu_total(), ++n);
    cr_assert_eq(fa_last_error(), FA_ERR_ZERO_SIZE, "the nested error was recorded");
    fa_heap_alloc(fa, 2 << 20, 16); /* heap limit */
    cr_assert_eq(tu_total(), ++n);
    fa_tag t = fa_tag_register(fa, "x");
    fa_tag_set_budget(fa, t, 0, 10);
    fa_tag_push(fa, t);
    fa_heap_alloc(fa, 100, 16); /* budget */
    cr_assert_eq(tu_total(), ++n);
    fa_tag_pop(fa);
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 0, 8); /* frame error inside a frame */
    cr_assert_eq(tu_total(), ++n);
    fa_end_frame(fa);
    fa_end_frame(fa); /* end without begin */
    cr_assert_eq(tu_total(), ++n);
    int v = 0;
    fa_transfer *x = fa_transfer_create(fa, &v, sizeof v);
    fa_transfer_receive(x);
    fa_transfer_receive(x); /* transfer misuse */
    cr_assert_eq(tu_total(), ++n);
    fa_transfer_free(x);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_geq(st.errors, 2 * n, "nested errors are counted too");
    cr_assert_eq(st.pool_count, 0);
    cr_assert_eq(st.heap_count, 0);
    tu_cap.hook = NULL;
    fa_destroy(fa);
}

/* In release builds the default handler records only: no output, no abort. In every build
 * it does not abort on resource conditions (limits, budgets, out of memory). */
static int stderr_capture_begin(FILE **tmp) {
    fflush(stderr);
    *tmp = tmpfile();
    int saved = dup(STDERR_FILENO);
    dup2(fileno(*tmp), STDERR_FILENO);
    return saved;
}
static long stderr_capture_end(FILE *tmp, int saved) {
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    fseek(tmp, 0, SEEK_END);
    long n = ftell(tmp);
    fclose(tmp);
    return n;
}

Test(error, default_handler_on_resource_conditions) {
    fa_set_global_error_handler(NULL, NULL);
    fa_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.heap_limit = 4096;
    cfg.guard_frames = -1;
    fa_alloc *a = fa_create(&cfg);
    FILE *tmp;
    int saved = stderr_capture_begin(&tmp);
    cr_assert_null(fa_heap_alloc(a, 10000, 16));
    long written = stderr_capture_end(tmp, saved);
    cr_assert_eq(fa_last_error(), FA_ERR_HEAP_LIMIT);
#if FA_DEBUG
    cr_assert_gt(written, 0, "debug builds print the report");
#else
    cr_assert_eq(written, 0, "the library never prints in release builds");
#endif
    fa_destroy(a);
}

#if !FA_DEBUG
Test(error, default_handler_is_silent_on_misuse_in_release) {
    fa_set_global_error_handler(NULL, NULL);
    fa_alloc *a = fa_create(NULL);
    FILE *tmp;
    int saved = stderr_capture_begin(&tmp);
    int x;
    fa_pool_free(a, &x);
    fa_end_frame(a);
    fa_frame_alloc(a, 8, 8);
    fa_pool_alloc(NULL, 8);
    void *leak = fa_pool_alloc(a, 8);
    (void)leak;
    fa_destroy(a); /* leak report */
    long written = stderr_capture_end(tmp, saved);
    cr_assert_eq(written, 0);
    cr_assert_eq(fa_last_error(), FA_ERR_LEAK);
}
#endif

Test(error, global_handler_gets_errors_without_allocator, .init = tu_setup) {
    tu_capture g;
    tu_capture_reset(&g);
    fa_set_global_error_handler(tu_capture_handler, &g);
    cr_assert_null(fa_barrier_create(0));
    cr_assert_eq(g.count, 1);
    cr_assert_eq(g.last, FA_ERR_INVALID_ARGUMENT);
    cr_assert_null(g.alloc);
    fa_set_global_error_handler(tu_capture_handler, &tu_cap);
    cr_assert_null(fa_barrier_create(0));
    cr_assert_eq(g.count, 1);
    cr_assert_eq(tu_total(), 1);
}
