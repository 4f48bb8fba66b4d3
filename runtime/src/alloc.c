/* SPDX-License-Identifier: MIT */
/*
 * alloc.c - allocator lifetime and per-thread state.
 *
 * Owns: fa_create/fa_destroy, the process-wide list of live allocators, thread ids, the
 * per-(thread, allocator) states (fai_tstate) and their binding to the TLS cursor, and what
 * happens when a thread exits.
 *
 * Invariants:
 *  - Serials are never reused, so fai_cursor.serial == fa->head.serial proves the cursor (and
 *    cursor.tstate) belong to the live allocator fa on this thread.
 *  - A tstate is on its allocator's list and on its thread's list until the thread exits or
 *    the allocator is destroyed. fa_destroy releases the tstate's resources and marks it dead
 *    under fai_global_lock; the thread frees dead tstates later (at exit or next registration).
 *  - Only the owning thread touches a tstate's fields, except `dead` (global lock) and `pub`
 *    (relaxed atomics, read by statistics).
 *
 * Threading: fa_create/fa_destroy/registration/thread exit serialise on fai_global_lock; the
 * fast paths never take a lock.
 */
#include "internal.h"
#include "observe.h"

#include <stdlib.h>

fai_mutex fai_global_lock = FAI_MUTEX_INIT;
static fa_alloc *live_list;
static _Atomic uint64_t next_serial = 1;
static _Atomic uint64_t next_thread_id = 1;

FAI_CURSOR_API FAI_THREAD_LOCAL fai_cursor_t fai_cursor FAI_TLS_IE;
static FAI_THREAD_LOCAL uint64_t my_thread_id;
static FAI_THREAD_LOCAL fai_thread *my_thread;

static void thread_exit(void *value);
static bool exit_hook_init(void);

uint64_t fai_thread_id(void) {
    if (FA_UNLIKELY(my_thread_id == 0))
        my_thread_id = atomic_fetch_add_explicit(&next_thread_id, 1, memory_order_relaxed);
    return my_thread_id;
}

uint64_t fa_thread_id(void) { return fai_thread_id(); }

int fa_debug_level(void) { return fai_debug_level; }

/* ---------------------------------------------------------------------------------------- */
/* Configuration                                                                              */
/* ---------------------------------------------------------------------------------------- */

static bool config_resolve(const fa_config *in, fa_config *out) {
    memset(out, 0, sizeof *out);
    if (in != NULL) *out = *in;
    /* Blocks are whole mapping granules (64 KiB on Windows): a smaller block would leave the
     * rest of its granule unusable. */
    size_t gran = fai_prim_alloc_granularity();
    if (out->frame_block_size == 0) out->frame_block_size = (size_t)256 << 10;
    if (out->frame_block_size > FA_MAX_ALLOC_SIZE) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, out->frame_block_size, NULL,
                  "fa_create: frame_block_size %zu is larger than %zu", out->frame_block_size,
                  (size_t)FA_MAX_ALLOC_SIZE);
        return false;
    }
    out->frame_block_size = fai_align_up(out->frame_block_size, gran);
    if (out->max_frame_depth == 0) out->max_frame_depth = 64;
    if (out->max_frame_depth > 4096) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, out->max_frame_depth, NULL,
                  "fa_create: max_frame_depth %u is larger than 4096", out->max_frame_depth);
        return false;
    }
    if (out->pool_keep_empty_pages == 0) out->pool_keep_empty_pages = 2;
    if (out->frames_in_flight > FA_MAX_FRAMES_IN_FLIGHT) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, out->frames_in_flight, NULL,
                  "fa_create: frames_in_flight %u is more than FA_MAX_FRAMES_IN_FLIGHT (%u)",
                  out->frames_in_flight, FA_MAX_FRAMES_IN_FLIGHT);
        return false;
    }
    if ((out->heap_backend.alloc == NULL) != (out->heap_backend.free == NULL)) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_create: heap_backend needs both alloc and free (or neither)");
        return false;
    }
    return true;
}

static int guard_frames_from(const fa_config *cfg) {
    if (!FAI_DEBUG) return 0;
    const char *env = fai_prim_getenv("FRAMEALLOC_GUARD_FRAMES");
    if (env != NULL && *env != '\0') {
        char *end = NULL;
        long v = strtol(env, &end, 10);
        if (end != NULL && *end == '\0' && v >= 0 && v <= 1024) return (int)v;
    }
    if (cfg->guard_frames < 0) return 0;
    if (cfg->guard_frames == 0) return 4;
    return cfg->guard_frames > 1024 ? 1024 : cfg->guard_frames;
}

/* ---------------------------------------------------------------------------------------- */
/* Create / destroy                                                                           */
/* ---------------------------------------------------------------------------------------- */

fa_alloc *fa_create(const fa_config *cfg) {
    fa_config resolved;
    if (!config_resolve(cfg, &resolved)) return NULL;
    if (!exit_hook_init()) {
        fai_error(NULL, FA_ERR_OUT_OF_MEMORY, NULL, 0, NULL, "fa_create: no thread-exit key");
        return NULL;
    }
    fa_alloc *fa = calloc(1, sizeof *fa);
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_OUT_OF_MEMORY, NULL, sizeof *fa, NULL,
                  "fa_create: out of memory");
        return NULL;
    }
    fa->cfg = resolved;
    fa->head.serial = atomic_fetch_add(&next_serial, 1);
    fai_mutex_init(&fa->lock);
    fai_mutex_init(&fa->pool_lock);
    fai_mutex_init(&fa->heap_lock);
    fai_mutex_init(&fa->heap_cache_lock);
    fai_mutex_init(&fa->group_lock);
    atomic_store(&fa->handler, resolved.error_handler);
    atomic_store(&fa->handler_user, resolved.error_user);
    atomic_store(&fa->recovery, resolved.recovery);
    atomic_store(&fa->recovery_user, resolved.recovery_user);
    fa->guard_frames = guard_frames_from(&resolved);
    atomic_store(&fa->frames_in_flight, resolved.frames_in_flight);
    atomic_store(&fa->end_flags, (fa->guard_frames > 0 ? FAI_END_GUARD : 0u) |
                                     (resolved.frames_in_flight > 0 ? FAI_END_INFLIGHT : 0u));
    fai_tags_init(fa);
    fai_obs_init(fa);
    fai_debug_alloc_init(fa);

    fai_mutex_lock(&fai_global_lock);
    fa->next_live = live_list;
    live_list = fa;
    fai_mutex_unlock(&fai_global_lock);
    return fa;
}

/* Releases everything a tstate holds in its allocator. Caller holds fai_global_lock. */
static void tstate_release(fai_tstate *t) {
    fa_alloc *fa = t->fa;
    fai_kept_release(t); /* pool and heap frees: while the thread's pages are still its own */
    fai_intent_thread_release(t); /* before the frames go: it frees heap blocks, not frames */
    fai_debug_thread_release(t);
    fai_frame_release_all(t);
    fai_pool_thread_release(t);
    fai_obs_thread_release(t);

    atomic_fetch_add(&fa->retired_frames, FAI_LOAD(t->pub.frames_completed));
    size_t peak = FAI_LOAD(t->pub.frame_peak);
    size_t old = atomic_load(&fa->retired_frame_peak);
    while (peak > old && !atomic_compare_exchange_weak(&fa->retired_frame_peak, &old, peak)) {}
    fai_mutex_lock(&fa->lock);
    if (t->prev_in_fa != NULL)
        t->prev_in_fa->next_in_fa = t->next_in_fa;
    else
        fa->threads = t->next_in_fa;
    if (t->next_in_fa != NULL) t->next_in_fa->prev_in_fa = t->prev_in_fa;
    fai_mutex_unlock(&fa->lock);
    free(t->scopes);
    t->scopes = NULL;
    free(t->retains);
    t->retains = NULL;
    free(t->kept);
    t->kept = NULL;
    t->dead = true;
}

typedef struct open_frames {
    uint64_t thread;
    unsigned depth;
} open_frames;

static void report_leaks(fa_alloc *fa) {
    fai_thread_bufs *b = fai_thread_bufs_get();
    char fallback[256];
    char *detail = b != NULL ? b->detail : fallback;
    size_t cap = b != NULL ? sizeof b->detail : sizeof fallback;
    detail[0] = '\0';
    size_t pool_count = 0, pool_bytes = 0, heap_bytes = 0, xfer_bytes = 0;
    fai_pool_count(fa, NULL, -1, &pool_count, &pool_bytes, NULL);
    if (pool_count != 0) fai_debug_pool_leaks(fa, detail, cap);
    size_t heap_count = fai_heap_leaks(fa, detail, cap, &heap_bytes);
    size_t xfer_count = fai_transfer_leaks(fa, detail, cap, &xfer_bytes);
    if (pool_count + heap_count + xfer_count == 0) return;
    fai_report r = {.status = FA_ERR_LEAK, .fa = fa, .size = pool_bytes + heap_bytes + xfer_bytes,
                    .detail = detail[0] != '\0' ? detail + 1 : NULL};
    fai_report_error(&r,
                     "fa_destroy with objects outstanding: %zu pool objects (%zu bytes), %zu heap "
                     "blocks (%zu bytes), %zu transfer handles (%zu bytes); all released now",
                     pool_count, pool_bytes, heap_count, heap_bytes, xfer_count, xfer_bytes);
}

void fa_destroy(fa_alloc *fa) {
    if (fa == NULL) return;
    /* Gather open frames first, to report them before anything is torn down (reports run
     * without locks). */
    open_frames open[16];
    size_t n_open = 0, more_open = 0;
    fai_mutex_lock(&fai_global_lock);
    fai_mutex_lock(&fa->lock);
    for (fai_tstate *t = fa->threads; t != NULL; t = t->next_in_fa) {
        unsigned depth = t->thread_id == fai_thread_id() ? t->depth : FAI_LOAD(t->pub.depth);
        if (depth == 0) continue;
        if (n_open < 16)
            open[n_open++] = (open_frames){t->thread_id, depth};
        else
            more_open++;
    }
    fai_mutex_unlock(&fa->lock);
    fai_mutex_unlock(&fai_global_lock);
    for (size_t i = 0; i < n_open; i++) {
        fai_report r = {.status = FA_ERR_DESTROY_IN_FRAME, .fa = fa, .alloc_thread = open[i].thread};
        fai_report_error(&r, "fa_destroy with %u frame scope(s) still open on thread %llu",
                         open[i].depth, (unsigned long long)open[i].thread);
    }
    if (more_open != 0)
        fai_error(fa, FA_ERR_DESTROY_IN_FRAME, NULL, 0, NULL,
                  "fa_destroy: %zu more threads have frames open", more_open);

    /* Groups left are released, not leaks (their descriptors are pool objects: freed while
     * every thread state still exists, before the leak count). */
    fai_group_destroy_all(fa);

    /* The calling thread's cursor must not keep pointing into memory about to be unmapped. */
    if (fai_cursor.serial == fa->head.serial) {
        fai_tstate *t = fai_cursor.tstate;
        t->saved_cur = fai_cursor.cur;
        t->saved_end = fai_cursor.end;
        memset(&fai_cursor, 0, sizeof fai_cursor);
    }

    fai_mutex_lock(&fai_global_lock);
    for (fa_alloc **pp = &live_list; *pp != NULL; pp = &(*pp)->next_live) {
        if (*pp == fa) {
            *pp = fa->next_live;
            break;
        }
    }
    while (fa->threads != NULL) tstate_release(fa->threads);
    fai_mutex_unlock(&fai_global_lock);
    fai_inflight_destroy(fa); /* channels left: their producers are gone */

    /* Leak reports need the allocator intact; they run without locks held. */
    report_leaks(fa);
    fai_transfer_destroy(fa);
    fai_heap_destroy(fa);
    fai_pool_destroy(fa);
    fai_obs_destroy(fa);
    fai_debug_alloc_destroy(fa);

    fai_mutex_destroy(&fa->lock);
    fai_mutex_destroy(&fa->pool_lock);
    fai_mutex_destroy(&fa->heap_lock);
    fai_mutex_destroy(&fa->heap_cache_lock);
    fai_mutex_destroy(&fa->group_lock);
    fa->head.serial = 0;
    free(fa);
}

void fa_set_error_handler(fa_alloc *fa, fa_error_handler fn, void *user) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_set_error_handler: NULL allocator");
        return;
    }
    atomic_store(&fa->handler_user, user);
    atomic_store(&fa->handler, fn);
}

void fa_get_config(const fa_alloc *fa, fa_config *out) {
    if (fa == NULL || out == NULL) return;
    *out = fa->cfg;
    out->error_handler = atomic_load(&((fa_alloc *)fa)->handler);
    out->error_user = atomic_load(&((fa_alloc *)fa)->handler_user);
    out->recovery = atomic_load(&((fa_alloc *)fa)->recovery);
    out->recovery_user = atomic_load(&((fa_alloc *)fa)->recovery_user);
    out->guard_frames = fa->guard_frames > 0 ? fa->guard_frames : -1;
    out->frames_in_flight = atomic_load(&((fa_alloc *)fa)->frames_in_flight);
}

/* ---------------------------------------------------------------------------------------- */
/* Thread states                                                                              */
/* ---------------------------------------------------------------------------------------- */

/* Frees this thread's dead tstates. Caller holds fai_global_lock. */
static void prune_dead(fai_thread *th) {
    fai_tstate **pp = &th->tstates;
    while (*pp != NULL) {
        fai_tstate *t = *pp;
        if (t->dead && fai_cursor.tstate != t) {
            *pp = t->next_in_thread;
            free(t);
        } else {
            pp = &t->next_in_thread;
        }
    }
}

fai_tstate *fai_find_tstate(fa_alloc *fa) {
    if (fa == NULL) return NULL;
    if (fai_cursor.serial == fa->head.serial) return fai_cursor.tstate;
    if (my_thread == NULL) return NULL;
    for (fai_tstate *t = my_thread->tstates; t != NULL; t = t->next_in_thread)
        if (!t->dead && t->serial == fa->head.serial) return t;
    return NULL;
}

/* Installs the thread-exit hook once; fa_create and a thread's first report may race here. */
static fai_mutex exit_hook_lock = FAI_MUTEX_INIT;
static bool exit_hook_ok;

static bool exit_hook_init(void) {
    fai_mutex_lock(&exit_hook_lock);
    if (!exit_hook_ok) exit_hook_ok = fai_prim_thread_exit_init(thread_exit) == 0;
    bool ok = exit_hook_ok;
    fai_mutex_unlock(&exit_hook_lock);
    return ok;
}

/* This thread's record, created (and its exit hook registered) on first use. */
static fai_thread *thread_self(void) {
    if (my_thread == NULL) {
        if (!exit_hook_init()) return NULL;
        fai_thread *th = calloc(1, sizeof *th);
        if (th == NULL) return NULL;
        th->id = fai_thread_id();
        if (fai_prim_thread_exit_register(th) != 0) {
            free(th);
            return NULL;
        }
        my_thread = th;
    }
    return my_thread;
}

fai_thread_bufs *fai_thread_bufs_get(void) {
    fai_thread *th = thread_self();
    if (th == NULL) return NULL;
    if (th->bufs == NULL) th->bufs = malloc(sizeof *th->bufs);
    return th->bufs;
}

static fai_tstate *tstate_create(fa_alloc *fa) {
    if (thread_self() == NULL) return NULL;
    fai_tstate *t = calloc(1, sizeof *t);
    if (t == NULL) return NULL;
    t->scopes = calloc(fa->cfg.max_frame_depth, sizeof *t->scopes);
    if (t->scopes == NULL) {
        free(t);
        return NULL;
    }
    t->fa = fa;
    t->serial = fa->head.serial;
    t->thread_id = fai_thread_id();
    t->force_slow = fai_debug_force_slow();
    t->kept_next = UINT64_MAX;
    t->pool_sets[0] = &t->pool_set0;
    t->pool_cur = &t->pool_set0;
    fai_debug_thread_init(t);

    fai_mutex_lock(&fai_global_lock);
    prune_dead(my_thread);
    fai_mutex_lock(&fa->lock);
    t->next_in_fa = fa->threads;
    if (fa->threads != NULL) fa->threads->prev_in_fa = t;
    fa->threads = t;
    fai_mutex_unlock(&fa->lock);
    t->next_in_thread = my_thread->tstates;
    my_thread->tstates = t;
    fai_mutex_unlock(&fai_global_lock);
    return t;
}

fai_tstate *fai_bind_slow(fa_alloc *fa) {
    if (fa == NULL) return NULL;
    fai_tstate *t = fai_find_tstate(fa);
    if (t == NULL) {
        t = tstate_create(fa);
        if (t == NULL) {
            fai_error(fa, FA_ERR_OUT_OF_MEMORY, NULL, 0, NULL,
                      "no memory for this thread's allocator state");
            return NULL;
        }
    }
    /* Park the cursor's current owner, then load this one. The parked tstate may belong to a
     * destroyed allocator: it is still this thread's memory, so the write is harmless. */
    if (fai_cursor.tstate != NULL) {
        fai_tstate *old = fai_cursor.tstate;
        old->saved_cur = fai_cursor.cur;
        old->saved_end = fai_cursor.end;
    }
    fai_cursor.serial = t->serial;
    fai_cursor.cur = t->saved_cur;
    fai_cursor.end = t->saved_end;
    fai_cursor.tstate = t;
    fai_cursor_pool_load(t);
    return t;
}

/* Runs at thread exit for every thread that used an allocator. */
static void thread_exit(void *value) {
    fai_thread *th = value;
    /* Park the cursor so every tstate's saved_* fields are current. */
    if (fai_cursor.tstate != NULL) {
        fai_tstate *c = fai_cursor.tstate;
        c->saved_cur = fai_cursor.cur;
        c->saved_end = fai_cursor.end;
    }
    memset(&fai_cursor, 0, sizeof fai_cursor);

    for (;;) {
        /* One live tstate at a time: reports run with no lock held. */
        fa_alloc *report_fa = NULL;
        unsigned report_depth = 0;
        uint64_t report_frame = 0;
        bool any = false;
        fai_mutex_lock(&fai_global_lock);
        for (fai_tstate *t = th->tstates; t != NULL; t = t->next_in_thread) {
            if (t->dead) continue;
            any = true;
            if (t->depth > 0) {
                report_fa = t->fa;
                report_depth = t->depth;
                report_frame = t->frame_number;
                t->depth = 0; /* reported once; the release below frees the frames */
            }
            fai_cursor.tstate = t; /* frame.c works on the cursor */
            fai_cursor.serial = t->serial;
            fai_cursor.cur = t->saved_cur;
            fai_cursor.end = t->saved_end;
            fai_cursor_pool_load(t);
            tstate_release(t);
            memset(&fai_cursor, 0, sizeof fai_cursor);
            break;
        }
        fai_mutex_unlock(&fai_global_lock);
        if (report_fa != NULL) {
            /* The allocator is alive here: a thread's exit cannot race with fa_destroy of an
             * allocator it still uses (the program must join it first). */
            fai_report r = {.status = FA_ERR_THREAD_EXIT_IN_FRAME, .fa = report_fa,
                            .current_frame = report_frame};
            fai_report_error(&r, "thread %llu exited with %u frame scope(s) open",
                             (unsigned long long)th->id, report_depth);
        }
        if (!any) break;
    }
    fai_mutex_lock(&fai_global_lock);
    while (th->tstates != NULL) {
        fai_tstate *t = th->tstates;
        th->tstates = t->next_in_thread;
        free(t);
    }
    fai_mutex_unlock(&fai_global_lock);
    free(th->bufs);
    free(th);
    my_thread = NULL;
}
