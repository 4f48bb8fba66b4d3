/* SPDX-License-Identifier: MIT */
/*
 * recovery.c - the recovery hook: what an allocation about to fail for want of memory does
 * before it gives up.
 *
 * Owns: fa_set_recovery_hook, the hook call and the recovery counters. The frame, pool and heap
 * paths (frame.c, pool.c, heap.c) run their attempt through fai_recovering when a hook is set;
 * with none they call it directly, so the cost of the feature is one relaxed load on their
 * slow paths and nothing on the fast paths.
 *
 * Invariants:
 *  - the first attempt runs deferred (error.c): a recoverable failure (out of memory, hard
 *    budget, heap or frame limit) is kept, not reported. The hook is called once; RETRY runs the
 *    attempt exactly once more, reported as usual; GIVE_UP delivers the kept report unchanged.
 *    So the error handler sees a failure only if the allocation finally fails, and sees it once.
 *  - no recursion: while the hook runs, the thread's allocations bypass recovery (in_hook) and
 *    report normally; the caller's quiet mode (fa_try_*) and deferral are set aside meanwhile,
 *    so the hook's failures neither vanish nor become the caller's status.
 *
 * Threading: the hook runs on the allocating thread with no runtime lock held; any thread may
 * install it (atomics). The state here is thread-local.
 */
#include "internal.h"

static _Thread_local int in_hook;

void fa_set_recovery_hook(fa_alloc *fa, fa_recovery_fn fn, void *user) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_set_recovery_hook: NULL allocator");
        return;
    }
    /* user first: a thread that sees the new hook must not pair it with the old argument
     * (both are read with acquire below). */
    atomic_store(&fa->recovery_user, user);
    atomic_store(&fa->recovery, fn);
}

/* Calls the hook for the kept failure; true when the caller should try once more. */
static bool ask_hook(fa_alloc *fa, const fai_defer *d, fa_alloc_kind kind, size_t size,
                     size_t align) {
    fa_recovery_fn fn = atomic_load(&fa->recovery);
    void *user = atomic_load(&fa->recovery_user);
    if (fn == NULL) return false; /* removed meanwhile */
    fai_tstate *t = fai_find_tstate(fa);
    fa_recovery r = {.alloc = fa, .status = d->rep.status, .kind = kind, .size = size,
                     .align = align, .tag = t != NULL ? t->cur_tag : 0,
                     .quiet = fai_quiet_active(), .thread = fai_thread_id()};
    atomic_fetch_add_explicit(&fa->recovery_attempts, 1, memory_order_relaxed);
    fai_report_state saved;
    fai_report_suspend(&saved);
    in_hook = 1;
    fa_recovery_action a = fn(&r, user);
    in_hook = 0;
    fai_report_resume(&saved);
    if (a != FA_RECOVER_RETRY) return false; /* any other value gives up */
    atomic_fetch_add_explicit(&fa->recovery_retries, 1, memory_order_relaxed);
    return true;
}

void *fai_recovering(fa_alloc *fa, fa_alloc_kind kind, size_t size, size_t align,
                     fai_attempt_fn fn, void *ctx) {
    if (in_hook) return fn(ctx);
    fai_defer d;
    fai_defer_begin(&d);
    void *p = fn(ctx);
    fai_defer_end(&d);
    if (p != NULL || !d.has) {
        fai_defer_deliver(&d); /* a kept report of a request that still succeeded (none today) */
        return p;
    }
    if (!ask_hook(fa, &d, kind, size, align)) {
        fai_defer_deliver(&d);
        return NULL;
    }
    p = fn(ctx);
    if (p != NULL) atomic_fetch_add_explicit(&fa->recovery_successes, 1, memory_order_relaxed);
    return p;
}
