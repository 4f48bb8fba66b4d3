/* SPDX-License-Identifier: MIT */
/*
 * stress_churn.c - long-running churn that must reach a steady state:
 *   - a thousand waves of short-lived threads (frames, pools, heap, transfers, objects left
 *     live at exit and freed later by another thread): the allocator's own reservations and
 *     the process's resident memory at wave 1000 are those of wave 100;
 *   - two allocators alternated on the same threads (frames of both open at once and ended
 *     in either order, pool objects of both freed by other threads, transfers from both):
 *     every byte checked, each allocator's figures exact, one destroyed while the other
 *     goes on.
 * Worker threads never assert; they count problems and the test thread asserts.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CHURN_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CHURN_SANITIZED 1
#endif
#endif

static size_t resident_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    if (f != NULL) {
        if (fscanf(f, "%lu %lu", &size, &resident) != 2) resident = 0;
        fclose(f);
    }
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

/* ---- thread churn -------------------------------------------------------------------------- */

/* Debug builds keep bounded rings of freed pool/heap records and a bounded transfer
 * quarantine; with this load they are full by wave ~200, so their steady state starts later. */
enum { CH_WAVES = 1000, CH_WAVE = 4, CH_LEFT = 6, CH_EARLY = FA_DEBUG ? 300 : 100 };

typedef struct churn_job {
    fa_alloc *fa;
    uint32_t id;
    void *left[CH_LEFT];       /* pool objects left live at thread exit */
    fa_transfer *handoff;      /* frame data handed to the test thread */
    size_t handoff_size;
} churn_job;

static atomic_uint churn_bad;

static void *churn_thread(void *arg) {
    churn_job *j = arg;
    uint32_t rng = 0x9e37u * (j->id + 1);
    for (uint32_t f = 0; f < 3; f++) {
        fa_begin_frame(j->fa);
        size_t n = 64 + tu_rand(&rng) % (96 * 1024);
        unsigned char *p = fa_frame_alloc(j->fa, n, 16);
        if (p == NULL) {
            atomic_fetch_add(&churn_bad, 1);
        } else {
            tu_fill(p, n, j->id + f);
            if (f == 2) {
                j->handoff = fa_transfer_create(j->fa, p, n);
                j->handoff_size = n;
            }
            if (tu_check(p, n, j->id + f) != SIZE_MAX) atomic_fetch_add(&churn_bad, 1);
        }
        fa_end_frame(j->fa);
    }
    void *tmp[32];
    for (uint32_t i = 0; i < 32; i++) {
        tmp[i] = fa_pool_alloc(j->fa, 16 + (i * 40) % 900);
        if (tmp[i] == NULL) atomic_fetch_add(&churn_bad, 1);
    }
    for (uint32_t i = 0; i < 32; i++) fa_pool_free(j->fa, tmp[i]);
    for (uint32_t i = 0; i < CH_LEFT; i++) {
        j->left[i] = fa_pool_alloc(j->fa, 48 + 64 * i);
        if (j->left[i] == NULL) atomic_fetch_add(&churn_bad, 1);
        else tu_fill(j->left[i], 48 + 64 * i, j->id * 7 + i);
    }
    void *h = fa_heap_alloc(j->fa, 3000 + j->id % 5000, 32);
    if (h == NULL) atomic_fetch_add(&churn_bad, 1);
    fa_heap_free(j->fa, h);
    return NULL; /* exits with CH_LEFT live pool objects: their pages are abandoned */
}

typedef struct churn_snapshot {
    size_t rss, pool_reserved, frame_reserved, threads;
} churn_snapshot;

static churn_snapshot snapshot(fa_alloc *fa) {
#ifdef __GLIBC__
    /* glibc keeps freed chunks resident in per-thread arenas, more or fewer of them as the
     * scheduler happens to interleave the waves; the process figure here is about what the
     * allocator itself holds, so hand glibc's free memory back before reading it. */
    malloc_trim(0);
#endif
    fa_stats st;
    fa_get_stats(fa, &st);
    return (churn_snapshot){resident_bytes(), st.pool_reserved, st.frame_reserved, st.threads};
}

/* Frees the previous wave's leftovers (on the test thread: remote frees into abandoned
 * pages) and receives its transfers, checking every byte. */
static void settle_wave(fa_alloc *fa, churn_job *jobs) {
    for (uint32_t k = 0; k < CH_WAVE; k++) {
        churn_job *j = &jobs[k];
        for (uint32_t i = 0; i < CH_LEFT; i++) {
            if (j->left[i] == NULL) continue;
            if (tu_check(j->left[i], 48 + 64 * i, j->id * 7 + i) != SIZE_MAX)
                atomic_fetch_add(&churn_bad, 1);
            fa_pool_free(fa, j->left[i]);
            j->left[i] = NULL;
        }
        if (j->handoff != NULL) {
            unsigned char *p = fa_transfer_receive(j->handoff);
            if (p == NULL || tu_check(p, j->handoff_size, j->id + 2) != SIZE_MAX)
                atomic_fetch_add(&churn_bad, 1);
            fa_transfer_free(j->handoff);
            j->handoff = NULL;
        }
    }
}

Test(stress_churn, thread_churn_reaches_a_steady_state, .init = tu_setup, .timeout = 280) {
    fa_alloc *fa = tu_create(NULL);
    churn_job jobs[CH_WAVE];
    memset(jobs, 0, sizeof jobs);
    churn_snapshot early = {0};
    for (uint32_t w = 1; w <= CH_WAVES; w++) {
        for (uint32_t k = 0; k < CH_WAVE; k++)
            jobs[k] = (churn_job){.fa = fa, .id = w * CH_WAVE + k};
        tu_run_threads(CH_WAVE, churn_thread, jobs, sizeof jobs[0]);
        settle_wave(fa, jobs);
        /* Abandoned pages emptied by the frees above go back now, as a game would trim at
         * a loading screen or every few seconds. */
        if (w % 10 == 0) fa_pool_trim(fa);
        if (w == CH_EARLY) early = snapshot(fa);
    }
    churn_snapshot late = snapshot(fa);
    cr_assert_eq(atomic_load(&churn_bad), 0, "%u problems: %s", atomic_load(&churn_bad),
                 tu_cap.message);
    cr_assert_eq(late.threads, 0, "thread states released at exit");
    cr_assert_eq(late.frame_reserved, 0, "frame blocks released at thread exit");
    cr_assert_leq(late.pool_reserved, early.pool_reserved,
                  "pool reservation grew from %zu (wave %d) to %zu (wave %d)",
                  early.pool_reserved, CH_EARLY, late.pool_reserved, CH_WAVES);
#ifndef CHURN_SANITIZED
    /* Sanitizer allocators keep freed memory in quarantine, so only plain builds measure the
     * process: 900 more waves may not cost more than a few pages of noise. */
    size_t slack = (size_t)(FA_DEBUG ? 4 : 2) << 20;
    cr_assert_leq(late.rss, early.rss + slack,
                  "resident memory grew from %zu KiB (wave %d) to %zu KiB (wave %d)",
                  early.rss >> 10, CH_EARLY, late.rss >> 10, CH_WAVES);
#endif
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 0);
    cr_assert_eq(st.heap_count, 0);
    cr_assert_eq(st.transfer_count, 0);
    cr_assert_eq(fa_validate(fa), FA_OK);
    cr_assert_eq(tu_total(), 0, "%s", tu_cap.message);
    fa_destroy(fa);
}

/* ---- two allocators on the same threads ---------------------------------------------------- */

enum { TW_THREADS = 4, TW_ROUNDS = 300, TW_RING = 64 };

/* Objects handed from thread i to thread i+1 through a ring slot per thread: the receiver
 * frees them (remote frees into both allocators' pages). */
typedef struct tw_slot {
    pthread_mutex_t lock;
    void *obj[TW_RING];
    fa_alloc *owner[TW_RING];
    uint32_t seed[TW_RING];
    unsigned n;
} tw_slot;

typedef struct tw_shared {
    fa_alloc *a, *b;
    tw_slot slot[TW_THREADS];
    atomic_uint bad;
} tw_shared;

typedef struct tw_job {
    tw_shared *s;
    uint32_t id, slot;
} tw_job;

static void tw_give(tw_slot *sl, fa_alloc *fa, void *p, uint32_t seed) {
    pthread_mutex_lock(&sl->lock);
    if (sl->n < TW_RING) {
        sl->obj[sl->n] = p;
        sl->owner[sl->n] = fa;
        sl->seed[sl->n] = seed;
        sl->n++;
        p = NULL;
    }
    pthread_mutex_unlock(&sl->lock);
    if (p != NULL) fa_pool_free(fa, p); /* ring full: free it here */
}

static void tw_drain(tw_shared *s, tw_slot *sl) {
    pthread_mutex_lock(&sl->lock);
    for (unsigned i = 0; i < sl->n; i++) {
        if (tu_check(sl->obj[i], 64, sl->seed[i]) != SIZE_MAX) atomic_fetch_add(&s->bad, 1);
        fa_pool_free(sl->owner[i], sl->obj[i]);
    }
    sl->n = 0;
    pthread_mutex_unlock(&sl->lock);
}

static void *tw_thread(void *arg) {
    tw_job *j = arg;
    tw_shared *s = j->s;
    uint32_t rng = 0x2545u + j->id;
    for (uint32_t r = 0; r < TW_ROUNDS; r++) {
        bool a_first = (r + j->id) % 2 == 0;
        fa_alloc *x = a_first ? s->a : s->b, *y = a_first ? s->b : s->a;
        /* Frames of both open at once; ended in either order: each allocator keeps its own
         * stack per thread. */
        fa_begin_frame(x);
        size_t nx = 16 + tu_rand(&rng) % 30000, ny = 16 + tu_rand(&rng) % 30000;
        unsigned char *px = fa_frame_alloc(x, nx, 16);
        fa_begin_frame(y);
        unsigned char *py = fa_frame_alloc(y, ny, 64);
        if (px == NULL || py == NULL) {
            atomic_fetch_add(&s->bad, 1);
        } else {
            tu_fill(px, nx, r);
            tu_fill(py, ny, ~r);
        }
        bool older_first = r % 2 && x != y; /* one allocator: the frames are nested */
        if (older_first) fa_end_frame(x);
        if (py != NULL && tu_check(py, ny, ~r) != SIZE_MAX) atomic_fetch_add(&s->bad, 1);
        fa_end_frame(y);
        if (!older_first) {
            if (px != NULL && tu_check(px, nx, r) != SIZE_MAX) atomic_fetch_add(&s->bad, 1);
            fa_end_frame(x);
        }
        /* Pool objects of both allocators, alternately, freed by the next thread. */
        for (uint32_t i = 0; i < 4; i++) {
            fa_alloc *fa = i % 2 ? x : y;
            uint32_t seed = j->id * 100000 + r * 4 + i;
            void *p = fa_pool_alloc(fa, 64);
            if (p == NULL) {
                atomic_fetch_add(&s->bad, 1);
                continue;
            }
            tu_fill(p, 64, seed);
            tw_give(&s->slot[(j->slot + 1) % TW_THREADS], fa, p, seed);
        }
        tw_drain(s, &s->slot[j->slot]);
        void *h = fa_heap_alloc(y, 200 + r, 16);
        if (h == NULL) atomic_fetch_add(&s->bad, 1);
        fa_heap_free(y, h);
    }
    return NULL;
}

static void tw_check_exact(fa_alloc *fa) {
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 0, "%zu pool objects left", st.pool_count);
    cr_assert_eq(st.heap_count, 0);
    cr_assert_eq(st.frame_bytes, 0);
    cr_assert_eq(st.threads, 0, "thread states released in both allocators");
    cr_assert_eq(fa_validate(fa), FA_OK);
}

Test(stress_churn, two_allocators_alternated_on_the_same_threads, .init = tu_setup,
     .timeout = 280) {
    tw_shared s = {.a = tu_create(NULL), .b = tu_create(NULL)};
    for (int i = 0; i < TW_THREADS; i++) pthread_mutex_init(&s.slot[i].lock, NULL);
    tw_job jobs[TW_THREADS];
    for (uint32_t wave = 0; wave < 3; wave++) {
        for (uint32_t i = 0; i < TW_THREADS; i++) jobs[i] = (tw_job){&s, wave * 10 + i, i};
        tu_run_threads(TW_THREADS, tw_thread, jobs, sizeof jobs[0]);
        for (int i = 0; i < TW_THREADS; i++) tw_drain(&s, &s.slot[i]);
    }
    cr_assert_eq(atomic_load(&s.bad), 0, "%u problems: %s", atomic_load(&s.bad), tu_cap.message);
    tw_check_exact(s.a);
    tw_check_exact(s.b);
    cr_assert_eq(tu_total(), 0, "%s", tu_cap.message);

    /* One allocator goes away; threads go on with the other (their cursors must not keep
     * pointing into the destroyed one). */
    fa_destroy(s.b);
    s.b = s.a;
    for (uint32_t i = 0; i < TW_THREADS; i++) jobs[i] = (tw_job){&s, 90 + i, i};
    tu_run_threads(TW_THREADS, tw_thread, jobs, sizeof jobs[0]);
    for (int i = 0; i < TW_THREADS; i++) tw_drain(&s, &s.slot[i]);
    cr_assert_eq(atomic_load(&s.bad), 0, "%u problems: %s", atomic_load(&s.bad), tu_cap.message);
    tw_check_exact(s.a);
    cr_assert_eq(tu_total(), 0, "%s", tu_cap.message);
    fa_destroy(s.a);
    for (int i = 0; i < TW_THREADS; i++) pthread_mutex_destroy(&s.slot[i].lock);
}
