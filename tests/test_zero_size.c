/*
 * test_zero_size.c - empty frame arrays: FA_FRAME_ARRAY(fa, T, 0) is not an error and returns
 * a unique non-NULL pointer (release and debug alike); plain zero-size requests still are.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdint.h>

static fa_alloc *fa;

static void setup(void) {
    tu_setup();
    fa = tu_create(NULL);
}
static void teardown(void) { fa_destroy(fa); }

#define ZS_TEST(name, ...) Test(zero_size, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

typedef struct {
    _Alignas(64) char c[64];
} big_t;

static size_t volatile_zero(void) {
    static volatile size_t z = 0;
    return z;
}

ZS_TEST(empty_arrays_are_unique_and_not_errors) {
    fa_begin_frame(fa);
    int *a = FA_FRAME_ARRAY(fa, int, 0);
    int *b = FA_FRAME_ARRAY(fa, int, volatile_zero());
    big_t *c = FA_FRAME_ARRAY(fa, big_t, volatile_zero());
    void *d = fa_frame_alloc_array(fa, 5, 0, 8);
    void *e = fa_frame_alloc_array_at(fa, 0, 4, 8, "z.c:1");
    cr_assert_not_null(a);
    cr_assert_not_null(b);
    cr_assert_not_null(c);
    cr_assert_not_null(d);
    cr_assert_not_null(e);
    cr_assert_neq(a, b);
    cr_assert_neq((void *)b, (void *)c);
    cr_assert_neq(d, e);
    cr_assert_eq((uintptr_t)c & 63, 0, "the type's alignment holds");
    int *f = FA_FRAME_ARRAY(fa, int, 4);
    cr_assert_not_null(f);
    cr_assert_neq(f, a);
    cr_assert_eq(fa_check_ptr(fa, f), FA_OK);
    cr_assert_eq(tu_total(), 0);
    fa_end_frame(fa);
}

ZS_TEST(zero_size_plain_request_still_reported) {
    fa_begin_frame(fa);
    cr_assert_null(fa_frame_alloc(fa, 0, 8));
    cr_assert_eq(tu_count(FA_ERR_ZERO_SIZE), 1);
    fa_end_frame(fa);
}

ZS_TEST(empty_array_needs_a_frame) {
    cr_assert_null(FA_FRAME_ARRAY(fa, int, volatile_zero()));
    cr_assert_eq(tu_count(FA_ERR_NO_FRAME), 1);
    cr_assert_null(fa_frame_alloc_array(NULL, 0, 4, 4));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
}

ZS_TEST(overflow_still_reported) {
    fa_begin_frame(fa);
    cr_assert_null(FA_FRAME_ARRAY(fa, uint64_t, SIZE_MAX / 4));
    cr_assert_eq(tu_count(FA_ERR_OVERFLOW), 1);
    fa_end_frame(fa);
}

/* Empty arrays end with their scope like any frame memory. */
ZS_TEST(released_with_scope) {
    fa_begin_frame(fa);
    int *a = FA_FRAME_ARRAY(fa, int, volatile_zero());
    fa_end_frame(fa);
    fa_begin_frame(fa);
    int *b = FA_FRAME_ARRAY(fa, int, volatile_zero());
    cr_assert_eq(a, b, "the next frame reuses the granule");
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}
