// SPDX-License-Identifier: MIT
/*
 * handles.c - relocatable blocks behind generational handles, and their defragmenter.
 *
 * Owns: a fixed slot array (mapped once at creation for cfg.max_handles slots, so a slot's
 * address never changes and resolve is two loads and a compare), an array of page records,
 * and the pages themselves (mapped through prim.h, charged to the table's tag).
 *
 * Invariants:
 *   - A handle is (generation << 32) | slot index. Slot 0 is never used and generations start
 *     at 1, so 0 and every value with a zero index or generation is invalid. A slot is live
 *     iff ptr != 0; the handle matches iff its generation equals the slot's. Freeing bumps the
 *     generation; a slot whose generation wraps to 0 is retired (never reused).
 *   - Blocks are bump-allocated in pages; a freed block leaves a hole that only compaction or
 *     the page emptying reclaims. Each page links its live blocks (slot indices), so evacuating
 *     a page costs O(its blocks). Blocks above page_size / 4 get a dedicated page and never move.
 *   - A block with pins > 0 never moves; a page with pinned blocks is never a defrag source.
 *   - An empty page is returned to the OS at once, except up to H_SPARES spares kept mapped
 *     (and resident) for reuse: under churn, pages empty about as fast as new ones are
 *     needed, and a fresh mapping costs a page fault per 4 KiB of blocks.
 *
 * Threading: one owning thread mutates the table (checked on every mutating call); resolve
 * reads only the slot array and may run on other threads while the owner does not mutate.
 */
#include "internal.h"

#include <stdlib.h>

#define H_MAGIC 0x46414848444c5321ull /* "FAHHDLS!" */
#define H_NONE UINT32_MAX
#define H_MAX_ALIGN ((size_t)4096)
#define H_GRAIN ((size_t)16)
#define H_SPARES 4u

typedef struct hslot {
    uintptr_t ptr;     /* 0 = not live */
    size_t size;
    uint32_t gen;      /* generation of the live handle (or of the next one when free) */
    uint32_t pins;
    uint32_t page;
    uint32_t next, prev; /* page's block list; `next` doubles as the free-list link */
    uint32_t align;
} hslot;

typedef struct hpage {
    uintptr_t base;    /* 0 = record unused */
    size_t size;
    size_t bump;       /* bytes handed out from base (holes included) */
    size_t footprint;  /* bytes of live blocks, rounded to H_GRAIN */
    size_t live_bytes; /* requested bytes of live blocks */
    uint32_t live, pinned;
    uint32_t head;     /* first live block (slot index) or 0 */
    bool dedicated;
    bool spare;        /* empty and kept for reuse */
} hpage;

struct fa_handles {
    uint64_t magic;
    fa_alloc *fa;
    fa_handles_config cfg;
    uint64_t owner;
    hslot *slots;
    size_t slots_bytes;
    uint32_t hwm;        /* slots [1, hwm) have been used */
    uint32_t free_head;  /* free slot list (0 = empty) */
    hpage *pages;
    uint32_t npages_cap;
    uint32_t fill;       /* page normal allocations try first, or H_NONE */
    uint32_t src;        /* page the defragmenter is evacuating, or H_NONE */
    uint32_t spares;     /* empty pages kept mapped (hpage.spare), at most H_SPARES */
    size_t live_count, live_bytes, used_bytes, reserved_bytes, page_count, pinned_count;
    uint64_t moves, moved_bytes, pages_released;
};

/* Test builds reach the generation wrap without 2^32 frees through this. */
void fai_handles_test_set_generation(fa_handles *t, fa_handle h, uint32_t gen);

static bool table_ok(const fa_handles *t) { return t != NULL && t->magic == H_MAGIC; }

static bool owner_ok(fa_handles *t, const char *what) {
    if (!table_ok(t)) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, t, 0, NULL, "%s: not a live handle table", what);
        return false;
    }
    if (t->owner != fa_thread_id()) {
        fai_error(t->fa, FA_ERR_WRONG_THREAD, t, 0, NULL,
                  "%s: handle table owned by thread %llu, called on thread %llu", what,
                  (unsigned long long)t->owner, (unsigned long long)fa_thread_id());
        return false;
    }
    return true;
}

static hslot *live_slot(const fa_handles *t, fa_handle h) {
    uint32_t idx = (uint32_t)h, gen = (uint32_t)(h >> 32);
    if (idx == 0 || idx >= t->hwm || gen == 0) return NULL;
    hslot *s = &t->slots[idx];
    return s->ptr != 0 && s->gen == gen ? s : NULL;
}

/* The allocator-wide asset figures (fa_stats.handle_*): deltas of this table's own. */
static void account(fa_handles *t, ptrdiff_t count, ptrdiff_t bytes, ptrdiff_t reserved) {
    fa_alloc *fa = t->fa;
    if (count) atomic_fetch_add_explicit(&fa->handle_count, (size_t)count, memory_order_relaxed);
    if (bytes) atomic_fetch_add_explicit(&fa->handle_bytes, (size_t)bytes, memory_order_relaxed);
    if (reserved)
        atomic_fetch_add_explicit(&fa->handle_reserved, (size_t)reserved, memory_order_relaxed);
}

/* ---------------------------------------------------------------------------------------- */
/* Pages                                                                                      */
/* ---------------------------------------------------------------------------------------- */

static uint32_t page_new(fa_handles *t, size_t size, bool dedicated) {
    fai_quiet q = fai_quiet_begin();
    bool charged = fai_tag_heap_charge(t->fa, t->cfg.tag, (int64_t)size, NULL);
    fa_status why = fai_quiet_end(q);
    if (!charged) {
        fai_error(t->fa, why != FA_OK ? why : FA_ERR_BUDGET, NULL, size, NULL,
                  "handle table: a %zu-byte page would exceed the budget of tag %u", size,
                  t->cfg.tag);
        return H_NONE;
    }
    void *base = fai_prim_map(size, fai_prim_page_size());
    if (base == NULL) {
        fai_tag_heap_charge(t->fa, t->cfg.tag, -(int64_t)size, NULL);
        fai_error(t->fa, FA_ERR_OUT_OF_MEMORY, NULL, size, NULL,
                  "handle table: the OS refused a %zu-byte page", size);
        return H_NONE;
    }
    uint32_t i = 0;
    while (i < t->npages_cap && t->pages[i].base != 0) i++;
    if (i == t->npages_cap) {
        uint32_t cap = t->npages_cap ? t->npages_cap * 2 : 16;
        hpage *np = realloc(t->pages, cap * sizeof *np);
        if (np == NULL) {
            fai_prim_unmap(base, size);
            fai_tag_heap_charge(t->fa, t->cfg.tag, -(int64_t)size, NULL);
            fai_error(t->fa, FA_ERR_OUT_OF_MEMORY, NULL, 0, NULL, "handle table: page records");
            return H_NONE;
        }
        memset(np + t->npages_cap, 0, (cap - t->npages_cap) * sizeof *np);
        t->pages = np;
        t->npages_cap = cap;
    }
    hpage *pg = &t->pages[i];
    memset(pg, 0, sizeof *pg);
    pg->base = (uintptr_t)base;
    pg->size = size;
    pg->dedicated = dedicated;
    t->reserved_bytes += size;
    t->page_count++;
    account(t, 0, 0, (ptrdiff_t)size);
    return i;
}

static void page_release(fa_handles *t, uint32_t i) {
    hpage *pg = &t->pages[i];
    t->used_bytes -= pg->bump;
    t->reserved_bytes -= pg->size;
    t->page_count--;
    account(t, 0, 0, -(ptrdiff_t)pg->size);
    fai_prim_unmap((void *)pg->base, pg->size);
    fai_tag_heap_charge(t->fa, t->cfg.tag, -(int64_t)pg->size, NULL);
    pg->base = 0;
    if (t->fill == i) t->fill = H_NONE;
    if (t->src == i) t->src = H_NONE;
    if (pg->spare) t->spares--;
    pg->spare = false;
}

/* A page lost its last block: dedicated pages and all but H_SPARES spares go back to the OS. */
static void page_emptied(fa_handles *t, uint32_t i) {
    hpage *pg = &t->pages[i];
    if (pg->spare) return;
    if (pg->dedicated || t->spares >= H_SPARES || t->src == i) {
        page_release(t, i);
        t->pages_released++;
        return;
    }
    t->used_bytes -= pg->bump;
    pg->bump = 0;
    pg->spare = true;
    t->spares++;
}

static uintptr_t page_fit(const hpage *pg, size_t size, size_t align) {
    uintptr_t p = fai_align_up(pg->base + pg->bump, align);
    return p + size <= pg->base + pg->size ? p : 0;
}

static void link_block(fa_handles *t, uint32_t pi, uint32_t idx, uintptr_t p) {
    hpage *pg = &t->pages[pi];
    hslot *s = &t->slots[idx];
    size_t end = p + fai_align_up(s->size, H_GRAIN) - pg->base;
    t->used_bytes += end - pg->bump;
    pg->bump = end;
    pg->footprint += fai_align_up(s->size, H_GRAIN);
    pg->live_bytes += s->size;
    pg->live++;
    if (s->pins) pg->pinned++;
    s->ptr = p;
    s->page = pi;
    s->prev = 0;
    s->next = pg->head;
    if (pg->head) t->slots[pg->head].prev = idx;
    pg->head = idx;
    if (pg->spare) {
        pg->spare = false;
        t->spares--;
    }
}

static void unlink_block(fa_handles *t, uint32_t idx) {
    hslot *s = &t->slots[idx];
    hpage *pg = &t->pages[s->page];
    if (s->prev) t->slots[s->prev].next = s->next;
    else pg->head = s->next;
    if (s->next) t->slots[s->next].prev = s->prev;
    pg->footprint -= fai_align_up(s->size, H_GRAIN);
    pg->live_bytes -= s->size;
    pg->live--;
    if (s->pins) pg->pinned--;
}

/* Where a block of size/align goes: the fill page, else the densest normal page whose tail
 * fits (never `exclude`), else a new page. Returns the page index (H_NONE on failure). */
static uint32_t place(fa_handles *t, size_t size, size_t align, uint32_t exclude, uintptr_t *at) {
    if (t->fill != H_NONE && t->fill != exclude) {
        uintptr_t p = page_fit(&t->pages[t->fill], size, align);
        if (p) {
            *at = p;
            return t->fill;
        }
    }
    uint32_t best = H_NONE;
    for (uint32_t i = 0; i < t->npages_cap; i++) {
        const hpage *pg = &t->pages[i];
        if (pg->base == 0 || pg->dedicated || i == exclude || !page_fit(pg, size, align)) continue;
        if (best == H_NONE || pg->footprint > t->pages[best].footprint) best = i;
    }
    if (best == H_NONE) best = page_new(t, t->cfg.page_size, false);
    if (best == H_NONE) return H_NONE;
    t->fill = best;
    *at = page_fit(&t->pages[best], size, align);
    return best;
}

/* ---------------------------------------------------------------------------------------- */
/* Table lifetime                                                                             */
/* ---------------------------------------------------------------------------------------- */

fa_handles *fa_handles_create(fa_alloc *fa, const fa_handles_config *cfg) {
    fa_handles_config c = cfg ? *cfg : (fa_handles_config){0};
    if (c.page_size == 0) c.page_size = (size_t)256 << 10;
    if (c.max_handles == 0) c.max_handles = 65536;
    if (fa == NULL || !fai_is_pow2(c.page_size) || c.page_size < ((size_t)64 << 10) ||
        c.page_size > ((size_t)1 << 30) || c.max_handles >= UINT32_MAX - 1 ||
        c.tag >= FA_MAX_TAGS || (c.tag != 0 && fa_tag_name(fa, c.tag) == NULL)) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, c.page_size, NULL,
                  "fa_handles_create: NULL allocator, page size not a power of two in "
                  "[64 KiB, 1 GiB], too many handles or unknown tag");
        return NULL;
    }
    fa_handles *t = calloc(1, sizeof *t);
    size_t ps = fai_prim_page_size();
    size_t sb = fai_align_up(((size_t)c.max_handles + 1) * sizeof(hslot), ps);
    hslot *slots = t ? fai_prim_map(sb, ps) : NULL;
    if (slots == NULL) {
        free(t);
        fai_error(fa, FA_ERR_OUT_OF_MEMORY, NULL, sb, NULL, "fa_handles_create: out of memory");
        return NULL;
    }
    t->magic = H_MAGIC;
    t->fa = fa;
    t->cfg = c;
    t->owner = fa_thread_id();
    t->slots = slots;
    t->slots_bytes = sb;
    t->hwm = 1;
    t->fill = t->src = H_NONE;
    return t;
}

void fa_handles_destroy(fa_handles *t) {
    if (t == NULL) return;
    if (!owner_ok(t, "fa_handles_destroy")) return;
    account(t, -(ptrdiff_t)t->live_count, -(ptrdiff_t)t->live_bytes, 0);
    for (uint32_t i = 0; i < t->npages_cap; i++)
        if (t->pages[i].base != 0) page_release(t, i);
    fai_prim_unmap(t->slots, t->slots_bytes);
    free(t->pages);
    t->magic = 0;
    free(t);
}

void fa_handles_set_owner(fa_handles *t) {
    if (!table_ok(t)) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, t, 0, NULL,
                  "fa_handles_set_owner: not a live handle table");
        return;
    }
    t->owner = fa_thread_id();
}

/* ---------------------------------------------------------------------------------------- */
/* Blocks                                                                                     */
/* ---------------------------------------------------------------------------------------- */

fa_handle fa_handle_create(fa_handles *t, size_t size, size_t align, unsigned flags) {
    if (!owner_ok(t, "fa_handle_create")) return 0;
    if (!fai_check_request(t->fa, size, align, FA_MAX_ALLOC_SIZE, "fa_handle_create", NULL))
        return 0;
    if (align > H_MAX_ALIGN || (flags & ~(FA_HANDLE_PINNED | FA_HANDLE_ZERO)) != 0) {
        fai_error(t->fa, align > H_MAX_ALIGN ? FA_ERR_BAD_ALIGN : FA_ERR_INVALID_ARGUMENT, NULL,
                  size, NULL, "fa_handle_create: alignment %zu above 4096 or unknown flags %#x",
                  align, flags);
        return 0;
    }
    if (align < H_GRAIN) align = H_GRAIN;
    uint32_t idx = t->free_head;
    if (idx == 0 && t->hwm > t->cfg.max_handles) {
        fai_error(t->fa, FA_ERR_OUT_OF_MEMORY, NULL, size, NULL,
                  "fa_handle_create: all %u handles are in use", t->cfg.max_handles);
        return 0;
    }
    uint32_t pi;
    uintptr_t p;
    if (size > t->cfg.page_size / 4) {
        size_t ps = fai_prim_page_size();
        pi = page_new(t, fai_align_up(size, ps), true);
        p = pi != H_NONE ? t->pages[pi].base : 0;
    } else {
        pi = place(t, size, align, t->src, &p); /* never refill the page being emptied */
    }
    if (pi == H_NONE) return 0;
    if (idx != 0) t->free_head = t->slots[idx].next;
    else idx = t->hwm++;
    hslot *s = &t->slots[idx];
    if (s->gen == 0) s->gen = 1;
    s->size = size;
    s->align = (uint32_t)align;
    s->pins = (flags & FA_HANDLE_PINNED) ? 1 : 0;
    link_block(t, pi, idx, p);
    if (s->pins) t->pinned_count++;
    t->live_count++;
    t->live_bytes += size;
    account(t, 1, (ptrdiff_t)size, 0);
    if (flags & FA_HANDLE_ZERO) memset((void *)p, 0, size);
    return ((uint64_t)s->gen << 32) | idx;
}

void *fa_handle_resolve(const fa_handles *t, fa_handle h) {
    if (FA_UNLIKELY(!table_ok(t))) return NULL;
    const hslot *s = live_slot(t, h);
    return s ? (void *)s->ptr : NULL;
}

size_t fa_handle_size(const fa_handles *t, fa_handle h) {
    const hslot *s = table_ok(t) ? live_slot(t, h) : NULL;
    return s ? s->size : 0;
}

static hslot *checked(fa_handles *t, fa_handle h, const char *what, fa_status *st) {
    if (!owner_ok(t, what)) {
        *st = table_ok(t) ? FA_ERR_WRONG_THREAD : FA_ERR_INVALID_ARGUMENT;
        return NULL;
    }
    hslot *s = live_slot(t, h);
    *st = s ? FA_OK : FA_ERR_INVALID_ARGUMENT;
    if (s == NULL)
        fai_error(t->fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "%s: handle %#llx is not live (freed, reused or never created)", what,
                  (unsigned long long)h);
    return s;
}

fa_status fa_handle_free(fa_handles *t, fa_handle h) {
    fa_status st;
    hslot *s = checked(t, h, "fa_handle_free", &st);
    if (s == NULL) return st;
    uint32_t idx = (uint32_t)h, pi = s->page;
    unlink_block(t, idx);
    if (s->pins) t->pinned_count--;
    t->live_count--;
    t->live_bytes -= s->size;
    account(t, -1, -(ptrdiff_t)s->size, 0);
    s->ptr = 0;
    s->pins = 0;
    if (++s->gen != 0) { /* a wrapped generation retires the slot: no handle value recurs */
        s->next = t->free_head;
        t->free_head = idx;
    }
    if (t->pages[pi].live == 0) page_emptied(t, pi);
    return FA_OK;
}

fa_status fa_handle_pin(fa_handles *t, fa_handle h) {
    fa_status st;
    hslot *s = checked(t, h, "fa_handle_pin", &st);
    if (s == NULL) return st;
    if (s->pins == UINT32_MAX) {
        fai_error(t->fa, FA_ERR_OVERFLOW, NULL, 0, NULL, "fa_handle_pin: pin count overflow");
        return FA_ERR_OVERFLOW;
    }
    if (s->pins++ == 0) {
        t->pages[s->page].pinned++;
        t->pinned_count++;
        if (t->src == s->page) t->src = H_NONE; /* a pinned page cannot be emptied */
    }
    return FA_OK;
}

fa_status fa_handle_unpin(fa_handles *t, fa_handle h) {
    fa_status st;
    hslot *s = checked(t, h, "fa_handle_unpin", &st);
    if (s == NULL) return st;
    if (s->pins == 0) {
        fai_error(t->fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_handle_unpin: handle %#llx is not pinned", (unsigned long long)h);
        return FA_ERR_INVALID_ARGUMENT;
    }
    if (--s->pins == 0) {
        t->pages[s->page].pinned--;
        t->pinned_count--;
    }
    return FA_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Defragmentation                                                                            */
/* ---------------------------------------------------------------------------------------- */

/* The sparsest page worth evacuating: normal, unpinned, at most half full, with at least a
 * quarter page of holes. Moves only append to pages, so a page packed by moves has no holes
 * and is never a source: compaction converges instead of moving blocks back and forth. */
static uint32_t pick_source(const fa_handles *t) {
    uint32_t best = H_NONE;
    for (uint32_t i = 0; i < t->npages_cap; i++) {
        const hpage *pg = &t->pages[i];
        if (pg->base == 0 || pg->dedicated || pg->live == 0 || pg->pinned != 0) continue;
        /* Padding of aligned blocks is not a hole worth a move: a quarter page of holes at
         * least, and never the page moves go into (it would chase its own tail). */
        if (i == t->fill || pg->bump - pg->footprint < pg->size / 4 ||
            pg->footprint > pg->size / 2)
            continue;
        if (best == H_NONE || pg->footprint < t->pages[best].footprint) best = i;
    }
    return best;
}

size_t fa_handles_defrag(fa_handles *t, size_t max_bytes, size_t max_moves) {
    if (!owner_ok(t, "fa_handles_defrag")) return 0;
    size_t moves = 0, bytes = 0;
    for (;;) {
        if (t->src == H_NONE) t->src = pick_source(t);
        if (t->src == H_NONE) break;
        uint32_t si = t->src;
        if (t->fill == si) t->fill = H_NONE; /* new blocks must not refill the source */
        uint32_t idx = t->pages[si].head;
        if (max_moves != 0 && moves >= max_moves) break;
        hslot *s = &t->slots[idx];
        /* The first move of a call may exceed max_bytes (a block is at most a quarter page),
         * so a small byte limit slows compaction down instead of stalling it. */
        if (max_bytes != 0 && moves != 0 && bytes + s->size > max_bytes) break;
        uintptr_t to;
        uint32_t di = place(t, s->size, s->align, si, &to);
        if (di == H_NONE) break;
        void *from = (void *)s->ptr;
        memcpy((void *)to, from, s->size);
        if (t->cfg.on_relocate != NULL)
            t->cfg.on_relocate(((uint64_t)s->gen << 32) | idx, from, (void *)to, s->size,
                               t->cfg.user);
        unlink_block(t, idx);
        link_block(t, di, idx, to);
        moves++;
        bytes += s->size;
        t->moves++;
        t->moved_bytes += s->size;
        if (t->pages[si].live == 0) { /* evacuated: the next call picks a new source */
            t->src = H_NONE;
            page_emptied(t, si);
        }
    }
    return moves;
}

void fa_handles_get_stats(const fa_handles *t, fa_handles_stats *out) {
    if (out == NULL) return;
    memset(out, 0, sizeof *out);
    if (!table_ok(t)) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, t, 0, NULL,
                  "fa_handles_get_stats: not a live handle table");
        return;
    }
    out->live_count = t->live_count;
    out->live_bytes = t->live_bytes;
    out->used_bytes = t->used_bytes;
    out->reserved_bytes = t->reserved_bytes;
    out->pages = t->page_count;
    out->pinned_count = t->pinned_count;
    out->fragmentation =
        t->reserved_bytes ? 1.0 - (double)t->live_bytes / (double)t->reserved_bytes : 0.0;
    out->moves = t->moves;
    out->moved_bytes = t->moved_bytes;
    out->pages_released = t->pages_released;
}

void fai_handles_test_set_generation(fa_handles *t, fa_handle h, uint32_t gen) {
    hslot *s = table_ok(t) ? live_slot(t, h) : NULL;
    if (s != NULL) s->gen = gen;
}
