/* SPDX-License-Identifier: MIT */
/*
 * test_stats.c - statistics (stats.c): the calling thread's frame figures are exact (current,
 * peak, high water of the last frame, including alignment padding); other threads' figures
 * are what they published at frame boundaries; totals fold in exited threads; the error
 * counter; fa_get_thread_stats' count/max contract.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdatomic.h>
#include <string.h>

static fa_alloc *fa;
static void setup(void) {
    tu_setup();
    fa = tu_create(NULL);
}
static void teardown(void) { fa_destroy(fa); }

#define STATS_TEST(name, ...) Test(stats, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static fa_thread_stats mine(void) {
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    return ts;
}

STATS_TEST(my_frame_bytes_are_exact) {
    fa_begin_frame(fa);
    cr_assert_eq(mine().frame_bytes, 0);
    cr_assert_eq(mine().frame_depth, 1);
    cr_assert_eq(mine().frame_number, 1);
    cr_assert_eq(mine().thread_id, fa_thread_id());
    fa_frame_alloc(fa, 100, 1);
    cr_assert_eq(mine().frame_bytes, TU_G(100), "visible at once, without a frame boundary");
    fa_frame_alloc(fa, 40, 64); /* padding up to 64, then 40 rounded to the granule */
    cr_assert_eq(mine().frame_bytes, 128 + TU_G(40));
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 1000, 8);
    cr_assert_eq(mine().frame_bytes, 128 + TU_G(40) + TU_G(1000));
    cr_assert_eq(mine().frame_depth, 2);
    fa_end_frame(fa);
    cr_assert_eq(mine().frame_bytes, 128 + TU_G(40), "the inner scope's bytes are released");
    fa_frame_alloc(fa, 30, 1);
    fa_end_frame(fa);
    fa_thread_stats ts = mine();
    cr_assert_eq(ts.frame_bytes, 0);
    cr_assert_eq(ts.frame_depth, 0);
    size_t peak = 128 + TU_G(40) + TU_G(1000);
    cr_assert_eq(ts.frame_high_water_last, peak, "the inner scope was the peak");
    cr_assert_eq(ts.frame_peak, peak);
    cr_assert_geq(ts.frame_reserved, peak);

    fa_begin_frame(fa);
    fa_frame_alloc(fa, 500, 1);
    fa_end_frame(fa);
    ts = mine();
    cr_assert_eq(ts.frame_high_water_last, TU_G(500));
    cr_assert_eq(ts.frame_peak, peak, "the peak of any frame stays");
    cr_assert_eq(ts.frame_number, 2);
}

STATS_TEST(totals) {
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.threads, 0, "no thread has used the allocator yet");
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 4000, 16);
    void *p = fa_pool_alloc(fa, 40);
    void *h = fa_heap_alloc(fa, 7000, 16);
    int v = 1;
    fa_transfer *t = fa_transfer_create(fa, &v, sizeof v);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.threads, 1);
    cr_assert_eq(st.frame_bytes, 4000);
    cr_assert_eq(st.pool_count, 1);
    cr_assert_eq(st.pool_bytes, fa_pool_usable_size(fa, p));
    cr_assert_eq(st.pool_reserved, 65536);
    cr_assert_eq(st.heap_bytes, 7000);
    cr_assert_eq(st.heap_count, 1);
    cr_assert_eq(st.transfer_count, 1);
    cr_assert_eq(st.transfer_bytes, sizeof v);
    cr_assert_eq(st.frames_completed, 0);
    fa_end_frame(fa);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.frames_completed, 1);
    cr_assert_eq(st.frame_bytes, 0);
    cr_assert_eq(st.frame_peak, 4000);
    cr_assert_geq(st.frame_reserved, 4000);
    fa_pool_free(fa, p);
    fa_heap_free(fa, h);
    fa_transfer_free(t);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count + st.heap_count + st.transfer_count, 0);
    cr_assert_eq(st.errors, 0);
}

STATS_TEST(error_counter) {
    fa_stats st;
    fa_pool_alloc(fa, 0);
    fa_heap_alloc(fa, 16, 3);
    fa_end_frame(fa);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.errors, 3);
    cr_assert_eq(tu_total(), 3);
    fa_pool_alloc(NULL, 0); /* no allocator: not counted on fa */
    fa_get_stats(fa, &st);
    cr_assert_eq(st.errors, 3);
}

typedef struct peer {
    pthread_barrier_t *sync;
    uint64_t id;
} peer;

/* Opens a frame with a nested scope (a boundary publishes), waits while the test reads its
 * published figures, then finishes. */
static void *peer_thread(void *arg) {
    peer *p = arg;
    p->id = fa_thread_id();
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 3008, 1);
    fa_begin_frame(fa); /* boundary: publishes depth 2, 3008 bytes */
    pthread_barrier_wait(p->sync);
    pthread_barrier_wait(p->sync);
    fa_end_frame(fa);
    fa_end_frame(fa);
    pthread_barrier_wait(p->sync);
    pthread_barrier_wait(p->sync);
    return NULL;
}

STATS_TEST(other_threads_publish_at_boundaries) {
    pthread_barrier_t sync;
    pthread_barrier_init(&sync, NULL, 2);
    peer pe = {&sync, 0};
    pthread_t th;
    pthread_create(&th, NULL, peer_thread, &pe);
    pthread_barrier_wait(&sync);
    fa_thread_stats all[4];
    size_t n = fa_get_thread_stats(fa, all, 4);
    cr_assert_eq(n, 1, "only the peer has state in fa");
    cr_assert_eq(all[0].thread_id, pe.id);
    cr_assert_eq(all[0].frame_depth, 2);
    cr_assert_eq(all[0].frame_bytes, 3008);
    cr_assert_eq(all[0].frame_number, 1);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.frame_bytes, 3008);
    pthread_barrier_wait(&sync);
    pthread_barrier_wait(&sync); /* the peer ended its frame */
    n = fa_get_thread_stats(fa, all, 4);
    cr_assert_eq(all[0].frame_depth, 0);
    cr_assert_eq(all[0].frame_bytes, 0);
    cr_assert_eq(all[0].frame_high_water_last, 3008);
    cr_assert_eq(all[0].frame_peak, 3008);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.frames_completed, 1);
    pthread_barrier_wait(&sync);
    pthread_join(th, NULL);
    pthread_barrier_destroy(&sync);
    /* The exited thread's figures are folded into the totals. */
    fa_get_stats(fa, &st);
    cr_assert_eq(st.threads, 0);
    cr_assert_eq(st.frames_completed, 1);
    cr_assert_eq(st.frame_peak, 3008);
    cr_assert_eq(tu_total(), 0);
}

static void *wait_twice(void *arg) {
    peer *p = arg;
    fa_begin_frame(fa);
    fa_end_frame(fa);
    pthread_barrier_wait(p->sync);
    pthread_barrier_wait(p->sync);
    return NULL;
}

STATS_TEST(thread_stats_count_and_max) {
    enum { T = 3 };
    pthread_barrier_t sync;
    pthread_barrier_init(&sync, NULL, T + 1);
    peer pe[T];
    pthread_t th[T];
    for (int i = 0; i < T; i++) {
        pe[i] = (peer){&sync, 0};
        pthread_create(&th[i], NULL, wait_twice, &pe[i]);
    }
    pthread_barrier_wait(&sync);
    fa_begin_frame(fa); /* this thread too */
    fa_end_frame(fa);
    cr_assert_eq(fa_get_thread_stats(fa, NULL, 0), T + 1);
    fa_thread_stats two[2];
    memset(two, 0, sizeof two);
    cr_assert_eq(fa_get_thread_stats(fa, two, 2), T + 1, "returns the count even when cut");
    cr_assert(two[0].thread_id != 0 && two[1].thread_id != 0);
    cr_assert_neq(two[0].thread_id, two[1].thread_id);
    fa_thread_stats all[8];
    size_t n = fa_get_thread_stats(fa, all, 8);
    cr_assert_eq(n, T + 1);
    int found_me = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(all[i].frame_number, 1);
        found_me += all[i].thread_id == fa_thread_id();
    }
    cr_assert_eq(found_me, 1);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.threads, T + 1);
    cr_assert_eq(st.frames_completed, T + 1);
    pthread_barrier_wait(&sync);
    for (int i = 0; i < T; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&sync);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.threads, 1);
    cr_assert_eq(st.frames_completed, T + 1);
}

/* Reading statistics while other threads allocate is safe (TSan checks this leg). */
typedef struct busy {
    _Atomic int *stop;
    unsigned frames;
} busy;

static void *busy_thread(void *arg) {
    busy *b = arg;
    while (!atomic_load(b->stop)) {
        fa_begin_frame(fa);
        for (int i = 0; i < 50; i++) fa_frame_alloc(fa, 2000, 16);
        void *p = fa_pool_alloc(fa, 64);
        void *h = fa_heap_alloc(fa, 100, 16);
        fa_pool_free(fa, p);
        fa_heap_free(fa, h);
        fa_end_frame(fa);
        b->frames++;
    }
    return NULL;
}

STATS_TEST(concurrent_readers) {
    _Atomic int stop = 0;
    busy b[3] = {{&stop, 0}, {&stop, 0}, {&stop, 0}};
    pthread_t th[3];
    for (int i = 0; i < 3; i++) pthread_create(&th[i], NULL, busy_thread, &b[i]);
    for (int i = 0; i < 300; i++) {
        fa_stats st;
        fa_get_stats(fa, &st);
        cr_assert_leq(st.threads, 3);
        cr_assert_leq(st.pool_count, 3);
        cr_assert_leq(st.heap_count, 3);
        fa_thread_stats ts[4];
        cr_assert_leq(fa_get_thread_stats(fa, ts, 4), 3);
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.frames_completed, (uint64_t)b[0].frames + b[1].frames + b[2].frames);
    cr_assert_eq(st.heap_count, 0);
    cr_assert_eq(st.pool_count, 0);
    cr_assert_eq(tu_total(), 0);
}
