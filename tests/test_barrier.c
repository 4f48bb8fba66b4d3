/* SPDX-License-Identifier: MIT */
/*
 * test_barrier.c - the frame barrier (barrier.c): N threads x M generations, generation
 * numbers, nobody leaves a generation before everyone arrived, bad inputs.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdatomic.h>

enum { T = 6, GENS = 300 };

typedef struct job {
    fa_barrier *b;
    _Atomic unsigned *arrived;
    uint64_t gens[GENS];
    unsigned early; /* left a generation before all T threads arrived */
} job;

static void *worker(void *arg) {
    job *j = arg;
    for (unsigned g = 0; g < GENS; g++) {
        atomic_fetch_add(j->arrived, 1);
        j->gens[g] = fa_barrier_wait(j->b);
        if (atomic_load(j->arrived) < (g + 1) * T) j->early++;
    }
    return NULL;
}

Test(barrier, threads_times_generations) {
    fa_barrier *b = fa_barrier_create(T);
    cr_assert_not_null(b);
    _Atomic unsigned arrived = 0;
    static job jobs[T];
    for (int i = 0; i < T; i++) jobs[i] = (job){.b = b, .arrived = &arrived};
    tu_run_threads(T, worker, jobs, sizeof jobs[0]);
    for (int i = 0; i < T; i++) {
        cr_assert_eq(jobs[i].early, 0, "thread %d passed a barrier early", i);
        for (unsigned g = 0; g < GENS; g++)
            cr_assert_eq(jobs[i].gens[g], g + 1, "thread %d generation %u", i, g);
    }
    fa_barrier_destroy(b);
}

Test(barrier, single_thread_never_blocks) {
    fa_barrier *b = fa_barrier_create(1);
    for (uint64_t g = 1; g <= 5; g++) cr_assert_eq(fa_barrier_wait(b), g);
    fa_barrier_destroy(b);
}

Test(barrier, bad_inputs, .init = tu_setup) {
    cr_assert_null(fa_barrier_create(0));
    cr_assert_eq(fa_barrier_wait(NULL), 0);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 2);
    fa_barrier_destroy(NULL);
    cr_assert_eq(tu_total(), 2);
}

/* The barrier paces frames of an allocator: main and workers each run a frame, then meet. */
typedef struct frame_job {
    fa_alloc *fa;
    fa_barrier *b;
    unsigned bad;
} frame_job;

static void *frame_worker(void *arg) {
    frame_job *j = arg;
    for (uint32_t f = 0; f < 100; f++) {
        fa_begin_frame(j->fa);
        unsigned char *p = fa_frame_alloc(j->fa, 1000, 16);
        tu_fill(p, 1000, f);
        if (fa_barrier_wait(j->b) != f + 1) j->bad++;
        if (tu_check(p, 1000, f) != SIZE_MAX) j->bad++;
        fa_end_frame(j->fa);
    }
    return NULL;
}

Test(barrier, paces_frames, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    fa_barrier *b = fa_barrier_create(4);
    frame_job jobs[4];
    for (int i = 0; i < 4; i++) jobs[i] = (frame_job){fa, b, 0};
    tu_run_threads(4, frame_worker, jobs, sizeof jobs[0]);
    for (int i = 0; i < 4; i++) cr_assert_eq(jobs[i].bad, 0);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.frames_completed, 400);
    fa_barrier_destroy(b);
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0);
}
