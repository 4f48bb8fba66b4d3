// SPDX-License-Identifier: MIT
/*
 * observe.c - per-thread frame history and profiler hooks.
 *
 * Owns: fa->obs (the list of history rings and the installed profiler hooks) and each thread's
 * ring (t->obs). A ring is made at the thread's first outermost fa_begin_frame while history or
 * hooks are on, filled at each outermost fa_end_frame (one record copied in under the ring's
 * lock) and outlives its thread: at thread exit it is retired (kept readable; the 64 newest
 * retired rings are kept) and fa_destroy frees them all.
 *
 * Cost: nothing on the frame or pool allocation paths. With history and hooks off, the outermost
 * begin/end, heap alloc/free and error reports pay one relaxed load and a not-taken branch.
 *
 * Threading: the ring's owner writes records and events under ring->lock; readers take
 * obs->lock (keeps rings alive) and then ring->lock, so a copy is always of whole records. The
 * owner-only fields (begin time, counters of the open frame) are touched by the owner alone.
 * Lock order: fai_global_lock -> fa->lock -> obs->lock -> ring->lock. Hooks run with no lock.
 */
#include "observe.h"

#include <stdio.h>
#include <stdlib.h>

#define EVENTS 64
#define RETIRED_KEPT 64
#define HISTORY_MAX 65536

typedef struct fai_obs_ring {
    fai_mutex lock;
    struct fai_obs_ring *next;   /* obs->rings, under obs->lock */
    uint64_t thread_id;
    bool live;                   /* under obs->lock */
    size_t head, count;          /* records: next slot, records kept */
    fa_frame_record *rec;        /* obs->cap slots, NULL when history is off */
    size_t ev_head, ev_count;
    fa_obs_event ev[EVENTS];
    /* owner only */
    uint64_t begin_ns, heap_allocs0, heap_frees0;
    uint32_t warn, err, errors;
    size_t last_pool, last_heap_bytes, last_heap_count;
    bool have_last;
} fai_obs_ring;

typedef struct hooks_node {
    fa_profiler_hooks hooks;
    struct hooks_node *older;
} hooks_node;

struct fai_obs {
    fai_mutex lock;
    fai_obs_ring *rings;         /* live and retired, newest first */
    size_t cap;                  /* records per ring (0 = history off) */
    _Atomic(hooks_node *) hooks; /* installed set; older sets kept until destroy */
    hooks_node *all_hooks;       /* every set ever installed (under lock) */
};

static size_t history_of(const fa_config *cfg) {
    /* Off unless asked for: a ring costs ~1.1 KiB per record per thread, and its pages are
     * first touched during the thread's first history_frames frames. */
    if (cfg->history_frames <= 0) return 0;
    return cfg->history_frames > HISTORY_MAX ? HISTORY_MAX : (size_t)cfg->history_frames;
}

void fai_obs_init(fa_alloc *fa) {
    fa->obs = calloc(1, sizeof *fa->obs);
    if (fa->obs == NULL) return; /* history stays off; fa_history_* report nothing kept */
    fai_mutex_init(&fa->obs->lock);
    fa->obs->cap = history_of(&fa->cfg);
    fa->cfg.history_frames = (int)fa->obs->cap; /* effective value for fa_get_config */
    if (fa->obs->cap == 0) fa->cfg.history_frames = -1;
    atomic_store(&fa->obs_flags, fa->obs->cap != 0 ? FAI_OBS_HISTORY : 0u);
}

static void ring_free(fai_obs_ring *r) {
    fai_mutex_destroy(&r->lock);
    free(r->rec);
    free(r);
}

void fai_obs_destroy(fa_alloc *fa) {
    struct fai_obs *o = fa->obs;
    if (o == NULL) return;
    atomic_store(&fa->obs_flags, 0u);
    for (fai_obs_ring *r = o->rings, *next; r != NULL; r = next) {
        next = r->next;
        ring_free(r);
    }
    for (hooks_node *h = o->all_hooks, *older; h != NULL; h = older) {
        older = h->older;
        free(h);
    }
    fai_mutex_destroy(&o->lock);
    free(o);
    fa->obs = NULL;
}

void fai_obs_thread_release(fai_tstate *t) {
    fai_obs_ring *r = t->obs;
    struct fai_obs *o = t->fa->obs;
    if (r == NULL || o == NULL) return;
    t->obs = NULL;
    fai_mutex_lock(&o->lock);
    r->live = false;
    /* Keep the newest RETIRED_KEPT retired rings; no reader holds a ring lock without
     * obs->lock, and a retired ring has no writer, so the oldest can go now. */
    size_t retired = 0;
    fai_obs_ring **link = &o->rings;
    while (*link != NULL) {
        fai_obs_ring *x = *link;
        if (!x->live && ++retired > RETIRED_KEPT) {
            *link = x->next;
            ring_free(x);
            continue;
        }
        link = &x->next;
    }
    fai_mutex_unlock(&o->lock);
}

static fai_obs_ring *ring_get(fai_tstate *t) {
    if (t->obs != NULL) return t->obs;
    struct fai_obs *o = t->fa->obs;
    if (o == NULL) return NULL;
    fai_obs_ring *r = calloc(1, sizeof *r);
    if (r == NULL) return NULL;
    if (o->cap != 0) {
        r->rec = malloc(o->cap * sizeof *r->rec);
        if (r->rec == NULL) {
            free(r);
            return NULL; /* no history for this thread; tried again next frame */
        }
    }
    fai_mutex_init(&r->lock);
    r->thread_id = t->thread_id;
    r->live = true;
    fai_mutex_lock(&o->lock);
    r->next = o->rings;
    o->rings = r;
    fai_mutex_unlock(&o->lock);
    t->obs = r;
    return r;
}

static const fa_profiler_hooks *hooks_of(fa_alloc *fa) {
    if (!(fai_obs_flags(fa) & FAI_OBS_HOOKS) || fa->obs == NULL) return NULL;
    hooks_node *h = atomic_load_explicit(&fa->obs->hooks, memory_order_acquire);
    return h != NULL ? &h->hooks : NULL;
}

void fai_obs_frame_begin_slow(fai_tstate *t) {
    fai_obs_ring *r = ring_get(t);
    if (r != NULL) {
        r->begin_ns = fai_prim_now_ns();
        r->heap_allocs0 = FAI_LOAD(t->pub.heap_allocs);
        r->heap_frees0 = FAI_LOAD(t->pub.heap_frees);
        r->warn = r->err = r->errors = 0;
    }
    const fa_profiler_hooks *h = hooks_of(t->fa);
    if (h != NULL && h->frame_begin != NULL) h->frame_begin(h->user, t->thread_id, t->frame_number);
}

void fai_obs_frame_end_slow(fai_tstate *t) {
    fai_obs_ring *r = t->obs; /* made at begin; NULL if that failed or obs came on mid-frame */
    fa_alloc *fa = t->fa;
    const fa_profiler_hooks *h = hooks_of(fa);
    bool keep = r != NULL && r->rec != NULL;
    if (!keep && (h == NULL || h->frame_end == NULL)) return;
    fa_frame_record rec;
    memset(&rec, 0, sizeof rec);
    rec.thread_id = t->thread_id;
    rec.frame_number = t->frame_number;
    rec.end_ns = fai_prim_now_ns();
    rec.begin_ns = r != NULL && r->begin_ns != 0 ? r->begin_ns : rec.end_ns;
    rec.frame_bytes = FAI_LOAD(t->pub.frame_hw_last);
    rec.frame_peak = FAI_LOAD(t->pub.frame_peak);
    rec.frame_reserved = t->reserved;
    rec.pool_reserved = atomic_load_explicit(&fa->pool_pages_in_use, memory_order_relaxed) *
                        FAI_POOL_PAGE_SIZE;
    rec.heap_bytes = atomic_load_explicit(&fa->heap_bytes, memory_order_relaxed);
    rec.heap_count = atomic_load_explicit(&fa->heap_count, memory_order_relaxed);
    if (r != NULL) {
        if (r->have_last) {
            rec.pool_reserved_delta = (int64_t)rec.pool_reserved - (int64_t)r->last_pool;
            rec.heap_bytes_delta = (int64_t)rec.heap_bytes - (int64_t)r->last_heap_bytes;
            rec.heap_count_delta = (int64_t)rec.heap_count - (int64_t)r->last_heap_count;
        }
        r->have_last = true;
        r->last_pool = rec.pool_reserved;
        r->last_heap_bytes = rec.heap_bytes;
        r->last_heap_count = rec.heap_count;
        rec.heap_allocs = (uint32_t)(FAI_LOAD(t->pub.heap_allocs) - r->heap_allocs0);
        rec.heap_frees = (uint32_t)(FAI_LOAD(t->pub.heap_frees) - r->heap_frees0);
        rec.budget_warnings = r->warn;
        rec.budget_errors = r->err;
        rec.errors = r->errors;
        r->begin_ns = 0;
    }
    unsigned tags = atomic_load(&fa->tag_count);
    if (tags > FA_MAX_TAGS) tags = FA_MAX_TAGS;
    rec.tag_count = tags;
    /* fai_tag_frame_end has just published this frame's charge of every tag (0 for tags the
     * frame did not charge). */
    for (unsigned i = 0; i < tags; i++) {
        rec.tag_frame_bytes[i] = FAI_LOAD(t->ctr[i].frame_last);
        int64_t mem = atomic_load_explicit(&fa->tags[i].heap_bytes, memory_order_relaxed) +
                      atomic_load_explicit(&fa->tags[i].pool_reserved, memory_order_relaxed);
        rec.tag_mem[i] = mem > 0 ? (size_t)mem : 0;
    }
    if (keep) {
        fai_mutex_lock(&r->lock);
        r->rec[r->head] = rec;
        r->head = (r->head + 1) % fa->obs->cap;
        if (r->count < fa->obs->cap) r->count++;
        fai_mutex_unlock(&r->lock);
    }
    if (h != NULL && h->frame_end != NULL) h->frame_end(h->user, &rec);
}

void fai_obs_report_slow(fa_alloc *fa, const fa_error *e) {
    fai_tstate *t = fai_find_tstate(fa);
    fai_obs_ring *r = t != NULL ? t->obs : NULL;
    if (r != NULL) {
        r->errors++;
        if (e->status == FA_WARN_BUDGET) r->warn++;
        if (e->status == FA_ERR_BUDGET) r->err++;
        fai_mutex_lock(&r->lock);
        fa_obs_event *ev = &r->ev[r->ev_head];
        ev->time_ns = fai_prim_now_ns();
        ev->thread_id = t->thread_id;
        ev->frame_number = t->frame_number;
        ev->status = e->status;
        ev->size = e->size;
        snprintf(ev->message, sizeof ev->message, "%s", e->message != NULL ? e->message : "");
        r->ev_head = (r->ev_head + 1) % EVENTS;
        if (r->ev_count < EVENTS) r->ev_count++;
        fai_mutex_unlock(&r->lock);
    }
    const fa_profiler_hooks *h = hooks_of(fa);
    if (h != NULL && h->event != NULL) h->event(h->user, e);
}

void fai_obs_heap_slow(fa_alloc *fa, bool alloc, const void *p, size_t size, fa_tag tag) {
    const fa_profiler_hooks *h = hooks_of(fa);
    if (h == NULL) return;
    if (alloc && h->heap_alloc != NULL) h->heap_alloc(h->user, p, size, tag);
    if (!alloc && h->heap_free != NULL) h->heap_free(h->user, p, size);
}

/* ---------------------------------------------------------------------------------------- */
/* Public API                                                                                 */
/* ---------------------------------------------------------------------------------------- */

void fa_set_profiler_hooks(fa_alloc *fa, const fa_profiler_hooks *hooks) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_set_profiler_hooks: NULL allocator");
        return;
    }
    struct fai_obs *o = fa->obs;
    if (o == NULL) {
        fai_error(fa, FA_ERR_OUT_OF_MEMORY, NULL, 0, NULL,
                  "fa_set_profiler_hooks: no observability state (out of memory at fa_create)");
        return;
    }
    hooks_node *n = NULL;
    if (hooks != NULL) {
        n = calloc(1, sizeof *n);
        if (n == NULL) {
            fai_error(fa, FA_ERR_OUT_OF_MEMORY, NULL, sizeof *n, NULL,
                      "fa_set_profiler_hooks: out of memory");
            return;
        }
        n->hooks = *hooks;
    }
    fai_mutex_lock(&o->lock);
    if (n != NULL) {
        n->older = o->all_hooks;
        o->all_hooks = n;
    }
    atomic_store_explicit(&o->hooks, n, memory_order_release);
    unsigned flags = o->cap != 0 ? FAI_OBS_HISTORY : 0u;
    if (n != NULL) flags |= FAI_OBS_HOOKS;
    atomic_store(&fa->obs_flags, flags);
    fai_mutex_unlock(&o->lock);
}

size_t fa_history_capacity(fa_alloc *fa) {
    return fa != NULL && fa->obs != NULL ? fa->obs->cap : 0;
}

size_t fa_history_threads(fa_alloc *fa, uint64_t *ids, size_t max) {
    if (fa == NULL || fa->obs == NULL) return 0;
    size_t n = 0;
    fai_mutex_lock(&fa->obs->lock);
    /* live rings first, then retired ones (each group newest first) */
    for (int pass = 0; pass < 2; pass++)
        for (fai_obs_ring *r = fa->obs->rings; r != NULL; r = r->next) {
            if (r->live != (pass == 0) || r->rec == NULL) continue;
            if (ids != NULL && n < max) ids[n] = r->thread_id;
            n++;
        }
    fai_mutex_unlock(&fa->obs->lock);
    return n;
}

/* Copies the newest min(max, count) entries of a ring buffer, oldest first. */
static size_t copy_ring(void *out, const void *base, size_t esize, size_t cap, size_t head,
                        size_t count, size_t max) {
    size_t n = count < max ? count : max;
    size_t first = (head + cap - n) % cap;
    for (size_t i = 0; i < n; i++)
        memcpy((char *)out + i * esize, (const char *)base + ((first + i) % cap) * esize, esize);
    return n;
}

static size_t read_ring(fa_alloc *fa, uint64_t thread_id, void *out, size_t max, bool events) {
    if (fa == NULL || fa->obs == NULL || out == NULL || max == 0) return 0;
    if (thread_id == 0) thread_id = fai_thread_id();
    size_t n = 0;
    fai_mutex_lock(&fa->obs->lock);
    for (fai_obs_ring *r = fa->obs->rings; r != NULL; r = r->next) {
        if (r->thread_id != thread_id || r->rec == NULL) continue;
        fai_mutex_lock(&r->lock);
        if (events)
            n = copy_ring(out, r->ev, sizeof r->ev[0], EVENTS, r->ev_head, r->ev_count, max);
        else
            n = copy_ring(out, r->rec, sizeof r->rec[0], fa->obs->cap, r->head, r->count, max);
        fai_mutex_unlock(&r->lock);
        break;
    }
    fai_mutex_unlock(&fa->obs->lock);
    return n;
}

size_t fa_history_read(fa_alloc *fa, uint64_t thread_id, fa_frame_record *out, size_t max) {
    return read_ring(fa, thread_id, out, max, false);
}

size_t fa_history_events(fa_alloc *fa, uint64_t thread_id, fa_obs_event *out, size_t max) {
    return read_ring(fa, thread_id, out, max, true);
}
