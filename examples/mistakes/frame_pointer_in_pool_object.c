/* SPDX-License-Identifier: MIT */
/*
 * mistakes/frame_pointer_in_pool_object.c - WRONG ON PURPOSE. The correct version:
 * retention/retention.c (fa_frame_retain copies the data out of the frame at its end).
 *
 * A path cache is a pool object, so it lives across frames - but the path it points to was
 * built in frame memory. After fa_end_frame the cache points into a released frame, and the
 * next frame's lookup reads it (guard mode faults at the read). Fix: retain or promote the path
 * before the frame ends. The analyzer reports the read in the next loop iteration; the store into
 * the pool object is not reported as an escape (see expected-misses.txt).
 *
 * expect-analyzer: framealloc-use-after-frame
 * expect-runtime: FA_ERR_USE_AFTER_FRAME
 */
#include <framealloc.h>

#include <stdio.h>

typedef struct PathCache {
    uint32_t goal;
    uint32_t *path; /* frame memory stored in a pool object */
    size_t length;
} PathCache;

int main(void) {
    fa_alloc *fa = fa_create(NULL);
    PathCache *cache = FA_POOL_NEW(fa, PathCache);
    cache->path = NULL;
    uint64_t sum = 0;
    for (int frame = 0; frame < 3; frame++) {
        fa_begin_frame(fa);
        if (cache->path == NULL) {
            cache->goal = 42;
            cache->length = 128;
            cache->path = FA_FRAME_ARRAY(fa, uint32_t, cache->length);
            for (size_t i = 0; i < cache->length; i++) cache->path[i] = (uint32_t)i;
        }
        for (size_t i = 0; i < cache->length; i++) sum += cache->path[i];
        fa_end_frame(fa);
    }
    printf("sum %llu\n", (unsigned long long)sum);
    fa_pool_free(fa, cache);
    fa_destroy(fa);
    return 0;
}
