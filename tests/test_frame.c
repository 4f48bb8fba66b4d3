/* SPDX-License-Identifier: MIT */
/*
 * test_frame.c - frame scopes through the public API: begin/end, LIFO nesting, alignment, the
 * allocation macros, realloc/strdup/zeroed, retention, limits, bad inputs, several allocators
 * on one thread and per-thread arenas. White-box block behaviour is in test_frame_arena.c.
 *
 * Memory is checked by content (tu_fill/tu_check), not only by address: "outer memory stays
 * valid and intact" means the bytes survive everything the inner scopes do.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static fa_alloc *fa;

static void setup(void) {
    tu_setup();
    fa = tu_create(NULL);
}
static void teardown(void) { fa_destroy(fa); }

#define FRAME_TEST(name, ...) Test(frame, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static int aligned(const void *p, size_t a) { return ((uintptr_t)p & (a - 1)) == 0; }
static int disjoint(const void *a, size_t na, const void *b, size_t nb) {
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    return x + na <= y || y + nb <= x;
}

FRAME_TEST(begin_end_depth_and_number) {
    cr_assert_not_null(fa);
    cr_assert_eq(fa_frame_depth(fa), 0);
    fa_begin_frame(fa);
    cr_assert_eq(fa_frame_depth(fa), 1);
    cr_assert_eq(fa_frame_number(fa), 1);
    void *p = fa_frame_alloc(fa, 100, 8);
    cr_assert_not_null(p);
    tu_fill(p, 100, 1);
    fa_begin_frame(fa);
    cr_assert_eq(fa_frame_depth(fa), 2);
    cr_assert_eq(fa_frame_number(fa), 1, "a nested begin is not a new frame");
    fa_end_frame(fa);
    fa_end_frame(fa);
    cr_assert_eq(fa_frame_depth(fa), 0);
    fa_begin_frame(fa);
    cr_assert_eq(fa_frame_number(fa), 2);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

/* fa_end_frame releases the frame in O(1): the next frame gets the same memory back. */
FRAME_TEST(end_releases_memory_for_reuse) {
    fa_begin_frame(fa);
    void *p = fa_frame_alloc(fa, 4096, 64);
    fa_end_frame(fa);
    for (int i = 0; i < 10; i++) {
        fa_begin_frame(fa);
        void *q = fa_frame_alloc(fa, 4096, 64);
        cr_assert_eq(q, p, "frame %d did not reuse the released memory", i);
        fa_end_frame(fa);
    }
}

FRAME_TEST(nesting_is_lifo_and_outer_memory_stays_intact) {
    fa_begin_frame(fa);
    unsigned char *a = fa_frame_alloc(fa, 1000, 16);
    tu_fill(a, 1000, 1);

    fa_begin_frame(fa);
    unsigned char *b = fa_frame_alloc(fa, 2000, 16);
    tu_fill(b, 2000, 2);

    fa_begin_frame(fa);
    unsigned char *c = fa_frame_alloc(fa, 3000, 16);
    tu_fill(c, 3000, 3);
    cr_assert(disjoint(a, 1000, c, 3000) && disjoint(b, 2000, c, 3000));
    fa_end_frame(fa);
    cr_assert_eq(fa_frame_depth(fa), 2);
    cr_assert_eq(tu_check(a, 1000, 1), SIZE_MAX);
    cr_assert_eq(tu_check(b, 2000, 2), SIZE_MAX);

    /* The innermost scope's memory was released, and only that. */
    unsigned char *d = fa_frame_alloc(fa, 3000, 16);
    cr_assert_eq(d, c, "the ended scope's memory is reused by the scope that is now innermost");
    tu_fill(d, 3000, 4);
    cr_assert_eq(tu_check(a, 1000, 1), SIZE_MAX);
    cr_assert_eq(tu_check(b, 2000, 2), SIZE_MAX);
    fa_end_frame(fa);

    unsigned char *e = fa_frame_alloc(fa, 5000, 16);
    cr_assert_eq(e, b, "the second scope's memory is reused by the outer scope");
    tu_fill(e, 5000, 5);
    cr_assert_eq(tu_check(a, 1000, 1), SIZE_MAX, "outer allocation damaged by inner scopes");
    fa_end_frame(fa);
    cr_assert_eq(fa_frame_depth(fa), 0);
    cr_assert_eq(tu_total(), 0);
}

/* Systems bracket their own work inside the game loop's frame many times per frame. */
FRAME_TEST(many_sibling_scopes_inside_one_frame) {
    fa_begin_frame(fa);
    uint32_t *keep[50];
    for (uint32_t i = 0; i < 50; i++) {
        keep[i] = fa_frame_alloc(fa, 64, 4);
        tu_fill(keep[i], 64, i);
        fa_begin_frame(fa);
        for (int j = 0; j < 20; j++) tu_fill(fa_frame_alloc(fa, 777, 8), 777, 1000 + i);
        fa_end_frame(fa);
    }
    for (uint32_t i = 0; i < 50; i++) cr_assert_eq(tu_check(keep[i], 64, i), SIZE_MAX);
    fa_end_frame(fa);
}

FRAME_TEST(every_power_of_two_alignment) {
    fa_begin_frame(fa);
    for (size_t align = 1; align <= FA_MAX_ALIGN; align <<= 1) {
        cr_assert_not_null(fa_frame_alloc(fa, 1, 1)); /* misalign the cursor */
        void *p = fa_frame_alloc(fa, 24, align);
        cr_assert_not_null(p, "align %zu", align);
        cr_assert(aligned(p, align), "%p not aligned to %zu", p, align);
        memset(p, 0xA5, 24);
        void *z = fa_frame_alloc_zeroed(fa, 40, align);
        cr_assert(z != NULL && aligned(z, align), "zeroed, align %zu", align);
    }
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

typedef struct vec4 {
    _Alignas(32) float v[4];
} vec4;
typedef struct small {
    char c;
} small;

FRAME_TEST(new_and_array_macros) {
    fa_begin_frame(fa);
    small *s = FA_FRAME_NEW(fa, small);
    vec4 *v = FA_FRAME_NEW(fa, vec4);
    cr_assert(s != NULL && v != NULL);
    cr_assert(aligned(v, _Alignof(vec4)));
    double *d = FA_FRAME_ARRAY(fa, double, 1000);
    cr_assert(d != NULL && aligned(d, _Alignof(double)));
    for (int i = 0; i < 1000; i++) d[i] = i * 0.5;
    vec4 *va = FA_FRAME_ARRAY(fa, vec4, 3);
    cr_assert(va != NULL && aligned(va, 32));
    cr_assert(disjoint(d, 1000 * sizeof(double), va, 3 * sizeof(vec4)));
    for (int i = 0; i < 1000; i++) cr_assert_eq(d[i], i * 0.5);
    cr_assert_eq(tu_total(), 0);
    fa_end_frame(fa);
}

FRAME_TEST(array_size_overflow_is_reported) {
    fa_begin_frame(fa);
    cr_assert_null(FA_FRAME_ARRAY(fa, uint64_t, SIZE_MAX / 4));
    cr_assert_eq(tu_count(FA_ERR_OVERFLOW), 1);
    cr_assert_eq(fa_last_error(), FA_ERR_OVERFLOW);
    cr_assert_null(fa_frame_alloc_array(fa, SIZE_MAX, 2, 8));
    cr_assert_null(fa_frame_alloc_array_at(fa, (SIZE_MAX >> 1) + 2, 2, 8, "x.c:1"));
    cr_assert_eq(tu_count(FA_ERR_OVERFLOW), 3);
    cr_assert_eq(tu_total(), 3);
    /* n * size that fits is fine, and a zero count is an empty array (not an error). */
    cr_assert_not_null(fa_frame_alloc_array(fa, 3, 5, 1));
    cr_assert_not_null(FA_FRAME_ARRAY(fa, int, 0));
    cr_assert_eq(tu_count(FA_ERR_ZERO_SIZE), 0);
    fa_end_frame(fa);
}

/* Every bad input: NULL, exactly one report with the right status, and the frame still works. */
/* The fast path itself rejects alignments above FA_MAX_ALIGN (case 7: 2^17), so release
 * builds report them like every other bad input instead of serving them. */
FRAME_TEST(bad_inputs_are_reported_once) {
    static const struct {
        size_t size, align;
        fa_status st;
    } bad[] = {
        {0, 8, FA_ERR_ZERO_SIZE},
        {FA_MAX_ALLOC_SIZE + 1, 8, FA_ERR_TOO_LARGE},
        {SIZE_MAX, 8, FA_ERR_TOO_LARGE},
        {SIZE_MAX - 7, 16, FA_ERR_TOO_LARGE},
        {16, 0, FA_ERR_BAD_ALIGN},
        {16, 3, FA_ERR_BAD_ALIGN},
        {16, 24, FA_ERR_BAD_ALIGN},
        {16, FA_MAX_ALIGN * 2, FA_ERR_BAD_ALIGN},
        {16, (size_t)1 << 63, FA_ERR_BAD_ALIGN},
        {16, SIZE_MAX, FA_ERR_BAD_ALIGN},
    };
    fa_begin_frame(fa);
    void *keep = fa_frame_alloc(fa, 256, 16);
    tu_fill(keep, 256, 9);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned before = tu_total();
        fa_clear_error();
        cr_assert_null(fa_frame_alloc(fa, bad[i].size, bad[i].align), "case %zu", i);
        cr_assert_eq(tu_total(), before + 1, "case %zu reported %u times", i, tu_total() - before);
        cr_assert_eq(tu_cap.last, bad[i].st, "case %zu: got %s", i, fa_status_name(tu_cap.last));
        cr_assert_eq(fa_last_error(), bad[i].st);
        cr_assert_eq(tu_cap.alloc, fa);
        /* The same through the exported and zero-filling forms. */
        cr_assert_null(fa_frame_alloc_at(fa, bad[i].size, bad[i].align, "site.c:7"));
        cr_assert_eq(tu_cap.last, bad[i].st);
        cr_assert_str_eq(tu_cap.site, "site.c:7");
        cr_assert_null(fa_frame_alloc_zeroed(fa, bad[i].size, bad[i].align));
        cr_assert_eq(tu_total(), before + 3);
    }
    void *p = fa_frame_alloc(fa, 64, 16);
    cr_assert_not_null(p, "the frame keeps working after bad requests");
    cr_assert_eq(tu_check(keep, 256, 9), SIZE_MAX);
    fa_end_frame(fa);
}

FRAME_TEST(alloc_outside_a_frame) {
    cr_assert_null(fa_frame_alloc(fa, 16, 8));
    cr_assert_eq(tu_count(FA_ERR_NO_FRAME), 1);
    cr_assert_eq(tu_cap.size, 16);
    cr_assert_null(fa_frame_strdup(fa, "x"));
    cr_assert_null(fa_frame_alloc_zeroed(fa, 8, 8));
    cr_assert_null(FA_FRAME_NEW(fa, double));
    cr_assert_eq(tu_count(FA_ERR_NO_FRAME), 4);
    /* also after a frame ended */
    fa_begin_frame(fa);
    cr_assert_not_null(fa_frame_alloc(fa, 16, 8));
    fa_end_frame(fa);
    cr_assert_null(fa_frame_alloc(fa, 16, 8));
    cr_assert_eq(tu_count(FA_ERR_NO_FRAME), 5);
    cr_assert_eq(tu_total(), 5);
}

FRAME_TEST(end_without_begin) {
    fa_end_frame(fa);
    cr_assert_eq(tu_count(FA_ERR_END_WITHOUT_BEGIN), 1);
    cr_assert_eq(fa_frame_depth(fa), 0);
    fa_begin_frame(fa);
    cr_assert_not_null(fa_frame_alloc(fa, 8, 8));
    fa_end_frame(fa);
    fa_end_frame(fa);
    cr_assert_eq(tu_count(FA_ERR_END_WITHOUT_BEGIN), 2);
    cr_assert_eq(tu_total(), 2);
    fa_begin_frame(fa);
    cr_assert_eq(fa_frame_depth(fa), 1, "an unmatched end leaves no debt behind");
    fa_end_frame(fa);
    cr_assert_eq(fa_frame_depth(fa), 0);
}

/* Beyond max_frame_depth the scope is not opened: its end is absorbed, outer scopes stay
 * paired with their own ends, and allocations go to the innermost open scope. */
Test(frame, nesting_too_deep, .init = tu_setup) {
    fa_config cfg = tu_config();
    cfg.max_frame_depth = 3;
    fa_alloc *a = tu_create(&cfg);
    unsigned char *p[4];
    for (int d = 0; d < 3; d++) {
        fa_begin_frame(a);
        p[d] = fa_frame_alloc(a, 100, 8);
        tu_fill(p[d], 100, (uint32_t)d);
    }
    fa_begin_frame(a);
    cr_assert_eq(tu_count(FA_ERR_NESTING_TOO_DEEP), 1);
    cr_assert_eq(fa_frame_depth(a), 3);
    fa_begin_frame(a);
    cr_assert_eq(tu_count(FA_ERR_NESTING_TOO_DEEP), 2);
    p[3] = fa_frame_alloc(a, 100, 8);
    cr_assert_not_null(p[3]);
    tu_fill(p[3], 100, 3);
    fa_end_frame(a); /* absorbed */
    fa_end_frame(a); /* absorbed */
    cr_assert_eq(fa_frame_depth(a), 3);
    for (int d = 0; d < 4; d++) cr_assert_eq(tu_check(p[d], 100, (uint32_t)d), SIZE_MAX);
    fa_end_frame(a); /* closes scope 3, which held p[2] and p[3] */
    cr_assert_eq(fa_frame_depth(a), 2);
    unsigned char *q = fa_frame_alloc(a, 100, 8);
    cr_assert_eq(q, p[2], "scope 3 was released by its own end");
    tu_fill(q, 100, 7);
    cr_assert_eq(tu_check(p[0], 100, 0), SIZE_MAX);
    cr_assert_eq(tu_check(p[1], 100, 1), SIZE_MAX);
    fa_end_frame(a);
    fa_end_frame(a);
    cr_assert_eq(fa_frame_depth(a), 0);
    fa_end_frame(a);
    cr_assert_eq(tu_count(FA_ERR_END_WITHOUT_BEGIN), 1);
    cr_assert_eq(tu_total(), 3);
    fa_destroy(a);
}

FRAME_TEST(strdup_copies) {
    fa_begin_frame(fa);
    char src[] = "hello, frame";
    char *s = fa_frame_strdup(fa, src);
    cr_assert(s != NULL && s != src);
    cr_assert_str_eq(s, src);
    src[0] = 'J';
    cr_assert_str_eq(s, "hello, frame", "the copy is independent of the source");
    char *e = fa_frame_strdup(fa, "");
    cr_assert(e != NULL && e[0] == '\0');
    cr_assert_null(fa_frame_strdup(fa, NULL));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    cr_assert_eq(tu_total(), 1);
    fa_end_frame(fa);
}

FRAME_TEST(zeroed_memory_is_zero_even_when_reused) {
    fa_begin_frame(fa);
    memset(fa_frame_alloc(fa, 8192, 16), 0xEE, 8192);
    fa_end_frame(fa);
    fa_begin_frame(fa);
    unsigned char *z = fa_frame_alloc_zeroed(fa, 8192, 16);
    cr_assert_not_null(z);
    for (size_t i = 0; i < 8192; i++) cr_assert_eq(z[i], 0, "byte %zu", i);
    fa_end_frame(fa);
}

FRAME_TEST(realloc_null_allocates) {
    fa_begin_frame(fa);
    void *p = fa_frame_realloc(fa, NULL, 0, 100, 16);
    cr_assert(p != NULL && aligned(p, 16));
    tu_fill(p, 100, 1);
    cr_assert_eq(tu_total(), 0);
    fa_end_frame(fa);
}

/* The scope's most recent allocation grows and shrinks where it is (release builds; debug
 * and ASan builds always move, by design of frame.c), keeping its contents either way. */
FRAME_TEST(realloc_last_allocation) {
    fa_begin_frame(fa);
    cr_assert_not_null(fa_frame_alloc(fa, 32, 8));
    unsigned char *p = fa_frame_alloc(fa, 100, 16);
    tu_fill(p, 100, 3);
    unsigned char *q = fa_frame_realloc(fa, p, 100, 1000, 16);
    cr_assert_not_null(q);
    cr_assert_eq(tu_check(q, 100, 3), SIZE_MAX);
#if !FA_DEBUG && !TU_ASAN
    cr_assert_eq(q, p, "the last allocation grows in place");
    unsigned char *next = fa_frame_alloc(fa, 16, 1);
    cr_assert_eq(next, p + TU_G(1000), "the cursor moved to the end of the grown block");
    (void)next;
#endif
    tu_fill(q, 1000, 4);
    unsigned char *r = fa_frame_realloc(fa, q, 1000, 10, 16);
    cr_assert_not_null(r);
    cr_assert_eq(tu_check(r, 10, 4), SIZE_MAX, "shrinking keeps the first bytes");
    fa_end_frame(fa);
}

FRAME_TEST(realloc_older_allocation_moves_and_copies) {
    fa_begin_frame(fa);
    unsigned char *a = fa_frame_alloc(fa, 200, 16);
    tu_fill(a, 200, 5);
    unsigned char *b = fa_frame_alloc(fa, 50, 16);
    tu_fill(b, 50, 6);
    unsigned char *a2 = fa_frame_realloc(fa, a, 200, 400, 16);
    cr_assert(a2 != NULL && a2 != a, "not the last allocation: must move");
    cr_assert(disjoint(a2, 400, b, 50));
    cr_assert_eq(tu_check(a2, 200, 5), SIZE_MAX);
    cr_assert_eq(tu_check(b, 50, 6), SIZE_MAX, "the allocation after it is untouched");
    unsigned char *a3 = fa_frame_realloc(fa, a, 200, 20, 64); /* shrink: copies 20 bytes */
    cr_assert(a3 != NULL && aligned(a3, 64));
    cr_assert_arr_eq(a3, a2, 20);
    /* Growth beyond the block moves to another block and keeps the bytes. */
    unsigned char *big = fa_frame_realloc(fa, b, 50, (size_t)1 << 20, 16);
    cr_assert_not_null(big);
    cr_assert_eq(tu_check(big, 50, 6), SIZE_MAX);
    memset(big + 50, 1, ((size_t)1 << 20) - 50);
    cr_assert_eq(tu_check(a2, 200, 5), SIZE_MAX);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

/* A bad new size is reported exactly once. */
FRAME_TEST(realloc_bad_size_reported_once) {
    fa_begin_frame(fa);
    void *p = fa_frame_alloc(fa, 64, 16);
    cr_assert_null(fa_frame_realloc(fa, p, 64, 0, 16));
    cr_assert_eq(tu_count(FA_ERR_ZERO_SIZE), 1, "reported %u times", tu_count(FA_ERR_ZERO_SIZE));
    cr_assert_null(fa_frame_realloc(fa, p, 64, 64, 3));
    cr_assert_eq(tu_count(FA_ERR_BAD_ALIGN), 1, "reported %u times", tu_count(FA_ERR_BAD_ALIGN));
    cr_assert_eq(tu_total(), 2);
    fa_end_frame(fa);
}

/* An outer scope's last allocation must not grow in place inside an inner scope: the inner
 * end would rewind the cursor into the grown part and the outer scope's next allocation would
 * overwrite it. Moving it is fine; losing bytes is not. */
FRAME_TEST(realloc_outer_allocation_inside_inner_scope) {
    fa_begin_frame(fa);
    unsigned char *p = fa_frame_alloc(fa, 16, 16);
    tu_fill(p, 16, 1);
    fa_begin_frame(fa);
    unsigned char *q = fa_frame_realloc(fa, p, 16, 256, 16);
    cr_assert_not_null(q);
    tu_fill(q, 256, 2);
    fa_end_frame(fa);
    unsigned char *r = fa_frame_alloc(fa, 256, 16);
    tu_fill(r, 256, 3);
    if (q == p)
        cr_assert_eq(tu_check(p, 256, 2), SIZE_MAX,
                     "grown in place, then overwritten by the outer scope's next allocation");
    else
        cr_assert_eq(tu_check(p, 16, 1), SIZE_MAX);
    fa_end_frame(fa);
}

/* Retention: at the end of the innermost scope the slot is moved to pool or heap memory. */
FRAME_TEST(retain_to_pool_and_heap) {
    fa_begin_frame(fa);
    void *slot_pool = fa_frame_alloc(fa, 300, 16);
    void *slot_heap = fa_frame_alloc(fa, 20000, 16);
    void *frame_pool = slot_pool, *frame_heap = slot_heap;
    tu_fill(slot_pool, 300, 1);
    tu_fill(slot_heap, 20000, 2);
    cr_assert_eq(fa_frame_retain(fa, &slot_pool, 300, FA_RETAIN_TO_POOL), FA_OK);
    cr_assert_eq(fa_frame_retain(fa, &slot_heap, 20000, FA_RETAIN_TO_HEAP), FA_OK);
    cr_assert_eq(slot_pool, frame_pool, "nothing happens before the scope ends");
    fa_end_frame(fa);
    cr_assert(slot_pool != NULL && slot_pool != frame_pool);
    cr_assert(slot_heap != NULL && slot_heap != frame_heap);
    cr_assert_geq(fa_pool_usable_size(fa, slot_pool), 300);
    cr_assert_eq(fa_heap_size(fa, slot_heap), 20000);
    cr_assert_eq(tu_check(slot_pool, 300, 1), SIZE_MAX);
    cr_assert_eq(tu_check(slot_heap, 20000, 2), SIZE_MAX);
    /* The copies outlive later frames. */
    fa_begin_frame(fa);
    memset(fa_frame_alloc(fa, 30000, 16), 0, 30000);
    fa_end_frame(fa);
    cr_assert_eq(tu_check(slot_pool, 300, 1), SIZE_MAX);
    fa_pool_free(fa, slot_pool);
    fa_heap_free(fa, slot_heap);
    cr_assert_eq(tu_total(), 0);
}

FRAME_TEST(retain_applies_at_the_end_of_the_innermost_scope) {
    fa_begin_frame(fa);
    void *outer = fa_frame_alloc(fa, 64, 16);
    tu_fill(outer, 64, 1);
    void *outer_frame = outer;
    cr_assert_eq(fa_frame_retain(fa, &outer, 64, FA_RETAIN_TO_POOL), FA_OK);
    fa_begin_frame(fa);
    void *inner = fa_frame_alloc(fa, 64, 16);
    tu_fill(inner, 64, 2);
    cr_assert_eq(fa_frame_retain(fa, &inner, 64, FA_RETAIN_TO_POOL), FA_OK);
    fa_end_frame(fa);
    cr_assert_eq(outer, outer_frame, "the outer scope's retain waits for the outer end");
    cr_assert_neq(fa_pool_usable_size(fa, inner), 0);
    cr_assert_eq(tu_check(inner, 64, 2), SIZE_MAX);
    fa_end_frame(fa);
    cr_assert_neq(fa_pool_usable_size(fa, outer), 0);
    cr_assert_eq(tu_check(outer, 64, 1), SIZE_MAX);
    fa_pool_free(fa, inner);
    fa_pool_free(fa, outer);
}

FRAME_TEST(retain_discard_cancels) {
    fa_stats before, after;
    fa_get_stats(fa, &before);
    fa_begin_frame(fa);
    void *slot = fa_frame_alloc(fa, 64, 16);
    void *orig = slot;
    cr_assert_eq(fa_frame_retain(fa, &slot, 64, FA_RETAIN_TO_POOL), FA_OK);
    cr_assert_eq(fa_frame_retain(fa, &slot, 64, FA_RETAIN_DISCARD), FA_OK);
    void *slot2 = fa_frame_alloc(fa, 64, 16);
    cr_assert_eq(fa_frame_retain(fa, &slot2, 64, FA_RETAIN_DISCARD), FA_OK); /* no-op */
    fa_end_frame(fa);
    fa_get_stats(fa, &after);
    cr_assert_eq(slot, orig, "a discarded slot is left alone");
    cr_assert_eq(after.pool_count, before.pool_count);
    cr_assert_eq(after.heap_count, before.heap_count);
    cr_assert_eq(tu_total(), 0);
}

FRAME_TEST(retain_bad_inputs) {
    void *slot = NULL;
    cr_assert_eq(fa_frame_retain(fa, &slot, 16, FA_RETAIN_TO_POOL), FA_ERR_NO_FRAME);
    cr_assert_eq(tu_count(FA_ERR_NO_FRAME), 1);
    fa_begin_frame(fa);
    slot = fa_frame_alloc(fa, 16, 16);
    cr_assert_eq(fa_frame_retain(fa, NULL, 16, FA_RETAIN_TO_POOL), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_frame_retain(fa, &slot, 16, (fa_retain_policy)7), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_frame_retain(NULL, &slot, 16, FA_RETAIN_TO_POOL), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 3);
    cr_assert_eq(fa_frame_retain(fa, &slot, 0, FA_RETAIN_TO_HEAP), FA_ERR_ZERO_SIZE);
    cr_assert_eq(fa_frame_retain(fa, &slot, FA_MAX_ALLOC_SIZE + 1, FA_RETAIN_TO_POOL),
                 FA_ERR_TOO_LARGE);
    cr_assert_eq(fa_frame_retain(fa, &slot, 16, FA_RETAIN_FOR_FRAMES), FA_ERR_INVALID_ARGUMENT,
                 "keeping for frames takes a frame count: fa_frame_retain_for");
    cr_assert_eq(tu_count(FA_ERR_ZERO_SIZE), 1);
    cr_assert_eq(tu_count(FA_ERR_TOO_LARGE), 1);
    cr_assert_eq(tu_total(), 7);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 7, "rejected retains do nothing at the end");
}

/* A retain that fails at the end sets the slot to NULL and reports. */
Test(frame, retain_failure_sets_slot_to_null, .init = tu_setup) {
    fa_config cfg = tu_config();
    cfg.heap_limit = 4096;
    fa_alloc *a = tu_create(&cfg);
    fa_begin_frame(a);
    void *slot = fa_frame_alloc(a, 10000, 16);
    cr_assert_eq(fa_frame_retain(a, &slot, 10000, FA_RETAIN_TO_HEAP), FA_OK);
    fa_end_frame(a);
    cr_assert_null(slot);
    cr_assert_eq(tu_count(FA_ERR_HEAP_LIMIT), 1);
    cr_assert_eq(tu_total(), 1);
    fa_destroy(a);
}

/* With small blocks the limit still holds inside the last, doubled block: frame_block_size
 * 4 KiB and frame_limit 64 KiB hand out at most 64 KiB per frame. */
Test(frame, frame_limit_across_blocks, .init = tu_setup) {
    fa_config cfg = tu_config();
    cfg.frame_block_size = 4096;
    cfg.frame_limit = 64 << 10;
    fa_alloc *a = tu_create(&cfg);
    for (int frame = 0; frame < 3; frame++) {
        fa_begin_frame(a);
        size_t got = 0;
        unsigned char *first = fa_frame_alloc(a, 1024, 1);
        tu_fill(first, 1024, 1);
        got += 1024;
        while (fa_frame_alloc(a, 1024, 1) != NULL) got += 1024;
        cr_assert_leq(got, cfg.frame_limit, "frame %d: %zu bytes handed out", frame, got);
        cr_assert_geq(got, cfg.frame_limit / 2, "frame %d: the limit stopped it early", frame);
        cr_assert_eq(tu_cap.last, FA_ERR_FRAME_LIMIT);
        cr_assert_null(fa_frame_alloc(a, 1024, 1), "still over the limit");
        cr_assert_eq(tu_check(first, 1024, 1), SIZE_MAX);
        fa_end_frame(a);
    }
    cr_assert_eq(tu_count(FA_ERR_FRAME_LIMIT), 6);
    cr_assert_eq(tu_total(), 6);
    fa_destroy(a);
}

/* frame_limit bounds a frame even inside its first block: a limit smaller than the block is
 * enforced by capping the cursor's end, not only when the frame moves to the next block. */
Test(frame, frame_limit_inside_first_block, .init = tu_setup) {
    fa_config cfg = tu_config();
    cfg.frame_limit = 16 << 10; /* default 256 KiB block */
    fa_alloc *a = tu_create(&cfg);
    for (int frame = 0; frame < 2; frame++) {
        fa_begin_frame(a);
        size_t got = 0;
        while (got <= ((size_t)1 << 20) && fa_frame_alloc(a, 1024, 1) != NULL) got += 1024;
        cr_assert_leq(got, cfg.frame_limit, "frame %d: %zu bytes handed out", frame, got);
        cr_assert_eq(tu_cap.last, FA_ERR_FRAME_LIMIT);
        fa_end_frame(a);
    }
    fa_destroy(a);
}

/* Two allocators on one thread keep separate arenas: interleaved frames never share memory,
 * and ending one never resets the other. */
FRAME_TEST(two_allocators_on_one_thread) {
    fa_alloc *b = tu_create(NULL);
    fa_begin_frame(fa);
    fa_begin_frame(b);
    unsigned char *pa[20], *pb[20];
    for (uint32_t i = 0; i < 20; i++) {
        pa[i] = fa_frame_alloc(fa, 500, 8);
        pb[i] = fa_frame_alloc(b, 500, 8);
        tu_fill(pa[i], 500, i);
        tu_fill(pb[i], 500, 100 + i);
        cr_assert(disjoint(pa[i], 500, pb[i], 500));
    }
    fa_begin_frame(b);
    cr_assert_eq(fa_frame_depth(fa), 1);
    cr_assert_eq(fa_frame_depth(b), 2);
    tu_fill(fa_frame_alloc(b, 4000, 8), 4000, 55);
    fa_end_frame(b);
    fa_end_frame(fa); /* ends fa's frame only */
    cr_assert_eq(fa_frame_depth(b), 1);
    for (uint32_t i = 0; i < 20; i++) cr_assert_eq(tu_check(pb[i], 500, 100 + i), SIZE_MAX);
    /* fa's next frame reuses fa's memory, never b's */
    fa_begin_frame(fa);
    for (uint32_t i = 0; i < 20; i++) tu_fill(fa_frame_alloc(fa, 500, 8), 500, 999);
    for (uint32_t i = 0; i < 20; i++) cr_assert_eq(tu_check(pb[i], 500, 100 + i), SIZE_MAX);
    cr_assert_null(fa_frame_alloc(fa, 0, 8)); /* an error on fa */
    cr_assert_eq(tu_cap.alloc, fa);
    fa_end_frame(fa);
    fa_end_frame(b);
    cr_assert_eq(fa_frame_depth(b), 0);
    cr_assert_eq(tu_total(), 1);
    fa_destroy(b);
}

/* Each thread's frames are private: threads allocate concurrently and check their bytes. */
typedef struct arena_job {
    fa_alloc *fa;
    uint32_t id;
    unsigned frames;
    unsigned bad;       /* pattern mismatches or failed allocations */
    uintptr_t lo, hi;   /* address range this thread was handed */
    pthread_barrier_t *all; /* keeps every thread (and its arena) alive until all are done */
} arena_job;

static void *arena_worker(void *arg) {
    arena_job *j = arg;
    j->lo = UINTPTR_MAX;
    pthread_barrier_wait(j->all);
    for (unsigned f = 0; f < j->frames; f++) {
        fa_begin_frame(j->fa);
        unsigned char *p[16];
        size_t n[16];
        for (uint32_t i = 0; i < 16; i++) {
            n[i] = 64 + (size_t)((i * 977 + f * 31) % 3000);
            p[i] = fa_frame_alloc(j->fa, n[i], 16);
            if (p[i] == NULL) {
                j->bad++;
                n[i] = 0;
                continue;
            }
            if ((uintptr_t)p[i] < j->lo) j->lo = (uintptr_t)p[i];
            if ((uintptr_t)p[i] + n[i] > j->hi) j->hi = (uintptr_t)p[i] + n[i];
            tu_fill(p[i], n[i], j->id * 1000003u + f * 16 + i);
            if (i == 8) fa_begin_frame(j->fa);
        }
        for (uint32_t i = 0; i < 16; i++)
            if (n[i] && tu_check(p[i], n[i], j->id * 1000003u + f * 16 + i) != SIZE_MAX) j->bad++;
        fa_end_frame(j->fa);
        fa_end_frame(j->fa);
    }
    pthread_barrier_wait(j->all);
    return NULL;
}

FRAME_TEST(per_thread_arenas_are_private) {
    enum { N = 4 };
    arena_job jobs[N];
    pthread_barrier_t all;
    pthread_barrier_init(&all, NULL, N);
    for (uint32_t i = 0; i < N; i++)
        jobs[i] = (arena_job){.fa = fa, .id = i + 1, .frames = 200, .all = &all};
    tu_run_threads(N, arena_worker, jobs, sizeof jobs[0]);
    pthread_barrier_destroy(&all);
    for (int i = 0; i < N; i++) {
        cr_assert_eq(jobs[i].bad, 0, "thread %d saw %u problems", i, jobs[i].bad);
        for (int k = 0; k < N; k++)
            if (k != i)
                cr_assert(jobs[i].hi <= jobs[k].lo || jobs[k].hi <= jobs[i].lo,
                          "threads %d and %d were handed overlapping frame memory", i, k);
    }
    cr_assert_eq(tu_total(), 0);
}

/* The limit counts the alignment padding of a request that opens a new block: a 16-byte,
 * 64 KiB-aligned request after 16 bytes under a 32-byte limit either fails with
 * FA_ERR_FRAME_LIMIT or leaves the frame at no more than 32 bytes. Several allocators, so the
 * block addresses (and with them the padding) differ. */
Test(frame, frame_limit_counts_alignment_padding, .init = tu_setup) {
    for (int round = 0; round < 8; round++) {
        fa_config cfg = tu_config();
        cfg.frame_limit = 32;
        fa_alloc *a = tu_create(&cfg);
        fa_begin_frame(a);
        cr_assert_not_null(fa_frame_alloc(a, 16, 16));
        unsigned before = tu_count(FA_ERR_FRAME_LIMIT);
        void *p = fa_frame_alloc(a, 16, 64 << 10);
        fa_thread_stats ts;
        fa_get_my_thread_stats(a, &ts);
        cr_assert_leq(ts.frame_bytes, cfg.frame_limit, "round %d: %zu frame bytes", round,
                      ts.frame_bytes);
        if (p == NULL)
            cr_assert_eq(tu_count(FA_ERR_FRAME_LIMIT), before + 1);
        else
            cr_assert(aligned(p, 64 << 10));
        fa_end_frame(a);
        fa_destroy(a);
    }
}

/* An in-place grow and shrink still counts the peak the frame reached in between. */
FRAME_TEST(realloc_in_place_keeps_the_high_water_mark) {
    fa_begin_frame(fa);
    unsigned char *p = fa_frame_alloc(fa, 16, 16);
    tu_fill(p, 16, 3);
    p = fa_frame_realloc(fa, p, 16, 128 << 10, 16);
    cr_assert_not_null(p);
    tu_fill(p, 128 << 10, 4);
    p = fa_frame_realloc(fa, p, 128 << 10, 16, 16);
    cr_assert_not_null(p);
    cr_assert_eq(tu_check(p, 16, 4), SIZE_MAX);
    fa_end_frame(fa);
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    cr_assert_geq(ts.frame_high_water_last, (size_t)128 << 10, "high water %zu",
                  ts.frame_high_water_last);
    cr_assert_geq(ts.frame_peak, (size_t)128 << 10);
    cr_assert_eq(tu_total(), 0);
}

/* Re-retaining a slot validates the new size and policy before it changes the entry: the bad
 * call fails at once and the earlier, valid retain is what runs at the end. */
FRAME_TEST(retain_update_is_validated) {
    fa_begin_frame(fa);
    void *slot = fa_frame_alloc(fa, 64, 16);
    tu_fill(slot, 64, 9);
    cr_assert_eq(fa_frame_retain(fa, &slot, 64, FA_RETAIN_TO_POOL), FA_OK);
    cr_assert_eq(fa_frame_retain(fa, &slot, 0, FA_RETAIN_TO_POOL), FA_ERR_ZERO_SIZE);
    cr_assert_eq(fa_frame_retain(fa, &slot, FA_MAX_ALLOC_SIZE + 1, FA_RETAIN_TO_POOL),
                 FA_ERR_TOO_LARGE);
    cr_assert_eq(fa_frame_retain(fa, &slot, FA_MAX_ALLOC_SIZE + 1, FA_RETAIN_TO_HEAP),
                 FA_ERR_TOO_LARGE);
    cr_assert_eq(fa_frame_retain(fa, &slot, 64, (fa_retain_policy)7), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_frame_retain_for(fa, &slot, 64, 0), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(tu_total(), 5);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 5, "the end of the scope reports nothing more");
    cr_assert_not_null(slot);
    cr_assert_eq(fa_pool_usable_size(fa, slot) >= 64, 1, "the copy is a pool object");
    cr_assert_eq(tu_check(slot, 64, 9), SIZE_MAX);
    fa_pool_free(fa, slot);
    cr_assert_eq(tu_total(), 5);
}
