/* SPDX-License-Identifier: MIT */
/*
 * debug.c - frame records and generations, the frame block registry, pointer classification
 * and the reports built from them; fa_check_ptr and fa_validate.
 *
 * Release builds keep only what costs nothing on the hot paths: classifying a pointer that
 * already failed an ownership test (which kind of memory it is, for the report) and the
 * explicit fa_check_ptr, whose frame knowledge there is the calling thread's own blocks. Debug
 * builds (FA_DEBUG >= 1) record every frame allocation (see debug.h), poison ended scopes with
 * FAI_FILL_FRAME_FREED and check the fill when memory is handed out again, so a stale write is
 * reported at the next allocation even without guard mode or a sanitizer. ASan and valgrind
 * builds additionally mark ended scopes inaccessible (track.h), so the stale access itself is
 * reported by the checker.
 *
 * Threading: the frame hooks run on the thread that owns the tstate. Lookups of another
 * thread's blocks go through the registry (registry lock, then that thread's debug lock).
 */
#include "debug.h"

#include <stdio.h>
#include <stdlib.h>

/* Records of ended scopes kept per thread (48 bytes each), allocated on first use. */
#define HIST_CAP 8192

const char *fai_dbg_site(const char *site) { return site != NULL ? site : "(unknown site)"; }

size_t fai_dbg_mismatch(const void *p, size_t n, unsigned char byte) {
    const unsigned char *c = p;
    size_t i = 0;
    uint64_t word = 0x0101010101010101ull * byte;
    while (i < n && ((uintptr_t)(c + i) & 7) != 0) {
        if (c[i] != byte) return i;
        i++;
    }
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, c + i, 8);
        if (w != word) break;
    }
    for (; i < n; i++)
        if (c[i] != byte) return i;
    return n;
}

const fai_frec *fai_dbg_rec_find(const fai_frec *recs, size_t n, uintptr_t a) {
    size_t lo = 0, hi = n;
    while (lo < hi) { /* first record starting after a */
        size_t mid = lo + (hi - lo) / 2;
        if (recs[mid].addr <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) return NULL;
    const fai_frec *r = &recs[lo - 1];
    return a < r->addr + (r->size != 0 ? r->size : 1) ? r : NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Registry of frame blocks (debug builds): address range -> allocator, thread, block           */
/* ---------------------------------------------------------------------------------------- */

typedef struct reg_entry {
    uintptr_t start, end;
    fai_block *b;
    fai_tstate *t;
} reg_entry;

static fai_mutex reg_lock = FAI_MUTEX_INIT;
static reg_entry *reg;
static size_t reg_n, reg_cap;

/* Index of the first entry starting after a. Caller holds reg_lock. */
static size_t reg_upper(uintptr_t a) {
    size_t lo = 0, hi = reg_n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (reg[mid].start <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void fai_dbg_registry_set(fai_block *b, fai_tstate *t, bool add) {
    fai_mutex_lock(&reg_lock);
    size_t i = reg_upper(b->start);
    if (add) {
        if (reg_n == reg_cap) {
            size_t cap = reg_cap ? reg_cap * 2 : 64;
            reg_entry *r = realloc(reg, cap * sizeof *r);
            if (r != NULL) {
                reg = r;
                reg_cap = cap;
            }
        }
        if (reg_n < reg_cap) { /* otherwise the block is simply not named in reports */
            memmove(&reg[i + 1], &reg[i], (reg_n - i) * sizeof *reg);
            reg[i] = (reg_entry){b->start, b->end, b, t};
            reg_n++;
        }
    } else if (i > 0 && reg[i - 1].b == b) {
        memmove(&reg[i - 1], &reg[i], (reg_n - i) * sizeof *reg);
        reg_n--;
    }
    fai_mutex_unlock(&reg_lock);
}

/* Forgets every block of t (its thread is going away). */
static void registry_drop_thread(fai_tstate *t) {
    fai_mutex_lock(&reg_lock);
    size_t j = 0;
    for (size_t i = 0; i < reg_n; i++)
        if (reg[i].t != t) reg[j++] = reg[i];
    reg_n = j;
    fai_mutex_unlock(&reg_lock);
}

/* ---------------------------------------------------------------------------------------- */
/* Records                                                                                    */
/* ---------------------------------------------------------------------------------------- */

static void rec_push(fai_tstate *t, fai_dblock *d, const fai_frec *r) {
    size_t n = atomic_load_explicit(&d->n, memory_order_relaxed);
    if (n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        fai_dthread *dt = t->debug;
        if (dt != NULL) fai_mutex_lock(&dt->lock); /* readers of other threads hold it */
        fai_frec *nr = realloc(d->recs, cap * sizeof *nr);
        if (nr != NULL) {
            d->recs = nr;
            d->cap = cap;
        }
        if (dt != NULL) fai_mutex_unlock(&dt->lock);
        if (nr == NULL) return; /* out of memory: this allocation goes unrecorded */
    }
    d->recs[n] = *r;
    atomic_store_explicit(&d->n, n + 1, memory_order_release);
}

/* Caller holds dt->lock. */
void fai_dbg_hist_push(fai_tstate *t, const fai_frec *recs, size_t n) {
    fai_dthread *dt = t->debug;
    if (dt == NULL || n == 0) return;
    if (dt->hist == NULL) {
        dt->hist = malloc(HIST_CAP * sizeof *dt->hist);
        if (dt->hist == NULL) return;
        dt->hist_cap = HIST_CAP;
    }
    if (n > dt->hist_cap) { /* only the newest fit */
        recs += n - dt->hist_cap;
        n = dt->hist_cap;
    }
    for (size_t i = 0; i < n; i++) {
        dt->hist[dt->hist_next] = recs[i];
        dt->hist_next = (dt->hist_next + 1) % dt->hist_cap;
    }
    dt->hist_n = FAI_MIN(dt->hist_n + n, dt->hist_cap);
}

/* Newest ended record containing a. Owner thread, or any thread holding dt->lock. */
static const fai_frec *hist_find(const fai_dthread *dt, uintptr_t a) {
    if (dt == NULL) return NULL;
    for (size_t k = 0; k < dt->hist_n; k++) {
        const fai_frec *r = &dt->hist[(dt->hist_next + dt->hist_cap - 1 - k) % dt->hist_cap];
        if (a >= r->addr && a < r->addr + (r->size != 0 ? r->size : 1)) return r;
    }
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Lifetime hooks                                                                             */
/* ---------------------------------------------------------------------------------------- */

void fai_dbg_alloc_init(fa_alloc *fa) {
    if (FAI_DEBUG) fai_dbg_allocs_add(fa, true);
    if ((FAI_DEBUG && fa->guard_frames > 0) || FAI_ASAN) fai_guard_install();
}

void fai_dbg_alloc_destroy(fa_alloc *fa) {
    fai_dbg_mem_destroy(fa);
    if (FAI_DEBUG) fai_dbg_allocs_add(fa, false);
}

void fai_dbg_thread_init(fai_tstate *t) {
    if (!FAI_DEBUG) return;
    fai_dthread *dt = calloc(1, sizeof *dt);
    if (dt == NULL) return; /* checks degrade to what needs no records */
    fai_mutex_init(&dt->lock);
    t->debug = dt;
}

void fai_dbg_thread_release(fai_tstate *t) {
    if (!FAI_DEBUG) return;
    /* First make the thread's records unreachable for other threads, then free them. */
    registry_drop_thread(t);
    fai_guard_release(t);
    fai_dthread *dt = t->debug;
    if (dt != NULL) {
        free(dt->hist);
        fai_mutex_destroy(&dt->lock);
        free(dt);
        t->debug = NULL;
    }
}

bool fai_dbg_force_slow(void) { return FAI_DEBUG || FAI_ASAN || fai_track_on_valgrind(); }

/* ---------------------------------------------------------------------------------------- */
/* Frame hooks                                                                                */
/* ---------------------------------------------------------------------------------------- */

void fai_dbg_block_new(fai_tstate *t, fai_block *b) {
    if (FAI_DEBUG) {
        fai_dblock *d = calloc(1, sizeof *d);
        if (d != NULL) {
            d->hw = b->start;
            d->thread = t->thread_id;
            d->fa_name = t->fa->cfg.name;
            d->slot = -1;
        }
        b->debug = d;
        fai_dbg_registry_set(b, t, true);
    }
    fai_track_close((void *)b->start, b->end - b->start);
    fai_track_pool_create(b);
}

void fai_dbg_block_free(fai_tstate *t, fai_block *b) {
    if (FAI_DEBUG) fai_dbg_registry_set(b, t, false);
    fai_track_pool_destroy(b);
    /* A later mapping at this address must not inherit the poison. */
    fai_track_open((void *)b->start, b->end - b->start);
    fai_dblock *d = b->debug;
    if (d != NULL) {
        free(d->recs);
        free(d);
        b->debug = NULL;
    }
}

bool fai_dbg_block_retire(fai_tstate *t, fai_block *b) {
    return t->fa->guard_frames > 0 && fai_guard_retire(t, b);
}

fai_block *fai_dbg_block_recycle(fai_tstate *t, size_t size) { return fai_guard_recycle(t, size); }

void fai_dbg_frame_begin(fai_tstate *t) { (void)t; }

void fai_dbg_frame_end(fai_tstate *t) {
    if (!FAI_DEBUG) return;
    if (t->quarantine != NULL) fai_guard_frame_end(t);
    if (fai_debug_level >= 3) fai_debug_validate(t->fa, t);
}

/* Names what last lived at a corrupted address (for "written after its scope ended"). */
static void report_frame_corruption(fai_tstate *t, fai_block *b, uintptr_t bad, const void *p,
                                    size_t size, const char *site, unsigned char found) {
    fai_dblock *d = b->debug;
    const fai_frec *ended = hist_find(t->debug, bad);
    size_t n = atomic_load_explicit(&d->n, memory_order_relaxed);
    const fai_frec *prev = n > 0 ? &d->recs[n - 1] : NULL; /* live allocation before p */
    char detail[512];
    int w = 0;
    if (ended != NULL)
        w = snprintf(detail, sizeof detail,
                     "  that byte last belonged to %zu bytes allocated at %s in frame %llu "
                     "(scope depth %u), whose scope has ended: a write through a stale pointer",
                     ended->size, fai_dbg_site(ended->site), (unsigned long long)ended->frame,
                     ended->depth);
    if (prev != NULL && w >= 0 && (size_t)w < sizeof detail)
        snprintf(detail + w, sizeof detail - (size_t)w,
                 "%s  the live allocation before it is %zu bytes at %p, allocated at %s: a "
                 "write past its end would land here",
                 w > 0 ? "\n" : "", prev->size, (void *)prev->addr, fai_dbg_site(prev->site));
    fai_report r = {.status = FA_ERR_CORRUPTION, .fa = t->fa, .ptr = (void *)bad, .size = size,
                    .site = site, .current_frame = t->frame_number,
                    .alloc_site = ended != NULL ? ended->site : NULL,
                    .alloc_frame = ended != NULL ? ended->frame : 0,
                    .alloc_thread = ended != NULL ? t->thread_id : 0,
                    .detail = (ended != NULL || prev != NULL) ? detail : NULL};
    fai_report_error(&r,
                     "frame memory at %p was written after its scope ended (byte 0x%02x where the "
                     "freed fill 0x%02x was); found when %p (%zu bytes) was handed out again",
                     (void *)bad, found, FAI_FILL_FRAME_FREED, p, size);
}

void fai_dbg_frame_alloc(fai_tstate *t, void *p, size_t size, const char *site) {
    fai_block *b = t->cur_block;
    if (b == NULL) return;
    fai_dblock *d = b->debug;
    if (FAI_DEBUG && d != NULL) {
        uintptr_t a = (uintptr_t)p, e = a + size;
        /* The granule slack and the redzone after the allocation (frame.c took them). */
        uintptr_t rz = fai_align_up(e, FA_FRAME_GRANULE) + FAI_FRAME_REDZONE;
        /* Below hw the block was handed out before, so it must still hold the freed fill. */
        uintptr_t old = FAI_MIN(d->hw, rz);
        if (old > a) {
            fai_track_open(p, old - a);
            size_t bad = fai_dbg_mismatch(p, old - a, FAI_FILL_FRAME_FREED);
            if (bad < old - a)
                report_frame_corruption(t, b, a + bad, p, size, site, ((unsigned char *)p)[bad]);
        }
        /* A fresh alignment gap and the redzone get the freed fill: they act as canaries,
         * checked at the end of the scope (and poisoned for the checkers). */
        if (d->hw < a) {
            fai_track_open((void *)d->hw, a - d->hw);
            memset((void *)d->hw, FAI_FILL_FRAME_FREED, a - d->hw);
            fai_track_close((void *)d->hw, a - d->hw);
        }
        if (rz > e) {
            fai_track_open((void *)e, rz - e);
            memset((void *)e, FAI_FILL_FRAME_FREED, rz - e);
            fai_track_close((void *)e, rz - e);
        }
        fai_track_open(p, size);
        memset(p, FAI_FILL_FRAME_ALLOC, size);
        if (rz > d->hw) d->hw = rz;
        const fai_scope *s = &t->scopes[t->depth - 1];
        fai_frec r = {a, size, site, t->frame_number, s->id, t->depth};
        rec_push(t, d, &r);
    }
    fai_track_handout(b, p, size);
}

/* Checks that the bytes of [lo, hi) outside the records still hold the freed fill (alignment
 * gaps between allocations). Returns the first damaged address, or 0. */
static uintptr_t check_gaps(const fai_frec *recs, size_t n, uintptr_t lo, uintptr_t hi,
                            const fai_frec **before) {
    uintptr_t pos = lo;
    *before = NULL;
    for (size_t i = 0; i <= n; i++) {
        uintptr_t stop = i < n ? FAI_MIN(recs[i].addr, hi) : hi;
        if (stop > pos) {
            fai_track_open((void *)pos, stop - pos);
            size_t bad = fai_dbg_mismatch((void *)pos, stop - pos, FAI_FILL_FRAME_FREED);
            fai_track_close((void *)pos, stop - pos);
            if (bad < stop - pos) return pos + bad;
        }
        if (i == n) break;
        *before = &recs[i];
        pos = FAI_MAX(pos, recs[i].addr + recs[i].size);
    }
    return 0;
}

/* One block's part of an ended scope: [lo, hi) dies. */
static void release_range(fai_tstate *t, fai_block *b, uintptr_t lo, uintptr_t hi, bool keep) {
    fai_dblock *d = b->debug;
    if (FAI_DEBUG && d != NULL) {
        size_t n = atomic_load_explicit(&d->n, memory_order_relaxed);
        size_t i = n;
        while (i > 0 && d->recs[i - 1].addr >= lo) i--;
        uintptr_t fill_end = FAI_MIN(hi, d->hw);
        const fai_frec *before = NULL;
        uintptr_t bad = check_gaps(d->recs + i, n - i, lo, fill_end, &before);
        if (bad != 0) {
            fai_report r = {.status = FA_ERR_CORRUPTION, .fa = t->fa, .ptr = (void *)bad,
                            .current_frame = t->frame_number,
                            .alloc_site = before != NULL ? before->site : NULL,
                            .alloc_frame = before != NULL ? before->frame : 0,
                            .alloc_thread = before != NULL ? t->thread_id : 0};
            if (before != NULL)
                fai_report_error(&r,
                                 "frame memory overflow: %zu bytes at %p (allocated at %s) were "
                                 "written past their end, up to at least %p; found at fa_end_frame",
                                 before->size, (void *)before->addr, fai_dbg_site(before->site),
                                 (void *)bad);
            else
                fai_report_error(&r, "frame memory at %p, between allocations, was overwritten; "
                                     "found at fa_end_frame",
                                 (void *)bad);
        }
        fai_dthread *dt = t->debug;
        if (dt != NULL) fai_mutex_lock(&dt->lock);
        if (keep)
            atomic_store(&d->ended, 1); /* the records go into quarantine with the block */
        else {
            fai_dbg_hist_push(t, d->recs + i, n - i);
            atomic_store_explicit(&d->n, i, memory_order_relaxed);
        }
        if (dt != NULL) fai_mutex_unlock(&dt->lock);
        if (fill_end > lo) {
            fai_track_open((void *)lo, fill_end - lo);
            memset((void *)lo, FAI_FILL_FRAME_FREED, fill_end - lo);
        }
    }
    fai_track_close((void *)lo, hi - lo);
    fai_track_trim(b, (void *)b->start, lo - b->start);
}

void fai_dbg_scope_end(fai_tstate *t, const fai_scope *s, uintptr_t from_cur,
                       fai_block *from_block) {
    if (from_block == NULL) return; /* nothing was ever allocated */
    /* An outermost frame kept for frames in flight dies later (fai_dbg_gen_expire). */
    if (t->depth == 1 && t->end_k > 0) return;
    /* The outermost end of a guard-mode frame keeps its records with the blocks, which go
     * into quarantine right after (frame_finish rotates every block then). */
    bool keep = FAI_DEBUG && t->depth == 1 && t->fa->guard_frames > 0;
    for (fai_block *b = s->block != NULL ? s->block : t->blocks; b != NULL; b = b->next) {
        uintptr_t lo = b == s->block ? s->cur : b->start;
        uintptr_t hi = b == from_block ? from_cur : b->used_end;
        if (hi > lo) release_range(t, b, lo, hi, keep);
        else if (keep && b->debug != NULL) atomic_store(&((fai_dblock *)b->debug)->ended, 1);
        if (b == from_block) break;
    }
}

void fai_dbg_gen_keep(fai_tstate *t, const fai_gen *g) {
    (void)t;
    for (fai_block *b = g->chain; b != NULL; b = b->next) {
        fai_dblock *d = b->debug;
        if (d != NULL) atomic_store(&d->kept, 1);
        if (b == g->last) break;
    }
}

void fai_dbg_gen_expire(fai_tstate *t, const fai_gen *g) {
    /* As an outermost scope end, late: guard mode quarantines the blocks right after
     * (frame_finish rotates the chain they are put back into). */
    bool keep = FAI_DEBUG && t->fa->guard_frames > 0;
    for (fai_block *b = g->chain; b != NULL; b = b->next) {
        fai_dblock *d = b->debug;
        if (d != NULL) atomic_store(&d->kept, 0);
        uintptr_t hi = b == g->last ? g->last_cur : b->used_end;
        if (hi > b->start) release_range(t, b, b->start, hi, keep);
        else if (keep && d != NULL) atomic_store(&d->ended, 1);
        if (b == g->last) break;
    }
}

void fai_dbg_rollback(fai_tstate *t, fai_block *block, uintptr_t cur, uintptr_t from_cur,
                      fai_block *from_block) {
    if (from_block == NULL) return;
    for (fai_block *b = block != NULL ? block : t->blocks; b != NULL; b = b->next) {
        uintptr_t lo = b == block ? cur : b->start;
        uintptr_t hi = b == from_block ? from_cur : b->used_end;
        if (hi > lo) release_range(t, b, lo, hi, false);
        if (b == from_block) break;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Lookup                                                                                     */
/* ---------------------------------------------------------------------------------------- */

static bool lookup_own(fai_tstate *t, uintptr_t a, fai_finfo *out) {
    bool live = false, quarantined = false;
    fai_block *blk = NULL;
    if (fai_frame_owns_block(t, (const void *)a, &live, &blk)) {
    } else if (FAI_DEBUG && fai_guard_owns(t, a, &blk)) {
        quarantined = true;
    } else {
        return false;
    }
    out->kind = live ? FAI_FK_LIVE : FAI_FK_STALE;
    out->quarantined = quarantined;
    out->fa = t->fa;
    out->thread = t->thread_id;
    if (!FAI_DEBUG || blk == NULL || blk->debug == NULL) return true;
    fai_dblock *d = blk->debug;
    out->kept = live && atomic_load(&d->kept);
    const fai_frec *r = NULL;
    if (live || atomic_load(&d->ended))
        r = fai_dbg_rec_find(d->recs, atomic_load_explicit(&d->n, memory_order_acquire), a);
    if (r == NULL && !live) r = hist_find(t->debug, a);
    if (r != NULL) {
        out->have_rec = true;
        out->rec = *r;
    }
    return true;
}

static bool lookup_registry(uintptr_t a, fai_finfo *out) {
    bool found = false;
    fai_mutex_lock(&reg_lock);
    size_t i = reg_upper(a);
    if (i > 0 && a < reg[i - 1].end) {
        reg_entry *e = &reg[i - 1];
        fai_dthread *dt = e->t->debug;
        fai_dblock *d = e->b->debug;
        found = true;
        out->fa = e->t->fa;
        out->thread = e->t->thread_id;
        if (dt != NULL) fai_mutex_lock(&dt->lock);
        const fai_frec *r = NULL;
        bool ended = d != NULL && atomic_load(&d->ended);
        if (d != NULL)
            r = fai_dbg_rec_find(d->recs, atomic_load_explicit(&d->n, memory_order_acquire), a);
        out->kind = r != NULL && !ended ? FAI_FK_LIVE : FAI_FK_STALE;
        out->quarantined = ended;
        out->kept = d != NULL && r != NULL && !ended && atomic_load(&d->kept);
        if (r == NULL) r = hist_find(dt, a);
        if (r != NULL) {
            out->have_rec = true;
            out->rec = *r;
        }
        if (dt != NULL) fai_mutex_unlock(&dt->lock);
    }
    fai_mutex_unlock(&reg_lock);
    return found;
}

bool fai_dbg_frame_lookup(fa_alloc *fa, const void *p, fai_finfo *out) {
    memset(out, 0, sizeof *out);
    fai_tstate *t = fai_find_tstate(fa);
    if (t != NULL && lookup_own(t, (uintptr_t)p, out)) return true;
    return FAI_DEBUG && lookup_registry((uintptr_t)p, out);
}

/* ---------------------------------------------------------------------------------------- */
/* Classification and reports                                                                 */
/* ---------------------------------------------------------------------------------------- */

typedef enum ptr_kind {
    PTR_UNKNOWN,
    PTR_FRAME,
    PTR_POOL,
    PTR_POOL_INTERIOR,
    PTR_POOL_FREED,
    PTR_POOL_OTHER_ALLOC,
    PTR_POOL_NOT_OBJECT,
    PTR_HEAP,
    PTR_HEAP_FREED,
    PTR_HEAP_OTHER_ALLOC,
} ptr_kind;

typedef struct ptr_facts {
    ptr_kind kind;
    fai_finfo f;      /* PTR_FRAME */
    fai_pinfo pi;     /* pool/heap facts (debug builds) */
    fa_alloc *other;  /* *_OTHER_ALLOC */
} ptr_facts;

static void classify(fa_alloc *fa, const void *p, ptr_facts *out) {
    memset(out, 0, sizeof *out);
    if (fai_dbg_frame_lookup(fa, p, &out->f)) {
        out->kind = PTR_FRAME;
        return;
    }
    fa_alloc *owner = NULL;
    if (fai_pool_in_any_segment(p, &owner)) {
        out->other = owner;
        if (owner != fa)
            out->kind = PTR_POOL_OTHER_ALLOC;
        else if (FAI_DEBUG && fai_dbg_pool_lookup(fa, p, &out->pi))
            out->kind = out->pi.state == 2   ? PTR_POOL_FREED
                        : out->pi.state != 1 ? PTR_POOL_NOT_OBJECT
                        : out->pi.obj == (uintptr_t)p ? PTR_POOL
                                                      : PTR_POOL_INTERIOR;
        else
            switch (fai_pool_object_state(fa, p)) {
            case FAI_POBJ_START: out->kind = PTR_POOL; break;
            case FAI_POBJ_INTERIOR: out->kind = PTR_POOL_INTERIOR; break;
            case FAI_POBJ_FREED: out->kind = PTR_POOL_FREED; break;
            default: out->kind = PTR_POOL_NOT_OBJECT; break;
            }
        return;
    }
    if (fai_heap_owns(fa, p)) {
        out->kind = PTR_HEAP;
    } else if (FAI_DEBUG && fai_dbg_heap_recent(fa, p, &out->pi)) {
        out->kind = PTR_HEAP_FREED;
    } else if (FAI_DEBUG && (out->other = fai_dbg_heap_owner(fa, p)) != NULL) {
        out->kind = PTR_HEAP_OTHER_ALLOC;
    }
}

static const char *alloc_name(const fa_alloc *fa) {
    return fa != NULL && fa->cfg.name != NULL ? fa->cfg.name : "(unnamed)";
}

/* Fills the allocation facts of a frame pointer into a report. */
static void frame_facts(const fai_finfo *f, fai_report *r) {
    if (f->have_rec) {
        r->alloc_site = fai_dbg_site(f->rec.site);
        r->alloc_frame = f->rec.frame;
    }
    r->alloc_thread = f->thread;
}

static const char *frame_state(const fai_finfo *f, bool mine) {
    if (f->quarantined) return "frame memory of a finished frame (held in guard quarantine)";
    if (f->kept && f->kind == FAI_FK_LIVE)
        return "frame memory of an ended frame kept for frames in flight";
    if (f->kind == FAI_FK_STALE) return "frame memory of a frame scope that has ended";
    return mine ? "live frame memory" : "frame memory that is live on its own thread";
}

void fai_debug_report_bad_free(fa_alloc *fa, const void *p, const char *what, const char *site) {
    bool heap_call = what[3] == 'h'; /* "fa_heap_..." */
    ptr_facts c;
    classify(fa, p, &c);
    fai_report r = {.status = FA_ERR_FOREIGN_POINTER, .fa = fa, .ptr = p, .site = site};
    char detail[256];
    detail[0] = '\0';
    switch (c.kind) {
    case PTR_FRAME:
        r.status = FA_ERR_FRAME_POINTER;
        frame_facts(&c.f, &r);
        if (c.f.have_rec)
            snprintf(detail, sizeof detail, "  the frame allocation: %zu bytes, scope depth %u",
                     c.f.rec.size, c.f.rec.depth);
        r.detail = detail[0] != '\0' ? detail : NULL;
        fai_report_error(&r, "%s(%p): the pointer is %s%s (frame memory is released by "
                             "fa_end_frame, never freed); nothing was freed",
                         what, p, frame_state(&c.f, c.f.thread == fai_thread_id()),
                         c.f.fa != fa ? " of another allocator" : "");
        return;
    case PTR_POOL_OTHER_ALLOC:
    case PTR_HEAP_OTHER_ALLOC:
        fai_report_error(&r, "%s(%p): the pointer is a %s of another allocator, \"%s\" (%p): "
                             "free it there; nothing was freed",
                         what, p, c.kind == PTR_POOL_OTHER_ALLOC ? "pool object" : "heap block",
                         alloc_name(c.other), (void *)c.other);
        return;
    case PTR_POOL_FREED:
    case PTR_HEAP_FREED:
        r.status = FA_ERR_DOUBLE_FREE;
        r.alloc_site = fai_dbg_site(c.pi.alloc_site);
        r.alloc_thread = c.pi.alloc_thread;
        r.alloc_frame = c.pi.alloc_frame;
        snprintf(detail, sizeof detail, "  first freed at: %s on thread %llu",
                 fai_dbg_site(c.pi.free_site), (unsigned long long)c.pi.free_thread);
        r.detail = detail;
        fai_report_error(&r, "%s(%p): %s of %u bytes freed twice; nothing was freed", what, p,
                         c.kind == PTR_POOL_FREED ? "pool object" : "heap block", c.pi.size);
        return;
    default: break;
    }
    const char *why;
    switch (c.kind) {
    case PTR_POOL_NOT_OBJECT:
        why = "is inside a pool page but not a live object's start (interior pointer or "
              "already freed)";
        break;
    case PTR_POOL_INTERIOR:
        why = "points inside a live pool object, not at its start";
        r.alloc_site = fai_dbg_site(c.pi.alloc_site);
        r.alloc_thread = c.pi.alloc_thread;
        break;
    case PTR_POOL: why = "is a pool object (free it with fa_pool_free)"; break;
    case PTR_HEAP: why = "is a heap block (free it with fa_heap_free)"; break;
    default:
        why = heap_call ? "is not a live heap block of this allocator (already freed, or never "
                          "allocated by it)"
                        : "was not allocated by this allocator's pools";
        break;
    }
    fai_report_error(&r, "%s(%p): the pointer %s; nothing was freed", what, p, why);
}

fa_status fai_debug_check_ptr(fa_alloc *fa, const void *p, const char *site, const char *purpose,
                              bool frame_only) {
    if (fa == NULL || p == NULL) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, p, 0, site, "%s: NULL %s", purpose,
                  fa == NULL ? "allocator" : "pointer");
        return FA_ERR_INVALID_ARGUMENT;
    }
    ptr_facts c;
    classify(fa, p, &c);
    fai_report r = {.fa = fa, .ptr = p, .site = site};
    if (c.kind == PTR_FRAME) {
        uint64_t me = fai_thread_id();
        frame_facts(&c.f, &r);
        if (c.f.fa != fa) {
            r.status = FA_ERR_FOREIGN_POINTER;
            fai_report_error(&r, "%s: %p is %s of another allocator, \"%s\" (%p)", purpose, p,
                             frame_state(&c.f, c.f.thread == me), alloc_name(c.f.fa),
                             (void *)c.f.fa);
        } else if (c.f.thread != me && c.f.kept && c.f.kind == FAI_FK_LIVE) {
            return FA_OK; /* an ended frame inside its window: any thread may read it */
        } else if (c.f.thread != me) {
            r.status = FA_ERR_WRONG_THREAD;
            fai_report_error(&r, "%s: %p is %s of thread %llu; frame memory belongs to the thread "
                                 "that allocated it (use fa_transfer_create on that thread)",
                             purpose, p, frame_state(&c.f, false),
                             (unsigned long long)c.f.thread);
        } else if (c.f.kind == FAI_FK_STALE) {
            r.status = FA_ERR_USE_AFTER_FRAME;
            fai_report_error(&r, "%s: %p is %s", purpose, p, frame_state(&c.f, true));
        } else {
            return FA_OK;
        }
        return r.status;
    }
    if (frame_only || c.kind == PTR_POOL || c.kind == PTR_POOL_INTERIOR || c.kind == PTR_HEAP)
        return FA_OK;
    r.status = FA_ERR_FOREIGN_POINTER;
    if (c.kind == PTR_POOL_FREED || c.kind == PTR_HEAP_FREED) {
        r.alloc_site = fai_dbg_site(c.pi.alloc_site);
        r.alloc_thread = c.pi.alloc_thread;
        fai_report_error(&r, "%s: %p is a %s that was freed at %s", purpose, p,
                         c.kind == PTR_POOL_FREED ? "pool object" : "heap block",
                         fai_dbg_site(c.pi.free_site));
    } else if (c.kind == PTR_POOL_OTHER_ALLOC || c.kind == PTR_HEAP_OTHER_ALLOC) {
        fai_report_error(&r, "%s: %p belongs to another allocator, \"%s\" (%p)", purpose, p,
                         alloc_name(c.other), (void *)c.other);
    } else {
        fai_report_error(&r, "%s: %p is not live memory of this allocator on this thread",
                         purpose, p);
    }
    return FA_ERR_FOREIGN_POINTER;
}

fa_status fa_check_ptr_at(fa_alloc *fa, const void *p, const char *site) {
    return fai_debug_check_ptr(fa, p, site, "fa_check_ptr", false);
}

fa_status fa_check_ptr(fa_alloc *fa, const void *p) { return fa_check_ptr_at(fa, p, NULL); }

/* ---------------------------------------------------------------------------------------- */
/* Validation                                                                                 */
/* ---------------------------------------------------------------------------------------- */

/* The calling thread's frame blocks: structure always; in debug builds also the records, the
 * alignment gaps and the freed fill of everything past the cursor. */
fa_status fai_dbg_validate_frames(fa_alloc *fa, fai_tstate *t, char *why, size_t cap,
                                  const void **where) {
    (void)fa;
    uintptr_t cur = fai_cursor_cur(t);
    bool seen_cur = t->cur_block == NULL;
    size_t nblocks = 0;
    for (fai_block *b = t->blocks; b != NULL; b = b->next) {
        if (++nblocks > 1u << 20 || b->start >= b->end) {
            snprintf(why, cap, "frame block chain is damaged (block %p)", (void *)b);
            *where = b;
            return FA_ERR_CORRUPTION;
        }
        bool is_cur = b == t->cur_block && t->depth > 0;
        if (is_cur && (cur < b->start || cur > b->end)) {
            snprintf(why, cap, "frame cursor %p is outside its block [%p, %p)", (void *)cur,
                     (void *)b->start, (void *)b->end);
            *where = (void *)cur;
            return FA_ERR_CORRUPTION;
        }
        fai_dblock *d = b->debug;
        if (FAI_DEBUG && d != NULL) {
            /* live end of this block: the cursor, the moved-past mark, or nothing */
            uintptr_t live_end = is_cur ? cur : (!seen_cur && t->depth > 0 ? b->used_end : b->start);
            size_t n = atomic_load_explicit(&d->n, memory_order_relaxed);
            for (size_t i = 0; i < n; i++) {
                const fai_frec *r = &d->recs[i];
                if (r->addr < b->start || r->addr + r->size > live_end ||
                    (i > 0 && r->addr < d->recs[i - 1].addr + d->recs[i - 1].size)) {
                    snprintf(why, cap, "frame record %p (%zu bytes, %s) is outside the live part "
                                       "of its block or overlaps the previous one",
                             (void *)r->addr, r->size, fai_dbg_site(r->site));
                    *where = (void *)r->addr;
                    return FA_ERR_CORRUPTION;
                }
            }
            const fai_frec *before = NULL;
            uintptr_t bad = check_gaps(d->recs, n, b->start, FAI_MIN(live_end, d->hw), &before);
            if (bad == 0 && d->hw > live_end) {
                fai_track_open((void *)live_end, d->hw - live_end);
                size_t off = fai_dbg_mismatch((void *)live_end, d->hw - live_end,
                                              FAI_FILL_FRAME_FREED);
                fai_track_close((void *)live_end, d->hw - live_end);
                if (off < d->hw - live_end) bad = live_end + off;
            }
            if (bad != 0) {
                snprintf(why, cap, "released frame memory at %p was written (%s)", (void *)bad,
                         before != NULL ? "after an allocation from the same block"
                                        : "a stale pointer or an overflow");
                *where = (void *)bad;
                return FA_ERR_CORRUPTION;
            }
        }
        if (b == t->cur_block) seen_cur = true;
    }
    return FA_OK;
}

fa_status fai_debug_validate(fa_alloc *fa, fai_tstate *t) {
    char why[384];
    const void *where = NULL;
    why[0] = '\0';
    fa_status st = FA_OK;
    if (t != NULL) st = fai_dbg_validate_frames(fa, t, why, sizeof why, &where);
    if (st == FA_OK) st = fai_dbg_validate_pools(fa, t, why, sizeof why, &where);
    if (st == FA_OK && FAI_DEBUG) st = fai_dbg_validate_heap(fa, why, sizeof why, &where);
    if (st == FA_OK && FAI_DEBUG) st = fai_dbg_validate_transfers(fa, why, sizeof why, &where);
    if (st != FA_OK) {
        fai_report r = {.status = st, .fa = fa, .ptr = where};
        fai_report_error(&r, "fa_validate: %s", why);
    }
    return st;
}

fa_status fa_validate(fa_alloc *fa) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_validate: NULL allocator");
        return FA_ERR_INVALID_ARGUMENT;
    }
    return fai_debug_validate(fa, fai_find_tstate(fa));
}
