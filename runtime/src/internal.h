/* SPDX-License-Identifier: MIT */
/*
 * internal.h - types and cross-file functions of the runtime (never installed).
 *
 * Objects and who owns them:
 *   fa_alloc      one per fa_create; shared by all threads. Immutable after creation except
 *                 under its locks (lock: thread list, tags; pool_lock: free pages, abandoned
 *                 pages, segments; heap_lock: heap registry) or through atomics (statistics).
 *   fai_tstate    one per (thread, allocator) pair. Allocated and freed by its thread; written
 *                 only by its thread, except `dead`, which fa_destroy sets under fai_global_lock.
 *                 Other threads read only its `pub` block (relaxed atomics).
 *   fai_thread    one per thread that ever used an allocator; the list of its tstates.
 *   fai_cursor    TLS, in the public header: the bump cursor of the tstate used last. While a
 *                 tstate is cached there, cursor.cur/end are authoritative and t->saved_* stale.
 *
 * Lock order: fai_global_lock -> fa->lock -> fa->pool_lock / fa->heap_lock / tag locks.
 * No user callback (error handler) runs with a runtime lock held.
 */
#ifndef FRAMEALLOC_INTERNAL_H
#define FRAMEALLOC_INTERNAL_H

#define FA_NO_SITE_MACROS 1
#include <framealloc.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "prim.h"

/* The header declares the cursor only for consumers that inline the fast path. */
#if !FAI_HAS_TLS_FAST_PATH || defined(FA_NO_INLINE_FAST_PATH)
extern FAI_CURSOR_API FAI_THREAD_LOCAL fai_cursor_t fai_cursor FAI_TLS_IE;
#endif

/* ------------------------------------------------------------------------------------------ */
/* Build modes                                                                                  */
/* ------------------------------------------------------------------------------------------ */

#if defined(__SANITIZE_ADDRESS__)
#define FAI_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAI_ASAN 1
#endif
#endif
#ifndef FAI_ASAN
#define FAI_ASAN 0
#endif

#if defined(__SANITIZE_THREAD__)
#define FAI_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FAI_TSAN 1
#endif
#endif
#ifndef FAI_TSAN
#define FAI_TSAN 0
#endif

/* Written as constants, not #if, so both sides of every mode test are always compiled. */
static const int fai_debug_level = FA_DEBUG;
#define FAI_DEBUG (FA_DEBUG >= 1)

#if defined(__GNUC__)
#define FAI_NOINLINE __attribute__((noinline))
#define FAI_COLD __attribute__((cold))
#define FAI_INLINE static inline __attribute__((always_inline))
#define FAI_UNUSED __attribute__((unused))
#if defined(__MINGW32__)
/* MinGW formats with its own C99 printf (__USE_MINGW_ANSI_STDIO, set by the build). */
#define FAI_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#else
#define FAI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#endif
#else
#define FAI_NOINLINE __declspec(noinline)
#define FAI_COLD
#define FAI_INLINE static __forceinline
#define FAI_UNUSED
#define FAI_PRINTF(f, a)
#endif

/* Test builds only (FAI_TEST_HOOKS): named points where a test may run code on the calling
 * thread to force an interleaving that is otherwise a nanosecond-wide race. Release and debug
 * libraries compile them to nothing. */
#ifdef FAI_TEST_HOOKS
/* A remote pool free has made the object visible to the page's owner (after its CAS). */
extern void (*fai_test_hook_remote_published)(void *p);
#define FAI_TEST_HOOK(name, arg)                                                              \
    do {                                                                                      \
        if (fai_test_hook_##name != NULL) fai_test_hook_##name(arg);                          \
    } while (0)
#else
#define FAI_TEST_HOOK(name, arg) ((void)0)
#endif

#if FA_DEBUG >= 2
#define FAI_ASSERT(c) ((c) ? (void)0 : fai_assert_fail(#c, __FILE__, __LINE__))
#else
#define FAI_ASSERT(c) ((void)0)
#endif
_Noreturn void fai_assert_fail(const char *cond, const char *file, int line);

/* Relaxed atomics for per-thread counters: one writer, any number of readers, no RMW. */
#define FAI_LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)
#define FAI_STORE(x, v) atomic_store_explicit(&(x), (v), memory_order_relaxed)
#define FAI_BUMP(x, v) FAI_STORE(x, FAI_LOAD(x) + (v))

#define FAI_MIN(a, b) ((a) < (b) ? (a) : (b))
#define FAI_MAX(a, b) ((a) > (b) ? (a) : (b))

FAI_INLINE bool fai_is_pow2(size_t x) { return x != 0 && (x & (x - 1)) == 0; }
FAI_INLINE uintptr_t fai_align_up(uintptr_t x, size_t a) { return (x + a - 1) & ~(uintptr_t)(a - 1); }

/* ------------------------------------------------------------------------------------------ */
/* Frame arena                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* A block of frame memory. Descriptors live outside the mapping so guard mode can protect
 * the whole mapping. */
typedef struct fai_block {
    struct fai_block *next; /* next block of the arena chain (spare blocks follow) */
    uintptr_t start, end;   /* usable range, page aligned */
    uintptr_t used_end;     /* bump position when the frame last moved past this block */
    uint64_t retire_frame;  /* guard mode: frame number after which it may be unmapped */
    void *debug;            /* debug.c per-block records */
} fai_block;

/* One open frame scope. */
typedef struct fai_scope {
    fai_block *block;       /* block current at begin */
    uintptr_t cur;          /* bump position at begin */
    size_t used_before;     /* frame bytes in blocks before `block` at begin */
    uint64_t id;            /* unique per thread (debug generation of the scope) */
    uint32_t retain_count;  /* entries of t->retains belonging to this and outer scopes */
    uint32_t tag_depth;     /* tag stack depth at begin */
    size_t counted_prev;    /* t->counted_prev and t->counted_cur at begin (debug builds) */
    uintptr_t counted_cur;
} fai_scope;

/* An ended outermost frame whose memory is kept for frames in flight (inflight.c). Its chain
 * holds live data in [start, used_end) of every block before `last` and [start, last_cur) of
 * `last`; the blocks after `last` hold nothing live. */
typedef struct fai_gen {
    fai_block *chain;       /* NULL: the frame allocated nothing */
    fai_block *last;
    uintptr_t last_cur;
    uint64_t frame;         /* the outermost frame number it was */
    uint64_t expire;        /* released at the end of this frame (never before an older gen) */
    size_t bytes;           /* frame bytes at its end (as fa_thread_stats.frame_bytes counts) */
} fai_gen;
/* fa_alloc.end_flags: guard mode is on (fixed at fa_create); frames in flight were on at some
 * point (never cleared: threads may still keep frames after k went back to 0). */
#define FAI_END_GUARD 1u
#define FAI_END_INFLIGHT 2u

/* Frames kept at once: k, plus the one a frame end pushes before the oldest goes. */
#define FAI_GEN_CAP (FA_MAX_FRAMES_IN_FLIGHT + 1)

typedef struct fai_retain {
    void **slot;
    size_t size;
    fa_retain_policy policy;
    unsigned frames;        /* FA_RETAIN_FOR_FRAMES: frames to keep the copy for */
} fai_retain;

/* A copy kept for frames (retain.c): freed at the end of outermost frame `expire`. */
typedef struct fai_kept {
    void **slot;
    void *copy;
    size_t size;
    uint64_t expire;
    bool heap;              /* a heap block (else a pool object) */
} fai_kept;

/* ------------------------------------------------------------------------------------------ */
/* Pools                                                                                        */
/* ------------------------------------------------------------------------------------------ */

#define FAI_POOL_PAGE_SHIFT 16
#define FAI_POOL_PAGE_SIZE ((size_t)1 << FAI_POOL_PAGE_SHIFT) /* 64 KiB */
#define FAI_SEGMENT_SHIFT 22
#define FAI_SEGMENT_SIZE ((size_t)1 << FAI_SEGMENT_SHIFT) /* 4 MiB */
#define FAI_SEGMENT_PAGES (FAI_SEGMENT_SIZE / FAI_POOL_PAGE_SIZE)  /* page 0 = metadata */
#define FAI_POOL_CLASSES 32
#define FAI_POOL_MAX_ALIGN ((size_t)4096)

struct fai_tstate;

typedef enum fai_page_state {
    FAI_PAGE_FREE = 0,   /* not handed to any thread (decommitted, on fa->free_pages) */
    FAI_PAGE_OWNED,      /* owned by a thread: on one of its queues */
    FAI_PAGE_ABANDONED,  /* owner exited with live objects; on fa->abandoned */
} fai_page_state;

typedef enum fai_page_where { FAI_ON_AVAIL = 0, FAI_ON_FULL, FAI_ON_EMPTY, FAI_ON_NONE } fai_page_where;
/* Set in page->where on counted pages: their local frees fail the free fast path's one test
 * (where != FAI_ON_AVAIL) and are uncharged on the way out, at no cost to other pages. */
#define FAI_WHERE_COUNTED 4u
#define FAI_WHERE_LIST 3u

/* 128 bytes, so a descriptor's address is a shift away from its page index and two pages'
 * descriptors never share a cache line. */
typedef struct fai_page {
    /* free list, used (objects out, owner's view: one writer, read by stats), handed and the
     * exact-start test of the header's free fast path (framealloc.h) */
    _Alignas(128) fai_pool_page_head h;
    _Atomic uintptr_t bump;     /* never-used tail, carved lazily (no page faults up front); */
    uintptr_t bump_end;         /* written by the owner only, read by fa_check_ptr anywhere */
    uint32_t capacity;
    uint32_t block_size;
    uint32_t inv_size;          /* ceil(2^32 / block_size): index by multiply, not divide */
    uint8_t cls, tag, where;    /* where: fai_page_where, | FAI_WHERE_COUNTED */
    _Atomic uint8_t state;      /* fai_page_state */
    uint8_t counted;            /* objects are charged to budgets (fixed from page_init on) */
    uint32_t empty_epoch;       /* owner's pool epoch when the page last became empty */
    /* Remote frees, MPSC push / owner takes all. One word holds the list head (low 48 bits)
     * and how many objects are on it (high 16 bits), so publishing a free and counting it are
     * one CAS: nobody can see the object without its count, and a freeing thread never
     * touches the descriptor after the CAS (the page may be released and reused then). */
    _Atomic uintptr_t thread_free;
    _Atomic(struct fai_tstate *) owner;      /* NULL unless FAI_PAGE_OWNED */
    struct fai_page *next, *prev;            /* list links (owner's queue or fa lists) */
    uintptr_t start;
    void *debug;                             /* debug.c per-object states and sites */
} fai_page;

typedef struct fai_segment {
    uint64_t magic;
    fa_alloc *fa;
    struct fai_segment *next;
    uint32_t pages_handed;      /* pages ever carved from this segment (1..63) */
    fai_page pages[FAI_SEGMENT_PAGES];
} fai_segment;

/* pg->h.used: a relaxed atomic written by the owner only (the header's fast paths use the same
 * builtins on the plain field). */
#define FAI_USED(pg) __atomic_load_n(&(pg)->h.used, __ATOMIC_RELAXED)
#define FAI_SET_USED(pg, v) __atomic_store_n(&(pg)->h.used, (uint32_t)(v), __ATOMIC_RELAXED)

/* One size class's pages on one thread for one tag. */
/* 32 bytes: the fast path indexes queues by class with a shift. */
typedef struct fai_page_queue {
    fai_page *cur;        /* page being allocated from; head of the available list */
    fai_page *full;       /* pages that had nothing left when the thread moved on */
    fai_page *empty;      /* empty pages kept for reuse; beyond cfg.pool_keep_empty_pages they
                             are returned to the OS once idle for FAI_EMPTY_IDLE_FRAMES */
    uint32_t empty_count;
    uint32_t remote_seen; /* fa->remote_hint[cls] (low bits) when the full list was scanned */
} fai_page_queue;

/* An empty page beyond pool_keep_empty_pages is decommitted after staying empty through this
 * many of its thread's frames (never on the free path itself, so a burst that frees and then
 * reallocates a page does not fault it back in); threads without frames hold at most
 * FAI_EMPTY_HARD_CAP empty pages per class until fa_pool_trim. */
#define FAI_EMPTY_IDLE_FRAMES 8
#define FAI_EMPTY_HARD_CAP 32

typedef struct fai_pool_set {
    fai_page_queue q[FAI_POOL_CLASSES];
} fai_pool_set;

/* One scope's budget (budget.c): a warning level and a failing level, 0 = none. */
typedef struct fai_budget {
    _Atomic size_t warn, fail;
    _Atomic int over;               /* above the warning level now (warn once per crossing) */
    _Atomic uint64_t warnings, failures;
    _Atomic size_t peak;            /* highest counted bytes seen */
} fai_budget;

/* Per-thread, per-tag frame charges (one writer: the thread). */
typedef struct fai_tag_ctr {
    _Atomic uint64_t frame_last;  /* frame bytes charged in the last completed frame */
    _Atomic uint64_t frame_peak;
} fai_tag_ctr;

/* ------------------------------------------------------------------------------------------ */
/* Per-(thread, allocator) state                                                                */
/* ------------------------------------------------------------------------------------------ */

/* What other threads may read of a tstate. */
typedef struct fai_pub {
    _Atomic unsigned depth;
    _Atomic uint64_t frame_number;
    _Atomic uint64_t frames_completed;
    _Atomic size_t frame_bytes;
    _Atomic size_t frame_hw_last;
    _Atomic size_t frame_peak;
    _Atomic size_t frame_reserved;
    _Atomic uint64_t heap_allocs, heap_frees;
    _Atomic size_t frame_retained;
    _Atomic unsigned frames_retained;
} fai_pub;

#define FAI_TAG_STACK 16

typedef struct fai_tstate {
    fa_alloc *fa;
    uint64_t serial;             /* fa's serial */
    uint64_t thread_id;
    struct fai_tstate *next_in_fa, *prev_in_fa;
    struct fai_tstate *next_in_thread;
    bool dead;                   /* fa destroyed (set under fai_global_lock) */
    bool force_slow;             /* every frame allocation takes the slow path */

    /* frame arena */
    uintptr_t saved_cur, saved_end; /* valid while not cached in fai_cursor */
    fai_block *blocks;              /* chain head: the first block of every frame */
    fai_block *cur_block;
    size_t used_prev;               /* frame bytes in the blocks before cur_block */
    size_t frame_hw;                /* high water of the open outermost frame */
    size_t hw_decay;                /* high water of recent frames, decaying (settle size) */
    /* Debug builds put a redzone after every frame allocation; the frame's bytes are counted as
     * if there were none (same statistics and limit as release): counted_cur is the release
     * bump position in cur_block, counted_prev the counted bytes of the blocks before it. */
    size_t counted_prev;
    uintptr_t counted_cur;
    size_t reserved;                /* bytes of all blocks */
    bool spilled;                   /* this frame used more than the first block */
    unsigned depth, overflow_depth;
    uint64_t frame_number, scope_ids;
    fai_scope *scopes;              /* max_frame_depth entries */
    fai_retain *retains;
    uint32_t retain_count, retain_cap;
    fai_kept *kept;                 /* copies kept for frames (retain.c) */
    uint32_t kept_count, kept_cap;
    uint64_t kept_next;             /* earliest expire of kept[] (UINT64_MAX when empty) */
    fai_block *quarantine;          /* guard mode: protected blocks waiting out guard_frames */
    /* frames in flight (inflight.c): ended frames kept, oldest at gens[gen_head] */
    fai_gen gens[FAI_GEN_CAP];
    uint32_t gen_head, gen_count;
    size_t gen_bytes;               /* sum of gens[].bytes */
    unsigned end_k;                 /* hooks builds: frames_in_flight read by the outermost end */
    size_t end_bytes;               /* ... and the frame's bytes then (redzones left out) */
    struct fa_frame_channel *channels; /* channels this thread is the producer of */

    /* tags */
    fa_tag tag_stack[FAI_TAG_STACK];
    unsigned tag_depth, tag_overflow;
    fa_tag cur_tag;                 /* top of tag_stack, 0 when empty */
    size_t tag_mark;                /* frame bytes at the last tag boundary */
    size_t tag_frame_bytes[FA_MAX_TAGS];
    uint64_t tag_charged, tag_charged_last; /* tags charged this / the last frame (bitmasks) */

    /* pools */
    fai_pool_set *pool_cur;         /* set of the current tag; &fai_pool_counted_set when the
                                       tag's pool allocations are counted (budget.c) */
    /* [tag] plain pages, [FA_MAX_TAGS + tag] counted pages; [0] is &pool_set0; others are
     * made on first use */
    fai_pool_set *pool_sets[2 * FA_MAX_TAGS];
    uint32_t pool_epoch;            /* outermost frames ended (ages empty pages) */
    uint32_t pool_excess;           /* queues holding more than pool_keep_empty_pages */
    fai_pool_set pool_set0;
    fai_tag_ctr ctr[FA_MAX_TAGS];

    fai_pub pub;
    void *debug;                    /* debug.c per-thread state */

    /* budgets (budget.c): the thread's own budget and what it counts */
    fai_budget budget;              /* FA_BUDGET_THREAD (set and charged by the thread) */
    size_t pool_counted;            /* bytes of live objects in counted pages it owns, remote
                                       frees not yet collected included */
    bool count_all;                 /* every pool allocation of this thread is counted */

    /* checkpoints (checkpoint.c): sequence numbers; (dead_lo, dead_hi] were released by the
     * last rollback that passed newer checkpoints */
    uint64_t cp_seq, cp_dead_lo, cp_dead_hi;
    uint32_t rollback_gen;          /* rollbacks so far (intent.c drops spares they released) */
    size_t heap_bytes_allocated;    /* bytes of heap allocations this thread made (phases) */
    struct fai_intent *intent;      /* intent.c per-thread state (intent.h), NULL until used */
    struct fai_obs_ring *obs;       /* observe.c frame history of this thread, NULL until used */
} fai_tstate;

/* Per-thread report buffers, allocated on a thread's first report and freed at its exit. They
 * live on the heap, not in TLS, so the library's static TLS block stays a few dozen bytes and a
 * module using it can be dlopen'ed (glibc's static TLS surplus for dlopen is ~1.6 KiB). */
typedef struct fai_thread_bufs {
    char msg[512];
    char report[4096];
    char detail[2048];
} fai_thread_bufs;

typedef struct fai_thread {
    uint64_t id;
    fai_tstate *tstates;
    fai_thread_bufs *bufs;
} fai_thread;

/* ------------------------------------------------------------------------------------------ */
/* Allocator                                                                                    */
/* ------------------------------------------------------------------------------------------ */

typedef struct fai_tag_info {
    char name[32];
    fai_budget budget;
    _Atomic int counted;            /* pool allocations of the tag are counted (never reset) */
    _Atomic int64_t heap_bytes;
    _Atomic int64_t pool_bytes;     /* size-class bytes of live objects in counted pages */
    _Atomic int64_t pool_reserved;  /* bytes of pool pages held for this tag */
} fai_tag_info;

typedef struct fai_ptrset {        /* open-addressing set of pointers (ptrset.c) */
    uintptr_t *slots;
    size_t cap, count, tombs;
} fai_ptrset;

/* A mapping of the default heap backend (heap_os.c). */
#define FAI_HEAP_CACHE_SLOTS 16
typedef struct fai_heap_mapping {
    void *base;
    size_t size;
} fai_heap_mapping;

struct fa_alloc {
    fai_alloc_head head;            /* must stay first (read by the inline fast path) */
    fa_config cfg;                  /* effective configuration */
    fai_mutex lock;                 /* threads list, tags */
    fai_tstate *threads;
    struct fa_alloc *next_live;     /* fai_global live list */

    /* pools */
    fai_mutex pool_lock;
    fai_segment *segments;
    fai_page *free_pages;           /* decommitted pages ready for reuse */
    fai_page *abandoned[FAI_POOL_CLASSES]; /* pages of exited threads that hold live objects */
    _Atomic size_t pool_pages_in_use;
    _Atomic uint64_t remote_hint[FAI_POOL_CLASSES]; /* bumped by remote frees into full pages */

    /* heap */
    fai_mutex heap_lock;
    fai_ptrset heap_set;
    void *heap_list;                /* fai_heap_hdr list, for leak reports */
    _Atomic size_t heap_bytes, heap_count, heap_peak;
    fai_mutex heap_cache_lock;      /* heap_os.c: freed mappings kept for reuse (oldest first) */
    unsigned heap_cache_n;
    _Atomic size_t heap_cache_bytes;
    fai_heap_mapping heap_cache[FAI_HEAP_CACHE_SLOTS];

    /* transfers */
    _Atomic size_t transfer_bytes, transfer_count;

    /* counters folded in from exited threads */
    _Atomic uint64_t retired_frames;
    _Atomic size_t retired_frame_peak;
    _Atomic uint64_t errors;

    /* tags and budgets (budget.c) */
    fai_budget budget;              /* the allocator's (FA_BUDGET_GLOBAL) */
    _Atomic int count_all;          /* every pool allocation is counted (never reset) */
    _Atomic int64_t pool_counted;   /* size-class bytes of live objects in counted pages */
    _Atomic int64_t heap_counted;   /* heap charges of every tag (blocks, streams, handles) */
    _Atomic uint64_t budget_warnings, budget_failures; /* every scope's, for fa_stats */
    fai_tag_info tags[FA_MAX_TAGS];
    _Atomic unsigned tag_count;     /* tags registered, including tag 0 */

    /* error handling */
    _Atomic(fa_error_handler) handler;
    _Atomic(void *) handler_user;

    int guard_frames;               /* effective (debug builds) */
    _Atomic unsigned frames_in_flight; /* cfg.frames_in_flight, changed by the setter */
    _Atomic unsigned end_flags;     /* FAI_END_*: what an outermost frame end must look at */
    struct fa_frame_channel *channel_list; /* live frame channels (under lock) */
    _Atomic uint64_t channel_violations;
    void *debug;                    /* debug.c allocator state */

    /* phase names (phase.c): append-only, registered under lock */
    char phase_names[FA_MAX_PHASES][32];
    _Atomic unsigned phase_count;

    /* allocation groups (group.c), under group_lock */
    fai_mutex group_lock;
    struct fa_group *groups;
    _Atomic size_t group_bytes, group_blocks, group_count;

    /* observability (observe.c): FAI_OBS_* bits, read with one relaxed load on cold paths */
    _Atomic unsigned obs_flags;
    struct fai_obs *obs;

    /* recovery (recovery.c) and retention (retain.c) */
    _Atomic(fa_recovery_fn) recovery;
    _Atomic(void *) recovery_user;
    _Atomic uint64_t recovery_attempts, recovery_retries, recovery_successes;
    _Atomic uint64_t retain_fallbacks, retain_failures;
    _Atomic size_t kept_count, kept_bytes;

    /* asset memory (handles.c, stream.c): relaxed counters, changed under each table's or
     * stream's own serialisation, summed by fa_get_stats */
    _Atomic size_t handle_bytes, handle_count, handle_reserved;
    _Atomic size_t stream_bytes, stream_count, stream_reserved;
};

/* ------------------------------------------------------------------------------------------ */
/* Cross-file functions (fai_ prefix)                                                           */
/* ------------------------------------------------------------------------------------------ */

/* alloc.c: registry, thread states */
extern fai_mutex fai_global_lock;
fai_tstate *fai_bind_slow(fa_alloc *fa);
FAI_INLINE fai_tstate *fai_bind(fa_alloc *fa) {
    if (FA_LIKELY(fai_cursor.serial == fa->head.serial)) return (fai_tstate *)fai_cursor.tstate;
    return fai_bind_slow(fa);
}
/* t's bump position: the cursor's while t is cached there, else the parked copy. Meaningful on
 * t's own thread only. */
FAI_INLINE uintptr_t fai_cursor_cur(const fai_tstate *t) {
    return fai_cursor.tstate == t ? fai_cursor.cur : t->saved_cur;
}
/* The tstate of fa on this thread if it exists (never creates one). */
fai_tstate *fai_find_tstate(fa_alloc *fa);
uint64_t fai_thread_id(void);
/* This thread's report buffers; NULL when out of memory (callers fall back to the stack). */
fai_thread_bufs *fai_thread_bufs_get(void);

/* error.c */
typedef struct fai_report {
    fa_status status;
    fa_alloc *fa;
    const void *ptr;
    size_t size, align;
    const char *site, *alloc_site;
    uint64_t alloc_frame, current_frame, alloc_thread;
    const char *detail;             /* extra report lines, or NULL */
} fai_report;
/* Formats and delivers one error (never with a runtime lock held). */
FAI_COLD void fai_report_error(const fai_report *r, const char *fmt, ...) FAI_PRINTF(2, 3);
/* Shorthand: status + message for an allocator. */
FAI_COLD void fai_error(fa_alloc *fa, fa_status st, const void *ptr, size_t size, const char *site,
                        const char *fmt, ...) FAI_PRINTF(6, 7);
/* Validates size/align for any allocation; reports and returns false when bad. */
bool fai_check_request(fa_alloc *fa, size_t size, size_t align, size_t max_size, const char *what,
                       const char *site);
/* A copy source (transfer, promotion) that can never be read is reported; false then. */
bool fai_check_source(fa_alloc *fa, const void *p, size_t size, const char *what,
                      const char *site);

/* error.c: quiet mode of the fa_try_* calls. Between begin and end, failures of a request
 * are recorded (the first one is returned by end) instead of reported; calls nest. */
typedef struct fai_quiet {
    unsigned depth;
    fa_status first;
} fai_quiet;
fai_quiet fai_quiet_begin(void);
fa_status fai_quiet_end(fai_quiet saved);
/* try.c: ends the quiet mode of a try-allocation that returned p and sets *why (if not NULL):
 * FA_OK on success, else the captured reason. Returns p. */
void *fai_try_finish(void *p, fai_quiet saved, fa_status *why);
bool fai_quiet_active(void);

/* error.c: deferred reports of the recovery path (recovery.c). Between begin and end, the first
 * failure of the request for a recoverable status (out of memory, budget, heap or frame limit)
 * is kept in d instead of reported; deliver reports it later, as it would have been. */
typedef struct fai_defer {
    struct fai_defer *prev;
    bool has;
    fai_report rep;
    char msg[384];
} fai_defer;
void fai_defer_begin(fai_defer *d);
void fai_defer_end(fai_defer *d);
void fai_defer_deliver(fai_defer *d);
/* Everything the reporting path keeps per thread (quiet mode, deferral), set aside while the
 * recovery hook runs so that its own allocations report as usual. */
typedef struct fai_report_state {
    fai_quiet quiet;
    fai_defer *defer;
} fai_report_state;
void fai_report_suspend(fai_report_state *saved);
void fai_report_resume(const fai_report_state *saved);

/* recovery.c: the allocation paths call fn(ctx) through fai_recovering when a hook is set: on a
 * recoverable failure the hook runs and fn may run once more. */
typedef void *(*fai_attempt_fn)(void *ctx);
FAI_INLINE bool fai_recovery_armed(fa_alloc *fa) {
    return atomic_load_explicit(&fa->recovery, memory_order_relaxed) != NULL;
}
void *fai_recovering(fa_alloc *fa, fa_alloc_kind kind, size_t size, size_t align,
                     fai_attempt_fn fn, void *ctx);

/* retain.c: retention at scope ends, copies kept for frames. */
void fai_retain_run(fai_tstate *t, uint32_t from); /* scope end: entries [from, retain_count) */
void fai_kept_expire(fai_tstate *t);          /* outermost end: frees expired kept copies */
FAI_INLINE void fai_kept_frame_end(fai_tstate *t) {
    if (FA_UNLIKELY(t->kept_count != 0 && t->kept_next <= t->frame_number)) fai_kept_expire(t);
}
void fai_kept_release(fai_tstate *t);         /* thread exit / fa_destroy: frees every copy */

/* frame.c */
void fai_frame_cursor_sync(fai_tstate *t);    /* cursor end after cur_block/cursor changes */
void fai_frame_release_all(fai_tstate *t);    /* blocks, scopes (thread exit, destroy) */
size_t fai_frame_bytes_now(fai_tstate *t);    /* exact, calling thread only */
void fai_frame_publish(fai_tstate *t);
/* p is in a frame block of t (the open frame's chain or a kept frame's); *live: it is live
 * frame memory (open scopes or a kept frame's data); *blk: the block (may be NULL). */
bool fai_frame_owns(fai_tstate *t, const void *p, bool *live);
bool fai_frame_owns_block(fai_tstate *t, const void *p, bool *live, fai_block **blk);
void fai_frame_block_free(fai_tstate *t, fai_block *b); /* unmaps, uncounts from reserved */

/* inflight.c: frames in flight. frame_end runs at every outermost end with k (the lifetime the
 * frame gets) or kept frames: keeps the chain of the frame that ended (k > 0), releases the
 * kept frames whose window is over and puts their blocks at the head of t->blocks for reuse.
 * Returns true when the chain must be settled again (it is not one block any more). */
bool fai_inflight_frame_end(fai_tstate *t, unsigned k, fai_block *last, uintptr_t last_cur);
/* Thread exit / fa_destroy: ends the thread's publications, frees every kept frame. */
void fai_inflight_thread_release(fai_tstate *t);
void fai_inflight_destroy(fa_alloc *fa);          /* frees channels left */
/* p in a kept frame of t: *live when inside its data; *blk its block. */
bool fai_inflight_owns(const fai_tstate *t, uintptr_t a, bool *live, fai_block **blk);

/* pool.c */
void fai_pool_thread_release(fai_tstate *t);  /* hand pages back at thread exit/destroy */
void fai_pool_destroy(fa_alloc *fa);          /* unmap every segment */
void fai_pool_switch_tag(fai_tstate *t, fa_tag tag);
void fai_pool_age_empty(fai_tstate *t);       /* returns long-idle excess empty pages */
/* Outermost frame end: ages empty pages (the walk only when some queue holds excess ones). */
FAI_INLINE void fai_pool_frame_end(fai_tstate *t) {
    t->pool_epoch++;
    if (FA_UNLIKELY(t->pool_excess != 0)) fai_pool_age_empty(t);
}
bool fai_pool_owns(fa_alloc *fa, const void *p); /* p is a live-looking pool object of fa */
/* Release builds' view of a pointer into a page of fa (debug builds know each object's state):
 * FAI_POBJ_NONE (not inside a handed-out slot), _START, _INTERIOR (of a live object), _FREED. */
enum { FAI_POBJ_NONE = 0, FAI_POBJ_START, FAI_POBJ_INTERIOR, FAI_POBJ_FREED };
int fai_pool_object_state(fa_alloc *fa, const void *p);
bool fai_pool_in_any_segment(const void *p, fa_alloc **owner);
/* Live objects/bytes and pages, optionally of one owner thread and/or one tag (-1 = all). */
void fai_pool_count(fa_alloc *fa, const fai_tstate *owner, int tag, size_t *count, size_t *bytes,
                    size_t *pages);

/* heap.c */
void fai_heap_destroy(fa_alloc *fa);          /* frees every block */
/* Appends report lines for outstanding blocks to buf; returns their count (and bytes). */
size_t fai_heap_leaks(fa_alloc *fa, char *buf, size_t cap, size_t *bytes);
bool fai_heap_owns(fa_alloc *fa, const void *p);
/* heap_os.c: the heap's memory. Returns size bytes (NULL on failure); *mapped is the length of
 * the OS mapping the block is (0: it came from malloc or the configured backend), to hand back
 * to fai_heap_backing_free with the same size. */
void *fai_heap_backing_alloc(fa_alloc *fa, size_t size, size_t *mapped);
/* The heap runs on a configured fa_heap_backend (else on heap_os.c's default). */
FAI_INLINE bool fai_heap_custom_backend(const fa_alloc *fa) {
    return fa->cfg.heap_backend.alloc != NULL;
}
/* Heap block headers record mapping lengths in these units: every OS page size we run on is a
 * multiple of 4 KiB, so no page-size query is needed on the free path. */
#define FAI_HEAP_MAP_UNIT ((size_t)4096)
void fai_heap_backing_free(fa_alloc *fa, void *base, size_t size, size_t mapped);
/* Unmaps every cached mapping (fa_destroy). */
void fai_heap_cache_release(fa_alloc *fa);

/* transfer.c */
void fai_transfer_destroy(fa_alloc *fa);      /* frees the handles of fa */
size_t fai_transfer_leaks(fa_alloc *fa, char *buf, size_t cap, size_t *bytes);

/* tags.c */
void fai_tags_init(fa_alloc *fa);
void fai_tag_charge_frame(fai_tstate *t);     /* charge frame bytes since the last boundary */
void fai_tag_frame_end(fai_tstate *t);        /* outermost end: publish per-tag frame charges */
/* Charges (delta > 0, false when refused: reported, nothing charged) or uncharges heap bytes
 * to tag and the allocator's budget. */
bool fai_tag_heap_charge(fa_alloc *fa, fa_tag tag, int64_t delta, const char *site);
/* Charges a heap block of bytes; the checks leave out bytes freed right after (a realloc's old
 * block): tag_credit of the tag's, all_credit of the allocator's. */
bool fai_budget_heap_charge(fa_alloc *fa, fa_tag tag, size_t bytes, size_t tag_credit,
                            size_t all_credit, const char *site);
/* Makes tag current on t without touching its tag stack, charging the frame bytes allocated
 * since the last boundary to the tag that was current (tagged.c switches there and back). */
void fai_tag_switch(fai_tstate *t, fa_tag tag);

/* budget.c: budgets of tags, the allocator and threads (what each counts: framealloc.h). */
extern fai_pool_set fai_pool_counted_set; /* all-empty: sends the pool fast path to counted_alloc */
/* pool.c: a descriptor head no free matches (handed 0): the cursor's fdesc when none is cached. */
extern fai_pool_page_head fai_pool_no_page;
/* Pool allocations of tag on t are counted (a budget exists on the tag, allocator or thread). */
FAI_INLINE bool fai_budget_counts(const fai_tstate *t, fa_tag tag) {
    return t->count_all ||
           atomic_load_explicit(&t->fa->count_all, memory_order_relaxed) ||
           atomic_load_explicit(&t->fa->tags[tag].counted, memory_order_relaxed);
}
/* Charges bytes of a counted pool object of tag to the tag, the allocator and t; false
 * (reported, nothing charged) when a failing budget refuses. */
bool fai_budget_pool_charge(fai_tstate *t, fa_tag tag, size_t bytes, const char *site);
/* Uncharges tag and allocator (any thread); owner: the page's owner when the caller is it
 * (its pool_counted drops too), else NULL (the owner drops it when it collects the free). */
void fai_budget_pool_uncharge(fa_alloc *fa, fa_tag tag, size_t bytes, fai_tstate *owner);
/* A frame allocation of bytes on t (current tag) needs a new block: false (reported) when a
 * failing tag or thread budget refuses it. */
bool fai_budget_frame_check(fai_tstate *t, size_t bytes, const char *site);
/* Outermost frame end: the thread's frame bytes charged to tag against its budget. */
void fai_budget_frame_end(fai_tstate *t, fa_tag tag, size_t bytes);
void fai_budget_thread_frame_end(fai_tstate *t);
/* pool.c: collects remote frees on every counted page t owns (exact t->pool_counted). */
void fai_pool_collect_counted(fai_tstate *t);

/* intent.c: frame containers, scratch pools, groups (intent.h). The scope-end hook costs one
 * test for threads that never used them. */
struct fai_intent;
void fai_intent_scope_end_slow(fai_tstate *t, const fai_scope *s);
FAI_INLINE void fai_intent_scope_end(fai_tstate *t, const fai_scope *s) {
    if (FA_UNLIKELY(t->intent != NULL)) fai_intent_scope_end_slow(t, s);
}
void fai_intent_thread_release(fai_tstate *t);  /* thread exit / fa_destroy */
void fai_group_destroy_all(fa_alloc *fa);       /* fa_destroy: groups still alive */
void fai_group_stats(fa_alloc *fa, size_t *bytes, size_t *reserved, size_t *count);

/* ptrset.c */
bool fai_ptrset_add(fai_ptrset *s, uintptr_t p);
bool fai_ptrset_remove(fai_ptrset *s, uintptr_t p);
bool fai_ptrset_has(const fai_ptrset *s, uintptr_t p);
void fai_ptrset_free(fai_ptrset *s);

/* ------------------------------------------------------------------------------------------ */
/* Debug hooks (debug.c, debug_mem.c, guard.c)                                                  */
/* ------------------------------------------------------------------------------------------ */

/* Valgrind memcheck client requests are compiled in by the build (FRAMEALLOC_VALGRIND). */
#ifndef FAI_VALGRIND
#define FAI_VALGRIND 0
#endif
/* A build that tells a checker (ASan or valgrind) which bytes are addressable (track.h). */
#define FAI_TRACK (FAI_ASAN || FAI_VALGRIND)
/* A build in which the hooks do anything. Every fai_debug_* hook below is an inline gate on
 * this constant, so plain release builds compile the calls away: the hot paths pay nothing. */
#define FAI_HOOKS (FAI_DEBUG || FAI_TRACK)
/* Bytes at the start of a free pool object the runtime keeps using: the free-list link, plus
 * the release builds' free mark (pool.c). */
#define FAI_POOL_LINK_BYTES (FAI_DEBUG ? sizeof(void *) : 2 * sizeof(void *))

/* Heap blocks carry this many canary bytes after the requested size in debug builds. */
#define FAI_HEAP_CANARY ((size_t)(FAI_DEBUG ? 16 : 0))
/* Frame allocations are followed by this many redzone bytes in debug builds (fill + poison). */
#define FAI_FRAME_REDZONE ((size_t)(FAI_DEBUG ? FA_FRAME_GRANULE : 0))

void fai_dbg_alloc_init(fa_alloc *fa);
void fai_dbg_alloc_destroy(fa_alloc *fa);
void fai_dbg_thread_init(fai_tstate *t);
void fai_dbg_thread_release(fai_tstate *t);
bool fai_dbg_force_slow(void);
void fai_dbg_frame_begin(fai_tstate *t);
void fai_dbg_frame_end(fai_tstate *t);
void fai_dbg_frame_alloc(fai_tstate *t, void *p, size_t size, const char *site);
void fai_dbg_scope_end(fai_tstate *t, const fai_scope *s, uintptr_t from_cur,
                       fai_block *from_block);
void fai_dbg_rollback(fai_tstate *t, fai_block *block, uintptr_t cur, uintptr_t from_cur,
                      fai_block *from_block);
void fai_dbg_gen_keep(fai_tstate *t, const fai_gen *g);
void fai_dbg_gen_expire(fai_tstate *t, const fai_gen *g);
void fai_dbg_block_new(fai_tstate *t, fai_block *b);
void fai_dbg_block_free(fai_tstate *t, fai_block *b);
bool fai_dbg_block_retire(fai_tstate *t, fai_block *b);
fai_block *fai_dbg_block_recycle(fai_tstate *t, size_t size);
void fai_dbg_pool_alloc(fai_page *pg, void *p, size_t size, const char *site);
bool fai_dbg_pool_free(fa_alloc *fa, fai_page *pg, void *p, const char *site);
void fai_dbg_pool_usable(fai_page *pg, const void *p);
void fai_dbg_pool_page_init(fai_page *pg);
void fai_dbg_pool_page_release(fai_page *pg);
void fai_dbg_pool_leaks(fa_alloc *fa, char *buf, size_t cap);
void fai_dbg_heap_alloc(fa_alloc *fa, void *p, size_t size);
void fai_dbg_heap_free(fa_alloc *fa, void *p, size_t size, const char *alloc_site,
                       uint64_t alloc_thread, const char *site);
bool fai_dbg_transfer_free(fa_alloc *fa, void *block, void *payload, size_t size);
void fai_dbg_transfer_drain(fa_alloc *fa);

/* Allocator and thread lifetime. */
FAI_INLINE void fai_debug_alloc_init(fa_alloc *fa) { if (FAI_HOOKS) fai_dbg_alloc_init(fa); }
FAI_INLINE void fai_debug_alloc_destroy(fa_alloc *fa) { if (FAI_HOOKS) fai_dbg_alloc_destroy(fa); }
FAI_INLINE void fai_debug_thread_init(fai_tstate *t) { if (FAI_HOOKS) fai_dbg_thread_init(t); }
FAI_INLINE void fai_debug_thread_release(fai_tstate *t) {
    if (FAI_HOOKS) fai_dbg_thread_release(t);
}
/* tstate_create: every frame allocation must take the slow path (debug and ASan builds, and
 * any valgrind-tracking build that runs under valgrind), so the hooks see all of them. */
FAI_INLINE bool fai_debug_force_slow(void) { return FAI_HOOKS && fai_dbg_force_slow(); }

/* Frames. frame_begin/end: outermost only. scope_end runs before the cursor is rewound:
 * (from_block, from_cur) is where the scope got to, s->(block, cur) where it started. */
FAI_INLINE void fai_debug_frame_begin(fai_tstate *t) { if (FAI_HOOKS) fai_dbg_frame_begin(t); }
FAI_INLINE void fai_debug_frame_end(fai_tstate *t) { if (FAI_HOOKS) fai_dbg_frame_end(t); }
FAI_INLINE void fai_debug_frame_alloc(fai_tstate *t, void *p, size_t size, const char *site) {
    if (FAI_HOOKS) fai_dbg_frame_alloc(t, p, size, site);
}
FAI_INLINE void fai_debug_scope_end(fai_tstate *t, const fai_scope *s, uintptr_t from_cur,
                                    fai_block *from_block) {
    if (FAI_HOOKS) fai_dbg_scope_end(t, s, from_cur, from_block);
}
/* A checkpoint rollback: [(block, cur), (from_block, from_cur)) dies like an ended scope's
 * memory, but its blocks stay in the frame (never kept for guard quarantine). */
FAI_INLINE void fai_debug_rollback(fai_tstate *t, fai_block *block, uintptr_t cur,
                                   uintptr_t from_cur, fai_block *from_block) {
    if (FAI_HOOKS) fai_dbg_rollback(t, block, cur, from_cur, from_block);
}
/* Frames in flight: g was kept at its outermost end (its memory stays live, read-only); later
 * its window is over and its memory dies like an ended scope's. */
FAI_INLINE void fai_debug_gen_keep(fai_tstate *t, const fai_gen *g) {
    if (FAI_HOOKS) fai_dbg_gen_keep(t, g);
}
FAI_INLINE void fai_debug_gen_expire(fai_tstate *t, const fai_gen *g) {
    if (FAI_HOOKS) fai_dbg_gen_expire(t, g);
}
FAI_INLINE void fai_debug_block_new(fai_tstate *t, fai_block *b) {
    if (FAI_HOOKS) fai_dbg_block_new(t, b);
}
FAI_INLINE void fai_debug_block_free(fai_tstate *t, fai_block *b) {
    if (FAI_HOOKS) fai_dbg_block_free(t, b);
}
/* Outermost end: returns true when the block was taken into guard quarantine (caller must not
 * unmap or reuse it). */
FAI_INLINE bool fai_debug_block_retire(fai_tstate *t, fai_block *b) {
    return FAI_DEBUG && fai_dbg_block_retire(t, b);
}
/* Guard mode: a quarantined block of at least size bytes whose guard frames are over, made
 * accessible again (fai_block_new uses it instead of mapping a new block), or NULL. */
FAI_INLINE fai_block *fai_debug_block_recycle(fai_tstate *t, size_t size) {
    return FAI_DEBUG && t->quarantine != NULL ? fai_dbg_block_recycle(t, size) : NULL;
}

/* Pools. pool_alloc: p was just popped from pg for a request of size bytes. pool_free: returns
 * false (after reporting) when p must not be freed (double free). */
FAI_INLINE void fai_debug_pool_alloc(fai_page *pg, void *p, size_t size, const char *site) {
    if (FAI_HOOKS) fai_dbg_pool_alloc(pg, p, size, site);
}
FAI_INLINE bool fai_debug_pool_free(fa_alloc *fa, fai_page *pg, void *p, const char *site) {
    return !FAI_HOOKS || fai_dbg_pool_free(fa, pg, p, site);
}
/* fa_pool_usable_size was asked: the caller may use the whole size class (no canary). */
FAI_INLINE void fai_debug_pool_usable(fai_page *pg, const void *p) {
    if (FAI_HOOKS) fai_dbg_pool_usable(pg, p);
}
FAI_INLINE void fai_debug_pool_page_init(fai_page *pg) { if (FAI_HOOKS) fai_dbg_pool_page_init(pg); }
FAI_INLINE void fai_debug_pool_page_release(fai_page *pg) {
    if (FAI_HOOKS) fai_dbg_pool_page_release(pg);
}
/* Appends one line per allocation site of outstanding pool objects (debug builds). */
FAI_INLINE void fai_debug_pool_leaks(fa_alloc *fa, char *buf, size_t cap) {
    if (FAI_DEBUG) fai_dbg_pool_leaks(fa, buf, cap);
}

/* Heap: p is the user pointer of a block of size bytes followed by FAI_HEAP_CANARY bytes.
 * heap_free runs after the block left the registry and before it is freed. */
FAI_INLINE void fai_debug_heap_alloc(fa_alloc *fa, void *p, size_t size) {
    if (FAI_HOOKS) fai_dbg_heap_alloc(fa, p, size);
}
FAI_INLINE void fai_debug_heap_free(fa_alloc *fa, void *p, size_t size, const char *alloc_site,
                                    uint64_t alloc_thread, const char *site) {
    if (FAI_HOOKS) fai_dbg_heap_free(fa, p, size, alloc_site, alloc_thread, site);
}

/* Transfers: a freed handle (block, its payload of size bytes) is taken into quarantine
 * (true: the caller must not free it); drain frees the quarantined handles of fa (destroy). */
FAI_INLINE bool fai_debug_transfer_free(fa_alloc *fa, void *block, void *payload, size_t size) {
    return FAI_DEBUG && fai_dbg_transfer_free(fa, block, payload, size);
}
FAI_INLINE void fai_debug_transfer_drain(fa_alloc *fa) { if (FAI_DEBUG) fai_dbg_transfer_drain(fa); }

/* Classification and validation: in every build (release classifies only what costs nothing
 * on the hot paths; see debug.c). */
/* Classifies a pointer that failed a pool/heap ownership test and reports it. */
void fai_debug_report_bad_free(fa_alloc *fa, const void *p, const char *what, const char *site);
/* Validates p for `purpose` and reports problems. frame_only: memory that is not frame memory
 * is fine (transfer and promotion sources may be any memory); otherwise p must be live frame
 * memory of this thread or a live pool/heap object of fa. */
fa_status fai_debug_check_ptr(fa_alloc *fa, const void *p, const char *site, const char *purpose,
                              bool frame_only);
fa_status fai_debug_validate(fa_alloc *fa, fai_tstate *t);
/* heap.c: calls fn for every live block (heap_lock held: fn must not report or allocate). */
void fai_heap_walk(fa_alloc *fa, void (*fn)(void *ctx, void *p, size_t size, const char *site),
                   void *ctx);

/* Frame blocks (frame.c), used by debug.c */
fai_block *fai_block_new(fai_tstate *t, size_t min_size, size_t align, size_t prefault);
void fai_block_unmap(fai_block *b);

/* The cursor's pool fields for t, the tstate it now holds: t's current queues (all empty in
 * builds with hooks, which must see every pool operation), no cached free page. A tag switch
 * changes the queues only: the cached page serves frees whatever tag is current. */
FAI_INLINE void fai_cursor_pool_queues(const fai_tstate *t) {
    fai_cursor.pool = FAI_HOOKS || t->pool_cur == NULL ? &fai_pool_counted_set : t->pool_cur;
}
FAI_INLINE void fai_cursor_pool_load(const fai_tstate *t) {
    fai_cursor_pool_queues(t);
    fai_cursor.fpage = 0;
    fai_cursor.fdesc = &fai_pool_no_page;
}

#endif /* FRAMEALLOC_INTERNAL_H */
