/* SPDX-License-Identifier: MIT */
/*
 * debug_mem.c - debug checks of pool objects and heap blocks.
 *
 * Pools: every page gets a fai_dpage with one state byte per object (never used / live /
 * freed) and the object's requested size, allocation site, thread and frame, and first-free
 * site and thread. That gives, at no cost to release builds:
 *   - double free (state exchange, race-free) with both sites;
 *   - a canary (FAI_FILL_CANARY) in the size-class slack after the requested bytes, checked at
 *     free: an overflow is reported with the allocation site;
 *   - freed objects filled with FAI_FILL_POOL_FREED after their free-list link word, checked
 *     when the object is handed out again ("written after free"), and the link word itself
 *     validated before the free list follows it, so a stale write cannot send the allocator
 *     into foreign memory;
 *   - leak reports grouped by allocation site.
 * A page's dpage outlives the page's release, so a free of an object of a page that has gone
 * back to the allocator is still named a double free. All dpages of an allocator are on its
 * list (fai_dalloc.pages, guarded by pool_lock) and freed by fa_destroy.
 *
 * Heap: a tail canary of FAI_HEAP_CANARY bytes, the freed fill before free(), and a ring of
 * recently freed blocks for double-free reports.
 *
 * Transfers: a freed handle does not go back to the C library at once. Its payload is filled
 * with FAI_FILL_XFER_FREED, the whole block is poisoned, and it waits in a process-wide FIFO
 * (at most XFER_QUARANTINE handles and XFER_QUARANTINE_BYTES of payload, the newest always
 * kept); the fill is checked when it leaves (and by fa_validate), so a write through a stale
 * payload pointer is reported instead of landing in whatever malloc hands out next.
 *
 * ASan/valgrind: pool objects are poisoned on free except the link word, unpoisoned for the
 * requested size on allocation (so the slack stays poisoned); heap canaries are poisoned;
 * quarantined transfer handles are poisoned whole.
 */
#include "debug.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define FREED_RING 256

/* A variable, not the macro: the comparisons below must not fold away in release builds. */
static const size_t heap_canary = FAI_HEAP_CANARY;

typedef struct fai_dobj {
    const char *alloc_site, *free_site;
    uint32_t alloc_thread, free_thread;
    uint32_t alloc_frame;
    uint32_t size; /* requested bytes; == block size: no canary */
} fai_dobj;

typedef struct fai_dpage {
    struct fai_dpage *next; /* allocator's list (pool_lock) */
    fai_page *page;         /* in the segment: gone once fa_destroy unmapped it */
    uintptr_t start;        /* the page's memory */
    uint32_t capacity, cap_alloc;
    _Atomic uint8_t *state; /* OBJ_* */
    fai_dobj *obj;
} fai_dpage;

enum { OBJ_NEVER = 0, OBJ_LIVE = 1, OBJ_FREED = 2 };

typedef struct freed_block {
    uintptr_t p;
    size_t size;
    const char *alloc_site, *free_site;
    uint64_t alloc_thread, free_thread;
} freed_block;

/* fa_alloc.debug */
typedef struct fai_dalloc {
    fa_alloc *fa;
    struct fai_dalloc *next_live;
    fai_dpage *pages;
    fai_mutex ring_lock;
    freed_block ring[FREED_RING];
    unsigned ring_next;
} fai_dalloc;

static fai_mutex allocs_lock = FAI_MUTEX_INIT;
static fai_dalloc *allocs; /* every live allocator (debug builds) */

void fai_dbg_allocs_add(fa_alloc *fa, bool add) {
    if (add) {
        fai_dalloc *d = calloc(1, sizeof *d);
        if (d == NULL) return;
        d->fa = fa;
        fai_mutex_init(&d->ring_lock);
        fa->debug = d;
        fai_mutex_lock(&allocs_lock);
        d->next_live = allocs;
        allocs = d;
        fai_mutex_unlock(&allocs_lock);
        return;
    }
    fai_dalloc *d = fa->debug;
    if (d == NULL) return;
    fai_mutex_lock(&allocs_lock);
    for (fai_dalloc **pp = &allocs; *pp != NULL; pp = &(*pp)->next_live) {
        if (*pp == d) {
            *pp = d->next_live;
            break;
        }
    }
    fai_mutex_unlock(&allocs_lock);
    fai_mutex_destroy(&d->ring_lock);
    free(d);
    fa->debug = NULL;
}

void fai_dbg_mem_destroy(fa_alloc *fa) {
    fai_dalloc *da = fa->debug;
    if (da == NULL) return;
    fai_dpage *d = da->pages;
    while (d != NULL) {
        fai_dpage *next = d->next;
#if FAI_ASAN
        /* The segments are unmapped: a later mapping there must not inherit the poison. */
        ASAN_UNPOISON_MEMORY_REGION((void *)d->start, FAI_POOL_PAGE_SIZE);
#endif
        free((void *)d->state);
        free(d->obj);
        free(d);
        d = next;
    }
    da->pages = NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Pool pages and objects                                                                     */
/* ---------------------------------------------------------------------------------------- */

static uint32_t obj_index(const fai_page *pg, uintptr_t a) {
    return (uint32_t)(((uint64_t)(a - pg->start) * pg->inv_size) >> 32);
}

static fa_alloc *page_alloc(const fai_page *pg) {
    return ((fai_segment *)(pg->start & ~(uintptr_t)(FAI_SEGMENT_SIZE - 1)))->fa;
}

/* Caller holds pool_lock (page_acquire initialises pages under it). */
void fai_dbg_pool_page_init(fai_page *pg) {
    fai_track_close((void *)pg->start, FAI_POOL_PAGE_SIZE);
    fai_track_pool_create(pg);
    if (!FAI_DEBUG) return;
    fai_dpage *d = pg->debug;
    fai_dalloc *da = page_alloc(pg)->debug;
    if (d == NULL) {
        if (da == NULL || (d = calloc(1, sizeof *d)) == NULL) return;
        d->page = pg;
        d->start = pg->start;
        d->next = da->pages;
        da->pages = d;
        pg->debug = d;
    }
    if (d->cap_alloc < pg->capacity) {
        free((void *)d->state);
        free(d->obj);
        d->state = calloc(pg->capacity, 1);
        d->obj = calloc(pg->capacity, sizeof *d->obj);
        d->cap_alloc = d->state != NULL && d->obj != NULL ? pg->capacity : 0;
    } else {
        memset((void *)d->state, 0, pg->capacity);
        memset(d->obj, 0, pg->capacity * sizeof *d->obj);
    }
    d->capacity = d->cap_alloc != 0 ? pg->capacity : 0;
}

void fai_dbg_pool_page_release(fai_page *pg) {
    fai_track_pool_destroy(pg);
    /* With a dpage the page stays poisoned until fa_destroy (a stale access to it is still
     * caught); without one nothing would unpoison it later. */
    if (!FAI_DEBUG || pg->debug == NULL) fai_track_open((void *)pg->start, FAI_POOL_PAGE_SIZE);
}

static fai_dpage *dpage_of(const fai_page *pg) {
    fai_dpage *d = pg->debug;
    return d != NULL && d->capacity != 0 ? d : NULL;
}

static bool is_freed_object(const fai_page *pg, const fai_dpage *d, const void *q) {
    uintptr_t a = (uintptr_t)q;
    if (a < pg->start || a >= pg->start + (uintptr_t)pg->capacity * pg->block_size) return false;
    uint32_t i = obj_index(pg, a);
    return i < d->capacity && pg->start + (uintptr_t)i * pg->block_size == a &&
           atomic_load_explicit(&d->state[i], memory_order_relaxed) == OBJ_FREED;
}

static void pool_report(fa_status st, fa_alloc *fa, const void *p, const fai_dobj *o,
                        const char *site, const char *detail, const char *fmt, ...)
    FAI_PRINTF(7, 8);
static void pool_report(fa_status st, fa_alloc *fa, const void *p, const fai_dobj *o,
                        const char *site, const char *detail, const char *fmt, ...) {
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fai_report r = {.status = st, .fa = fa, .ptr = p, .site = site,
                    .alloc_site = fai_dbg_site(o->alloc_site), .alloc_thread = o->alloc_thread,
                    .alloc_frame = o->alloc_frame, .size = o->size, .detail = detail};
    fai_report_error(&r, "%s", msg);
}

/* Owner thread; p was just popped from pg. */
void fai_dbg_pool_alloc(fai_page *pg, void *p, size_t size, const char *site) {
    uint32_t bs = pg->block_size;
    fai_dpage *d = FAI_DEBUG ? dpage_of(pg) : NULL;
    if (d != NULL) {
        uint32_t i = obj_index(pg, (uintptr_t)p);
        fai_dobj *o = &d->obj[i];
        fa_alloc *fa = page_alloc(pg);
        char detail[160];
        fai_track_open(p, bs);
        if (atomic_load_explicit(&d->state[i], memory_order_acquire) == OBJ_FREED) {
            size_t off = sizeof(void *) + fai_dbg_mismatch((char *)p + sizeof(void *),
                                                           bs - sizeof(void *), FAI_FILL_POOL_FREED);
            if (off < bs) {
                snprintf(detail, sizeof detail, "  freed at:   %s on thread %u",
                         fai_dbg_site(o->free_site), o->free_thread);
                pool_report(FA_ERR_CORRUPTION, fa, (char *)p + off, o, site, detail,
                            "pool object %p (%u bytes) was written after it was freed (byte %u "
                            "is 0x%02x, not the freed fill 0x%02x); found when it was handed "
                            "out again",
                            p, o->size, (unsigned)off, ((unsigned char *)p)[off],
                            FAI_FILL_POOL_FREED);
            }
        }
        /* page_pop already took the link word as the new list head: make sure the next pop
         * will not follow a pointer a stale write left there. */
        if (pg->h.free != NULL && !is_freed_object(pg, d, pg->h.free)) {
            snprintf(detail, sizeof detail, "  freed at:   %s on thread %u",
                     fai_dbg_site(o->free_site), o->free_thread);
            pool_report(FA_ERR_CORRUPTION, fa, p, o, site, detail,
                        "pool free list damaged: the link word of freed object %p holds %p, not "
                        "a freed object of its page (written after free); the rest of the "
                        "page's free list is dropped",
                        p, pg->h.free);
            pg->h.free = NULL;
        }
        memset(p, FAI_FILL_POOL_ALLOC, size);
        memset((char *)p + size, FAI_FILL_CANARY, bs - size);
        fai_tstate *owner = atomic_load_explicit(&pg->owner, memory_order_relaxed);
        *o = (fai_dobj){.alloc_site = site, .alloc_thread = (uint32_t)fai_thread_id(),
                        .alloc_frame = owner != NULL ? (uint32_t)owner->frame_number : 0,
                        .size = (uint32_t)size};
        atomic_store_explicit(&d->state[i], OBJ_LIVE, memory_order_release);
        fai_track_close(p, bs);
    }
    fai_track_handout(pg, p, size);
}

/* Any thread, before p is pushed on a free list. */
bool fai_dbg_pool_free(fa_alloc *fa, fai_page *pg, void *p, const char *site) {
    uint32_t bs = pg->block_size;
    fai_dpage *d = FAI_DEBUG ? dpage_of(pg) : NULL;
    if (d != NULL) {
        uint32_t i = obj_index(pg, (uintptr_t)p);
        fai_dobj *o = &d->obj[i];
        uint8_t old = atomic_exchange_explicit(&d->state[i], OBJ_FREED, memory_order_acq_rel);
        if (old != OBJ_LIVE) {
            char detail[160];
            if (old == OBJ_NEVER) {
                atomic_store(&d->state[i], OBJ_NEVER);
                pool_report(FA_ERR_FOREIGN_POINTER, fa, p, o, site, NULL,
                            "fa_pool_free(%p): the pointer is a pool slot that was never "
                            "allocated; nothing was freed",
                            p);
                return false;
            }
            snprintf(detail, sizeof detail, "  first freed at: %s on thread %u",
                     fai_dbg_site(o->free_site), o->free_thread);
            pool_report(FA_ERR_DOUBLE_FREE, fa, p, o, site, detail,
                        "fa_pool_free(%p): pool object of %u bytes freed twice; nothing was "
                        "freed",
                        p, o->size);
            return false;
        }
        fai_track_open(p, bs);
        if (o->size < bs) {
            size_t off = fai_dbg_mismatch((char *)p + o->size, bs - o->size, FAI_FILL_CANARY);
            if (off < bs - o->size)
                pool_report(FA_ERR_CORRUPTION, fa, (char *)p + o->size + off, o, site, NULL,
                            "pool object %p was written past its %u requested bytes (byte %u is "
                            "0x%02x, not the canary 0x%02x): a buffer overflow; found at "
                            "fa_pool_free",
                            p, o->size, (unsigned)(o->size + off),
                            ((unsigned char *)p)[o->size + off], FAI_FILL_CANARY);
        }
        memset((char *)p + sizeof(void *), FAI_FILL_POOL_FREED, bs - sizeof(void *));
        o->free_site = site;
        o->free_thread = (uint32_t)fai_thread_id();
    }
    fai_track_takeback(pg, p);
    /* The free list keeps its link (and, in release builds, the free mark) at the start: that
     * stays addressable. */
    fai_track_close((char *)p + FAI_POOL_LINK_BYTES, bs - FAI_POOL_LINK_BYTES);
    fai_track_open(p, FAI_POOL_LINK_BYTES);
    return true;
}

void fai_dbg_pool_usable(fai_page *pg, const void *p) {
    fai_dpage *d = FAI_DEBUG ? dpage_of(pg) : NULL;
    uint32_t i = obj_index(pg, (uintptr_t)p);
    if (d != NULL) {
        if (atomic_load(&d->state[i]) != OBJ_LIVE) return;
        d->obj[i].size = pg->block_size; /* the caller may use it all: no canary any more */
    }
    fai_track_open(p, pg->block_size);
}

bool fai_dbg_pool_lookup(fa_alloc *fa, const void *p, fai_pinfo *out) {
    fa_alloc *owner = NULL;
    if (!fai_pool_in_any_segment(p, &owner) || owner != fa) return false;
    uintptr_t a = (uintptr_t)p, seg = a & ~(uintptr_t)(FAI_SEGMENT_SIZE - 1);
    size_t idx = (a - seg) >> FAI_POOL_PAGE_SHIFT;
    if (idx == 0) return false;
    bool found = false;
    fai_mutex_lock(&fa->pool_lock);
    fai_page *pg = &((fai_segment *)seg)->pages[idx];
    fai_dpage *d = dpage_of(pg);
    if (d != NULL && pg->block_size != 0 && a < pg->start + (uintptr_t)d->capacity * pg->block_size) {
        uint32_t i = obj_index(pg, a);
        const fai_dobj *o = &d->obj[i];
        *out = (fai_pinfo){.state = atomic_load(&d->state[i]),
                           .obj = pg->start + (uintptr_t)i * pg->block_size,
                           .size = o->size, .block_size = pg->block_size,
                           .alloc_site = o->alloc_site, .free_site = o->free_site,
                           .alloc_thread = o->alloc_thread, .free_thread = o->free_thread,
                           .alloc_frame = o->alloc_frame};
        found = true;
    }
    fai_mutex_unlock(&fa->pool_lock);
    return found;
}

typedef struct leak_site {
    const char *site;
    size_t count, bytes;
    uintptr_t first;
    uint32_t thread;
} leak_site;

void fai_dbg_pool_leaks(fa_alloc *fa, char *buf, size_t cap) {
    fai_dalloc *da = fa->debug;
    if (da == NULL) return;
    leak_site sites[12];
    size_t nsites = 0, other = 0;
    fai_mutex_lock(&fa->pool_lock);
    for (fai_dpage *d = da->pages; d != NULL; d = d->next) {
        if (atomic_load(&d->page->state) == FAI_PAGE_FREE) continue;
        for (uint32_t i = 0; i < d->capacity; i++) {
            if (atomic_load_explicit(&d->state[i], memory_order_relaxed) != OBJ_LIVE) continue;
            const fai_dobj *o = &d->obj[i];
            size_t k = 0;
            while (k < nsites && sites[k].site != o->alloc_site) k++;
            if (k == nsites) {
                if (nsites == sizeof sites / sizeof *sites) {
                    other++;
                    continue;
                }
                sites[nsites++] = (leak_site){o->alloc_site, 0, 0,
                                              d->page->start + (uintptr_t)i * d->page->block_size,
                                              o->alloc_thread};
            }
            sites[k].count++;
            sites[k].bytes += o->size;
        }
    }
    fai_mutex_unlock(&fa->pool_lock);
    size_t at = strlen(buf);
    for (size_t k = 0; k < nsites && at + 128 < cap; k++) {
        int w = snprintf(buf + at, cap - at,
                         "\n  %zu pool object(s), %zu bytes, allocated at %s (first %p, thread %u)",
                         sites[k].count, sites[k].bytes, fai_dbg_site(sites[k].site),
                         (void *)sites[k].first, sites[k].thread);
        if (w > 0) at = FAI_MIN(at + (size_t)w, cap - 1);
    }
    if (other != 0 && at + 64 < cap)
        snprintf(buf + at, cap - at, "\n  ... and %zu pool objects from other sites", other);
}

/* ---------------------------------------------------------------------------------------- */
/* Heap                                                                                       */
/* ---------------------------------------------------------------------------------------- */

void fai_dbg_heap_alloc(fa_alloc *fa, void *p, size_t size) {
    fai_dalloc *da = fa->debug;
    if (FAI_DEBUG) {
        memset(p, FAI_FILL_HEAP_ALLOC, size);
        memset((char *)p + size, FAI_FILL_CANARY, heap_canary);
        fai_track_undefined(p, size);
    }
    fai_track_close((char *)p + size, heap_canary);
    if (FAI_DEBUG && da != NULL) { /* the address is live again: not a candidate double free */
        fai_mutex_lock(&da->ring_lock);
        for (unsigned i = 0; i < FREED_RING; i++)
            if (da->ring[i].p == (uintptr_t)p) da->ring[i].p = 0;
        fai_mutex_unlock(&da->ring_lock);
    }
}

void fai_dbg_heap_free(fa_alloc *fa, void *p, size_t size, const char *alloc_site,
                       uint64_t alloc_thread, const char *site) {
    fai_track_open((char *)p + size, heap_canary);
    if (!FAI_DEBUG) return;
    size_t off = fai_dbg_mismatch((char *)p + size, heap_canary, FAI_FILL_CANARY);
    if (off < heap_canary) {
        fai_report r = {.status = FA_ERR_CORRUPTION, .fa = fa, .ptr = p, .size = size,
                        .site = site, .alloc_site = fai_dbg_site(alloc_site),
                        .alloc_thread = alloc_thread};
        fai_report_error(&r, "heap block %p of %zu bytes was written past its end (byte %zu is "
                             "0x%02x, not the canary 0x%02x): a buffer overflow; found at free",
                         p, size, size + off, ((unsigned char *)p)[size + off], FAI_FILL_CANARY);
    }
    fai_track_open(p, size);
    memset(p, FAI_FILL_HEAP_FREED, size + heap_canary);
    fai_dalloc *da = fa->debug;
    if (da == NULL) return;
    fai_mutex_lock(&da->ring_lock);
    da->ring[da->ring_next] = (freed_block){(uintptr_t)p, size, alloc_site, site, alloc_thread,
                                            fai_thread_id()};
    da->ring_next = (da->ring_next + 1) % FREED_RING;
    fai_mutex_unlock(&da->ring_lock);
}

bool fai_dbg_heap_recent(fa_alloc *fa, const void *p, fai_pinfo *out) {
    fai_dalloc *da = fa->debug;
    if (da == NULL || p == NULL) return false;
    bool found = false;
    fai_mutex_lock(&da->ring_lock);
    for (unsigned k = 0; k < FREED_RING && !found; k++) {
        const freed_block *f = &da->ring[(da->ring_next + FREED_RING - 1 - k) % FREED_RING];
        if (f->p != (uintptr_t)p) continue;
        *out = (fai_pinfo){.state = 2, .obj = f->p, .size = (uint32_t)f->size,
                           .alloc_site = f->alloc_site, .free_site = f->free_site,
                           .alloc_thread = f->alloc_thread, .free_thread = f->free_thread};
        found = true;
    }
    fai_mutex_unlock(&da->ring_lock);
    return found;
}

fa_alloc *fai_dbg_heap_owner(fa_alloc *fa, const void *p) {
    fa_alloc *owner = NULL;
    fai_mutex_lock(&allocs_lock);
    for (fai_dalloc *d = allocs; d != NULL && owner == NULL; d = d->next_live)
        if (d->fa != fa && fai_heap_owns(d->fa, p)) owner = d->fa;
    fai_mutex_unlock(&allocs_lock);
    return owner;
}

/* ---------------------------------------------------------------------------------------- */
/* Validation                                                                                 */
/* ---------------------------------------------------------------------------------------- */

/* One page of the calling thread: free list structure, and in debug builds the freed fill of
 * every free object and the canary of every live one. */
static fa_status check_page(fai_page *pg, char *why, size_t cap, const void **where) {
    fai_dpage *d = FAI_DEBUG ? dpage_of(pg) : NULL;
    uint32_t bs = pg->block_size, n = 0;
    for (void *q = pg->h.free; q != NULL; q = *(void **)q) {
        uintptr_t a = (uintptr_t)q;
        if (a < pg->start || a >= pg->bump || (a - pg->start) % bs != 0 || ++n > pg->capacity ||
            (d != NULL && !is_freed_object(pg, d, q))) {
            snprintf(why, cap, "pool free list of page %p (%u-byte objects) is damaged at %p",
                     (void *)pg->start, bs, q);
            *where = q;
            return FA_ERR_CORRUPTION;
        }
        if (d != NULL) {
            fai_track_open(q, bs);
            size_t off = sizeof(void *) + fai_dbg_mismatch((char *)q + sizeof(void *),
                                                           bs - sizeof(void *), FAI_FILL_POOL_FREED);
            fai_track_close((char *)q + sizeof(void *), bs - sizeof(void *));
            if (off < bs) {
                const fai_dobj *o = &d->obj[obj_index(pg, a)];
                snprintf(why, cap, "freed pool object %p (allocated at %s, freed at %s) was "
                                   "written after free at byte %zu",
                         q, fai_dbg_site(o->alloc_site), fai_dbg_site(o->free_site), off);
                *where = (char *)q + off;
                return FA_ERR_CORRUPTION;
            }
        }
    }
    for (uint32_t i = 0; d != NULL && i < d->capacity; i++) {
        const fai_dobj *o = &d->obj[i];
        if (atomic_load_explicit(&d->state[i], memory_order_acquire) != OBJ_LIVE || o->size >= bs)
            continue;
        char *q = (char *)pg->start + (size_t)i * bs;
        fai_track_open(q + o->size, bs - o->size);
        size_t off = fai_dbg_mismatch(q + o->size, bs - o->size, FAI_FILL_CANARY);
        fai_track_close(q + o->size, bs - o->size);
        if (off < bs - o->size) {
            snprintf(why, cap, "pool object %p (%u bytes, allocated at %s) was written past its "
                               "end",
                     (void *)q, o->size, fai_dbg_site(o->alloc_site));
            *where = q + o->size + off;
            return FA_ERR_CORRUPTION;
        }
    }
    return FA_OK;
}

fa_status fai_dbg_validate_pools(fa_alloc *fa, fai_tstate *t, char *why, size_t cap,
                                 const void **where) {
    (void)fa;
    if (t == NULL) return FA_OK;
    for (unsigned tag = 0; tag < FA_MAX_TAGS; tag++) {
        fai_pool_set *set = t->pool_sets[tag];
        if (set == NULL) continue;
        for (unsigned c = 0; c < FAI_POOL_CLASSES; c++) {
            fai_page *lists[3] = {set->q[c].cur, set->q[c].full, set->q[c].empty};
            for (int l = 0; l < 3; l++) {
                for (fai_page *pg = lists[l]; pg != NULL; pg = pg->next) {
                    fa_status st = check_page(pg, why, cap, where);
                    if (st != FA_OK) return st;
                }
            }
        }
    }
    return FA_OK;
}

typedef struct heap_check {
    void *bad;
    size_t size;
    const char *site;
} heap_check;

static void heap_block_check(void *ctx, void *p, size_t size, const char *site) {
    heap_check *hc = ctx;
    if (hc->bad != NULL) return;
    fai_track_open((char *)p + size, heap_canary);
    if (fai_dbg_mismatch((char *)p + size, heap_canary, FAI_FILL_CANARY) < heap_canary)
        *hc = (heap_check){p, size, site};
    fai_track_close((char *)p + size, heap_canary);
}

fa_status fai_dbg_validate_heap(fa_alloc *fa, char *why, size_t cap, const void **where) {
    heap_check hc = {0};
    fai_heap_walk(fa, heap_block_check, &hc);
    if (hc.bad == NULL) return FA_OK;
    snprintf(why, cap, "heap block %p of %zu bytes (allocated at %s) was written past its end",
             hc.bad, hc.size, fai_dbg_site(hc.site));
    *where = hc.bad;
    return FA_ERR_CORRUPTION;
}

/* ---------------------------------------------------------------------------------------- */
/* Transfer quarantine                                                                        */
/* ---------------------------------------------------------------------------------------- */

#define XFER_QUARANTINE 64
#define XFER_QUARANTINE_BYTES ((size_t)16 << 20)

typedef struct xfer_q {
    fa_alloc *fa;
    void *block;
    unsigned char *payload;
    size_t size;
    uint64_t free_thread;
} xfer_q;

static fai_mutex xq_lock = FAI_MUTEX_INIT;
static xfer_q xq[XFER_QUARANTINE]; /* oldest first */
static unsigned xq_n;
static size_t xq_bytes;

/* Caller holds xq_lock. */
static xfer_q xq_take(unsigned i) {
    xfer_q e = xq[i];
    memmove(&xq[i], &xq[i + 1], (xq_n - i - 1) * sizeof *xq);
    xq_n--;
    xq_bytes -= e.size;
    return e;
}

/* Offset of the first byte of e's payload that lost the fill, or e->size. */
static size_t xq_damage(const xfer_q *e) {
    fai_track_open(e->payload, e->size);
    size_t off = fai_dbg_mismatch(e->payload, e->size, FAI_FILL_XFER_FREED);
    fai_track_close(e->payload, e->size);
    return off;
}

/* Checks and frees a handle that left the quarantine (no lock held: it may report). */
static void xq_release(const xfer_q *e) {
    fai_track_open(e->block, (size_t)(e->payload - (unsigned char *)e->block) + e->size);
    size_t off = fai_dbg_mismatch(e->payload, e->size, FAI_FILL_XFER_FREED);
    if (off < e->size) {
        fai_report r = {.status = FA_ERR_CORRUPTION, .fa = e->fa, .ptr = e->payload + off,
                        .size = e->size};
        fai_report_error(&r, "transfer payload %p (%zu bytes, freed on thread %llu) was written "
                             "after fa_transfer_free (byte %zu is 0x%02x, not the freed fill "
                             "0x%02x)",
                         (void *)e->payload, e->size, (unsigned long long)e->free_thread, off,
                         e->payload[off], FAI_FILL_XFER_FREED);
    }
    free(e->block);
}

bool fai_dbg_transfer_free(fa_alloc *fa, void *block, void *payload, size_t size) {
    xfer_q e = {fa, block, payload, size, fai_thread_id()};
    memset(payload, FAI_FILL_XFER_FREED, size);
    fai_track_close(block, (size_t)(e.payload - (unsigned char *)block) + size);
    xfer_q out[XFER_QUARANTINE];
    unsigned nout = 0;
    fai_mutex_lock(&xq_lock);
    if (xq_n == XFER_QUARANTINE) out[nout++] = xq_take(0);
    xq[xq_n++] = e;
    xq_bytes += size;
    while (xq_n > 1 && xq_bytes > XFER_QUARANTINE_BYTES && nout < XFER_QUARANTINE)
        out[nout++] = xq_take(0);
    fai_mutex_unlock(&xq_lock);
    for (unsigned i = 0; i < nout; i++) xq_release(&out[i]);
    return true;
}

void fai_dbg_transfer_drain(fa_alloc *fa) {
    for (;;) {
        xfer_q e;
        bool found = false;
        fai_mutex_lock(&xq_lock);
        for (unsigned i = 0; i < xq_n && !found; i++) {
            if (xq[i].fa != fa) continue;
            e = xq_take(i);
            found = true;
        }
        fai_mutex_unlock(&xq_lock);
        if (!found) return;
        xq_release(&e);
    }
}

fa_status fai_dbg_validate_transfers(fa_alloc *fa, char *why, size_t cap, const void **where) {
    fa_status st = FA_OK;
    fai_mutex_lock(&xq_lock);
    for (unsigned i = 0; i < xq_n && st == FA_OK; i++) {
        if (xq[i].fa != fa) continue;
        size_t off = xq_damage(&xq[i]);
        if (off < xq[i].size) {
            snprintf(why, cap, "transfer payload %p (%zu bytes) was written after "
                               "fa_transfer_free, at byte %zu",
                     (void *)xq[i].payload, xq[i].size, off);
            *where = xq[i].payload + off;
            st = FA_ERR_CORRUPTION;
        }
    }
    fai_mutex_unlock(&xq_lock);
    return st;
}
