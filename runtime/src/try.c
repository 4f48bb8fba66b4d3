/*
 * try.c - quiet try-allocation: fa_try_frame_alloc / fa_try_pool_alloc / fa_try_heap_alloc.
 *
 * Each wraps the ordinary entry point in error.c's quiet mode, so the request's failure is
 * captured rather than reported: no handler call, no fa_last_error update, no fa_stats.errors
 * count. The allocation paths themselves are unchanged (the frame fast path included); only
 * fai_report_error looks at the quiet state, and it runs on failures only.
 *
 * Threading: the quiet state is thread-local; these may be called from any thread.
 */
#include "internal.h"

void *fai_try_finish(void *p, fai_quiet saved, fa_status *why) {
    fa_status st = fai_quiet_end(saved);
    /* A failure always has a reason; a path that returned NULL without one ran out of memory
     * before it could say so (thread-state creation). */
    if (p == NULL && st == FA_OK) st = FA_ERR_OUT_OF_MEMORY;
    if (p != NULL) st = FA_OK;
    if (why != NULL) *why = st;
    return p;
}

void *fa_try_frame_alloc(fa_alloc *fa, size_t size, size_t align, fa_status *why) {
    fai_quiet q = fai_quiet_begin();
    void *p = fa_frame_alloc_at(fa, size, align, NULL);
    return fai_try_finish(p, q, why);
}

void *fa_try_pool_alloc(fa_alloc *fa, size_t size, fa_status *why) {
    fai_quiet q = fai_quiet_begin();
    void *p = fa_pool_alloc_at(fa, size, NULL);
    return fai_try_finish(p, q, why);
}

void *fa_try_heap_alloc(fa_alloc *fa, size_t size, size_t align, fa_status *why) {
    fai_quiet q = fai_quiet_begin();
    void *p = fa_heap_alloc_at(fa, size, align, NULL);
    return fai_try_finish(p, q, why);
}
