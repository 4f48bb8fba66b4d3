/* SPDX-License-Identifier: MIT */
/*
 * observe.h - internal interface of observe.c (frame history, profiler hooks).
 *
 * Every hook below is an inline gate on one relaxed load of fa->obs_flags, taken only on cold
 * paths (outermost frame begin/end, heap alloc/free, error reports); the frame and pool
 * allocation fast paths never call into observe.c.
 */
#ifndef FRAMEALLOC_OBSERVE_H
#define FRAMEALLOC_OBSERVE_H

#include "internal.h"

#define FAI_OBS_HISTORY 1u /* history_frames > 0 */
#define FAI_OBS_HOOKS 2u   /* profiler hooks installed */

void fai_obs_init(fa_alloc *fa);             /* fa_create */
void fai_obs_destroy(fa_alloc *fa);          /* fa_destroy, after every tstate is released */
void fai_obs_thread_release(fai_tstate *t);  /* the ring outlives its thread (retired) */
void fai_obs_frame_begin_slow(fai_tstate *t);
void fai_obs_frame_end_slow(fai_tstate *t);
void fai_obs_report_slow(fa_alloc *fa, const fa_error *e);
void fai_obs_heap_slow(fa_alloc *fa, bool alloc, const void *p, size_t size, fa_tag tag);

FAI_INLINE unsigned fai_obs_flags(const fa_alloc *fa) {
    return atomic_load_explicit(&((fa_alloc *)fa)->obs_flags, memory_order_relaxed);
}
FAI_INLINE void fai_obs_frame_begin(fai_tstate *t) {
    if (FA_UNLIKELY(fai_obs_flags(t->fa) != 0)) fai_obs_frame_begin_slow(t);
}
FAI_INLINE void fai_obs_frame_end(fai_tstate *t) {
    if (FA_UNLIKELY(fai_obs_flags(t->fa) != 0)) fai_obs_frame_end_slow(t);
}
FAI_INLINE void fai_obs_report(fa_alloc *fa, const fa_error *e) {
    if (fa != NULL && FA_UNLIKELY(fai_obs_flags(fa) != 0)) fai_obs_report_slow(fa, e);
}
FAI_INLINE void fai_obs_heap(fa_alloc *fa, bool alloc, const void *p, size_t size, fa_tag tag) {
    if (FA_UNLIKELY(fai_obs_flags(fa) & FAI_OBS_HOOKS)) fai_obs_heap_slow(fa, alloc, p, size, tag);
}

#endif /* FRAMEALLOC_OBSERVE_H */
