// SPDX-License-Identifier: MIT
/*
 * scratch.c - named scratch pools (fa_scratch): per-thread buffers reused across frames.
 *
 * fa_scratch_get(fa, name, capacity) finds the calling thread's scratch of that name or makes
 * it: a descriptor (a pool object of fa, so any handle can be checked without trusting it) and
 * one heap block of `capacity` bytes (tracked like any heap block: fa_stats.heap_bytes, the heap
 * limit and budgets). fa_scratch_alloc bumps through it; fa_scratch_reset rewinds it. Nothing
 * is released at frame boundaries; the thread's exit or fa_destroy releases its scratch pools.
 *
 * A scratch belongs to the thread that got it: any other thread's use is reported
 * (FA_ERR_WRONG_THREAD) in every build (the check is one compare). Debug builds fill what
 * fa_scratch_reset releases and, under ASan/valgrind, make it unaddressable until handed out.
 *
 * Threading: a thread's scratch list is touched only by that thread (and by fa_destroy).
 */
#include "intent.h"

#include "track.h"

#include <stdio.h>

#define SCRATCH_MAGIC 0x6661736372617463ull /* "fascratc" */
/* Debug fills (the frame's values: scratch memory is frame-like). */
#define SCRATCH_FILL_ALLOC 0xFA
#define SCRATCH_FILL_FREED 0xFD

struct fa_scratch {
    uint64_t magic;
    fai_tstate *owner;
    uint64_t thread;
    struct fa_scratch *next;
    unsigned char *base;
    size_t cap, used, peak;
    char name[32];
};

/* The scratch s points at, or NULL (reported): s must be a live descriptor. */
static fa_scratch *scratch_check(fa_scratch *s, const char *what) {
    fa_alloc *owner = NULL;
    if (s == NULL || !fai_pool_in_any_segment(s, &owner) ||
        fai_pool_object_state(owner, s) != FAI_POBJ_START || s->magic != SCRATCH_MAGIC) {
        fai_error(owner, FA_ERR_INVALID_ARGUMENT, s, 0, NULL,
                  "%s(%p): not a live scratch pool (never made, or its thread has exited, or "
                  "its allocator was destroyed)",
                  what, (void *)s);
        return NULL;
    }
    if (s->thread != fai_thread_id()) {
        fai_report r = {.status = FA_ERR_WRONG_THREAD, .fa = s->owner->fa, .ptr = s,
                        .alloc_thread = s->thread};
        fai_report_error(&r, "%s: scratch \"%s\" belongs to thread %llu", what, s->name,
                         (unsigned long long)s->thread);
        return NULL;
    }
    return s;
}

/* Debug builds: released scratch bytes hold the frame's freed fill and are closed to the
 * checkers until handed out again. */
static void scratch_kill(fa_scratch *s, size_t from, size_t to) {
    if (to <= from) return;
    if (FAI_DEBUG) memset(s->base + from, SCRATCH_FILL_FREED, to - from);
    fai_track_close(s->base + from, to - from);
}

fa_scratch *fa_scratch_get(fa_alloc *fa, const char *name, size_t capacity) {
    if (fa == NULL || name == NULL || name[0] == '\0') {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, capacity, NULL,
                  "fa_scratch_get: NULL allocator or empty name");
        return NULL;
    }
    if (!fai_check_request(fa, capacity, 1, FA_MAX_ALLOC_SIZE, "fa_scratch_get", NULL))
        return NULL;
    fai_tstate *t = fai_bind(fa);
    if (t == NULL) return NULL;
    fai_intent *in = fai_intent_get(t);
    if (in == NULL) return NULL;
    for (fa_scratch *s = in->scratch; s != NULL; s = s->next) {
        if (strncmp(s->name, name, sizeof s->name - 1) != 0) continue;
        if (capacity <= s->cap) return s;
        if (s->used != 0) {
            fai_error(fa, FA_ERR_INVALID_ARGUMENT, s, capacity, NULL,
                      "fa_scratch_get(\"%s\", %zu): it holds %zu bytes of %zu in use; it can "
                      "grow only when reset",
                      s->name, capacity, s->used, s->cap);
            return NULL;
        }
        unsigned char *nb = fa_heap_alloc_at(fa, capacity, 64, NULL);
        if (nb == NULL) return NULL;
        fai_track_open(s->base, s->cap); /* the heap's own checks read it on free */
        fa_heap_free_at(fa, s->base, NULL);
        s->base = nb;
        s->cap = capacity;
        scratch_kill(s, 0, capacity);
        return s;
    }
    fa_scratch *s = fa_pool_alloc_aligned_at(fa, sizeof *s, 16, NULL);
    if (s == NULL) return NULL;
    s->base = fa_heap_alloc_at(fa, capacity, 64, NULL);
    if (s->base == NULL) {
        fa_pool_free_at(fa, s, NULL);
        return NULL;
    }
    s->magic = SCRATCH_MAGIC;
    s->owner = t;
    s->thread = t->thread_id;
    s->cap = capacity;
    s->used = s->peak = 0;
    snprintf(s->name, sizeof s->name, "%s", name);
    s->next = in->scratch;
    in->scratch = s;
    scratch_kill(s, 0, capacity);
    return s;
}

void *fa_scratch_alloc(fa_scratch *s, size_t size, size_t align) {
    if (scratch_check(s, "fa_scratch_alloc") == NULL) return NULL;
    fa_alloc *fa = s->owner->fa;
    if (!fai_check_request(fa, size, align, FA_MAX_ALLOC_SIZE, "fa_scratch_alloc", NULL))
        return NULL;
    uintptr_t base = (uintptr_t)s->base, p = fai_align_up(base + s->used, align);
    if (p < base || p - base > s->cap || size > s->cap - (p - base)) {
        fai_report r = {.status = FA_ERR_OUT_OF_MEMORY, .fa = fa, .ptr = s, .size = size,
                        .align = align};
        fai_report_error(&r,
                         "scratch \"%s\" is full: %zu bytes aligned to %zu do not fit (%zu of "
                         "%zu in use)",
                         s->name, size, align, s->used, s->cap);
        return NULL;
    }
    s->used = (size_t)(p - base) + size;
    if (s->used > s->peak) s->peak = s->used;
    fai_track_open((void *)p, size);
    if (FAI_DEBUG) memset((void *)p, SCRATCH_FILL_ALLOC, size);
    fai_track_undefined((void *)p, size);
    return (void *)p;
}

void fa_scratch_reset(fa_scratch *s) {
    if (scratch_check(s, "fa_scratch_reset") == NULL) return;
    fai_track_open(s->base, s->used);
    scratch_kill(s, 0, s->used);
    s->used = 0;
}

size_t fa_scratch_used(fa_scratch *s) {
    return scratch_check(s, "fa_scratch_used") != NULL ? s->used : 0;
}

size_t fa_scratch_capacity(fa_scratch *s) {
    return scratch_check(s, "fa_scratch_capacity") != NULL ? s->cap : 0;
}

void fai_scratch_thread_release(fai_tstate *t, fai_intent *in) {
    while (in->scratch != NULL) {
        fa_scratch *s = in->scratch;
        in->scratch = s->next;
        fai_track_open(s->base, s->cap);
        fa_heap_free_at(t->fa, s->base, NULL);
        s->magic = 0;
        fa_pool_free_at(t->fa, s, NULL);
    }
}
