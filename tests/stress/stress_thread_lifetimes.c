/*
 * stress_thread_lifetimes.c - more than a thousand short-lived threads doing frames on one
 * allocator: each one begins and ends nested frames with every byte checked, touches the heap
 * and the pools, and exits; its state must be released at exit and nothing reported. Threads
 * run in waves so a handful are alive at once. Scaled by FA_TEST_SCALE.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { WAVE = 8, FRAMES = 4 };

static fa_alloc *fa;
static atomic_uint bad;

static void *lifetime(void *arg) {
    uint32_t id = *(uint32_t *)arg, rng = 0x51ed + id;
    for (uint32_t f = 0; f < FRAMES; f++) {
        fa_begin_frame(fa);
        unsigned char *outer = fa_frame_alloc(fa, 256, 16);
        if (outer == NULL) {
            atomic_fetch_add(&bad, 1);
            fa_end_frame(fa);
            continue;
        }
        tu_fill(outer, 256, id + f);
        for (int s = 0; s < 3; s++) {
            fa_begin_frame(fa);
            size_t n = 1 + tu_rand(&rng) % 20000;
            unsigned char *p = fa_frame_alloc(fa, n, (size_t)16 << (tu_rand(&rng) % 4));
            if (p == NULL) atomic_fetch_add(&bad, 1);
            else {
                tu_fill(p, n, id ^ (uint32_t)s);
                if (tu_check(p, n, id ^ (uint32_t)s) != SIZE_MAX) atomic_fetch_add(&bad, 1);
            }
            fa_end_frame(fa);
        }
        if (tu_check(outer, 256, id + f) != SIZE_MAX) atomic_fetch_add(&bad, 1);
        fa_end_frame(fa);
    }
    unsigned char *h = fa_heap_alloc(fa, 1000, 64);
    unsigned char *o = fa_pool_alloc(fa, 48);
    if (h == NULL || o == NULL) {
        atomic_fetch_add(&bad, 1);
    } else {
        tu_fill(h, 1000, id);
        tu_fill(o, 48, id);
        if (tu_check(h, 1000, id) != SIZE_MAX || tu_check(o, 48, id) != SIZE_MAX)
            atomic_fetch_add(&bad, 1);
    }
    fa_heap_free(fa, h);
    fa_pool_free(fa, o);
    return NULL;
}

Test(stress_thread_lifetimes, a_thousand_threads_doing_frames, .init = tu_setup, .timeout = 280) {
    fa = tu_create(NULL);
    unsigned total = 1024 * tu_scale();
    uint32_t ids[WAVE];
    for (unsigned done = 0; done < total; done += WAVE) {
        for (uint32_t i = 0; i < WAVE; i++) ids[i] = done + i;
        tu_run_threads(WAVE, lifetime, ids, sizeof ids[0]);
    }
    cr_assert_eq(atomic_load(&bad), 0, "%u problems: %s", atomic_load(&bad), tu_cap.message);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.threads, 0, "%zu thread states left after their threads exited", st.threads);
    cr_assert_eq(st.frames_completed, (uint64_t)total * FRAMES);
    cr_assert_eq(st.heap_count, 0);
    cr_assert_eq(st.pool_count, 0);
    cr_assert_eq(fa_validate(fa), FA_OK);
    cr_assert_eq(tu_total(), 0, "%s", tu_cap.message);
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0, "%s", tu_cap.message);
}
