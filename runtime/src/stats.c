/* SPDX-License-Identifier: MIT */
/*
 * stats.c - statistics snapshots, folded on read.
 *
 * Nothing here runs on an allocation path. Frame figures come from what each thread published
 * at its last frame boundary or block refill (exact for the calling thread); pool figures are
 * read off the pages; heap and transfer figures are the allocator's atomics.
 *
 * Threading: takes fa->lock to walk the thread list (tstates cannot go away meanwhile) and
 * fa->pool_lock (nested inside it) to walk pool pages.
 */
#include "internal.h"

static void thread_stats(fai_tstate *t, bool mine, fa_thread_stats *out) {
    memset(out, 0, sizeof *out);
    out->thread_id = t->thread_id;
    if (mine) {
        out->frame_depth = t->depth;
        out->frame_number = t->frame_number;
        out->frame_bytes = fai_frame_bytes_now(t);
        out->frame_reserved = t->reserved;
        out->frame_retained = t->gen_bytes;
        out->frames_retained = t->gen_count;
    } else {
        out->frame_depth = FAI_LOAD(t->pub.depth);
        out->frame_number = FAI_LOAD(t->pub.frame_number);
        out->frame_bytes = FAI_LOAD(t->pub.frame_bytes);
        out->frame_reserved = FAI_LOAD(t->pub.frame_reserved);
        out->frame_retained = FAI_LOAD(t->pub.frame_retained);
        out->frames_retained = FAI_LOAD(t->pub.frames_retained);
    }
    out->frame_high_water_last = FAI_LOAD(t->pub.frame_hw_last);
    out->frame_peak = FAI_LOAD(t->pub.frame_peak);
    out->heap_allocs = FAI_LOAD(t->pub.heap_allocs);
    out->heap_frees = FAI_LOAD(t->pub.heap_frees);
}

void fa_get_stats(fa_alloc *fa, fa_stats *out) {
    if (out == NULL) return;
    memset(out, 0, sizeof *out);
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_get_stats: NULL allocator");
        return;
    }
    fai_tstate *me = fai_find_tstate(fa);
    out->frames_completed = atomic_load(&fa->retired_frames);
    out->frame_peak = atomic_load(&fa->retired_frame_peak);
    fai_mutex_lock(&fa->lock);
    for (fai_tstate *t = fa->threads; t != NULL; t = t->next_in_fa) {
        fa_thread_stats ts;
        thread_stats(t, t == me, &ts);
        out->threads++;
        out->frames_completed += FAI_LOAD(t->pub.frames_completed);
        out->frame_bytes += ts.frame_bytes;
        out->frame_reserved += ts.frame_reserved;
        out->frame_retained += ts.frame_retained;
        if (ts.frame_peak > out->frame_peak) out->frame_peak = ts.frame_peak;
    }
    fai_mutex_unlock(&fa->lock);
    fai_pool_count(fa, NULL, -1, &out->pool_count, &out->pool_bytes, NULL);
    out->pool_reserved = atomic_load(&fa->pool_pages_in_use) * FAI_POOL_PAGE_SIZE;
    out->channel_violations = atomic_load(&fa->channel_violations);
    out->heap_bytes = atomic_load(&fa->heap_bytes);
    out->heap_count = atomic_load(&fa->heap_count);
    out->heap_peak = atomic_load(&fa->heap_peak);
    out->heap_cached = atomic_load(&fa->heap_cache_bytes);
    out->transfer_bytes = atomic_load(&fa->transfer_bytes);
    out->transfer_count = atomic_load(&fa->transfer_count);
    out->errors = atomic_load(&fa->errors);
    fai_group_stats(fa, &out->group_bytes, &out->group_reserved, &out->group_count);
    out->recovery_attempts = atomic_load(&fa->recovery_attempts);
    out->recovery_retries = atomic_load(&fa->recovery_retries);
    out->recovery_successes = atomic_load(&fa->recovery_successes);
    out->retain_fallbacks = atomic_load(&fa->retain_fallbacks);
    out->retain_failures = atomic_load(&fa->retain_failures);
    out->kept_count = atomic_load(&fa->kept_count);
    out->kept_bytes = atomic_load(&fa->kept_bytes);
    out->handle_bytes = atomic_load_explicit(&fa->handle_bytes, memory_order_relaxed);
    out->handle_count = atomic_load_explicit(&fa->handle_count, memory_order_relaxed);
    out->handle_reserved = atomic_load_explicit(&fa->handle_reserved, memory_order_relaxed);
    out->stream_bytes = atomic_load_explicit(&fa->stream_bytes, memory_order_relaxed);
    out->stream_count = atomic_load_explicit(&fa->stream_count, memory_order_relaxed);
    out->stream_reserved = atomic_load_explicit(&fa->stream_reserved, memory_order_relaxed);
    out->budget_warnings = atomic_load(&fa->budget_warnings);
    out->budget_failures = atomic_load(&fa->budget_failures);
}

size_t fa_get_thread_stats(fa_alloc *fa, fa_thread_stats *out, size_t max) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_get_thread_stats: NULL allocator");
        return 0;
    }
    fai_tstate *me = fai_find_tstate(fa);
    size_t n = 0;
    fai_mutex_lock(&fa->lock); /* keeps every tstate alive; pool_lock nests inside */
    for (fai_tstate *t = fa->threads; t != NULL; t = t->next_in_fa, n++) {
        if (out == NULL || n >= max) continue;
        thread_stats(t, t == me, &out[n]);
        fai_pool_count(fa, t, -1, &out[n].pool_count, &out[n].pool_bytes, &out[n].pool_pages);
    }
    fai_mutex_unlock(&fa->lock);
    return n;
}

void fa_get_my_thread_stats(fa_alloc *fa, fa_thread_stats *out) {
    if (out == NULL) return;
    memset(out, 0, sizeof *out);
    if (fa == NULL) return;
    fai_tstate *t = fai_find_tstate(fa);
    out->thread_id = fai_thread_id();
    if (t == NULL) return;
    thread_stats(t, true, out);
    fai_pool_count(fa, t, -1, &out->pool_count, &out->pool_bytes, &out->pool_pages);
}
