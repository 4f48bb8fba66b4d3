/* SPDX-License-Identifier: MIT */
/*
 * inflight.c - frames in flight: ended outermost frames whose memory is kept for k more frames
 * (fa_config.frames_in_flight), and frame channels, through which one consumer thread reads a
 * kept frame of a producer thread without a copy.
 *
 * Generations: at the outermost end of frame E with k > 0, the chain of blocks the frame used
 * becomes a generation (t->gens, a FIFO ring), kept until the end of frame E + k; t->blocks
 * then starts empty. At every outermost end the generations whose window is over are released
 * (debug hooks fill and poison them like an ended scope) and their chains put back at the head
 * of t->blocks, where frame.c's settling reuses them as any other chain: a steady loop rotates
 * k + 1 chains and maps nothing. A frame that allocated nothing keeps its chain (an empty
 * generation only counts the frame). Expiry frames never decrease along the ring (a lowered k
 * waits for the older frames), so the ring is released from its head only and holds at most
 * FA_MAX_FRAMES_IN_FLIGHT + 1 entries.
 *
 * Channels: the producer's publication is pending (thread-private) until its frame ends; then
 * it is stored under the channel's mutex, which is what orders the producer's writes before
 * the consumer's reads (unlock -> lock). The consumer's hold is taken and dropped under the same
 * mutex; before a generation's blocks are reused, its producer locks each of its channels,
 * withdraws a publication of that frame or older, and either waits on the channel's condition
 * variable for the hold to end (FA_CHANNEL_WAIT) or marks the hold violated and reports
 * (FA_CHANNEL_CHECK). So every consumer read that was inside a hold happens before the reuse,
 * or the violation is reported.
 *
 * Threading: generations and the producer's channel list belong to the producer thread. The
 * channel fields marked so are under ch->lock; fa->channel_list is under fa->lock. Lock order:
 * fai_global_lock -> ch->lock (thread exit); fa->lock alone (create/destroy lists). No report
 * is made with a lock held.
 */
#include "internal.h"

#include <stdlib.h>

struct fa_frame_channel {
    fa_alloc *fa;
    fa_channel_mode mode;
    fai_mutex lock;
    fai_cond cond;
    /* producer thread only */
    struct fa_frame_channel *next_of_producer;
    const void *pending;
    uint64_t pending_frame;         /* frame the pending publication belongs to, 0 = none */
    /* under lock */
    fai_tstate *producer;           /* set by the first publish, cleared when it exits */
    uint64_t producer_thread;
    const void *data;               /* newest publication whose window is open, or NULL */
    uint64_t frame;                 /* its frame number (0 with data NULL) */
    uint64_t held;                  /* frame the consumer holds, 0 = no hold */
    uint64_t holder;                /* the consumer's thread */
    bool violated;                  /* the held frame was released under the hold */
    /* under fa->lock */
    struct fa_frame_channel *prev, *next;
};

/* ---------------------------------------------------------------------------------------- */
/* Setting                                                                                    */
/* ---------------------------------------------------------------------------------------- */

fa_status fa_set_frames_in_flight(fa_alloc *fa, unsigned k) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_set_frames_in_flight: NULL allocator");
        return FA_ERR_INVALID_ARGUMENT;
    }
    if (k > FA_MAX_FRAMES_IN_FLIGHT) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, k, NULL,
                  "fa_set_frames_in_flight(%u): more than FA_MAX_FRAMES_IN_FLIGHT (%u); "
                  "nothing changed",
                  k, FA_MAX_FRAMES_IN_FLIGHT);
        return FA_ERR_INVALID_ARGUMENT;
    }
    fai_tstate *t = fai_find_tstate(fa);
    if (t != NULL && t->depth > 0) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, k, NULL,
                  "fa_set_frames_in_flight(%u) inside a frame (depth %u) on this thread; "
                  "nothing changed (set it between frames)",
                  k, t->depth);
        return FA_ERR_INVALID_ARGUMENT;
    }
    /* The flag first: a thread that sees the new k at its next frame end must take the path
     * that reads it (the flag is never cleared, so lowering k later stays visible too). */
    if (k > 0) atomic_fetch_or_explicit(&fa->end_flags, FAI_END_INFLIGHT, memory_order_release);
    atomic_store_explicit(&fa->frames_in_flight, k, memory_order_release);
    return FA_OK;
}

unsigned fa_frames_in_flight(fa_alloc *fa) {
    return fa != NULL ? atomic_load_explicit(&fa->frames_in_flight, memory_order_relaxed) : 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Generations                                                                                */
/* ---------------------------------------------------------------------------------------- */

static void publish_stats(fai_tstate *t) {
    FAI_STORE(t->pub.frame_retained, t->gen_bytes);
    FAI_STORE(t->pub.frames_retained, t->gen_count);
}

/* Producer, frame end: stores what was published during frame (if k > 0). */
static void channels_publish(fai_tstate *t, uint64_t frame, bool keep) {
    for (fa_frame_channel *ch = t->channels; ch != NULL; ch = ch->next_of_producer) {
        if (ch->pending_frame == 0) continue;
        bool mine = keep && ch->pending_frame == frame;
        fai_mutex_lock(&ch->lock);
        if (mine) {
            ch->data = ch->pending;
            ch->frame = ch->pending != NULL ? frame : 0;
        }
        fai_mutex_unlock(&ch->lock);
        ch->pending = NULL;
        ch->pending_frame = 0;
    }
}

/* Producer, before the blocks of frame `frame` are reused: no hold may still be on it. */
static void channels_expire(fai_tstate *t, uint64_t frame) {
    for (fa_frame_channel *ch = t->channels; ch != NULL; ch = ch->next_of_producer) {
        bool report = false;
        uint64_t held = 0, holder = 0;
        fai_mutex_lock(&ch->lock);
        if (ch->data != NULL && ch->frame <= frame) {
            ch->data = NULL;
            ch->frame = 0;
        }
        while (ch->held != 0 && ch->held <= frame && !ch->violated) {
            /* The producer never waits on itself: that hold could never end. */
            if (ch->mode == FA_CHANNEL_WAIT && ch->holder != t->thread_id) {
                fai_cond_wait(&ch->cond, &ch->lock);
                continue;
            }
            ch->violated = true;
            report = true;
            held = ch->held;
            holder = ch->holder;
        }
        fai_mutex_unlock(&ch->lock);
        if (report) {
            atomic_fetch_add_explicit(&t->fa->channel_violations, 1, memory_order_relaxed);
            fai_report r = {.status = FA_ERR_USE_AFTER_FRAME, .fa = t->fa,
                            .current_frame = t->frame_number, .alloc_frame = held,
                            .alloc_thread = t->thread_id};
            fai_report_error(&r,
                             "frame channel: thread %llu still holds frame %llu at the end of "
                             "frame %llu, when its memory is reused (frames_in_flight %u): the "
                             "consumer must release before the producer ends frame N + k",
                             (unsigned long long)holder, (unsigned long long)held,
                             (unsigned long long)t->frame_number,
                             atomic_load_explicit(&t->fa->frames_in_flight,
                                                  memory_order_relaxed));
        }
    }
}

/* The frame's bytes at its end, as fa_thread_stats.frame_bytes counted them: the used part of
 * every block up to last (hooks builds measured it before their redzones could count). */
static size_t chain_bytes(const fai_tstate *t, const fai_block *last, uintptr_t last_cur) {
    if (FAI_HOOKS) return t->end_bytes;
    size_t n = 0;
    for (const fai_block *b = t->blocks; b != NULL; b = b->next) {
        if (b == last) return n + (size_t)(last_cur - b->start);
        n += (size_t)(b->used_end - b->start);
    }
    return n;
}

bool fai_inflight_frame_end(fai_tstate *t, unsigned k, fai_block *last, uintptr_t last_cur) {
    uint64_t now = t->frame_number;
    if (k > 0) {
        size_t bytes = last != NULL ? chain_bytes(t, last, last_cur) : 0;
        fai_gen g = {.frame = now, .expire = now + k, .bytes = bytes};
        if (t->gen_count != 0) {
            const fai_gen *newest = &t->gens[(t->gen_head + t->gen_count - 1) % FAI_GEN_CAP];
            g.expire = FAI_MAX(g.expire, newest->expire);
        }
        bool empty = last == NULL || (last == t->blocks && last_cur == last->start);
        if (!empty) {
            last->used_end = last_cur;
            g.chain = t->blocks;
            g.last = last;
            g.last_cur = last_cur;
            t->blocks = NULL;
            fai_debug_gen_keep(t, &g);
        } else {
            g.bytes = 0;
        }
        FAI_ASSERT(t->gen_count < FAI_GEN_CAP);
        t->gens[(t->gen_head + t->gen_count) % FAI_GEN_CAP] = g;
        t->gen_count++;
        t->gen_bytes += g.bytes;
    }
    channels_publish(t, now, k > 0);

    fai_block *spare = NULL, **tail = &spare;
    while (t->gen_count != 0 && t->gens[t->gen_head].expire <= now) {
        fai_gen g = t->gens[t->gen_head];
        t->gen_head = (t->gen_head + 1) % FAI_GEN_CAP;
        t->gen_count--;
        t->gen_bytes -= g.bytes;
        channels_expire(t, g.frame);
        if (g.chain == NULL) continue;
        fai_debug_gen_expire(t, &g);
        *tail = g.chain;
        while (*tail != NULL) tail = &(*tail)->next;
    }
    if (spare != NULL) {
        *tail = t->blocks;
        t->blocks = spare;
    }
    publish_stats(t);
    return t->blocks == NULL || t->blocks->next != NULL;
}

bool fai_inflight_owns(const fai_tstate *t, uintptr_t a, bool *live, fai_block **blk) {
    for (uint32_t i = 0; i < t->gen_count; i++) {
        const fai_gen *g = &t->gens[(t->gen_head + i) % FAI_GEN_CAP];
        bool before_last = true;
        for (fai_block *b = g->chain; b != NULL; b = b->next) {
            if (a >= b->start && a < b->end) {
                uintptr_t live_end = b == g->last ? g->last_cur : b->used_end;
                *live = before_last && a < live_end;
                *blk = b;
                return true;
            }
            if (b == g->last) before_last = false;
        }
    }
    return false;
}

void fai_inflight_thread_release(fai_tstate *t) {
    for (fa_frame_channel *ch = t->channels; ch != NULL;) {
        fa_frame_channel *next = ch->next_of_producer;
        fai_mutex_lock(&ch->lock);
        ch->producer = NULL;
        ch->producer_thread = 0;
        ch->data = NULL;
        ch->frame = 0;
        /* The memory goes now: a hold left is a violation its release reports. */
        if (ch->held != 0 && !ch->violated) {
            ch->violated = true;
            atomic_fetch_add_explicit(&t->fa->channel_violations, 1, memory_order_relaxed);
        }
        fai_mutex_unlock(&ch->lock);
        ch->next_of_producer = NULL;
        ch->pending = NULL;
        ch->pending_frame = 0;
        ch = next;
    }
    t->channels = NULL;
    while (t->gen_count != 0) {
        fai_gen g = t->gens[t->gen_head];
        t->gen_head = (t->gen_head + 1) % FAI_GEN_CAP;
        t->gen_count--;
        for (fai_block *b = g.chain; b != NULL;) {
            fai_block *next = b->next;
            fai_frame_block_free(t, b);
            b = next;
        }
    }
    t->gen_head = 0;
    t->gen_bytes = 0;
    publish_stats(t);
}

/* ---------------------------------------------------------------------------------------- */
/* Channels                                                                                   */
/* ---------------------------------------------------------------------------------------- */

fa_frame_channel *fa_frame_channel_create(fa_alloc *fa, fa_channel_mode mode) {
    if (fa == NULL || (mode != FA_CHANNEL_WAIT && mode != FA_CHANNEL_CHECK)) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_frame_channel_create: %s", fa == NULL ? "NULL allocator" : "unknown mode");
        return NULL;
    }
    fa_frame_channel *ch = calloc(1, sizeof *ch);
    if (ch == NULL) {
        fai_error(fa, FA_ERR_OUT_OF_MEMORY, NULL, sizeof *ch, NULL,
                  "fa_frame_channel_create: out of memory");
        return NULL;
    }
    ch->fa = fa;
    ch->mode = mode;
    fai_mutex_init(&ch->lock);
    fai_cond_init(&ch->cond);
    fai_mutex_lock(&fa->lock);
    ch->next = fa->channel_list;
    if (ch->next != NULL) ch->next->prev = ch;
    fa->channel_list = ch;
    fai_mutex_unlock(&fa->lock);
    return ch;
}

static void channel_free(fa_frame_channel *ch) {
    fai_cond_destroy(&ch->cond);
    fai_mutex_destroy(&ch->lock);
    free(ch);
}

void fa_frame_channel_destroy(fa_frame_channel *ch) {
    if (ch == NULL) return;
    fa_alloc *fa = ch->fa;
    uint64_t me = fai_thread_id();
    fai_mutex_lock(&ch->lock);
    bool held = ch->held != 0;
    fai_tstate *producer = ch->producer;
    uint64_t pthread = ch->producer_thread;
    fai_mutex_unlock(&ch->lock);
    if (held || (producer != NULL && pthread != me)) {
        fai_error(fa, held ? FA_ERR_INVALID_ARGUMENT : FA_ERR_WRONG_THREAD, ch, 0, NULL,
                  "fa_frame_channel_destroy: %s; nothing was destroyed",
                  held ? "the consumer still holds a publication"
                       : "called on another thread than the channel's producer");
        return;
    }
    if (producer != NULL) { /* on its own thread: its list is ours to change */
        for (fa_frame_channel **pp = &producer->channels; *pp != NULL;
             pp = &(*pp)->next_of_producer) {
            if (*pp == ch) {
                *pp = ch->next_of_producer;
                break;
            }
        }
    }
    fai_mutex_lock(&fa->lock);
    if (ch->prev != NULL)
        ch->prev->next = ch->next;
    else
        fa->channel_list = ch->next;
    if (ch->next != NULL) ch->next->prev = ch->prev;
    fai_mutex_unlock(&fa->lock);
    channel_free(ch);
}

void fai_inflight_destroy(fa_alloc *fa) {
    fa_frame_channel *ch = fa->channel_list;
    fa->channel_list = NULL;
    while (ch != NULL) {
        fa_frame_channel *next = ch->next;
        channel_free(ch);
        ch = next;
    }
}

/* a (live frame memory of t's open frame) lies in the outermost scope, not a nested one. */
static bool in_outermost(const fai_tstate *t, uintptr_t a) {
    if (t->depth < 2) return true;
    const fai_scope *inner = &t->scopes[1];
    if (inner->block == NULL) return false; /* the outer scope had allocated nothing */
    for (const fai_block *b = t->blocks; b != NULL; b = b->next) {
        if (b == inner->block) return a >= b->start && a < inner->cur;
        if (a >= b->start && a < b->end) return true;
    }
    return false;
}

fa_status fa_frame_channel_publish(fa_frame_channel *ch, const void *data) {
    if (ch == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_frame_channel_publish: NULL channel");
        return FA_ERR_INVALID_ARGUMENT;
    }
    fa_alloc *fa = ch->fa;
    fai_tstate *t = fai_bind(fa);
    if (t == NULL) return FA_ERR_OUT_OF_MEMORY;
    if (t->depth == 0) {
        fai_error(fa, FA_ERR_NO_FRAME, data, 0, NULL,
                  "fa_frame_channel_publish outside any frame on this thread");
        return FA_ERR_NO_FRAME;
    }
    /* Acquire: a k seen here comes with the flag that makes this thread's frame end look. */
    if (atomic_load_explicit(&fa->frames_in_flight, memory_order_acquire) == 0) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, data, 0, NULL,
                  "fa_frame_channel_publish with frames_in_flight 0: frame memory dies at the "
                  "end of its frame, no consumer could read it (use fa_transfer_create)");
        return FA_ERR_INVALID_ARGUMENT;
    }
    if (data != NULL) {
        bool live = false;
        fai_block *blk = NULL;
        bool owned = fai_frame_owns_block(t, data, &live, &blk);
        bool kept_live = false;
        fai_block *kept_blk = NULL; /* blocks are in one chain only: the open frame's or a kept */
        bool kept = owned && fai_inflight_owns(t, (uintptr_t)data, &kept_live, &kept_blk);
        if (!owned || !live) {
            fa_status st = fai_debug_check_ptr(fa, data, NULL, "fa_frame_channel_publish",
                                               false);
            if (st == FA_OK) {
                st = FA_ERR_FOREIGN_POINTER;
                fai_error(fa, st, data, 0, NULL,
                          "fa_frame_channel_publish(%p): not frame memory of this thread; "
                          "nothing was published",
                          data);
            }
            return st;
        }
        if (kept || !in_outermost(t, (uintptr_t)data)) {
            fai_error(fa, FA_ERR_INVALID_ARGUMENT, data, 0, NULL,
                      "fa_frame_channel_publish(%p): %s; nothing was published", data,
                      kept ? "memory of an earlier, ended frame (publish in the frame that "
                             "allocated it)"
                           : "memory of a nested scope, which dies at the end of that scope "
                             "(allocate it in the outermost scope)");
            return FA_ERR_INVALID_ARGUMENT;
        }
    }
    fai_mutex_lock(&ch->lock);
    fai_tstate *producer = ch->producer;
    if (producer == NULL) {
        ch->producer = t;
        ch->producer_thread = t->thread_id;
    }
    fai_mutex_unlock(&ch->lock);
    if (producer != NULL && producer != t) {
        fai_error(fa, FA_ERR_WRONG_THREAD, data, 0, NULL,
                  "fa_frame_channel_publish: the channel's producer is another thread; "
                  "nothing was published");
        return FA_ERR_WRONG_THREAD;
    }
    if (producer == NULL) {
        ch->next_of_producer = t->channels;
        t->channels = ch;
    }
    ch->pending = data;
    ch->pending_frame = t->frame_number;
    return FA_OK;
}

const void *fa_frame_channel_acquire(fa_frame_channel *ch, uint64_t *frame) {
    if (frame != NULL) *frame = 0;
    if (ch == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_frame_channel_acquire: NULL channel");
        return NULL;
    }
    uint64_t me = fai_thread_id();
    fai_mutex_lock(&ch->lock);
    if (ch->held != 0) {
        uint64_t held = ch->held, holder = ch->holder;
        fai_mutex_unlock(&ch->lock);
        fai_error(ch->fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_frame_channel_acquire: thread %llu already holds frame %llu (one hold at "
                  "a time: release it first); the hold is kept",
                  (unsigned long long)holder, (unsigned long long)held);
        return NULL;
    }
    const void *p = ch->data;
    if (p != NULL) {
        ch->held = ch->frame;
        ch->holder = me;
        ch->violated = false;
        if (frame != NULL) *frame = ch->frame;
    }
    fai_mutex_unlock(&ch->lock);
    return p;
}

fa_status fa_frame_channel_release(fa_frame_channel *ch) {
    if (ch == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_frame_channel_release: NULL channel");
        return FA_ERR_INVALID_ARGUMENT;
    }
    uint64_t me = fai_thread_id();
    fai_mutex_lock(&ch->lock);
    uint64_t held = ch->held, holder = ch->holder;
    bool violated = ch->violated;
    if (held != 0 && holder == me) {
        ch->held = 0;
        ch->holder = 0;
        ch->violated = false;
        fai_cond_broadcast(&ch->cond);
    }
    fai_mutex_unlock(&ch->lock);
    if (held == 0) {
        fai_error(ch->fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_frame_channel_release with no hold");
        return FA_ERR_INVALID_ARGUMENT;
    }
    if (holder != me) {
        fai_error(ch->fa, FA_ERR_WRONG_THREAD, NULL, 0, NULL,
                  "fa_frame_channel_release: the hold belongs to thread %llu; it is kept",
                  (unsigned long long)holder);
        return FA_ERR_WRONG_THREAD;
    }
    if (violated) {
        fai_report r = {.status = FA_ERR_USE_AFTER_FRAME, .fa = ch->fa, .alloc_frame = held};
        fai_report_error(&r,
                         "frame channel: frame %llu was reused by its producer while this "
                         "thread held it (released too late): what was read may be garbage",
                         (unsigned long long)held);
        return FA_ERR_USE_AFTER_FRAME;
    }
    return FA_OK;
}
