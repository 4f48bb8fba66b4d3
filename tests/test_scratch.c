// SPDX-License-Identifier: MIT
/*
 * test_scratch.c - fa_scratch: one scratch per (thread, name), reused across frames, explicit
 * reset, capacity limits, growth when empty, release at thread exit and fa_destroy, every bad
 * handle and argument, use from another thread, debug fills of reset memory.
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

#define SCRATCH_TEST(name, ...) Test(scratch, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static size_t heap_bytes(void) {
    fa_stats st;
    fa_get_stats(fa, &st);
    return st.heap_bytes;
}

SCRATCH_TEST(same_name_same_scratch_across_frames) {
    fa_scratch *a = fa_scratch_get(fa, "particles", 4096);
    cr_assert_not_null(a);
    cr_assert_eq(fa_scratch_get(fa, "particles", 1000), a, "same name, same scratch");
    fa_scratch *b = fa_scratch_get(fa, "audio", 4096);
    cr_assert_not_null(b);
    cr_assert_neq(a, b);
    cr_assert_eq(fa_scratch_capacity(a), 4096);
    cr_assert_geq(heap_bytes(), 8192, "buffers are heap blocks of fa");
    void *first = NULL;
    for (int frame = 0; frame < 3; frame++) {
        fa_begin_frame(fa);
        fa_scratch *s = fa_scratch_get(fa, "particles", 4096);
        cr_assert_eq(s, a);
        char *p = fa_scratch_alloc(s, 1000, 16);
        cr_assert_not_null(p);
        if (frame == 0) first = p;
        cr_assert_eq(p, first, "the same bytes every frame after a reset");
        tu_fill(p, 1000, (uint32_t)frame);
        uint64_t *q = fa_scratch_alloc(s, 64, 64);
        cr_assert_not_null(q);
        cr_assert_eq((uintptr_t)q % 64, 0);
        cr_assert_geq(fa_scratch_used(s), 1064);
        cr_assert_eq(tu_check(p, 1000, (uint32_t)frame), SIZE_MAX);
        fa_end_frame(fa);
        cr_assert_neq(fa_scratch_used(s), 0, "frames do not reset a scratch");
        fa_scratch_reset(s);
        cr_assert_eq(fa_scratch_used(s), 0);
    }
    /* Not tied to frames at all. */
    cr_assert_not_null(fa_scratch_alloc(a, 16, 16));
    cr_assert_eq(tu_total(), 0);
}

SCRATCH_TEST(capacity_is_a_hard_limit) {
    fa_scratch *s = fa_scratch_get(fa, "fixed", 1024);
    cr_assert_not_null(fa_scratch_alloc(s, 1000, 8));
    size_t used = fa_scratch_used(s);
    cr_assert_null(fa_scratch_alloc(s, 100, 8));
    cr_assert_eq(tu_count(FA_ERR_OUT_OF_MEMORY), 1);
    cr_assert_eq(fa_scratch_used(s), used, "a failed request takes nothing");
    cr_assert_not_null(fa_scratch_alloc(s, 1024 - used, 1), "an exact fit fits");
    cr_assert_null(fa_scratch_alloc(s, 1, 1));
    cr_assert_null(fa_scratch_alloc(s, SIZE_MAX / 2, 1));
    fa_scratch_reset(s);
    cr_assert_not_null(fa_scratch_alloc(s, 1024, 64));
}

SCRATCH_TEST(grows_only_when_empty) {
    fa_scratch *s = fa_scratch_get(fa, "grow", 256);
    cr_assert_not_null(fa_scratch_alloc(s, 200, 16));
    cr_assert_null(fa_scratch_get(fa, "grow", 4096), "in use: cannot move");
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    cr_assert_eq(fa_scratch_capacity(s), 256);
    fa_scratch_reset(s);
    cr_assert_eq(fa_scratch_get(fa, "grow", 4096), s);
    cr_assert_eq(fa_scratch_capacity(s), 4096);
    cr_assert_not_null(fa_scratch_alloc(s, 4000, 16));
}

SCRATCH_TEST(names_compare_on_31_characters) {
    fa_scratch *a = fa_scratch_get(fa, "0123456789012345678901234567890-A", 64);
    fa_scratch *b = fa_scratch_get(fa, "0123456789012345678901234567890-B", 64);
    cr_assert_eq(a, b);
    cr_assert_neq(fa_scratch_get(fa, "0123456789", 64), a);
}

SCRATCH_TEST(bad_input) {
    cr_assert_null(fa_scratch_get(NULL, "x", 64));
    cr_assert_null(fa_scratch_get(fa, NULL, 64));
    cr_assert_null(fa_scratch_get(fa, "", 64));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 3);
    cr_assert_null(fa_scratch_get(fa, "x", 0));
    cr_assert_eq(tu_count(FA_ERR_ZERO_SIZE), 1);
    cr_assert_null(fa_scratch_get(fa, "x", FA_MAX_ALLOC_SIZE + 1));
    cr_assert_eq(tu_count(FA_ERR_TOO_LARGE), 1);
    fa_scratch *s = fa_scratch_get(fa, "x", 64);
    cr_assert_null(fa_scratch_alloc(s, 0, 16));
    cr_assert_eq(tu_count(FA_ERR_ZERO_SIZE), 2);
    cr_assert_null(fa_scratch_alloc(s, 8, 3));
    cr_assert_null(fa_scratch_alloc(s, 8, FA_MAX_ALIGN * 2));
    cr_assert_eq(tu_count(FA_ERR_BAD_ALIGN), 2);
    cr_assert_eq(fa_scratch_used(s), 0);
    /* Handles that are not scratch pools are refused without being trusted. */
    uint64_t stack[16];
    memset(stack, 0, sizeof stack);
    void *heap = fa_heap_alloc(fa, 64, 16);
    void *pool = fa_pool_alloc(fa, 64);
    fa_scratch *bad[] = {NULL, (fa_scratch *)1, (fa_scratch *)stack, (fa_scratch *)heap,
                         (fa_scratch *)pool, (fa_scratch *)((char *)s + 16)};
    unsigned before = tu_count(FA_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_null(fa_scratch_alloc(bad[i], 8, 8));
        fa_scratch_reset(bad[i]);
        cr_assert_eq(fa_scratch_used(bad[i]), 0);
    }
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), before + 18);
    fa_heap_free(fa, heap);
    fa_pool_free(fa, pool);
}

typedef struct {
    fa_scratch *mine_there;
    void *foreign_alloc;
    fa_scratch *foreign;
} xscratch;

static void *other_thread(void *arg) {
    xscratch *x = arg;
    x->foreign_alloc = fa_scratch_alloc(x->foreign, 8, 8);
    fa_scratch_reset(x->foreign);
    x->mine_there = fa_scratch_get(fa, "shared-name", 256);
    if (x->mine_there != NULL && fa_scratch_alloc(x->mine_there, 100, 8) == NULL) x->mine_there = NULL;
    return NULL;
}

SCRATCH_TEST(per_thread_and_wrong_thread) {
    fa_scratch *s = fa_scratch_get(fa, "shared-name", 256);
    cr_assert_not_null(fa_scratch_alloc(s, 10, 8));
    size_t used = fa_scratch_used(s);
    xscratch x = {NULL, &x, s};
    tu_run_threads(1, other_thread, &x, sizeof x);
    cr_assert_null(x.foreign_alloc);
    cr_assert_eq(tu_count(FA_ERR_WRONG_THREAD), 2, "alloc and reset from another thread");
    cr_assert_not_null(x.mine_there, "another thread has its own scratch of that name");
    cr_assert_neq(x.mine_there, s);
    cr_assert_eq(fa_scratch_used(s), used, "untouched by the other thread");
    /* That thread has exited: its scratch is gone, and its handle is refused. */
    cr_assert_null(fa_scratch_alloc(x.mine_there, 8, 8));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
}

static void *make_and_exit(void *arg) {
    (void)arg;
    fa_scratch *s = fa_scratch_get(fa, "temp", 100000);
    if (s != NULL) fa_scratch_alloc(s, 5000, 16);
    return NULL;
}

SCRATCH_TEST(released_at_thread_exit_and_destroy) {
    size_t before = heap_bytes();
    tu_run_threads(2, make_and_exit, NULL, 0);
    cr_assert_eq(heap_bytes(), before, "the exited threads' scratch buffers are freed");
    fa_alloc *other = tu_create(NULL);
    fa_scratch *s = fa_scratch_get(other, "level", 1 << 20);
    cr_assert_not_null(fa_scratch_alloc(s, 1000, 16));
    fa_destroy(other); /* no leak report: destroy releases scratch pools */
    cr_assert_eq(tu_count(FA_ERR_LEAK), 0);
    cr_assert_eq(tu_total(), 0);
}

SCRATCH_TEST(debug_reset_fills) {
    if (fa_debug_level() < 1 || TU_SANITIZER) return;
    fa_scratch *s = fa_scratch_get(fa, "fill", 256);
    volatile unsigned char *p = fa_scratch_alloc(s, 64, 16);
    memset((void *)p, 1, 64);
    fa_scratch_reset(s);
    for (int i = 0; i < 64; i++) cr_assert_eq(p[i], 0xFD, "byte %d of reset memory", i);
}

static void *scratch_worker(void *arg) {
    int *ok = arg;
    *ok = 1;
    for (int f = 0; f < 100; f++) {
        fa_begin_frame(fa);
        fa_scratch *s = fa_scratch_get(fa, "worker", 1 << 16);
        for (int i = 0; i < 50; i++) {
            char *p = fa_scratch_alloc(s, 1000, 16);
            if (p == NULL) {
                *ok = 0;
                break;
            }
            tu_fill(p, 1000, (uint32_t)(f * 100 + i));
            if (tu_check(p, 1000, (uint32_t)(f * 100 + i)) != SIZE_MAX) *ok = 0;
        }
        fa_scratch_reset(s);
        fa_end_frame(fa);
    }
    return NULL;
}

SCRATCH_TEST(threads_use_their_own) {
    int ok[4] = {0};
    tu_run_threads(4, scratch_worker, ok, sizeof ok[0]);
    for (int i = 0; i < 4; i++) cr_assert(ok[i], "thread %d", i);
    cr_assert_eq(tu_total(), 0);
}
