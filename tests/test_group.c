// SPDX-License-Identifier: MIT
/*
 * test_group.c - fa_group: many objects freed together, statistics, large and over-aligned
 * requests, free_all keeping the group usable, destroy, release at fa_destroy, every bad handle
 * and argument, debug poisoning of freed group memory, and threads sharing one group.
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

#define GROUP_TEST(name, ...) Test(group, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static fa_stats stats(void) {
    fa_stats st;
    fa_get_stats(fa, &st);
    return st;
}

GROUP_TEST(objects_stats_free_all_reuse) {
    fa_group *g = fa_group_create(fa, "level-1");
    cr_assert_not_null(g);
    cr_assert_eq(stats().group_count, 1);
    static char *objs[20000];
    size_t total = 0;
    for (int i = 0; i < 20000; i++) {
        size_t n = 8 + (size_t)(i % 57);
        objs[i] = fa_group_alloc(g, n, 8);
        cr_assert_not_null(objs[i]);
        cr_assert_eq((uintptr_t)objs[i] % 8, 0);
        memset(objs[i], i & 0xff, n);
        total += n;
    }
    for (int i = 0; i < 20000; i++)
        cr_assert_eq((unsigned char)objs[i][7], (unsigned char)(i & 0xff), "object %d", i);
    fa_stats st = stats();
    cr_assert_eq(st.group_bytes, total);
    cr_assert_eq(fa_group_bytes(g), total);
    cr_assert_geq(st.group_reserved, total);
    cr_assert_leq(st.group_reserved, total * 2 + (2u << 20), "blocks, not one malloc per object");
    cr_assert_eq(st.heap_count, 0);
    fa_group_free_all(g);
    st = stats();
    cr_assert_eq(st.group_bytes, 0);
    cr_assert_eq(st.group_reserved, 64u << 10, "only the first block is kept");
    char *again = fa_group_alloc(g, 100, 16);
    cr_assert_not_null(again);
    memset(again, 1, 100);
    fa_group_destroy(g);
    st = stats();
    cr_assert_eq(st.group_count, 0);
    cr_assert_eq(st.group_reserved, 0);
    cr_assert_eq(tu_total(), 0);
}

GROUP_TEST(large_and_aligned) {
    fa_group *g = fa_group_create(fa, NULL);
    char *small = fa_group_alloc(g, 100, 16);
    char *big = fa_group_alloc(g, 3u << 20, 4096);
    char *small2 = fa_group_alloc(g, 100, 16);
    cr_assert_not_null(big);
    cr_assert_eq((uintptr_t)big % 4096, 0);
    memset(big, 7, 3u << 20);
    cr_assert_eq(small2, small + 100 + (16 - 100 % 16), "small requests keep the current block");
    void *huge_align = fa_group_alloc(g, 64, FA_MAX_ALIGN);
    cr_assert_not_null(huge_align);
    cr_assert_eq((uintptr_t)huge_align % FA_MAX_ALIGN, 0);
    cr_assert_eq(big[(3u << 20) - 1], 7);
    fa_group_free_all(g);
    cr_assert_eq(stats().group_reserved, 64u << 10);
    fa_group_destroy(g);
}

GROUP_TEST(bad_input) {
    cr_assert_null(fa_group_create(NULL, "x"));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    fa_group *g = fa_group_create(fa, "x");
    cr_assert_null(fa_group_alloc(g, 0, 8));
    cr_assert_eq(tu_count(FA_ERR_ZERO_SIZE), 1);
    cr_assert_null(fa_group_alloc(g, 8, 3));
    cr_assert_null(fa_group_alloc(g, 8, 0));
    cr_assert_eq(tu_count(FA_ERR_BAD_ALIGN), 2);
    cr_assert_null(fa_group_alloc(g, FA_MAX_ALLOC_SIZE + 1, 8));
    cr_assert_eq(tu_count(FA_ERR_TOO_LARGE), 1);
    cr_assert_eq(fa_group_bytes(g), 0);
    uint64_t stack[32];
    memset(stack, 0, sizeof stack);
    void *pool = fa_pool_alloc(fa, 256);
    fa_group *bad[] = {NULL, (fa_group *)1, (fa_group *)stack, (fa_group *)pool,
                       (fa_group *)((char *)g + 16)};
    unsigned before = tu_count(FA_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_null(fa_group_alloc(bad[i], 8, 8));
        fa_group_free_all(bad[i]);
        fa_group_destroy(bad[i]);
        cr_assert_eq(fa_group_bytes(bad[i]), 0);
    }
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), before + 20);
    fa_pool_free(fa, pool);
    fa_group_destroy(g);
    before = tu_count(FA_ERR_INVALID_ARGUMENT);
    cr_assert_null(fa_group_alloc(g, 8, 8), "a destroyed group");
    fa_group_destroy(g);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), before + 2);
}

GROUP_TEST(destroy_releases_groups_left) {
    fa_alloc *other = tu_create(NULL);
    fa_group *g = fa_group_create(other, "leftover");
    for (int i = 0; i < 1000; i++) cr_assert_not_null(fa_group_alloc(g, 1000, 16));
    fa_destroy(other); /* released, not reported as leaks */
    cr_assert_eq(tu_total(), 0);
}

GROUP_TEST(debug_free_all_poisons) {
    if (fa_debug_level() < 1 || TU_SANITIZER) return;
    fa_group *g = fa_group_create(fa, "poison");
    volatile unsigned char *p = fa_group_alloc(g, 256, 16);
    cr_assert_eq(p[0], 0xCA, "fresh group memory carries the allocation fill");
    memset((void *)p, 0, 256);
    fa_group_free_all(g);
    for (int i = 0; i < 256; i++) cr_assert_eq(p[i], 0xCD, "byte %d", i);
    fa_group_destroy(g);
}

static fa_group *shared;

static void *group_worker(void *arg) {
    int *ok = arg;
    *ok = 1;
    static _Thread_local char *mine[2000];
    for (int i = 0; i < 2000; i++) {
        mine[i] = fa_group_alloc(shared, 48, 16);
        if (mine[i] == NULL) {
            *ok = 0;
            return NULL;
        }
        tu_fill(mine[i], 48, (uint32_t)(uintptr_t)ok + (uint32_t)i);
    }
    for (int i = 0; i < 2000; i++)
        if (tu_check(mine[i], 48, (uint32_t)(uintptr_t)ok + (uint32_t)i) != SIZE_MAX) *ok = 0;
    return NULL;
}

GROUP_TEST(threads_share_a_group) {
    shared = fa_group_create(fa, "shared");
    int ok[4] = {0};
    tu_run_threads(4, group_worker, ok, sizeof ok[0]);
    for (int i = 0; i < 4; i++) cr_assert(ok[i], "thread %d", i);
    cr_assert_eq(fa_group_bytes(shared), 4 * 2000 * 48);
    fa_group_free_all(shared);
    fa_group_destroy(shared);
    cr_assert_eq(tu_total(), 0);
}
