/* SPDX-License-Identifier: MIT */
/*
 * intent.h - per-thread state of the intent containers and helpers (never installed).
 *
 * fai_intent hangs off a tstate (t->intent), created on first use by the thread that owns the
 * tstate and only ever touched by it: spare frame ranges left behind by containers that moved,
 * heap blocks that back containers of outer scopes, the thread's scratch pools and its phase
 * records. No locks; the hooks below run on the owning thread (scope end, thread exit, or under
 * fa_destroy, when no other thread may use the allocator).
 */
#ifndef FRAMEALLOC_INTENT_H
#define FRAMEALLOC_INTENT_H

#include "internal.h"

/* A frame range [start, end) of a still-open scope that a container no longer uses. */
typedef struct fai_spare {
    uintptr_t start, end;
    uint64_t scope;         /* scope id it belongs to */
    uint32_t depth;         /* that scope's index + 1 */
    uint32_t gen;           /* t->rollback_gen when it was left: a rollback may release it */
} fai_spare;

#define FAI_SPARES 16

/* A heap block backing a container of an outer scope; freed when that scope ends. */
typedef struct fai_owned {
    void *p;
    uint64_t scope;
} fai_owned;

struct fa_scratch;
struct fai_phases;

typedef struct fai_intent {
    fai_spare spares[FAI_SPARES];
    unsigned nspares;
    fai_owned *owned;
    size_t nowned, capowned;
    struct fa_scratch *scratch;      /* this thread's scratch pools (scratch.c) */
    struct fai_phases *phases;       /* phase.c state */
} fai_intent;

/* The calling thread's intent state for t (created on first use; NULL when out of memory,
 * reported). */
fai_intent *fai_intent_get(fai_tstate *t);

/* The scope of index depth-1 with id `scope` is open on t. */
FAI_INLINE bool fai_scope_open(const fai_tstate *t, uint32_t depth, uint64_t scope) {
    return depth != 0 && depth <= t->depth && t->scopes[depth - 1].id == scope;
}

/* Container storage (frame_vec.c): size bytes for a container of scope (depth, id), in frame
 * memory of that scope (a spare range, or fresh frame memory when it is the innermost scope),
 * or else a heap block freed at that scope's end (*heap = true). NULL (reported) on failure.
 * *size bytes are wanted; a spare of at least min_size bytes may be used instead, and *size
 * says what was given. */
void *fai_store_alloc(fai_tstate *t, uint32_t depth, uint64_t scope, size_t min_size,
                      size_t *size, size_t fresh, size_t align, bool *heap) FA_RETURNS_FRAME;
/* Storage a container left: frame ranges become spares of their scope, heap blocks are freed. */
void fai_store_release(fai_tstate *t, uint32_t depth, uint64_t scope, void *p, size_t size,
                       bool heap);

/* scratch.c: frees the thread's scratch pools (thread exit, fa_destroy). */
void fai_scratch_thread_release(fai_tstate *t, fai_intent *in);
/* phase.c: a frame scope ends (before the cursor is rewound); the thread's release. */
void fai_phase_scope_end(fai_tstate *t, fai_intent *in, const fai_scope *s);
void fai_phase_thread_release(fai_tstate *t, fai_intent *in);

#endif /* FRAMEALLOC_INTENT_H */
