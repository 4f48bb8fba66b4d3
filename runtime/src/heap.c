/* SPDX-License-Identifier: MIT */
/*
 * heap.c - tracked large blocks: aligned alloc, realloc, free, limits and leak reports.
 *
 * Each block comes from the heap's backing memory (heap_os.c: the configured fa_heap_backend, or
 * malloc and OS mappings) with a header right before the user pointer: allocator, requested
 * size and alignment, where its memory came from, tag, allocation site and thread, and links of
 * the allocator's live list (leak reports name every outstanding block). Every live user pointer
 * is also in fa->heap_set, checked before a header is read, so a foreign or repeated free is
 * reported instead of corrupting memory.
 *
 * Threading: any thread may allocate or free any block; the set and the list are guarded by
 * fa->heap_lock; byte counts are atomics (the heap is not a fast path).
 */
#include "internal.h"
#include "observe.h"

#include <stdio.h>
#include <stdlib.h>

#define HEAP_MAGIC 0x4641484541504844ull /* "FAHEAPHD" */

typedef struct fai_heap_hdr {
    uint64_t magic;
    fa_alloc *fa;
    void *base;
    size_t size, align;
    fa_tag tag;
    uint32_t mapped_pages; /* length of the block's OS mapping in FAI_HEAP_MAP_UNITs; 0: none */
    const char *site;
    uint64_t thread;
    struct fai_heap_hdr *prev, *next;
} fai_heap_hdr;

_Static_assert(sizeof(fai_heap_hdr) % 16 == 0, "header keeps 16-byte alignment");

static fai_heap_hdr *hdr_of(const void *p) { return (fai_heap_hdr *)((uintptr_t)p - sizeof(fai_heap_hdr)); }

static fai_tstate *my_tstate(fa_alloc *fa) { return fai_find_tstate(fa); }

/* Bytes a block of size bytes aligned to align takes from the backing memory. malloc and OS
 * mappings return 16-byte aligned memory; a configured backend promises no alignment, so 15
 * bytes of slack let the header and the block be aligned inside whatever it returns. */
static size_t backing_size(const fa_alloc *fa, size_t size, size_t align) {
    size_t slack = fai_heap_custom_backend(fa) && align <= 16 ? 15 : 0;
    return size + sizeof(fai_heap_hdr) + (align > 16 ? align : 0) + slack + FAI_HEAP_CANARY;
}

static size_t mapped_of(const fai_heap_hdr *h) {
    return (size_t)h->mapped_pages * FAI_HEAP_MAP_UNIT;
}

static void release_backing(fa_alloc *fa, fai_heap_hdr *h) {
    h->magic = 0;
    fai_heap_backing_free(fa, h->base, backing_size(fa, h->size, h->align), mapped_of(h));
}

/* Adds size to the live bytes unless heap_limit forbids it. credit: live bytes the caller
 * frees right after (a realloc's old block); they do not count against the limit, so a
 * realloc whose result fits succeeds even while both blocks are briefly live. */
static bool reserve_bytes(fa_alloc *fa, size_t size, size_t credit, const char *site) {
    size_t old = atomic_load(&fa->heap_bytes);
    for (;;) {
        size_t now = old + size;
        if (fa->cfg.heap_limit != 0 &&
            (now < old || now - FAI_MIN(credit, now) > fa->cfg.heap_limit)) {
            fai_report r = {.status = FA_ERR_HEAP_LIMIT, .fa = fa, .size = size, .site = site};
            fai_report_error(&r, "heap allocation of %zu bytes would exceed heap_limit (%zu bytes; "
                                 "%zu in use)",
                             size, fa->cfg.heap_limit, old);
            return false;
        }
        if (atomic_compare_exchange_weak(&fa->heap_bytes, &old, now)) break;
    }
    size_t live = old + size;
    size_t peak = atomic_load(&fa->heap_peak);
    while (live > peak && !atomic_compare_exchange_weak(&fa->heap_peak, &peak, live)) {}
    return true;
}

/* credit: bytes of a block of credit_tag freed right after (a realloc's old block); heap_limit
 * and the budgets (the tag's only when it is the block's) do not count them. */
static void *heap_alloc_once(fa_alloc *fa, size_t size, size_t align, size_t credit,
                             fa_tag credit_tag, const char *site) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, size, site,
                  "heap allocation with a NULL allocator");
        return NULL;
    }
    if (!fai_check_request(fa, size, align, FA_MAX_ALLOC_SIZE, "heap allocation", site))
        return NULL;
    fai_tstate *t = fai_bind(fa);
    fa_tag tag = t != NULL ? t->cur_tag : 0;
    if (!fai_budget_heap_charge(fa, tag, size, credit_tag == tag ? credit : 0, credit, site))
        return NULL;
    if (!reserve_bytes(fa, size, credit, site)) {
        fai_tag_heap_charge(fa, tag, -(int64_t)size, site);
        return NULL;
    }
    size_t mapped = 0;
    void *base = fai_heap_backing_alloc(fa, backing_size(fa, size, align), &mapped);
    fai_heap_hdr *h = NULL;
    uintptr_t user = 0;
    if (base != NULL) {
        user = fai_align_up((uintptr_t)base + sizeof(fai_heap_hdr), align > 16 ? align : 16);
        h = hdr_of((void *)user);
        *h = (fai_heap_hdr){.magic = HEAP_MAGIC, .fa = fa, .base = base, .size = size,
                            .align = align, .tag = tag,
                            .mapped_pages = (uint32_t)(mapped / FAI_HEAP_MAP_UNIT),
                            .site = site, .thread = fai_thread_id()};
        /* Fill and canary are written before the block is published: once it is in the set,
         * fa_validate on another thread may check (and unpoison) its canary. */
        fai_debug_heap_alloc(fa, (void *)user, size);
        fai_mutex_lock(&fa->heap_lock);
        if (fai_ptrset_add(&fa->heap_set, user)) {
            h->next = fa->heap_list;
            if (h->next != NULL) h->next->prev = h;
            fa->heap_list = h;
        } else {
            h = NULL;
        }
        fai_mutex_unlock(&fa->heap_lock);
    }
    if (h == NULL) {
        if (base != NULL)
            fai_heap_backing_free(fa, base, backing_size(fa, size, align), mapped);
        atomic_fetch_sub(&fa->heap_bytes, size);
        fai_tag_heap_charge(fa, tag, -(int64_t)size, site);
        fai_report r = {.status = FA_ERR_OUT_OF_MEMORY, .fa = fa, .size = size, .align = align,
                        .site = site};
        fai_report_error(&r, "out of memory for a heap block of %zu bytes", size);
        return NULL;
    }
    atomic_fetch_add(&fa->heap_count, 1);
    if (t != NULL) {
        FAI_BUMP(t->pub.heap_allocs, 1);
        t->heap_bytes_allocated += size;
    }
    fai_obs_heap(fa, true, (void *)user, size, tag);
    return (void *)user;
}

typedef struct heap_req {
    fa_alloc *fa;
    size_t size, align, credit;
    fa_tag credit_tag;
    const char *site;
} heap_req;

static void *heap_attempt(void *ctx) {
    const heap_req *q = ctx;
    return heap_alloc_once(q->fa, q->size, q->align, q->credit, q->credit_tag, q->site);
}

static void *heap_alloc_credit(fa_alloc *fa, size_t size, size_t align, size_t credit,
                               fa_tag credit_tag, const char *site) {
    if (FA_LIKELY(fa == NULL || !fai_recovery_armed(fa)))
        return heap_alloc_once(fa, size, align, credit, credit_tag, site);
    heap_req q = {fa, size, align, credit, credit_tag, site};
    return fai_recovering(fa, FA_KIND_HEAP, size, align, heap_attempt, &q);
}

static void *heap_alloc(fa_alloc *fa, size_t size, size_t align, const char *site) {
    return heap_alloc_credit(fa, size, align, 0, 0, site);
}

void *fa_heap_alloc_at(fa_alloc *fa, size_t size, size_t align, const char *site) {
    return heap_alloc(fa, size, align, site);
}

void *fa_heap_alloc(fa_alloc *fa, size_t size, size_t align) {
    return heap_alloc(fa, size, align, NULL);
}

/* Unlinks a live block; false when p is not one. */
static bool heap_take(fa_alloc *fa, void *p) {
    fai_mutex_lock(&fa->heap_lock);
    bool ok = fai_ptrset_remove(&fa->heap_set, (uintptr_t)p);
    if (ok) {
        fai_heap_hdr *h = hdr_of(p);
        if (h->prev != NULL)
            h->prev->next = h->next;
        else
            fa->heap_list = h->next;
        if (h->next != NULL) h->next->prev = h->prev;
    }
    fai_mutex_unlock(&fa->heap_lock);
    return ok;
}

static void heap_release(fa_alloc *fa, fai_heap_hdr *h) {
    atomic_fetch_sub(&fa->heap_bytes, h->size);
    atomic_fetch_sub(&fa->heap_count, 1);
    fai_tag_heap_charge(fa, h->tag, -(int64_t)h->size, NULL);
    release_backing(fa, h);
}

/* site: the caller (debug builds name it in double-free and overflow reports). */
static void heap_free(fa_alloc *fa, void *p, const char *site) {
    if (p == NULL) return;
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, p, 0, site, "fa_heap_free with a NULL allocator");
        return;
    }
    if (!heap_take(fa, p)) {
        fai_debug_report_bad_free(fa, p, "fa_heap_free", site);
        return;
    }
    fai_tstate *t = my_tstate(fa);
    if (t != NULL) FAI_BUMP(t->pub.heap_frees, 1);
    fai_heap_hdr *h = hdr_of(p);
    fai_debug_heap_free(fa, p, h->size, h->site, h->thread, site);
    fai_obs_heap(fa, false, p, h->size, h->tag);
    heap_release(fa, h);
}

void fa_heap_free(fa_alloc *fa, void *p) { heap_free(fa, p, NULL); }

void fa_heap_free_at(fa_alloc *fa, void *p, const char *site) { heap_free(fa, p, site); }

/* Either kind: p in a pool segment of fa goes to the pool (which reports a bad pool pointer
 * as such), anything else to the heap (which reports what it is not). */
void fa_free_at(fa_alloc *fa, void *p, const char *site) {
    /* A pool object in the page of this thread's last local free (the header's fast path). */
    if (fai_pool_free_try(fa, p)) return;
    fa_alloc *owner = NULL;
    if (p != NULL && fa != NULL && fai_pool_in_any_segment(p, &owner) && owner == fa)
        fa_pool_free_at(fa, p, site);
    else
        heap_free(fa, p, site);
}

void fa_free(fa_alloc *fa, void *p) { fa_free_at(fa, p, NULL); }

void *fa_heap_realloc_at(fa_alloc *fa, void *p, size_t size, const char *site) {
    if (p == NULL) return heap_alloc(fa, size, 16, site);
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, p, size, site,
                  "fa_heap_realloc with a NULL allocator");
        return NULL;
    }
    if (size == 0) {
        fai_error(fa, FA_ERR_ZERO_SIZE, p, 0, site,
                  "fa_heap_realloc to 0 bytes (use fa_heap_free); the block is unchanged");
        return NULL;
    }
    fai_mutex_lock(&fa->heap_lock);
    bool live = fai_ptrset_has(&fa->heap_set, (uintptr_t)p);
    size_t old_size = live ? hdr_of(p)->size : 0;
    size_t align = live ? hdr_of(p)->align : 0;
    fa_tag old_tag = live ? hdr_of(p)->tag : 0;
    fai_mutex_unlock(&fa->heap_lock);
    if (!live) {
        fai_debug_report_bad_free(fa, p, "fa_heap_realloc", site);
        return NULL;
    }
    void *q = heap_alloc_credit(fa, size, align, old_size, old_tag,
                                site != NULL ? site : hdr_of(p)->site);
    if (q == NULL) return NULL;
    memcpy(q, p, FAI_MIN(old_size, size));
    heap_free(fa, p, site);
    return q;
}

void *fa_heap_realloc(fa_alloc *fa, void *p, size_t size) {
    return fa_heap_realloc_at(fa, p, size, NULL);
}

static size_t live_size(fa_alloc *fa, const void *p) {
    fai_mutex_lock(&fa->heap_lock);
    size_t size = fai_ptrset_has(&fa->heap_set, (uintptr_t)p) ? hdr_of(p)->size : 0;
    fai_mutex_unlock(&fa->heap_lock);
    return size;
}

/* A query: a NULL allocator or pointer answers 0, like any pointer that is no live block. */
size_t fa_heap_size(fa_alloc *fa, const void *p) {
    return fa != NULL && p != NULL ? live_size(fa, p) : 0;
}

bool fai_heap_owns(fa_alloc *fa, const void *p) { return fa != NULL && live_size(fa, p) != 0; }

void *fa_promote_to_heap(fa_alloc *fa, const void *frame_ptr, size_t size, size_t align) {
    if (frame_ptr == NULL) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, size, NULL, "fa_promote_to_heap: NULL source");
        return NULL;
    }
    if (!fai_check_source(fa, frame_ptr, size, "fa_promote_to_heap", NULL)) return NULL;
    if (FAI_DEBUG && fai_debug_check_ptr(fa, frame_ptr, NULL, "fa_promote_to_heap", true) != FA_OK)
        return NULL;
    void *p = heap_alloc(fa, size, align, NULL);
    if (p != NULL) memcpy(p, frame_ptr, size);
    return p;
}

void *fa_promote_to_pool(fa_alloc *fa, const void *frame_ptr, size_t size) {
    if (frame_ptr == NULL) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, size, NULL, "fa_promote_to_pool: NULL source");
        return NULL;
    }
    if (!fai_check_source(fa, frame_ptr, size, "fa_promote_to_pool", NULL)) return NULL;
    if (FAI_DEBUG && fai_debug_check_ptr(fa, frame_ptr, NULL, "fa_promote_to_pool", true) != FA_OK)
        return NULL;
    void *p = fa_pool_alloc_at(fa, size, NULL);
    if (p != NULL) memcpy(p, frame_ptr, size);
    return p;
}

void fai_heap_walk(fa_alloc *fa, void (*fn)(void *ctx, void *p, size_t size, const char *site),
                   void *ctx) {
    fai_mutex_lock(&fa->heap_lock);
    for (fai_heap_hdr *h = fa->heap_list; h != NULL; h = h->next)
        fn(ctx, (char *)h + sizeof *h, h->size, h->site);
    fai_mutex_unlock(&fa->heap_lock);
}

size_t fai_heap_leaks(fa_alloc *fa, char *buf, size_t cap, size_t *bytes) {
    size_t n = 0, b = 0, at = strlen(buf);
    fai_mutex_lock(&fa->heap_lock);
    for (fai_heap_hdr *h = fa->heap_list; h != NULL; h = h->next) {
        if (n < 8 && at + 96 < cap) {
            int w = snprintf(buf + at, cap - at, "\n  heap block %p, %zu bytes, allocated at %s "
                                                 "on thread %llu",
                             (void *)((char *)h + sizeof *h), h->size,
                             h->site != NULL ? h->site : "(unknown site)",
                             (unsigned long long)h->thread);
            if (w > 0) at = FAI_MIN(at + (size_t)w, cap - 1);
        }
        n++;
        b += h->size;
    }
    fai_mutex_unlock(&fa->heap_lock);
    if (n > 8 && at + 48 < cap) snprintf(buf + at, cap - at, "\n  ... and %zu more heap blocks", n - 8);
    if (bytes != NULL) *bytes = b;
    return n;
}

void fai_heap_destroy(fa_alloc *fa) {
    fai_heap_hdr *h = fa->heap_list;
    while (h != NULL) {
        fai_heap_hdr *next = h->next;
        release_backing(fa, h);
        h = next;
    }
    fa->heap_list = NULL;
    fai_ptrset_free(&fa->heap_set);
    fai_heap_cache_release(fa);
}
