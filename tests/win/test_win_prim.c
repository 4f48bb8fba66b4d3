// SPDX-License-Identifier: MIT
/*
 * test_win_prim.c - the Windows OS layer (prim_win32.c) directly, and the places where Windows
 * differs from POSIX as seen through the public API: 64 KiB granules, 4 MiB-aligned pool
 * segments, decommit, protection, partial unmaps, the thread-exit callback, once, conditions.
 */
#include "fa_test.h"
#include "test_util.h"
#include "tw_thread.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

static MEMORY_BASIC_INFORMATION query(const void *p) {
    MEMORY_BASIC_INFORMATION m;
    memset(&m, 0, sizeof m);
    cr_assert_neq(VirtualQuery(p, &m, sizeof m), 0);
    return m;
}

/* ---- public API: what the granularity changes ---------------------------------------------- */

Test(win_layout, frame_blocks_are_whole_granules, .init = tu_setup) {
    fa_config cfg = tu_config();
    cfg.frame_block_size = 4096;
    fa_alloc *fa = tu_create(&cfg);
    fa_config got;
    fa_get_config(fa, &got);
    cr_assert_eq(got.frame_block_size, (size_t)65536, "%zu", got.frame_block_size);
    fa_begin_frame(fa);
    /* The whole granule is usable: 60 KiB fit in the first block. */
    char *a = fa_frame_alloc(fa, 1024, 16);
    char *b = fa_frame_alloc(fa, 60 * 1024, 16);
    cr_assert_not_null(a);
    cr_assert_not_null(b);
    memset(b, 1, 60 * 1024);
    MEMORY_BASIC_INFORMATION ma = query(a), mb = query(b);
    cr_assert_eq(ma.AllocationBase, mb.AllocationBase, "both in the first block");
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    cr_assert_eq(ts.frame_reserved, (size_t)65536, "%zu", ts.frame_reserved);
    fa_end_frame(fa);
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0);
}

Test(win_layout, pool_segments_are_4mib_aligned_reservations, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    void *p = fa_pool_alloc(fa, 64);
    cr_assert_not_null(p);
    MEMORY_BASIC_INFORMATION m = query(p);
    cr_assert_eq((uintptr_t)m.AllocationBase & ((4u << 20) - 1), 0, "%p", m.AllocationBase);
    cr_assert_eq(m.State, (DWORD)MEM_COMMIT);
    void *base = m.AllocationBase;
    fa_pool_free(fa, p);
    fa_destroy(fa);
    cr_assert_eq(query(base).State, (DWORD)MEM_FREE, "fa_destroy released the segment");
    cr_assert_eq(tu_total(), 0);
}

Test(win_layout, trimmed_pool_pages_return_to_the_os_and_read_zero, .init = tu_setup) {
    fa_config cfg = tu_config();
    cfg.pool_keep_empty_pages = 1;
    fa_alloc *fa = tu_create(&cfg);
    enum { N = 3000 }; /* 3000 * 48 bytes: three 64 KiB pages */
    static char *obj[N];
    for (int i = 0; i < N; i++) {
        obj[i] = fa_pool_alloc(fa, 48);
        cr_assert_not_null(obj[i]);
        memset(obj[i], 0x5A, 48);
    }
    fa_stats before;
    fa_get_stats(fa, &before);
    for (int i = 0; i < N; i++) fa_pool_free(fa, obj[i]);
    fa_pool_trim(fa);
    fa_stats after;
    fa_get_stats(fa, &after);
    cr_assert_lt(after.pool_reserved, before.pool_reserved, "%zu -> %zu", before.pool_reserved,
                 after.pool_reserved);
    cr_assert_eq(after.pool_count, 0);
    /* Pages taken again after the decommit (MEM_DECOMMIT + MEM_COMMIT) are usable. */
    for (int i = 0; i < N; i++) {
        obj[i] = fa_pool_alloc(fa, 48);
        cr_assert_not_null(obj[i]);
        memset(obj[i], 0x33, 48);
    }
    for (int i = 0; i < N; i++) fa_pool_free(fa, obj[i]);
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0, "%s", tu_cap.message);
}

/* ---- the OS layer itself (static builds: prim.h is internal) ------------------------------ */

#ifndef FA_TEST_VARIANT_dll
#include "prim.h"

Test(win_prim, page_size_and_granularity) {
    cr_assert_eq(fai_prim_page_size(), (size_t)4096);
    cr_assert_eq(fai_prim_alloc_granularity(), (size_t)65536);
}

Test(win_prim, aligned_map_is_zeroed_writable_and_released_whole) {
    size_t align = (size_t)4 << 20;
    for (int round = 0; round < 8; round++) {
        unsigned char *p = fai_prim_map(align, align);
        cr_assert_not_null(p);
        cr_assert_eq((uintptr_t)p & (align - 1), 0, "%p", (void *)p);
        cr_assert_eq(query(p).AllocationBase, (void *)p);
        for (size_t i = 0; i < align; i += 4096) cr_assert_eq(p[i], 0);
        p[0] = 1;
        p[align - 1] = 2;
        fai_prim_unmap(p, align);
        cr_assert_eq(query(p).State, (DWORD)MEM_FREE);
    }
}

Test(win_prim, small_map_starts_on_a_granule) {
    unsigned char *p = fai_prim_map(4096, 4096);
    cr_assert_not_null(p);
    cr_assert_eq((uintptr_t)p & 0xFFFF, 0);
    p[4095] = 9;
    fai_prim_unmap(p, 4096);
    cr_assert_eq(query(p).State, (DWORD)MEM_FREE);
}

Test(win_prim, partial_unmap_decommits_and_keeps_the_rest) {
    size_t size = 4 * 65536;
    unsigned char *p = fai_prim_map(size, 65536);
    cr_assert_not_null(p);
    memset(p, 7, size);
    fai_prim_unmap(p + 65536, 65536);
    cr_assert_eq(query(p + 65536).State, (DWORD)MEM_RESERVE, "the part lost its pages");
    cr_assert_eq(query(p).State, (DWORD)MEM_COMMIT);
    cr_assert_eq(p[0], 7);
    cr_assert_eq(p[3 * 65536], 7);
    fai_prim_unmap(p, size);
    cr_assert_eq(query(p).State, (DWORD)MEM_FREE);
}

Test(win_prim, decommit_returns_pages_and_reads_back_zero) {
    size_t size = 16 * 4096;
    unsigned char *p = fai_prim_map(size, 4096);
    cr_assert_not_null(p);
    cr_assert_eq(fai_prim_resident(p, size), 0, "nothing touched yet");
    memset(p, 0xAB, size);
    cr_assert_eq(fai_prim_resident(p, size), size);
    cr_assert_eq(fai_prim_decommit(p, size), 0);
    cr_assert_eq(fai_prim_resident(p, size), 0);
    for (size_t i = 0; i < size; i += 512) cr_assert_eq(p[i], 0, "offset %zu", i);
    p[5] = 1; /* still mapped read/write */
    cr_assert_eq(p[5], 1);
    /* At least the touched page (wine on Linux reports neighbours too). */
    cr_assert_geq(fai_prim_resident(p, size), 4096);
    fai_prim_unmap(p, size);
}

Test(win_prim, prefault_makes_pages_resident_and_keeps_contents) {
    size_t size = 8 * 4096;
    unsigned char *p = fai_prim_map(size, 4096);
    cr_assert_not_null(p);
    p[4096 + 3] = 42;
    fai_prim_prefault(p, size);
    cr_assert_eq(fai_prim_resident(p, size), size);
    cr_assert_eq(p[4096 + 3], 42);
    cr_assert_eq(p[0], 0);
    fai_prim_unmap(p, size);
}

Test(win_prim, protect_none_and_back) {
    size_t size = 2 * 65536;
    unsigned char *p = fai_prim_map(size, 65536);
    cr_assert_not_null(p);
    p[100] = 3;
    cr_assert_eq(fai_prim_protect_none(p, size), 0);
    cr_assert_eq(query(p).Protect, (DWORD)PAGE_NOACCESS);
    cr_assert_eq(query(p + size - 1).Protect, (DWORD)PAGE_NOACCESS);
    cr_assert_eq(fai_prim_protect_rw(p, size), 0);
    cr_assert_eq(query(p).Protect, (DWORD)PAGE_READWRITE);
    cr_assert_eq(p[100], 3);
    /* A range that is not mapped is an error, not a crash. */
    fai_prim_unmap(p, size);
    cr_assert_neq(fai_prim_protect_none(p, size), 0);
}

Test(win_prim, sparse_map_is_zero_and_writable_at_both_ends) {
    size_t size = (size_t)8 << 20;
    unsigned char *p = fai_prim_map_sparse(size);
    cr_assert_not_null(p);
    cr_assert_eq(p[0], 0);
    cr_assert_eq(p[size - 1], 0);
    p[size - 1] = 1;
    cr_assert_lt(fai_prim_resident(p, size), size / 2, "untouched pages are not resident");
    VirtualFree(p, 0, MEM_RELEASE);
}

Test(win_prim, clock_is_monotonic_nanoseconds) {
    uint64_t a = fai_prim_now_ns();
    Sleep(30);
    uint64_t b = fai_prim_now_ns();
    cr_assert_gt(b, a);
    cr_assert_geq(b - a, (uint64_t)20000000, "%llu ns", (unsigned long long)(b - a));
    cr_assert_lt(b - a, (uint64_t)5000000000ull);
}

static fai_once once = FAI_ONCE_INIT;
static atomic_int once_runs, once_seen_after;
static void once_fn(void) {
    Sleep(20); /* the others must wait for it */
    atomic_fetch_add(&once_runs, 1);
}
static DWORD WINAPI once_racer(LPVOID arg) {
    (void)arg;
    fai_once_run(&once, once_fn);
    if (atomic_load(&once_runs) == 1) atomic_fetch_add(&once_seen_after, 1);
    return 0;
}

Test(win_prim, once_runs_once_and_the_others_wait) {
    tw_thread t[8];
    for (int i = 0; i < 8; i++) t[i] = tw_start(once_racer, NULL);
    for (int i = 0; i < 8; i++) tw_join(t[i]);
    cr_assert_eq(atomic_load(&once_runs), 1);
    cr_assert_eq(atomic_load(&once_seen_after), 8);
}

static fai_mutex q_lock = FAI_MUTEX_INIT;
static fai_cond q_cond;
static int q_items, q_taken, q_done;
static DWORD WINAPI consumer(LPVOID arg) {
    (void)arg;
    for (;;) {
        fai_mutex_lock(&q_lock);
        while (q_items == 0 && !q_done) fai_cond_wait(&q_cond, &q_lock);
        if (q_items == 0 && q_done) {
            fai_mutex_unlock(&q_lock);
            return 0;
        }
        q_items--;
        q_taken++;
        fai_mutex_unlock(&q_lock);
    }
}

Test(win_prim, mutex_and_condition_hand_over_every_item) {
    fai_cond_init(&q_cond);
    tw_thread t[3];
    for (int i = 0; i < 3; i++) t[i] = tw_start(consumer, NULL);
    for (int i = 0; i < 5000; i++) {
        fai_mutex_lock(&q_lock);
        q_items++;
        fai_cond_broadcast(&q_cond);
        fai_mutex_unlock(&q_lock);
    }
    fai_mutex_lock(&q_lock);
    q_done = 1;
    fai_cond_broadcast(&q_cond);
    fai_mutex_unlock(&q_lock);
    for (int i = 0; i < 3; i++) tw_join(t[i]);
    cr_assert_eq(q_taken, 5000);
    cr_assert_eq(q_items, 0);
    fai_cond_destroy(&q_cond);
}

/* The thread-exit callback (replacing the library's in this test process): it runs on the
 * exiting thread itself, with the value it registered and its TLS still intact. */
static _Thread_local int tls_marker;
static atomic_int hook_calls;
static DWORD hook_thread;
static void *hook_value;
static int hook_marker;
static void exit_hook(void *value) {
    atomic_fetch_add(&hook_calls, 1);
    hook_thread = GetCurrentThreadId();
    hook_value = value;
    hook_marker = tls_marker;
}
static int token;
static DWORD worker_id;
static DWORD WINAPI registering_thread(LPVOID arg) {
    (void)arg;
    worker_id = GetCurrentThreadId();
    tls_marker = 1234;
    if (fai_prim_thread_exit_register(&token) != 0) abort();
    return 0;
}
static DWORD WINAPI quiet_thread(LPVOID arg) {
    (void)arg;
    return 0;
}

Test(win_prim, thread_exit_callback_runs_on_the_exiting_thread_with_its_tls) {
    cr_assert_eq(fai_prim_thread_exit_init(exit_hook), 0);
    tw_join(tw_start(quiet_thread, NULL));
    cr_assert_eq(atomic_load(&hook_calls), 0, "a thread that never registered");
    tw_join(tw_start(registering_thread, NULL));
    cr_assert_eq(atomic_load(&hook_calls), 1);
    cr_assert_eq(hook_thread, worker_id);
    cr_assert_eq(hook_value, (void *)&token);
    cr_assert_eq(hook_marker, 1234);
}
#endif /* !FA_TEST_VARIANT_dll */
