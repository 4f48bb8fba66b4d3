/*
 * test_retain.c - retentions that cannot be honoured (pool -> heap fallback, slot set to NULL
 * and reported when both refuse) and keep-for-N-frames (fa_frame_retain_for): the copy lives
 * exactly N outermost frames, the slot is NULL after, cancelling with FA_RETAIN_DISCARD,
 * re-keeping, a slot the program reassigned, rollbacks, thread exit and fa_destroy with copies
 * outstanding (no leak report), debug checks on the copies.
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

#define RT_TEST(name, ...) Test(retain, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static fa_stats stats(fa_alloc *a) {
    fa_stats st;
    fa_get_stats(a, &st);
    return st;
}

static void *frame_data(fa_alloc *a, size_t n, uint32_t seed) {
    void *p = fa_frame_alloc(a, n, 16);
    cr_assert_not_null(p);
    tu_fill(p, n, seed);
    return p;
}

static void run_frames(fa_alloc *a, int n) {
    for (int i = 0; i < n; i++) {
        fa_begin_frame(a);
        memset(fa_frame_alloc(a, 4096, 16), 0xEE, 4096); /* reuse the frame's bytes */
        fa_end_frame(a);
    }
}

/* ---- retentions that cannot be honoured -------------------------------------------------- */

RT_TEST(pool_above_max_goes_to_heap) {
    fa_begin_frame(fa);
    void *slot = frame_data(fa, FA_POOL_MAX_SIZE + 100, 1);
    void *was = slot;
    cr_assert_eq(fa_frame_retain(fa, &slot, FA_POOL_MAX_SIZE + 100, FA_RETAIN_TO_POOL), FA_OK);
    fa_end_frame(fa);
    cr_assert(slot != NULL && slot != was);
    cr_assert_eq(fa_heap_size(fa, slot), FA_POOL_MAX_SIZE + 100);
    cr_assert_eq(tu_check(slot, FA_POOL_MAX_SIZE + 100, 1), SIZE_MAX);
    cr_assert_eq(stats(fa).retain_fallbacks, 1);
    cr_assert_eq(tu_total(), 0);
    fa_free(fa, slot);
    cr_assert_eq(stats(fa).heap_count, 0);
}

/* The pool refuses (tag budget): the copy is a heap block, nothing is reported. */
Test(retain, pool_refuses_heap_copy, .init = tu_setup) {
    fa_alloc *a = tu_create(NULL);
    fa_tag tag = fa_tag_register(a, "nav");
    /* The pool copy takes a 512-byte object, the heap copy the 500 bytes asked for. */
    cr_assert_eq(fa_tag_set_budget(a, tag, 0, 511), FA_OK);
    fa_begin_frame(a);
    void *slot = frame_data(a, 500, 2);
    fa_tag_push(a, tag); /* the copy is charged to it, the frame bytes are not */
    cr_assert_eq(fa_frame_retain(a, &slot, 500, FA_RETAIN_TO_POOL), FA_OK);
    fa_end_frame(a);
    cr_assert_not_null(slot);
    cr_assert_eq(fa_heap_size(a, slot), 500, "the heap took it");
    cr_assert_eq(tu_check(slot, 500, 2), SIZE_MAX);
    fa_stats st = stats(a);
    cr_assert_eq(st.retain_fallbacks, 1);
    cr_assert_eq(st.retain_failures, 0);
    cr_assert_eq(tu_total(), 0, "a fallback is not an error");
    fa_free(a, slot);
    fa_tag_pop(a);
    fa_destroy(a);
    cr_assert_eq(tu_total(), 0);
}

/* Pool and heap refuse: the slot is NULL (never dead frame memory) and the status reported. */
Test(retain, both_refuse_slot_null_reported, .init = tu_setup) {
    fa_alloc *a = tu_create(NULL);
    fa_tag tag = fa_tag_register(a, "nav");
    cr_assert_eq(fa_tag_set_budget(a, tag, 0, 64), FA_OK);
    fa_begin_frame(a);
    void *slot = frame_data(a, 500, 3);
    void *kept = frame_data(a, 100, 4);
    fa_tag_push(a, tag); /* the copies are charged to it, the frame bytes are not */
    cr_assert_eq(fa_frame_retain(a, &slot, 500, FA_RETAIN_TO_POOL), FA_OK);
    cr_assert_eq(fa_frame_retain_for(a, &kept, 100, 2), FA_OK);
    fa_end_frame(a);
    cr_assert_null(slot);
    cr_assert_null(kept);
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 2, "one report per retention");
    cr_assert_eq(tu_total(), 2);
    cr_assert(strstr(tu_cap.message, "set to NULL") != NULL, "%s", tu_cap.message);
    fa_stats st = stats(a);
    cr_assert_eq(st.retain_failures, 2);
    cr_assert_eq(st.kept_count, 0);
    cr_assert_eq(st.pool_count + st.heap_count, 0);
    fa_tag_pop(a);
    fa_destroy(a);
}

Test(retain, heap_limit_slot_null_reported, .init = tu_setup) {
    fa_config cfg = tu_config();
    cfg.heap_limit = 4096;
    fa_alloc *a = tu_create(&cfg);
    fa_begin_frame(a);
    void *slot = frame_data(a, FA_POOL_MAX_SIZE + 1, 5);
    cr_assert_eq(fa_frame_retain(a, &slot, FA_POOL_MAX_SIZE + 1, FA_RETAIN_TO_POOL), FA_OK);
    fa_end_frame(a);
    cr_assert_null(slot);
    cr_assert_eq(tu_count(FA_ERR_HEAP_LIMIT), 1);
    cr_assert_eq(tu_total(), 1);
    fa_destroy(a);
}

/* ---- keep for N frames ------------------------------------------------------------------- */

static void keep_exactly(fa_alloc *a, unsigned n, size_t size) {
    fa_begin_frame(a);
    void *slot = frame_data(a, size, n);
    void *was = slot;
    cr_assert_eq(fa_frame_retain_for(a, &slot, size, n), FA_OK);
    cr_assert_eq(slot, was, "nothing happens before the scope ends");
    fa_end_frame(a);
    cr_assert(slot != NULL && slot != was);
    void *copy = slot;
    cr_assert_eq(stats(a).kept_count, 1);
    cr_assert_eq(stats(a).kept_bytes, size);
    for (unsigned i = 1; i <= n; i++) {
        fa_begin_frame(a);
        cr_assert_eq(slot, copy, "frame %u of %u", i, n);
        cr_assert_eq(tu_check(slot, size, n), SIZE_MAX, "frame %u of %u", i, n);
        cr_assert_eq(fa_check_ptr(a, slot), FA_OK);
        memset(fa_frame_alloc(a, 4096, 16), 0, 4096);
        fa_end_frame(a);
        if (i < n) cr_assert_eq(slot, copy, "still kept after frame %u of %u", i, n);
    }
    cr_assert_null(slot, "freed at the end of the %u-th frame after", n);
    cr_assert_eq(stats(a).kept_count, 0);
    cr_assert_eq(stats(a).kept_bytes, 0);
}

RT_TEST(keeps_exactly_n_frames) {
    keep_exactly(fa, 1, 64);
    keep_exactly(fa, 2, 300);
    keep_exactly(fa, 5, 20000); /* heap copy */
    fa_stats st = stats(fa);
    cr_assert_eq(st.pool_count, 0);
    cr_assert_eq(st.heap_count, 0);
    cr_assert_eq(tu_total(), 0);
}

/* Frames count outermost frames; a nested scope's end starts the count from the current one. */
RT_TEST(nested_scope_counts_outermost_frames) {
    fa_begin_frame(fa);
    fa_begin_frame(fa);
    void *slot = frame_data(fa, 128, 6);
    cr_assert_eq(fa_frame_retain_for(fa, &slot, 128, 1), FA_OK);
    fa_end_frame(fa);
    void *copy = slot;
    cr_assert_not_null(copy);
    for (int i = 0; i < 3; i++) { /* inner scopes are not frames */
        fa_begin_frame(fa);
        fa_end_frame(fa);
    }
    cr_assert_eq(slot, copy);
    fa_end_frame(fa); /* the frame it was kept in */
    cr_assert_eq(slot, copy);
    run_frames(fa, 1);
    cr_assert_null(slot);
    cr_assert_eq(tu_total(), 0);
}

/* frames == 0 is rejected and registers nothing; an earlier registration stands. */
RT_TEST(zero_frames_rejected) {
    fa_begin_frame(fa);
    void *slot = frame_data(fa, 64, 7);
    void *was = slot;
    cr_assert_eq(fa_frame_retain_for(fa, &slot, 64, 0), FA_ERR_INVALID_ARGUMENT);
    void *other = frame_data(fa, 64, 8);
    cr_assert_eq(fa_frame_retain_for(fa, &other, 64, 2), FA_OK);
    cr_assert_eq(fa_frame_retain_for(fa, &other, 64, 0), FA_ERR_INVALID_ARGUMENT);
    fa_end_frame(fa);
    cr_assert_eq(slot, was, "nothing was registered for it");
    cr_assert_not_null(other);
    cr_assert_eq(tu_check(other, 64, 8), SIZE_MAX, "the earlier keep for two frames stands");
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 2);
    cr_assert_eq(stats(fa).kept_count, 1);
    run_frames(fa, 2);
    cr_assert_null(other);
}

/* DISCARD cancels a pending keep in its scope, and ends an active keep (in a frame or not). */
RT_TEST(discard_cancels) {
    fa_begin_frame(fa);
    void *pending = frame_data(fa, 64, 9);
    void *was = pending;
    cr_assert_eq(fa_frame_retain_for(fa, &pending, 64, 3), FA_OK);
    cr_assert_eq(fa_frame_retain(fa, &pending, 0, FA_RETAIN_DISCARD), FA_OK);
    void *a = frame_data(fa, 64, 10), *b = frame_data(fa, 5000, 11);
    cr_assert_eq(fa_frame_retain_for(fa, &a, 64, 3), FA_OK);
    cr_assert_eq(fa_frame_retain_for(fa, &b, 5000, 3), FA_OK);
    fa_end_frame(fa);
    cr_assert_eq(pending, was, "a cancelled keep leaves its slot alone");
    cr_assert_eq(stats(fa).kept_count, 2);
    fa_begin_frame(fa);
    cr_assert_eq(fa_frame_retain(fa, &a, 0, FA_RETAIN_DISCARD), FA_OK);
    cr_assert_null(a, "ended early: freed now");
    cr_assert_eq(tu_check(b, 5000, 11), SIZE_MAX);
    fa_end_frame(fa);
    cr_assert_eq(fa_frame_retain(fa, &b, 0, FA_RETAIN_DISCARD), FA_OK, "outside a frame too");
    cr_assert_null(b);
    fa_stats st = stats(fa);
    cr_assert_eq(st.kept_count, 0);
    cr_assert_eq(st.pool_count + st.heap_count, 0);
    cr_assert_eq(tu_total(), 0);
    run_frames(fa, 4);
    cr_assert_null(a);
    cr_assert_eq(tu_total(), 0);
}

/* A slot the program points elsewhere is left alone at expiry; the copy is still freed. */
RT_TEST(reassigned_slot_left_alone) {
    static int elsewhere;
    fa_begin_frame(fa);
    void *slot = frame_data(fa, 64, 12);
    cr_assert_eq(fa_frame_retain_for(fa, &slot, 64, 1), FA_OK);
    fa_end_frame(fa);
    slot = &elsewhere;
    run_frames(fa, 1);
    cr_assert_eq(slot, (void *)&elsewhere);
    cr_assert_eq(stats(fa).kept_count, 0);
    cr_assert_eq(stats(fa).pool_count, 0);
}

/* Keeping the same slot every frame: it always holds the newest copy, at most N are alive. */
RT_TEST(rolling_keep) {
    void *slot = NULL;
    for (uint32_t f = 0; f < 20; f++) {
        fa_begin_frame(fa);
        if (slot != NULL) cr_assert_eq(tu_check(slot, 256, f - 1), SIZE_MAX, "frame %u", f);
        slot = frame_data(fa, 256, f);
        cr_assert_eq(fa_frame_retain_for(fa, &slot, 256, 3), FA_OK);
        fa_end_frame(fa);
        cr_assert_not_null(slot);
        cr_assert_leq(stats(fa).kept_count, 3);
    }
    cr_assert_eq(stats(fa).kept_count, 3);
    run_frames(fa, 3);
    cr_assert_null(slot);
    cr_assert_eq(stats(fa).kept_count, 0);
    cr_assert_eq(tu_total(), 0);
}

/* Many copies expiring at the same frame end (more than one internal batch). */
RT_TEST(many_expire_together) {
    void *slots[100];
    fa_begin_frame(fa);
    for (int i = 0; i < 100; i++) {
        slots[i] = frame_data(fa, 32 + (size_t)i, (uint32_t)i);
        cr_assert_eq(fa_frame_retain_for(fa, &slots[i], 32 + (size_t)i, 2), FA_OK);
    }
    fa_end_frame(fa);
    cr_assert_eq(stats(fa).kept_count, 100);
    run_frames(fa, 1);
    for (int i = 0; i < 100; i++) cr_assert_eq(tu_check(slots[i], 32 + (size_t)i, (uint32_t)i), SIZE_MAX);
    run_frames(fa, 1);
    for (int i = 0; i < 100; i++) cr_assert_null(slots[i]);
    fa_stats st = stats(fa);
    cr_assert_eq(st.kept_count, 0);
    cr_assert_eq(st.pool_count, 0);
}

/* A rollback drops a pending keep of released memory (its slot untouched). */
RT_TEST(rollback_drops_pending_keep) {
    fa_begin_frame(fa);
    fa_checkpoint cp = fa_frame_checkpoint(fa);
    void *slot = frame_data(fa, 64, 13);
    void *was = slot;
    cr_assert_eq(fa_frame_retain_for(fa, &slot, 64, 2), FA_OK);
    fa_frame_rollback(fa, cp);
    fa_end_frame(fa);
    cr_assert_eq(slot, was);
    cr_assert_eq(stats(fa).kept_count, 0);
    cr_assert_eq(tu_total(), 0);
}

/* fa_destroy with kept copies outstanding frees them; no FA_ERR_LEAK. */
Test(retain, destroy_frees_kept_copies, .init = tu_setup) {
    fa_alloc *a = tu_create(NULL);
    void *s1, *s2;
    fa_begin_frame(a);
    s1 = frame_data(a, 64, 14);
    s2 = frame_data(a, 50000, 15);
    cr_assert_eq(fa_frame_retain_for(a, &s1, 64, 10), FA_OK);
    cr_assert_eq(fa_frame_retain_for(a, &s2, 50000, 10), FA_OK);
    fa_end_frame(a);
    cr_assert_not_null(s1);
    cr_assert_not_null(s2);
    void *c1 = s1;
    fa_destroy(a);
    cr_assert_eq(tu_count(FA_ERR_LEAK), 0, "kept copies are the library's, not leaks");
    cr_assert_eq(tu_total(), 0);
    cr_assert_eq(s1, c1, "fa_destroy does not write the slots");
}

typedef struct exit_arg {
    fa_alloc *fa;
    void **slot;
} exit_arg;

static void *keep_and_exit(void *p) {
    exit_arg *e = p;
    fa_begin_frame(e->fa);
    *e->slot = frame_data(e->fa, 700, 16);
    cr_assert_eq(fa_frame_retain_for(e->fa, e->slot, 700, 1000), FA_OK);
    fa_end_frame(e->fa);
    cr_assert_not_null(*e->slot);
    return NULL;
}

/* A thread that exits with kept copies frees them (no leak at fa_destroy). */
RT_TEST(thread_exit_frees_kept_copies) {
    void *slot = NULL;
    exit_arg e = {fa, &slot};
    tu_run_threads(1, keep_and_exit, &e, 0);
    fa_stats st = stats(fa);
    cr_assert_eq(st.kept_count, 0);
    cr_assert_eq(st.pool_count, 0);
    cr_assert_eq(st.heap_count, 0);
    cr_assert_eq(tu_total(), 0);
}

/* Debug checks still see the memory for what it is. */
RT_TEST(debug_checks) {
    fa_begin_frame(fa);
    void *slot = frame_data(fa, 64, 17);
    void *frame_copy = slot;
    cr_assert_eq(fa_frame_retain_for(fa, &slot, 64, 1), FA_OK);
    fa_end_frame(fa);
    void *copy = slot;
    cr_assert_eq(fa_check_ptr(fa, copy), FA_OK, "a kept copy is live pool memory");
    cr_assert_eq(fa_validate(fa), FA_OK);
    if (FA_DEBUG) {
        cr_assert_eq(fa_check_ptr(fa, frame_copy), FA_ERR_USE_AFTER_FRAME);
        cr_assert_eq(tu_count(FA_ERR_USE_AFTER_FRAME), 1);
    }
    unsigned before = tu_total();
    run_frames(fa, 1);
    cr_assert_null(slot);
    cr_assert_neq(fa_check_ptr(fa, copy), FA_OK, "an expired copy is freed memory");
    cr_assert_eq(tu_total(), before + 1);
    cr_assert_eq(fa_validate(fa), FA_OK);
}

/* The copy belongs to the library: a program that frees it itself is told at expiry. */
RT_TEST(freeing_a_kept_copy_is_a_double_free) {
    fa_begin_frame(fa);
    void *slot = frame_data(fa, 5000, 18);
    cr_assert_eq(fa_frame_retain_for(fa, &slot, 5000, 1), FA_OK);
    fa_end_frame(fa);
    fa_free(fa, slot);
    cr_assert_eq(tu_total(), 0);
    run_frames(fa, 1);
    cr_assert_eq(tu_total(), 1, "reported at expiry");
    cr_assert(tu_cap.last == FA_ERR_DOUBLE_FREE || tu_cap.last == FA_ERR_FOREIGN_POINTER);
    cr_assert_eq(stats(fa).kept_count, 0);
}

/* fa_destroy on one thread frees the kept copies of another, idle thread (a cross-thread
 * free of its pool copy); that thread exits afterwards without touching the allocator. */
typedef struct idle_arg {
    fa_alloc *fa;
    void *slot;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int stage; /* 1: kept, 2: destroyed */
} idle_arg;

static void *keep_and_idle(void *p) {
    idle_arg *e = p;
    fa_begin_frame(e->fa);
    e->slot = frame_data(e->fa, 200, 19);
    cr_assert_eq(fa_frame_retain_for(e->fa, &e->slot, 200, 50), FA_OK);
    void *big = frame_data(e->fa, 30000, 20);
    cr_assert_eq(fa_frame_retain_for(e->fa, &big, 30000, 50), FA_OK);
    fa_end_frame(e->fa);
    pthread_mutex_lock(&e->lock);
    e->stage = 1;
    pthread_cond_broadcast(&e->cond);
    while (e->stage != 2) pthread_cond_wait(&e->cond, &e->lock);
    pthread_mutex_unlock(&e->lock);
    return NULL;
}

Test(retain, destroy_frees_kept_copies_of_idle_thread, .init = tu_setup) {
    idle_arg e;
    memset(&e, 0, sizeof e);
    e.fa = tu_create(NULL);
    pthread_mutex_init(&e.lock, NULL);
    pthread_cond_init(&e.cond, NULL);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, keep_and_idle, &e), 0);
    pthread_mutex_lock(&e.lock);
    while (e.stage != 1) pthread_cond_wait(&e.cond, &e.lock);
    pthread_mutex_unlock(&e.lock);
    cr_assert_eq(stats(e.fa).kept_count, 2);
    fa_destroy(e.fa);
    pthread_mutex_lock(&e.lock);
    e.stage = 2;
    pthread_cond_broadcast(&e.cond);
    pthread_mutex_unlock(&e.lock);
    pthread_join(th, NULL);
    cr_assert_eq(tu_count(FA_ERR_LEAK), 0);
    cr_assert_eq(tu_total(), 0);
    pthread_mutex_destroy(&e.lock);
    pthread_cond_destroy(&e.cond);
}
