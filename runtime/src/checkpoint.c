/*
 * checkpoint.c - frame checkpoints: mark a position in the innermost scope, roll back to it.
 *
 * A checkpoint is a value (fa_checkpoint) holding the scope's id, the block and bump position,
 * and the frame bytes in use when it was taken. Rolling back does for the tail of the scope
 * what fa_end_frame does for a whole scope: charge tags, fold the high-water mark, drop the
 * retentions of released memory, let the debug hooks poison and record the range, rewind the
 * cursor. Blocks are never freed here (only the outermost frame end does that), so every
 * block a checkpoint names is still in the chain while its scope is open.
 *
 * Validity: a checkpoint belongs to one (allocator, thread, scope). Positions in a scope only
 * move back through rollbacks, so a checkpoint beyond the current position was released by an
 * earlier rollback; one that was released and then overtaken again by new allocations is caught
 * by the sequence range of the last rollback that passed newer checkpoints (cp_dead_lo/hi).
 *
 * Threading: the calling thread's state only; no locks.
 */
#include "internal.h"

fa_checkpoint fa_frame_checkpoint(fa_alloc *fa) {
    fa_checkpoint cp;
    memset(&cp, 0, sizeof cp);
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_frame_checkpoint: NULL allocator");
        return cp;
    }
    fai_tstate *t = fai_bind(fa);
    if (t == NULL) return cp;
    if (t->depth == 0) {
        fai_error(fa, FA_ERR_NO_FRAME, NULL, 0, NULL, "fa_frame_checkpoint outside any frame");
        return cp;
    }
    cp.fai_scope = t->scopes[t->depth - 1].id;
    cp.fai_seq = ++t->cp_seq;
    cp.fai_thread = t->thread_id;
    cp.fai_serial = t->serial;
    cp.fai_block = t->cur_block;
    cp.fai_cur = t->cur_block != NULL ? fai_cursor_cur(t) : 0;
    cp.fai_bytes = fai_frame_bytes_now(t);
    cp.fai_counted_cur = t->counted_cur;
    cp.fai_counted_prev = t->counted_prev;
    return cp;
}

/* addr lies in the part of the scope being released: from (block, cur) up to the cursor. */
static bool released(const fai_tstate *t, const fai_block *block, uintptr_t cur, uintptr_t now,
                     uintptr_t addr) {
    for (const fai_block *b = block != NULL ? block : t->blocks; b != NULL; b = b->next) {
        uintptr_t lo = b == block ? cur : b->start;
        uintptr_t hi = b == t->cur_block ? now : b->used_end;
        if (addr >= lo && addr < hi) return true;
        if (b == t->cur_block) break;
    }
    return false;
}

static bool scope_is_open(const fai_tstate *t, uint64_t id) {
    for (unsigned i = 0; i < t->depth; i++)
        if (t->scopes[i].id == id) return true;
    return false;
}

/* Reports why cp cannot be rolled back here, or returns FA_OK. */
static fa_status check(fa_alloc *fa, fai_tstate *t, const fa_checkpoint *cp) {
    const char *why = NULL;
    fa_status st = FA_ERR_INVALID_ARGUMENT;
    if (cp->fai_scope == 0) {
        why = "an empty checkpoint (taken outside a frame, or never taken)";
    } else if (cp->fai_serial != t->serial) {
        why = "a checkpoint of another allocator";
    } else if (cp->fai_thread != t->thread_id) {
        st = FA_ERR_WRONG_THREAD;
        why = "a checkpoint of another thread";
    } else if (t->depth == 0 || t->scopes[t->depth - 1].id != cp->fai_scope) {
        if (scope_is_open(t, cp->fai_scope)) {
            why = "a checkpoint of an outer scope (end the inner scopes first)";
        } else {
            st = FA_ERR_USE_AFTER_FRAME;
            why = "a checkpoint of a frame scope that has ended";
        }
    } else if (cp->fai_bytes > fai_frame_bytes_now(t) ||
               (cp->fai_seq > t->cp_dead_lo && cp->fai_seq <= t->cp_dead_hi)) {
        why = "a checkpoint that an earlier rollback already released";
    }
    if (why == NULL) return FA_OK;
    fai_error(fa, st, NULL, 0, NULL, "fa_frame_rollback to %s; nothing was released", why);
    return st;
}

void fa_frame_rollback(fa_alloc *fa, fa_checkpoint cp) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_frame_rollback: NULL allocator");
        return;
    }
    fai_tstate *t = fai_bind(fa);
    if (t == NULL || check(fa, t, &cp) != FA_OK) return;
    fai_block *block = cp.fai_block;
    uintptr_t now = fai_cursor_cur(t);
    fai_scope *s = &t->scopes[t->depth - 1];

    t->frame_hw = FAI_MAX(t->frame_hw, fai_frame_bytes_now(t));
    fai_tag_charge_frame(t);
    /* Retentions of released memory would copy dead bytes at the scope's end. */
    uint32_t keep = s->retain_count;
    for (uint32_t i = s->retain_count; i < t->retain_count; i++) {
        fai_retain *r = &t->retains[i];
        if (*r->slot != NULL && t->cur_block != NULL &&
            released(t, block, cp.fai_cur, now, (uintptr_t)*r->slot))
            continue;
        t->retains[keep++] = *r;
    }
    t->retain_count = keep;
    fai_debug_rollback(t, block, cp.fai_cur, now, t->cur_block);

    if (cp.fai_seq < t->cp_seq) {
        /* Newer checkpoints are released too; extend the last dead range when they touch. */
        if (t->cp_dead_hi < cp.fai_seq || cp.fai_seq < t->cp_dead_lo) t->cp_dead_lo = cp.fai_seq;
        t->cp_dead_hi = t->cp_seq;
    }
    t->rollback_gen++; /* frame containers drop the spare ranges it may have released */
    t->cur_block = block;
    fai_cursor.cur = block != NULL ? cp.fai_cur : 0;
    if (block == NULL) t->used_prev = 0;
    else t->used_prev = cp.fai_bytes - (size_t)(cp.fai_cur - block->start);
    t->counted_cur = cp.fai_counted_cur;
    t->counted_prev = cp.fai_counted_prev;
    t->tag_mark = FAI_MIN(t->tag_mark, fai_frame_bytes_now(t));
    fai_frame_cursor_sync(t);
    fai_frame_publish(t);
}
