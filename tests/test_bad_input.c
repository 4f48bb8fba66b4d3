/* SPDX-License-Identifier: MIT */
/*
 * test_bad_input.c - every public function of framealloc.h with every bad input that applies
 * to it: NULL allocator or handle, size 0, SIZE_MAX, n * size overflow, alignments 0, 3 and
 * 2^17, stack, malloc, interior, freed and garbage pointers (including (void *)1, the pointer
 * sets' tombstone value), calls outside a frame, nesting past the limit, double receive/free,
 * bad retain policy and size, tag stack overflow, too many tags, absurd configuration.
 *
 * Each row is one call and its defined result: the status reported through the error handler
 * (exactly one report, or none where the function documents a silent result such as a size
 * query answering 0) and the return value. Every row runs on a fresh allocator holding one of
 * each kind of object; after the call nothing may have crashed, fa_validate must be clean and
 * every object must still be intact and freeable. Adding a function is one row in CASES.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FA_GARBAGE ((void *)1)         /* equal to the pointer sets' tombstone marker */
#define FA_GARBAGE2 ((void *)0x10)     /* first page: never a valid object */
#define FA_WILD ((void *)0x7fff00001230) /* plausible but unmapped user-space address */

typedef struct ctx {
    fa_alloc *fa, *other;
    unsigned char stk[64];
    unsigned char *mal;   /* malloc'd, not ours */
    unsigned char *hp;    /* live heap block (64 bytes) */
    unsigned char *po;    /* live pool object (64 bytes) */
    unsigned char *fr;    /* live frame allocation (64 bytes), inside F_FRAME rows */
    void *fhp, *fpo;      /* freed heap block and pool object */
    fa_transfer *xt;      /* live transfer handle (64 bytes) */
    fa_transfer *fxt;     /* freed transfer handle */
    unsigned char *ohp;   /* heap block of another allocator */
    fa_tag tag;           /* a registered tag */
    void *slot;           /* a retain slot */
    fa_stats st;
    fa_thread_stats ts;
    fa_tag_stats tgs;
    fa_config cfg;
} ctx;

enum { F_FRAME = 1, F_DEPTH2 = 2, F_NOGLOBAL = 4 };

/* Expected status in release / debug builds where they differ. */
#define RD(rel, dbg) (FA_DEBUG ? (dbg) : (rel))
/* Queries (depth, sizes, names, statistics, configuration) answer a NULL allocator or output
 * with a neutral result and no report: the row checks that result, that nothing is reported,
 * no crash and clean validation. */
#define SILENT FA_OK

static bool pushes_past_tag_stack(ctx *c) {
    for (int i = 0; i < 17; i++) fa_tag_push(c->fa, c->tag); /* the stack is 16 deep */
    bool ok = fa_tag_current(c->fa) == c->tag;
    for (int i = 0; i < 17; i++) fa_tag_pop(c->fa);
    return ok && fa_tag_current(c->fa) == 0;
}

static bool registers_too_many_tags(ctx *c) {
    char name[32];
    fa_tag last = 1;
    for (int i = 0; i < FA_MAX_TAGS + 2 && last != 0; i++) {
        snprintf(name, sizeof name, "t%d", i);
        last = fa_tag_register(c->fa, name);
    }
    return last == 0;
}

static bool nests_past_the_limit(ctx *c) {
    for (int i = 0; i < 3; i++) fa_begin_frame(c->fa);
    bool ok = fa_frame_depth(c->fa) == 2;
    for (int i = 0; i < 3; i++) fa_end_frame(c->fa);
    return ok && fa_frame_depth(c->fa) == 0;
}

static bool receives_twice(ctx *c) {
    return fa_transfer_receive(c->xt) != NULL && fa_transfer_receive(c->xt) == NULL;
}

static bool creates_with(size_t frame_block, size_t limit, unsigned depth, int guard) {
    fa_config cfg = tu_config();
    cfg.frame_block_size = frame_block;
    cfg.frame_limit = limit;
    cfg.max_frame_depth = depth;
    cfg.guard_frames = guard;
    fa_alloc *a = fa_create(&cfg);
    if (a != NULL) fa_destroy(a);
    return a == NULL;
}

static bool heap_realloc_copies_nothing_on_failure(ctx *c, size_t size) {
    return fa_heap_realloc(c->fa, c->hp, size) == NULL && fa_heap_size(c->fa, c->hp) == 64;
}

/* name, flags, expected status, expression true when the result is the defined one */
#define CASES(X)                                                                                  \
    /* errors */                                                                                  \
    X(status_name_out_of_range, 0, FA_OK, fa_status_name((fa_status)1000) != NULL)                \
    X(status_name_negative, 0, FA_OK, fa_status_name((fa_status)-1) != NULL)                      \
    X(default_handler_null_error, 0, FA_OK, (fa_default_error_handler(NULL, NULL), true))         \
    /* lifetime */                                                                                \
    X(create_absurd_block_size, 0, FA_ERR_INVALID_ARGUMENT, creates_with(SIZE_MAX, 0, 0, -1))     \
    X(create_absurd_depth, 0, FA_ERR_INVALID_ARGUMENT, creates_with(0, 0, 1u << 30, -1))          \
    X(destroy_null, 0, FA_OK, (fa_destroy(NULL), true))                                           \
    X(set_error_handler_null, F_NOGLOBAL, FA_ERR_INVALID_ARGUMENT,                                \
      (fa_set_error_handler(NULL, tu_capture_handler, &tu_cap), true))                            \
    X(get_config_null_alloc, 0, SILENT,                                          \
      (fa_get_config(NULL, &c->cfg), c->cfg.frame_block_size == 0))                               \
    X(get_config_null_out, 0, SILENT, (fa_get_config(c->fa, NULL), true))        \
    /* frames */                                                                                  \
    X(begin_null, 0, FA_ERR_INVALID_ARGUMENT, (fa_begin_frame(NULL), true))                       \
    X(end_null, 0, FA_ERR_INVALID_ARGUMENT, (fa_end_frame(NULL), true))                           \
    X(end_without_begin, 0, FA_ERR_END_WITHOUT_BEGIN,                                             \
      (fa_end_frame(c->fa), fa_frame_depth(c->fa) == 0))                                          \
    X(nesting_past_the_limit, F_DEPTH2, FA_ERR_NESTING_TOO_DEEP, nests_past_the_limit(c))         \
    X(frame_depth_null, 0, SILENT, fa_frame_depth(NULL) == 0)                    \
    X(frame_number_null, 0, SILENT, fa_frame_number(NULL) == 0)                  \
    X(frame_alloc_null, 0, FA_ERR_INVALID_ARGUMENT, fa_frame_alloc_at(NULL, 16, 16, NULL) == NULL) \
    X(frame_alloc_outside, 0, FA_ERR_NO_FRAME, fa_frame_alloc_at(c->fa, 16, 16, NULL) == NULL)    \
    X(frame_alloc_zero, F_FRAME, FA_ERR_ZERO_SIZE, fa_frame_alloc_at(c->fa, 0, 16, NULL) == NULL) \
    X(frame_alloc_huge, F_FRAME, FA_ERR_TOO_LARGE,                                                \
      fa_frame_alloc_at(c->fa, SIZE_MAX, 16, NULL) == NULL)                                       \
    X(frame_alloc_align0, F_FRAME, FA_ERR_BAD_ALIGN, fa_frame_alloc_at(c->fa, 16, 0, NULL) == NULL) \
    X(frame_alloc_align3, F_FRAME, FA_ERR_BAD_ALIGN, fa_frame_alloc_at(c->fa, 16, 3, NULL) == NULL) \
    X(frame_alloc_align_big, F_FRAME, FA_ERR_BAD_ALIGN,                                           \
      fa_frame_alloc_at(c->fa, 16, 1u << 17, NULL) == NULL)                                       \
    X(frame_alloc_inline_zero, F_FRAME, FA_ERR_ZERO_SIZE, fa_frame_alloc(c->fa, 0, 16) == NULL)   \
    X(frame_array_overflow, F_FRAME, FA_ERR_OVERFLOW,                                             \
      fa_frame_alloc_array_at(c->fa, SIZE_MAX / 2, 4, 16, NULL) == NULL)                          \
    X(frame_array_inline_overflow, F_FRAME, FA_ERR_OVERFLOW,                                      \
      fa_frame_alloc_array(c->fa, SIZE_MAX / 2, 4, 16) == NULL)                                   \
    X(frame_array_null, 0, FA_ERR_INVALID_ARGUMENT,                                               \
      fa_frame_alloc_array_at(NULL, 2, 4, 16, NULL) == NULL)                                      \
    X(frame_zeroed_null, 0, FA_ERR_INVALID_ARGUMENT, fa_frame_alloc_zeroed(NULL, 16, 16) == NULL) \
    X(frame_zeroed_zero, F_FRAME, FA_ERR_ZERO_SIZE, fa_frame_alloc_zeroed(c->fa, 0, 16) == NULL)  \
    X(frame_zeroed_align3, F_FRAME, FA_ERR_BAD_ALIGN,                                             \
      fa_frame_alloc_zeroed(c->fa, 16, 3) == NULL)                                                \
    X(frame_zeroed_outside, 0, FA_ERR_NO_FRAME, fa_frame_alloc_zeroed(c->fa, 16, 16) == NULL)     \
    X(frame_strdup_null_string, F_FRAME, FA_ERR_INVALID_ARGUMENT,                                 \
      fa_frame_strdup(c->fa, NULL) == NULL)                                                       \
    X(frame_strdup_null_alloc, 0, FA_ERR_INVALID_ARGUMENT, fa_frame_strdup(NULL, "x") == NULL)    \
    X(frame_strdup_outside, 0, FA_ERR_NO_FRAME, fa_frame_strdup(c->fa, "x") == NULL)              \
    X(frame_realloc_null_alloc, 0, FA_ERR_INVALID_ARGUMENT,                                       \
      fa_frame_realloc(NULL, c->stk, 16, 32, 16) == NULL)                                         \
    X(frame_realloc_outside, 0, FA_ERR_NO_FRAME,                                                  \
      fa_frame_realloc(c->fa, NULL, 0, 32, 16) == NULL)                                           \
    X(frame_realloc_zero, F_FRAME, FA_ERR_ZERO_SIZE,                                              \
      fa_frame_realloc(c->fa, c->fr, 64, 0, 16) == NULL)                                          \
    X(frame_realloc_huge, F_FRAME, FA_ERR_TOO_LARGE,                                              \
      fa_frame_realloc(c->fa, c->fr, 64, SIZE_MAX, 16) == NULL)                                   \
    X(frame_realloc_align3, F_FRAME, FA_ERR_BAD_ALIGN,                                            \
      fa_frame_realloc(c->fa, c->fr, 64, 128, 3) == NULL)                                         \
    X(frame_realloc_garbage, F_FRAME, FA_ERR_FOREIGN_POINTER,                                     \
      fa_frame_realloc(c->fa, FA_GARBAGE, 64, 128, 16) == NULL)                                   \
    X(frame_realloc_wild, F_FRAME, FA_ERR_FOREIGN_POINTER,                                        \
      fa_frame_realloc(c->fa, FA_WILD, 64, 128, 16) == NULL)                                      \
    X(frame_realloc_stack, F_FRAME, FA_ERR_FOREIGN_POINTER,                                       \
      fa_frame_realloc(c->fa, c->stk, 16, 128, 16) == NULL)                                       \
    X(frame_realloc_heap, F_FRAME, FA_ERR_FOREIGN_POINTER,                                        \
      fa_frame_realloc(c->fa, c->hp, 64, 128, 16) == NULL)                                        \
    X(frame_realloc_old_size_too_big, F_FRAME, FA_ERR_INVALID_ARGUMENT,                           \
      fa_frame_realloc(c->fa, c->fr, SIZE_MAX, (size_t)8 << 20, 16) == NULL)                      \
    X(frame_retain_null_alloc, 0, FA_ERR_INVALID_ARGUMENT,                                        \
      fa_frame_retain(NULL, &c->slot, 16, FA_RETAIN_TO_POOL) == FA_ERR_INVALID_ARGUMENT)          \
    X(frame_retain_null_slot, F_FRAME, FA_ERR_INVALID_ARGUMENT,                                   \
      fa_frame_retain(c->fa, NULL, 16, FA_RETAIN_TO_POOL) == FA_ERR_INVALID_ARGUMENT)             \
    X(frame_retain_bad_policy, F_FRAME, FA_ERR_INVALID_ARGUMENT,                                  \
      fa_frame_retain(c->fa, &c->slot, 16, (fa_retain_policy)9) == FA_ERR_INVALID_ARGUMENT)       \
    X(frame_retain_zero, F_FRAME, FA_ERR_ZERO_SIZE,                                               \
      fa_frame_retain(c->fa, &c->slot, 0, FA_RETAIN_TO_HEAP) == FA_ERR_ZERO_SIZE)                 \
    /* A pool retention above FA_POOL_MAX_SIZE is accepted: its copy goes to the heap. */       \
    X(frame_retain_above_pool_max, F_FRAME, FA_OK,                                                \
      fa_frame_retain(c->fa, &c->slot, FA_POOL_MAX_SIZE + 1, FA_RETAIN_TO_POOL) == FA_OK)         \
    X(frame_retain_for_frames_policy, F_FRAME, FA_ERR_INVALID_ARGUMENT,                           \
      fa_frame_retain(c->fa, &c->slot, 16, FA_RETAIN_FOR_FRAMES) == FA_ERR_INVALID_ARGUMENT)      \
    X(frame_retain_for_null_alloc, 0, FA_ERR_INVALID_ARGUMENT,                                    \
      fa_frame_retain_for(NULL, &c->slot, 16, 2) == FA_ERR_INVALID_ARGUMENT)                      \
    X(frame_retain_for_null_slot, F_FRAME, FA_ERR_INVALID_ARGUMENT,                               \
      fa_frame_retain_for(c->fa, NULL, 16, 2) == FA_ERR_INVALID_ARGUMENT)                         \
    X(frame_retain_for_zero_frames, F_FRAME, FA_ERR_INVALID_ARGUMENT,                             \
      fa_frame_retain_for(c->fa, &c->slot, 16, 0) == FA_ERR_INVALID_ARGUMENT)                     \
    X(frame_retain_for_zero_size, F_FRAME, FA_ERR_ZERO_SIZE,                                      \
      fa_frame_retain_for(c->fa, &c->slot, 0, 2) == FA_ERR_ZERO_SIZE)                             \
    X(frame_retain_for_huge, F_FRAME, FA_ERR_TOO_LARGE,                                           \
      fa_frame_retain_for(c->fa, &c->slot, SIZE_MAX, 2) == FA_ERR_TOO_LARGE)                      \
    X(frame_retain_for_outside, 0, FA_ERR_NO_FRAME,                                               \
      fa_frame_retain_for(c->fa, &c->slot, 16, 2) == FA_ERR_NO_FRAME)                             \
    X(frame_retain_discard_outside_nothing_kept, 0, FA_ERR_NO_FRAME,                              \
      fa_frame_retain(c->fa, &c->slot, 0, FA_RETAIN_DISCARD) == FA_ERR_NO_FRAME)                  \
    X(recovery_hook_null_alloc, 0, FA_ERR_INVALID_ARGUMENT,                                       \
      (fa_set_recovery_hook(NULL, NULL, NULL), true))                                             \
    X(free_null, 0, FA_OK, (fa_free(c->fa, NULL), true))                                          \
    X(free_null_alloc, 0, FA_ERR_INVALID_ARGUMENT, (fa_free(NULL, c->hp), true))                  \
    X(free_malloc, 0, FA_ERR_FOREIGN_POINTER, (fa_free(c->fa, c->mal), true))                     \
    X(free_frame, F_FRAME, FA_ERR_FRAME_POINTER, (fa_free(c->fa, c->fr), true))                   \
    X(free_freed_heap, 0, RD(FA_ERR_FOREIGN_POINTER, FA_ERR_DOUBLE_FREE),                         \
      (fa_free(c->fa, c->fhp), true))                                                             \
    X(free_interior_pool, 0, FA_ERR_FOREIGN_POINTER, (fa_free(c->fa, c->po + 8), true))           \
    X(frame_retain_huge, F_FRAME, FA_ERR_TOO_LARGE,                                               \
      fa_frame_retain(c->fa, &c->slot, SIZE_MAX, FA_RETAIN_TO_HEAP) == FA_ERR_TOO_LARGE)          \
    X(frame_retain_outside, 0, FA_ERR_NO_FRAME,                                                   \
      fa_frame_retain(c->fa, &c->slot, 16, FA_RETAIN_TO_POOL) == FA_ERR_NO_FRAME)                 \
    X(frame_trim_null, 0, FA_ERR_INVALID_ARGUMENT, (fa_frame_trim(NULL), true))                   \
    /* pools */                                                                                   \
    X(pool_alloc_null, 0, FA_ERR_INVALID_ARGUMENT, fa_pool_alloc_at(NULL, 16, NULL) == NULL)      \
    X(pool_alloc_zero, 0, FA_ERR_ZERO_SIZE, fa_pool_alloc_at(c->fa, 0, NULL) == NULL)             \
    X(pool_alloc_too_large, 0, FA_ERR_TOO_LARGE,                                                  \
      fa_pool_alloc_at(c->fa, FA_POOL_MAX_SIZE + 1, NULL) == NULL)                                \
    X(pool_alloc_huge, 0, FA_ERR_TOO_LARGE, fa_pool_alloc_at(c->fa, SIZE_MAX, NULL) == NULL)      \
    X(pool_aligned_align0, 0, FA_ERR_BAD_ALIGN,                                                   \
      fa_pool_alloc_aligned_at(c->fa, 16, 0, NULL) == NULL)                                       \
    X(pool_aligned_align3, 0, FA_ERR_BAD_ALIGN,                                                   \
      fa_pool_alloc_aligned_at(c->fa, 16, 3, NULL) == NULL)                                       \
    X(pool_aligned_align_big, 0, FA_ERR_BAD_ALIGN,                                                \
      fa_pool_alloc_aligned_at(c->fa, 16, 1u << 17, NULL) == NULL)                                \
    X(pool_aligned_null, 0, FA_ERR_INVALID_ARGUMENT,                                              \
      fa_pool_alloc_aligned_at(NULL, 16, 16, NULL) == NULL)                                       \
    X(pool_calloc_overflow, 0, FA_ERR_OVERFLOW,                                                   \
      fa_pool_calloc_at(c->fa, SIZE_MAX / 2, 4, NULL) == NULL)                                    \
    X(pool_calloc_zero, 0, FA_ERR_ZERO_SIZE, fa_pool_calloc_at(c->fa, 0, 16, NULL) == NULL)       \
    X(pool_calloc_null, 0, FA_ERR_INVALID_ARGUMENT, fa_pool_calloc_at(NULL, 1, 16, NULL) == NULL) \
    X(pool_free_null_alloc, 0, FA_ERR_INVALID_ARGUMENT, (fa_pool_free(NULL, c->po), true))        \
    X(pool_free_null, 0, FA_OK, (fa_pool_free(c->fa, NULL), true))                                \
    X(pool_free_stack, 0, FA_ERR_FOREIGN_POINTER, (fa_pool_free(c->fa, c->stk), true))            \
    X(pool_free_malloc, 0, FA_ERR_FOREIGN_POINTER, (fa_pool_free(c->fa, c->mal), true))           \
    X(pool_free_interior, 0, FA_ERR_FOREIGN_POINTER, (fa_pool_free(c->fa, c->po + 8), true))      \
    X(pool_free_garbage, 0, FA_ERR_FOREIGN_POINTER, (fa_pool_free(c->fa, FA_GARBAGE), true))      \
    X(pool_free_garbage2, 0, FA_ERR_FOREIGN_POINTER, (fa_pool_free(c->fa, FA_GARBAGE2), true))    \
    X(pool_free_wild, 0, FA_ERR_FOREIGN_POINTER, (fa_pool_free(c->fa, FA_WILD), true))            \
    X(pool_free_heap_block, 0, FA_ERR_FOREIGN_POINTER, (fa_pool_free(c->fa, c->hp), true))        \
    X(pool_free_frame, F_FRAME, FA_ERR_FRAME_POINTER, (fa_pool_free(c->fa, c->fr), true))         \
    X(pool_free_other_alloc, 0, FA_ERR_FOREIGN_POINTER, (fa_pool_free(c->other, c->po), true))    \
    X(pool_usable_garbage, 0, FA_OK, fa_pool_usable_size(c->fa, FA_GARBAGE) == 0)                 \
    X(pool_usable_stack, 0, FA_OK, fa_pool_usable_size(c->fa, c->stk) == 0)                       \
    X(pool_usable_null_alloc, 0, SILENT, fa_pool_usable_size(NULL, c->po) == 0)  \
    X(pool_trim_null, 0, SILENT, (fa_pool_trim(NULL), true))                     \
    /* heap */                                                                                    \
    X(heap_alloc_null, 0, FA_ERR_INVALID_ARGUMENT, fa_heap_alloc_at(NULL, 16, 16, NULL) == NULL)  \
    X(heap_alloc_zero, 0, FA_ERR_ZERO_SIZE, fa_heap_alloc_at(c->fa, 0, 16, NULL) == NULL)         \
    X(heap_alloc_huge, 0, FA_ERR_TOO_LARGE, fa_heap_alloc_at(c->fa, SIZE_MAX, 16, NULL) == NULL)  \
    X(heap_alloc_align0, 0, FA_ERR_BAD_ALIGN, fa_heap_alloc_at(c->fa, 16, 0, NULL) == NULL)       \
    X(heap_alloc_align3, 0, FA_ERR_BAD_ALIGN, fa_heap_alloc_at(c->fa, 16, 3, NULL) == NULL)       \
    X(heap_alloc_align_big, 0, FA_ERR_BAD_ALIGN,                                                  \
      fa_heap_alloc_at(c->fa, 16, 1u << 17, NULL) == NULL)                                        \
    X(heap_realloc_null_alloc, 0, FA_ERR_INVALID_ARGUMENT,                                        \
      fa_heap_realloc_at(NULL, c->hp, 32, NULL) == NULL)                                          \
    X(heap_realloc_zero, 0, FA_ERR_ZERO_SIZE, heap_realloc_copies_nothing_on_failure(c, 0))       \
    X(heap_realloc_huge, 0, FA_ERR_TOO_LARGE, heap_realloc_copies_nothing_on_failure(c, SIZE_MAX)) \
    X(heap_realloc_garbage, 0, FA_ERR_FOREIGN_POINTER,                                            \
      fa_heap_realloc_at(c->fa, FA_GARBAGE, 32, NULL) == NULL)                                    \
    X(heap_realloc_stack, 0, FA_ERR_FOREIGN_POINTER,                                              \
      fa_heap_realloc_at(c->fa, c->stk, 32, NULL) == NULL)                                        \
    X(heap_realloc_freed, 0, RD(FA_ERR_FOREIGN_POINTER, FA_ERR_DOUBLE_FREE),                      \
      fa_heap_realloc_at(c->fa, c->fhp, 32, NULL) == NULL)                                        \
    X(heap_realloc_pool, 0, FA_ERR_FOREIGN_POINTER,                                               \
      fa_heap_realloc_at(c->fa, c->po, 32, NULL) == NULL)                                         \
    X(heap_free_null_alloc, 0, FA_ERR_INVALID_ARGUMENT, (fa_heap_free(NULL, c->hp), true))        \
    X(heap_free_null, 0, FA_OK, (fa_heap_free(c->fa, NULL), true))                                \
    X(heap_free_stack, 0, FA_ERR_FOREIGN_POINTER, (fa_heap_free(c->fa, c->stk), true))            \
    X(heap_free_malloc, 0, FA_ERR_FOREIGN_POINTER, (fa_heap_free(c->fa, c->mal), true))           \
    X(heap_free_interior, 0, FA_ERR_FOREIGN_POINTER, (fa_heap_free(c->fa, c->hp + 16), true))     \
    X(heap_free_garbage, 0, FA_ERR_FOREIGN_POINTER, (fa_heap_free(c->fa, FA_GARBAGE), true))      \
    X(heap_free_wild, 0, FA_ERR_FOREIGN_POINTER, (fa_heap_free(c->fa, FA_WILD), true))            \
    X(heap_free_twice, 0, RD(FA_ERR_FOREIGN_POINTER, FA_ERR_DOUBLE_FREE),                         \
      (fa_heap_free(c->fa, c->fhp), true))                                                        \
    X(heap_free_pool, 0, FA_ERR_FOREIGN_POINTER, (fa_heap_free(c->fa, c->po), true))              \
    X(heap_free_frame, F_FRAME, FA_ERR_FRAME_POINTER, (fa_heap_free(c->fa, c->fr), true))         \
    X(heap_free_other_alloc, 0, RD(FA_ERR_FOREIGN_POINTER, FA_ERR_FOREIGN_POINTER),               \
      (fa_heap_free(c->fa, c->ohp), fa_heap_size(c->other, c->ohp) == 64))                        \
    X(heap_size_garbage, 0, FA_OK, fa_heap_size(c->fa, FA_GARBAGE) == 0)                          \
    X(heap_size_interior, 0, FA_OK, fa_heap_size(c->fa, c->hp + 16) == 0)                         \
    X(heap_size_null_alloc, 0, SILENT, fa_heap_size(NULL, c->hp) == 0)           \
    X(promote_heap_null_source, 0, FA_ERR_INVALID_ARGUMENT,                                       \
      fa_promote_to_heap(c->fa, NULL, 16, 16) == NULL)                                            \
    X(promote_heap_garbage_source, 0, FA_ERR_FOREIGN_POINTER,                                     \
      fa_promote_to_heap(c->fa, FA_GARBAGE, 16, 16) == NULL)                                      \
    X(promote_heap_zero, F_FRAME, FA_ERR_ZERO_SIZE, fa_promote_to_heap(c->fa, c->fr, 0, 16) == NULL) \
    X(promote_heap_huge, F_FRAME, FA_ERR_TOO_LARGE,                                               \
      fa_promote_to_heap(c->fa, c->fr, SIZE_MAX, 16) == NULL)                                     \
    X(promote_heap_align3, F_FRAME, FA_ERR_BAD_ALIGN,                                             \
      fa_promote_to_heap(c->fa, c->fr, 16, 3) == NULL)                                            \
    X(promote_heap_null_alloc, F_FRAME, FA_ERR_INVALID_ARGUMENT,                                  \
      fa_promote_to_heap(NULL, c->fr, 16, 16) == NULL)                                            \
    X(promote_pool_null_source, 0, FA_ERR_INVALID_ARGUMENT,                                       \
      fa_promote_to_pool(c->fa, NULL, 16) == NULL)                                                \
    X(promote_pool_garbage_source, 0, FA_ERR_FOREIGN_POINTER,                                     \
      fa_promote_to_pool(c->fa, FA_GARBAGE, 16) == NULL)                                          \
    X(promote_pool_too_large, F_FRAME, FA_ERR_TOO_LARGE,                                          \
      fa_promote_to_pool(c->fa, c->fr, FA_POOL_MAX_SIZE + 1) == NULL)                             \
    X(promote_pool_null_alloc, F_FRAME, FA_ERR_INVALID_ARGUMENT,                                  \
      fa_promote_to_pool(NULL, c->fr, 16) == NULL)                                                \
    /* transfers */                                                                               \
    X(transfer_create_null_alloc, F_FRAME, FA_ERR_INVALID_ARGUMENT,                               \
      fa_transfer_create(NULL, c->fr, 16) == NULL)                                                \
    X(transfer_create_null_data, 0, FA_ERR_INVALID_ARGUMENT,                                      \
      fa_transfer_create(c->fa, NULL, 16) == NULL)                                                \
    X(transfer_create_zero, F_FRAME, FA_ERR_ZERO_SIZE, fa_transfer_create(c->fa, c->fr, 0) == NULL) \
    X(transfer_create_huge, F_FRAME, FA_ERR_TOO_LARGE,                                            \
      fa_transfer_create(c->fa, c->fr, SIZE_MAX) == NULL)                                         \
    X(transfer_create_garbage, 0, FA_ERR_FOREIGN_POINTER,                                         \
      fa_transfer_create(c->fa, FA_GARBAGE, 16) == NULL)                                          \
    X(transfer_receive_null, 0, FA_ERR_TRANSFER_MISUSE, fa_transfer_receive(NULL) == NULL)        \
    X(transfer_receive_garbage, 0, FA_ERR_TRANSFER_MISUSE,                                        \
      fa_transfer_receive((fa_transfer *)FA_GARBAGE) == NULL)                                     \
    X(transfer_receive_stack, 0, FA_ERR_TRANSFER_MISUSE,                                          \
      fa_transfer_receive((fa_transfer *)c->stk) == NULL)                                         \
    X(transfer_receive_freed, 0, FA_ERR_TRANSFER_MISUSE, fa_transfer_receive(c->fxt) == NULL)     \
    X(transfer_receive_twice, 0, FA_ERR_TRANSFER_MISUSE, receives_twice(c))                       \
    X(transfer_free_null, 0, FA_OK, (fa_transfer_free(NULL), true))                               \
    X(transfer_free_garbage, 0, FA_ERR_TRANSFER_MISUSE,                                           \
      (fa_transfer_free((fa_transfer *)FA_GARBAGE), true))                                        \
    X(transfer_free_wild, 0, FA_ERR_TRANSFER_MISUSE, (fa_transfer_free((fa_transfer *)FA_WILD), true)) \
    X(transfer_free_twice, 0, FA_ERR_TRANSFER_MISUSE, (fa_transfer_free(c->fxt), true))           \
    X(transfer_size_garbage, 0, FA_OK, fa_transfer_size((fa_transfer *)FA_GARBAGE) == 0)          \
    X(transfer_size_freed, 0, FA_OK, fa_transfer_size(c->fxt) == 0)                               \
    X(transfer_size_null, 0, FA_OK, fa_transfer_size(NULL) == 0)                                  \
    /* tags */                                                                                    \
    X(tag_register_null_alloc, 0, FA_ERR_INVALID_ARGUMENT, fa_tag_register(NULL, "a") == 0)       \
    X(tag_register_null_name, 0, FA_ERR_INVALID_ARGUMENT, fa_tag_register(c->fa, NULL) == 0)      \
    X(tag_register_too_many, 0, FA_ERR_INVALID_ARGUMENT, registers_too_many_tags(c))              \
    X(tag_budget_bad_tag, 0, FA_ERR_INVALID_ARGUMENT,                                             \
      fa_tag_set_budget(c->fa, 999, 1, 2) == FA_ERR_INVALID_ARGUMENT)                             \
    X(tag_budget_null_alloc, 0, FA_ERR_INVALID_ARGUMENT,                                          \
      fa_tag_set_budget(NULL, 1, 1, 2) == FA_ERR_INVALID_ARGUMENT)                                \
    X(budget_bad_scope, 0, FA_ERR_INVALID_ARGUMENT,                                               \
      fa_set_budget(c->fa, 999, 1, FA_BUDGET_FAIL) == FA_ERR_INVALID_ARGUMENT)                    \
    X(budget_bad_policy, 0, FA_ERR_INVALID_ARGUMENT,                                              \
      fa_set_budget(c->fa, FA_BUDGET_GLOBAL, 1, (fa_budget_policy)9) == FA_ERR_INVALID_ARGUMENT)  \
    X(budget_above_max, 0, FA_ERR_INVALID_ARGUMENT,                                               \
      fa_set_budget(c->fa, FA_BUDGET_THREAD, SIZE_MAX, FA_BUDGET_WARN) == FA_ERR_INVALID_ARGUMENT) \
    X(budget_null_alloc, 0, FA_ERR_INVALID_ARGUMENT,                                              \
      fa_set_budget(NULL, FA_BUDGET_GLOBAL, 1, FA_BUDGET_FAIL) == FA_ERR_INVALID_ARGUMENT)        \
    X(budget_get_null_out, 0, FA_ERR_INVALID_ARGUMENT,                                            \
      fa_get_budget(c->fa, FA_BUDGET_GLOBAL, NULL) == FA_ERR_INVALID_ARGUMENT)                    \
    X(tag_push_bad_tag, 0, FA_ERR_INVALID_ARGUMENT,                                               \
      (fa_tag_push(c->fa, 999), fa_tag_current(c->fa) == 0))                                      \
    X(tag_push_null_alloc, 0, FA_ERR_INVALID_ARGUMENT, (fa_tag_push(NULL, 1), true))              \
    X(tag_stack_overflow, 0, FA_ERR_NESTING_TOO_DEEP, pushes_past_tag_stack(c))                   \
    X(tag_pop_empty, 0, FA_ERR_INVALID_ARGUMENT, (fa_tag_pop(c->fa), fa_tag_current(c->fa) == 0)) \
    X(tag_pop_null_alloc, 0, FA_ERR_INVALID_ARGUMENT, (fa_tag_pop(NULL), true))                   \
    X(tag_current_null_alloc, 0, SILENT, fa_tag_current(NULL) == 0)              \
    X(tag_name_bad_tag, 0, FA_OK, fa_tag_name(c->fa, 999) == NULL)                                \
    X(tag_name_null_alloc, 0, SILENT, fa_tag_name(NULL, 0) == NULL)              \
    /* statistics */                                                                              \
    X(stats_null_alloc, 0, FA_ERR_INVALID_ARGUMENT, (fa_get_stats(NULL, &c->st), true))           \
    X(stats_null_out, 0, SILENT, (fa_get_stats(c->fa, NULL), true))              \
    X(thread_stats_null_alloc, 0, FA_ERR_INVALID_ARGUMENT,                                        \
      fa_get_thread_stats(NULL, &c->ts, 1) == 0)                                                  \
    X(thread_stats_null_out, 0, FA_OK, fa_get_thread_stats(c->fa, NULL, 0) >= 1)                  \
    X(thread_stats_null_out_with_max, 0, SILENT,                                 \
      (fa_get_thread_stats(c->fa, NULL, 4), true))                                                \
    X(my_stats_null_alloc, 0, SILENT, (fa_get_my_thread_stats(NULL, &c->ts), true)) \
    X(my_stats_null_out, 0, SILENT, (fa_get_my_thread_stats(c->fa, NULL), true)) \
    X(tag_stats_bad_tag, 0, FA_ERR_INVALID_ARGUMENT,                                              \
      fa_get_tag_stats(c->fa, 999, &c->tgs) == FA_ERR_INVALID_ARGUMENT)                           \
    X(tag_stats_null_out, 0, FA_ERR_INVALID_ARGUMENT,                                             \
      fa_get_tag_stats(c->fa, 0, NULL) == FA_ERR_INVALID_ARGUMENT)                                \
    X(tag_stats_null_alloc, 0, SILENT,                                           \
      fa_get_tag_stats(NULL, 0, &c->tgs) == FA_ERR_INVALID_ARGUMENT)                              \
    /* barrier */                                                                                 \
    X(barrier_create_zero, 0, FA_ERR_INVALID_ARGUMENT, fa_barrier_create(0) == NULL)              \
    X(barrier_destroy_null, 0, FA_OK, (fa_barrier_destroy(NULL), true))                           \
    X(barrier_wait_null, 0, FA_ERR_INVALID_ARGUMENT, fa_barrier_wait(NULL) == 0)                  \
    /* debug checks */                                                                            \
    X(check_ptr_null_alloc, 0, FA_ERR_INVALID_ARGUMENT,                                           \
      fa_check_ptr_at(NULL, c->hp, NULL) == FA_ERR_INVALID_ARGUMENT)                              \
    X(check_ptr_null, 0, FA_ERR_INVALID_ARGUMENT,                                                 \
      fa_check_ptr_at(c->fa, NULL, NULL) == FA_ERR_INVALID_ARGUMENT)                              \
    X(check_ptr_garbage, 0, FA_ERR_FOREIGN_POINTER,                                               \
      fa_check_ptr_at(c->fa, FA_GARBAGE, NULL) == FA_ERR_FOREIGN_POINTER)                         \
    X(check_ptr_stack, 0, FA_ERR_FOREIGN_POINTER,                                                 \
      fa_check_ptr_at(c->fa, c->stk, NULL) == FA_ERR_FOREIGN_POINTER)                             \
    X(check_ptr_malloc, 0, FA_ERR_FOREIGN_POINTER,                                                \
      fa_check_ptr_at(c->fa, c->mal, NULL) == FA_ERR_FOREIGN_POINTER)                             \
    X(check_ptr_freed_heap, 0, FA_ERR_FOREIGN_POINTER,                                            \
      fa_check_ptr_at(c->fa, c->fhp, NULL) == FA_ERR_FOREIGN_POINTER)                             \
    X(check_ptr_other_alloc, 0, FA_ERR_FOREIGN_POINTER,                                           \
      fa_check_ptr_at(c->fa, c->ohp, NULL) == FA_ERR_FOREIGN_POINTER)                             \
    X(validate_null, 0, FA_ERR_INVALID_ARGUMENT, fa_validate(NULL) == FA_ERR_INVALID_ARGUMENT)     \
    X(pool_free_at_garbage, 0, FA_ERR_FOREIGN_POINTER,                                            \
      (fa_pool_free_at(c->fa, FA_GARBAGE, "site"), true))                                         \
    X(heap_free_at_garbage, 0, FA_ERR_FOREIGN_POINTER,                                            \
      (fa_heap_free_at(c->fa, FA_GARBAGE, "site"), true))

/* Pool double free is detected by the debug library's per-object states only. */
#if FA_DEBUG
#define DEBUG_CASES(X) \
    X(pool_free_twice, 0, FA_ERR_DOUBLE_FREE, (fa_pool_free(c->fa, c->fpo), true))
#else
#define DEBUG_CASES(X)
#endif

#define DEFINE_CASE(name, flags, st, expr) \
    static bool case_##name(ctx *c) {      \
        (void)c;                           \
        return (expr);                     \
    }
CASES(DEFINE_CASE)
DEBUG_CASES(DEFINE_CASE)

typedef struct bad_case {
    const char *name;
    unsigned flags;
    fa_status expect;
    bool (*run)(ctx *c);
} bad_case;

#define TABLE_ROW(name, flags, st, expr) {#name, flags, st, case_##name},
static const bad_case cases[] = {CASES(TABLE_ROW) DEBUG_CASES(TABLE_ROW)};

/* Fresh allocator with one object of every kind, a freed one of each, another allocator. */
static void ctx_init(ctx *c, const bad_case *bc) {
    memset(c, 0, sizeof *c);
    fa_config cfg = tu_config();
    if (bc->flags & F_DEPTH2) cfg.max_frame_depth = 2;
    c->fa = tu_create(&cfg);
    c->other = tu_create(NULL);
    cr_assert(c->fa != NULL && c->other != NULL);
    c->mal = malloc(64);
    c->hp = fa_heap_alloc(c->fa, 64, 16);
    c->po = fa_pool_alloc(c->fa, 64);
    c->fhp = fa_heap_alloc(c->fa, 64, 16);
    c->fpo = fa_pool_alloc(c->fa, 64);
    c->ohp = fa_heap_alloc(c->other, 64, 16);
    unsigned char src[64];
    memset(src, 0x5c, sizeof src);
    c->xt = fa_transfer_create(c->fa, src, sizeof src);
    c->fxt = fa_transfer_create(c->fa, src, sizeof src);
    c->tag = fa_tag_register(c->fa, "tagged");
    cr_assert(c->mal && c->hp && c->po && c->fhp && c->fpo && c->ohp && c->xt && c->fxt && c->tag);
    tu_fill(c->hp, 64, 1);
    tu_fill(c->po, 64, 2);
    tu_fill(c->ohp, 64, 3);
    tu_fill(c->stk, 64, 4);
    fa_heap_free(c->fa, c->fhp);
    fa_pool_free(c->fa, c->fpo);
    fa_transfer_free(c->fxt);
    if (bc->flags & F_FRAME) {
        fa_begin_frame(c->fa);
        c->fr = fa_frame_alloc(c->fa, 64, 16);
        cr_assert_not_null(c->fr);
        tu_fill(c->fr, 64, 5);
    }
    cr_assert_eq(tu_total(), 0, "setup reported: %s", tu_cap.message);
}

/* Everything is still intact, validates, and goes away without a report. */
static void ctx_check_and_free(ctx *c, const bad_case *bc) {
    const char *n = bc->name;
    cr_assert_eq(fa_validate(c->fa), FA_OK, "%s: fa_validate: %s", n, tu_cap.message);
    cr_assert_eq(fa_validate(c->other), FA_OK, "%s: fa_validate (other): %s", n, tu_cap.message);
    cr_assert_eq(tu_check(c->hp, 64, 1), SIZE_MAX, "%s: heap block damaged", n);
    cr_assert_eq(tu_check(c->po, 64, 2), SIZE_MAX, "%s: pool object damaged", n);
    cr_assert_eq(tu_check(c->ohp, 64, 3), SIZE_MAX, "%s: other heap block damaged", n);
    cr_assert_eq(tu_check(c->stk, 64, 4), SIZE_MAX, "%s: stack buffer damaged", n);
    if (c->fr != NULL) {
        cr_assert_eq(tu_check(c->fr, 64, 5), SIZE_MAX, "%s: frame allocation damaged", n);
        while (fa_frame_depth(c->fa) > 0) fa_end_frame(c->fa);
    }
    cr_assert_eq(fa_heap_size(c->fa, c->hp), 64, "%s", n);
    cr_assert_eq(fa_transfer_size(c->xt), 64, "%s", n);
    unsigned before = tu_total();
    fa_heap_free(c->fa, c->hp);
    fa_pool_free(c->fa, c->po);
    fa_transfer_free(c->xt);
    fa_heap_free(c->other, c->ohp);
    free(c->mal);
    cr_assert_eq(fa_validate(c->fa), FA_OK, "%s: fa_validate after cleanup", n);
    fa_destroy(c->fa);
    fa_destroy(c->other);
    cr_assert_eq(tu_total(), before, "%s: cleanup reported: %s", n, tu_cap.message);
}

static void run_case(const bad_case *bc) {
    ctx *c = calloc(1, sizeof *c);
    ctx_init(c, bc);
    tu_capture_reset(&tu_cap);
    bool result = bc->run(c);
    unsigned reports = tu_total();
    fa_status last = tu_cap.last;
    cr_assert(result, "%s: wrong result (%u reports, last %s: %s)", bc->name, reports,
              fa_status_name(last), tu_cap.message);
    if (bc->expect == FA_OK) {
        cr_assert_eq(reports, 0, "%s: unexpected report %s: %s", bc->name, fa_status_name(last),
                     tu_cap.message);
    } else {
        cr_assert_eq(reports, 1, "%s: %u reports (last %s: %s)", bc->name, reports,
                     fa_status_name(last), tu_cap.message);
        cr_assert_eq(last, bc->expect, "%s: reported %s, expected %s: %s", bc->name,
                     fa_status_name(last), fa_status_name(bc->expect), tu_cap.message);
        cr_assert(tu_cap.message_set && tu_cap.report_set, "%s: empty message", bc->name);
    }
    tu_capture_reset(&tu_cap);
    ctx_check_and_free(c, bc);
    free(c);
}

Test(bad_input, every_public_function, .init = tu_setup, .timeout = 120) {
    size_t n = sizeof cases / sizeof cases[0];
    cr_assert_gt(n, 150, "%zu rows", n);
    for (size_t i = 0; i < n; i++) run_case(&cases[i]);
}

/* The same garbage pointers once the pointer sets hold tombstones (freed heap blocks and
 * transfer handles everywhere on their probe chains). */
Test(bad_input, garbage_after_churn, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    enum { N = 3000 };
    void **h = calloc(N, sizeof *h);
    fa_transfer **x = calloc(N, sizeof *x);
    char src[16] = {0};
    for (int i = 0; i < N; i++) {
        h[i] = fa_heap_alloc(fa, 16, 16);
        x[i] = fa_transfer_create(fa, src, sizeof src);
    }
    for (int i = 0; i < N; i++) {
        fa_heap_free(fa, h[i]);
        fa_transfer_free(x[i]);
    }
    cr_assert_eq(tu_total(), 0);
    void *g[] = {FA_GARBAGE, FA_GARBAGE2, (void *)2, (void *)8, FA_WILD};
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
        unsigned before = tu_total();
        fa_heap_free(fa, g[i]);
        cr_assert_eq(fa_heap_size(fa, g[i]), 0);
        cr_assert_null(fa_heap_realloc(fa, g[i], 32));
        fa_pool_free(fa, g[i]);
        cr_assert_eq(fa_check_ptr(fa, g[i]), FA_ERR_FOREIGN_POINTER);
        cr_assert_null(fa_transfer_receive((fa_transfer *)g[i]));
        cr_assert_eq(fa_transfer_size((fa_transfer *)g[i]), 0);
        fa_transfer_free((fa_transfer *)g[i]);
        cr_assert_eq(tu_total(), before + 6, "pointer %p", g[i]);
    }
    cr_assert_eq(fa_validate(fa), FA_OK);
    free(h);
    free(x);
    fa_destroy(fa);
}
