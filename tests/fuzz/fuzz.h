/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - declarations shared by the files of the operation-sequence fuzzer: fuzz_ops.c (the
 * operations and the libFuzzer entry points), fuzz_misuse.c (misuse and worker-thread
 * operations) and fuzz_model.c (the shadow model and its checks).
 */
#ifndef FA_FUZZ_H
#define FA_FUZZ_H

#include <framealloc.h>

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_BLOCKS 192
#define MAX_XFERS 16
#define MAX_SLOTS 8
#define MAX_FREED 32
#define MAX_STALE 32
#define MAX_EVENTS 32
#define MAX_TAGNAMES 6
#define BIG_ALLOCS_PER_INPUT 12

/* ---------------------------------------------------------------------------------------- */
/* Operations and misuse classes                                                              */
/* ---------------------------------------------------------------------------------------- */

enum op {
    OP_BEGIN, OP_END, OP_FRAME_ALLOC, OP_FRAME_ZEROED, OP_FRAME_ARRAY, OP_FRAME_REALLOC,
    OP_FRAME_STRDUP, OP_FRAME_RETAIN, OP_PROMOTE_POOL, OP_PROMOTE_HEAP, OP_POOL_ALLOC,
    OP_POOL_ALIGNED, OP_POOL_CALLOC, OP_POOL_FREE, OP_POOL_USABLE, OP_POOL_TRIM, OP_HEAP_ALLOC,
    OP_HEAP_REALLOC, OP_HEAP_FREE, OP_HEAP_SIZE, OP_XFER_CREATE, OP_XFER_RECEIVE, OP_XFER_FREE,
    OP_TAG_PUSH, OP_TAG_POP, OP_TAG_BUDGET, OP_STATS, OP_CHECK_PTR, OP_VALIDATE, OP_CHECK_ALL,
    OP_MISUSE, OP_REMOTE, OP_FRAME_TRIM, OP_COUNT
};
extern const char *const op_names[OP_COUNT];


enum misuse_class {
    MC_GARBAGE,          /* stack, global, small and non-canonical addresses */
    MC_PTR_ONE,          /* (void *)1 in particular */
    MC_WRONG_KIND,       /* frame/pool/heap/transfer memory given to the wrong free, interior */
    MC_DOUBLE_FREE,      /* heap and transfer double free, transfer received twice */
    MC_POOL_DOUBLE_FREE, /* pool double free (detected by debug builds only) */
    MC_BAD_ARGS,         /* bad alignments, sizes, overflow, frame state, retain, tags */
    MC_STALE,            /* pointers of ended frame scopes */
    MC_NULL_ARGS,        /* NULL allocator and handles */
    MC_REMOTE,           /* the worker-thread operations */
    MC_HUGE_ALIGN,       /* (not misuse) frame and heap alignments above the page size */
    MC_COUNT
};
extern const char *const misuse_names[MC_COUNT];
extern bool class_on[MC_COUNT];

/* ---- failure reporting (fuzz_model.c): the op log of the input ---------------------------- */

extern unsigned op_index;
void log_reset(void); /* a new input */
void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the check and the op log of the input, then aborts (libFuzzer keeps the input). */
_Noreturn void fail(const char *file, int line, const char *what);
#define CHECK(c)                                \
    do {                                        \
        if (!(c)) fail(__FILE__, __LINE__, #c); \
    } while (0)

/* ---- error events (fuzz_model.c) ---------------------------------------------------------- */

typedef struct event {
    fa_status status;
    bool with_alloc;
} event;

extern event events[MAX_EVENTS];
extern unsigned n_events;
extern uint64_t errors_with_alloc; /* reports that named the allocator: fa_stats.errors */
extern fa_alloc *cur_fa;

/* The error handler of the allocator and the global one: records every report. */
void handler(const fa_error *e, void *user);
void log_events(void);
/* Every event is in `allowed`; if `required` is not 0, exactly one event is in it. Clears the
 * events; checks fa_last_error against the last one. */
void expect_(unsigned allowed, unsigned required, const char *file, int line);
#define BIT(s) (1u << (s))
#define NOISE_BUDGET (BIT(FA_WARN_BUDGET) | BIT(FA_ERR_BUDGET))
#define EXPECT(allowed, required) expect_((allowed), (required), __FILE__, __LINE__)
#define EXPECT_NONE() EXPECT(0, 0)
#define EXPECT_ONLY(st) EXPECT(0, BIT(st))

/* ---------------------------------------------------------------------------------------- */
/* The model                                                                                  */
/* ---------------------------------------------------------------------------------------- */

enum kind { K_FRAME, K_POOL, K_HEAP };
extern const char *const kind_names[];

typedef struct blk {
    unsigned char *p;
    size_t size;      /* bytes the harness owns (pool: the request, or the class after usable) */
    size_t cls;       /* pool: size class; heap: alignment */
    size_t align;
    uint64_t seed;
    size_t pad;       /* frame: alignment padding bound of this allocation */
    uint8_t kind, tag;
    unsigned scope;   /* frame: depth of its scope (1 = outermost) */
    bool worker;      /* pool: allocated by the worker thread (its page) */
} blk;

typedef struct xfer {
    fa_transfer *h;
    size_t size;
    uint64_t seed;
    unsigned char *payload; /* after receive */
} xfer;

typedef struct retain_slot {
    void *value;        /* the slot the runtime updates */
    unsigned scope;     /* depth of the scope it is registered in; 0 = none */
    size_t size;
    fa_retain_policy policy;
    uint32_t order;     /* when it was registered: the runtime runs retains in that order */
} retain_slot;

typedef struct freed {
    void *p;
    uint8_t kind; /* K_POOL, K_HEAP, 3 = transfer handle */
} freed;

typedef struct stale {
    void *p;
    bool mapped; /* ended in an outer frame that is still open: its block is still ours */
} stale;

typedef struct model {
    fa_alloc *fa;
    fa_config cfg;
    blk b[MAX_BLOCKS];
    unsigned nb;
    xfer x[MAX_XFERS];
    unsigned nx;
    freed fr[MAX_FREED];
    unsigned nfr, fr_next;
    stale st[MAX_STALE];
    unsigned nst, st_next;
    unsigned depth, overflow, max_depth;
    uint64_t frame_number, frames_completed;
    size_t fsum, fpad;                 /* live frame bytes (granules) and padding bound */
    size_t peak_lo, peak_hi;           /* bounds of the open outermost frame's peak bytes */
    size_t last_lo, last_hi;           /* ... of the last completed one (0, 0: none yet) */
    size_t pool_count, pool_bytes, pool_count_main, pool_bytes_main;
    size_t heap_bytes, heap_count, heap_peak;
    uint64_t heap_allocs_main, heap_frees_main;
    size_t xfer_bytes, xfer_count;
    size_t tag_heap[MAX_TAGNAMES + 1], tag_pool[MAX_TAGNAMES + 1];
    size_t tag_soft[MAX_TAGNAMES + 1], tag_hard[MAX_TAGNAMES + 1];
    bool tag_pool_used[MAX_TAGNAMES + 1]; /* the tag ever asked for pool pages */
    fa_tag tags[MAX_TAGNAMES + 1];     /* registered ids by name index; [0] = untagged */
    unsigned ntags;                    /* tags registered with the allocator, incl. 0 */
    fa_tag tag_stack[16];
    unsigned tag_depth, tag_overflow;
    retain_slot slots[MAX_SLOTS];
    unsigned big_allocs;
    uint32_t retain_seq;
    bool worker_used;
    uint64_t next_seed;
} model;
extern model m;

static inline size_t granule(size_t n) { return (n + 15) & ~(size_t)15; }
static inline size_t max_sz(size_t a, size_t b) { return a > b ? a : b; }
static inline size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }
static inline fa_tag cur_tag(void) { return m.tag_depth > 0 ? m.tag_stack[m.tag_depth - 1] : 0; }
static inline bool aligned(const void *p, size_t a) { return ((uintptr_t)p & (a - 1)) == 0; }
/* The pattern of a block: 8-byte words of seed ^ (index * odd constant), byte-addressed so a
 * copy of a prefix carries the same pattern. */
static inline uint64_t pat_word(uint64_t seed, size_t w) { return seed ^ (w * 0x9E3779B97F4A7C15ull); }

unsigned tag_index(fa_tag t);
bool budgets_on(void);
void pat_fill(unsigned char *p, size_t n, uint64_t seed);
bool pat_ok(const unsigned char *p, size_t n, uint64_t seed);
uint64_t new_seed(void);
void check_blk(const blk *b);
size_t pool_class(size_t size, size_t align);
blk *add_blk(uint8_t kind, void *p, size_t size, size_t align);
bool room(void);
void del_blk(blk *b);
blk *find_blk(const void *p);
bool addr_live(const void *p);
blk *pick(unsigned kinds, uint8_t sel);
void remember_freed(void *p, uint8_t kind);
void remember_stale(void *p, bool mapped);
blk *model_pool_new(void *p, size_t size, size_t align, bool worker);
void model_pool_gone(blk *b);
blk *model_heap_new(void *p, size_t size, size_t align);
void model_heap_gone(blk *b, bool by_main);
bool heap_may_fail(size_t size, size_t credit, unsigned credit_ti, bool *must);
bool pool_may_fail(void);
unsigned alloc_noise(void);

/* ---- input decoding (fuzz_model.c) -------------------------------------------------------- */

size_t frame_size(uint8_t a, uint8_t b);
size_t pool_size(uint8_t a, uint8_t b);
size_t heap_size(uint8_t a, uint8_t b);
size_t dec_align(uint8_t c);
extern const size_t budget_table[8];

/* ---- worker thread (fuzz_model.c): runs fn(arg) on it and waits ---------------------------- */

typedef void (*job_fn)(void *arg);
void run_on_worker(job_fn fn, void *arg);

/* ---- fuzz_misuse.c ------------------------------------------------------------------------ */

void op_misuse(uint8_t kind, uint8_t a, uint8_t b, uint8_t c);
void op_remote(uint8_t what, uint8_t sel, uint8_t a, uint8_t b);
void op_check_all(void);

#endif /* FA_FUZZ_H */
