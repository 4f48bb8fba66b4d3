/* SPDX-License-Identifier: MIT */
/*
 * retain.c - frame retention: fa_frame_retain, fa_frame_retain_for, the copies made when a
 * scope ends and the copies kept for frames.
 *
 * Data: t->retains holds the registered retentions of the open scopes, innermost last (each
 * scope's first entry is scope->retain_count). At a scope's end its entries are copied out:
 * TO_POOL into a pool object, else or when the pool refuses (budget, out of memory, size above
 * FA_POOL_MAX_SIZE) into a heap block, and when the heap refuses too the slot is set to NULL
 * and the status reported once. FOR_FRAMES copies go to t->kept, owned by the library, and are
 * freed at the end of their expiry frame (the slot set to NULL if it still points at the copy),
 * by FA_RETAIN_DISCARD, or at thread exit / fa_destroy (slots untouched then).
 *
 * Invariants:
 *  - a slot never keeps pointing at frame memory of an ended scope because a copy failed;
 *  - t->kept_cap >= t->kept_count + (pending FOR_FRAMES entries): fa_frame_retain_for reserves
 *    room when it registers, so a scope end never fails for want of a kept entry;
 *  - t->kept_next <= every kept[i].expire (UINT64_MAX when none), so outermost frame ends cost
 *    one comparison until something expires.
 *
 * Threading: everything here runs on the thread that owns the tstate (thread exit and
 * fa_destroy included, when no other thread uses it); the allocator-wide counters are atomics.
 */
#include "internal.h"

#include <stdlib.h>

/* ---------------------------------------------------------------------------------------- */
/* Copies                                                                                     */
/* ---------------------------------------------------------------------------------------- */

/* A copy of src in a pool object (pool_first, when it fits and the pool gives one) or a heap
 * block. The attempts are quiet: the caller reports the outcome once. NULL + *why on failure. */
static void *copy_out(fai_tstate *t, const void *src, size_t size, bool pool_first, bool *heap,
                      fa_status *why) {
    fa_alloc *fa = t->fa;
    void *dst = NULL;
    *heap = false;
    if (pool_first && size <= FA_POOL_MAX_SIZE) {
        fai_quiet q = fai_quiet_begin();
        dst = fa_pool_alloc_at(fa, size, NULL);
        fai_quiet_end(q);
    }
    if (dst == NULL) {
        fai_quiet q = fai_quiet_begin();
        dst = fa_heap_alloc_at(fa, size, 16, NULL);
        fa_status st = fai_quiet_end(q);
        if (dst == NULL) {
            *why = st != FA_OK ? st : FA_ERR_OUT_OF_MEMORY;
            return NULL;
        }
        *heap = true;
        if (pool_first) atomic_fetch_add_explicit(&fa->retain_fallbacks, 1, memory_order_relaxed);
    }
    memcpy(dst, src, size);
    *why = FA_OK;
    return dst;
}

static void copy_failed(fai_tstate *t, void **slot, size_t size, fa_status why) {
    *slot = NULL;
    atomic_fetch_add_explicit(&t->fa->retain_failures, 1, memory_order_relaxed);
    fai_report r = {.status = why, .fa = t->fa, .ptr = slot, .size = size,
                    .current_frame = t->frame_number};
    fai_report_error(&r, "fa_frame_retain: no pool or heap copy of %zu bytes could be made (%s); "
                         "the slot at %p was set to NULL",
                     size, fa_status_name(why), (void *)slot);
}

static void kept_free_copy(fai_tstate *t, const fai_kept *k) {
    atomic_fetch_sub_explicit(&t->fa->kept_count, 1, memory_order_relaxed);
    atomic_fetch_sub_explicit(&t->fa->kept_bytes, k->size, memory_order_relaxed);
    if (k->heap)
        fa_heap_free_at(t->fa, k->copy, NULL);
    else
        fa_pool_free_at(t->fa, k->copy, NULL);
}

static bool kept_reserve(fai_tstate *t, uint32_t need) {
    if (need <= t->kept_cap) return true;
    uint32_t cap = t->kept_cap ? t->kept_cap : 8;
    while (cap < need) cap *= 2;
    fai_kept *k = realloc(t->kept, cap * sizeof *k);
    if (k == NULL) return false;
    t->kept = k;
    t->kept_cap = cap;
    return true;
}

static void keep_copy(fai_tstate *t, const fai_retain *r, void *src) {
    bool heap;
    fa_status why;
    void *copy = copy_out(t, src, r->size, true, &heap, &why);
    if (copy == NULL) {
        copy_failed(t, r->slot, r->size, why);
        return;
    }
    /* Room was reserved at registration; a hook that registered more meanwhile may still
     * need it. */
    if (!kept_reserve(t, t->kept_count + 1)) {
        if (heap)
            fa_heap_free_at(t->fa, copy, NULL);
        else
            fa_pool_free_at(t->fa, copy, NULL);
        copy_failed(t, r->slot, r->size, FA_ERR_OUT_OF_MEMORY);
        return;
    }
    uint64_t expire = t->frame_number + r->frames;
    if (expire < t->frame_number) expire = UINT64_MAX; /* saturates: kept until the thread ends */
    t->kept[t->kept_count++] = (fai_kept){r->slot, copy, r->size, expire, heap};
    if (expire < t->kept_next) t->kept_next = expire;
    atomic_fetch_add_explicit(&t->fa->kept_count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&t->fa->kept_bytes, r->size, memory_order_relaxed);
    *r->slot = copy;
}

void fai_retain_run(fai_tstate *t, uint32_t from) {
    uint32_t end = t->retain_count;
    for (uint32_t i = from; i < end && i < t->retain_count; i++) {
        /* A copy: a recovery hook run by the allocations below may grow t->retains. */
        fai_retain r = t->retains[i];
        void *src = *r.slot;
        if (src == NULL || r.policy == FA_RETAIN_DISCARD) continue;
        if (r.policy == FA_RETAIN_FOR_FRAMES) {
            keep_copy(t, &r, src);
            continue;
        }
        bool heap;
        fa_status why;
        void *dst = copy_out(t, src, r.size, r.policy == FA_RETAIN_TO_POOL, &heap, &why);
        if (dst == NULL)
            copy_failed(t, r.slot, r.size, why);
        else
            *r.slot = dst;
    }
    t->retain_count = from;
}

/* ---------------------------------------------------------------------------------------- */
/* Kept copies                                                                                */
/* ---------------------------------------------------------------------------------------- */

/* Frees the kept copies `match` selects; a slot still pointing at its copy is set to NULL
 * when clear_slots. */
static void kept_drop(fai_tstate *t, bool (*match)(const fai_kept *k, const void *arg),
                      const void *arg, bool clear_slots) {
    uint32_t keep = 0;
    uint64_t next = UINT64_MAX;
    /* Taken out of the array first: a free may report, and a handler may call back in. */
    fai_kept dropped[16];
    uint32_t ndropped = 0;
    for (uint32_t i = 0; i < t->kept_count; i++) {
        fai_kept k = t->kept[i];
        if (!match(&k, arg) || ndropped == 16) {
            t->kept[keep++] = k;
            if (k.expire < next) next = k.expire;
            continue;
        }
        dropped[ndropped++] = k;
    }
    t->kept_count = keep;
    t->kept_next = next;
    for (uint32_t i = 0; i < ndropped; i++) {
        if (clear_slots && *dropped[i].slot == dropped[i].copy) *dropped[i].slot = NULL;
        kept_free_copy(t, &dropped[i]);
    }
    /* More than a batch matched: the rest go in the next round. */
    if (ndropped == 16) kept_drop(t, match, arg, clear_slots);
}

static bool expired(const fai_kept *k, const void *arg) {
    return k->expire <= *(const uint64_t *)arg;
}
static bool of_slot(const fai_kept *k, const void *arg) { return (const void *)k->slot == arg; }
static bool any(const fai_kept *k, const void *arg) {
    (void)k;
    (void)arg;
    return true;
}

void fai_kept_expire(fai_tstate *t) {
    uint64_t now = t->frame_number;
    kept_drop(t, expired, &now, true);
}

void fai_kept_release(fai_tstate *t) {
    if (t->kept_count != 0) kept_drop(t, any, NULL, false);
}

/* ---------------------------------------------------------------------------------------- */
/* Registration                                                                               */
/* ---------------------------------------------------------------------------------------- */

/* Adds or updates the innermost scope's entry for slot (policy already validated). */
static fa_status register_retain(fai_tstate *t, void **slot, size_t size,
                                 fa_retain_policy policy, unsigned frames) {
    fa_alloc *fa = t->fa;
    uint32_t first = t->scopes[t->depth - 1].retain_count;
    for (uint32_t i = first; i < t->retain_count; i++) {
        if (t->retains[i].slot == slot) {
            t->retains[i] = (fai_retain){slot, size, policy, frames};
            return FA_OK;
        }
    }
    if (policy == FA_RETAIN_DISCARD) return FA_OK;
    if (t->retain_count == t->retain_cap) {
        uint32_t cap = t->retain_cap ? t->retain_cap * 2 : 16;
        fai_retain *r = realloc(t->retains, cap * sizeof *r);
        if (r == NULL) {
            fai_error(fa, FA_ERR_OUT_OF_MEMORY, slot, size, NULL, "fa_frame_retain: no memory");
            return FA_ERR_OUT_OF_MEMORY;
        }
        t->retains = r;
        t->retain_cap = cap;
    }
    t->retains[t->retain_count++] = (fai_retain){slot, size, policy, frames};
    return FA_OK;
}

fa_status fa_frame_retain(fa_alloc *fa, void **slot, size_t size, fa_retain_policy policy) {
    if (fa == NULL || slot == NULL || (unsigned)policy > FA_RETAIN_TO_HEAP) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, slot, size, NULL,
                  "fa_frame_retain: NULL allocator or slot, or unknown policy (keeping for "
                  "frames is fa_frame_retain_for)");
        return FA_ERR_INVALID_ARGUMENT;
    }
    /* A DISCARD first ends the keeps of the slot, inside a frame or not. */
    fai_tstate *t = policy == FA_RETAIN_DISCARD ? fai_find_tstate(fa) : NULL;
    bool ended_keep = false;
    if (t != NULL && t->kept_count != 0) {
        uint32_t before = t->kept_count;
        kept_drop(t, of_slot, slot, true);
        ended_keep = t->kept_count != before;
    }
    t = fai_bind(fa);
    if (t == NULL) return FA_ERR_OUT_OF_MEMORY;
    if (t->depth == 0) {
        if (ended_keep) return FA_OK;
        fai_error(fa, FA_ERR_NO_FRAME, slot, size, NULL, "fa_frame_retain outside any frame");
        return FA_ERR_NO_FRAME;
    }
    /* Validated before an existing entry is updated, so a bad size never waits for the end
     * of the scope to show (DISCARD keeps nothing and takes any size). A pool retention above
     * FA_POOL_MAX_SIZE is accepted: its copy is made in the heap. */
    if (policy != FA_RETAIN_DISCARD &&
        !fai_check_request(fa, size, 1, FA_MAX_ALLOC_SIZE, "fa_frame_retain", NULL))
        return size == 0 ? FA_ERR_ZERO_SIZE : FA_ERR_TOO_LARGE;
    return register_retain(t, slot, size, policy, 0);
}

fa_status fa_frame_retain_for(fa_alloc *fa, void **slot, size_t size, unsigned frames) {
    if (fa == NULL || slot == NULL || frames == 0) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, slot, size, NULL,
                  "fa_frame_retain_for: NULL allocator or slot, or 0 frames (use "
                  "FA_RETAIN_DISCARD to keep nothing)");
        return FA_ERR_INVALID_ARGUMENT;
    }
    fai_tstate *t = fai_bind(fa);
    if (t == NULL) return FA_ERR_OUT_OF_MEMORY;
    if (t->depth == 0) {
        fai_error(fa, FA_ERR_NO_FRAME, slot, size, NULL, "fa_frame_retain_for outside any frame");
        return FA_ERR_NO_FRAME;
    }
    if (!fai_check_request(fa, size, 1, FA_MAX_ALLOC_SIZE, "fa_frame_retain_for", NULL))
        return size == 0 ? FA_ERR_ZERO_SIZE : FA_ERR_TOO_LARGE;
    /* Every pending entry may become a kept copy: room for all of them now. */
    if (t->kept_count + (uint64_t)t->retain_count + 1 > UINT32_MAX / 2 ||
        !kept_reserve(t, t->kept_count + t->retain_count + 1)) {
        fai_error(fa, FA_ERR_OUT_OF_MEMORY, slot, size, NULL, "fa_frame_retain_for: no memory");
        return FA_ERR_OUT_OF_MEMORY;
    }
    return register_retain(t, slot, size, FA_RETAIN_FOR_FRAMES, frames);
}
