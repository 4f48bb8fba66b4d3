/* SPDX-License-Identifier: MIT */
/*
 * pool.c - size-classed small objects that live across frames.
 *
 * Layout: 4 MiB segments aligned to 4 MiB; page 0 of a segment holds the segment header and the
 * descriptors of its 63 pages of 64 KiB. A page serves one size class for one tag and belongs
 * to one thread. Objects sit at page start + i * size, so a class whose size is a multiple of
 * an alignment (<= 4096) yields objects aligned to it. A process-wide bitmap (one bit per 4 MiB
 * of address space) says which segments are ours, so any pointer can be validated without
 * touching memory that might not be mapped.
 *
 * Per thread and tag, each class has a queue: `cur` (allocating; head of the available list),
 * a full list, and up to cfg.pool_keep_empty_pages empty pages; further empty pages are
 * decommitted and go back to the allocator (returned to the OS).
 *
 * Header fast paths (framealloc.h): release call sites pop q[cls].cur's free list through the
 * cursor's `pool` queues and push frees into the page of the thread's last local free (cursor
 * fpage/fdesc, set by pool_free, dropped whenever that page changes lists or is released). Only
 * a page of the cursor's tstate on its available list and not counted is cached, so the inline
 * free needs no owner, state or standing test; builds with hooks never set either field.
 *
 * Frees: the owner pushes onto the page's free list (no atomics). Another thread pushes onto
 * the page's thread_free list with one CAS; the owner takes the whole list when it runs dry.
 * When a thread exits, its pages with live objects are abandoned to the allocator and adopted
 * by the next thread that needs a page of that class and tag; empty ones are decommitted.
 *
 * Statistics cost nothing on the fast paths: live counts are read off the pages (`used` is a
 * relaxed atomic with one writer) when someone asks. Trimming, thread exit, destroy and the
 * statistics walk are pool_release.c (pool.h: the page operations both use).
 *
 * Budgets (budget.c): a tag's pool allocations that a budget counts come through counted_alloc
 * from the thread's counted page set; their pages carry FAI_WHERE_COUNTED so that frees of
 * them leave local_free's fast test and are uncharged.
 *
 * Threading: queue operations run on the owning thread without locks; fa->pool_lock guards the
 * segment list, free pages and abandoned pages; page->thread_free (list head and count in one
 * word) and owner are atomics.
 */
#include "internal.h"
#include "pool.h"
#include "track.h"

#include <stddef.h>
#include <stdlib.h>

/* The header's inline paths (framealloc.h) read these layouts directly. */
_Static_assert(sizeof(fai_page_queue) == 32 && offsetof(fai_page_queue, cur) == 0,
               "the inline pool path indexes queues by class * 32 and reads cur");
_Static_assert(offsetof(fai_page, h) == 0, "a page descriptor starts with its fast-path head");
_Static_assert(FAI_POOL_PAGE_BYTES == FAI_POOL_PAGE_SIZE, "the inline free tests 64 KiB pages");
_Static_assert(FAI_POOL_INLINE_MAX == 1024 && FAI_POOL_INLINE_MAX <= FA_POOL_MAX_SIZE,
               "the inline path's class table covers sizes up to 1024");

#ifdef FAI_TEST_HOOKS
void (*fai_test_hook_remote_published)(void *p);
#endif

#define SEGMENT_MAGIC 0x46415345474d4e54ull /* "FASEGMNT" */

static const uint32_t class_size[FAI_POOL_CLASSES] = {
    16,   32,   48,   64,   80,   96,   112,  128,  160,  192,  224,
    256,  320,  384,  448,  512,  640,  768,  896,  1024, 1280, 1536,
    1792, 2048, 2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192,
};

/* Classes of sizes up to 1024, by (size + 15) / 16: one load on the fast path (the header's
 * inline path reads it for sizes that are not constant). */
const unsigned char fai_pool_class_small[65] = {
    0,  0,  1,  2,  3,  4,  5,  6,  7,  8,  8,  9,  9,  10, 10, 11, 11, 12, 12, 12, 12, 13,
    13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 15, 16, 16, 16, 16, 16, 16, 16, 16, 17, 17, 17,
    17, 17, 17, 17, 17, 18, 18, 18, 18, 18, 18, 18, 18, 19, 19, 19, 19, 19, 19, 19, 19,
};

/* size in [1, FA_POOL_MAX_SIZE] -> class index; 16-byte steps to 128, then 4 per doubling. */
FAI_INLINE unsigned size_class(size_t size) {
    if (size <= 1024) return fai_pool_class_small[(size + 15) >> 4];
    size_t s = size - 1;
    unsigned b = 63u - (unsigned)__builtin_clzll(s);
    return 8 + (b - 7) * 4 + (unsigned)((s >> (b - 2)) & 3);
}

/* ---------------------------------------------------------------------------------------- */
/* Segment map: which 4 MiB regions are pool segments (process-wide)                          */
/* ---------------------------------------------------------------------------------------- */

#define SEGMAP_BITS ((size_t)1 << (48 - FAI_SEGMENT_SHIFT))
static _Atomic uint64_t *segmap;
static fai_once segmap_once = FAI_ONCE_INIT;

static void segmap_init(void) {
    segmap = fai_prim_map_sparse(SEGMAP_BITS / 8);
}

FAI_INLINE bool segmap_test(uintptr_t seg) {
    _Atomic uint64_t *map = segmap;
    if (FA_UNLIKELY(map == NULL || (seg >> 48) != 0)) return false;
    size_t bit = seg >> FAI_SEGMENT_SHIFT;
    return (atomic_load_explicit(&map[bit / 64], memory_order_acquire) >> (bit % 64)) & 1;
}

void fai_segmap_set(uintptr_t seg, bool on) {
    size_t bit = seg >> FAI_SEGMENT_SHIFT;
    uint64_t mask = (uint64_t)1 << (bit % 64);
    if (on)
        atomic_fetch_or_explicit(&segmap[bit / 64], mask, memory_order_release);
    else
        atomic_fetch_and_explicit(&segmap[bit / 64], ~mask, memory_order_release);
}

bool fai_pool_in_any_segment(const void *p, fa_alloc **owner) {
    uintptr_t seg = (uintptr_t)p & ~(uintptr_t)(FAI_SEGMENT_SIZE - 1);
    if (!segmap_test(seg)) return false;
    if (owner != NULL) *owner = ((fai_segment *)seg)->fa;
    return true;
}

/* The page of a pool object of fa, or NULL when p is not the start of an object in a page of
 * fa that is in use. Reads only memory known to be ours. */
FAI_INLINE fai_page *page_of(fa_alloc *fa, const void *p) {
    uintptr_t a = (uintptr_t)p;
    uintptr_t seg_addr = a & ~(uintptr_t)(FAI_SEGMENT_SIZE - 1);
    if (!segmap_test(seg_addr)) return NULL;
    fai_segment *seg = (fai_segment *)seg_addr;
    size_t idx = (a >> FAI_POOL_PAGE_SHIFT) & (FAI_SEGMENT_PAGES - 1);
    fai_page *pg = &seg->pages[idx];
    /* Objects start at the page start, so the offset needs no load. */
    uint64_t off = a & (FAI_POOL_PAGE_SIZE - 1);
    uint64_t i = (off * pg->inv_size) >> 32;
    /* pages[0] (the header page) is never initialised, so its state reads FREE. */
    bool bad = (seg->fa != fa) |
               (atomic_load_explicit(&pg->state, memory_order_relaxed) == FAI_PAGE_FREE) |
               (i >= pg->capacity) | (i * pg->block_size != off);
    return FA_LIKELY(!bad) ? pg : NULL;
}

/* Release builds mark an object while it sits on a free list: its second word (the first is
 * the list link; the smallest class is 16 bytes; both stay addressable in sanitizer builds) holds a value derived from its address. A free
 * of a marked object (a double free) or of a slot above the page's bump (never handed out) is
 * reported instead of linking the object twice. User data equal to the mark is a 2^-64 event.
 * Debug builds track every object's state exactly (debug.c) and fill freed objects, so they
 * do not mark. */
#define FREE_MARK_XOR FAI_POOL_FREE_MARK /* "FAFREED"; the header's free fast path tests it too */

FAI_INLINE uintptr_t free_mark_of(const void *p) { return (uintptr_t)p ^ FREE_MARK_XOR; }
FAI_INLINE bool free_marked(const void *p) {
    return !FAI_DEBUG && ((const uintptr_t *)p)[1] == free_mark_of(p);
}
FAI_INLINE void free_mark_set(void *p) {
    if (!FAI_DEBUG) ((uintptr_t *)p)[1] = free_mark_of(p);
}
FAI_INLINE void free_mark_clear(void *p) {
    if (!FAI_DEBUG) ((uintptr_t *)p)[1] = 0;
}

int fai_pool_object_state(fa_alloc *fa, const void *p) {
    uintptr_t a = (uintptr_t)p;
    uintptr_t seg_addr = a & ~(uintptr_t)(FAI_SEGMENT_SIZE - 1);
    if (fa == NULL || !segmap_test(seg_addr)) return FAI_POBJ_NONE;
    fai_segment *seg = (fai_segment *)seg_addr;
    size_t idx = (a >> FAI_POOL_PAGE_SHIFT) & (FAI_SEGMENT_PAGES - 1);
    fai_page *pg = &seg->pages[idx];
    if (seg->fa != fa || atomic_load_explicit(&pg->state, memory_order_acquire) == FAI_PAGE_FREE)
        return FAI_POBJ_NONE;
    uint64_t off = a & (FAI_POOL_PAGE_SIZE - 1);
    uint64_t i = (off * pg->inv_size) >> 32;
    if (i * pg->block_size > off) i--; /* inv_size rounds up */
    if (i >= pg->capacity) return FAI_POBJ_NONE;
    uintptr_t obj = (a & ~(uintptr_t)(FAI_POOL_PAGE_SIZE - 1)) + (uintptr_t)(i * pg->block_size);
    if (obj >= FAI_LOAD(pg->bump)) return FAI_POBJ_NONE;
    if (free_marked((const void *)obj)) return FAI_POBJ_FREED;
    return obj == a ? FAI_POBJ_START : FAI_POBJ_INTERIOR;
}

fai_pool_page_head fai_pool_no_page; /* handed 0: no free matches it */

/* The cursor's cached free page (the header's free fast path) leaves: pg changes lists or is
 * released. Only pg's owner moves it, and only the owner's cursor can hold it. */
FAI_INLINE void cursor_forget_page(const fai_page *pg) {
    if (fai_cursor.fdesc == &pg->h) {
        fai_cursor.fpage = 0;
        fai_cursor.fdesc = &fai_pool_no_page;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Page lists                                                                                 */
/* ---------------------------------------------------------------------------------------- */

void fai_page_list_push(fai_page **head, fai_page *pg) {
    pg->prev = NULL;
    pg->next = *head;
    if (*head != NULL) (*head)->prev = pg;
    *head = pg;
}

void fai_page_list_remove(fai_page **head, fai_page *pg) {
    if (pg->prev != NULL)
        pg->prev->next = pg->next;
    else
        *head = pg->next;
    if (pg->next != NULL) pg->next->prev = pg->prev;
    pg->next = pg->prev = NULL;
}

FAI_INLINE fai_page_where where_of(const fai_page *pg) {
    return (fai_page_where)(pg->where & FAI_WHERE_LIST);
}

/* Keeps the counted bit (budget.c): only page_init sets it. */
FAI_INLINE void set_where(fai_page *pg, fai_page_where where) {
    pg->where = (uint8_t)((pg->where & FAI_WHERE_COUNTED) | (unsigned)where);
}

static fai_page **list_of(fai_page_queue *q, fai_page *pg) {
    switch (where_of(pg)) {
    case FAI_ON_AVAIL: return &q->cur;
    case FAI_ON_FULL: return &q->full;
    case FAI_ON_EMPTY: return &q->empty;
    case FAI_ON_NONE: break;
    }
    return NULL;
}

/* Moves a page between a queue's lists, keeping the count of queues that hold more empty
 * pages than pool_keep_empty_pages (the frame-end aging walks only when there are some). */
void fai_page_move_to(fai_tstate *t, fai_page_queue *q, fai_page *pg, fai_page_where where) {
    uint32_t keep = t->fa->cfg.pool_keep_empty_pages;
    cursor_forget_page(pg);
    fai_page **from = list_of(q, pg);
    if (from != NULL) fai_page_list_remove(from, pg);
    if (where_of(pg) == FAI_ON_EMPTY && q->empty_count-- == keep + 1) t->pool_excess--;
    set_where(pg, where);
    if (where == FAI_ON_EMPTY) {
        pg->empty_epoch = t->pool_epoch;
        if (++q->empty_count == keep + 1) t->pool_excess++;
    }
    fai_page **to = list_of(q, pg);
    if (to != NULL) fai_page_list_push(to, pg);
}

/* The thread's set of a tag's plain or counted pages. */
FAI_INLINE fai_pool_set **set_slot(fai_tstate *t, unsigned tag, bool counted) {
    return &t->pool_sets[tag + (counted ? FA_MAX_TAGS : 0)];
}

static fai_page_queue *queue_of(fai_tstate *t, const fai_page *pg) {
    return &(*set_slot(t, pg->tag, pg->counted))->q[pg->cls];
}

/* ---------------------------------------------------------------------------------------- */
/* Pages                                                                                      */
/* ---------------------------------------------------------------------------------------- */

/* page->thread_free packs the list head (user-space pointers fit in 48 bits) and the number
 * of objects on it (a page holds at most 4096 objects). */
#define TFREE_COUNT_SHIFT 48
#define TFREE_PTR_MASK (((uintptr_t)1 << TFREE_COUNT_SHIFT) - 1)

FAI_INLINE uint32_t tfree_count(uintptr_t w) { return (uint32_t)(w >> TFREE_COUNT_SHIFT); }
FAI_INLINE void *tfree_head(uintptr_t w) { return (void *)(w & TFREE_PTR_MASK); }

/* Objects freed by other threads and not yet collected by the owner. */
uint32_t fai_page_remote_pending(fai_page *pg) {
    return tfree_count(atomic_load_explicit(&pg->thread_free, memory_order_acquire));
}

/* Takes the remote frees of a page onto its local free list. Owner only (the owner's count of
 * a counted page's bytes drops here; the tag's and allocator's dropped at each free). */
void fai_page_collect_remote(fai_page *pg) {
    if (atomic_load_explicit(&pg->thread_free, memory_order_relaxed) == 0) return;
    uintptr_t w = atomic_exchange_explicit(&pg->thread_free, 0, memory_order_acquire);
    void *list = tfree_head(w);
    uint32_t n = tfree_count(w);
    if (list == NULL || n == 0) return;
    void *last = list;
    for (uint32_t i = 1; i < n; i++) last = *(void **)last;
    *(void **)last = pg->h.free;
    pg->h.free = list;
    FAI_SET_USED(pg, FAI_USED(pg) - n);
    if (FA_UNLIKELY(pg->counted))
        atomic_load_explicit(&pg->owner, memory_order_relaxed)->pool_counted -=
            (size_t)n * pg->block_size;
}

static void page_init(fai_page *pg, unsigned cls, fa_tag tag, bool counted, fai_tstate *owner) {
    uint32_t size = class_size[cls];
    pg->block_size = size;
    pg->inv_size = (uint32_t)((((uint64_t)1 << 32) + size - 1) / size);
    unsigned shift = (unsigned)__builtin_ctz(size);
    uint32_t odd = size >> shift, inv = odd; /* Newton: each step doubles the correct bits */
    for (int i = 0; i < 5; i++) inv *= 2 - odd * inv;
    pg->h.dinv = inv;
    pg->h.shift = shift;
    pg->h.handed = 0;
    pg->capacity = (uint32_t)(FAI_POOL_PAGE_SIZE / size);
    FAI_STORE(pg->bump, pg->start);
    pg->bump_end = pg->start + (uintptr_t)pg->capacity * size;
    pg->h.free = NULL;
    FAI_SET_USED(pg, 0);
    atomic_store_explicit(&pg->thread_free, 0, memory_order_relaxed);
    pg->cls = (uint8_t)cls;
    pg->tag = (uint8_t)tag;
    pg->counted = counted;
    pg->where = (uint8_t)(FAI_ON_NONE | (counted ? FAI_WHERE_COUNTED : 0));
    atomic_store_explicit(&pg->owner, owner, memory_order_relaxed);
    atomic_store_explicit(&pg->state, FAI_PAGE_OWNED, memory_order_relaxed);
    fai_debug_pool_page_init(pg);
}

/* A fresh page from the allocator: a decommitted free page, or the next page of a segment,
 * or a new segment. Caller holds pool_lock. */
static fai_page *page_take_locked(fa_alloc *fa) {
    fai_page *pg = fa->free_pages;
    if (pg != NULL) {
        fa->free_pages = pg->next;
        pg->next = NULL;
        return pg;
    }
    fai_segment *seg = fa->segments;
    if (seg == NULL || seg->pages_handed + 1 >= FAI_SEGMENT_PAGES) {
        fai_once_run(&segmap_once, segmap_init);
        if (segmap == NULL) return NULL;
        seg = fai_prim_map(FAI_SEGMENT_SIZE, FAI_SEGMENT_SIZE);
        if (seg == NULL) return NULL;
        seg->magic = SEGMENT_MAGIC;
        seg->fa = fa;
        seg->next = fa->segments;
        fa->segments = seg;
        fai_segmap_set((uintptr_t)seg, true);
    }
    uint32_t idx = ++seg->pages_handed;
    pg = &seg->pages[idx];
    pg->start = (uintptr_t)seg + (uintptr_t)idx * FAI_POOL_PAGE_SIZE;
    return pg;
}

/* counted: a page of the thread's counted set (budget.c); the two kinds never mix. */
static fai_page *page_acquire(fai_tstate *t, unsigned cls, fa_tag tag, bool counted,
                              const char *site) {
    fa_alloc *fa = t->fa;
    fai_mutex_lock(&fa->pool_lock);
    /* Adopt an abandoned page of the same class and tag first: it holds live objects and
     * its free slots would otherwise sit unused. */
    fai_page *pg = NULL;
    for (fai_page *a = fa->abandoned[cls]; a != NULL; a = a->next) {
        if (a->tag == tag && a->counted == counted) {
            fai_page_list_remove(&fa->abandoned[cls], a);
            atomic_store_explicit(&a->owner, t, memory_order_relaxed);
            atomic_store_explicit(&a->state, FAI_PAGE_OWNED, memory_order_relaxed);
            set_where(a, FAI_ON_NONE);
            pg = a;
            break;
        }
    }
    bool fresh = pg == NULL;
    if (fresh) {
        pg = page_take_locked(fa);
        /* Initialised under the lock: statistics read tag and size of every page there. */
        if (pg != NULL) page_init(pg, cls, tag, counted, t);
    }
    fai_mutex_unlock(&fa->pool_lock);
    if (pg == NULL) {
        fai_error(fa, FA_ERR_OUT_OF_MEMORY, NULL, class_size[cls], site,
                  "out of memory for a pool page (size class %u bytes)", class_size[cls]);
        return NULL;
    }
    if (fresh) {
        atomic_fetch_add(&fa->pool_pages_in_use, 1);
        atomic_fetch_add(&fa->tags[tag].pool_reserved, (int64_t)FAI_POOL_PAGE_SIZE);
    } else {
        /* Its live objects (remote frees pending included, collected next) are the new
         * owner's now. */
        if (counted) t->pool_counted += (size_t)FAI_USED(pg) * pg->block_size;
        fai_page_collect_remote(pg);
    }
    return pg;
}

/* Returns an empty page to the allocator and its memory to the OS. */
void fai_page_release(fa_alloc *fa, fai_page *pg) {
    fai_debug_pool_page_release(pg);
    cursor_forget_page(pg);
    set_where(pg, FAI_ON_NONE);
    pg->h.free = NULL;
    fai_prim_decommit((void *)pg->start, FAI_POOL_PAGE_SIZE);
    atomic_fetch_sub(&fa->pool_pages_in_use, 1);
    atomic_fetch_sub(&fa->tags[pg->tag].pool_reserved, (int64_t)FAI_POOL_PAGE_SIZE);
    fai_mutex_lock(&fa->pool_lock);
    atomic_store_explicit(&pg->owner, NULL, memory_order_relaxed);
    atomic_store_explicit(&pg->state, FAI_PAGE_FREE, memory_order_relaxed);
    pg->prev = NULL;
    pg->next = fa->free_pages;
    fa->free_pages = pg;
    fai_mutex_unlock(&fa->pool_lock);
}

/* ---------------------------------------------------------------------------------------- */
/* Allocation                                                                                 */
/* ---------------------------------------------------------------------------------------- */

/* Pops one object of a page that has one, or returns NULL. Owner only. */
FAI_INLINE void *page_pop(fai_page *pg) {
    void *b = pg->h.free;
    if (FA_LIKELY(b != NULL)) {
        pg->h.free = *(void **)b;
    } else {
        uintptr_t bump = FAI_LOAD(pg->bump);
        if (bump >= pg->bump_end) return NULL;
        b = (void *)bump;
        FAI_STORE(pg->bump, bump + pg->block_size);
        pg->h.handed++;
        fai_track_open(b, FAI_POOL_LINK_BYTES); /* handed out right after: about to be opened */
    }
    free_mark_clear(b);
    FAI_SET_USED(pg, FAI_USED(pg) + 1);
    return b;
}

static fai_page *find_page(fai_tstate *t, fai_page_queue *q, unsigned cls, bool counted,
                           const char *site) {
    /* 1. the available list (cur first) */
    while (q->cur != NULL) {
        fai_page *pg = q->cur;
        if (pg->h.free != NULL || FAI_LOAD(pg->bump) < pg->bump_end) return pg;
        fai_page_collect_remote(pg);
        if (pg->h.free != NULL) return pg;
        fai_page_move_to(t, q, pg, FAI_ON_FULL);
    }
    /* 2. a kept empty page */
    if (q->empty != NULL) {
        fai_page *pg = q->empty;
        fai_page_move_to(t, q, pg, FAI_ON_AVAIL);
        return pg;
    }
    /* 3. full pages that received remote frees since the last scan */
    uint32_t hint = (uint32_t)atomic_load_explicit(&t->fa->remote_hint[cls], memory_order_relaxed);
    if (hint != q->remote_seen) {
        q->remote_seen = hint;
        fai_page *pg = q->full;
        while (pg != NULL) {
            fai_page *next = pg->next;
            fai_page_collect_remote(pg);
            if (pg->h.free != NULL) fai_page_move_to(t, q, pg, FAI_ON_AVAIL);
            pg = next;
        }
        if (q->cur != NULL) return q->cur;
    }
    /* 4. a new or adopted page */
    fai_page *pg = page_acquire(t, cls, t->cur_tag, counted, site);
    if (pg == NULL) return NULL;
    fai_page_move_to(t, q, pg, FAI_ON_AVAIL);
    return pg;
}

/* A budget counts the current tag's pool allocations (budget.c): they all come here, from the
 * thread's counted page set, each charged before it is taken. */
static FAI_NOINLINE void *counted_alloc(fai_tstate *t, unsigned cls, size_t size,
                                        const char *site) {
    fa_tag tag = t->cur_tag;
    fai_pool_set **set = set_slot(t, tag, true);
    if (*set == NULL && (*set = calloc(1, sizeof(fai_pool_set))) == NULL) {
        fai_error(t->fa, FA_ERR_OUT_OF_MEMORY, NULL, sizeof(fai_pool_set), site,
                  "no memory for the counted pool queues of tag %u", tag);
        return NULL;
    }
    size_t bytes = class_size[cls];
    if (!fai_budget_pool_charge(t, tag, bytes, site)) return NULL;
    fai_page_queue *q = &(*set)->q[cls];
    for (;;) {
        fai_page *pg = find_page(t, q, cls, true, site);
        if (pg == NULL) {
            fai_budget_pool_uncharge(t->fa, tag, bytes, t);
            return NULL;
        }
        void *p = page_pop(pg);
        if (p != NULL) {
            fai_debug_pool_alloc(pg, p, size, site);
            return p;
        }
    }
}

static void *pool_alloc_refill(fai_tstate *t, unsigned cls, size_t size, const char *site) {
    if (t->pool_cur != &fai_pool_counted_set && fai_budget_counts(t, t->cur_tag))
        fai_pool_switch_tag(t, t->cur_tag); /* a budget was set since the tag became current */
    if (t->pool_cur == &fai_pool_counted_set) return counted_alloc(t, cls, size, site);
    fai_page_queue *q = &t->pool_cur->q[cls];
    for (;;) {
        fai_page *pg = find_page(t, q, cls, false, site);
        if (pg == NULL) return NULL;
        void *p = page_pop(pg);
        if (p != NULL) {
            fai_debug_pool_alloc(pg, p, size, site);
            return p;
        }
    }
}

typedef struct pool_req {
    fai_tstate *t;
    unsigned cls;
    size_t size;
    const char *site;
} pool_req;

static void *pool_attempt(void *ctx) {
    const pool_req *q = ctx;
    return pool_alloc_refill(q->t, q->cls, q->size, q->site);
}

/* The class's pages have nothing left: a new page, through the recovery hook when one is set
 * (a page is the only thing a pool request can fail for). */
static FAI_NOINLINE void *pool_alloc_slow(fai_tstate *t, unsigned cls, size_t size,
                                          const char *site) {
    if (FA_LIKELY(!fai_recovery_armed(t->fa))) return pool_alloc_refill(t, cls, size, site);
    pool_req q = {t, cls, size, site};
    return fai_recovering(t->fa, FA_KIND_POOL, size, 16, pool_attempt, &q);
}

/* size: the request, for the debug hook (canary and sanitizer extent). */
FAI_INLINE void *pool_alloc_class(fai_tstate *t, unsigned cls, size_t size, const char *site) {
    fai_page *pg = t->pool_cur->q[cls].cur;
    if (FA_LIKELY(pg != NULL)) {
        void *p = page_pop(pg);
        if (FA_LIKELY(p != NULL)) {
            fai_debug_pool_alloc(pg, p, size, site);
            return p;
        }
    }
    return pool_alloc_slow(t, cls, size, site);
}

static FAI_NOINLINE void *pool_bad_request(fa_alloc *fa, size_t size, size_t align,
                                           const char *site) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, size, site,
                  "pool allocation with a NULL allocator");
        return NULL;
    }
    if (size > FA_POOL_MAX_SIZE && size <= FA_MAX_ALLOC_SIZE) {
        fai_report r = {.status = FA_ERR_TOO_LARGE, .fa = fa, .size = size, .align = align,
                        .site = site};
        fai_report_error(&r, "pool allocation of %zu bytes is above FA_POOL_MAX_SIZE (%zu); use "
                             "fa_heap_alloc",
                         size, (size_t)FA_POOL_MAX_SIZE);
        return NULL;
    }
    if (fai_check_request(fa, size, align, FA_POOL_MAX_SIZE, "pool allocation", site)) {
        fai_report r = {.status = FA_ERR_BAD_ALIGN, .fa = fa, .size = size, .align = align,
                        .site = site};
        fai_report_error(&r, "pool allocation with alignment %zu (pools align up to %zu; use "
                             "fa_heap_alloc)",
                         align, FAI_POOL_MAX_ALIGN);
    }
    return NULL;
}

/* Everything but the hot case: bad requests, the first use on this thread, a run-dry page. */
static FAI_NOINLINE void *pool_alloc_entry_slow(fa_alloc *fa, size_t size, const char *site) {
    if (fa == NULL || size - 1 >= FA_POOL_MAX_SIZE) return pool_bad_request(fa, size, 16, site);
    fai_tstate *t = fai_bind(fa);
    if (t == NULL) return NULL;
    return pool_alloc_class(t, size_class(size), size, site);
}

/* The hot case, as a leaf: this thread's cursor belongs to fa and the class's current page has
 * a free object. */
FAI_INLINE void *pool_alloc(fa_alloc *fa, size_t size, const char *site) {
    if (FA_LIKELY(fa != NULL && size - 1 < FA_POOL_MAX_SIZE &&
                  fai_cursor.serial == fa->head.serial)) {
        fai_tstate *t = fai_cursor.tstate;
        fai_page *pg = t->pool_cur->q[size_class(size)].cur;
        if (FA_LIKELY(pg != NULL && pg->h.free != NULL)) {
            void *p = pg->h.free;
            pg->h.free = *(void **)p;
            free_mark_clear(p);
            FAI_SET_USED(pg, FAI_USED(pg) + 1);
            fai_debug_pool_alloc(pg, p, size, site);
            return p;
        }
    }
    return pool_alloc_entry_slow(fa, size, site);
}

void *fa_pool_alloc_at(fa_alloc *fa, size_t size, const char *site) {
    return pool_alloc(fa, size, site);
}

void *fa_pool_alloc(fa_alloc *fa, size_t size) { return pool_alloc(fa, size, NULL); }

void *fai_pool_alloc_slow(fa_alloc *fa, size_t size) { return pool_alloc(fa, size, NULL); }

void *fa_pool_alloc_aligned_at(fa_alloc *fa, size_t size, size_t align, const char *site) {
    if (align <= 16 && fai_is_pow2(align)) return fa_pool_alloc_at(fa, size, site);
    if (fa == NULL || size - 1 >= FA_POOL_MAX_SIZE || !fai_is_pow2(align) ||
        align > FAI_POOL_MAX_ALIGN)
        return pool_bad_request(fa, size, align, site);
    unsigned cls = size_class(size);
    while (cls < FAI_POOL_CLASSES && class_size[cls] % align != 0) cls++;
    if (cls == FAI_POOL_CLASSES) return pool_bad_request(fa, size, align, site);
    fai_tstate *t = fai_bind(fa);
    if (t == NULL) return NULL;
    return pool_alloc_class(t, cls, size, site);
}

void *fa_pool_alloc_aligned(fa_alloc *fa, size_t size, size_t align) {
    return fa_pool_alloc_aligned_at(fa, size, align, NULL);
}

void *fa_pool_calloc_at(fa_alloc *fa, size_t n, size_t size, const char *site) {
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        fai_error(fa, FA_ERR_OVERFLOW, NULL, size, site,
                  "fa_pool_calloc of %zu elements of %zu bytes overflows size_t", n, size);
        return NULL;
    }
    void *p = fa_pool_alloc_at(fa, total, site);
    if (p != NULL) memset(p, 0, total);
    return p;
}

void *fa_pool_calloc(fa_alloc *fa, size_t n, size_t size) {
    return fa_pool_calloc_at(fa, n, size, NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* Free                                                                                       */
/* ---------------------------------------------------------------------------------------- */

/* Puts a page that left the full list behind the hot page (q->cur): pushed at the head it
 * would become the hot page, the one page exempt from release when it runs empty, and every
 * page freed in allocation order would stay mapped, empty, beyond pool_keep_empty_pages. */
void fai_page_move_behind_cur(fai_tstate *t, fai_page_queue *q, fai_page *pg) {
    fai_page *cur = q->cur;
    if (cur == NULL) {
        fai_page_move_to(t, q, pg, FAI_ON_AVAIL);
        return;
    }
    fai_page_move_to(t, q, pg, FAI_ON_NONE);
    set_where(pg, FAI_ON_AVAIL);
    pg->prev = cur;
    pg->next = cur->next;
    if (cur->next != NULL) cur->next->prev = pg;
    cur->next = pg;
}

/* A local free changed the page's standing (it left the full list or became empty), or freed
 * a counted object. */
static FAI_NOINLINE void page_after_local_free(fai_tstate *t, fai_page *pg) {
    if (pg->counted) fai_budget_pool_uncharge(t->fa, pg->tag, pg->block_size, t);
    fai_page_queue *q = queue_of(t, pg);
    if (FAI_USED(pg) != 0) {
        if (where_of(pg) == FAI_ON_FULL) fai_page_move_behind_cur(t, q, pg);
        return;
    }
    if (pg == q->cur) return; /* the hot page stays, empty or not */
    fai_page_move_to(t, q, pg, FAI_ON_EMPTY);
    if (q->empty_count > FAI_EMPTY_HARD_CAP) {
        fai_page_move_to(t, q, pg, FAI_ON_NONE);
        fai_page_release(t->fa, pg);
    }
}

/* After the CAS the object belongs to the owner (or to fa_pool_trim, for an abandoned page),
 * which may release and reinitialise the page at once: everything read from the descriptor
 * is read before it. */
static FAI_NOINLINE void remote_free(fa_alloc *fa, fai_page *pg, void *p) {
    unsigned cls = pg->cls, tag = pg->tag, size = pg->block_size;
    bool counted = pg->counted;
    free_mark_set(p);
    uintptr_t w = atomic_load_explicit(&pg->thread_free, memory_order_relaxed);
    uintptr_t nw;
    do {
        *(void **)p = tfree_head(w);
        nw = (uintptr_t)p | ((uintptr_t)(tfree_count(w) + 1) << TFREE_COUNT_SHIFT);
    } while (!atomic_compare_exchange_weak_explicit(&pg->thread_free, &w, nw,
                                                    memory_order_acq_rel, memory_order_relaxed));
    FAI_TEST_HOOK(remote_published, p);
    if (counted) fai_budget_pool_uncharge(fa, (fa_tag)tag, size, NULL);
    /* Tell owners scanning for pages with remote frees (they check this when they run dry). */
    if (tfree_count(w) == 0)
        atomic_fetch_add_explicit(&fa->remote_hint[cls], 1, memory_order_relaxed);
}

static FAI_NOINLINE FAI_COLD void bad_free(fa_alloc *fa, void *p, const char *site) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, p, 0, site, "fa_pool_free with a NULL allocator");
        return;
    }
    fai_debug_report_bad_free(fa, p, "fa_pool_free", site);
}

/* The owner's free: push on the page's list; leaving the full list or running empty changes
 * the page's standing in its queue, and a counted page (FAI_WHERE_COUNTED) is uncharged: all
 * three fail the one test below. */
FAI_INLINE void local_free(fai_tstate *t, fai_page *pg, void *p) {
    free_mark_set(p);
    *(void **)p = pg->h.free;
    pg->h.free = p;
    uint32_t used = FAI_USED(pg) - 1;
    FAI_SET_USED(pg, used);
    if (FA_UNLIKELY((used == 0) | (pg->where != FAI_ON_AVAIL))) page_after_local_free(t, pg);
}

/* A free the hot path did not take: a page of this thread reached through another cursor
 * (the thread last used another allocator), or a page of another thread. */
static FAI_NOINLINE void pool_free_other(fa_alloc *fa, fai_page *pg, void *p) {
    fai_tstate *t = fai_find_tstate(fa);
    if (t != NULL && atomic_load_explicit(&pg->owner, memory_order_relaxed) == t)
        local_free(t, pg, p);
    else
        remote_free(fa, pg, p);
}

/* site: the caller (debug builds name it as the first free in double-free reports). */
FAI_INLINE void pool_free(fa_alloc *fa, void *p, const char *site) {
    fai_page *pg = fa != NULL && p != NULL ? page_of(fa, p) : NULL;
    if (FA_UNLIKELY(pg == NULL)) {
        if (p != NULL) bad_free(fa, p, site);
        return;
    }
    /* Before the debug hook: in sanitizer builds it would already have taken the object back.
     * The extent test comes first, so a never-handed-out (poisoned) slot is not read. */
    if (FA_UNLIKELY(!FAI_DEBUG && ((uintptr_t)p >= FAI_LOAD(pg->bump) || free_marked(p)))) {
        bad_free(fa, p, site);
        return;
    }
    if (!fai_debug_pool_free(fa, pg, p, site)) return;
    fai_tstate *t = fai_cursor.tstate;
    if (FA_LIKELY(fai_cursor.serial == fa->head.serial &&
                  atomic_load_explicit(&pg->owner, memory_order_relaxed) == t)) {
        local_free(t, pg, p);
        /* The header's fast path takes the next frees into this page (a page of this thread
         * on its available list, not counted: the frees local_free's one test lets through). */
        if (!FAI_HOOKS && pg->where == FAI_ON_AVAIL) {
            fai_cursor.fpage = pg->start;
            fai_cursor.fdesc = &pg->h;
        }
        return;
    }
    pool_free_other(fa, pg, p);
}

void fa_pool_free(fa_alloc *fa, void *p) { pool_free(fa, p, NULL); }

void fai_pool_free_slow(fa_alloc *fa, void *p) { pool_free(fa, p, NULL); }

void fai_pool_free_emptied(fa_alloc *fa) {
    (void)fa; /* the cursor's allocator (the fast path compared the serials) */
    fai_page *pg = (fai_page *)fai_cursor.fdesc;
    page_after_local_free(fai_cursor.tstate, pg);
}

void fa_pool_free_at(fa_alloc *fa, void *p, const char *site) { pool_free(fa, p, site); }

size_t fa_pool_usable_size(fa_alloc *fa, const void *p) {
    if (fa == NULL || p == NULL) return 0;
    fai_page *pg = page_of(fa, p);
    if (pg != NULL) fai_debug_pool_usable(pg, p);
    return pg != NULL ? pg->block_size : 0;
}

bool fai_pool_owns(fa_alloc *fa, const void *p) { return page_of(fa, p) != NULL; }

/* ---------------------------------------------------------------------------------------- */
/* Tags, trimming, thread exit, destroy                                                       */
/* ---------------------------------------------------------------------------------------- */

static void switch_set(fai_tstate *t, fa_tag tag) {
    if (FA_UNLIKELY(fai_budget_counts(t, tag))) {
        t->pool_cur = &fai_pool_counted_set;
        return;
    }
    if (tag == 0) {
        t->pool_cur = &t->pool_set0;
        return;
    }
    if (t->pool_sets[tag] == NULL) {
        t->pool_sets[tag] = calloc(1, sizeof(fai_pool_set));
        if (t->pool_sets[tag] == NULL) {
            /* Allocations stay charged to the untagged set rather than failing. */
            fai_error(t->fa, FA_ERR_OUT_OF_MEMORY, NULL, sizeof(fai_pool_set), NULL,
                      "no memory for the pool queues of tag %u; using untagged pools", tag);
            t->pool_cur = &t->pool_set0;
            return;
        }
    }
    t->pool_cur = t->pool_sets[tag];
}

void fai_pool_switch_tag(fai_tstate *t, fa_tag tag) {
    switch_set(t, tag);
    if (fai_cursor.tstate == t) fai_cursor_pool_queues(t);
}
