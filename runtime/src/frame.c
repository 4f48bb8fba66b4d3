/* SPDX-License-Identifier: MIT */
/*
 * frame.c - per-thread frame arenas: begin/end, nested scopes, the allocation slow path,
 * block chaining and settling (retention is retain.c).
 *
 * Data: a tstate owns a chain of blocks (t->blocks). Every outermost frame starts at the first
 * block; when a request does not fit, the frame moves on to the next block of the chain (a
 * spare kept from earlier frames, or a new, geometrically larger one). At the outermost end,
 * a frame that used more than the first block ("spilled") settles the arena: the chain is
 * replaced by one block sized for the decaying high-water mark (+25%), so later frames of that
 * size never leave the inline fast path. The new block is pre-faulted only as far as the old
 * chain's pages were actually touched (resident), so a frame that reserved much and touched
 * little does not turn into resident memory. The mark decays by 1/32 per outermost frame,
 * and a first block more than twice the settle size is replaced by a smaller one, so one spiky
 * frame does not pin its peak for the thread's life; fa_frame_trim drops it at once.
 *
 * Invariants (owner thread, while the tstate is cached in fai_cursor):
 *  - inside a frame with a current block: cur_block->start <= cursor.cur <= cur_block->end,
 *    and cursor.end is cur_block->end, or cursor.cur when force_slow (debug/ASan builds);
 *  - outside a frame cursor.cur == cursor.end == 0, so every allocation takes the slow path;
 *  - scopes[0..depth) are the open scopes, innermost last; a scope's (block, cur) is where the
 *    cursor returns when it ends; used_prev is the frame bytes of blocks before cur_block.
 *
 * Threading: everything here runs on the thread that owns the tstate and takes no lock, except
 * statistics publishing (relaxed atomic stores).
 */
#include "internal.h"
#include "observe.h"

#include <stdlib.h>

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                    */
/* ---------------------------------------------------------------------------------------- */

static fai_cursor_t *cursor(void) { return &fai_cursor; }

/* End of the bytes the frame may use in the current block: the block's end, or earlier when
 * frame_limit leaves less room. Capping the cursor's end this way keeps the limit exact with
 * no extra test on the fast path. */
static uintptr_t usable_end(const fai_tstate *t) {
    const fai_block *b = t->cur_block;
    size_t limit = t->fa->cfg.frame_limit;
    /* Debug builds (redzones) check the limit on the counted bytes instead (counted_fits). */
    if (limit == 0 || FAI_FRAME_REDZONE != 0) return b->end;
    size_t room = limit > t->used_prev ? limit - t->used_prev : 0;
    return room < (size_t)(b->end - b->start) ? b->start + room : b->end;
}

static void cursor_update_end(fai_tstate *t) {
    fai_cursor_t *c = cursor();
    if (t->depth == 0 || t->cur_block == NULL)
        c->end = t->depth == 0 ? 0 : c->cur;
    else
        c->end = t->force_slow ? c->cur : usable_end(t);
}

void fai_frame_cursor_sync(fai_tstate *t) { cursor_update_end(t); }

/* Bytes allocated in the open frame (calling thread), without debug redzones. */
static size_t used_now(const fai_tstate *t) {
    if (FAI_FRAME_REDZONE != 0)
        return t->counted_prev +
               (t->cur_block != NULL ? (size_t)(t->counted_cur - t->cur_block->start) : 0);
    if (t->cur_block == NULL) return t->used_prev;
    return t->used_prev + (size_t)(fai_cursor_cur(t) - t->cur_block->start);
}

size_t fai_frame_bytes_now(fai_tstate *t) { return t->depth == 0 ? 0 : used_now(t); }

void fai_frame_publish(fai_tstate *t) {
    FAI_STORE(t->pub.depth, t->depth);
    FAI_STORE(t->pub.frame_number, t->frame_number);
    FAI_STORE(t->pub.frame_bytes, fai_frame_bytes_now(t));
    FAI_STORE(t->pub.frame_reserved, t->reserved);
}

static size_t block_size(const fai_block *b) { return (size_t)(b->end - b->start); }

/* Bytes a request takes: the cursor stays on FA_FRAME_GRANULE boundaries (the fast path relies
 * on it for small alignments). */
static size_t granule(size_t size) { return (size + FA_FRAME_GRANULE - 1) & ~(FA_FRAME_GRANULE - 1); }
/* Bytes a slow-path request takes: debug builds follow every allocation with a redzone, so an
 * overflow lands in checked fill (and poison), not in the next object. */
static size_t take_of(size_t size) { return granule(size) + FAI_FRAME_REDZONE; }

/* A block of at least min_size bytes. A fresh mapping starts on an align boundary (so an
 * over-aligned request that opens it needs no padding) and has its first `prefault` bytes
 * touched before the debug hooks fill or poison anything: the memory is still all zeros then,
 * so touching it changes nothing a checker or a fill check could see. A recycled guard block
 * was touched by its earlier frame and is not touched again. */
fai_block *fai_block_new(fai_tstate *t, size_t min_size, size_t align, size_t prefault) {
    size_t page = fai_prim_page_size();
    /* Whole mapping granules: the OS hands out address space in them anyway. */
    size_t size = fai_align_up(min_size, fai_prim_alloc_granularity());
    if (size < min_size) return NULL;
    /* Guard mode: a quarantined block whose guard frames are over, instead of a new mapping
     * (page aligned only, so not for an over-aligned request). */
    fai_block *b = align <= page ? fai_debug_block_recycle(t, size) : NULL;
    if (b != NULL) return b;
    b = calloc(1, sizeof *b);
    if (b == NULL) return NULL;
    void *mem = fai_prim_map(size, FAI_MAX(align, page));
    if (mem == NULL) {
        free(b);
        return NULL;
    }
    b->start = (uintptr_t)mem;
    b->end = b->start + size;
    b->used_end = b->start;
    t->reserved += size;
    prefault = fai_align_up(FAI_MIN(prefault, size), page);
    if (prefault != 0) fai_prim_prefault(mem, prefault);
    fai_debug_block_new(t, b);
    return b;
}

void fai_block_unmap(fai_block *b) {
    fai_prim_unmap((void *)b->start, block_size(b));
    free(b);
}

static void block_free(fai_tstate *t, fai_block *b) {
    t->reserved -= block_size(b);
    fai_debug_block_free(t, b);
    fai_block_unmap(b);
}

void fai_frame_block_free(fai_tstate *t, fai_block *b) { block_free(t, b); }

/* ---------------------------------------------------------------------------------------- */
/* Begin / end                                                                                */
/* ---------------------------------------------------------------------------------------- */

void fa_begin_frame(fa_alloc *fa) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_begin_frame: NULL allocator");
        return;
    }
    fai_tstate *t = fai_bind(fa);
    if (t == NULL) return;
    if (t->depth >= fa->cfg.max_frame_depth) {
        /* The scope is counted but not opened, so the matching end is absorbed and the outer
         * scopes stay paired with their own ends. */
        t->overflow_depth++;
        fai_error(fa, FA_ERR_NESTING_TOO_DEEP, NULL, 0, NULL,
                  "fa_begin_frame: frame scopes nested deeper than max_frame_depth (%u); "
                  "allocations go to the innermost open scope",
                  fa->cfg.max_frame_depth);
        return;
    }
    fai_cursor_t *c = cursor();
    if (t->depth == 0) {
        t->frame_number++;
        t->cur_block = t->blocks;
        c->cur = t->blocks != NULL ? t->blocks->start : 0;
        t->used_prev = 0;
        t->counted_prev = 0;
        t->counted_cur = c->cur;
        t->frame_hw = 0;
        t->spilled = false;
        t->tag_mark = 0;
        fai_debug_frame_begin(t);
        fai_obs_frame_begin(t);
    }
    fai_scope *s = &t->scopes[t->depth];
    s->block = t->cur_block;
    s->cur = c->cur;
    s->used_before = t->used_prev;
    s->counted_prev = t->counted_prev;
    s->counted_cur = t->counted_cur;
    s->id = ++t->scope_ids;
    s->retain_count = t->retain_count;
    s->tag_depth = t->tag_depth;
    t->depth++;
    cursor_update_end(t);
    /* Only depth and frame number change here; bytes are published at refills and ends. */
    FAI_STORE(t->pub.depth, t->depth);
    FAI_STORE(t->pub.frame_number, t->frame_number);
}

/* Resident bytes of the chain from b on: what the frames really touched. */
static size_t chain_resident(const fai_block *b) {
    size_t n = 0;
    for (; b != NULL; b = b->next) n += fai_prim_resident((void *)b->start, block_size(b));
    return n;
}

/* Moves the cursor back to where scope s began. */
static void scope_rewind(fai_tstate *t, const fai_scope *s) {
    t->cur_block = s->block;
    cursor()->cur = s->cur;
    t->used_prev = s->used_before;
    t->counted_prev = s->counted_prev;
    t->counted_cur = s->counted_cur;
    t->tag_mark = FAI_MIN(t->tag_mark, used_now(t));
}

/* Outermost end (scope s, depth 1): the frame is over; settle or rotate the chain for the next
 * frame. */
static void frame_finish(fai_tstate *t, const fai_scope *s) {
    fa_alloc *fa = t->fa;
    /* One word says whether this allocator ever had frames in flight (and is in guard mode):
     * the default pays one load for both. Before the rewind, so the position the frame got to
     * is read only when a kept frame needs it. The lifetime a frame gets is the allocator's
     * setting when it ends (hooks builds read it once, before their release of the scope). */
    unsigned flags = atomic_load_explicit(&fa->end_flags, memory_order_relaxed);
    if (FA_UNLIKELY(flags & FAI_END_INFLIGHT)) {
        unsigned k = FAI_HOOKS ? t->end_k : atomic_load_explicit(&fa->frames_in_flight,
                                                                 memory_order_relaxed);
        if ((k | t->gen_count) != 0)
            t->spilled |= fai_inflight_frame_end(t, k, t->cur_block, cursor()->cur);
    }
    scope_rewind(t, s);
    t->depth = 0;
    size_t hw = t->frame_hw;
    size_t peak = FAI_MAX(FAI_LOAD(t->pub.frame_peak), hw);
    FAI_STORE(t->pub.frame_hw_last, hw);
    FAI_STORE(t->pub.frame_peak, peak);
    FAI_BUMP(t->pub.frames_completed, 1);
    fai_tag_frame_end(t);
    fai_pool_frame_end(t);

    /* The settle size follows recent frames, not the thread's all-time peak. */
    t->hw_decay = FAI_MAX(hw, t->hw_decay - t->hw_decay / 32);
    size_t target = FAI_MAX(fa->cfg.frame_block_size, t->hw_decay + t->hw_decay / 4);
    target = fai_align_up(target, (size_t)64 << 10);
    fai_block *first = t->blocks;
    bool rotate = (flags & FAI_END_GUARD) != 0;
    bool oversized = first != NULL && block_size(first) / 2 > target;
    if (t->spilled || rotate || oversized) {
        bool reuse_first = !rotate && !oversized && first != NULL && block_size(first) >= target;
        size_t touched = 0;
        if (!reuse_first && !fa->cfg.no_prefault) touched = chain_resident(first);
        fai_block *b = reuse_first ? first->next : first;
        if (reuse_first) first->next = NULL;
        while (b != NULL) {
            fai_block *next = b->next;
            b->next = NULL;
            if (fai_debug_block_retire(t, b))
                t->reserved -= block_size(b); /* now owned by the guard quarantine */
            else
                block_free(t, b);
            b = next;
        }
        if (!reuse_first) t->blocks = fai_block_new(t, target, 0, touched);
    }
    t->cur_block = t->blocks;
    cursor()->cur = 0;
    fai_debug_frame_end(t);
    fai_obs_frame_end(t);
}

void fa_end_frame(fa_alloc *fa) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_end_frame: NULL allocator");
        return;
    }
    fai_tstate *t = fai_bind(fa);
    if (t == NULL) return;
    if (t->overflow_depth > 0) {
        t->overflow_depth--;
        return;
    }
    if (t->depth == 0) {
        fai_error(fa, FA_ERR_END_WITHOUT_BEGIN, NULL, 0, NULL,
                  "fa_end_frame with no open frame on this thread");
        return;
    }
    fai_cursor_t *c = cursor();
    fai_scope *s = &t->scopes[t->depth - 1];
    t->frame_hw = FAI_MAX(t->frame_hw, used_now(t));
    if (t->retain_count > s->retain_count) fai_retain_run(t, s->retain_count);
    fai_tag_charge_frame(t);
    fai_intent_scope_end(t, s);
    if (FAI_HOOKS && t->depth == 1) {
        /* Only under the flag frame_finish tests (it is never cleared): both agree. */
        bool on = atomic_load_explicit(&fa->end_flags, memory_order_relaxed) & FAI_END_INFLIGHT;
        t->end_k = on ? atomic_load_explicit(&fa->frames_in_flight, memory_order_relaxed) : 0;
        t->end_bytes = used_now(t);
    }
    fai_debug_scope_end(t, s, c->cur, t->cur_block);

    if (t->depth == 1) {
        frame_finish(t, s);
    } else {
        scope_rewind(t, s);
        t->depth--;
    }
    cursor_update_end(t);
    /* Expired kept copies go once the thread's state is consistent again: their frees may
     * report (a copy the program freed itself), and a handler may call back in. */
    if (t->depth == 0) fai_kept_frame_end(t);
    fai_frame_publish(t);
}

unsigned fa_frame_depth(fa_alloc *fa) {
    fai_tstate *t = fai_find_tstate(fa);
    return t != NULL ? t->depth : 0;
}

uint64_t fa_frame_number(fa_alloc *fa) {
    fai_tstate *t = fai_find_tstate(fa);
    return t != NULL ? t->frame_number : 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Allocation slow path                                                                       */
/* ---------------------------------------------------------------------------------------- */

static bool block_fits(const fai_block *b, size_t size, size_t align) {
    uintptr_t p = fai_align_up(b->start, align);
    return p <= b->end && take_of(size) <= b->end - p;
}

/* Moves the frame to a block that fits the request. */
static FAI_NOINLINE void *frame_refill(fai_tstate *t, size_t size, size_t align,
                                       const char *site) {
    fa_alloc *fa = t->fa;
    fai_cursor_t *c = cursor();
    size_t in_block = t->cur_block != NULL ? (size_t)(c->cur - t->cur_block->start) : 0;
    size_t now = FAI_FRAME_REDZONE != 0 ? used_now(t) : t->used_prev + in_block;
    size_t take = take_of(size), counted = granule(size); /* the limit ignores redzones */
    if (fa->cfg.frame_limit != 0 &&
        (counted > fa->cfg.frame_limit || now > fa->cfg.frame_limit - counted)) {
        fai_report r = {.status = FA_ERR_FRAME_LIMIT, .fa = fa, .size = size, .align = align,
                        .site = site, .current_frame = t->frame_number};
        fai_report_error(&r,
                         "frame allocation of %zu bytes would bring this thread's frame to more "
                         "than frame_limit (%zu bytes; %zu in use)",
                         size, fa->cfg.frame_limit, now);
        return NULL;
    }
    /* Budgets see frame bytes here, at block granularity: the fast path stays one branch. */
    if (!fai_budget_frame_check(t, counted, site)) return NULL;
    fai_block *next = t->cur_block != NULL ? t->cur_block->next : t->blocks;
    fai_block *nb = next;
    if (nb == NULL || !block_fits(nb, size, align)) {
        /* New blocks are mapped on the request's alignment: no padding to pay for. */
        size_t want = FAI_MAX(fa->cfg.frame_block_size, take);
        if (t->cur_block != NULL) {
            size_t grown = block_size(t->cur_block) * 2;
            want = FAI_MAX(want, FAI_MIN(grown, (size_t)64 << 20));
        }
        nb = fai_block_new(t, want, align, 0);
        if (nb == NULL) {
            fai_report r = {.status = FA_ERR_OUT_OF_MEMORY, .fa = fa, .size = size,
                            .align = align, .site = site, .current_frame = t->frame_number};
            fai_report_error(&r, "out of memory for a frame block of %zu bytes", want);
            return NULL;
        }
        if (t->cur_block != NULL) {
            nb->next = t->cur_block->next;
            t->cur_block->next = nb;
        } else {
            nb->next = t->blocks;
            t->blocks = nb;
        }
    }
    uintptr_t p = fai_align_up(nb->start, align);
    /* The limit counts the padding in front of the request too: the frame's bytes are
     * measured from each block's start. (A spare block may not be aligned.) */
    size_t pad = (size_t)(p - nb->start);
    if (fa->cfg.frame_limit != 0 && pad > fa->cfg.frame_limit - counted - now) {
        fai_report r = {.status = FA_ERR_FRAME_LIMIT, .fa = fa, .size = size, .align = align,
                        .site = site, .current_frame = t->frame_number};
        fai_report_error(&r,
                         "frame allocation of %zu bytes aligned to %zu would bring this thread's "
                         "frame to more than frame_limit (%zu bytes; %zu in use, %zu of "
                         "alignment padding)",
                         size, align, fa->cfg.frame_limit, now, pad);
        return NULL;
    }
    if (t->cur_block != NULL) {
        t->cur_block->used_end = c->cur;
        t->used_prev += in_block;
        t->spilled = true;
    }
    t->frame_hw = FAI_MAX(t->frame_hw, now);
    t->counted_prev = now;
    t->counted_cur = p + counted;
    t->cur_block = nb;
    c->cur = p + take;
    cursor_update_end(t);
    fai_frame_publish(t);
    return (void *)p;
}

/* Debug builds: the request fits frame_limit counted the release way (its padding and
 * granule from the counted position, no redzones). Release builds cap the cursor instead. */
static bool counted_fits(const fai_tstate *t, size_t size, size_t align) {
    size_t limit = t->fa->cfg.frame_limit;
    if (FAI_FRAME_REDZONE == 0 || limit == 0) return true;
    size_t after = t->counted_prev + (size_t)(fai_align_up(t->counted_cur, align) -
                                              t->cur_block->start) + granule(size);
    return after <= limit;
}

static void *frame_bump(fai_tstate *t, size_t size, size_t align, const char *site) {
    fai_cursor_t *c = cursor();
    if (t->cur_block == NULL && t->blocks != NULL) {
        t->cur_block = t->blocks;
        c->cur = t->counted_cur = t->blocks->start;
    }
    if (t->cur_block != NULL) {
        uintptr_t p = fai_align_up(c->cur, align);
        uintptr_t end = usable_end(t);
        if (p >= c->cur && p <= end && take_of(size) <= end - p && counted_fits(t, size, align)) {
            c->cur = p + take_of(size);
            if (FAI_FRAME_REDZONE != 0)
                t->counted_cur = fai_align_up(t->counted_cur, align) + granule(size);
            cursor_update_end(t);
            return (void *)p;
        }
    }
    return frame_refill(t, size, align, site);
}

static void *frame_alloc_once(fa_alloc *fa, size_t size, size_t align, const char *site) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, size, site,
                  "frame allocation with a NULL allocator");
        return NULL;
    }
    if (!fai_check_request(fa, size, align, FA_MAX_ALLOC_SIZE, "frame allocation", site))
        return NULL;
    fai_tstate *t = fai_bind(fa);
    if (t == NULL) return NULL;
    if (t->depth == 0) {
        fai_report r = {.status = FA_ERR_NO_FRAME, .fa = fa, .size = size, .align = align,
                        .site = site, .current_frame = t->frame_number};
        fai_report_error(&r, "frame allocation of %zu bytes outside any frame on this thread "
                             "(call fa_begin_frame first)",
                         size);
        return NULL;
    }
    void *p = frame_bump(t, size, align, site);
    if (p != NULL) fai_debug_frame_alloc(t, p, size, site);
    return p;
}

typedef struct frame_req {
    fa_alloc *fa;
    size_t size, align;
    const char *site;
} frame_req;

static void *frame_attempt(void *ctx) {
    const frame_req *q = ctx;
    return frame_alloc_once(q->fa, q->size, q->align, q->site);
}

void *fai_frame_alloc_slow(fa_alloc *fa, size_t size, size_t align, const char *site) {
    if (FA_LIKELY(fa == NULL || !fai_recovery_armed(fa)))
        return frame_alloc_once(fa, size, align, site);
    frame_req q = {fa, size, align, site};
    return fai_recovering(fa, FA_KIND_FRAME, size, align, frame_attempt, &q);
}

void *fai_frame_alloc_overflow(fa_alloc *fa, size_t n, size_t size, const char *site) {
    fai_error(fa, FA_ERR_OVERFLOW, NULL, size, site,
              "frame array of %zu elements of %zu bytes overflows size_t", n, size);
    return NULL;
}

/* n * size overflowed or is zero. Zero elements are not an error: one granule gives every
 * empty array its own address, in release and debug builds alike. */
void *fai_frame_alloc_array_cold(fa_alloc *fa, size_t n, size_t size, size_t align,
                                 const char *site) {
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) return fai_frame_alloc_overflow(fa, n, size, site);
    return fai_frame_alloc_slow(fa, total != 0 ? total : 1, align, site);
}

/* The exported entry points check the allocator before the inline path reads its serial, so
 * a NULL allocator is reported, not dereferenced (only the inline fast path trusts it). */
static void *frame_alloc_checked(fa_alloc *fa, size_t size, size_t align, const char *site) {
    if (FA_UNLIKELY(fa == NULL)) return fai_frame_alloc_slow(NULL, size, align, site);
    return fai_frame_alloc_inline(fa, size, align, site);
}

void *fa_frame_alloc_at(fa_alloc *fa, size_t size, size_t align, const char *site) {
    return frame_alloc_checked(fa, size, align, site);
}

void *fa_frame_alloc_array_at(fa_alloc *fa, size_t n, size_t size, size_t align,
                              const char *site) {
    size_t total;
    if (__builtin_mul_overflow(n, size, &total) || total == 0)
        return fai_frame_alloc_array_cold(fa, n, size, align, site);
    return frame_alloc_checked(fa, total, align, site);
}

void *fa_frame_alloc_zeroed(fa_alloc *fa, size_t size, size_t align) {
    void *p = frame_alloc_checked(fa, size, align, NULL);
    if (p != NULL) memset(p, 0, size);
    return p;
}

char *fa_frame_strdup(fa_alloc *fa, const char *s) {
    if (s == NULL) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_frame_strdup: NULL string");
        return NULL;
    }
    size_t n = strlen(s) + 1;
    char *p = frame_alloc_checked(fa, n, 1, NULL);
    if (p != NULL) memcpy(p, s, n);
    return p;
}

/* Bytes of live frame memory of t from p to the end of its block's live part; 0 when p is not
 * live frame memory of t. */
static size_t live_extent(const fai_tstate *t, const void *p) {
    uintptr_t a = (uintptr_t)p;
    if (t->depth == 0 || t->cur_block == NULL) return 0;
    for (const fai_block *b = t->blocks; b != NULL; b = b->next) {
        uintptr_t live_end = b == t->cur_block ? fai_cursor_cur(t) : b->used_end;
        if (a >= b->start && a < b->end) return a < live_end ? (size_t)(live_end - a) : 0;
        if (b == t->cur_block) break;
    }
    return 0;
}

void *fa_frame_realloc(fa_alloc *fa, void *p, size_t old_size, size_t new_size, size_t align) {
    if (p == NULL || fa == NULL) return frame_alloc_checked(fa, new_size, align, NULL);
    if (!fai_check_request(fa, new_size, align, FA_MAX_ALLOC_SIZE, "fa_frame_realloc", NULL))
        return NULL;
    fai_tstate *t = fai_bind(fa);
    if (t == NULL) return NULL;
    /* p must be live frame memory of this thread with old_size bytes behind it: the copy below
     * reads them, so a foreign pointer or a wrong size is reported, never read. */
    size_t extent = live_extent(t, p);
    bool kept_live = false;
    fai_block *kept_blk = NULL;
    if (extent == 0 && t->gen_count != 0 &&
        fai_inflight_owns(t, (uintptr_t)p, &kept_live, &kept_blk) && kept_live) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, p, new_size, NULL,
                  "fa_frame_realloc(%p): memory of an ended frame kept for frames in flight is "
                  "read-only; nothing was copied",
                  p);
        return NULL;
    }
    if (extent == 0) {
        if (fai_debug_check_ptr(fa, p, NULL, "fa_frame_realloc", false) == FA_OK)
            fai_error(fa, FA_ERR_FOREIGN_POINTER, p, new_size, NULL,
                      "fa_frame_realloc(%p): not frame memory (use fa_heap_realloc for heap "
                      "blocks); nothing was copied",
                      p);
        return NULL;
    }
    if (old_size > extent) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, p, old_size, NULL,
                  "fa_frame_realloc(%p): old_size %zu is more than the %zu bytes of live frame "
                  "memory from p on; nothing was copied",
                  p, old_size, extent);
        return NULL;
    }
    fai_cursor_t *c = cursor();
    uintptr_t up = (uintptr_t)p;
    /* The innermost scope's most recent allocation can grow or shrink where it is (not in
     * debug builds, whose records describe each allocation's original extent). An outer
     * scope's allocation must not: the inner scope's end would rewind the cursor into it. */
    const fai_scope *s = t->depth > 0 ? &t->scopes[t->depth - 1] : NULL;
    bool last = s != NULL && t->cur_block != NULL && up >= t->cur_block->start &&
                (s->block != t->cur_block || up >= s->cur) && old_size <= c->cur - up &&
                up + granule(old_size) == c->cur && (up & (align - 1)) == 0;
    if (last && !t->force_slow && up <= usable_end(t) && granule(new_size) <= usable_end(t) - up) {
        /* Shrinking moves the cursor back: keep the peak it reached first. */
        t->frame_hw = FAI_MAX(t->frame_hw, used_now(t));
        c->cur = up + granule(new_size);
        cursor_update_end(t);
        return p;
    }
    void *q = fai_frame_alloc_inline(fa, new_size, align, NULL);
    if (q != NULL) memcpy(q, p, FAI_MIN(old_size, new_size));
    return q;
}

/* ---------------------------------------------------------------------------------------- */
/* Teardown and queries                                                                       */
/* ---------------------------------------------------------------------------------------- */

static void free_chain(fai_tstate *t, fai_block *b) {
    while (b != NULL) {
        fai_block *next = b->next;
        block_free(t, b);
        b = next;
    }
}

void fa_frame_trim(fa_alloc *fa) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_frame_trim: NULL allocator");
        return;
    }
    fai_tstate *t = fai_find_tstate(fa);
    if (t == NULL) return;
    t->hw_decay = 0;
    if (t->depth > 0 && t->cur_block != NULL) {
        /* Blocks past the current one hold nothing live: only ended scopes used them. */
        free_chain(t, t->cur_block->next);
        t->cur_block->next = NULL;
    } else if (t->depth == 0 && t->blocks != NULL) {
        fai_block *first = t->blocks;
        bool keep = block_size(first) <= fai_align_up(fa->cfg.frame_block_size,
                                                      fai_prim_alloc_granularity());
        free_chain(t, keep ? first->next : first);
        if (keep)
            first->next = NULL;
        else
            t->blocks = NULL;
        t->cur_block = t->blocks;
    }
    fai_frame_publish(t);
}

void fai_frame_release_all(fai_tstate *t) {
    fai_inflight_thread_release(t);
    free_chain(t, t->blocks);
    t->blocks = t->cur_block = NULL;
    t->depth = 0;
    t->overflow_depth = 0;
    t->saved_cur = t->saved_end = 0;
    t->retain_count = 0;
}

bool fai_frame_owns_block(fai_tstate *t, const void *p, bool *live, fai_block **blk) {
    uintptr_t a = (uintptr_t)p;
    uintptr_t cur = fai_cursor_cur(t);
    bool before_cur = t->depth > 0 && t->cur_block != NULL;
    for (fai_block *b = t->blocks; b != NULL; b = b->next) {
        if (a >= b->start && a < b->end) {
            if (b == t->cur_block && t->depth > 0)
                *live = a < cur;
            else
                *live = before_cur && a < b->used_end;
            *blk = b;
            return true;
        }
        if (b == t->cur_block) before_cur = false;
    }
    *blk = NULL;
    return t->gen_count != 0 && fai_inflight_owns(t, a, live, blk);
}

bool fai_frame_owns(fai_tstate *t, const void *p, bool *live) {
    fai_block *blk;
    return fai_frame_owns_block(t, p, live, &blk);
}
