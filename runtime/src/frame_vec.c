// SPDX-License-Identifier: MIT
/*
 * frame_vec.c - growable contiguous frame arrays (fa_frame_vec) and the storage policy shared
 * with the frame map: where a frame container's bytes come from and where they go when it moves.
 *
 * A vector belongs to the innermost scope open at fa_frame_vec_init (its thread, scope id and
 * depth are recorded). Growth:
 *   - in place, by small steps, while its storage is the newest allocation of the innermost
 *     scope (the fa_frame_realloc in-place path; release builds without a checker only, as
 *     there), so a vector filled alone wastes at most one step of slack;
 *   - otherwise it moves, doubling. The range it leaves becomes a spare of its scope, which later
 *     moves of any container of that scope reuse (best fit); in release builds neighbouring
 *     spares merge, the vector's own old range included, so vectors filled in turn keep
 *     recycling each other's ranges instead of leaving a trail of dead copies;
 *   - when its scope is not the innermost one (a nested scope opened since), fresh frame memory
 *     would die with the nested scope, so the bytes come from a spare of its own scope or else a
 *     heap block that the end of its scope frees.
 * Debug and checker builds track each frame allocation's exact extent (fills, redzones,
 * poisoning), so there spares are reused only inside the range one allocation handed out and
 * never merged, and growth never happens in place.
 *
 * Validity: a vector is usable on its thread while its scope is open. Debug builds check that on
 * every push (FA_ERR_USE_AFTER_FRAME, FA_ERR_WRONG_THREAD), and catch copies of the struct
 * (the magic word is tied to its address); release builds check it when the vector grows.
 *
 * Threading: the calling thread's state only; no locks.
 */
#include "intent.h"

#include <stdlib.h>

#define VEC_MAGIC ((uintptr_t)0x6661766563746f72ull) /* "favector" */
#define VEC_HEAP 1u                                  /* data is a heap block (outer scope) */
/* Smallest first allocation, in bytes: tiny vectors do not regrow every few pushes. */
#define VEC_MIN_BYTES ((size_t)64)

static size_t granule(size_t n) { return (n + FA_FRAME_GRANULE - 1) & ~(FA_FRAME_GRANULE - 1); }

/* A pointer the caller could not have got from a real object (NULL, the first page, or
 * misaligned for the struct): refused without reading it. */
static bool bad_handle(const void *p, size_t align) {
    return (uintptr_t)p < 4096 || ((uintptr_t)p & (align - 1)) != 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Storage of frame containers                                                                */
/* ---------------------------------------------------------------------------------------- */

static bool spare_live(const fai_tstate *t, const fai_spare *s) {
    return s->gen == t->rollback_gen && fai_scope_open(t, s->depth, s->scope);
}

static void owned_forget(fai_intent *in, void *p) {
    for (size_t i = 0; i < in->nowned; i++) {
        if (in->owned[i].p == p) {
            in->owned[i] = in->owned[--in->nowned];
            return;
        }
    }
}

/* Bytes left in the current block after the cursor (the frame limit may allow fewer). */
static size_t room_at_cursor(const fai_tstate *t) {
    return t->cur_block != NULL ? (size_t)(t->cur_block->end - fai_cursor_cur(t)) : 0;
}

/* A live spare of the innermost scope `scope` that ends at the cursor, or NULL. */
static fai_spare *spare_at_cursor(const fai_tstate *t, fai_intent *in, uint64_t scope) {
    if (t->cur_block == NULL || t->depth == 0 || t->scopes[t->depth - 1].id != scope) return NULL;
    uintptr_t cur = fai_cursor_cur(t);
    for (unsigned i = 0; i < in->nspares; i++) {
        fai_spare *s = &in->spares[i];
        if (s->scope == scope && s->end == cur && s->start >= t->cur_block->start &&
            spare_live(t, s))
            return s;
    }
    return NULL;
}

/* Release builds: the spare of v's scope that starts right after [p, p + bytes), or NULL. */
static fai_spare *spare_after(const fai_tstate *t, fai_intent *in, uint64_t scope, uintptr_t end) {
    for (unsigned i = 0; i < in->nspares; i++) {
        fai_spare *s = &in->spares[i];
        if (s->scope == scope && s->start == end && spare_live(t, s)) return s;
    }
    return NULL;
}

void *fai_store_alloc(fai_tstate *t, uint32_t depth, uint64_t scope, size_t min_size,
                      size_t *size, size_t fresh, size_t align, bool *heap) {
    fa_alloc *fa = t->fa;
    fai_intent *in = fai_intent_get(t);
    if (in == NULL) return NULL;
    *heap = false;
    size_t want = *size;
    /* A spare of the scope: the smallest that holds the wanted size, else the largest that
     * holds the minimum (a little less slack beats a new range). */
    fai_spare *best = NULL;
    size_t best_room = 0;
    for (unsigned i = 0; i < in->nspares; i++) {
        fai_spare *s = &in->spares[i];
        if (s->scope != scope || !spare_live(t, s)) continue;
        uintptr_t p = fai_align_up(s->start, align);
        if (p < s->start || p > s->end || min_size > s->end - p) continue;
        size_t room = (size_t)(s->end - p);
        bool better = best == NULL ||
                      (room >= *size ? best_room < *size || room < best_room : room > best_room);
        if (better) {
            best = s;
            best_room = room;
        }
    }
    if (best != NULL) {
        uintptr_t p = fai_align_up(best->start, align);
        *size = FAI_MIN(*size, best_room);
        /* What stays in front of p is too small to matter; the tail stays a spare. */
        best->start = t->force_slow ? p + *size : fai_align_up(p + *size, FA_FRAME_GRANULE);
        if (best->start >= best->end) *best = in->spares[--in->nspares];
        return (void *)p;
    }
    *size = fresh;
    if (depth == t->depth) {
        /* Release builds: a spare ending at the cursor is continued with fresh bytes, so a
         * range left at the top of the frame is not lost under the new allocation. */
        fai_spare *top = t->force_slow ? NULL : spare_at_cursor(t, in, scope);
        if (top != NULL) {
            uintptr_t p = fai_align_up(top->start, align);
            size_t have = (size_t)(top->end - p);
            size_t size_ = *size;
            if (p <= top->end && have < size_ && room_at_cursor(t) >= granule(size_ - have)) {
                void *more = fa_frame_alloc_at(fa, size_ - have, FA_FRAME_GRANULE, NULL);
                if (more == NULL) return NULL;
                if ((uintptr_t)more == top->end) {
                    *top = in->spares[--in->nspares];
                    return (void *)p;
                }
                /* Not contiguous after all: keep the fresh bytes as a spare. */
                fai_store_release(t, depth, scope, more, size_ - have, false);
            }
        }
        return fa_frame_alloc_at(fa, *size, align, NULL);
    }
    /* An outer scope's container: inner scopes sit on top of the frame. */
    if (in->nowned == in->capowned) {
        size_t cap = in->capowned ? in->capowned * 2 : 8;
        fai_owned *o = realloc(in->owned, cap * sizeof *o);
        if (o == NULL) {
            fai_error(fa, FA_ERR_OUT_OF_MEMORY, NULL, *size, NULL,
                      "no memory to record the storage of a frame container");
            return NULL;
        }
        in->owned = o;
        in->capowned = cap;
    }
    *size = want; /* a heap block grows by copying: the full step */
    void *p = fa_heap_alloc_at(fa, *size, FAI_MAX(align, (size_t)16), NULL);
    if (p == NULL) return NULL;
    in->owned[in->nowned++] = (fai_owned){p, scope};
    *heap = true;
    return p;
}

void fai_store_release(fai_tstate *t, uint32_t depth, uint64_t scope, void *p, size_t size,
                       bool heap) {
    fai_intent *in = t->intent;
    if (p == NULL || in == NULL) return;
    if (heap) {
        owned_forget(in, p);
        fa_heap_free_at(t->fa, p, NULL);
        return;
    }
    if (!fai_scope_open(t, depth, scope)) return;
    /* Release builds own the granule slack too; checker builds only the bytes handed out. */
    fai_spare n = {(uintptr_t)p, (uintptr_t)p + (t->force_slow ? size : granule(size)), scope,
                   depth, t->rollback_gen};
    unsigned keep = 0;
    for (unsigned i = 0; i < in->nspares; i++) {
        fai_spare *s = &in->spares[i];
        if (!spare_live(t, s)) continue;
        if (!t->force_slow && s->scope == scope && (s->end == n.start || n.end == s->start)) {
            n.start = FAI_MIN(n.start, s->start);
            n.end = FAI_MAX(n.end, s->end);
            continue;
        }
        in->spares[keep++] = *s;
    }
    in->nspares = keep;
    if (in->nspares == FAI_SPARES) {
        /* Full: the smallest range goes (if the new one is not smaller still). */
        unsigned small = 0;
        for (unsigned i = 1; i < FAI_SPARES; i++)
            if (in->spares[i].end - in->spares[i].start <
                in->spares[small].end - in->spares[small].start)
                small = i;
        if (in->spares[small].end - in->spares[small].start >= n.end - n.start) return;
        in->spares[small] = n;
        return;
    }
    in->spares[in->nspares++] = n;
}

/* ---------------------------------------------------------------------------------------- */
/* Vector                                                                                     */
/* ---------------------------------------------------------------------------------------- */

static uintptr_t magic_of(const fa_frame_vec *v) { return VEC_MAGIC ^ (uintptr_t)v; }

void fa_frame_vec_init(fa_frame_vec *v, fa_alloc *fa, size_t elem_size, size_t align) {
    if (bad_handle(v, _Alignof(fa_frame_vec))) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, v, elem_size, NULL,
                  "fa_frame_vec_init(%p): not a vector", (void *)v);
        return;
    }
    memset(v, 0, sizeof *v);
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, v, elem_size, NULL,
                  "fa_frame_vec_init: NULL allocator");
        return;
    }
    if (!fai_check_request(fa, elem_size, align, FA_MAX_ALLOC_SIZE, "fa_frame_vec_init", NULL))
        return;
    if (elem_size % align != 0) {
        fai_error(fa, FA_ERR_BAD_ALIGN, v, elem_size, NULL,
                  "fa_frame_vec_init: element size %zu is not a multiple of its alignment %zu "
                  "(elements after the first would be misaligned)",
                  elem_size, align);
        return;
    }
    fai_tstate *t = fai_bind(fa);
    if (t == NULL) return;
    if (t->depth == 0) {
        fai_error(fa, FA_ERR_NO_FRAME, v, elem_size, NULL,
                  "fa_frame_vec_init outside any frame on this thread");
        return;
    }
    v->fai_elem = elem_size;
    v->fai_align = align;
    v->fai_fa = fa;
    v->fai_scope = t->scopes[t->depth - 1].id;
    v->fai_depth = t->depth;
    v->fai_thread = t->thread_id;
    v->fai_magic = magic_of(v);
}

/* The checks every slow push and reserve make; returns the thread state or NULL (reported). */
static fai_tstate *vec_check(fa_frame_vec *v, const char *what) {
    if (bad_handle(v, _Alignof(fa_frame_vec))) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, v, 0, NULL, "%s(%p): not a vector", what,
                  (void *)v);
        return NULL;
    }
    if (v->fai_magic != magic_of(v)) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, v, 0, NULL,
                  "%s(%p): not an initialised vector (never initialised, initialisation failed, "
                  "or a copy of one: vectors are used through their original struct)",
                  what, (void *)v);
        return NULL;
    }
    fai_tstate *t = fai_bind(v->fai_fa);
    if (t == NULL) return NULL;
    if (v->fai_thread != t->thread_id) {
        fai_report r = {.status = FA_ERR_WRONG_THREAD, .fa = v->fai_fa, .ptr = v->data,
                        .alloc_thread = v->fai_thread, .current_frame = t->frame_number};
        fai_report_error(&r, "%s: vector of thread %llu used on another thread", what,
                         (unsigned long long)v->fai_thread);
        return NULL;
    }
    if (!fai_scope_open(t, v->fai_depth, v->fai_scope)) {
        fai_report r = {.status = FA_ERR_USE_AFTER_FRAME, .fa = v->fai_fa, .ptr = v->data,
                        .current_frame = t->frame_number};
        fai_report_error(&r, "%s: the frame scope of this vector has ended", what);
        return NULL;
    }
    return t;
}

/* Storage of the vector is the newest allocation of the innermost scope, which grows in place. */
static bool vec_is_newest(const fai_tstate *t, const fa_frame_vec *v) {
    if (t->force_slow || (v->fai_flags & VEC_HEAP) != 0 || v->data == NULL ||
        v->fai_depth != t->depth || t->cur_block == NULL)
        return false;
    uintptr_t p = (uintptr_t)v->data;
    const fai_scope *s = &t->scopes[t->depth - 1];
    return p >= t->cur_block->start && p < t->cur_block->end &&
           (s->block != t->cur_block || p >= s->cur) &&
           p + granule(v->cap * v->fai_elem) == fai_cursor_cur(t);
}

/* Grows v to hold at least need elements (exactly need when exact). */
static bool vec_grow(fai_tstate *t, fa_frame_vec *v, size_t need, bool exact) {
    size_t elem = v->fai_elem, bytes;
    if (__builtin_mul_overflow(need, elem, &bytes)) {
        fai_error(v->fai_fa, FA_ERR_OVERFLOW, v->data, need, NULL,
                  "frame vector of %zu elements of %zu bytes overflows size_t", need, elem);
        return false;
    }
    if (bytes > FA_MAX_ALLOC_SIZE) {
        fai_error(v->fai_fa, FA_ERR_TOO_LARGE, v->data, bytes, NULL,
                  "frame vector of %zu bytes is larger than FA_MAX_ALLOC_SIZE", bytes);
        return false;
    }
    size_t max_elems = FA_MAX_ALLOC_SIZE / elem;
    size_t old_bytes = v->cap * elem;
    /* Debug builds: storage a checkpoint rollback released is use after frame (reported), not
     * a range to copy from and hand out again. */
    if (FAI_DEBUG && v->data != NULL && (v->fai_flags & VEC_HEAP) == 0 &&
        fai_debug_check_ptr(v->fai_fa, v->data, NULL, "frame vector growth", false) != FA_OK)
        return false;
    if (vec_is_newest(t, v)) {
        /* In place: small steps cost no copy, and the slack they leave stays small. */
        size_t cap = exact ? need : FAI_MAX(need, v->cap + v->cap / 4 + 1);
        cap = FAI_MIN(cap, max_elems);
        void *p = fa_frame_realloc(v->fai_fa, v->data, old_bytes, cap * elem, v->fai_align);
        if (p == NULL) return false;
        if (p != v->data) /* moved to a fresh block: the old range is a spare now */
            fai_store_release(t, v->fai_depth, v->fai_scope, v->data, old_bytes, false);
        v->data = p;
        v->cap = cap;
        return true;
    }
    /* Release builds: a spare right behind the data is taken over where it is (and, when it
     * reaches the cursor, continued with fresh bytes): growth without a copy. */
    if (!t->force_slow && (v->fai_flags & VEC_HEAP) == 0 && v->data != NULL && t->intent != NULL) {
        uintptr_t p = (uintptr_t)v->data, end = p + granule(old_bytes);
        fai_spare *s = spare_after(t, t->intent, v->fai_scope, end);
        if (s != NULL) {
            size_t want = exact ? need : FAI_MIN(FAI_MAX(need, v->cap + v->cap / 2), max_elems);
            size_t avail = (size_t)(s->end - p) / elem;
            bool top = s->end == fai_cursor_cur(t) && v->fai_depth == t->depth;
            if (avail < want && top && room_at_cursor(t) >= granule(want * elem - (s->end - p))) {
                size_t extra = want * elem - (size_t)(s->end - p);
                void *more = fa_frame_alloc_at(v->fai_fa, extra, FA_FRAME_GRANULE, NULL);
                if (more == NULL) return false;
                if ((uintptr_t)more == s->end) {
                    s->end += granule(extra);
                    avail = want;
                } else {
                    fai_store_release(t, v->fai_depth, v->fai_scope, more, extra, false);
                }
            }
            if (avail >= need) {
                size_t cap = FAI_MIN(avail, want);
                s->start = fai_align_up(p + cap * elem, FA_FRAME_GRANULE);
                if (s->start >= s->end) *s = t->intent->spares[--t->intent->nspares];
                v->cap = cap;
                return true;
            }
        }
    }
    size_t cap = need;
    if (!exact) {
        size_t min = (VEC_MIN_BYTES + elem - 1) / elem;
        cap = FAI_MAX(need, FAI_MAX(min, v->cap * 2));
        cap = FAI_MIN(cap, max_elems);
    }
    bool was_heap = (v->fai_flags & VEC_HEAP) != 0, heap = false;
    void *old = v->data;
    /* The old range joins the spares first so it can merge with its neighbours and be reused
     * right away (memmove: the new place may overlap it). */
    if (old != NULL && !was_heap)
        fai_store_release(t, v->fai_depth, v->fai_scope, old, old_bytes, false);
    size_t got = cap * elem;
    size_t min_cap = exact ? need : FAI_MAX(need, FAI_MIN(cap, v->cap + v->cap / 16));
    size_t top_cap = exact ? need : FAI_MAX(need, FAI_MIN(cap, v->cap + v->cap / 4));
    /* Without in-place growth (checker builds) a small step at the top only means more moves. */
    if (v->data == NULL || t->force_slow) top_cap = cap;
    void *p = fai_store_alloc(t, v->fai_depth, v->fai_scope, min_cap * elem, &got, top_cap * elem,
                              v->fai_align, &heap);
    if (p == NULL) {
        /* Nothing moved; the old range must not be handed out while it still holds the data. */
        if (old != NULL && !was_heap && t->intent != NULL) {
            fai_intent *in = t->intent;
            for (unsigned i = 0; i < in->nspares; i++) {
                fai_spare *s = &in->spares[i];
                if ((uintptr_t)old >= s->start && (uintptr_t)old < s->end) {
                    *s = in->spares[--in->nspares];
                    break;
                }
            }
        }
        return false;
    }
    if (old != NULL) memmove(p, old, v->len * elem);
    if (was_heap) fai_store_release(t, v->fai_depth, v->fai_scope, old, old_bytes, true);
    v->data = p;
    v->cap = got / elem;
    v->fai_flags = heap ? (v->fai_flags | VEC_HEAP) : (v->fai_flags & ~VEC_HEAP);
    return true;
}

void *fai_frame_vec_push_slow(fa_frame_vec *v, size_t elem) {
    fai_tstate *t = vec_check(v, "fa_frame_vec_push");
    if (t == NULL) return NULL;
    if (elem != 0 && elem != v->fai_elem) {
        fai_error(v->fai_fa, FA_ERR_INVALID_ARGUMENT, v->data, elem, NULL,
                  "FA_FRAME_VEC_PUSH of a %zu-byte value into a vector of %zu-byte elements",
                  elem, v->fai_elem);
        return NULL;
    }
    if (v->len == v->cap && !vec_grow(t, v, v->len + 1, false)) return NULL;
    return (char *)v->data + v->len++ * v->fai_elem;
}

void *fa_frame_vec_push(fa_frame_vec *v) {
    if (FAI_DEBUG == 0 && FA_LIKELY(!bad_handle(v, _Alignof(fa_frame_vec)) && v->len < v->cap &&
                                    v->fai_magic == magic_of(v)))
        return (char *)v->data + v->len++ * v->fai_elem;
    return fai_frame_vec_push_slow(v, 0);
}

fa_status fa_frame_vec_reserve(fa_frame_vec *v, size_t n) {
    fai_tstate *t = vec_check(v, "fa_frame_vec_reserve");
    /* Every failure below was reported just now, so the thread's last status is its reason. */
    if (t == NULL) return fa_last_error();
    if (n <= v->cap) return FA_OK;
    return vec_grow(t, v, n, true) ? FA_OK : fa_last_error();
}
