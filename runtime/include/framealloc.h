/* SPDX-License-Identifier: MIT */
/*
 * framealloc.h - intent-aware, thread-smart memory allocation for game engines.
 *
 * The whole public API. One fa_alloc is shared by every thread of an engine; each thread gets,
 * on first use, its own state in it:
 *
 *   frame  fa_begin_frame / fa_frame_alloc / fa_end_frame. Bump allocation in a per-thread arena.
 *          Frames nest (LIFO scopes); fa_end_frame releases, in O(1), everything the calling
 *          thread allocated since the matching fa_begin_frame. Frame memory belongs to the
 *          thread that allocated it and dies at the end of its scope.
 *   pool   fa_pool_alloc / fa_pool_free. Size-classed small objects that live across frames.
 *          Any thread may free any pool object.
 *   heap   fa_heap_alloc / fa_heap_realloc / fa_heap_free. Tracked large blocks.
 *   transfer  fa_transfer_create copies frame data into a handle that any thread may receive;
 *          the one sanctioned way for frame data to reach another thread.
 *
 * Errors never print (release builds) and never crash: every failure returns NULL or a status
 * and is passed to the allocator's error handler (see fa_config.error_handler). Debug builds
 * (FA_DEBUG >= 1) add use-after-frame detection; see docs/debugging.md.
 *
 * Thread safety: every function may be called from any thread unless its comment says
 * otherwise. Frame functions act on the calling thread's frame state only.
 *
 * Compiles as C11 and as C++ (the declarations are extern "C").
 */
#ifndef FRAMEALLOC_H
#define FRAMEALLOC_H

#include <stddef.h>
#include <stdint.h>

#include <framealloc/annotations.h>

#define FA_VERSION_MAJOR 0
#define FA_VERSION_MINOR 3
#define FA_VERSION_PATCH 0
#define FA_VERSION (FA_VERSION_MAJOR * 10000 + FA_VERSION_MINOR * 100 + FA_VERSION_PATCH)

/* FA_DEBUG: 0 = release; 1 = debug checks (allocation sites, generations, poisoning, guard
 * mode); 2 = plus internal assertions; 3 = plus expensive invariant walks. A debug library
 * exports it to consumers (CMake target and pkg-config), so allocation sites are captured. */
#ifndef FA_DEBUG
#define FA_DEBUG 0
#endif

/* ------------------------------------------------------------------------------------------ */
/* Compiler helpers                                                                            */
/* ------------------------------------------------------------------------------------------ */

/* Windows: a static library needs nothing; a DLL build defines FA_BUILD_DLL for itself and
 * FA_USE_DLL for its consumers (the CMake target does both). */
#if defined(_WIN32)
#if defined(FA_BUILD_DLL)
#define FA_API __declspec(dllexport)
#elif defined(FA_USE_DLL)
#define FA_API __declspec(dllimport)
#else
#define FA_API
#endif
#elif defined(__GNUC__)
#define FA_API __attribute__((visibility("default")))
#else
#define FA_API
#endif

#if defined(__GNUC__)
#define FA_LIKELY(x) __builtin_expect(!!(x), 1)
#define FA_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define FA_MALLOC_ATTR __attribute__((malloc))
#define FA_NODISCARD __attribute__((warn_unused_result))
/* The fast-path cursor is initial-exec TLS (56 bytes of static TLS, one %fs-relative load);
 * a library built with FRAMEALLOC_DYNAMIC_TLS defines FA_DYNAMIC_TLS=1 for itself and its
 * consumers and uses no static TLS at all (one __tls_get_addr call per fast-path access). */
#if defined(_WIN32)
#define FAI_TLS_IE /* PE has no TLS models */
#elif defined(FA_DYNAMIC_TLS) && FA_DYNAMIC_TLS
#define FAI_TLS_IE __attribute__((tls_model("global-dynamic")))
#else
#define FAI_TLS_IE __attribute__((tls_model("initial-exec")))
#endif
/* A DLL cannot export a thread-local variable on Windows: consumers of framealloc.dll call the
 * exported allocation function instead of inlining the fast path. */
#if defined(_WIN32) && (defined(FA_BUILD_DLL) || defined(FA_USE_DLL))
#define FAI_HAS_TLS_FAST_PATH 0
#else
#define FAI_HAS_TLS_FAST_PATH 1
#endif
#define FAI_THREAD_LOCAL __thread
#else
#define FA_LIKELY(x) (x)
#define FA_UNLIKELY(x) (x)
#define FA_MALLOC_ATTR
#define FA_NODISCARD
#define FAI_TLS_IE
#define FAI_HAS_TLS_FAST_PATH 0
#if defined(_MSC_VER)
#define FAI_THREAD_LOCAL __declspec(thread)
#else
#define FAI_THREAD_LOCAL _Thread_local
#endif
#endif
/* The cursor is exported only when consumers inline the fast path. */
#if FAI_HAS_TLS_FAST_PATH
#define FAI_CURSOR_API FA_API
#else
#define FAI_CURSOR_API
#endif

#ifdef __cplusplus
#define FAI_ALIGNOF(T) alignof(T)
#else
#define FAI_ALIGNOF(T) _Alignof(T)
#endif

/* Casts and the null pointer constant of the header's macros and inlines: C++ code compiled
 * with -Wold-style-cast or -Wzero-as-null-pointer-constant sees the C++ forms. */
#ifdef __cplusplus
#define FAI_CAST(T, x) (static_cast<T>(x))
#define FAI_INT_TO_PTR(T, x) (reinterpret_cast<T>(x))
#define FAI_PTR_TO_INT(x) (reinterpret_cast<uintptr_t>(x))
#define FAI_NULLPTR nullptr
#else
#define FAI_CAST(T, x) ((T)(x))
#define FAI_INT_TO_PTR(T, x) ((T)(x))
#define FAI_PTR_TO_INT(x) ((uintptr_t)(x))
#define FAI_NULLPTR ((void *)0)
#endif

#define FAI_STR2_(x) #x
#define FAI_STR_(x) FAI_STR2_(x)
/* "file.c:123", captured by the allocation macros in debug builds. */
#define FA_SITE_HERE (__FILE__ ":" FAI_STR_(__LINE__))

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Types, limits, errors                                                                       */
/* ------------------------------------------------------------------------------------------ */

typedef struct fa_alloc fa_alloc;       /* opaque; shared by all threads */
typedef struct fa_transfer fa_transfer; /* opaque cross-thread handle */
typedef struct fa_barrier fa_barrier;   /* opaque frame barrier */
typedef uint32_t fa_tag;                /* 0 = untagged; see fa_tag_register */

/* Largest alignment any allocation function accepts (larger is FA_ERR_BAD_ALIGN). */
#define FA_MAX_ALIGN (FAI_CAST(size_t, 1) << 16)
/* Largest single request (larger is FA_ERR_TOO_LARGE). */
#define FA_MAX_ALLOC_SIZE (FAI_CAST(size_t, 1) << 40)
/* Frame allocations are rounded up to multiples of this and aligned to at least it. */
#define FA_FRAME_GRANULE FAI_CAST(size_t, 16)
/* Largest pool object; bigger objects belong in the heap. */
#define FA_POOL_MAX_SIZE FAI_CAST(size_t, 8192)
/* Tags per allocator, including tag 0 (untagged). */
#define FA_MAX_TAGS 64

typedef enum fa_status {
    FA_OK = 0,
    FA_ERR_INVALID_ARGUMENT,   /* NULL allocator/handle, bad config field */
    FA_ERR_ZERO_SIZE,          /* a size of 0 was requested */
    FA_ERR_TOO_LARGE,          /* size above FA_MAX_ALLOC_SIZE (or FA_POOL_MAX_SIZE for pools) */
    FA_ERR_OVERFLOW,           /* n * size does not fit in size_t */
    FA_ERR_BAD_ALIGN,          /* alignment 0, not a power of two, or above FA_MAX_ALIGN */
    FA_ERR_OUT_OF_MEMORY,      /* the OS refused memory */
    FA_ERR_FRAME_LIMIT,        /* the per-thread frame limit (fa_config.frame_limit) was hit */
    FA_ERR_HEAP_LIMIT,         /* the heap limit (fa_config.heap_limit) was hit */
    FA_ERR_BUDGET,             /* a tag's hard budget was hit */
    FA_WARN_BUDGET,            /* a tag's soft budget was crossed (allocation succeeded) */
    FA_ERR_NO_FRAME,           /* frame allocation with no open frame on this thread */
    FA_ERR_END_WITHOUT_BEGIN,  /* fa_end_frame with no open frame on this thread */
    FA_ERR_NESTING_TOO_DEEP,   /* fa_begin_frame beyond fa_config.max_frame_depth */
    FA_ERR_FOREIGN_POINTER,    /* pointer not owned by this allocator / this kind of memory */
    FA_ERR_DOUBLE_FREE,        /* pointer already freed */
    FA_ERR_FRAME_POINTER,      /* frame memory passed where pool/heap memory is expected */
    FA_ERR_USE_AFTER_FRAME,    /* frame pointer from a frame scope that has ended */
    FA_ERR_WRONG_THREAD,       /* frame pointer of another thread */
    FA_ERR_TRANSFER_MISUSE,    /* transfer handle received or freed twice */
    FA_ERR_THREAD_EXIT_IN_FRAME, /* a thread exited with frames open */
    FA_ERR_DESTROY_IN_FRAME,   /* fa_destroy with frames open on some thread */
    FA_ERR_LEAK,               /* fa_destroy with pool/heap/transfer objects outstanding */
    FA_ERR_CORRUPTION,         /* poison, canary or free-list damage (debug builds) */
    FA_STATUS_COUNT
} fa_status;

/* Everything known about one error. Pointers inside are valid only during the handler call. */
typedef struct fa_error {
    fa_status status;
    const char *message;      /* one line, always set */
    const char *report;       /* full report (multi-line in debug builds), always set */
    fa_alloc *alloc;          /* allocator involved, or NULL */
    const void *ptr;          /* pointer involved, or NULL */
    size_t size;              /* size involved, or 0 */
    size_t align;             /* alignment involved, or 0 */
    const char *site;         /* call site "file:line" (debug macros), or NULL */
    const char *alloc_site;   /* where ptr was allocated (debug builds), or NULL */
    uint64_t alloc_frame;     /* frame number ptr was allocated in (debug builds), or 0 */
    uint64_t current_frame;   /* calling thread's current frame number, or 0 */
    uint64_t alloc_thread;    /* thread that allocated ptr (debug builds), or 0 */
    uint64_t thread;          /* calling thread (fa_thread_id) */
} fa_error;

typedef void (*fa_error_handler)(const fa_error *err, void *user);

/* Name of a status ("FA_ERR_ZERO_SIZE"...). */
FA_API const char *fa_status_name(fa_status status);
/* The last status reported on the calling thread (FA_OK if none since fa_clear_error). */
FA_API fa_status fa_last_error(void);
FA_API void fa_clear_error(void);
/* The handler used when none is configured. Release builds: records only. Debug builds: writes
 * the report to stderr and aborts on misuse (not on out-of-memory, limits or budgets). */
FA_API void fa_default_error_handler(const fa_error *err, void *user);
/* Handler for errors that have no allocator (fa_create failures, transfer misuse). */
FA_API void fa_set_global_error_handler(fa_error_handler fn, void *user);
/* A small process-unique id of the calling thread (never 0). */
FA_API uint64_t fa_thread_id(void);

/* ------------------------------------------------------------------------------------------ */
/* Allocator lifetime                                                                          */
/* ------------------------------------------------------------------------------------------ */

/* Where the tracked heap (fa_heap_*) gets its memory: an engine's own allocator, mimalloc...
 * alloc returns size bytes at any alignment (the heap aligns inside them) or NULL; free gets
 * back each pointer with the size its alloc was asked for. Both may run on several threads at
 * once. All-NULL (zero-initialised) selects the default, which does not keep what the program
 * frees: blocks below 64 KiB come from malloc; larger ones are mapped from the OS and unmapped
 * when freed, except that up to 8 MiB of freed mappings (blocks up to 4 MiB) are kept for reuse
 * until fa_heap_trim or fa_destroy. Setting only one of the two functions is refused by
 * fa_create (FA_ERR_INVALID_ARGUMENT). */
typedef struct fa_heap_backend {
    void *(*alloc)(size_t size, void *ctx);
    void (*free)(void *ptr, size_t size, void *ctx);
    void *ctx;
} fa_heap_backend;

/* Recovery (docs/intent.md): a frame, pool or heap allocation about to fail for
 * FA_ERR_OUT_OF_MEMORY, FA_ERR_BUDGET (hard budget), FA_ERR_HEAP_LIMIT or FA_ERR_FRAME_LIMIT
 * first calls the allocator's recovery hook, on the allocating thread with no runtime lock
 * held. The hook may free memory (fa_pool_trim, caches, evictions) and answer FA_RECOVER_RETRY:
 * the allocation is then tried exactly once more. The error handler hears of the failure only
 * if the allocation finally fails (never for fa_try_*, which call the hook too). Allocations
 * made inside the hook never re-enter it (on the same thread): their failures are reported as
 * usual. Other failures (bad size, no frame, misuse) never call it. */
typedef enum fa_alloc_kind {
    FA_KIND_FRAME = 0,
    FA_KIND_POOL,
    FA_KIND_HEAP
} fa_alloc_kind;

typedef enum fa_recovery_action {
    FA_RECOVER_GIVE_UP = 0, /* the allocation fails (and is reported) now */
    FA_RECOVER_RETRY        /* memory was freed: try the allocation once more */
} fa_recovery_action;

/* What is about to fail. Valid during the hook call. */
typedef struct fa_recovery {
    fa_alloc *alloc;
    fa_status status;        /* FA_ERR_OUT_OF_MEMORY, _BUDGET, _HEAP_LIMIT or _FRAME_LIMIT */
    fa_alloc_kind kind;
    size_t size, align;      /* the request (pool requests: align 16 unless asked) */
    fa_tag tag;              /* the tag the request is charged to (the calling thread's) */
    int quiet;               /* 1: the allocation would not report its failure itself: a
                                try-allocation (fa_try_*), or a retention's copy (the
                                retention falls back or reports on its own) */
    uint64_t thread;         /* fa_thread_id() */
} fa_recovery;

typedef fa_recovery_action (*fa_recovery_fn)(const fa_recovery *r, void *user);

/* A zero-initialised fa_config (or NULL) means defaults for every field. */
typedef struct fa_config {
    size_t frame_block_size;     /* first frame block of each thread; 0 = 256 KiB */
    size_t frame_limit;          /* max bytes in one outermost frame per thread; 0 = unlimited */
    unsigned max_frame_depth;    /* max nested frame scopes; 0 = 64 */
    unsigned pool_keep_empty_pages; /* empty pool pages a thread keeps per size class before
                                       returning them to the OS; 0 = 2 */
    size_t heap_limit;           /* max live heap bytes; 0 = unlimited */
    int no_prefault;             /* 1: do not pre-touch settled frame blocks */
    int guard_frames;            /* debug builds: frames a finished frame's pages stay
                                    PROT_NONE; 0 = default (4), < 0 = off. The environment
                                    variable FRAMEALLOC_GUARD_FRAMES overrides it. */
    fa_error_handler error_handler; /* NULL = fa_default_error_handler */
    void *error_user;
    const char *name;            /* for reports; not copied */
    int history_frames;          /* outermost frames of history kept per thread (fa_history_read):
                                    0 or < 0 = off (the default: it costs memory per thread);
                                    at most 65536. Each record takes about 1.1 KiB (per-tag
                                    figures included). */
    fa_heap_backend heap_backend; /* the heap's memory; all-NULL = the default (see above) */
    fa_recovery_fn recovery;     /* NULL = no recovery hook (see fa_recovery above) */
    void *recovery_user;
    unsigned frames_in_flight;   /* k: the memory of a thread's outermost frame N stays valid
                                    until the end of its frame N + k (double/triple buffering
                                    for a render thread; see "Frames in flight" below). 0 (the
                                    default) = it dies at the end of frame N. At most
                                    FA_MAX_FRAMES_IN_FLIGHT: fa_create refuses more. */
} fa_config;

/* Largest fa_config.frames_in_flight. Each frame in flight keeps one more frame's blocks. */
#define FA_MAX_FRAMES_IN_FLIGHT 8u

/* Creates an allocator. cfg may be NULL. Returns NULL (and reports) on a bad config or OOM. */
FA_API FA_NODISCARD fa_alloc *fa_create(const fa_config *cfg);
/* Destroys an allocator and every thread's state in it. No other thread may use fa during or
 * after the call. Open frames are reported (FA_ERR_DESTROY_IN_FRAME), outstanding pool, heap
 * and transfer objects are reported (FA_ERR_LEAK, listing allocation sites in debug builds);
 * all memory is released either way. NULL is ignored. */
FA_API void fa_destroy(fa_alloc *fa);
FA_API void fa_set_error_handler(fa_alloc *fa, fa_error_handler fn, void *user);
/* Installs (or with fn NULL removes) the recovery hook; threads see it from their next
 * failing allocation. */
FA_API void fa_set_recovery_hook(fa_alloc *fa, fa_recovery_fn fn, void *user);
/* Reads back the effective configuration (defaults filled in). */
FA_API void fa_get_config(const fa_alloc *fa, fa_config *out);

/* ------------------------------------------------------------------------------------------ */
/* Frames                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* Opens a frame scope on the calling thread. Inside an open frame it opens a nested scope.
 * Each allocator has its own stack of scopes per thread (the analyzer keys them by fa). */
FA_API void fa_begin_frame(fa_alloc *fa) FA_BEGINS_FRAME_ON(fa);
/* Closes the calling thread's innermost frame scope, releasing everything allocated in it.
 * With no open scope: FA_ERR_END_WITHOUT_BEGIN, nothing else happens. */
FA_API void fa_end_frame(fa_alloc *fa) FA_ENDS_FRAME_ON(fa);
/* Open frame scopes on the calling thread (0 = outside any frame). */
FA_API unsigned fa_frame_depth(fa_alloc *fa);
/* Outermost frames begun on the calling thread: the current frame's number inside a frame. */
FA_API uint64_t fa_frame_number(fa_alloc *fa);

/* Frames in flight (docs/memory-model.md, "Frames in flight"). With k = frames_in_flight > 0,
 * the memory of the outermost scope of frame N (of each thread) is released at the end of frame
 * N + k instead of frame N, so another thread may read it while this one builds the next
 * frames; the arena keeps k + 1 frames of blocks and reuses them in turn. Nested scopes and
 * checkpoint rollbacks release at their own end as always. A frame's lifetime is the value in
 * force when the frame ends. Frame N's memory is still valid only on its own thread until it
 * ends; after that it is read-only for everyone (the owner included) and another thread
 * reaches it through a fa_frame_channel. Memory of ended frames counts in
 * fa_thread_stats.frame_retained, not in frame_bytes, frame_limit or budgets. */
/* Sets k for every thread of fa, from each thread's next outermost frame end (frames already
 * ended keep the window they were given; they are released in order). Refused with
 * FA_ERR_INVALID_ARGUMENT (reported, nothing changes) for a NULL allocator, k above
 * FA_MAX_FRAMES_IN_FLIGHT, or a call from inside a frame of fa on the calling thread. */
FA_API fa_status fa_set_frames_in_flight(fa_alloc *fa, unsigned k);
/* The allocator's k (0 for NULL). */
FA_API unsigned fa_frames_in_flight(fa_alloc *fa);

/* A frame channel hands one producer thread's frame data to a consumer thread without a copy.
 * The producer publishes a pointer into its outermost frame N; the publication becomes visible
 * when frame N ends (fa_end_frame releases it: every write the producer made before that end
 * happens before the consumer's acquire that returns it). The consumer holds it from
 * fa_frame_channel_acquire to fa_frame_channel_release, and must release before the producer
 * ends frame N + k, when the memory is reused. What happens if it does not is the mode's:
 *   FA_CHANNEL_WAIT   the producer's fa_end_frame of frame N + k blocks until the release
 *                     (back-pressure: the game thread never runs more than k frames ahead of
 *                     what the render thread holds);
 *   FA_CHANNEL_CHECK  nothing blocks: the end of frame N + k reports FA_ERR_USE_AFTER_FRAME on
 *                     the producer, and the late release reports and returns it on the
 *                     consumer (the read raced with reuse: its result is garbage).
 * One hold at a time (one consumer); any thread may be the consumer. The producer is the first
 * thread that publishes; it stays the producer until it exits (its publications then end). */
typedef struct fa_frame_channel fa_frame_channel;
typedef enum fa_channel_mode { FA_CHANNEL_WAIT = 0, FA_CHANNEL_CHECK } fa_channel_mode;
/* NULL + FA_ERR_INVALID_ARGUMENT for a NULL allocator or an unknown mode; fa_destroy frees
 * channels left. */
FA_API fa_frame_channel *fa_frame_channel_create(fa_alloc *fa, fa_channel_mode mode);
/* Refused (reported, nothing freed) while the consumer holds a publication
 * (FA_ERR_INVALID_ARGUMENT) or when called on another thread than its producer, while that
 * producer lives (FA_ERR_WRONG_THREAD). NULL is ignored. */
FA_API void fa_frame_channel_destroy(fa_frame_channel *ch);
/* Producer: data (live frame memory of the calling thread's outermost scope, or NULL for "no
 * data this frame") is published at the end of the current outermost frame; a later call in
 * the same frame replaces it. Refused, publishing nothing: FA_ERR_NO_FRAME outside a frame,
 * FA_ERR_INVALID_ARGUMENT with frames_in_flight 0 or data in a nested scope (it dies first),
 * FA_ERR_WRONG_THREAD from another thread than the channel's producer, or the status of
 * fa_check_ptr for data that is not live frame memory of this thread. If frames_in_flight is
 * 0 when the frame ends, the publication is dropped. */
FA_API fa_status fa_frame_channel_publish(fa_frame_channel *ch, const void *data);
/* Consumer: the newest publication whose window is open (NULL when there is none: nothing
 * published yet, NULL published, or the producer has already ended frame N + k), held until
 * fa_frame_channel_release. *frame (if not NULL) gets its frame number N (0 with NULL). A
 * second acquire before the release is FA_ERR_INVALID_ARGUMENT (reported) and returns NULL,
 * keeping the hold. */
FA_API const void *fa_frame_channel_acquire(fa_frame_channel *ch, uint64_t *frame);
/* Consumer: ends the hold (on the thread that acquired it: else FA_ERR_WRONG_THREAD). FA_OK;
 * FA_ERR_USE_AFTER_FRAME (reported) in FA_CHANNEL_CHECK mode when the producer already reused
 * the memory; FA_ERR_INVALID_ARGUMENT (reported) with no hold. */
FA_API fa_status fa_frame_channel_release(fa_frame_channel *ch);

/* Bump-allocates size bytes aligned to align (a power of two <= FA_MAX_ALIGN) in the calling
 * thread's innermost frame scope; every frame allocation takes a multiple of FA_FRAME_GRANULE
 * bytes and is aligned to at least FA_FRAME_GRANULE. Uninitialised. Valid until that scope ends, on this thread
 * only. NULL + error on: no open frame, size 0, bad align, too large, frame limit, OOM.
 * fa must be a live allocator (not checked on the release fast path). */
static inline void *fa_frame_alloc(fa_alloc *fa, size_t size, size_t align)
    FA_RETURNS_FRAME FA_RETURNS_FRAME_OF(fa);
/* n objects of size bytes; n * size is overflow-checked (FA_ERR_OVERFLOW). n * size == 0
 * (FA_FRAME_ARRAY(fa, T, 0)) is not an error: it returns a unique non-NULL pointer to zero
 * bytes (it takes one granule of the scope; still FA_ERR_NO_FRAME outside a frame). */
static inline void *fa_frame_alloc_array(fa_alloc *fa, size_t n, size_t size, size_t align)
    FA_RETURNS_FRAME FA_RETURNS_FRAME_OF(fa);
/* As fa_frame_alloc, zero-filled. */
FA_API void *fa_frame_alloc_zeroed(fa_alloc *fa, size_t size, size_t align)
    FA_RETURNS_FRAME FA_RETURNS_FRAME_OF(fa);
/* Grows or shrinks a frame allocation. In place when p is the scope's most recent allocation,
 * otherwise copies min(old_size, new_size) bytes into a new allocation. p == NULL allocates. */
FA_API void *fa_frame_realloc(fa_alloc *fa, void *p, size_t old_size, size_t new_size,
                              size_t align) FA_RETURNS_FRAME FA_RETURNS_FRAME_OF(fa);
/* Copies a NUL-terminated string into the frame. */
FA_API char *fa_frame_strdup(fa_alloc *fa, const char *s)
    FA_RETURNS_FRAME FA_RETURNS_FRAME_OF(fa);
/* Returns the calling thread's frame memory that frames do not need now to the OS: outside a
 * frame every block beyond one of fa_config.frame_block_size; inside a frame the spare blocks
 * past the one in use. Also forgets the recent high-water mark the arena is settled on (it
 * decays by itself over a few hundred frames), so after one exceptional frame the next frames
 * start small again. */
FA_API void fa_frame_trim(fa_alloc *fa);

/* The exported (non-inline) forms of the fast path, for debug call sites, FFI and bindings. */
FA_API void *fa_frame_alloc_at(fa_alloc *fa, size_t size, size_t align, const char *site)
    FA_RETURNS_FRAME FA_RETURNS_FRAME_OF(fa);
FA_API void *fa_frame_alloc_array_at(fa_alloc *fa, size_t n, size_t size, size_t align,
                                     const char *site)
    FA_RETURNS_FRAME FA_RETURNS_FRAME_OF(fa);

/* T *p = FA_FRAME_NEW(fa, T);  T *a = FA_FRAME_ARRAY(fa, T, n); */
#define FA_FRAME_NEW(fa, T) FAI_CAST(T *, fa_frame_alloc((fa), sizeof(T), FAI_ALIGNOF(T)))
#define FA_FRAME_ARRAY(fa, T, n) \
    FAI_CAST(T *, fa_frame_alloc_array((fa), FAI_CAST(size_t, n), sizeof(T), FAI_ALIGNOF(T)))

/* Frame retention: at the end of the innermost scope open now, the size bytes at *slot (frame
 * memory of that scope) are copied into pool or heap memory and *slot is updated to point at
 * the copy. slot itself must outlive the scope. A copy that cannot be made never leaves the
 * slot pointing at dead frame memory: a pool copy the pool refuses (budget, out of memory; or
 * size above FA_POOL_MAX_SIZE) is made in the heap instead, and when the heap refuses too the
 * slot is set to NULL and the status reported (fa_stats.retain_fallbacks / retain_failures).
 * TO_POOL / TO_HEAP copies belong to the caller: free them with fa_free (either kind), or with
 * fa_pool_free / fa_heap_free when the kind is known (fa_heap_size(fa, p) != 0: heap). */
typedef enum fa_retain_policy {
    FA_RETAIN_DISCARD = 0, /* nothing kept: cancels an earlier retain of the same slot in this
                              scope, and frees a copy kept for frames (FOR_FRAMES) for the slot,
                              setting the slot to NULL */
    FA_RETAIN_TO_POOL,     /* pool copy (heap when the pool refuses or size > FA_POOL_MAX_SIZE) */
    FA_RETAIN_TO_HEAP,
    FA_RETAIN_FOR_FRAMES   /* only through fa_frame_retain_for */
} fa_retain_policy;
FA_API fa_status fa_frame_retain(fa_alloc *fa, void **slot FA_RETAIN_SLOT, size_t size,
                                 fa_retain_policy policy);
/* Keep-for-N-frames: at the end of the innermost scope open now, *slot is redirected to a copy
 * the library owns, valid until the end of the frames-th outermost frame of this thread after
 * the current one; at that end the copy is freed and *slot set to NULL (if it still points at
 * the copy). frames == 0 is FA_ERR_INVALID_ARGUMENT. The slot must stay valid until then.
 * fa_frame_retain(fa, slot, 0, FA_RETAIN_DISCARD) ends the keep early. Thread exit and
 * fa_destroy free kept copies without touching the slots, and do not count them as leaks. */
FA_API fa_status fa_frame_retain_for(fa_alloc *fa, void **slot FA_RETAIN_SLOT, size_t size,
                                     unsigned frames);

/* ------------------------------------------------------------------------------------------ */
/* Pools                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* Small object (size <= FA_POOL_MAX_SIZE), 16-byte aligned, lives until fa_pool_free. */
FA_API FA_MALLOC_ATTR void *fa_pool_alloc(fa_alloc *fa, size_t size);
/* As fa_pool_alloc with an alignment up to 4096. */
FA_API FA_MALLOC_ATTR void *fa_pool_alloc_aligned(fa_alloc *fa, size_t size, size_t align);
/* n * size bytes (overflow-checked), zero-filled. */
FA_API FA_MALLOC_ATTR void *fa_pool_calloc(fa_alloc *fa, size_t n, size_t size);
/* Frees a pool object from any thread. NULL is ignored. Foreign pointers are reported
 * (FA_ERR_FOREIGN_POINTER / FA_ERR_FRAME_POINTER) and left alone. */
FA_API void fa_pool_free(fa_alloc *fa, void *p);
/* Usable size of a pool object (its size class), 0 for a pointer the pool does not own. */
FA_API size_t fa_pool_usable_size(fa_alloc *fa, const void *p);
/* Returns the calling thread's empty pool pages to the OS. */
FA_API void fa_pool_trim(fa_alloc *fa);

#define FA_POOL_NEW(fa, T) FAI_CAST(T *, fa_pool_alloc_aligned((fa), sizeof(T), FAI_ALIGNOF(T)))

/* Site-taking forms (debug builds record the site for leak and misuse reports). */
FA_API FA_MALLOC_ATTR void *fa_pool_alloc_at(fa_alloc *fa, size_t size, const char *site);
FA_API FA_MALLOC_ATTR void *fa_pool_alloc_aligned_at(fa_alloc *fa, size_t size, size_t align,
                                                     const char *site);
FA_API FA_MALLOC_ATTR void *fa_pool_calloc_at(fa_alloc *fa, size_t n, size_t size,
                                              const char *site);

/* ------------------------------------------------------------------------------------------ */
/* Heap                                                                                        */
/* ------------------------------------------------------------------------------------------ */

/* Tracked block of any size, aligned to align (power of two <= FA_MAX_ALIGN). */
FA_API FA_MALLOC_ATTR void *fa_heap_alloc(fa_alloc *fa, size_t size, size_t align);
/* Resizes a heap block, keeping its alignment. p == NULL allocates (align 16); size 0 is
 * FA_ERR_ZERO_SIZE (use fa_heap_free). On failure p is untouched and NULL is returned. */
FA_API void *fa_heap_realloc(fa_alloc *fa, void *p, size_t size);
/* Frees a heap block from any thread. NULL is ignored; foreign and double frees are reported. */
FA_API void fa_heap_free(fa_alloc *fa, void *p);
/* Requested size of a heap block, 0 if p is not a live heap block of fa. */
FA_API size_t fa_heap_size(fa_alloc *fa, const void *p);
/* Returns the freed mappings the default heap backend keeps for reuse to the OS
 * (fa_stats.heap_cached drops to 0). Nothing to do with a custom backend. */
FA_API void fa_heap_trim(fa_alloc *fa);

/* Site-taking forms (debug builds record the site for leak and misuse reports). */
FA_API FA_MALLOC_ATTR void *fa_heap_alloc_at(fa_alloc *fa, size_t size, size_t align,
                                             const char *site);
FA_API void *fa_heap_realloc_at(fa_alloc *fa, void *p, size_t size, const char *site);

/* Frees a pool object or a heap block of fa, whichever p is (retained copies, fallbacks).
 * NULL is ignored; anything else is reported as fa_heap_free reports it. */
FA_API void fa_free(fa_alloc *fa, void *p);
FA_API void fa_free_at(fa_alloc *fa, void *p, const char *site);

/* Promotion (frame -> pool -> heap): copies frame data into a longer-lived block. */
FA_API void *fa_promote_to_pool(fa_alloc *fa, const void *frame_ptr, size_t size);
FA_API void *fa_promote_to_heap(fa_alloc *fa, const void *frame_ptr, size_t size, size_t align);

/* ------------------------------------------------------------------------------------------ */
/* Transfer handles                                                                            */
/* ------------------------------------------------------------------------------------------ */

/* Copies size bytes of frame_data into a new handle (payload aligned to 16). The producer may
 * end its frame right after. The handle may be passed to any thread. NULL + error on failure. */
FA_API fa_transfer *fa_transfer_create(fa_alloc *fa, const void *frame_data, size_t size);
/* Zero-copy: a handle of size bytes (payload aligned to 16) that the producer fills in place
 * through *payload, then seals with fa_transfer_send; nothing is copied. The payload is not
 * frame memory: it lives until fa_transfer_free. NULL + error (and *payload NULL) on failure. */
FA_API fa_transfer *fa_transfer_alloc(fa_alloc *fa, size_t size, void **payload);
/* Makes a handle from fa_transfer_alloc receivable; the producer must not touch the payload
 * afterwards. Its writes before the call are visible to the thread that receives it. Sending
 * twice, or a handle from fa_transfer_create (sent at creation), is FA_ERR_TRANSFER_MISUSE. A
 * handle freed unsent is a cancelled send, not an error. */
FA_API fa_status fa_transfer_send(fa_transfer *t);
/* Returns the payload on the receiving thread, valid until fa_transfer_free. A second receive,
 * or a receive before fa_transfer_send, is misuse: FA_ERR_TRANSFER_MISUSE and NULL. */
FA_API void *fa_transfer_receive(fa_transfer *t);
/* Payload size; 0 for a handle that is not live. */
FA_API size_t fa_transfer_size(const fa_transfer *t);
/* Frees the handle and its payload (received or not). A second free is FA_ERR_TRANSFER_MISUSE. */
FA_API void fa_transfer_free(fa_transfer *t);

/* ------------------------------------------------------------------------------------------ */
/* Tags and budgets                                                                            */
/* ------------------------------------------------------------------------------------------ */

/* Registers (or finds) a tag by name. Returns 0 when FA_MAX_TAGS are in use. The name is
 * copied; only its first 31 characters are kept and compared. */
FA_API fa_tag fa_tag_register(fa_alloc *fa, const char *name);
/* Budgets (docs/intent.md, "Budgets"). A scope is a registered tag other than 0, the whole
 * allocator (FA_BUDGET_GLOBAL) or the calling thread (FA_BUDGET_THREAD). It counts bytes:
 *   tag     heap bytes (requested sizes, incl. stream buffers and handle pages) + pool bytes
 *           (size-class bytes of live objects) charged to the tag by any thread; separately,
 *           each thread's frame bytes charged to the tag in its open outermost frame;
 *   global  heap + pool bytes of every tag (frame memory has cfg.frame_limit);
 *   thread  the thread's open-frame bytes + pool bytes of live objects in pool pages it owns
 *           (freed by any thread); not heap blocks, which any thread may free.
 * Pool and heap are checked on every allocation; frame bytes when a frame allocation takes a
 * new block (so a frame may pass a failing level by what is left of its current block) and,
 * reported only, at the end of the outermost frame. A scope has a warning level and a failing
 * level (0 = none): crossing the warning level reports FA_WARN_BUDGET once (the allocation
 * succeeds; going back to or under it re-arms the warning); the allocation that would pass the
 * failing level fails with FA_ERR_BUDGET (reported). Levels are never exceeded by pool and heap
 * memory; two threads racing for the last bytes may both be refused.
 * Pool bytes count from the scope's first budget on: objects already live then are not
 * charged; other threads start counting at their next tag push/pop, pool refill or outermost
 * frame end (set budgets at start-up). Counted pool allocations take a slower path; tags without
 * a budget (when no global or thread budget is set) keep the plain fast path. */
typedef uint32_t fa_budget_scope;              /* a tag, or one of: */
#define FA_BUDGET_GLOBAL ((fa_budget_scope)0x10000u)
#define FA_BUDGET_THREAD ((fa_budget_scope)0x10001u)
/* The largest level (2^48 bytes, the address space): larger ones are refused as mistakes. */
#define FA_BUDGET_MAX (FAI_CAST(size_t, 1) << 48)
typedef enum fa_budget_policy {
    FA_BUDGET_NONE = 0, /* count only: removes both levels, the scope keeps counting */
    FA_BUDGET_WARN,     /* sets the warning level */
    FA_BUDGET_FAIL,     /* sets the failing level */
} fa_budget_policy;
/* Sets the level of policy to bytes (0 removes it; FA_BUDGET_NONE takes 0 and removes both).
 * FA_ERR_INVALID_ARGUMENT (reported) for a NULL allocator, an unknown scope or tag 0, an
 * unknown policy, or bytes above FA_BUDGET_MAX. */
FA_API fa_status fa_set_budget(fa_alloc *fa, fa_budget_scope scope, size_t bytes,
                               fa_budget_policy policy);
/* Both levels of a tag at once: soft = warning level, hard = failing level (0 = none, at most
 * FA_BUDGET_MAX); soft must not be above a non-zero hard. */
FA_API fa_status fa_tag_set_budget(fa_alloc *fa, fa_tag tag, size_t soft_limit,
                                   size_t hard_limit);
typedef struct fa_budget_info {
    size_t bytes;                 /* counted now (a tag: heap + pool, not frame bytes) */
    size_t peak;                  /* highest count an allocation reached */
    size_t warn_limit, fail_limit;
    uint64_t warnings, failures;  /* FA_WARN_BUDGET / FA_ERR_BUDGET reported for the scope */
} fa_budget_info;
/* A scope's figures (FA_BUDGET_THREAD: the calling thread's, exact). */
FA_API fa_status fa_get_budget(fa_alloc *fa, fa_budget_scope scope, fa_budget_info *out);
/* Makes tag current on the calling thread (a stack, 16 deep); allocations are charged to it. */
FA_API void fa_tag_push(fa_alloc *fa, fa_tag tag);
FA_API void fa_tag_pop(fa_alloc *fa);
FA_API fa_tag fa_tag_current(fa_alloc *fa);
FA_API const char *fa_tag_name(fa_alloc *fa, fa_tag tag);
/* The calling thread's tag stack as a path, outermost first: "ai/pathing" after pushing "ai"
 * then "pathing" ("" with nothing pushed; pushes past the 16-deep stack are not in it).
 * Writes at most cap bytes including the terminating NUL (truncated if needed) and returns
 * the length of the whole path, like snprintf. buf may be NULL when cap is 0. */
FA_API size_t fa_tag_path(fa_alloc *fa, char *buf, size_t cap);

/* FA_TAG_SCOPE(fa, tag); makes tag current from that line to the end of the enclosing block and
 * pops it on every way out of the block: falling off the end, return, break, continue and goto
 * out (GCC and Clang, through the cleanup attribute; FA_HAS_TAG_SCOPE is then defined). It is a
 * declaration: write it at the start of a block. A refused push (unknown tag) pops nothing.
 * Jumping into the block past it (goto, switch case) skips the push but not the pop: Clang
 * refuses to compile that, GCC only warns with -Wjump-misses-init. Without the attribute (MSVC C)
 * pair fa_tag_push/fa_tag_pop by hand; C++ has fa::TagScope. */
typedef struct fai_tag_scope {
    fa_alloc *fa; /* the allocator to pop at the end of the scope, or NULL: nothing to pop */
} fai_tag_scope;
FA_API fai_tag_scope fai_tag_scope_enter(fa_alloc *fa, fa_tag tag);
FA_API void fai_tag_scope_leave(fai_tag_scope *s);
/* A subsystem's handle on an allocator: frame, pool and heap allocations made through it are
 * charged to its tag (budgets included) whatever the calling thread's current tag is, and
 * without touching the thread's tag stack, so a physics or audio module can hold one and never
 * push or pop. A small value: copy it freely; it is valid while fa is. Free what it returns
 * with the usual calls (fa_pool_free, fa_heap_free; frame memory goes with its scope). Each
 * call costs a tag switch and back when the thread's current tag differs (docs/intent.md). */
typedef struct fa_tagged {
    fa_alloc *fa;
    fa_tag tag;
} fa_tagged;
/* Registers (or finds) the tag by name; { fa, 0 } (untagged) when it cannot (reported). */
FA_API fa_tagged fa_tagged_get(fa_alloc *fa, const char *name);
/* An unknown tag is reported by every allocation through the handle (which returns NULL). */
FA_API fa_tagged fa_tagged_from_tag(fa_alloc *fa, fa_tag tag);
FA_API void *fa_tagged_frame_alloc(fa_tagged h, size_t size, size_t align) FA_RETURNS_FRAME;
FA_API FA_MALLOC_ATTR void *fa_tagged_pool_alloc(fa_tagged h, size_t size);
FA_API FA_MALLOC_ATTR void *fa_tagged_pool_alloc_aligned(fa_tagged h, size_t size, size_t align);
FA_API FA_MALLOC_ATTR void *fa_tagged_heap_alloc(fa_tagged h, size_t size, size_t align);
/* Resizes a heap block; the resized block is charged to the handle's tag. */
FA_API void *fa_tagged_heap_realloc(fa_tagged h, void *p, size_t size);
/* The general-purpose calls (fa_malloc...) charged to the handle's tag; free with fa_free. */
FA_API FA_MALLOC_ATTR void *fa_tagged_malloc(fa_tagged h, size_t size);
FA_API FA_MALLOC_ATTR void *fa_tagged_calloc(fa_tagged h, size_t n, size_t size);
FA_API void *fa_tagged_realloc(fa_tagged h, void *p, size_t size);
/* Quiet forms (as fa_try_*): NULL and *why on failure, no error report. */
FA_API void *fa_tagged_try_frame_alloc(fa_tagged h, size_t size, size_t align, fa_status *why)
    FA_RETURNS_FRAME;
FA_API void *fa_tagged_try_pool_alloc(fa_tagged h, size_t size, fa_status *why);
FA_API void *fa_tagged_try_heap_alloc(fa_tagged h, size_t size, size_t align, fa_status *why);

#if defined(__GNUC__)
#define FA_HAS_TAG_SCOPE 1
#define FAI_TAG_SCOPE_NAME2(line) fai_tag_scope_##line
#define FAI_TAG_SCOPE_NAME(line) FAI_TAG_SCOPE_NAME2(line)
#define FA_TAG_SCOPE(fa, tag)                                                                   \
    __attribute__((cleanup(fai_tag_scope_leave), unused)) fai_tag_scope FAI_TAG_SCOPE_NAME(   \
        __LINE__) = fai_tag_scope_enter((fa), (tag))
#endif

/* ------------------------------------------------------------------------------------------ */
/* General-purpose entry points (docs/engine-integration.md)                                  */
/* ------------------------------------------------------------------------------------------ */

/* malloc-shaped calls for embedded libraries (scripting VMs, databases, UI layers): no size on
 * free. Up to FA_POOL_MAX_SIZE bytes come from the pools, more from the tracked heap; every
 * block is 16-byte aligned. fa_malloc(fa, 0) returns a unique minimal block. fa_realloc(fa,
 * NULL, n) allocates; fa_realloc(fa, p, 0) frees p and returns NULL; on failure p is untouched
 * and NULL is returned; in place while the size fits the block's size class. fa_free and
 * fa_usable_size accept any block of these calls and of fa_pool_* / fa_heap_* (NULL: nothing);
 * anything else is reported as with fa_heap_free and changes nothing. Any thread. */
FA_API FA_MALLOC_ATTR void *fa_malloc(fa_alloc *fa, size_t size);
FA_API FA_MALLOC_ATTR void *fa_calloc(fa_alloc *fa, size_t n, size_t size);
FA_API void *fa_realloc(fa_alloc *fa, void *p, size_t size);
/* (fa_free is declared with the heap: it frees either kind.) */
FA_API size_t fa_usable_size(fa_alloc *fa, const void *p);
/* The same calls with no allocator argument, for function tables that carry no user pointer
 * (SDL_SetMemoryFunctions, sqlite3_mem_methods; framealloc_adapters.h has them ready). They use
 * the handle given to fa_general_bind and charge its tag. Bind once, before the library that
 * uses them starts, and keep the allocator alive until it is shut down; fa_general_malloc
 * before any bind fails with FA_ERR_INVALID_ARGUMENT (no allocator). */
FA_API void fa_general_bind(fa_tagged h);
FA_API FA_MALLOC_ATTR void *fa_general_malloc(size_t size);
FA_API FA_MALLOC_ATTR void *fa_general_calloc(size_t n, size_t size);
FA_API void *fa_general_realloc(void *p, size_t size);
FA_API void fa_general_free(void *p);
FA_API size_t fa_general_usable_size(const void *p);

/* ------------------------------------------------------------------------------------------ */
/* Statistics                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* Frame figures of another thread are those it published at its last frame boundary or block
 * refill; the calling thread's are exact. Pool and heap figures are exact. */
typedef struct fa_thread_stats {
    uint64_t thread_id;
    unsigned frame_depth;
    uint64_t frame_number;        /* outermost frames begun */
    size_t frame_bytes;           /* bytes allocated in the open frame */
    size_t frame_high_water_last; /* peak bytes of the last completed outermost frame */
    size_t frame_peak;            /* peak bytes of any frame */
    size_t frame_reserved;        /* bytes of frame blocks held */
    size_t pool_count;            /* live objects in pool pages this thread owns */
    size_t pool_bytes;
    size_t pool_pages;            /* pool pages this thread owns (64 KiB each) */
    uint64_t heap_allocs, heap_frees;    /* heap operations performed by this thread */
    size_t frame_retained;        /* bytes of ended frames kept for frames in flight */
    unsigned frames_retained;     /* ... and how many such frames */
} fa_thread_stats;

typedef struct fa_stats {
    size_t threads;               /* threads with state in the allocator now */
    uint64_t frames_completed;    /* outermost frames ended, all threads, ever */
    size_t frame_bytes;           /* sum of threads' open-frame bytes */
    size_t frame_peak;            /* largest frame of any thread */
    size_t frame_reserved;        /* frame blocks held by all threads */
    size_t pool_bytes;            /* live pool bytes (size-class bytes) */
    size_t pool_count;            /* live pool objects */
    size_t pool_reserved;         /* bytes of pool pages in use or cached */
    size_t heap_bytes;            /* live heap bytes (requested sizes) */
    size_t heap_count;
    size_t heap_peak;
    size_t transfer_bytes;        /* live transfer payload bytes */
    size_t transfer_count;
    uint64_t errors;              /* errors reported by this allocator */
    size_t group_bytes;           /* bytes allocated from live allocation groups */
    size_t group_reserved;        /* bytes of the blocks groups hold */
    size_t group_count;           /* live allocation groups */
    size_t heap_cached;           /* freed heap mappings kept for reuse (fa_heap_trim) */
    uint64_t recovery_attempts;   /* recovery hook calls */
    uint64_t recovery_retries;    /* ... that answered FA_RECOVER_RETRY */
    uint64_t recovery_successes;  /* retries that succeeded */
    uint64_t retain_fallbacks;    /* retained copies made in the heap because the pool refused */
    uint64_t retain_failures;     /* retentions that failed (slot set to NULL) */
    size_t kept_count;            /* live copies kept for frames (fa_frame_retain_for) */
    size_t kept_bytes;
    /* Asset memory, all handle tables and streams of the allocator. */
    size_t handle_bytes;          /* requested bytes of live relocatable blocks */
    size_t handle_count;          /* live handles */
    size_t handle_reserved;       /* bytes of handle-table pages mapped */
    size_t stream_bytes;          /* requested bytes of live streaming entries */
    size_t stream_count;          /* live entries (reserved, loading, ready or cancelled) */
    size_t stream_reserved;       /* bytes of their mappings (page-rounded) */
    uint64_t budget_warnings;     /* FA_WARN_BUDGET reported, every scope */
    uint64_t budget_failures;     /* FA_ERR_BUDGET reported, every scope */
    size_t frame_retained;        /* bytes of ended frames kept for frames in flight, summed */
    uint64_t channel_violations;  /* frame channel holds that outlived their window */
} fa_stats;

typedef struct fa_tag_stats {
    const char *name;
    size_t frame_bytes_last;      /* frame bytes charged in the last completed frame, summed */
    size_t frame_bytes_peak;      /* largest per-thread per-frame charge */
    size_t pool_bytes;
    size_t heap_bytes;
    size_t soft_limit, hard_limit;  /* warning and failing levels */
    uint64_t soft_exceeded, hard_exceeded; /* FA_WARN_BUDGET / FA_ERR_BUDGET reported for it */
    size_t peak_bytes;            /* highest heap + pool bytes (pool bytes once budgeted) */
} fa_tag_stats;

FA_API void fa_get_stats(fa_alloc *fa, fa_stats *out);
/* Fills up to max entries; returns the number of threads (may exceed max). */
FA_API size_t fa_get_thread_stats(fa_alloc *fa, fa_thread_stats *out, size_t max);
/* The calling thread only (exact). */
FA_API void fa_get_my_thread_stats(fa_alloc *fa, fa_thread_stats *out);
FA_API fa_status fa_get_tag_stats(fa_alloc *fa, fa_tag tag, fa_tag_stats *out);

/* ------------------------------------------------------------------------------------------ */
/* Observability: frame history, stats printing, trace export, profiler hooks                  */
/* (docs/observability.md)                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* One outermost frame of one thread, recorded at its fa_end_frame. Frame figures are the
 * thread's own; pool and heap figures are allocator-wide values sampled at the end of the frame
 * (deltas: since this thread's previous record). Times are monotonic nanoseconds. */
typedef struct fa_frame_record {
    uint64_t thread_id;
    uint64_t frame_number;        /* the thread's outermost frame number */
    uint64_t begin_ns, end_ns;    /* outermost fa_begin_frame .. fa_end_frame */
    size_t frame_bytes;           /* high water of the frame's bytes */
    size_t frame_peak;            /* the thread's peak of any frame so far */
    size_t frame_reserved;        /* the thread's frame blocks after the frame ended */
    size_t pool_reserved;         /* allocator-wide bytes of pool pages in use */
    size_t heap_bytes, heap_count;/* allocator-wide live heap bytes and blocks */
    int64_t pool_reserved_delta, heap_bytes_delta, heap_count_delta;
    uint32_t heap_allocs, heap_frees;       /* this thread's heap operations in the frame */
    uint32_t budget_warnings, budget_errors; /* FA_WARN_BUDGET / FA_ERR_BUDGET on this thread */
    uint32_t errors;              /* every status reported on this thread in the frame */
    uint32_t tag_count;           /* tags registered at the end; tag arrays valid below it */
    size_t tag_frame_bytes[FA_MAX_TAGS]; /* frame bytes charged to each tag in the frame */
    size_t tag_mem[FA_MAX_TAGS];  /* allocator-wide heap + pool bytes of each tag at the end */
} fa_frame_record;

/* A reported status, kept for the trace (the last 64 of each thread). */
typedef struct fa_obs_event {
    uint64_t time_ns;
    uint64_t thread_id;
    uint64_t frame_number;        /* the thread's frame number when it happened */
    fa_status status;
    size_t size;
    char message[96];             /* first line of the report, truncated */
} fa_obs_event;

/* Thread ids with history (live threads, then up to 64 exited ones, newest first); returns
 * their count (may exceed max). */
FA_API size_t fa_history_threads(fa_alloc *fa, uint64_t *ids, size_t max);
/* Copies the newest min(max, kept) records of thread_id (0 = the calling thread) into out,
 * oldest first; returns how many. Any thread, any time: the copy is taken under that thread's
 * history lock, so every record is whole and the records are consecutive frames. NULL fa,
 * history off or an unknown thread: 0. */
FA_API size_t fa_history_read(fa_alloc *fa, uint64_t thread_id, fa_frame_record *out, size_t max);
/* The same for the thread's reported events, oldest first. */
FA_API size_t fa_history_events(fa_alloc *fa, uint64_t thread_id, fa_obs_event *out, size_t max);
/* Frames of history each thread keeps (0 = off). */
FA_API size_t fa_history_capacity(fa_alloc *fa);

/* A line sink: line has no newline; valid during the call. */
typedef void (*fa_line_fn)(const char *line, void *user);
/* Formats global, per-thread and per-tag statistics, one line per call of out. The library
 * never prints; fa_stats_fprint is the FILE * convenience (f is a FILE *). */
FA_API void fa_stats_print(fa_alloc *fa, fa_line_fn out, void *user);
FA_API void fa_stats_fprint(fa_alloc *fa, void *f);

/* A byte sink for exports: returns 0 on success (non-zero stops the export). */
typedef int (*fa_write_fn)(const void *data, size_t len, void *user);
/* Chrome trace-event JSON (Perfetto, chrome://tracing) of the history: one complete ("X")
 * slice per recorded frame per thread, counter tracks per kind (frame/pool/heap) and per tag,
 * instant events for reported statuses. CSV: one row per record. HTML: a self-contained memory
 * report (inline SVG). Each returns FA_OK, FA_ERR_INVALID_ARGUMENT (NULL fa/sink, history off:
 * reported) or FA_ERR_OUT_OF_MEMORY; a sink failure stops the export with FA_ERR_INVALID_ARGUMENT
 * (not reported). The *_file forms take a FILE *. */
FA_API fa_status fa_export_trace(fa_alloc *fa, fa_write_fn out, void *user);
FA_API fa_status fa_export_csv(fa_alloc *fa, fa_write_fn out, void *user);
FA_API fa_status fa_export_html(fa_alloc *fa, fa_write_fn out, void *user);
FA_API fa_status fa_export_trace_file(fa_alloc *fa, void *f);
FA_API fa_status fa_export_csv_file(fa_alloc *fa, void *f);
FA_API fa_status fa_export_html_file(fa_alloc *fa, void *f);

/* Profiler hooks (any may be NULL). They run on the thread doing the work, with no runtime lock
 * held, and must not call back into fa. Frame allocations and pool objects are not hooked one
 * by one (their fast paths stay untouched): frame_end carries the frame's figures. heap_alloc /
 * heap_free fire for every heap block (fa_heap_*, retained frame data, scratch buffers). */
typedef struct fa_profiler_hooks {
    void (*heap_alloc)(void *user, const void *p, size_t size, fa_tag tag);
    void (*heap_free)(void *user, const void *p, size_t size);
    void (*frame_begin)(void *user, uint64_t thread_id, uint64_t frame_number);
    /* rec: the frame just ended (valid during the call; history need not be on). */
    void (*frame_end)(void *user, const fa_frame_record *rec);
    /* Every status reported for fa (budget warnings and errors included), before the handler. */
    void (*event)(void *user, const fa_error *err);
    void *user;
} fa_profiler_hooks;
/* Installs a copy of hooks (NULL: removes them). Threads see the new set from their next hooked
 * operation; a callback already running finishes with the old set. */
FA_API void fa_set_profiler_hooks(fa_alloc *fa, const fa_profiler_hooks *hooks);

/* ------------------------------------------------------------------------------------------ */
/* Frame barrier                                                                               */
/* ------------------------------------------------------------------------------------------ */

/* A reusable barrier for count threads that finish a frame together (e.g. main + workers). */
FA_API fa_barrier *fa_barrier_create(unsigned count);
FA_API void fa_barrier_destroy(fa_barrier *b);
/* Blocks until count threads arrived; returns the generation that completed (1, 2, ...). */
FA_API uint64_t fa_barrier_wait(fa_barrier *b);

/* ------------------------------------------------------------------------------------------ */
/* Debug checks (full checks in FA_DEBUG builds; release builds check ownership only)           */
/* ------------------------------------------------------------------------------------------ */

/* Validates a pointer the caller is about to use: frame memory from a live scope of the calling
 * thread, or any byte of a live pool object or heap block of fa (interior pointers included,
 * in release and debug builds alike). Anything else is reported (use after frame, wrong
 * thread, freed, foreign) and its status returned. */
FA_API fa_status fa_check_ptr(fa_alloc *fa, const void *p);
FA_API fa_status fa_check_ptr_at(fa_alloc *fa, const void *p, const char *site);
/* Walks every internal invariant of the calling thread's state and the pools (debug builds:
 * also poison and canaries). Returns FA_OK or the first problem found (also reported). */
FA_API fa_status fa_validate(fa_alloc *fa);
/* The FA_DEBUG level the library was built with (0 = release). */
FA_API int fa_debug_level(void);
/* Site-taking forms of the frees: debug builds name the site as the first free when the same
 * object is freed again, and in overflow reports. The FA_DEBUG macros below use them. */
FA_API void fa_pool_free_at(fa_alloc *fa, void *p, const char *site);
FA_API void fa_heap_free_at(fa_alloc *fa, void *p, const char *site);

/* ------------------------------------------------------------------------------------------ */
/* Intent helpers: quiet try-allocation, checkpoints (docs/intent.md)                          */
/* ------------------------------------------------------------------------------------------ */

/* Quiet allocation for code with a fallback: on failure NULL is returned and *why (if why is
 * not NULL) says why (FA_ERR_BUDGET, FA_ERR_FRAME_LIMIT, FA_ERR_HEAP_LIMIT, FA_ERR_OUT_OF_MEMORY,
 * FA_ERR_NO_FRAME, bad size or alignment...). The error handler is not called, fa_last_error is
 * left alone and fa_stats.errors does not count it. Misuse found on the way (memory corruption)
 * and soft-budget warnings are still reported. On success *why is FA_OK. */
FA_API void *fa_try_frame_alloc(fa_alloc *fa, size_t size, size_t align, fa_status *why)
    FA_RETURNS_FRAME FA_RETURNS_FRAME_OF(fa);
FA_API void *fa_try_pool_alloc(fa_alloc *fa, size_t size, fa_status *why);
FA_API void *fa_try_heap_alloc(fa_alloc *fa, size_t size, size_t align, fa_status *why);

/* A position in the calling thread's innermost frame scope. A small value: copy it, keep it
 * on the stack, drop it (keeping one costs nothing and releases nothing). Fields are internal. */
typedef struct fa_checkpoint {
    uint64_t fai_scope;   /* id of the scope it was taken in; 0 = no checkpoint */
    uint64_t fai_seq;     /* per-thread sequence number */
    uint64_t fai_thread;
    uint64_t fai_serial;  /* allocator serial */
    void *fai_block;
    uintptr_t fai_cur;
    size_t fai_bytes;     /* frame bytes in use when it was taken */
    uintptr_t fai_counted_cur; /* debug builds: the release-equivalent cursor (redzones aside) */
    size_t fai_counted_prev;
} fa_checkpoint;

/* Marks the current position of the calling thread's innermost scope. Outside a frame:
 * FA_ERR_NO_FRAME and an empty checkpoint (rolling it back is reported, releases nothing). */
FA_API fa_checkpoint fa_frame_checkpoint(fa_alloc *fa);
/* Releases everything the calling thread allocated in its innermost scope since cp was taken
 * (debug builds poison it and report later use as use after frame, like an ended scope).
 * Retentions registered for released memory are dropped. Pool and heap memory is untouched.
 * Rolling back to an older checkpoint after a newer one was rolled back is fine. Misuse is
 * reported and releases nothing: a checkpoint of another thread (FA_ERR_WRONG_THREAD), of an
 * ended scope or frame (FA_ERR_USE_AFTER_FRAME), of an outer open scope, another allocator, an
 * empty one, or one that an earlier rollback already released (FA_ERR_INVALID_ARGUMENT). */
FA_API void fa_frame_rollback(fa_alloc *fa, fa_checkpoint cp);

/* ------------------------------------------------------------------------------------------ */
/* Frame vector (docs/intent.md)                                                               */
/* ------------------------------------------------------------------------------------------ */

/* A growable contiguous array in frame memory. data, len and cap may be read, and len lowered
 * to drop elements from the end (the memory stays until the scope ends) (data is NULL
 * until the first push or reserve, and may move on every push or reserve that grows it); the
 * other fields are internal. It belongs to the calling thread and to the innermost scope open at
 * fa_frame_vec_init, and is valid until that scope ends. It grows in place while it is the
 * scope's newest allocation and otherwise moves, doubling, into frame ranges other vectors
 * left (so vectors filled in turn stay within about twice their bytes); grown while a nested
 * scope is open, it moves into a heap block the end of its own scope frees. Use it through the
 * struct that was initialised (a copy is misuse, caught in debug builds). */
typedef struct fa_frame_vec {
    void *data;
    size_t len;               /* elements in use */
    size_t cap;               /* elements data has room for */
    size_t fai_elem, fai_align;
    fa_alloc *fai_fa;
    uint64_t fai_scope, fai_thread;
    uintptr_t fai_magic;
    uint32_t fai_depth, fai_flags;
} fa_frame_vec;

/* Makes v an empty vector of elem_size-byte elements aligned to align (a power of two that
 * divides elem_size) in the calling thread's innermost scope. Allocates nothing. Bad arguments
 * or no open frame are reported and leave v unusable (its pushes are reported). */
FA_API void fa_frame_vec_init(fa_frame_vec *v, fa_alloc *fa, size_t elem_size, size_t align);
/* Appends one uninitialised element and returns it (valid until the next growth). NULL + error
 * on failure (frame limit, OOM, overflow, misuse), v unchanged. Debug builds check on every
 * call that v's scope is open (FA_ERR_USE_AFTER_FRAME) on its thread (FA_ERR_WRONG_THREAD). */
FA_API void *fa_frame_vec_push(fa_frame_vec *v) FA_RETURNS_FRAME;
/* Makes room for n elements in total (not n more). FA_OK, or the reported status. */
FA_API fa_status fa_frame_vec_reserve(fa_frame_vec *v, size_t n);
/* Appends value (of type T, the vector's element type; a size mismatch is reported). In release
 * builds an append that fits is inline and trusts v (as fa_frame_alloc trusts fa). */
#define FA_FRAME_VEC_PUSH(v, T, value)                                         \
    do {                                                                      \
        T *fai_slot_ = FAI_CAST(T *, fai_frame_vec_push_sized((v), sizeof(T))); \
        if (fai_slot_ != FAI_NULLPTR) *fai_slot_ = (value);                   \
    } while (0)

/* The slow path of FA_FRAME_VEC_PUSH (elem 0: any size). */
FA_API void *fai_frame_vec_push_slow(fa_frame_vec *v, size_t elem) FA_RETURNS_FRAME;
static inline void *fai_frame_vec_push_sized(fa_frame_vec *v, size_t elem) FA_RETURNS_FRAME;
static inline void *fai_frame_vec_push_sized(fa_frame_vec *v, size_t elem) {
#if FA_DEBUG < 1
    if (FA_LIKELY(v->len < v->cap && elem == v->fai_elem))
        return FAI_CAST(char *, v->data) + v->len++ * elem;
#endif
    return fai_frame_vec_push_slow(v, elem);
}

/* ------------------------------------------------------------------------------------------ */
/* Frame map (docs/intent.md)                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* A hash map in frame memory from uint64_t keys (every value is a valid key) to fixed-size
 * values. Open addressing; grows as needed; all its memory is frame memory of the innermost
 * scope open at fa_frame_map_init (inside a nested scope, a heap block that scope's end frees),
 * valid until that scope ends, on the calling thread. Fields are internal; use it through the
 * struct that was initialised (a copy is misuse). */
typedef struct fa_frame_map {
    size_t fai_len, fai_cap, fai_tombs, fai_hint;
    unsigned char *fai_ctrl;
    uint64_t *fai_keys;
    unsigned char *fai_vals;
    size_t fai_vsize, fai_valign, fai_stride, fai_bytes;
    fa_alloc *fai_fa;
    uint64_t fai_scope, fai_thread;
    uintptr_t fai_magic;
    uint32_t fai_depth, fai_flags;
} fa_frame_map;

/* Makes m an empty map of value_size-byte values aligned to value_align (a power of two; a
 * value_size of 0 makes a set) sized for `expected` entries without growing (0 = small).
 * Allocates on the first put. Bad arguments or no open frame are reported and leave m unusable. */
FA_API void fa_frame_map_init(fa_frame_map *m, fa_alloc *fa, size_t value_size,
                              size_t value_align, size_t expected);
/* The value slot of key: inserted (zero-filled) if key was absent, else the existing one (write
 * to it to overwrite). Valid until the next put or the end of the scope. NULL + error on failure
 * (frame limit, OOM, misuse). Every map call checks, in every build, that the map is used on its
 * thread (FA_ERR_WRONG_THREAD) while its scope is open (FA_ERR_USE_AFTER_FRAME). */
FA_API void *fa_frame_map_put(fa_frame_map *m, uint64_t key) FA_RETURNS_FRAME;
/* The value slot of key, or NULL if absent. */
FA_API void *fa_frame_map_get(const fa_frame_map *m, uint64_t key) FA_RETURNS_FRAME;
/* Removes key; 1 if it was there, 0 if not. */
FA_API int fa_frame_map_remove(fa_frame_map *m, uint64_t key);
/* Entries in the map. */
FA_API size_t fa_frame_map_len(const fa_frame_map *m);
/* Iteration: start with *pos = 0; each call returning 1 yields the next entry (key and value
 * may be NULL when not wanted); 0 at the end. Order is unspecified (slot order; it changes when
 * the map grows). Removing entries (the current one or any other) during an iteration is
 * allowed and yields every remaining entry once; a put during an iteration may rehash and
 * invalidates it. */
FA_API int fa_frame_map_next(const fa_frame_map *m, size_t *pos, uint64_t *key, void **value);

/* ------------------------------------------------------------------------------------------ */
/* Scratch pools (docs/intent.md)                                                              */
/* ------------------------------------------------------------------------------------------ */

typedef struct fa_scratch fa_scratch; /* opaque */

/* The calling thread's scratch pool called name (first 31 characters), made on first use with
 * room for capacity bytes: a buffer reused across frames, rewound only by fa_scratch_reset.
 * The same name on the same thread returns the same scratch; other threads get their own. A
 * larger capacity than the scratch has grows it if it is empty (reset), else is reported
 * (FA_ERR_INVALID_ARGUMENT) and NULL returned. The buffer is a heap block of fa (counted in
 * fa_stats.heap_bytes, subject to heap_limit and tag budgets); the thread's exit or fa_destroy
 * releases it. A scratch may be used only by the thread that got it: use on any other thread is
 * reported (FA_ERR_WRONG_THREAD) in every build. */
FA_API fa_scratch *fa_scratch_get(fa_alloc *fa, const char *name, size_t capacity);
/* Bump-allocates size bytes aligned to align (a power of two <= FA_MAX_ALIGN) from s. Valid
 * until fa_scratch_reset(s). Out of capacity: NULL + FA_ERR_OUT_OF_MEMORY, s unchanged. */
FA_API void *fa_scratch_alloc(fa_scratch *s, size_t size, size_t align);
/* Releases everything allocated from s (debug builds fill it; ASan/valgrind builds make it
 * unaddressable until handed out again). */
FA_API void fa_scratch_reset(fa_scratch *s);
/* Bytes in use (alignment padding included) and the capacity of s; 0 for a bad handle. */
FA_API size_t fa_scratch_used(fa_scratch *s);
FA_API size_t fa_scratch_capacity(fa_scratch *s);

/* ------------------------------------------------------------------------------------------ */
/* Allocation groups (docs/intent.md)                                                          */
/* ------------------------------------------------------------------------------------------ */

typedef struct fa_group fa_group; /* opaque */

/* A group of objects that die together (a level, an asset load, a request). Its memory comes
 * in blocks (64 KiB growing to 1 MiB; large requests get their own); freeing the group costs
 * O(blocks), never a free per object. Any thread may use any group (each has its own lock).
 * name (first 31 characters) is for reports; may be NULL. fa_destroy releases groups left. */
FA_API fa_group *fa_group_create(fa_alloc *fa, const char *name);
/* size bytes aligned to align (a power of two <= FA_MAX_ALIGN), uninitialised, valid until
 * fa_group_free_all or fa_group_destroy. NULL + error on bad size/align or out of memory. */
FA_API void *fa_group_alloc(fa_group *g, size_t size, size_t align);
/* Frees everything allocated from g; g stays usable (its first block is kept for reuse).
 * Debug builds fill freed group memory; ASan/valgrind builds make it unaddressable. */
FA_API void fa_group_free_all(fa_group *g);
/* Frees everything and the group itself. A destroyed or garbage handle is reported. */
FA_API void fa_group_destroy(fa_group *g);
/* Bytes allocated from g since it was created or last freed. */
FA_API size_t fa_group_bytes(fa_group *g);

/* ------------------------------------------------------------------------------------------ */
/* Phases (docs/intent.md)                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* Phase names per allocator (first 31 characters compared). */
#define FA_MAX_PHASES 32

/* Marks a part of the calling thread's frame ("physics", "render"); phases nest (8 deep; the
 * innermost is charged). What the thread allocates until the matching fa_phase_end is charged
 * to it per frame: frame bytes (net growth), pool objects and bytes (net change in the pool
 * pages the thread owns), heap allocations and bytes. Nothing is counted on allocation paths:
 * each boundary takes a snapshot (O(pool pages the thread owns) while a phase is open). */
FA_API void fa_phase_begin(fa_alloc *fa, const char *name);
/* Ends the calling thread's innermost phase. Without one: FA_ERR_INVALID_ARGUMENT. */
FA_API void fa_phase_end(fa_alloc *fa);

/* A phase's figures for the last completed outermost frame of each thread, summed over threads
 * (frame_bytes_peak: the largest of one thread in one frame, ever; frames: frames it ran in). */
typedef struct fa_phase_stats {
    const char *name;
    uint64_t frames;
    size_t runs;                  /* begin/end pairs (a phase open across frames counts in each) */
    size_t frame_bytes;
    size_t frame_bytes_peak;
    int64_t pool_count, pool_bytes; /* net: frees in the phase count against it */
    size_t heap_count, heap_bytes;  /* allocations made in the phase */
} fa_phase_stats;
/* FA_OK, or FA_ERR_INVALID_ARGUMENT (reported) for an unknown name or NULL arguments. */
FA_API fa_status fa_get_phase_stats(fa_alloc *fa, const char *name, fa_phase_stats *out);

/* ------------------------------------------------------------------------------------------ */
/* Relocatable handles (docs/assets.md)                                                        */
/* ------------------------------------------------------------------------------------------ */

/* A handle table owns blocks that the defragmenter may move; code keeps handles, not pointers.
 * A handle is 32 bits of slot index and 32 bits of generation. Handle 0 is never valid; a freed
 * handle, a handle whose slot was reused (the generation moved on) and any garbage value
 * resolve to NULL, never to another block. A slot whose generation would wrap around is
 * retired for good, so no handle value ever becomes valid twice.
 *
 * Threading: a table has one owning thread at a time (the creating thread; see
 * fa_handles_set_owner). Only the owner calls create/free/pin/unpin/defrag/destroy; calls
 * from other threads are reported (FA_ERR_WRONG_THREAD) and do nothing. fa_handle_resolve,
 * fa_handle_size and fa_handles_get_stats take no lock: call them on the owner, or on any
 * thread while the owner is not mutating the table (e.g. job phases separated by a barrier);
 * a pointer handed to another thread must be pinned by the owner for as long as
 * that thread uses it, because only pinned blocks are guaranteed not to move. */
typedef uint64_t fa_handle;
typedef struct fa_handles fa_handles; /* opaque */

/* Called when the defragmenter has copied a block: old_ptr is still readable during the call,
 * new_ptr holds the same bytes. Runs on the owning thread inside fa_handles_defrag; it must not
 * call functions of the same table. */
typedef void (*fa_relocate_fn)(fa_handle h, void *old_ptr, void *new_ptr, size_t size,
                               void *user);

typedef struct fa_handles_config {
    size_t page_size;        /* bytes per page (power of two, >= 64 KiB); 0 = 256 KiB */
    uint32_t max_handles;    /* live handles at most; 0 = 65536 */
    fa_tag tag;              /* pages are charged to this tag (budgets apply); 0 = untagged */
    fa_relocate_fn on_relocate; /* may be NULL */
    void *user;
} fa_handles_config;

/* Block flags for fa_handle_create. */
#define FA_HANDLE_PINNED 1u  /* created pinned (pin count 1) */
#define FA_HANDLE_ZERO 2u    /* zero-filled */

typedef struct fa_handles_stats {
    size_t live_count;       /* live handles */
    size_t live_bytes;       /* requested bytes of live blocks */
    size_t used_bytes;       /* bytes of pages handed out so far, holes included */
    size_t reserved_bytes;   /* bytes of pages held (mapped) */
    size_t pages;            /* pages held (dedicated large-block pages included) */
    size_t pinned_count;     /* live blocks with a pin count above 0 */
    double fragmentation;    /* 1 - live_bytes / reserved_bytes (0 = packed, 0 if empty) */
    uint64_t moves, moved_bytes, pages_released; /* totals of the defragmenter */
} fa_handles_stats;

/* Creates a table whose pages come from the OS (and are charged to cfg->tag of fa). cfg may be
 * NULL. NULL + error on a bad config or out of memory. */
FA_API fa_handles *fa_handles_create(fa_alloc *fa, const fa_handles_config *cfg);
/* Frees every block and the table. Live handles are not reported (a table is a container). */
FA_API void fa_handles_destroy(fa_handles *t);
/* Makes the calling thread the owner (the previous owner must be done with it). */
FA_API void fa_handles_set_owner(fa_handles *t);
/* A block of size bytes aligned to align (a power of two <= 4096), or 0 + error (bad size or
 * align, table full, budget, out of memory). Blocks above a quarter of the page size get a
 * dedicated page and never move. */
FA_API fa_handle fa_handle_create(fa_handles *t, size_t size, size_t align, unsigned flags);
/* The block's current address, or NULL for a handle that is not live (quiet: a stale handle is
 * an expected condition for a cache). Valid until the next defrag unless pinned. */
FA_API void *fa_handle_resolve(const fa_handles *t, fa_handle h);
/* Requested size, 0 when not live. */
FA_API size_t fa_handle_size(const fa_handles *t, fa_handle h);
/* Frees the block (pinned or not). A handle that is not live is reported, nothing is freed. */
FA_API fa_status fa_handle_free(fa_handles *t, fa_handle h);
/* Counted pins: a block with a pin count above 0 never moves. Unpin below 0 is reported. */
FA_API fa_status fa_handle_pin(fa_handles *t, fa_handle h);
FA_API fa_status fa_handle_unpin(fa_handles *t, fa_handle h);
/* One bounded compaction step: moves at most max_moves live unpinned blocks and at most
 * max_bytes bytes (0 = no limit for either; the first block of a call moves even if it alone
 * exceeds max_bytes) out of the sparsest pages into the densest, and
 * returns pages it emptied to the OS. Progress carries over between calls. Returns the number
 * of blocks moved. */
FA_API size_t fa_handles_defrag(fa_handles *t, size_t max_bytes, size_t max_moves);
FA_API void fa_handles_get_stats(const fa_handles *t, fa_handles_stats *out);

/* ------------------------------------------------------------------------------------------ */
/* Streaming allocator (docs/assets.md)                                                        */
/* ------------------------------------------------------------------------------------------ */

/* Buffers for large assets (textures, meshes, audio banks) under a byte budget. An entry is
 * reserved, loaded (typically on a loader thread: begin_load -> progress -> finish_load) and
 * then used (access/pin) until released or evicted. When a reservation does not fit, READY
 * entries that are not pinned are evicted: lowest priority first, then the least recently used
 * frame (the highest fa_frame_number(fa) seen by access, pin or finish_load on any thread),
 * then the oldest reservation. The victims are chosen before anything changes: a reservation
 * that cannot be satisfied evicts nothing. Reserved and loading entries are never evicted.
 * The budget counts requested bytes; buffers are page-aligned OS mappings, charged to
 * cfg.tag (its budgets apply).
 *
 * Threading: every call may be made from any thread (a mutex per stream); the intended use is
 * one loader thread plus the game thread. The loader writes the buffer between begin_load and
 * finish_load without any lock; other threads see it once access or pin returns it. Eviction
 * callbacks run on the thread whose reservation caused them, with no lock held. */
typedef uint64_t fa_stream_id; /* 0 = none; generation << 32 | index, stale ids are harmless */
typedef struct fa_stream fa_stream; /* opaque */

typedef enum fa_stream_state {
    FA_STREAM_NONE = 0,   /* not live: never reserved, released or evicted */
    FA_STREAM_RESERVED,   /* memory reserved, loading not started */
    FA_STREAM_LOADING,    /* a loader is writing it */
    FA_STREAM_READY,      /* loaded; may be accessed, pinned, evicted */
    FA_STREAM_CANCELLED   /* cancelled while loading: the loader still has the buffer */
} fa_stream_state;

/* An entry was evicted: id is already stale, data (size bytes) readable until the callback
 * returns. The callback may call the stream's functions. */
typedef void (*fa_stream_evict_fn)(fa_stream_id id, void *data, size_t size, int priority,
                                   void *user);

typedef struct fa_stream_config {
    size_t budget;           /* bytes (required, <= FA_MAX_ALLOC_SIZE) */
    uint32_t max_entries;    /* live entries at most; 0 = 4096 */
    fa_tag tag;              /* charged with the live bytes; 0 = untagged */
    fa_stream_evict_fn on_evict; /* may be NULL */
    void *user;
} fa_stream_config;

typedef struct fa_stream_stats {
    size_t budget, used_bytes, peak_bytes;
    size_t entries, reserved, loading, ready, pinned;
    uint64_t evictions, evicted_bytes;
    uint64_t refused;        /* reservations that failed */
    uint64_t clock;          /* the recency clock (a frame number) */
    size_t cancelled;        /* cancelled entries the loader has not acknowledged yet */
    uint64_t cancels;        /* fa_stream_cancel calls that cancelled an entry */
} fa_stream_stats;

FA_API fa_stream *fa_stream_create(fa_alloc *fa, const fa_stream_config *cfg);
/* Frees every buffer (no callback) and the stream. No other thread may use it then. */
FA_API void fa_stream_destroy(fa_stream *s);
/* Reserves size bytes at priority (higher survives longer), evicting if needed. Returns the id
 * (RESERVED) or 0 with *why set: FA_ERR_ZERO_SIZE, FA_ERR_TOO_LARGE (above the whole budget),
 * FA_ERR_BUDGET (not enough evictable bytes, or the tag's hard budget: nothing was evicted),
 * FA_ERR_OUT_OF_MEMORY (entry table full or the OS refused). With why != NULL failures are
 * not reported (a refusal is an expected answer); with why == NULL they are. */
FA_API fa_stream_id fa_stream_reserve(fa_stream *s, size_t size, int priority, fa_status *why);
/* RESERVED -> LOADING; returns the buffer to write (NULL + error in any other state; NULL
 * without a report for an entry that was cancelled or evicted before the loader got to it). */
FA_API void *fa_stream_begin_load(fa_stream *s, fa_stream_id id);
/* Bytes loaded so far (must not decrease nor exceed the size); for progress displays. */
FA_API fa_status fa_stream_progress(fa_stream *s, fa_stream_id id, size_t bytes_loaded);
/* LOADING -> READY. */
FA_API fa_status fa_stream_finish_load(fa_stream *s, fa_stream_id id);
/* The buffer of a READY entry (refreshes its recency), or NULL when it is not ready or not live
 * (quiet: polling and evicted ids are expected). Valid until it may be evicted: the next
 * reservation of any thread, unless pinned. */
FA_API void *fa_stream_access(fa_stream *s, fa_stream_id id);
/* As access, and the entry is not evicted until the matching unpin (counted). */
FA_API void *fa_stream_pin(fa_stream *s, fa_stream_id id);
FA_API fa_status fa_stream_unpin(fa_stream *s, fa_stream_id id);
/* Frees a RESERVED or READY, unpinned entry (no callback). Loading or pinned: reported. */
FA_API fa_status fa_stream_release(fa_stream *s, fa_stream_id id);
/* Drops an entry the game no longer wants (the camera moved away), from any thread. A
 * RESERVED or READY unpinned entry is freed at once. A LOADING one becomes CANCELLED: the
 * loader keeps its buffer until its next fa_stream_progress or fa_stream_finish_load, which
 * frees it and returns FA_ERR_INVALID_ARGUMENT without a report: stop writing then. Its bytes
 * count against the budget until that acknowledgement. A pinned entry is refused (reported);
 * an id that is not live (already evicted or released: an expected race) returns
 * FA_ERR_INVALID_ARGUMENT without a report; cancelling a cancelled entry is FA_OK. */
FA_API fa_status fa_stream_cancel(fa_stream *s, fa_stream_id id);
/* The entry's state (FA_STREAM_NONE when not live) and, if loaded != NULL, bytes loaded. */
FA_API fa_stream_state fa_stream_get_state(fa_stream *s, fa_stream_id id, size_t *loaded);
FA_API void fa_stream_get_stats(fa_stream *s, fa_stream_stats *out);

/* ------------------------------------------------------------------------------------------ */
/* Inline fast path (internal; do not use these names directly)                                */
/* ------------------------------------------------------------------------------------------ */

/* The calling thread's cursor into the frame arena of one allocator (the last one it used). */
typedef struct fai_cursor_t {
    uint64_t serial; /* serial of the allocator the cursor belongs to; 0 = none */
    uintptr_t cur;   /* next free byte */
    uintptr_t end;   /* end of the fast range: 0 outside a frame, == cur when every call must
                        take the slow path (debug and sanitizer builds) */
    void *tstate;    /* the library's per-(thread, allocator) state */
    /* Pool fast path (all matching nothing in debug and sanitizer builds): */
    void *pool;      /* the tstate's current pool queues: class c's page at c * 32 bytes */
    uintptr_t fpage; /* start of the page the last local free went to */
    void *fdesc;     /* its descriptor (a fai_pool_page_head that matches nothing if none) */
} fai_cursor_t;

/* The leading fields of a pool page descriptor (the library's page descriptor starts with
 * them). Written by the page's owner thread only; `used` is also read by statistics on any
 * thread, so every access to it is a relaxed atomic. */
typedef struct fai_pool_page_head {
    void *free;      /* the owner's free list; the second word of a listed object is its mark */
    uint32_t used;   /* objects out (owner's view) */
    uint32_t handed; /* slots handed out so far from the page start */
    uint32_t dinv;   /* block size = odd << shift: the inverse of odd modulo 2^32 */
    uint32_t shift;
} fai_pool_page_head;

/* Every fa_alloc starts with its serial (never reused), so a cursor of a destroyed allocator
 * can never match a new one. */
typedef struct fai_alloc_head {
    uint64_t serial;
} fai_alloc_head;

FA_API void *fai_frame_alloc_slow(fa_alloc *fa, size_t size, size_t align, const char *site);
FA_API void *fai_frame_alloc_overflow(fa_alloc *fa, size_t n, size_t size, const char *site);
/* The array cold path: n * size overflows (reported) or is zero (an empty allocation). */
FA_API void *fai_frame_alloc_array_cold(fa_alloc *fa, size_t n, size_t size, size_t align,
                                        const char *site);

/* Sizes above this leave the fast path; with align <= FA_MAX_ALIGN it keeps the bump
 * arithmetic free of overflow. */
#define FAI_FAST_LIMIT (FAI_CAST(size_t, 1) << 32)

/* Pool entry points behind the inline fast paths. */
FA_API void *fai_pool_alloc_slow(fa_alloc *fa, size_t size);
FA_API void fai_pool_free_slow(fa_alloc *fa, void *p);
/* A fast-path free emptied the cursor's cached page (fdesc). */
FA_API void fai_pool_free_emptied(fa_alloc *fa);
/* Size classes of sizes up to 1024 by (size + 15) / 16 (runtime sizes). */
extern FA_API const unsigned char fai_pool_class_small[65];
/* Largest size the inline pool path serves; the page size its free test uses. */
#define FAI_POOL_INLINE_MAX 1024
#define FAI_POOL_PAGE_BYTES (FAI_CAST(uintptr_t, 1) << 16)
/* A free object's mark (second word): its address xor this. */
#define FAI_POOL_FREE_MARK FAI_CAST(uintptr_t, 0x46414652454544ull)

#if FAI_HAS_TLS_FAST_PATH && !defined(FA_NO_INLINE_FAST_PATH)
extern FAI_CURSOR_API FAI_THREAD_LOCAL fai_cursor_t fai_cursor FAI_TLS_IE;

/* Exempt from UBSan (GCC): the address of a TLS variable is never null, and GCC 12 at -O2
 * tests it using the flags of an `add %fs:0` that the linker relaxes to a flag-less `lea`
 * (initial-exec -> local-exec), so the null check fires spuriously. no_sanitize("null") is not
 * honoured once the function is inlined; no_sanitize_undefined is. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((no_sanitize_undefined))
#endif
static inline void *fai_frame_alloc_inline(fa_alloc *fa, size_t size, size_t align,
                                           const char *site) {
    fai_cursor_t *c = &fai_cursor;
    uintptr_t amask = FAI_CAST(uintptr_t, align) - 1;
#if defined(__GNUC__)
    /* The cursor always sits on an FA_FRAME_GRANULE boundary, so a constant alignment up to
     * the granule needs no rounding at all. */
    if (__builtin_constant_p(align) && align <= FA_FRAME_GRANULE) amask = 0;
#endif
    uintptr_t p = (c->cur + amask) & ~amask;
    uintptr_t np =
        p + ((FAI_CAST(uintptr_t, size) + FA_FRAME_GRANULE - 1) & ~(FA_FRAME_GRANULE - 1));
    /* One branch: the bits below are all zero only for a cursor of this allocator (serial),
     * a request that fits (np <= end; addresses are below 2^48, so end - np has its top bit
     * set exactly when it does not fit; end is 0 outside a frame), 1 <= size <= 2^32 and a
     * power-of-two align <= FA_MAX_ALIGN. The slow path sorts out every other case. With
     * constant size and align the argument terms fold away. */
    uint64_t bad =
        (c->serial ^ FAI_CAST(const fai_alloc_head *, FAI_CAST(const void *, fa))->serial) |
        (FAI_CAST(uint64_t, c->end - np) >> 63) |
        FAI_CAST(uint64_t, (size - 1) / FAI_FAST_LIMIT) |
        FAI_CAST(uint64_t, (align - 1) / FA_MAX_ALIGN) |
        FAI_CAST(uint64_t, align & (align - 1));
    if (FA_LIKELY(bad == 0)) {
        c->cur = np;
        return FAI_INT_TO_PTR(void *, p);
    }
    return fai_frame_alloc_slow(fa, size, align, site);
}
#else
static inline void *fai_frame_alloc_inline(fa_alloc *fa, size_t size, size_t align,
                                           const char *site) {
    return fai_frame_alloc_slow(fa, size, align, site);
}
#endif

#if FAI_HAS_TLS_FAST_PATH && !defined(FA_NO_INLINE_FAST_PATH)
/* Size class of 1 <= size <= 1024: 16-byte steps to 128, then 4 per doubling. Constant sizes
 * fold to a constant. */
static inline unsigned fai_pool_class_of(size_t size) {
    if (__builtin_constant_p(size)) {
        if (size <= 128) return FAI_CAST(unsigned, (size + 15) >> 4) - 1;
        size_t s = size - 1;
        unsigned b = 63u - FAI_CAST(unsigned, __builtin_clzll(s));
        return 8 + (b - 7) * 4 + FAI_CAST(unsigned, (s >> (b - 2)) & 3);
    }
    return fai_pool_class_small[(size + 15) >> 4];
}

/* The hot case: this thread's cursor belongs to fa and the class's current page has a free
 * object. Everything else (first use, run-dry page, budgets, bad requests, debug builds, whose
 * cursors hold empty queues) is fai_pool_alloc_slow. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((no_sanitize_undefined))
#endif
__attribute__((always_inline)) static inline void *fai_pool_alloc_inline(fa_alloc *fa,
                                                                         size_t size) {
    fai_cursor_t *c = &fai_cursor;
    if (FA_LIKELY(fa != FAI_NULLPTR && size - 1 < FAI_POOL_INLINE_MAX &&
                  c->serial == FAI_CAST(const fai_alloc_head *, FAI_CAST(const void *, fa))->serial)) {
        fai_pool_page_head *pg = *FAI_CAST(fai_pool_page_head *const *,
                                           FAI_CAST(const void *, FAI_CAST(const char *, c->pool) +
                                                                     fai_pool_class_of(size) * 32));
        if (FA_LIKELY(pg != FAI_NULLPTR)) {
            void *p = pg->free;
            if (FA_LIKELY(p != FAI_NULLPTR)) {
                pg->free = *FAI_CAST(void **, p);
                FAI_CAST(uintptr_t *, p)[1] = 0; /* no longer marked free */
                __atomic_store_n(&pg->used, __atomic_load_n(&pg->used, __ATOMIC_RELAXED) + 1,
                                 __ATOMIC_RELAXED);
                return p;
            }
        }
    }
    return fai_pool_alloc_slow(fa, size);
}

/* 1 when p was freed by the hot case, 0 when nothing was done. The hot case: p is in the page
 * this thread's last local free went to (fdesc, a page of the
 * cursor's allocator that this thread owns, on its available list and not counted by a
 * budget), it is the start of a slot the page has handed out (one multiply and rotate: the
 * quotient of an exact multiple of the block size is its index, any other offset rotates to a
 * huge value), and it is not marked free (a double free). Anything else, including every
 * garbage pointer, is left to fai_pool_free_slow, which validates through the segment map. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((no_sanitize_undefined))
#endif
__attribute__((always_inline)) static inline int fai_pool_free_try(fa_alloc *fa, void *p) {
    fai_cursor_t *c = &fai_cursor;
    uintptr_t a = FAI_PTR_TO_INT(p);
    uintptr_t off = a ^ c->fpage;
    if (FA_LIKELY(fa != FAI_NULLPTR && off < FAI_POOL_PAGE_BYTES &&
                  c->serial == FAI_CAST(const fai_alloc_head *, FAI_CAST(const void *, fa))->serial)) {
        fai_pool_page_head *pg = FAI_CAST(fai_pool_page_head *, c->fdesc);
        uint32_t x = FAI_CAST(uint32_t, off) * pg->dinv;
        uint32_t q = (x >> pg->shift) | (x << ((32 - pg->shift) & 31));
        if (FA_LIKELY(q < pg->handed)) {
            uintptr_t mark = a ^ FAI_POOL_FREE_MARK;
            uintptr_t *w = FAI_CAST(uintptr_t *, p);
            if (FA_LIKELY(w[1] != mark)) {
                /* The list store between the two words keeps GCC from pairing them through
                 * a vector register (two more instructions). */
                w[0] = FAI_PTR_TO_INT(pg->free);
                pg->free = p;
                w[1] = mark;
                uint32_t used = __atomic_load_n(&pg->used, __ATOMIC_RELAXED) - 1;
                __atomic_store_n(&pg->used, used, __ATOMIC_RELAXED);
                if (FA_UNLIKELY(used == 0)) fai_pool_free_emptied(fa);
                return 1;
            }
        }
    }
    return 0;
}

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((no_sanitize_undefined))
#endif
__attribute__((always_inline)) static inline void fai_pool_free_inline(fa_alloc *fa, void *p) {
    if (FA_UNLIKELY(!fai_pool_free_try(fa, p))) fai_pool_free_slow(fa, p);
}
#else
/* 1 when the fast path freed p; 0: nothing was done (the caller takes the checked path). */
static inline int fai_pool_free_try(fa_alloc *fa, void *p) {
    (void)fa;
    (void)p;
    return 0;
}
static inline void *fai_pool_alloc_inline(fa_alloc *fa, size_t size) {
    return fai_pool_alloc_slow(fa, size);
}
static inline void fai_pool_free_inline(fa_alloc *fa, void *p) { fai_pool_free_slow(fa, p); }
#endif

static inline void *fa_frame_alloc(fa_alloc *fa, size_t size, size_t align) {
    return fai_frame_alloc_inline(fa, size, align, FAI_NULLPTR);
}

static inline void *fa_frame_alloc_array(fa_alloc *fa, size_t n, size_t size, size_t align) {
    size_t total;
#if defined(__GNUC__)
    /* A zero total (n == 0) shares the overflow branch: the cold path hands out an empty one. */
    if (FA_UNLIKELY(__builtin_mul_overflow(n, size, &total) | (total == 0)))
        return fai_frame_alloc_array_cold(fa, n, size, align, FAI_NULLPTR);
#else
    if (FA_UNLIKELY((size != 0 && n > FAI_CAST(size_t, -1) / size) || n * size == 0))
        return fai_frame_alloc_array_cold(fa, n, size, align, FAI_NULLPTR);
    total = n * size;
#endif
    return fai_frame_alloc_inline(fa, total, align, FAI_NULLPTR);
}

/* Debug call sites: capture "file:line" so reports name the allocation site. */
#if FA_DEBUG >= 1 && !defined(FA_NO_SITE_MACROS)
#define fa_frame_alloc(fa, size, align) fa_frame_alloc_at((fa), (size), (align), FA_SITE_HERE)
#define fa_frame_alloc_array(fa, n, size, align) \
    fa_frame_alloc_array_at((fa), (n), (size), (align), FA_SITE_HERE)
#define fa_check_ptr(fa, p) fa_check_ptr_at((fa), (p), FA_SITE_HERE)
#define fa_pool_alloc(fa, size) fa_pool_alloc_at((fa), (size), FA_SITE_HERE)
#define fa_pool_alloc_aligned(fa, size, align) \
    fa_pool_alloc_aligned_at((fa), (size), (align), FA_SITE_HERE)
#define fa_pool_calloc(fa, n, size) fa_pool_calloc_at((fa), (n), (size), FA_SITE_HERE)
#define fa_heap_alloc(fa, size, align) fa_heap_alloc_at((fa), (size), (align), FA_SITE_HERE)
#define fa_heap_realloc(fa, p, size) fa_heap_realloc_at((fa), (p), (size), FA_SITE_HERE)
#define fa_pool_free(fa, p) fa_pool_free_at((fa), (p), FA_SITE_HERE)
#define fa_heap_free(fa, p) fa_heap_free_at((fa), (p), FA_SITE_HERE)
#define fa_free(fa, p) fa_free_at((fa), (p), FA_SITE_HERE)
#elif !defined(FA_NO_SITE_MACROS)
/* Release call sites inline the pool fast paths (the exported functions stay for FFI and for
 * taking their address). */
#define fa_pool_alloc(fa, size) fai_pool_alloc_inline((fa), (size))
#define fa_pool_free(fa, p) fai_pool_free_inline((fa), (p))
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FRAMEALLOC_H */
