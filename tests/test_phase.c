// SPDX-License-Identifier: MIT
/*
 * test_phase.c - fa_phase_begin / fa_phase_end: frame, pool and heap figures per phase per
 * frame (exact where the figure is exact), nesting charges the innermost phase, nested frame
 * scopes inside a phase, only the last frame counts, net pool frees, every misuse, phases of
 * several threads summed, and statistics read while threads run phases.
 */
#include "fa_test.h"
#include "test_util.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static fa_alloc *fa;

static void setup(void) {
    tu_setup();
    fa = tu_create(NULL);
}
static void teardown(void) { fa_destroy(fa); }

#define PHASE_TEST(name, ...) Test(phase, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static fa_phase_stats get(const char *name) {
    fa_phase_stats ps;
    cr_assert_eq(fa_get_phase_stats(fa, name, &ps), FA_OK, "%s", name);
    return ps;
}

PHASE_TEST(frame_pool_heap_per_phase) {
    fa_begin_frame(fa);
    fa_phase_begin(fa, "physics");
    cr_assert_not_null(fa_frame_alloc(fa, 1000, 16));
    void *p[3];
    for (int i = 0; i < 3; i++) p[i] = fa_pool_alloc(fa, 64);
    void *h1 = fa_heap_alloc(fa, 100, 16), *h2 = fa_heap_alloc(fa, 300, 16);
    fa_phase_end(fa);
    fa_phase_begin(fa, "render");
    cr_assert_not_null(fa_frame_alloc(fa, 500, 16));
    fa_phase_end(fa);
    cr_assert_not_null(fa_frame_alloc(fa, 4000, 16)); /* outside any phase: nobody's */
    fa_end_frame(fa);
    fa_phase_stats ph = get("physics"), r = get("render");
    cr_assert_str_eq(ph.name, "physics");
    cr_assert_eq(ph.frame_bytes, TU_G(1000));
    cr_assert_eq(ph.pool_count, 3);
    cr_assert_eq(ph.pool_bytes, 3 * 64);
    cr_assert_eq(ph.heap_count, 2);
    cr_assert_eq(ph.heap_bytes, 400);
    cr_assert_eq(ph.runs, 1);
    cr_assert_eq(ph.frames, 1);
    cr_assert_eq(r.frame_bytes, TU_G(500));
    cr_assert_eq(r.pool_count, 0);
    cr_assert_eq(r.heap_count, 0);
    for (int i = 0; i < 3; i++) fa_pool_free(fa, p[i]);
    fa_heap_free(fa, h1);
    fa_heap_free(fa, h2);
    cr_assert_eq(tu_total(), 0);
}

PHASE_TEST(nesting_charges_innermost) {
    fa_begin_frame(fa);
    fa_phase_begin(fa, "a");
    fa_frame_alloc(fa, 100, 16);
    fa_phase_begin(fa, "b");
    fa_frame_alloc(fa, 200, 16);
    fa_phase_end(fa);
    fa_frame_alloc(fa, 300, 16);
    fa_phase_end(fa);
    fa_end_frame(fa);
    cr_assert_eq(get("a").frame_bytes, TU_G(100) + TU_G(300));
    cr_assert_eq(get("b").frame_bytes, TU_G(200));
}

/* A nested frame scope inside a phase: the bytes it held are charged when it ends, once. */
PHASE_TEST(nested_scope_inside_phase) {
    fa_begin_frame(fa);
    fa_phase_begin(fa, "jobs");
    fa_frame_alloc(fa, 64, 16);
    for (int i = 0; i < 3; i++) {
        fa_begin_frame(fa);
        fa_frame_alloc(fa, 1000, 16);
        fa_end_frame(fa);
    }
    fa_frame_alloc(fa, 32, 16);
    fa_phase_end(fa);
    fa_end_frame(fa);
    cr_assert_eq(get("jobs").frame_bytes, TU_G(64) + 3 * TU_G(1000) + TU_G(32));
}

PHASE_TEST(only_the_last_frame_counts) {
    for (int f = 1; f <= 3; f++) {
        fa_begin_frame(fa);
        fa_phase_begin(fa, "ai");
        fa_frame_alloc(fa, (size_t)f * 1000, 16);
        fa_phase_end(fa);
        fa_end_frame(fa);
        cr_assert_eq(get("ai").frame_bytes, TU_G((size_t)f * 1000));
        cr_assert_eq(get("ai").frames, (uint64_t)f);
    }
    cr_assert_eq(get("ai").frame_bytes_peak, TU_G(3000));
    fa_begin_frame(fa); /* a frame without the phase */
    fa_frame_alloc(fa, 10, 16);
    fa_end_frame(fa);
    fa_phase_stats s = get("ai");
    cr_assert_eq(s.frame_bytes, 0);
    cr_assert_eq(s.runs, 0);
    cr_assert_eq(s.frames, 3);
    cr_assert_eq(s.frame_bytes_peak, TU_G(3000));
}

PHASE_TEST(pool_figures_are_net) {
    void *keep[5];
    fa_begin_frame(fa);
    fa_phase_begin(fa, "spawn");
    for (int i = 0; i < 5; i++) keep[i] = fa_pool_alloc(fa, 128);
    fa_pool_free(fa, keep[0]);
    fa_pool_free(fa, keep[1]);
    fa_phase_end(fa);
    fa_end_frame(fa);
    cr_assert_eq(get("spawn").pool_count, 3);
    cr_assert_eq(get("spawn").pool_bytes, 3 * 128);
    fa_begin_frame(fa);
    fa_phase_begin(fa, "spawn");
    for (int i = 2; i < 5; i++) fa_pool_free(fa, keep[i]);
    fa_phase_end(fa);
    fa_end_frame(fa);
    cr_assert_eq(get("spawn").pool_count, -3);
}

/* A phase open across a frame boundary runs on in the next frame. */
PHASE_TEST(phase_across_frames) {
    fa_phase_begin(fa, "streaming");
    for (int f = 0; f < 2; f++) {
        fa_begin_frame(fa);
        fa_frame_alloc(fa, 256, 16);
        fa_end_frame(fa);
        cr_assert_eq(get("streaming").frame_bytes, TU_G(256));
        cr_assert_eq(get("streaming").runs, 1);
    }
    fa_phase_end(fa);
    cr_assert_eq(tu_total(), 0);
}

PHASE_TEST(bad_input) {
    fa_phase_begin(NULL, "x");
    fa_phase_begin(fa, NULL);
    fa_phase_begin(fa, "");
    fa_phase_end(NULL);
    fa_phase_end(fa);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 5);
    fa_phase_stats ps;
    cr_assert_eq(fa_get_phase_stats(fa, "never", &ps), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_get_phase_stats(fa, NULL, &ps), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_get_phase_stats(NULL, "x", &ps), FA_ERR_INVALID_ARGUMENT);
    fa_phase_begin(fa, "x");
    fa_phase_end(fa);
    cr_assert_eq(fa_get_phase_stats(fa, "x", NULL), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 9);
    /* Too deep: reported, and the extra ends are absorbed so the outer phases stay paired. */
    for (int i = 0; i < 10; i++) fa_phase_begin(fa, "deep");
    cr_assert_eq(tu_count(FA_ERR_NESTING_TOO_DEEP), 2);
    for (int i = 0; i < 10; i++) fa_phase_end(fa);
    fa_phase_end(fa);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 10, "one end too many");
    /* All names in use. */
    char name[16];
    for (int i = 0; i < FA_MAX_PHASES; i++) {
        snprintf(name, sizeof name, "p%d", i);
        fa_phase_begin(fa, name);
        fa_phase_end(fa);
    }
    unsigned before = tu_count(FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(before, 12, "x and deep took two names: p30 and p31 find no room");
    fa_begin_frame(fa);
    fa_phase_begin(fa, "p0");
    fa_phase_begin(fa, "one-too-many");
    fa_frame_alloc(fa, 100, 16);
    fa_phase_end(fa); /* absorbed */
    fa_phase_end(fa);
    fa_end_frame(fa);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), before + 1);
    cr_assert_eq(get("p0").frame_bytes, TU_G(100), "charged to the enclosing phase");
}

#define WORKERS 4
static pthread_barrier_t parked, resume;

static void *worker(void *arg) {
    size_t n = (size_t)(uintptr_t)arg;
    fa_begin_frame(fa);
    fa_phase_begin(fa, "work");
    fa_frame_alloc(fa, 1000 * n, 16);
    void *h = fa_heap_alloc(fa, 10 * n, 16);
    fa_phase_end(fa);
    fa_end_frame(fa);
    pthread_barrier_wait(&parked);
    pthread_barrier_wait(&resume);
    fa_heap_free(fa, h);
    return NULL;
}

PHASE_TEST(threads_are_summed) {
    pthread_barrier_init(&parked, NULL, WORKERS + 1);
    pthread_barrier_init(&resume, NULL, WORKERS + 1);
    pthread_t th[WORKERS];
    for (uintptr_t i = 0; i < WORKERS; i++) pthread_create(&th[i], NULL, worker, (void *)(i + 1));
    pthread_barrier_wait(&parked);
    fa_phase_stats s = get("work");
    pthread_barrier_wait(&resume);
    for (int i = 0; i < WORKERS; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&parked);
    pthread_barrier_destroy(&resume);
    cr_assert_eq(s.frame_bytes, TU_G(1000) + TU_G(2000) + TU_G(3000) + TU_G(4000));
    cr_assert_eq(s.frame_bytes_peak, TU_G(4000));
    cr_assert_eq(s.heap_count, WORKERS);
    cr_assert_eq(s.heap_bytes, 100);
    cr_assert_eq(s.frames, WORKERS);
    cr_assert_eq(tu_total(), 0);
}

static _Atomic int stop;

static void *poller(void *arg) {
    int *ok = arg;
    *ok = 1;
    while (!stop) {
        fa_phase_stats s;
        if (fa_get_phase_stats(fa, "loop", &s) == FA_OK && s.frame_bytes % FA_FRAME_GRANULE != 0)
            *ok = 0;
    }
    return NULL;
}

static void *looper(void *arg) {
    (void)arg;
    for (int f = 0; f < 300; f++) {
        fa_begin_frame(fa);
        fa_phase_begin(fa, "loop");
        fa_frame_alloc(fa, 64 + (size_t)f, 16);
        fa_phase_end(fa);
        fa_end_frame(fa);
    }
    return NULL;
}

PHASE_TEST(stats_read_while_threads_run) {
    fa_phase_begin(fa, "loop"); /* registers the name */
    fa_phase_end(fa);
    int ok = 0;
    pthread_t p, l[3];
    pthread_create(&p, NULL, poller, &ok);
    for (int i = 0; i < 3; i++) pthread_create(&l[i], NULL, looper, NULL);
    for (int i = 0; i < 3; i++) pthread_join(l[i], NULL);
    stop = 1;
    pthread_join(p, NULL);
    cr_assert(ok);
    cr_assert_eq(tu_total(), 0);
}
