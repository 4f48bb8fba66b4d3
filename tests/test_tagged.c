/* SPDX-License-Identifier: MIT */
/*
 * test_tagged.c - tagged allocator handles (tagged.c): frame, pool and heap allocations are
 * charged to the handle's tag whatever the thread's current tag, the tag stack is left as it
 * was (also when full), budgets apply, bad handles are reported, quiet forms stay quiet.
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

#define TAGGED_TEST(name, ...) Test(tagged, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static fa_tag_stats tag_stats(fa_tag t) {
    fa_tag_stats s;
    cr_assert_eq(fa_get_tag_stats(fa, t, &s), FA_OK);
    return s;
}

TAGGED_TEST(charges_every_kind_to_the_handle_tag) {
    fa_tagged physics = fa_tagged_get(fa, "physics");
    cr_assert_neq(physics.tag, 0);
    cr_assert_eq(physics.fa, fa);
    fa_tag render = fa_tag_register(fa, "render");
    fa_begin_frame(fa);
    fa_tag_push(fa, render);
    cr_assert_not_null(fa_frame_alloc(fa, 40, 1));            /* render's */
    void *f = fa_tagged_frame_alloc(physics, 100, 16);         /* physics' */
    cr_assert_not_null(f);
    cr_assert_eq(fa_tag_current(fa), render, "the thread's tag is unchanged");
    cr_assert_not_null(fa_frame_alloc(fa, 200, 1));           /* render's again */
    void *p = fa_tagged_pool_alloc(physics, 64);
    void *pa = fa_tagged_pool_alloc_aligned(physics, 96, 32);
    void *h = fa_tagged_heap_alloc(physics, 1000, 64);
    cr_assert(p != NULL && pa != NULL && h != NULL);
    cr_assert_eq((uintptr_t)pa % 32, 0);
    cr_assert_eq((uintptr_t)h % 64, 0);
    void *mine = fa_pool_alloc(fa, 64); /* render's pool object, not physics' */
    fa_tag_pop(fa);
    fa_end_frame(fa);

    cr_assert_eq(tag_stats(physics.tag).frame_bytes_last, TU_G(100));
    cr_assert_eq(tag_stats(render).frame_bytes_last, TU_G(40) + TU_G(200));
    cr_assert_eq(tag_stats(physics.tag).heap_bytes, 1000);
    cr_assert_eq(tag_stats(render).heap_bytes, 0);
    cr_assert_neq(tag_stats(physics.tag).pool_bytes, 0, "physics holds pool pages now");
    cr_assert_neq(tag_stats(render).pool_bytes, 0);

    fa_heap_free(fa, h); /* the ordinary frees take back the handle's charges */
    cr_assert_eq(tag_stats(physics.tag).heap_bytes, 0);
    fa_pool_free(fa, p);
    fa_pool_free(fa, pa);
    fa_pool_free(fa, mine);
    cr_assert_eq(tu_total(), 0);
}

/* Used where the thread's tag already is the handle's, and at the top of a full tag stack. */
TAGGED_TEST(leaves_the_tag_stack_as_it_was) {
    fa_tagged audio = fa_tagged_get(fa, "audio");
    fa_tag deep = fa_tag_register(fa, "deep");
    fa_begin_frame(fa);
    fa_tag_push(fa, audio.tag);
    cr_assert_not_null(fa_tagged_frame_alloc(audio, 64, 16));
    cr_assert_eq(fa_tag_current(fa), audio.tag);
    fa_tag_pop(fa);
    for (int i = 0; i < 16; i++) fa_tag_push(fa, deep);
    fa_tag_push(fa, deep); /* one past the stack: reported, counted */
    cr_assert_eq(tu_count(FA_ERR_NESTING_TOO_DEEP), 1);
    cr_assert_not_null(fa_tagged_frame_alloc(audio, 64, 16));
    cr_assert_eq(fa_tag_current(fa), deep);
    for (int i = 0; i < 17; i++) fa_tag_pop(fa);
    cr_assert_eq(fa_tag_current(fa), 0, "exactly the pushes were popped");
    fa_end_frame(fa);
    cr_assert_eq(tag_stats(audio.tag).frame_bytes_last, 2 * TU_G(64));
    cr_assert_eq(tag_stats(deep).frame_bytes_last, 0);
    cr_assert_eq(tu_total(), 1);
}

TAGGED_TEST(budgets_apply_to_the_handle_tag) {
    fa_tagged ai = fa_tagged_get(fa, "ai");
    cr_assert_eq(fa_tag_set_budget(fa, ai.tag, 0, 4096), FA_OK);
    void *ok = fa_tagged_heap_alloc(ai, 3000, 16);
    cr_assert_not_null(ok);
    cr_assert_null(fa_tagged_heap_alloc(ai, 3000, 16));
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 1);
    fa_status why = FA_OK;
    cr_assert_null(fa_tagged_try_heap_alloc(ai, 3000, 16, &why));
    cr_assert_eq(why, FA_ERR_BUDGET);
    cr_assert_eq(tu_total(), 1, "the quiet form reports nothing");
    void *untagged = fa_heap_alloc(fa, 3000, 16);
    cr_assert_not_null(untagged, "the budget is the handle's tag's, not the thread's");
    fa_heap_free(fa, untagged);
    fa_heap_free(fa, ok);
}

TAGGED_TEST(realloc_charges_the_resized_block_to_the_handle) {
    fa_tagged streaming = fa_tagged_get(fa, "streaming");
    unsigned char *b = fa_heap_alloc(fa, 500, 16);
    tu_fill(b, 500, 3);
    b = fa_tagged_heap_realloc(streaming, b, 5000);
    cr_assert_not_null(b);
    cr_assert_eq(tu_check(b, 500, 3), SIZE_MAX);
    cr_assert_eq(tag_stats(streaming.tag).heap_bytes, 5000);
    cr_assert_eq(tag_stats(0).heap_bytes, 0);
    fa_heap_free(fa, b);
    cr_assert_eq(tu_total(), 0);
}

TAGGED_TEST(quiet_forms_report_nothing) {
    fa_tagged ui = fa_tagged_get(fa, "ui");
    fa_status why = FA_OK;
    cr_assert_null(fa_tagged_try_frame_alloc(ui, 64, 16, &why), "no frame is open");
    cr_assert_eq(why, FA_ERR_NO_FRAME);
    fa_begin_frame(fa);
    void *f = fa_tagged_try_frame_alloc(ui, 64, 16, &why);
    cr_assert_not_null(f);
    cr_assert_eq(why, FA_OK);
    void *p = fa_tagged_try_pool_alloc(ui, 48, &why);
    cr_assert(p != NULL && why == FA_OK);
    cr_assert_null(fa_tagged_try_pool_alloc(ui, 0, &why));
    cr_assert_eq(why, FA_ERR_ZERO_SIZE);
    fa_end_frame(fa);
    cr_assert_eq(tag_stats(ui.tag).frame_bytes_last, TU_G(64));
    fa_pool_free(fa, p);
    cr_assert_eq(tu_total(), 0);
}

TAGGED_TEST(bad_handles_are_reported) {
    fa_tagged bogus = fa_tagged_from_tag(fa, 999);
    fa_begin_frame(fa);
    cr_assert_null(fa_tagged_frame_alloc(bogus, 64, 16));
    cr_assert_null(fa_tagged_pool_alloc(bogus, 64));
    cr_assert_null(fa_tagged_pool_alloc_aligned(bogus, 64, 16));
    cr_assert_null(fa_tagged_heap_alloc(bogus, 64, 16));
    void *keep = fa_heap_alloc(fa, 64, 16);
    cr_assert_null(fa_tagged_heap_realloc(bogus, keep, 128));
    cr_assert_eq(fa_heap_size(fa, keep), 64, "the block is untouched");
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 5);
    fa_status why = FA_OK;
    cr_assert_null(fa_tagged_try_heap_alloc(bogus, 64, 16, &why));
    cr_assert_eq(why, FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(tu_total(), 5);
    fa_end_frame(fa);
    fa_heap_free(fa, keep);

    fa_tagged none = fa_tagged_get(fa, NULL);
    cr_assert_eq(none.tag, 0, "an unregistrable name gives the untagged handle");
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 6);
    void *u = fa_tagged_heap_alloc(none, 32, 16);
    cr_assert_not_null(u, "the untagged handle works");
    fa_heap_free(fa, u);
    fa_tagged null_fa = fa_tagged_from_tag(NULL, 0);
    cr_assert_null(fa_tagged_heap_alloc(null_fa, 32, 16));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 7, "a NULL allocator is reported");
}
