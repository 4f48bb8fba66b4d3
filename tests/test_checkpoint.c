/*
 * test_checkpoint.c - fa_frame_checkpoint / fa_frame_rollback: released bytes are reused,
 * older memory stays intact, nested checkpoints, rollbacks across frame blocks, retentions of
 * released memory, statistics, every misuse (reported, nothing released), debug builds
 * treating rolled-back memory as ended-scope memory, and per-thread independence.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdint.h>
#include <string.h>

static fa_alloc *fa;

static void setup(void) {
    tu_setup();
    fa_config cfg = tu_config();
    cfg.frame_block_size = 64 << 10;
    fa = tu_create(&cfg);
}
static void teardown(void) { fa_destroy(fa); }

#define CP_TEST(name, ...) Test(checkpoint, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static size_t frame_bytes(void) {
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    return ts.frame_bytes;
}

CP_TEST(rollback_releases_and_reuses) {
    fa_begin_frame(fa);
    char *keep = fa_frame_alloc(fa, 200, 16);
    tu_fill(keep, 200, 1);
    size_t before = frame_bytes();
    fa_checkpoint cp = fa_frame_checkpoint(fa);
    char *a = fa_frame_alloc(fa, 1000, 16);
    char *b = fa_frame_alloc(fa, 3000, 64);
    cr_assert_not_null(a);
    cr_assert_not_null(b);
    cr_assert_gt(frame_bytes(), before);
    fa_frame_rollback(fa, cp);
    cr_assert_eq(frame_bytes(), before);
    char *c = fa_frame_alloc(fa, 1000, 16);
    cr_assert_eq(c, a, "the released bytes are handed out again");
    cr_assert_eq(tu_check(keep, 200, 1), SIZE_MAX);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

/* Keeping a checkpoint is not rolling back; rolling back twice to one checkpoint is fine. */
CP_TEST(keep_and_repeat) {
    fa_begin_frame(fa);
    fa_checkpoint cp = fa_frame_checkpoint(fa);
    void *a = fa_frame_alloc(fa, 64, 16);
    size_t used = frame_bytes();
    (void)fa_frame_checkpoint(fa); /* dropped */
    cr_assert_eq(frame_bytes(), used);
    for (int i = 0; i < 5; i++) {
        fa_frame_rollback(fa, cp);
        cr_assert_eq(fa_frame_alloc(fa, 64, 16), a);
    }
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

CP_TEST(nested_checkpoints_older_after_newer) {
    fa_begin_frame(fa);
    size_t b0 = frame_bytes();
    fa_checkpoint c1 = fa_frame_checkpoint(fa);
    fa_frame_alloc(fa, 512, 16);
    size_t b1 = frame_bytes();
    fa_checkpoint c2 = fa_frame_checkpoint(fa);
    fa_frame_alloc(fa, 512, 16);
    fa_frame_rollback(fa, c2);
    cr_assert_eq(frame_bytes(), b1);
    fa_frame_rollback(fa, c1);
    cr_assert_eq(frame_bytes(), b0);
    /* Directly past a newer, un-rolled-back checkpoint. */
    c1 = fa_frame_checkpoint(fa);
    fa_frame_alloc(fa, 100, 16);
    (void)fa_frame_checkpoint(fa);
    fa_frame_alloc(fa, 100, 16);
    fa_frame_rollback(fa, c1);
    cr_assert_eq(frame_bytes(), b0);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

/* A checkpoint released by an older rollback is stale: reported, nothing released, even
 * after new allocations moved the frame past its position again. */
CP_TEST(stale_checkpoint_is_misuse) {
    fa_begin_frame(fa);
    fa_checkpoint c1 = fa_frame_checkpoint(fa);
    fa_frame_alloc(fa, 256, 16);
    fa_checkpoint c2 = fa_frame_checkpoint(fa);
    fa_frame_rollback(fa, c1);
    size_t b = frame_bytes();
    fa_frame_rollback(fa, c2);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    cr_assert_eq(frame_bytes(), b);
    char *x = fa_frame_alloc(fa, 1024, 16);
    tu_fill(x, 1024, 9);
    size_t after = frame_bytes();
    fa_frame_rollback(fa, c2);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 2);
    cr_assert_eq(frame_bytes(), after);
    cr_assert_eq(tu_check(x, 1024, 9), SIZE_MAX);
    fa_end_frame(fa);
}

/* Rollback across frame blocks (the scope spilled after the checkpoint). */
CP_TEST(rollback_across_blocks) {
    fa_begin_frame(fa);
    char *keep = fa_frame_alloc(fa, 1000, 16);
    tu_fill(keep, 1000, 4);
    size_t before = frame_bytes();
    fa_checkpoint cp = fa_frame_checkpoint(fa);
    for (int i = 0; i < 40; i++) cr_assert_not_null(fa_frame_alloc(fa, 8000, 16));
    cr_assert_gt(frame_bytes(), (size_t)(64 << 10));
    fa_frame_rollback(fa, cp);
    cr_assert_eq(frame_bytes(), before);
    for (int i = 0; i < 40; i++) {
        char *p = fa_frame_alloc(fa, 8000, 16);
        cr_assert_not_null(p);
        tu_fill(p, 8000, (uint32_t)i);
    }
    cr_assert_eq(tu_check(keep, 1000, 4), SIZE_MAX);
    cr_assert_eq(fa_validate(fa), FA_OK);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

/* Checkpoint taken before the thread's first block exists. */
CP_TEST(rollback_before_first_block) {
    fa_begin_frame(fa);
    fa_checkpoint cp = fa_frame_checkpoint(fa);
    void *a = fa_frame_alloc(fa, 100, 16);
    fa_frame_rollback(fa, cp);
    cr_assert_eq(frame_bytes(), 0);
    cr_assert_eq(fa_frame_alloc(fa, 100, 16), a);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

CP_TEST(nested_scope_rollback_inside) {
    fa_begin_frame(fa);
    char *outer = fa_frame_alloc(fa, 300, 16);
    tu_fill(outer, 300, 2);
    fa_begin_frame(fa);
    size_t b = frame_bytes();
    fa_checkpoint cp = fa_frame_checkpoint(fa);
    fa_frame_alloc(fa, 4000, 16);
    fa_frame_rollback(fa, cp);
    cr_assert_eq(frame_bytes(), b);
    fa_end_frame(fa);
    cr_assert_eq(tu_check(outer, 300, 2), SIZE_MAX);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

/* Retentions of released memory are dropped (their slot untouched), others still run. */
CP_TEST(retains_of_released_memory_dropped) {
    void *kept = NULL, *dropped = NULL;
    fa_begin_frame(fa);
    kept = fa_frame_alloc(fa, 64, 16);
    tu_fill(kept, 64, 7);
    fa_checkpoint cp = fa_frame_checkpoint(fa);
    cr_assert_eq(fa_frame_retain(fa, &kept, 64, FA_RETAIN_TO_HEAP), FA_OK);
    dropped = fa_frame_alloc(fa, 64, 16);
    void *dropped_was = dropped;
    cr_assert_eq(fa_frame_retain(fa, &dropped, 64, FA_RETAIN_TO_POOL), FA_OK);
    fa_frame_rollback(fa, cp);
    fa_end_frame(fa);
    cr_assert_eq(dropped, dropped_was, "a dropped retention leaves its slot alone");
    cr_assert_not_null(kept);
    cr_assert_eq(fa_heap_size(fa, kept), 64);
    cr_assert_eq(tu_check(kept, 64, 7), SIZE_MAX);
    fa_heap_free(fa, kept);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 0, "nothing was copied for the released slot");
    cr_assert_eq(tu_total(), 0);
}

/* The high-water mark keeps the peak that was rolled back. */
CP_TEST(high_water_counts_rolled_back_peak) {
    fa_begin_frame(fa);
    fa_checkpoint cp = fa_frame_checkpoint(fa);
    fa_frame_alloc(fa, 20000, 16);
    fa_frame_rollback(fa, cp);
    fa_frame_alloc(fa, 100, 16);
    fa_end_frame(fa);
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    cr_assert_geq(ts.frame_high_water_last, 20000);
}

CP_TEST(misuse_outside_and_empty) {
    fa_checkpoint none = fa_frame_checkpoint(fa);
    cr_assert_eq(tu_count(FA_ERR_NO_FRAME), 1);
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 64, 16);
    size_t b = frame_bytes();
    fa_frame_rollback(fa, none);
    fa_checkpoint zero;
    memset(&zero, 0, sizeof zero);
    fa_frame_rollback(fa, zero);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 2);
    cr_assert_eq(frame_bytes(), b);
    fa_frame_rollback(NULL, zero);
    (void)fa_frame_checkpoint(NULL);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 4);
    fa_end_frame(fa);
}

CP_TEST(misuse_other_scope_and_frame) {
    fa_begin_frame(fa);
    fa_checkpoint outer = fa_frame_checkpoint(fa);
    fa_frame_alloc(fa, 64, 16);
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 64, 16);
    size_t b = frame_bytes();
    fa_frame_rollback(fa, outer);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1, "outer scope's checkpoint");
    cr_assert_eq(frame_bytes(), b);
    fa_checkpoint inner = fa_frame_checkpoint(fa);
    fa_end_frame(fa);
    b = frame_bytes();
    fa_frame_rollback(fa, inner);
    cr_assert_eq(tu_count(FA_ERR_USE_AFTER_FRAME), 1, "ended scope's checkpoint");
    cr_assert_eq(frame_bytes(), b);
    fa_end_frame(fa);
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 64, 16);
    b = frame_bytes();
    fa_frame_rollback(fa, outer);
    cr_assert_eq(tu_count(FA_ERR_USE_AFTER_FRAME), 2, "last frame's checkpoint");
    cr_assert_eq(frame_bytes(), b);
    fa_end_frame(fa);
    /* Another allocator's checkpoint. */
    fa_alloc *other = tu_create(NULL);
    fa_begin_frame(other);
    fa_checkpoint oc = fa_frame_checkpoint(other);
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 64, 16);
    b = frame_bytes();
    fa_frame_rollback(fa, oc);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 2);
    cr_assert_eq(frame_bytes(), b);
    fa_end_frame(fa);
    fa_end_frame(other);
    fa_destroy(other);
}

typedef struct {
    fa_checkpoint cp;
    size_t bytes_before, bytes_after;
    int ok;
} xjob;

static void *foreign_rollback(void *arg) {
    xjob *j = arg;
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 64, 16);
    j->bytes_before = frame_bytes();
    fa_frame_rollback(fa, j->cp);
    j->bytes_after = frame_bytes();
    fa_end_frame(fa);
    return NULL;
}

CP_TEST(misuse_other_thread) {
    fa_begin_frame(fa);
    xjob j;
    memset(&j, 0, sizeof j);
    j.cp = fa_frame_checkpoint(fa);
    fa_frame_alloc(fa, 4096, 16);
    size_t b = frame_bytes();
    tu_run_threads(1, foreign_rollback, &j, sizeof j);
    cr_assert_eq(tu_count(FA_ERR_WRONG_THREAD), 1);
    cr_assert_eq(j.bytes_after, j.bytes_before, "nothing released on the other thread");
    cr_assert_eq(frame_bytes(), b, "nothing released here");
    fa_frame_rollback(fa, j.cp);
    cr_assert_eq(frame_bytes(), 0);
    fa_end_frame(fa);
}

static void *cp_worker(void *arg) {
    int *ok = arg;
    *ok = 1;
    for (int f = 0; f < 200; f++) {
        fa_begin_frame(fa);
        char *keep = fa_frame_alloc(fa, 128, 16);
        tu_fill(keep, 128, (uint32_t)f);
        for (int i = 0; i < 20; i++) {
            fa_checkpoint cp = fa_frame_checkpoint(fa);
            char *t = fa_frame_alloc(fa, 100 + (size_t)i * 97, 16);
            if (t == NULL) *ok = 0;
            else tu_fill(t, 100 + (size_t)i * 97, 5);
            fa_frame_rollback(fa, cp);
        }
        if (tu_check(keep, 128, (uint32_t)f) != SIZE_MAX) *ok = 0;
        fa_end_frame(fa);
    }
    return NULL;
}

CP_TEST(threads_independent) {
    int ok[4] = {0};
    tu_run_threads(4, cp_worker, ok, sizeof ok[0]);
    for (int i = 0; i < 4; i++) cr_assert(ok[i], "thread %d", i);
    cr_assert_eq(tu_total(), 0);
}

/* Debug builds: rolled-back memory is ended-scope memory (use after frame); a write to it is
 * found when the bytes are handed out again. */
CP_TEST(debug_rolled_back_is_use_after_frame) {
    if (fa_debug_level() < 1) return;
    fa_begin_frame(fa);
    fa_checkpoint cp = fa_frame_checkpoint(fa);
    char *p = fa_frame_alloc(fa, 64, 16);
    cr_assert_eq(fa_check_ptr(fa, p), FA_OK);
    fa_frame_rollback(fa, cp);
    cr_assert_eq(fa_check_ptr(fa, p), FA_ERR_USE_AFTER_FRAME);
    cr_assert_eq(tu_count(FA_ERR_USE_AFTER_FRAME), 1);
    fa_end_frame(fa);
}

CP_TEST(debug_write_after_rollback_detected) {
    if (fa_debug_level() < 1 || TU_ASAN) return;
    fa_begin_frame(fa);
    fa_checkpoint cp = fa_frame_checkpoint(fa);
    volatile char *p = fa_frame_alloc(fa, 64, 16);
    fa_frame_rollback(fa, cp);
    p[3] = 1; /* the stale write under test */
    (void)fa_frame_alloc(fa, 64, 16);
    cr_assert_eq(tu_count(FA_ERR_CORRUPTION), 1);
    fa_end_frame(fa);
}
