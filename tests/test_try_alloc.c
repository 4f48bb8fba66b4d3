/*
 * test_try_alloc.c - quiet try-allocation (fa_try_frame_alloc / pool / heap): success, every
 * failure reason in *why, no handler call, no fa_stats.errors count, fa_last_error untouched,
 * misuse still reported, and several threads failing quietly at once.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdint.h>
#include <string.h>

static fa_alloc *fa;

static void setup(void) {
    tu_setup();
    fa = tu_create(NULL);
}
static void teardown(void) { fa_destroy(fa); }

#define TRY_TEST(name, ...) Test(try_alloc, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static uint64_t errors_now(fa_alloc *a) {
    fa_stats st;
    fa_get_stats(a, &st);
    return st.errors;
}

TRY_TEST(success_sets_ok) {
    fa_status why = FA_ERR_CORRUPTION;
    fa_begin_frame(fa);
    void *f = fa_try_frame_alloc(fa, 100, 64, &why);
    cr_assert_not_null(f);
    cr_assert_eq(why, FA_OK);
    cr_assert_eq((uintptr_t)f & 63, 0);
    tu_fill(f, 100, 3);
    why = FA_ERR_CORRUPTION;
    void *p = fa_try_pool_alloc(fa, 48, &why);
    cr_assert_not_null(p);
    cr_assert_eq(why, FA_OK);
    why = FA_ERR_CORRUPTION;
    void *h = fa_try_heap_alloc(fa, 100000, 256, &why);
    cr_assert_not_null(h);
    cr_assert_eq(why, FA_OK);
    cr_assert_eq((uintptr_t)h & 255, 0);
    cr_assert_eq(tu_check(f, 100, 3), SIZE_MAX);
    fa_pool_free(fa, p);
    fa_heap_free(fa, h);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

TRY_TEST(why_may_be_null) {
    cr_assert_null(fa_try_frame_alloc(fa, 16, 16, NULL));
    cr_assert_null(fa_try_pool_alloc(fa, 0, NULL));
    cr_assert_null(fa_try_heap_alloc(fa, 0, 16, NULL));
    cr_assert_eq(tu_total(), 0);
}

/* Each failure: NULL, the reason, no report, no error count, last error untouched. */
TRY_TEST(failures_are_quiet) {
    fa_status why;
    fa_clear_error();
    cr_assert_null(fa_try_frame_alloc(fa, 64, 16, &why));
    cr_assert_eq(why, FA_ERR_NO_FRAME);
    fa_begin_frame(fa);
    cr_assert_null(fa_try_frame_alloc(fa, 0, 16, &why));
    cr_assert_eq(why, FA_ERR_ZERO_SIZE);
    cr_assert_null(fa_try_frame_alloc(fa, 64, 3, &why));
    cr_assert_eq(why, FA_ERR_BAD_ALIGN);
    cr_assert_null(fa_try_frame_alloc(fa, FA_MAX_ALLOC_SIZE + 1, 16, &why));
    cr_assert_eq(why, FA_ERR_TOO_LARGE);
    cr_assert_null(fa_try_pool_alloc(fa, FA_POOL_MAX_SIZE + 1, &why));
    cr_assert_eq(why, FA_ERR_TOO_LARGE);
    cr_assert_null(fa_try_heap_alloc(fa, 64, 0, &why));
    cr_assert_eq(why, FA_ERR_BAD_ALIGN);
    cr_assert_null(fa_try_frame_alloc(NULL, 64, 16, &why));
    cr_assert_eq(why, FA_ERR_INVALID_ARGUMENT);
    cr_assert_null(fa_try_pool_alloc(NULL, 64, &why));
    cr_assert_eq(why, FA_ERR_INVALID_ARGUMENT);
    cr_assert_null(fa_try_heap_alloc(NULL, 64, 16, &why));
    cr_assert_eq(why, FA_ERR_INVALID_ARGUMENT);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0, "the handler was called %u times", tu_total());
    cr_assert_eq(errors_now(fa), 0);
    cr_assert_eq(fa_last_error(), FA_OK);
    /* The loud forms still report. */
    cr_assert_null(fa_pool_alloc(fa, 0));
    cr_assert_eq(tu_count(FA_ERR_ZERO_SIZE), 1);
    cr_assert_eq(errors_now(fa), 1);
}

TRY_TEST(frame_limit_is_quiet) {
    fa_config cfg = tu_config();
    cfg.frame_limit = 4096;
    fa_alloc *lim = tu_create(&cfg);
    fa_begin_frame(lim);
    fa_status why;
    void *a = fa_try_frame_alloc(lim, 4000, 16, &why);
    cr_assert_not_null(a);
    cr_assert_null(fa_try_frame_alloc(lim, 1000, 16, &why));
    cr_assert_eq(why, FA_ERR_FRAME_LIMIT);
    /* The frame still serves what fits. */
    cr_assert_not_null(fa_try_frame_alloc(lim, 64, 16, &why));
    fa_end_frame(lim);
    cr_assert_eq(tu_total(), 0);
    cr_assert_eq(errors_now(lim), 0);
    fa_destroy(lim);
}

TRY_TEST(heap_limit_and_budget_are_quiet) {
    fa_config cfg = tu_config();
    cfg.heap_limit = 1 << 20;
    fa_alloc *lim = tu_create(&cfg);
    fa_status why;
    cr_assert_null(fa_try_heap_alloc(lim, 2 << 20, 16, &why));
    cr_assert_eq(why, FA_ERR_HEAP_LIMIT);
    fa_tag tg = fa_tag_register(lim, "physics");
    cr_assert_eq(fa_tag_set_budget(lim, tg, 0, 4096), FA_OK);
    fa_tag_push(lim, tg);
    cr_assert_null(fa_try_heap_alloc(lim, 8192, 16, &why));
    cr_assert_eq(why, FA_ERR_BUDGET);
    cr_assert_null(fa_try_pool_alloc(lim, 5000, &why), "5 KiB of pool is above a 4 KiB budget");
    cr_assert_eq(why, FA_ERR_BUDGET);
    fa_tag_pop(lim);
    cr_assert_eq(tu_total(), 0);
    cr_assert_eq(errors_now(lim), 0);
    fa_tag_stats ts;
    cr_assert_eq(fa_get_tag_stats(lim, tg, &ts), FA_OK);
    cr_assert_eq(ts.heap_bytes, 0, "nothing was charged for the refused requests");
    fa_destroy(lim);
}

/* Misuse is not a request failure: a quiet call does not hide a foreign free reported from a
 * handler-triggered path, and soft-budget warnings on success still arrive. */
TRY_TEST(soft_budget_warning_still_reported) {
    fa_tag tg = fa_tag_register(fa, "audio");
    cr_assert_eq(fa_tag_set_budget(fa, tg, 1000, 0), FA_OK);
    fa_tag_push(fa, tg);
    fa_status why;
    void *h = fa_try_heap_alloc(fa, 5000, 16, &why);
    cr_assert_not_null(h);
    cr_assert_eq(why, FA_OK);
    cr_assert_eq(tu_count(FA_WARN_BUDGET), 1);
    fa_heap_free(fa, h);
    fa_tag_pop(fa);
}

/* A handler that itself calls a try function (nesting) and a quiet call made from inside a
 * handler both leave the outer report intact. */
static void try_in_handler(const fa_error *err, void *arg) {
    (void)err;
    fa_status *why = arg;
    void *p = fa_try_pool_alloc(fa, 0, why);
    (void)p;
}

TRY_TEST(nested_in_handler) {
    fa_status inner = FA_OK;
    tu_cap.hook = try_in_handler;
    tu_cap.hook_arg = &inner;
    cr_assert_null(fa_heap_alloc(fa, 0, 16));
    cr_assert_eq(tu_count(FA_ERR_ZERO_SIZE), 1);
    cr_assert_eq(inner, FA_ERR_ZERO_SIZE);
    cr_assert_eq(fa_last_error(), FA_ERR_ZERO_SIZE, "the loud failure was recorded");
    cr_assert_eq(errors_now(fa), 1);
}

typedef struct {
    int ok;
} job;

static void *worker(void *arg) {
    job *j = arg;
    j->ok = 1;
    for (int i = 0; i < 2000; i++) {
        fa_status why;
        if (fa_try_frame_alloc(fa, 64, 16, &why) != NULL || why != FA_ERR_NO_FRAME) j->ok = 0;
        fa_begin_frame(fa);
        void *p = fa_try_frame_alloc(fa, 64, 16, &why);
        if (p == NULL || why != FA_OK) j->ok = 0;
        if (fa_try_pool_alloc(fa, 0, &why) != NULL || why != FA_ERR_ZERO_SIZE) j->ok = 0;
        void *q = fa_try_pool_alloc(fa, 32, &why);
        if (q == NULL || why != FA_OK) j->ok = 0;
        fa_pool_free(fa, q);
        fa_end_frame(fa);
    }
    return NULL;
}

TRY_TEST(threads_fail_quietly) {
    job jobs[4];
    memset(jobs, 0, sizeof jobs);
    tu_run_threads(4, worker, jobs, sizeof jobs[0]);
    for (int i = 0; i < 4; i++) cr_assert(jobs[i].ok, "thread %d saw a wrong result", i);
    cr_assert_eq(tu_total(), 0);
    cr_assert_eq(errors_now(fa), 0);
}
