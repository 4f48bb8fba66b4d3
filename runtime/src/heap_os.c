/* SPDX-License-Identifier: MIT */
/*
 * heap_os.c - where heap blocks get their memory: the configured fa_heap_backend, or the
 * default one, which returns what the program frees.
 *
 * The default serves blocks below HEAP_DIRECT_MIN from malloc and maps larger ones from the OS
 * (fai_prim_map), so freeing them gives the memory back at once instead of leaving it in
 * malloc's arenas, where a long session's mix of sizes makes the resident size creep. A freed
 * mapping of up to HEAP_CACHE_MAX_BLOCK is kept in a small cache (at most HEAP_CACHE_BYTES,
 * FAI_HEAP_CACHE_SLOTS mappings, oldest evicted first) and reused for a request it fits without
 * wasting more than a quarter of it, so a loop that allocates and frees large blocks does not
 * pay a map, an unmap and the page faults on every pair. fa_heap_trim and fa_destroy unmap
 * what the cache holds.
 *
 * Invariants: every cache slot below heap_cache_n is a whole mapping made here, no longer
 * owned by any block; heap_cache_bytes is the sum of their sizes. Cached mappings are marked
 * no-access for ASan and valgrind, so a use after free of a block that lived in one is caught.
 *
 * Threading: any thread. The cache is guarded by fa->heap_cache_lock, a leaf lock (the heap
 * calls in here without holding heap_lock); mappings are made and unmapped outside it.
 * heap_cache_bytes is an atomic so that fa_get_stats reads it without the lock.
 */
#include "internal.h"
#include "prim.h"
#include "track.h"

#include <stdlib.h>

#define HEAP_DIRECT_MIN ((size_t)64 << 10)
#define HEAP_CACHE_BYTES ((size_t)8 << 20)
#define HEAP_CACHE_MAX_BLOCK ((size_t)4 << 20)

/* Takes the smallest cached mapping of at least len bytes that wastes at most a quarter. */
static void *cache_take(fa_alloc *fa, size_t len, size_t *mapped) {
    if (atomic_load_explicit(&fa->heap_cache_bytes, memory_order_relaxed) < len) return NULL;
    void *base = NULL;
    fai_mutex_lock(&fa->heap_cache_lock);
    unsigned best = fa->heap_cache_n;
    for (unsigned i = 0; i < fa->heap_cache_n; i++) {
        size_t sz = fa->heap_cache[i].size;
        if (sz >= len && sz - len <= sz / 4 &&
            (best == fa->heap_cache_n || sz < fa->heap_cache[best].size))
            best = i;
    }
    if (best < fa->heap_cache_n) {
        base = fa->heap_cache[best].base;
        *mapped = fa->heap_cache[best].size;
        atomic_fetch_sub(&fa->heap_cache_bytes, *mapped);
        fa->heap_cache_n--;
        memmove(&fa->heap_cache[best], &fa->heap_cache[best + 1],
                (fa->heap_cache_n - best) * sizeof fa->heap_cache[0]);
    }
    fai_mutex_unlock(&fa->heap_cache_lock);
    /* The block's bytes are uninitialised to the program, as malloc's are. */
    if (base != NULL) {
        fai_track_open(base, *mapped);
        fai_track_undefined(base, *mapped);
    }
    return base;
}

/* Keeps a freed mapping, evicting the oldest ones to stay within the cache's bounds. Returns
 * false when the mapping is not cached (the caller unmaps it). */
static bool cache_put(fa_alloc *fa, void *base, size_t len) {
    if (len > HEAP_CACHE_MAX_BLOCK) return false;
    fai_heap_mapping evicted[FAI_HEAP_CACHE_SLOTS];
    unsigned n_evicted = 0;
    fai_track_close(base, len);
    fai_mutex_lock(&fa->heap_cache_lock);
    size_t bytes = atomic_load_explicit(&fa->heap_cache_bytes, memory_order_relaxed);
    unsigned drop = 0;
    while (drop < fa->heap_cache_n &&
           (fa->heap_cache_n - drop == FAI_HEAP_CACHE_SLOTS || bytes + len > HEAP_CACHE_BYTES)) {
        evicted[n_evicted++] = fa->heap_cache[drop];
        bytes -= fa->heap_cache[drop].size;
        drop++;
    }
    fa->heap_cache_n -= drop;
    memmove(&fa->heap_cache[0], &fa->heap_cache[drop], fa->heap_cache_n * sizeof fa->heap_cache[0]);
    fa->heap_cache[fa->heap_cache_n++] = (fai_heap_mapping){base, len};
    atomic_store_explicit(&fa->heap_cache_bytes, bytes + len, memory_order_relaxed);
    fai_mutex_unlock(&fa->heap_cache_lock);
    for (unsigned i = 0; i < n_evicted; i++) {
        fai_track_open(evicted[i].base, evicted[i].size);
        fai_prim_unmap(evicted[i].base, evicted[i].size);
    }
    return true;
}

void *fai_heap_backing_alloc(fa_alloc *fa, size_t size, size_t *mapped) {
    *mapped = 0;
    if (fai_heap_custom_backend(fa))
        return fa->cfg.heap_backend.alloc(size, fa->cfg.heap_backend.ctx);
    if (size < HEAP_DIRECT_MIN) return malloc(size);
    size_t gran = fai_prim_alloc_granularity();
    if (size > SIZE_MAX - gran) return NULL;
    size_t len = fai_align_up(size, gran);
    void *base = cache_take(fa, len, mapped);
    if (base != NULL) return base;
    base = fai_prim_map(len, fai_prim_page_size());
    if (base != NULL) *mapped = len;
    return base;
}

void fai_heap_backing_free(fa_alloc *fa, void *base, size_t size, size_t mapped) {
    if (fai_heap_custom_backend(fa)) {
        fa->cfg.heap_backend.free(base, size, fa->cfg.heap_backend.ctx);
    } else if (mapped == 0) {
        free(base);
    } else if (!cache_put(fa, base, mapped)) {
        fai_prim_unmap(base, mapped);
    }
}

void fai_heap_cache_release(fa_alloc *fa) {
    fai_heap_mapping taken[FAI_HEAP_CACHE_SLOTS];
    fai_mutex_lock(&fa->heap_cache_lock);
    unsigned n = fa->heap_cache_n;
    memcpy(taken, fa->heap_cache, n * sizeof taken[0]);
    fa->heap_cache_n = 0;
    atomic_store_explicit(&fa->heap_cache_bytes, 0, memory_order_relaxed);
    fai_mutex_unlock(&fa->heap_cache_lock);
    for (unsigned i = 0; i < n; i++) {
        fai_track_open(taken[i].base, taken[i].size);
        fai_prim_unmap(taken[i].base, taken[i].size);
    }
}

void fa_heap_trim(fa_alloc *fa) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_heap_trim: NULL allocator");
        return;
    }
    fai_heap_cache_release(fa);
}
