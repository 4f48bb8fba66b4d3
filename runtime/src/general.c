/* SPDX-License-Identifier: MIT */
/*
 * general.c - malloc-shaped entry points (fa_malloc, fa_calloc, fa_realloc, fa_usable_size;
 * fa_free is heap.c's) for the libraries an engine embeds: scripting VMs, databases, UI and
 * platform layers that want one allocator with no size on free.
 *
 * Requests of up to FA_POOL_MAX_SIZE bytes go to the pools, larger ones to the tracked heap.
 * A free or size query asks the pools first (their segment map answers without reading the
 * pointer's memory, so a garbage pointer is safe) and otherwise hands the pointer to the heap,
 * whose registry reports what is neither. realloc stays in place while the new size fits the
 * pool object's size class and uses at least half of it; other changes move the block (pool to
 * heap, heap to pool, or a bigger class) and copy.
 *
 * Threading: as the pools and the heap: any thread may free or resize any block.
 */
#include "internal.h"

void *fa_malloc(fa_alloc *fa, size_t size) {
    /* malloc(0) conventions: a unique minimal block, not an error. */
    if (size - 1 < FAI_POOL_INLINE_MAX) return fai_pool_alloc_inline(fa, size);
    if (size <= FA_POOL_MAX_SIZE) return fa_pool_alloc_at(fa, size != 0 ? size : 1, NULL);
    return fa_heap_alloc_at(fa, size, 16, NULL);
}

void *fa_calloc(fa_alloc *fa, size_t n, size_t size) {
    if (size != 0 && n > SIZE_MAX / size) {
        fai_error(fa, FA_ERR_OVERFLOW, NULL, size, NULL, "fa_calloc(%zu, %zu) overflows", n, size);
        return NULL;
    }
    size_t bytes = n * size;
    if (bytes <= FA_POOL_MAX_SIZE) return fa_pool_calloc_at(fa, 1, bytes != 0 ? bytes : 1, NULL);
    void *p = fa_heap_alloc_at(fa, bytes, 16, NULL);
    if (p != NULL) memset(p, 0, bytes);
    return p;
}

size_t fa_usable_size(fa_alloc *fa, const void *p) {
    if (fa == NULL || p == NULL) return 0;
    size_t n = fa_pool_usable_size(fa, p);
    return n != 0 ? n : fa_heap_size(fa, p);
}

void *fa_realloc(fa_alloc *fa, void *p, size_t size) {
    if (p == NULL) return fa_malloc(fa, size);
    if (size == 0) {
        fa_free(fa, p);
        return NULL;
    }
    if (fa == NULL) return fa_heap_realloc_at(NULL, p, size, NULL); /* reported there */
    /* In debug builds asking the usable size lets the caller use the whole size class, which
     * is what an in-place growth does. */
    size_t have = fa_pool_usable_size(fa, p);
    if (have != 0) {
        if (size <= have && (size >= have / 2 || have <= 16)) return p;
    } else {
        have = fa_heap_size(fa, p);
        if (have == 0) return fa_heap_realloc_at(fa, p, size, NULL); /* reports the pointer */
        if (size > FA_POOL_MAX_SIZE) return fa_heap_realloc_at(fa, p, size, NULL);
    }
    void *q = fa_malloc(fa, size);
    if (q == NULL) return NULL; /* p is untouched */
    memcpy(q, p, have < size ? have : size);
    fa_free(fa, p);
    return q;
}

/* ---------------------------------------------------------------------------------------- */
/* The process-wide bound handle (function tables without a user pointer)                     */
/* ---------------------------------------------------------------------------------------- */

/* Written by fa_general_bind before the library using the calls starts; the atomics only keep
 * a bind that races with use well-defined (each call sees the old or the new allocator). */
static _Atomic(fa_alloc *) bound_fa;
static _Atomic fa_tag bound_tag;

void fa_general_bind(fa_tagged h) {
    atomic_store_explicit(&bound_tag, h.tag, memory_order_relaxed);
    atomic_store_explicit(&bound_fa, h.fa, memory_order_release);
}

static fa_tagged bound(void) {
    fa_tagged h;
    h.fa = atomic_load_explicit(&bound_fa, memory_order_acquire);
    h.tag = atomic_load_explicit(&bound_tag, memory_order_relaxed);
    return h;
}

void *fa_general_malloc(size_t size) { return fa_tagged_malloc(bound(), size); }

void *fa_general_calloc(size_t n, size_t size) { return fa_tagged_calloc(bound(), n, size); }

void *fa_general_realloc(void *p, size_t size) { return fa_tagged_realloc(bound(), p, size); }

void fa_general_free(void *p) {
    if (p != NULL) fa_free(bound().fa, p);
}

size_t fa_general_usable_size(const void *p) { return fa_usable_size(bound().fa, p); }
