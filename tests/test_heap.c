/* SPDX-License-Identifier: MIT */
/*
 * test_heap.c - the tracked heap (heap.c): alignment, realloc, limits, bad and double frees,
 * sizes, statistics, frees from other threads, promotion.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

static fa_alloc *fa;
static void setup(void) {
    tu_setup();
    fa = tu_create(NULL);
}
static void teardown(void) { fa_destroy(fa); }

#define HEAP_TEST(name, ...) Test(heap, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static fa_stats stats(void) {
    fa_stats st;
    fa_get_stats(fa, &st);
    return st;
}

HEAP_TEST(every_alignment_and_size) {
    static const size_t sizes[] = {1, 15, 16, 100, 4096, 100000, 3 << 20};
    for (size_t align = 1; align <= FA_MAX_ALIGN; align <<= 1) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            unsigned char *p = fa_heap_alloc(fa, sizes[i], align);
            cr_assert_not_null(p, "size %zu align %zu", sizes[i], align);
            cr_assert_eq((uintptr_t)p & (align - 1), 0, "size %zu align %zu", sizes[i], align);
            cr_assert_eq((uintptr_t)p & 15, 0, "at least 16-byte aligned");
            cr_assert_eq(fa_heap_size(fa, p), sizes[i]);
            /* all of it is writable; pattern-check both ends */
            memset(p, 0x5A, sizes[i]);
            size_t edge = sizes[i] < 4096 ? sizes[i] : 4096;
            tu_fill(p, edge, (uint32_t)i);
            tu_fill(p + sizes[i] - edge, edge, (uint32_t)i + 1);
            if (sizes[i] >= 2 * edge) cr_assert_eq(tu_check(p, edge, (uint32_t)i), SIZE_MAX);
            cr_assert_eq(tu_check(p + sizes[i] - edge, edge, (uint32_t)i + 1), SIZE_MAX);
            fa_heap_free(fa, p);
            cr_assert_eq(fa_heap_size(fa, p), 0, "no longer a live block");
        }
    }
    cr_assert_eq(stats().heap_count, 0);
    cr_assert_eq(tu_total(), 0);
}

HEAP_TEST(bad_inputs) {
    static const struct {
        size_t size, align;
        fa_status st;
    } bad[] = {
        {0, 16, FA_ERR_ZERO_SIZE},
        {FA_MAX_ALLOC_SIZE + 1, 16, FA_ERR_TOO_LARGE},
        {SIZE_MAX, 16, FA_ERR_TOO_LARGE},
        {64, 0, FA_ERR_BAD_ALIGN},
        {64, 3, FA_ERR_BAD_ALIGN},
        {64, 96, FA_ERR_BAD_ALIGN},
        {64, FA_MAX_ALIGN * 2, FA_ERR_BAD_ALIGN},
        {64, (size_t)1 << 63, FA_ERR_BAD_ALIGN},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned before = tu_total();
        cr_assert_null(fa_heap_alloc(fa, bad[i].size, bad[i].align), "case %zu", i);
        cr_assert_eq(tu_total(), before + 1, "case %zu", i);
        cr_assert_eq(tu_cap.last, bad[i].st, "case %zu: %s", i, fa_status_name(tu_cap.last));
        cr_assert_eq(tu_cap.size, bad[i].size);
    }
    fa_stats st = stats();
    cr_assert_eq(st.heap_count, 0);
    cr_assert_eq(st.heap_bytes, 0);
}

HEAP_TEST(realloc_keeps_contents_and_alignment) {
    unsigned char *p = fa_heap_alloc(fa, 1000, 4096);
    tu_fill(p, 1000, 1);
    unsigned char *q = fa_heap_realloc(fa, p, 50000);
    cr_assert_not_null(q);
    cr_assert_eq((uintptr_t)q % 4096, 0, "the block keeps its alignment");
    cr_assert_eq(tu_check(q, 1000, 1), SIZE_MAX);
    cr_assert_eq(fa_heap_size(fa, q), 50000);
    memset(q + 1000, 7, 49000);
    unsigned char *r = fa_heap_realloc(fa, q, 10);
    cr_assert(r != NULL && (uintptr_t)r % 4096 == 0);
    cr_assert_eq(tu_check(r, 10, 1), SIZE_MAX);
    cr_assert_eq(fa_heap_size(fa, r), 10);
    fa_stats st = stats();
    cr_assert_eq(st.heap_count, 1);
    cr_assert_eq(st.heap_bytes, 10);
    fa_heap_free(fa, r);
    cr_assert_eq(tu_total(), 0);
}

HEAP_TEST(realloc_null_and_zero) {
    unsigned char *p = fa_heap_realloc(fa, NULL, 100);
    cr_assert(p != NULL && (uintptr_t)p % 16 == 0);
    cr_assert_eq(fa_heap_size(fa, p), 100);
    tu_fill(p, 100, 2);
    cr_assert_null(fa_heap_realloc(fa, p, 0));
    cr_assert_eq(tu_count(FA_ERR_ZERO_SIZE), 1);
    cr_assert_eq(fa_heap_size(fa, p), 100, "the block is unchanged");
    cr_assert_eq(tu_check(p, 100, 2), SIZE_MAX);
    int x;
    cr_assert_null(fa_heap_realloc(fa, &x, 100));
    cr_assert_eq(tu_count(FA_ERR_FOREIGN_POINTER), 1);
    cr_assert_null(fa_heap_realloc(fa, p, FA_MAX_ALLOC_SIZE + 1));
    cr_assert_eq(tu_count(FA_ERR_TOO_LARGE), 1);
    cr_assert_eq(fa_heap_size(fa, p), 100);
    fa_heap_free(fa, p);
    cr_assert_eq(tu_total(), 3);
}

Test(heap, heap_limit, .init = tu_setup) {
    fa_config cfg = tu_config();
    cfg.heap_limit = 1 << 20;
    fa = tu_create(&cfg);
    void *a = fa_heap_alloc(fa, 600 << 10, 16);
    cr_assert_not_null(a);
    cr_assert_null(fa_heap_alloc(fa, 500 << 10, 16));
    cr_assert_eq(tu_count(FA_ERR_HEAP_LIMIT), 1);
    cr_assert_eq(tu_cap.size, (size_t)500 << 10);
    void *b = fa_heap_alloc(fa, 424 << 10, 16); /* exactly at the limit */
    cr_assert_not_null(b);
    cr_assert_null(fa_heap_alloc(fa, 1, 16));
    cr_assert_eq(tu_count(FA_ERR_HEAP_LIMIT), 2);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.heap_bytes, (size_t)1 << 20, "failed requests are not counted");
    fa_heap_free(fa, a);
    void *c = fa_heap_alloc(fa, 600 << 10, 16);
    cr_assert_not_null(c, "room again after a free");
    fa_heap_free(fa, b);
    fa_heap_free(fa, c);
    cr_assert_eq(tu_total(), 2);
    fa_destroy(fa);
}

/* fa_heap_realloc to a size that fits under heap_limit must not fail because the old and
 * the new block are briefly both live (shrinking at the limit must always work). */
Test(heap, realloc_at_the_limit, .init = tu_setup) {
    fa_config cfg = tu_config();
    cfg.heap_limit = 1 << 20;
    fa = tu_create(&cfg);
    unsigned char *p = fa_heap_alloc(fa, 800 << 10, 16);
    tu_fill(p, 1000, 3);
    unsigned char *q = fa_heap_realloc(fa, p, 400 << 10);
    cr_assert_not_null(q, "shrinking from 800 KiB to 400 KiB under a 1 MiB limit");
    cr_assert_eq(tu_check(q, 1000, 3), SIZE_MAX);
    unsigned char *r = fa_heap_realloc(fa, q, 900 << 10);
    cr_assert_not_null(r, "growing to 900 KiB under a 1 MiB limit");
    cr_assert_eq(tu_check(r, 1000, 3), SIZE_MAX);
    cr_assert_null(fa_heap_realloc(fa, r, (1 << 20) + 1));
    cr_assert_eq(tu_count(FA_ERR_HEAP_LIMIT), 1);
    cr_assert_eq(fa_heap_size(fa, r), (size_t)900 << 10, "a failed realloc leaves the block");
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.heap_bytes, (size_t)900 << 10);
    fa_heap_free(fa, r);
    cr_assert_eq(tu_total(), 1);
    fa_destroy(fa);
}

HEAP_TEST(bad_frees) {
    unsigned char *keep = fa_heap_alloc(fa, 256, 16);
    tu_fill(keep, 256, 4);
    int x;
    void *m = malloc(32);
    void *pool = fa_pool_alloc(fa, 32);
    fa_alloc *other = tu_create(NULL);
    void *theirs = fa_heap_alloc(other, 32, 16);
    fa_begin_frame(fa);
    void *frame = fa_frame_alloc(fa, 32, 16);
    fa_heap_free(fa, &x);
    cr_assert_eq(tu_cap.last, FA_ERR_FOREIGN_POINTER);
    cr_assert_eq(tu_cap.ptr, &x);
    fa_heap_free(fa, m);
    cr_assert_eq(tu_cap.last, FA_ERR_FOREIGN_POINTER);
    fa_heap_free(fa, keep + 16);
    cr_assert_eq(tu_cap.last, FA_ERR_FOREIGN_POINTER);
    fa_heap_free(fa, pool);
    cr_assert_eq(tu_cap.last, FA_ERR_FOREIGN_POINTER);
    fa_heap_free(fa, theirs);
    cr_assert_eq(tu_cap.last, FA_ERR_FOREIGN_POINTER);
    fa_heap_free(fa, frame);
    cr_assert_eq(tu_cap.last, FA_ERR_FRAME_POINTER);
    fa_end_frame(fa);
    fa_heap_free(fa, NULL);
    cr_assert_eq(tu_total(), 6);
    /* nothing was freed */
    cr_assert_eq(fa_heap_size(fa, keep), 256);
    cr_assert_eq(fa_heap_size(other, theirs), 32);
    cr_assert_eq(tu_check(keep, 256, 4), SIZE_MAX);
    cr_assert_eq(stats().heap_count, 1);
    fa_heap_free(fa, keep);
    fa_heap_free(other, theirs);
    fa_pool_free(fa, pool);
    free(m);
    fa_destroy(other);
    cr_assert_eq(tu_total(), 6);
}

/* A double free is reported and changes nothing. Release builds cannot tell it from a
 * foreign pointer; debug builds name it (FA_ERR_DOUBLE_FREE). */
HEAP_TEST(double_free_is_reported) {
    void *p = fa_heap_alloc(fa, 100, 16);
    void *q = fa_heap_alloc(fa, 100, 16);
    fa_heap_free(fa, p);
    fa_heap_free(fa, p);
    cr_assert_eq(tu_total(), 1);
#if FA_DEBUG
    cr_assert_eq(tu_cap.last, FA_ERR_DOUBLE_FREE, "got %s", fa_status_name(tu_cap.last));
#else
    cr_assert(tu_cap.last == FA_ERR_FOREIGN_POINTER || tu_cap.last == FA_ERR_DOUBLE_FREE);
#endif
    cr_assert_eq(tu_cap.ptr, p);
    fa_stats st = stats();
    cr_assert_eq(st.heap_count, 1);
    cr_assert_eq(st.heap_bytes, 100);
    fa_heap_free(fa, q);
}

HEAP_TEST(stats_bytes_peak_count) {
    void *a = fa_heap_alloc(fa, 1000, 16);
    void *b = fa_heap_alloc(fa, 3000, 64);
    fa_stats st = stats();
    cr_assert_eq(st.heap_bytes, 4000);
    cr_assert_eq(st.heap_count, 2);
    cr_assert_eq(st.heap_peak, 4000);
    fa_heap_free(fa, b);
    void *c = fa_heap_alloc(fa, 500, 16);
    st = stats();
    cr_assert_eq(st.heap_bytes, 1500);
    cr_assert_eq(st.heap_count, 2);
    cr_assert_eq(st.heap_peak, 4000, "the peak stays");
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    cr_assert_eq(ts.heap_allocs, 3);
    cr_assert_eq(ts.heap_frees, 1);
    fa_heap_free(fa, a);
    fa_heap_free(fa, c);
    st = stats();
    cr_assert_eq(st.heap_bytes, 0);
    cr_assert_eq(st.heap_count, 0);
}

typedef struct free_job {
    fa_alloc *fa;
    void **blocks;
    unsigned n, bad;
} free_job;

static void *free_blocks(void *arg) {
    free_job *j = arg;
    for (unsigned i = 0; i < j->n; i++) {
        if (tu_check(j->blocks[i], 1000, i) != SIZE_MAX) j->bad++;
        fa_heap_free(j->fa, j->blocks[i]);
    }
    return NULL;
}

HEAP_TEST(free_from_another_thread) {
    void *blocks[100];
    for (unsigned i = 0; i < 100; i++) {
        blocks[i] = fa_heap_alloc(fa, 1000, 32);
        tu_fill(blocks[i], 1000, i);
    }
    free_job j = {fa, blocks, 100, 0};
    tu_run_threads(1, free_blocks, &j, 0);
    cr_assert_eq(j.bad, 0);
    fa_stats st = stats();
    cr_assert_eq(st.heap_count, 0);
    cr_assert_eq(st.heap_bytes, 0);
    cr_assert_eq(tu_total(), 0);
}

/* Concurrent allocation and freeing from several threads keeps the counts exact. */
static void *heap_churn(void *arg) {
    free_job *j = arg;
    void *live[32] = {0};
    uint32_t rng = (uint32_t)(uintptr_t)arg;
    for (unsigned i = 0; i < j->n; i++) {
        unsigned k = tu_rand(&rng) % 32;
        if (live[k] != NULL) {
            if (tu_check(live[k], 64, k) != SIZE_MAX) j->bad++;
            fa_heap_free(j->fa, live[k]);
        }
        live[k] = fa_heap_alloc(j->fa, 64 + tu_rand(&rng) % 4000, 16);
        if (live[k] == NULL) j->bad++;
        else tu_fill(live[k], 64, k);
    }
    for (unsigned k = 0; k < 32; k++) fa_heap_free(j->fa, live[k]);
    return NULL;
}

HEAP_TEST(concurrent_churn) {
    free_job j[4];
    for (int i = 0; i < 4; i++) j[i] = (free_job){fa, NULL, 3000, 0};
    tu_run_threads(4, heap_churn, j, sizeof j[0]);
    for (int i = 0; i < 4; i++) cr_assert_eq(j[i].bad, 0);
    fa_stats st = stats();
    cr_assert_eq(st.heap_count, 0);
    cr_assert_eq(st.heap_bytes, 0);
    cr_assert_leq(st.heap_peak, (size_t)4 * 32 * 4064);
    cr_assert_eq(tu_total(), 0);
}

HEAP_TEST(promote_to_heap_copies) {
    fa_begin_frame(fa);
    unsigned char *f = fa_frame_alloc(fa, 3000, 16);
    tu_fill(f, 3000, 8);
    unsigned char *h = fa_promote_to_heap(fa, f, 3000, 256);
    fa_end_frame(fa);
    cr_assert(h != NULL && (uintptr_t)h % 256 == 0);
    cr_assert_eq(fa_heap_size(fa, h), 3000);
    cr_assert_eq(tu_check(h, 3000, 8), SIZE_MAX);
    fa_heap_free(fa, h);
    cr_assert_null(fa_promote_to_heap(fa, NULL, 10, 16));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    cr_assert_eq(tu_total(), 1);
}
