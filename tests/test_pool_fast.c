/* SPDX-License-Identifier: MIT */
/*
 * test_pool_fast.c - the header's inline pool paths (fai_pool_alloc_inline and
 * fai_pool_free_inline, which fa_pool_alloc / fa_pool_free expand to at release call sites).
 * Public API only, so these calls go through the macros.
 *
 * The free fast path serves the page the thread's last local free went to. Every test first
 * frees one object of a page so that page is cached, then hands the free bad pointers that
 * land in that very page (double frees, interior pointers, slots the page never handed out),
 * pointers of another allocator, and garbage: each must be reported once and change nothing.
 * Debug builds take the out-of-line path for every call; the results must be the same.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N 64

/* fa with two live objects of 64 bytes in one page, the page cached by a free of a third. */
typedef struct primed {
    fa_alloc *fa;
    unsigned char *a, *b; /* live, b handed out last */
} primed;

static primed prime(void) {
    primed r;
    r.fa = tu_create(NULL);
    cr_assert_not_null(r.fa);
    void *c = fa_pool_alloc(r.fa, 64);
    r.a = fa_pool_alloc(r.fa, 64);
    r.b = fa_pool_alloc(r.fa, 64);
    cr_assert(c != NULL && r.a != NULL && r.b != NULL);
    /* Same 64 KiB page: the cached page is theirs. */
    cr_assert_eq((uintptr_t)c >> 16, (uintptr_t)r.b >> 16);
    tu_fill(r.a, 64, 1);
    tu_fill(r.b, 64, 2);
    fa_pool_free(r.fa, c);
    cr_assert_eq(tu_total(), 0);
    return r;
}

/* a and b are intact, freeable once each, and the pool hands out distinct objects after. */
static void finish(primed *r) {
    cr_assert_eq(tu_check(r->a, 64, 1), SIZE_MAX);
    cr_assert_eq(tu_check(r->b, 64, 2), SIZE_MAX);
    unsigned before = tu_total();
    fa_pool_free(r->fa, r->a);
    fa_pool_free(r->fa, r->b);
    cr_assert_eq(tu_total(), before, "freeing the live objects reported something");
    void *p[N];
    for (int i = 0; i < N; i++) {
        p[i] = fa_pool_alloc(r->fa, 64);
        cr_assert_not_null(p[i]);
        for (int j = 0; j < i; j++) cr_assert_neq(p[i], p[j], "object handed out twice");
    }
    fa_stats st;
    fa_get_stats(r->fa, &st);
    cr_assert_eq(st.pool_count, N);
    for (int i = 0; i < N; i++) fa_pool_free(r->fa, p[i]);
    fa_get_stats(r->fa, &st);
    cr_assert_eq(st.pool_count, 0);
    cr_assert_eq(tu_total(), before);
    fa_destroy(r->fa);
}

Test(pool_fast, double_free_in_cached_page, .init = tu_setup) {
    primed r = prime();
    fa_pool_free(r.fa, r.b);
    fa_pool_free(r.fa, r.b); /* b is on the cached page's free list now */
    cr_assert_eq(tu_count(FA_ERR_DOUBLE_FREE), 1);
    cr_assert_eq(tu_total(), 1);
    /* b comes back exactly once. */
    void *x = fa_pool_alloc(r.fa, 64);
    void *y = fa_pool_alloc(r.fa, 64);
    cr_assert_eq(x, r.b);
    cr_assert_neq(y, r.b);
    tu_fill(r.b, 64, 2);
    fa_pool_free(r.fa, y);
    cr_assert_eq(tu_total(), 1);
    finish(&r);
}

Test(pool_fast, interior_pointers_in_cached_page, .init = tu_setup) {
    primed r = prime();
    static const size_t offs[] = {1, 8, 15, 16, 32, 48, 63};
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) fa_pool_free(r.fa, r.b + offs[i]);
    cr_assert_eq(tu_count(FA_ERR_FOREIGN_POINTER), sizeof offs / sizeof offs[0]);
    cr_assert_eq(tu_total(), sizeof offs / sizeof offs[0]);
    finish(&r);
}

Test(pool_fast, never_handed_out_slots_of_cached_page, .init = tu_setup) {
    primed r = prime();
    /* The slots after b, up to the page end: the page's bump has not reached them. */
    uintptr_t end = ((uintptr_t)r.b | 0xffff) + 1;
    unsigned n = 0;
    for (uintptr_t s = (uintptr_t)r.b + 64; s + 64 <= end; s += 64 * 97, n++)
        fa_pool_free(r.fa, (void *)s);
    cr_assert_gt(n, 5);
    cr_assert_eq(tu_total(), n, "%u bad frees, %u reports", n, tu_total());
    cr_assert_eq(tu_count(FA_ERR_DOUBLE_FREE), 0);
    /* The object freed by prime() comes back, then the bump's next slot, once each. */
    unsigned char *x = fa_pool_alloc(r.fa, 64);
    unsigned char *y = fa_pool_alloc(r.fa, 64);
    cr_assert_neq(x, r.b + 64);
    cr_assert_eq(y, r.b + 64);
    fa_pool_free(r.fa, x);
    fa_pool_free(r.fa, y);
    cr_assert_eq(tu_total(), n);
    finish(&r);
}

Test(pool_fast, another_allocators_pointer, .init = tu_setup) {
    primed r = prime();
    fa_alloc *other = tu_create(NULL);
    /* The cursor still holds r.fa: the page matches, the allocator does not. */
    fa_pool_free(other, r.b);
    cr_assert_eq(tu_count(FA_ERR_FOREIGN_POINTER), 1);
    /* Now the cursor holds other; r.fa's pointer freed through other again, then through
     * r.fa (legitimate, after the cursor moved away and back). */
    void *o = fa_pool_alloc(other, 64);
    fa_pool_free(other, o);
    fa_pool_free(other, r.a);
    cr_assert_eq(tu_count(FA_ERR_FOREIGN_POINTER), 2);
    cr_assert_eq(tu_total(), 2);
    fa_destroy(other);
    finish(&r);
}

Test(pool_fast, garbage_with_a_cached_page, .init = tu_setup) {
    primed r = prime();
    uintptr_t page = (uintptr_t)r.b & ~(uintptr_t)0xffff;
    void *bad[] = {(void *)1, (void *)0x10, (void *)0x7fff00001230, (void *)(page + 0x10000),
                   (void *)(page - 64), (void *)(uintptr_t)-64, (void *)((uintptr_t)r.b ^ 0x8)};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) fa_pool_free(r.fa, bad[i]);
    cr_assert_eq(tu_total(), sizeof bad / sizeof bad[0]);
    cr_assert_eq(tu_count(FA_ERR_DOUBLE_FREE), 0);
    fa_pool_free(r.fa, NULL); /* ignored */
    fa_pool_free(NULL, r.b);  /* reported, b untouched */
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    cr_assert_null(fa_pool_alloc(NULL, 64));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 2);
    cr_assert_null(fa_pool_alloc(r.fa, 0));
    cr_assert_null(fa_pool_alloc(r.fa, FA_POOL_MAX_SIZE + 1));
    cr_assert_eq(tu_total(), sizeof bad / sizeof bad[0] + 4);
    finish(&r);
}

/* Pages that fill up and empty out under the fast paths: counts stay exact, emptied pages go
 * back (trim), nothing is handed out twice. */
Test(pool_fast, pages_fill_and_empty, .init = tu_setup) {
    fa_config cfg = tu_config();
    cfg.pool_keep_empty_pages = 0;
    fa_alloc *fa = tu_create(&cfg);
    enum { M = 5000 }; /* about 5 pages of 64-byte objects */
    void **p = malloc(M * sizeof *p);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < M; i++) {
            p[i] = fa_pool_alloc(fa, 64);
            cr_assert_not_null(p[i]);
            memcpy(p[i], &i, sizeof i);
        }
        fa_stats st;
        fa_get_stats(fa, &st);
        cr_assert_eq(st.pool_count, M);
        /* LIFO for even rounds, FIFO for odd: each page empties through its own frees. */
        for (int k = 0; k < M; k++) {
            int i = round % 2 ? k : M - 1 - k;
            int v;
            memcpy(&v, p[i], sizeof v);
            cr_assert_eq(v, i, "object %d overwritten", i);
            fa_pool_free(fa, p[i]);
            if (k == M / 2) {
                fa_get_stats(fa, &st);
                cr_assert_eq(st.pool_count, M - M / 2 - 1);
            }
        }
        fa_get_stats(fa, &st);
        cr_assert_eq(st.pool_count, 0);
    }
    fa_pool_trim(fa);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_reserved, 0);
    cr_assert_eq(tu_total(), 0);
    free(p);
    fa_destroy(fa);
}

/* Objects of a page cached by its owner are freed by another thread (remote) meanwhile. */
typedef struct remote_arg {
    fa_alloc *fa;
    void **objs;
    int n;
} remote_arg;

static void *free_all(void *arg) {
    remote_arg *a = arg;
    for (int i = 0; i < a->n; i++) fa_pool_free(a->fa, a->objs[i]);
    return NULL;
}

Test(pool_fast, remote_frees_into_cached_page, .init = tu_setup) {
    primed r = prime();
    void *objs[N];
    for (int i = 0; i < N; i++) objs[i] = fa_pool_alloc(r.fa, 64);
    remote_arg a = {r.fa, objs, N};
    tu_run_threads(1, free_all, &a, 0);
    fa_stats st;
    fa_get_stats(r.fa, &st);
    cr_assert_eq(st.pool_count, 2);
    cr_assert_eq(tu_total(), 0);
    finish(&r);
}

/* A budget set after the page was cached: new objects are counted and uncharged on free. */
Test(pool_fast, budget_after_caching, .init = tu_setup) {
    primed r = prime();
    cr_assert_eq(fa_set_budget(r.fa, FA_BUDGET_GLOBAL, (size_t)1 << 30, FA_BUDGET_FAIL), FA_OK);
    void *objs[N];
    for (int i = 0; i < N; i++) objs[i] = fa_pool_alloc(r.fa, 64);
    fa_budget_info bi;
    cr_assert_eq(fa_get_budget(r.fa, FA_BUDGET_GLOBAL, &bi), FA_OK);
    cr_assert_eq(bi.bytes, (size_t)N * 64);
    for (int i = 0; i < N; i++) fa_pool_free(r.fa, objs[i]);
    cr_assert_eq(fa_get_budget(r.fa, FA_BUDGET_GLOBAL, &bi), FA_OK);
    cr_assert_eq(bi.bytes, 0);
    cr_assert_eq(tu_total(), 0);
    finish(&r);
}
