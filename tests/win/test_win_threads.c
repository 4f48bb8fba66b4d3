// SPDX-License-Identifier: MIT
/*
 * test_win_threads.c - the runtime with native Win32 threads (CreateThread) and fibers:
 * per-thread state released at thread exit by the TLS callback, cross-thread pool frees,
 * transfer handles, the barrier, and state that survives fiber switches and DeleteFiber.
 */
#include "fa_test.h"
#include "test_util.h"
#include "tw_thread.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

static fa_alloc *g_fa;

static size_t live_threads(fa_alloc *fa) {
    fa_stats s;
    fa_get_stats(fa, &s);
    return s.threads;
}

/* ---- thread exit ------------------------------------------------------------------------- */

typedef struct worker {
    void *pool_obj;
    int ok;
} worker;

static DWORD WINAPI frame_and_pool_worker(LPVOID arg) {
    worker *w = arg;
    fa_begin_frame(g_fa);
    char *f = fa_frame_alloc(g_fa, 5000, 16);
    w->pool_obj = fa_pool_alloc(g_fa, 200);
    if (f != NULL && w->pool_obj != NULL) {
        memset(f, 1, 5000);
        tu_fill(w->pool_obj, 200, 77);
        w->ok = 1;
    }
    fa_end_frame(g_fa);
    return 0;
}

Test(win_threads, exiting_threads_release_their_state, .init = tu_setup) {
    g_fa = tu_create(NULL);
    fa_begin_frame(g_fa);
    fa_end_frame(g_fa);
    cr_assert_eq(live_threads(g_fa), 1);
    worker w[8];
    memset(w, 0, sizeof w);
    tw_thread t[8];
    for (int i = 0; i < 8; i++) t[i] = tw_start(frame_and_pool_worker, &w[i]);
    for (int i = 0; i < 8; i++) tw_join(t[i]);
    for (int i = 0; i < 8; i++) cr_assert(w[i].ok, "worker %d", i);
    cr_assert_eq(live_threads(g_fa), 1, "the exit callback released every worker's state");
    fa_stats s;
    fa_get_stats(g_fa, &s);
    cr_assert_eq(s.frame_reserved, 0, "workers' frame blocks unmapped: %zu", s.frame_reserved);
    cr_assert_eq(s.pool_count, 8, "their pool objects outlive them (abandoned pages)");
    /* The main thread frees the objects of exited owners. */
    for (int i = 0; i < 8; i++) {
        cr_assert_eq(tu_check(w[i].pool_obj, 200, 77), SIZE_MAX);
        fa_pool_free(g_fa, w[i].pool_obj);
    }
    fa_get_stats(g_fa, &s);
    cr_assert_eq(s.pool_count, 0);
    fa_destroy(g_fa);
    cr_assert_eq(tu_total(), 0, "%s", tu_cap.message);
}

static DWORD WINAPI exits_in_frame(LPVOID arg) {
    (void)arg;
    fa_begin_frame(g_fa);
    fa_begin_frame(g_fa);
    if (fa_frame_alloc(g_fa, 64, 16) == NULL) abort();
    return 0; /* two scopes still open */
}

Test(win_threads, thread_exit_with_frames_open_is_reported, .init = tu_setup) {
    g_fa = tu_create(NULL);
    tw_join(tw_start(exits_in_frame, NULL));
    cr_assert_eq(tu_count(FA_ERR_THREAD_EXIT_IN_FRAME), 1);
    cr_assert(strstr(tu_cap.message, "2 frame scope(s) open") != NULL, "%s", tu_cap.message);
    cr_assert_eq(live_threads(g_fa), 0);
    fa_destroy(g_fa);
    cr_assert_eq(tu_total(), 1);
}

static DWORD WINAPI short_lived(LPVOID arg) {
    unsigned i = (unsigned)(uintptr_t)arg;
    fa_begin_frame(g_fa);
    void *f = fa_frame_alloc(g_fa, 1000 + i, 16);
    void *p = fa_pool_alloc(g_fa, 16 + i % 500);
    void *h = fa_heap_alloc(g_fa, 20000, 64);
    if (f == NULL || p == NULL || h == NULL) abort();
    fa_pool_free(g_fa, p);
    fa_heap_free(g_fa, h);
    fa_end_frame(g_fa);
    return 0;
}

Test(win_threads, hundreds_of_short_lived_threads_leave_nothing, .init = tu_setup) {
    g_fa = tu_create(NULL);
    for (unsigned round = 0; round < 40; round++) {
        tw_thread t[8];
        for (unsigned i = 0; i < 8; i++)
            t[i] = tw_start(short_lived, (void *)(uintptr_t)(round * 8 + i));
        for (unsigned i = 0; i < 8; i++) tw_join(t[i]);
        cr_assert_eq(live_threads(g_fa), 0, "round %u", round);
    }
    fa_stats s;
    fa_get_stats(g_fa, &s);
    cr_assert_eq(s.pool_count, 0);
    cr_assert_eq(s.heap_count, 0);
    cr_assert_eq(s.frame_reserved, 0);
    cr_assert_eq(s.frames_completed, 320);
    fa_destroy(g_fa);
    cr_assert_eq(tu_total(), 0, "%s", tu_cap.message);
}

/* ---- cross-thread pool frees --------------------------------------------------------------- */

enum { XN = 4000 };
static void *_Atomic handoff[XN];
static atomic_int bad_frees;

static DWORD WINAPI producer(LPVOID arg) {
    int base = (int)(intptr_t)arg;
    for (int i = base; i < XN; i += 2) {
        void *p = fa_pool_alloc(g_fa, 24 + (size_t)(i % 300));
        if (p == NULL) abort();
        tu_fill(p, 24, (uint32_t)i);
        atomic_store_explicit(&handoff[i], p, memory_order_release);
    }
    return 0;
}

static DWORD WINAPI freer(LPVOID arg) {
    int base = (int)(intptr_t)arg;
    for (int i = base; i < XN; i += 2) {
        void *p;
        while ((p = atomic_load_explicit(&handoff[i], memory_order_acquire)) == NULL) Sleep(0);
        if (tu_check(p, 24, (uint32_t)i) != SIZE_MAX) atomic_fetch_add(&bad_frees, 1);
        fa_pool_free(g_fa, p);
    }
    return 0;
}

Test(win_threads, pool_objects_freed_by_other_threads, .init = tu_setup) {
    g_fa = tu_create(NULL);
    tw_thread t[4];
    t[0] = tw_start(producer, (void *)(intptr_t)0);
    t[1] = tw_start(producer, (void *)(intptr_t)1);
    t[2] = tw_start(freer, (void *)(intptr_t)1); /* frees the other producer's objects */
    t[3] = tw_start(freer, (void *)(intptr_t)0);
    for (int i = 0; i < 4; i++) tw_join(t[i]);
    cr_assert_eq(atomic_load(&bad_frees), 0);
    fa_stats s;
    fa_get_stats(g_fa, &s);
    cr_assert_eq(s.pool_count, 0, "%zu live", s.pool_count);
    cr_assert_eq(s.errors, 0);
    fa_destroy(g_fa);
    cr_assert_eq(tu_total(), 0, "%s", tu_cap.message);
}

/* ---- transfer handles ---------------------------------------------------------------------- */

static fa_transfer *_Atomic sent;

static DWORD WINAPI transfer_producer(LPVOID arg) {
    (void)arg;
    fa_begin_frame(g_fa);
    char *f = fa_frame_alloc(g_fa, 3000, 16);
    if (f == NULL) abort();
    tu_fill(f, 3000, 5);
    fa_transfer *t = fa_transfer_create(g_fa, f, 3000);
    fa_end_frame(g_fa); /* the handle outlives the frame and the thread */
    atomic_store(&sent, t);
    return 0;
}

Test(win_threads, transfer_outlives_its_frame_and_thread, .init = tu_setup) {
    g_fa = tu_create(NULL);
    tw_join(tw_start(transfer_producer, NULL));
    fa_transfer *t = atomic_load(&sent);
    cr_assert_not_null(t);
    cr_assert_eq(fa_transfer_size(t), 3000);
    char *payload = fa_transfer_receive(t);
    cr_assert_not_null(payload);
    cr_assert_eq(tu_check(payload, 3000, 5), SIZE_MAX);
    cr_assert_null(fa_transfer_receive(t), "a second receive is misuse");
    cr_assert_eq(tu_count(FA_ERR_TRANSFER_MISUSE), 1);
    fa_transfer_free(t);
    fa_stats s;
    fa_get_stats(g_fa, &s);
    cr_assert_eq(s.transfer_count, 0);
    fa_destroy(g_fa);
    cr_assert_eq(tu_total(), 1);
}

/* ---- barrier ------------------------------------------------------------------------------- */

static fa_barrier *g_bar;
static uint64_t gens[4][50];
static atomic_int in_phase[51];

static DWORD WINAPI barrier_worker(LPVOID arg) {
    int me = (int)(intptr_t)arg;
    for (int g = 0; g < 50; g++) {
        atomic_fetch_add(&in_phase[g], 1);
        gens[me][g] = fa_barrier_wait(g_bar);
        /* Nobody passes generation g before all 4 arrived at it. */
        if (atomic_load(&in_phase[g]) != 4) gens[me][g] = 0;
    }
    return 0;
}

Test(win_threads, barrier_generations_in_order, .init = tu_setup) {
    g_bar = fa_barrier_create(4);
    cr_assert_not_null(g_bar);
    tw_thread t[4];
    for (int i = 0; i < 4; i++) t[i] = tw_start(barrier_worker, (void *)(intptr_t)i);
    for (int i = 0; i < 4; i++) tw_join(t[i]);
    for (int i = 0; i < 4; i++)
        for (int g = 0; g < 50; g++) cr_assert_eq(gens[i][g], (uint64_t)g + 1, "%d/%d", i, g);
    fa_barrier_destroy(g_bar);
    cr_assert_eq(tu_total(), 0);
}

/* ---- fibers -------------------------------------------------------------------------------- */

static LPVOID main_fiber;
static char *fiber_frame_ptr;

static VOID WINAPI fiber_body(LPVOID arg) {
    (void)arg;
    fa_begin_frame(g_fa); /* opened on a fiber, closed on the thread's main fiber */
    fiber_frame_ptr = fa_frame_alloc(g_fa, 128, 16);
    if (fiber_frame_ptr != NULL) memset(fiber_frame_ptr, 0x11, 128);
    SwitchToFiber(main_fiber);
}

static atomic_int fiber_ok;

static DWORD WINAPI fiber_thread(LPVOID arg) {
    (void)arg;
    main_fiber = ConvertThreadToFiber(NULL);
    if (main_fiber == NULL) return 1;
    LPVOID f = CreateFiber(0, fiber_body, NULL);
    if (f == NULL) return 1;
    SwitchToFiber(f);
    /* Deleting the fiber must not release the thread's state (it is per thread, not per
     * fiber): the frame opened on the fiber is still open here. */
    DeleteFiber(f);
    int ok = fa_frame_depth(g_fa) == 1 && fiber_frame_ptr != NULL &&
             fa_check_ptr(g_fa, fiber_frame_ptr) == FA_OK && fiber_frame_ptr[127] == 0x11;
    void *more = fa_frame_alloc(g_fa, 64, 16);
    ok = ok && more != NULL;
    fa_end_frame(g_fa);
    ok = ok && fa_frame_depth(g_fa) == 0;
    atomic_store(&fiber_ok, ok);
    ConvertFiberToThread();
    return 0;
}

Test(win_threads, state_is_per_thread_not_per_fiber, .init = tu_setup) {
    g_fa = tu_create(NULL);
    tw_join(tw_start(fiber_thread, NULL));
    cr_assert_eq(atomic_load(&fiber_ok), 1);
    cr_assert_eq(tu_total(), 0, "%s", tu_cap.message);
    cr_assert_eq(live_threads(g_fa), 0);
    fa_destroy(g_fa);
}
