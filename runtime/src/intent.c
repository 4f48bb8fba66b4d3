// SPDX-License-Identifier: MIT
/*
 * intent.c - the per-thread state shared by the intent containers and helpers (intent.h):
 * creation, the scope-end hook and the release at thread exit / fa_destroy.
 *
 * At the end of a scope, the heap blocks that backed containers of that scope (grown while an
 * inner scope was open) are freed and the scope's spare ranges forgotten. Spares of scopes that
 * ended some other way are also recognised lazily (fai_scope_open, rollback generation), so the
 * hook never has to be exact to be safe.
 *
 * Threading: a tstate's intent state is only touched by the thread that owns the tstate (and by
 * fa_destroy, when no other thread may use the allocator), except the published phase figures,
 * which statistics read under fa->lock: t->intent is set and cleared under that lock.
 */
#include "intent.h"

#include <stdlib.h>

fai_intent *fai_intent_get(fai_tstate *t) {
    if (FA_LIKELY(t->intent != NULL)) return t->intent;
    fai_intent *in = calloc(1, sizeof *in);
    if (in == NULL) {
        fai_error(t->fa, FA_ERR_OUT_OF_MEMORY, NULL, sizeof *in, NULL,
                  "no memory for this thread's container state");
        return NULL;
    }
    fai_mutex_lock(&t->fa->lock); /* statistics read t->intent under the lock */
    t->intent = in;
    fai_mutex_unlock(&t->fa->lock);
    return in;
}

void fai_intent_scope_end_slow(fai_tstate *t, const fai_scope *s) {
    fai_intent *in = t->intent;
    if (in->phases != NULL) fai_phase_scope_end(t, in, s);
    unsigned keep = 0;
    for (unsigned i = 0; i < in->nspares; i++)
        if (in->spares[i].scope != s->id) in->spares[keep++] = in->spares[i];
    in->nspares = keep;
    size_t k = 0;
    for (size_t i = 0; i < in->nowned; i++) {
        if (in->owned[i].scope == s->id)
            fa_heap_free_at(t->fa, in->owned[i].p, NULL);
        else
            in->owned[k++] = in->owned[i];
    }
    in->nowned = k;
}

void fai_intent_thread_release(fai_tstate *t) {
    fai_intent *in = t->intent;
    if (in == NULL) return;
    fai_mutex_lock(&t->fa->lock);
    t->intent = NULL;
    fai_mutex_unlock(&t->fa->lock);
    for (size_t i = 0; i < in->nowned; i++) fa_heap_free_at(t->fa, in->owned[i].p, NULL);
    free(in->owned);
    fai_scratch_thread_release(t, in);
    fai_phase_thread_release(t, in);
    free(in);
}
