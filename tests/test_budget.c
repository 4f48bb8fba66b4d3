/* SPDX-License-Identifier: MIT */
/*
 * test_budget.c - byte budgets (budget.c) through the public API: pool object bytes per tag,
 * the three policies (count only, warn once per crossing, fail), global and per-thread scopes,
 * frame bytes checked at block refills, budget counters in the statistics, frees from another
 * thread uncharging, two threads charging one tag, bad input.
 *
 * Worker threads never assert (Criterion's assertions are not thread-safe); they count what
 * happened and the test thread asserts on the counts.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdatomic.h>
#include <string.h>

static fa_alloc *fa;
static void setup(void) {
    tu_setup();
    fa = tu_create(NULL);
}
static void teardown(void) { fa_destroy(fa); }

#define BUDGET_TEST(name, ...) Test(budget, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static fa_budget_info info(fa_budget_scope s) {
    fa_budget_info b;
    cr_assert_eq(fa_get_budget(fa, s, &b), FA_OK);
    return b;
}

static fa_stats stats(void) {
    fa_stats st;
    fa_get_stats(fa, &st);
    return st;
}

/* Frees p on a thread of its own: a remote free for the page's owner. */
static void *free_job(void *arg) {
    fa_pool_free(fa, arg);
    return NULL;
}
static void free_elsewhere(void *p) {
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, free_job, p), 0);
    pthread_join(th, NULL);
}

BUDGET_TEST(fail_policy_counts_pool_object_bytes) {
    fa_tag t = fa_tag_register(fa, "ai");
    cr_assert_eq(fa_set_budget(fa, t, 8 << 10, FA_BUDGET_FAIL), FA_OK);
    fa_tag_push(fa, t);
    void *o[4];
    for (int i = 0; i < 4; i++) cr_assert_not_null(o[i] = fa_pool_alloc(fa, 2048), "%d", i);
    cr_assert_null(fa_pool_alloc(fa, 2048));
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 1);
    cr_assert_eq(tu_cap.last, FA_ERR_BUDGET);
    cr_assert_eq(tu_cap.size, 2048, "the report names the request");
    fa_budget_info b = info(t);
    cr_assert_eq(b.bytes, 8 << 10);
    cr_assert_eq(b.fail_limit, 8 << 10);
    cr_assert_eq(b.warn_limit, 0);
    cr_assert_eq(b.failures, 1);
    fa_pool_free(fa, o[3]);
    cr_assert_not_null(o[3] = fa_pool_alloc(fa, 2048), "the free gave the bytes back");
    fa_tag_pop(fa);
    for (int i = 0; i < 4; i++) fa_pool_free(fa, o[i]);
    cr_assert_eq(info(t).bytes, 0);
    cr_assert_eq(info(t).peak, 8 << 10);
    cr_assert_eq(stats().budget_failures, 1);
    cr_assert_eq(tu_total(), 1);
}

/* A free from another thread uncharges the tag at once. */
BUDGET_TEST(remote_free_uncharges_the_tag) {
    fa_tag t = fa_tag_register(fa, "ai");
    cr_assert_eq(fa_set_budget(fa, t, 8 << 10, FA_BUDGET_FAIL), FA_OK);
    fa_tag_push(fa, t);
    void *o[4];
    for (int i = 0; i < 4; i++) cr_assert_not_null(o[i] = fa_pool_alloc(fa, 2048));
    cr_assert_null(fa_pool_alloc(fa, 2048));
    free_elsewhere(o[0]);
    cr_assert_eq(info(t).bytes, 6 << 10);
    cr_assert_not_null(o[0] = fa_pool_alloc(fa, 2048), "a remote free gave the bytes back");
    fa_tag_pop(fa);
    for (int i = 0; i < 4; i++) free_elsewhere(o[i]);
    cr_assert_eq(info(t).bytes, 0);
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 1);
    cr_assert_eq(tu_total(), 1);
}

/* Two threads charging one tag: the budget is never exceeded and every byte is used. */
typedef struct charger {
    fa_tag tag;
    void *objs[64];
    int n;
    int refused;
} charger;

static void *charge_job(void *arg) {
    charger *c = arg;
    fa_tag_push(fa, c->tag);
    for (;;) {
        void *p = fa_pool_alloc(fa, 2048);
        if (p == NULL) break;
        if (c->n == 64) {
            fa_pool_free(fa, p);
            break;
        }
        c->objs[c->n++] = p;
    }
    c->refused = 1;
    fa_tag_pop(fa);
    return NULL;
}

BUDGET_TEST(two_threads_charge_one_tag) {
    fa_tag t = fa_tag_register(fa, "shared");
    cr_assert_eq(fa_set_budget(fa, t, 64 << 10, FA_BUDGET_FAIL), FA_OK);
    charger c[2] = {{.tag = t}, {.tag = t}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) cr_assert_eq(pthread_create(&th[i], NULL, charge_job, &c[i]), 0);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    cr_assert(c[0].refused && c[1].refused);
    cr_assert_eq(c[0].n + c[1].n, 32, "%d + %d objects of 2 KiB", c[0].n, c[1].n);
    cr_assert_eq(info(t).bytes, 64 << 10);
    cr_assert_eq(info(t).peak, 64 << 10, "never above the budget");
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 2);
    /* The threads are gone: their pages were abandoned, every free here is a remote one. */
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < c[i].n; k++) fa_pool_free(fa, c[i].objs[k]);
    cr_assert_eq(info(t).bytes, 0);
    fa_tag_push(fa, t);
    void *p = fa_pool_alloc(fa, 2048);
    cr_assert_not_null(p);
    fa_pool_free(fa, p);
    fa_tag_pop(fa);
    cr_assert_eq(tu_total(), 2);
}

BUDGET_TEST(warn_policy_reports_once_per_crossing) {
    fa_tag t = fa_tag_register(fa, "ui");
    cr_assert_eq(fa_set_budget(fa, t, 4096, FA_BUDGET_WARN), FA_OK);
    fa_tag_push(fa, t);
    void *a = fa_pool_alloc(fa, 2048), *b = fa_pool_alloc(fa, 2048);
    cr_assert_eq(tu_total(), 0, "exactly at the level is not above it");
    void *c = fa_pool_alloc(fa, 16);
    cr_assert_not_null(c, "a warning never fails the allocation");
    cr_assert_eq(tu_count(FA_WARN_BUDGET), 1);
    void *d = fa_pool_alloc(fa, 16);
    cr_assert_eq(tu_count(FA_WARN_BUDGET), 1, "still above: no second warning");
    fa_pool_free(fa, d);
    fa_pool_free(fa, c); /* back to 4096: re-armed */
    c = fa_pool_alloc(fa, 16);
    cr_assert_eq(tu_count(FA_WARN_BUDGET), 2, "a new crossing warns again");
    void *h = fa_heap_alloc(fa, 100, 16);
    cr_assert_eq(tu_count(FA_WARN_BUDGET), 2, "heap bytes share the crossing");
    fa_heap_free(fa, h);
    fa_pool_free(fa, c);
    free_elsewhere(b); /* a remote free re-arms too */
    void *e = fa_pool_alloc(fa, 2048);
    cr_assert_eq(tu_count(FA_WARN_BUDGET), 2, "4096 again");
    c = fa_pool_alloc(fa, 16);
    cr_assert_eq(tu_count(FA_WARN_BUDGET), 3);
    fa_budget_info bi = info(t);
    cr_assert_eq(bi.warnings, 3);
    cr_assert_eq(bi.failures, 0);
    fa_tag_stats ts;
    cr_assert_eq(fa_get_tag_stats(fa, t, &ts), FA_OK);
    cr_assert_eq(ts.soft_exceeded, 3);
    cr_assert_eq(ts.soft_limit, 4096);
    cr_assert_eq(ts.peak_bytes, 4096 + 16 + 100);
    cr_assert_eq(stats().budget_warnings, 3);
    fa_pool_free(fa, a);
    fa_pool_free(fa, c);
    fa_pool_free(fa, e);
    fa_tag_pop(fa);
    cr_assert_eq(tu_total(), 3);
}

BUDGET_TEST(none_policy_counts_only) {
    fa_tag t = fa_tag_register(fa, "net");
    cr_assert_eq(fa_set_budget(fa, t, 0, FA_BUDGET_NONE), FA_OK);
    fa_tag_push(fa, t);
    void *p = fa_pool_alloc(fa, 100);
    void *h = fa_heap_alloc(fa, 1000, 16);
    fa_budget_info b = info(t);
    cr_assert_eq(b.bytes, 112 + 1000);
    cr_assert_eq(b.warn_limit + b.fail_limit, 0);
    fa_pool_free(fa, p);
    fa_heap_free(fa, h);
    fa_tag_pop(fa);
    b = info(t);
    cr_assert_eq(b.bytes, 0);
    cr_assert_eq(b.peak, 1112);
    /* NONE also removes the levels a tag had. */
    cr_assert_eq(fa_tag_set_budget(fa, t, 10, 20), FA_OK);
    cr_assert_eq(fa_set_budget(fa, t, 0, FA_BUDGET_NONE), FA_OK);
    cr_assert_eq(info(t).fail_limit, 0);
    cr_assert_eq(info(t).warn_limit, 0);
    cr_assert_eq(tu_total(), 0);
}

/* Heap budgets count requested bytes exactly; a realloc is checked on its result (the old
 * block is freed right after), for the tag and the allocator. */
BUDGET_TEST(heap_realloc_is_checked_on_its_result) {
    fa_tag t = fa_tag_register(fa, "assets");
    cr_assert_eq(fa_set_budget(fa, t, 4096, FA_BUDGET_FAIL), FA_OK);
    cr_assert_eq(fa_set_budget(fa, FA_BUDGET_GLOBAL, 4096, FA_BUDGET_FAIL), FA_OK);
    fa_tag_push(fa, t);
    void *p = fa_heap_alloc(fa, 3000, 16);
    cr_assert_not_null(p);
    void *q = fa_heap_realloc(fa, p, 4096);
    cr_assert_not_null(q, "3000 -> 4096 fits even though both blocks are briefly live");
    cr_assert_eq(info(t).bytes, 4096);
    cr_assert_null(fa_heap_realloc(fa, q, 4097));
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 1);
    cr_assert_eq(info(t).bytes, 4096, "a refused realloc keeps the block");
    cr_assert_eq(info(t).peak, 4096);
    fa_heap_free(fa, q);
    fa_tag_pop(fa);
    cr_assert_eq(info(t).bytes + info(FA_BUDGET_GLOBAL).bytes, 0);
    cr_assert_eq(tu_total(), 1);
}

/* The global budget counts heap and pool bytes of every tag, untagged included. */
BUDGET_TEST(global_budget_counts_every_tag) {
    fa_tag t = fa_tag_register(fa, "audio");
    cr_assert_eq(fa_set_budget(fa, FA_BUDGET_GLOBAL, 16 << 10, FA_BUDGET_FAIL), FA_OK);
    void *o[4];
    for (int i = 0; i < 4; i++) cr_assert_not_null(o[i] = fa_pool_alloc(fa, 2048));
    fa_tag_push(fa, t);
    void *h = fa_heap_alloc(fa, 8 << 10, 16);
    cr_assert_not_null(h);
    cr_assert_null(fa_pool_alloc(fa, 16));
    fa_tag_pop(fa);
    cr_assert_null(fa_heap_alloc(fa, 1, 16));
    cr_assert_null(fa_pool_alloc(fa, 1));
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 3);
    fa_budget_info b = info(FA_BUDGET_GLOBAL);
    cr_assert_eq(b.bytes, 16 << 10);
    cr_assert_eq(b.failures, 3);
    cr_assert_eq(stats().budget_failures, 3);
    fa_heap_free(fa, h);
    free_elsewhere(o[0]);
    for (int i = 1; i < 4; i++) fa_pool_free(fa, o[i]);
    cr_assert_eq(info(FA_BUDGET_GLOBAL).bytes, 0);
    cr_assert_eq(tu_total(), 3);
}

/* Objects live before a scope's first budget are not charged, and their frees do not drive
 * the count below zero. */
BUDGET_TEST(objects_from_before_the_budget_are_not_charged) {
    fa_tag t = fa_tag_register(fa, "old");
    fa_tag_push(fa, t);
    void *old = fa_pool_alloc(fa, 2048);
    cr_assert_eq(fa_set_budget(fa, t, 4096, FA_BUDGET_FAIL), FA_OK);
    cr_assert_eq(info(t).bytes, 0);
    void *a = fa_pool_alloc(fa, 2048), *b = fa_pool_alloc(fa, 2048);
    cr_assert_not_null(b);
    cr_assert_null(fa_pool_alloc(fa, 16));
    fa_pool_free(fa, old);
    cr_assert_eq(info(t).bytes, 4096);
    fa_pool_free(fa, a);
    fa_pool_free(fa, b);
    cr_assert_eq(info(t).bytes, 0);
    fa_tag_pop(fa);
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 1);
}

/* A budget set by another thread while this one has the tag pushed takes effect for it at
 * its next outermost frame end at the latest. */
static fa_tag g_late_tag;
static void *set_late_budget(void *arg) {
    (void)arg;
    fa_set_budget(fa, g_late_tag, 4096, FA_BUDGET_FAIL);
    return NULL;
}

BUDGET_TEST(budget_set_elsewhere_applies_by_the_frame_end) {
    g_late_tag = fa_tag_register(fa, "late");
    fa_tag_push(fa, g_late_tag);
    void *warm = fa_pool_alloc(fa, 2048); /* a plain page with free slots */
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, set_late_budget, NULL), 0);
    pthread_join(th, NULL);
    fa_begin_frame(fa);
    fa_end_frame(fa);
    void *a = fa_pool_alloc(fa, 2048), *b = fa_pool_alloc(fa, 2048);
    cr_assert_not_null(b);
    cr_assert_null(fa_pool_alloc(fa, 2048), "counted since the frame ended");
    cr_assert_eq(info(g_late_tag).bytes, 4096);
    fa_pool_free(fa, warm);
    fa_pool_free(fa, a);
    fa_pool_free(fa, b);
    fa_tag_pop(fa);
    cr_assert_eq(info(g_late_tag).bytes, 0);
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 1);
    cr_assert_eq(tu_total(), 1);
}

/* A thread's budget: its frame bytes (checked when a frame allocation takes a new block) plus
 * the pool bytes in its pages; other threads are not limited by it. */
static void *other_thread_job(void *arg) {
    void *p = fa_pool_alloc(fa, 8192);
    *(int *)arg = p != NULL;
    fa_pool_free(fa, p);
    return NULL;
}

BUDGET_TEST(thread_budget_counts_frame_and_pool) {
    fa_begin_frame(fa);
    cr_assert_not_null(fa_frame_alloc(fa, 16, 16)); /* the thread's first block */
    fa_end_frame(fa);
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    size_t block = ts.frame_reserved, budget = block + (8 << 10);
    cr_assert_eq(fa_set_budget(fa, FA_BUDGET_THREAD, budget, FA_BUDGET_FAIL), FA_OK);
    void *a = fa_pool_alloc(fa, 2048), *b = fa_pool_alloc(fa, 2048);
    cr_assert_not_null(b);
    cr_assert_eq(info(FA_BUDGET_THREAD).bytes, 4096);
    fa_begin_frame(fa);
    cr_assert_not_null(fa_frame_alloc(fa, block / 2, 16));
    cr_assert_null(fa_frame_alloc(fa, block / 2 + (4 << 10) + 16, 16), "a new block, over it");
    cr_assert_not_null(fa_frame_alloc(fa, block / 2 + (4 << 10), 16), "exactly at it");
    cr_assert_eq(info(FA_BUDGET_THREAD).bytes, budget);
    cr_assert_null(fa_pool_alloc(fa, 16), "frame bytes count against pool allocations too");
    int ok = 0;
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, other_thread_job, &ok), 0);
    pthread_join(th, NULL);
    cr_assert(ok, "another thread has no budget");
    fa_end_frame(fa);
    void *c = fa_pool_alloc(fa, 16);
    cr_assert_not_null(c, "the frame's bytes are gone");
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 2);
    fa_budget_info bi = info(FA_BUDGET_THREAD);
    cr_assert_eq(bi.bytes, 4096 + 16);
    cr_assert_eq(bi.peak, budget);
    cr_assert_eq(bi.failures, 2);
    fa_pool_free(fa, a);
    fa_pool_free(fa, b);
    fa_pool_free(fa, c);
    cr_assert_eq(tu_total(), 2);
}

/* Another thread's frees of a thread's objects count for its budget once it collects them,
 * which it does before any budget decision. */
BUDGET_TEST(thread_budget_sees_remote_frees) {
    cr_assert_eq(fa_set_budget(fa, FA_BUDGET_THREAD, 8 << 10, FA_BUDGET_FAIL), FA_OK);
    void *o[4];
    for (int i = 0; i < 4; i++) cr_assert_not_null(o[i] = fa_pool_alloc(fa, 2048));
    cr_assert_null(fa_pool_alloc(fa, 2048));
    free_elsewhere(o[2]);
    cr_assert_not_null(o[2] = fa_pool_alloc(fa, 2048), "the remote free was collected");
    free_elsewhere(o[0]);
    cr_assert_eq(info(FA_BUDGET_THREAD).bytes, 6 << 10);
    for (int i = 1; i < 4; i++) fa_pool_free(fa, o[i]);
    cr_assert_eq(info(FA_BUDGET_THREAD).bytes, 0);
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 1);
}

/* A warning level on a thread reports at a frame refill that crosses it. */
BUDGET_TEST(thread_warning_at_frame_refill) {
    fa_begin_frame(fa);
    cr_assert_not_null(fa_frame_alloc(fa, 16, 16));
    fa_end_frame(fa);
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    size_t level = ts.frame_reserved;
    cr_assert_eq(fa_set_budget(fa, FA_BUDGET_THREAD, level, FA_BUDGET_WARN), FA_OK);
    for (int f = 0; f < 2; f++) {
        fa_get_my_thread_stats(fa, &ts); /* frames settle their first block: outgrow it */
        fa_begin_frame(fa);
        cr_assert_not_null(fa_frame_alloc(fa, ts.frame_reserved + 16, 16),
                           "a warning never fails");
        fa_end_frame(fa);
    }
    cr_assert_eq(tu_count(FA_WARN_BUDGET), 2, "one per frame: the frame's end re-arms it");
    cr_assert_eq(tu_total(), 2);
}

BUDGET_TEST(bad_input) {
    fa_tag t = fa_tag_register(fa, "t");
    fa_budget_info b;
    cr_assert_eq(fa_set_budget(fa, 40, 100, FA_BUDGET_FAIL), FA_ERR_INVALID_ARGUMENT, "unknown");
    cr_assert_eq(fa_set_budget(fa, 0, 100, FA_BUDGET_FAIL), FA_ERR_INVALID_ARGUMENT, "untagged");
    cr_assert_eq(fa_set_budget(fa, FA_BUDGET_THREAD + 1, 100, FA_BUDGET_WARN),
                 FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_set_budget(fa, t, 100, (fa_budget_policy)7), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_set_budget(fa, t, FA_BUDGET_MAX + 1, FA_BUDGET_FAIL), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_set_budget(fa, FA_BUDGET_GLOBAL, SIZE_MAX, FA_BUDGET_WARN),
                 FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_set_budget(fa, t, 100, FA_BUDGET_NONE), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_tag_set_budget(fa, 0, 10, 20), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_tag_set_budget(fa, t, 0, FA_BUDGET_MAX + 1), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_get_budget(fa, 40, &b), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_get_budget(fa, t, NULL), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 11);
    cr_assert_eq(fa_set_budget(NULL, t, 100, FA_BUDGET_FAIL), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_get_budget(NULL, t, &b), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 12, "a NULL allocator reports once");
    /* Nothing was set by the refused calls. */
    b = info(t);
    cr_assert_eq(b.warn_limit + b.fail_limit, 0);
    cr_assert_eq(info(FA_BUDGET_GLOBAL).warn_limit, 0);
    cr_assert_eq(fa_set_budget(fa, t, FA_BUDGET_MAX, FA_BUDGET_FAIL), FA_OK, "the largest");
    cr_assert_eq(tu_total(), 12);
}
