/* SPDX-License-Identifier: MIT */
/*
 * test_general.c - the malloc-shaped entry points (general.c): routing by size, realloc in
 * place and across pool and heap with the contents kept, C conventions for NULL and 0, bad
 * pointers reported without harm, frees from other threads, tag charges through handles and
 * the bound process-wide handle.
 */
#include "fa_test.h"
#include "test_util.h"

#include <string.h>

static fa_alloc *fa;
static void setup(void) {
    tu_setup();
    fa = tu_create(NULL);
}
static void teardown(void) { fa_destroy(fa); }

#define GEN_TEST(name, ...) Test(general, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static fa_stats stats(void) {
    fa_stats st;
    fa_get_stats(fa, &st);
    return st;
}

GEN_TEST(routes_by_size_and_frees_without_a_size) {
    static const size_t sizes[] = {1, 16, 100, 4096, FA_POOL_MAX_SIZE, FA_POOL_MAX_SIZE + 1, 100000};
    void *p[7];
    for (int i = 0; i < 7; i++) {
        p[i] = fa_malloc(fa, sizes[i]);
        cr_assert_not_null(p[i]);
        cr_assert_eq((uintptr_t)p[i] % 16, 0);
        cr_assert_geq(fa_usable_size(fa, p[i]), sizes[i]);
        tu_fill(p[i], sizes[i], (uint32_t)i);
    }
    fa_stats st = stats();
    cr_assert_eq(st.pool_count, 5, "up to FA_POOL_MAX_SIZE from the pools");
    cr_assert_eq(st.heap_count, 2, "above it from the heap");
    cr_assert_eq(fa_usable_size(fa, p[6]), 100000);
    for (int i = 0; i < 7; i++) {
        cr_assert_eq(tu_check(p[i], sizes[i], (uint32_t)i), SIZE_MAX);
        fa_free(fa, p[i]);
    }
    st = stats();
    cr_assert_eq(st.pool_count + st.heap_count, 0);
    cr_assert_eq(tu_total(), 0);
}

GEN_TEST(c_conventions) {
    void *z = fa_malloc(fa, 0), *z2 = fa_malloc(fa, 0);
    cr_assert(z != NULL && z2 != NULL && z != z2, "malloc(0): unique minimal blocks");
    fa_free(fa, z);
    fa_free(fa, z2);
    fa_free(fa, NULL);
    void *r = fa_realloc(fa, NULL, 200);
    cr_assert_not_null(r, "realloc(NULL, n) allocates");
    cr_assert_null(fa_realloc(fa, r, 0), "realloc(p, 0) frees");
    cr_assert_eq(stats().pool_count, 0);
    unsigned char *c = fa_calloc(fa, 100, 30);
    for (int i = 0; i < 3000; i++) cr_assert_eq(c[i], 0);
    unsigned char *ch = fa_calloc(fa, 1000, 100);
    cr_assert_not_null(ch);
    for (int i = 0; i < 100000; i += 997) cr_assert_eq(ch[i], 0);
    fa_free(fa, c);
    fa_free(fa, ch);
    cr_assert_null(fa_calloc(fa, SIZE_MAX / 2, 3));
    cr_assert_eq(tu_count(FA_ERR_OVERFLOW), 1);
    cr_assert_eq(tu_total(), 1);
}

GEN_TEST(realloc_keeps_contents_in_place_and_across_kinds) {
    unsigned char *p = fa_malloc(fa, 100);
    tu_fill(p, 100, 1);
    size_t cls = fa_usable_size(fa, p);
    cr_assert_eq(fa_realloc(fa, p, cls), p, "growth within the size class stays in place");
    cr_assert_eq(fa_realloc(fa, p, cls / 2 + 1), p, "so does a small shrink");
    static const size_t steps[] = {3000, 60000, 9000, 20, 8192, 8193, 500};
    size_t kept = 100;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        p = fa_realloc(fa, p, steps[i]);
        cr_assert_not_null(p, "step %zu", i);
        kept = kept < steps[i] ? kept : steps[i];
        cr_assert_eq(tu_check(p, kept, 1), SIZE_MAX, "step %zu", i);
        cr_assert_geq(fa_usable_size(fa, p), steps[i]);
    }
    fa_stats st = stats();
    cr_assert_eq(st.pool_count + st.heap_count, 1, "every move freed the old block");
    fa_free(fa, p);
    cr_assert_eq(tu_total(), 0);
}

GEN_TEST(bad_pointers_are_reported_and_change_nothing) {
    void *live = fa_malloc(fa, 64);
    void *big = fa_malloc(fa, 50000);
    int x;
    fa_free(fa, (void *)1);
    fa_free(fa, &x);
    cr_assert_eq(tu_count(FA_ERR_FOREIGN_POINTER), 2);
    cr_assert_eq(fa_usable_size(fa, (void *)1), 0);
    cr_assert_eq(fa_usable_size(fa, &x), 0);
    cr_assert_null(fa_realloc(fa, &x, 100));
    cr_assert_eq(tu_count(FA_ERR_FOREIGN_POINTER), 3);
    fa_free(fa, big);
    fa_free(fa, big); /* double free of a heap block */
    cr_assert_eq(tu_total(), 4);
    void *p2 = fa_malloc(fa, 64);
    fa_free(fa, p2);
    fa_free(fa, p2); /* double free of a pool object */
    cr_assert_eq(tu_total(), 5);
    fa_begin_frame(fa);
    void *f = fa_frame_alloc(fa, 64, 16);
    fa_free(fa, f);
    cr_assert_eq(tu_total(), 6, "frame memory is not the general allocator's");
    fa_end_frame(fa);
    cr_assert_eq(fa_usable_size(fa, live), fa_pool_usable_size(fa, live));
    fa_stats st = stats();
    cr_assert_eq(st.pool_count, 1, "the live object survived every bad call");
    cr_assert_eq(st.heap_count, 0);
    fa_free(NULL, live);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    fa_free(fa, live);
}

typedef struct free_job {
    fa_alloc *fa;
    void *blocks[64];
} free_job;

static void *free_all(void *arg) {
    free_job *j = arg;
    for (int i = 0; i < 64; i++) fa_free(j->fa, j->blocks[i]);
    return NULL;
}

GEN_TEST(another_thread_frees) {
    free_job j = {fa, {0}};
    for (int i = 0; i < 64; i++) j.blocks[i] = fa_malloc(fa, (size_t)(i % 8 + 1) * 1500);
    tu_run_threads(1, free_all, &j, 0);
    fa_stats st = stats();
    cr_assert_eq(st.pool_count + st.heap_count, 0);
    cr_assert_eq(tu_total(), 0);
}

GEN_TEST(tagged_and_bound_calls_charge_the_tag) {
    fa_tagged lua = fa_tagged_get(fa, "lua");
    void *small = fa_tagged_malloc(lua, 100);
    void *large = fa_tagged_calloc(lua, 10, 2000);
    cr_assert(small != NULL && large != NULL);
    fa_tag_stats ts;
    fa_get_tag_stats(fa, lua.tag, &ts);
    cr_assert_eq(ts.heap_bytes, 20000);
    cr_assert_neq(ts.pool_bytes, 0);
    large = fa_tagged_realloc(lua, large, 30000);
    fa_get_tag_stats(fa, lua.tag, &ts);
    cr_assert_eq(ts.heap_bytes, 30000);
    fa_free(fa, large);
    fa_free(fa, small);

    cr_assert_null(fa_general_malloc(64), "nothing bound yet");
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    fa_tagged sql = fa_tagged_get(fa, "sqlite");
    fa_general_bind(sql);
    void *a = fa_general_malloc(20000);
    void *b = fa_general_calloc(4, 25);
    cr_assert(a != NULL && b != NULL);
    cr_assert_eq(fa_general_usable_size(a), 20000);
    a = fa_general_realloc(a, 40000);
    fa_get_tag_stats(fa, sql.tag, &ts);
    cr_assert_eq(ts.heap_bytes, 40000);
    fa_general_free(a);
    fa_general_free(b);
    fa_general_free(NULL);
    fa_general_bind((fa_tagged){NULL, 0});
    cr_assert_eq(stats().heap_count + stats().pool_count, 0);
    cr_assert_eq(tu_total(), 1);
}
