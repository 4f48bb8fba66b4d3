// SPDX-License-Identifier: MIT
/*
 * phase.c - frame phases (fa_phase_begin / fa_phase_end): what each part of a frame ("physics",
 * "render") allocated, per frame, in frame, pool and heap memory.
 *
 * Nothing is counted on an allocation path. A phase boundary (begin, end, the end of a frame
 * scope) takes a snapshot of the calling thread's counters and charges the difference since the
 * last boundary to the phase on top of the thread's phase stack:
 *   frame  growth of the thread's frame bytes (net: what an inner scope or a rollback released
 *          before the boundary is not charged twice, and the bytes a scope held are charged when
 *          it ends);
 *   pool   change of the live objects and bytes in the pool pages the thread owns (net: frees,
 *          remote ones included, count against it); O(pool pages) per boundary;
 *   heap   heap allocations made by the thread and their bytes (gross).
 * At the end of each outermost frame the thread publishes its per-phase figures for that frame
 * (relaxed atomics) and starts over; fa_get_phase_stats sums the threads' last frames.
 *
 * Names are registered per allocator (FA_MAX_PHASES, first 31 characters), append-only: a
 * lookup reads the published count and compares names without a lock.
 *
 * Threading: a thread's phase stack and counters are written by that thread only; the published
 * block is read by other threads under fa->lock (which also guards its creation and release).
 */
#include "intent.h"

#include <stdio.h>
#include <stdlib.h>

#define PHASE_STACK 8

typedef struct phase_ctr {
    size_t frame_bytes, heap_bytes, heap_count, runs;
    int64_t pool_bytes, pool_count;
} phase_ctr;

typedef struct fai_phase_pub {
    _Atomic size_t frame_bytes, frame_peak, heap_bytes, heap_count, runs;
    _Atomic int64_t pool_bytes, pool_count;
    _Atomic uint64_t frames;
} fai_phase_pub;

typedef struct fai_phases {
    unsigned stack[PHASE_STACK];
    unsigned depth, overflow;
    /* counters at the last boundary */
    size_t frame_mark, pool_count_mark, pool_bytes_mark, heap_bytes_mark;
    uint64_t heap_count_mark;
    uint64_t used, used_last;       /* phases charged this / the last frame (bits) */
    phase_ctr cur[FA_MAX_PHASES];
    fai_phase_pub pub[FA_MAX_PHASES];
} fai_phases;

static unsigned phase_find(fa_alloc *fa, const char *name) {
    unsigned n = atomic_load_explicit(&fa->phase_count, memory_order_acquire);
    for (unsigned i = 0; i < n; i++)
        if (strncmp(fa->phase_names[i], name, sizeof fa->phase_names[i] - 1) == 0) return i;
    return FA_MAX_PHASES;
}

static unsigned phase_register(fa_alloc *fa, const char *name) {
    unsigned i = phase_find(fa, name);
    if (i != FA_MAX_PHASES) return i;
    fai_mutex_lock(&fa->lock);
    i = phase_find(fa, name);
    unsigned n = atomic_load(&fa->phase_count);
    if (i == FA_MAX_PHASES && n < FA_MAX_PHASES) {
        snprintf(fa->phase_names[n], sizeof fa->phase_names[n], "%s", name);
        atomic_store_explicit(&fa->phase_count, n + 1, memory_order_release);
        i = n;
    }
    fai_mutex_unlock(&fa->lock);
    return i;
}

static fai_phases *phases_of(fai_tstate *t) {
    fai_intent *in = fai_intent_get(t);
    if (in == NULL) return NULL;
    if (in->phases == NULL) {
        fai_phases *p = calloc(1, sizeof *p);
        if (p == NULL) {
            fai_error(t->fa, FA_ERR_OUT_OF_MEMORY, NULL, sizeof *p, NULL,
                      "no memory for this thread's phase records");
            return NULL;
        }
        fai_mutex_lock(&t->fa->lock); /* readers walk it under the lock */
        in->phases = p;
        fai_mutex_unlock(&t->fa->lock);
    }
    return in->phases;
}

/* Charges what the thread allocated since the last boundary to the phase on top, if any. */
static void charge(fai_tstate *t, fai_phases *p, bool fresh) {
    size_t frame = fai_frame_bytes_now(t), pc = p->pool_count_mark, pb = p->pool_bytes_mark;
    /* The pool walk only when a phase is charged or about to start. */
    if (p->depth > 0 || fresh) fai_pool_count(t->fa, t, -1, &pc, &pb, NULL);
    uint64_t hc = FAI_LOAD(t->pub.heap_allocs);
    size_t hb = t->heap_bytes_allocated;
    if (p->depth > 0) {
        unsigned ph = p->stack[p->depth - 1];
        phase_ctr *c = &p->cur[ph];
        if (frame > p->frame_mark) c->frame_bytes += frame - p->frame_mark;
        c->pool_count += (int64_t)pc - (int64_t)p->pool_count_mark;
        c->pool_bytes += (int64_t)pb - (int64_t)p->pool_bytes_mark;
        c->heap_count += (size_t)(hc - p->heap_count_mark);
        c->heap_bytes += hb - p->heap_bytes_mark;
        p->used |= (uint64_t)1 << ph;
    }
    p->frame_mark = frame;
    p->pool_count_mark = pc;
    p->pool_bytes_mark = pb;
    p->heap_count_mark = hc;
    p->heap_bytes_mark = hb;
}

void fa_phase_begin(fa_alloc *fa, const char *name) {
    if (fa == NULL || name == NULL || name[0] == '\0') {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_phase_begin: NULL allocator or empty name");
        return;
    }
    fai_tstate *t = fai_bind(fa);
    fai_phases *p = t != NULL ? phases_of(t) : NULL;
    if (p == NULL) return;
    unsigned ph = phase_register(fa, name);
    if (ph == FA_MAX_PHASES || p->depth == PHASE_STACK) {
        /* Counted, not opened: its end is absorbed, so the outer phases stay paired. */
        p->overflow++;
        if (ph == FA_MAX_PHASES)
            fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                      "fa_phase_begin(\"%s\"): all %d phase names are in use; its allocations "
                      "stay with the enclosing phase",
                      name, FA_MAX_PHASES);
        else
            fai_error(fa, FA_ERR_NESTING_TOO_DEEP, NULL, 0, NULL,
                      "fa_phase_begin(\"%s\"): phases nested deeper than %d", name, PHASE_STACK);
        return;
    }
    charge(t, p, true);
    p->stack[p->depth++] = ph;
    p->cur[ph].runs++;
    p->used |= (uint64_t)1 << ph;
}

void fa_phase_end(fa_alloc *fa) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_phase_end: NULL allocator");
        return;
    }
    fai_tstate *t = fai_find_tstate(fa);
    fai_phases *p = t != NULL && t->intent != NULL ? t->intent->phases : NULL;
    if (p != NULL && p->overflow > 0) {
        p->overflow--;
        return;
    }
    if (p == NULL || p->depth == 0) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_phase_end with no phase begun on this thread");
        return;
    }
    charge(t, p, false);
    p->depth--;
}

/* End of a frame scope (before the cursor is rewound): the scope's bytes are charged now; the
 * next boundary measures from where the scope began. At the outermost end the frame's figures
 * are published. */
void fai_phase_scope_end(fai_tstate *t, fai_intent *in, const fai_scope *s) {
    fai_phases *p = in->phases;
    if (p == NULL) return;
    charge(t, p, false);
    size_t at_begin;
    if (FAI_FRAME_REDZONE != 0)
        at_begin = s->counted_prev + (s->block != NULL ? (size_t)(s->counted_cur - s->block->start) : 0);
    else
        at_begin = s->used_before + (s->block != NULL ? (size_t)(s->cur - s->block->start) : 0);
    p->frame_mark = FAI_MIN(p->frame_mark, at_begin);
    if (t->depth != 1) return;
    uint64_t todo = p->used | p->used_last;
    p->used_last = p->used;
    p->used = 0;
    p->frame_mark = 0;
    while (todo != 0) {
        unsigned i = (unsigned)__builtin_ctzll(todo);
        todo &= todo - 1;
        phase_ctr *c = &p->cur[i];
        fai_phase_pub *o = &p->pub[i];
        bool ran = (p->used_last >> i & 1) != 0;
        FAI_STORE(o->frame_bytes, c->frame_bytes);
        if (c->frame_bytes > FAI_LOAD(o->frame_peak)) FAI_STORE(o->frame_peak, c->frame_bytes);
        FAI_STORE(o->heap_bytes, c->heap_bytes);
        FAI_STORE(o->heap_count, c->heap_count);
        FAI_STORE(o->runs, c->runs);
        FAI_STORE(o->pool_bytes, c->pool_bytes);
        FAI_STORE(o->pool_count, c->pool_count);
        if (ran) FAI_STORE(o->frames, FAI_LOAD(o->frames) + 1);
        memset(c, 0, sizeof *c);
    }
    /* Phases open across the frame boundary run on in the next frame. */
    for (unsigned d = 0; d < p->depth; d++) {
        p->cur[p->stack[d]].runs++;
        p->used |= (uint64_t)1 << p->stack[d];
    }
}

fa_status fa_get_phase_stats(fa_alloc *fa, const char *name, fa_phase_stats *out) {
    if (out != NULL) memset(out, 0, sizeof *out);
    if (fa == NULL || name == NULL || out == NULL) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_get_phase_stats: NULL allocator, name or output");
        return FA_ERR_INVALID_ARGUMENT;
    }
    unsigned ph = phase_find(fa, name);
    if (ph == FA_MAX_PHASES) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_get_phase_stats(\"%s\"): no such phase", name);
        return FA_ERR_INVALID_ARGUMENT;
    }
    out->name = fa->phase_names[ph];
    fai_mutex_lock(&fa->lock);
    for (fai_tstate *t = fa->threads; t != NULL; t = t->next_in_fa) {
        fai_phases *p = t->intent != NULL ? t->intent->phases : NULL;
        if (p == NULL) continue;
        const fai_phase_pub *o = &p->pub[ph];
        size_t fb = FAI_LOAD(o->frame_bytes), peak = FAI_LOAD(o->frame_peak);
        out->frame_bytes += fb;
        if (peak > out->frame_bytes_peak) out->frame_bytes_peak = peak;
        out->pool_bytes += FAI_LOAD(o->pool_bytes);
        out->pool_count += FAI_LOAD(o->pool_count);
        out->heap_bytes += FAI_LOAD(o->heap_bytes);
        out->heap_count += FAI_LOAD(o->heap_count);
        out->runs += FAI_LOAD(o->runs);
        out->frames += FAI_LOAD(o->frames);
    }
    fai_mutex_unlock(&fa->lock);
    return FA_OK;
}

void fai_phase_thread_release(fai_tstate *t, fai_intent *in) {
    (void)t;
    free(in->phases); /* t->intent was unpublished under fa->lock first */
    in->phases = NULL;
}
