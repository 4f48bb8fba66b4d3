/* SPDX-License-Identifier: MIT */
/*
 * track.h - tells AddressSanitizer and valgrind memcheck which bytes may be touched.
 *
 * The runtime hands out memory it carved itself (frame blocks, pool pages), so neither checker
 * knows on its own when a byte stops being valid. These macros say so:
 *
 *   fai_track_close(p, n)        nobody may touch [p, p+n) (freed, or not handed out yet)
 *   fai_track_open(p, n)         the runtime itself is about to read/write it (fills, checks)
 *   fai_track_undefined(p, n)    addressable, contents undefined (after a debug fill)
 *   fai_track_handout(pool,p,n)  handed to the program: addressable, contents undefined
 *   fai_track_takeback(pool,p)   a pool object is freed (valgrind keeps its alloc/free stacks)
 *   fai_track_trim(pool,p,n)     a frame scope ended: every chunk of pool outside [p, p+n) dies
 *
 * Under valgrind each frame block and each pool page is a memcheck "mempool" anchored at its
 * descriptor, so a stale access is reported with the stack that allocated the chunk and the one
 * that released it (the fa_end_frame or fa_pool_free). Every macro is a no-op in builds without
 * the checker; the valgrind requests cost a few instructions when not running under it.
 */
#ifndef FRAMEALLOC_TRACK_H
#define FRAMEALLOC_TRACK_H

#include "internal.h"

#if FAI_ASAN
#include <sanitizer/asan_interface.h>
#endif
#if FAI_VALGRIND
#include <valgrind/memcheck.h>
#endif

FAI_INLINE void fai_track_close(const void *p, size_t n) {
    (void)p, (void)n;
#if FAI_ASAN
    ASAN_POISON_MEMORY_REGION(p, n);
#endif
#if FAI_VALGRIND
    VALGRIND_MAKE_MEM_NOACCESS(p, n);
#endif
}

FAI_INLINE void fai_track_open(const void *p, size_t n) {
    (void)p, (void)n;
#if FAI_ASAN
    ASAN_UNPOISON_MEMORY_REGION(p, n);
#endif
#if FAI_VALGRIND
    VALGRIND_MAKE_MEM_DEFINED(p, n);
#endif
}

/* Bytes the runtime just filled that the program must treat as uninitialised (valgrind). */
FAI_INLINE void fai_track_undefined(const void *p, size_t n) {
    (void)p, (void)n;
#if FAI_VALGRIND
    VALGRIND_MAKE_MEM_UNDEFINED(p, n);
#endif
}

FAI_INLINE void fai_track_pool_create(const void *pool) {
    (void)pool;
#if FAI_VALGRIND
    VALGRIND_CREATE_MEMPOOL(pool, 0, 0);
#endif
}

FAI_INLINE void fai_track_pool_destroy(const void *pool) {
    (void)pool;
#if FAI_VALGRIND
    VALGRIND_DESTROY_MEMPOOL(pool);
#endif
}

FAI_INLINE void fai_track_handout(const void *pool, const void *p, size_t n) {
    (void)pool, (void)p, (void)n;
#if FAI_ASAN
    ASAN_UNPOISON_MEMORY_REGION(p, n);
#endif
#if FAI_VALGRIND
    VALGRIND_MEMPOOL_ALLOC(pool, p, n);
#endif
}

FAI_INLINE void fai_track_takeback(const void *pool, const void *p) {
    (void)pool, (void)p;
#if FAI_VALGRIND
    VALGRIND_MEMPOOL_FREE(pool, p);
#endif
}

FAI_INLINE void fai_track_trim(const void *pool, const void *p, size_t n) {
    (void)pool, (void)p, (void)n;
#if FAI_VALGRIND
    VALGRIND_MEMPOOL_TRIM(pool, p, n);
#endif
}

FAI_INLINE bool fai_track_on_valgrind(void) {
#if FAI_VALGRIND
    return RUNNING_ON_VALGRIND != 0;
#else
    return false;
#endif
}

#endif /* FRAMEALLOC_TRACK_H */
