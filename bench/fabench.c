/* SPDX-License-Identifier: MIT */
/*
 * fabench.c - framealloc benchmarks: frame arenas, pools, tracked heap vs a raw baseline and
 * whatever malloc the process got (glibc, or a peer through LD_PRELOAD).
 *
 * One process runs three kinds of variant side by side:
 *   raw   the physical limit, written in the harness (bench_util.h): an inline 5-instruction
 *         bump arena and a free-list pool;
 *   ours  the library (inline header API, exported entry points, pools, heap);
 *   sys   malloc/free/aligned_alloc as resolved in this process (bench/run.sh starts one child
 *         per peer with LD_PRELOAD set, so raw and ours run in every child).
 * Each workload runs R rounds; in every round the variants run in a fresh random order, and a
 * variant's ratio is taken against its baseline's time *of the same round*. The reported ratio
 * is the median of those per-round ratios (the VM's clock noise cancels in it), next to the
 * absolute medians.
 *
 * Modes:
 *   fabench [--peer NAME] [--quick|--full] [--rounds R] [--scale S] [--only F1,P1,...]
 *       timed workloads, one JSON object per line on stdout (bench/report.py turns them into
 *       tables);
 *   fabench --soak ours|sys [--frames N]   S1 soak, one JSON line (summary, and a series of
 *       20 windows: median and longest frame, RSS, framealloc reservation);
 *   --heap-backend default|libc|mimalloc   what the tracked heap runs on (fa_config.heap_backend:
 *       the library's default, malloc, or mimalloc loaded with dlopen);
 *   fabench --ir KERNEL N                  runs exactly N operations of one kernel, for the
 *       callgrind differential (Ir(2N) - Ir(N)) / N; --ir list prints the kernels.
 *   fabench --list                         the workload sections.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>

#include <framealloc.h>

#include "bench_util.h"

/* ---------------------------------------------------------------------------------------- */
/* Options and shared state                                                                   */
/* ---------------------------------------------------------------------------------------- */

static struct {
    int rounds;
    double scale;
    const char *only;
    const char *peer;
    int pin;
    unsigned keep_empty; /* fa_config.pool_keep_empty_pages (0 = library default) */
    const char *heap_backend; /* "default", "libc" or "mimalloc" (fa_config.heap_backend) */
} opt = {21, 1.0, NULL, NULL, 1, 0, "default"};

/* --heap-backend: the tracked heap on malloc itself, or on mimalloc loaded at run time (no
 * link dependency: the benchmark builds where mimalloc is not installed). */
static void *libc_alloc(size_t size, void *ctx) { (void)ctx; return malloc(size); }
static void libc_free(void *p, size_t size, void *ctx) { (void)ctx, (void)size; free(p); }
static void *(*mi_malloc_fn)(size_t);
static void (*mi_free_fn)(void *);
static void *mi_alloc(size_t size, void *ctx) { (void)ctx; return mi_malloc_fn(size); }
static void mi_release(void *p, size_t size, void *ctx) { (void)ctx, (void)size; mi_free_fn(p); }

static fa_heap_backend heap_backend_from_option(void) {
    if (!strcmp(opt.heap_backend, "libc")) return (fa_heap_backend){libc_alloc, libc_free, NULL};
    if (!strcmp(opt.heap_backend, "mimalloc")) {
        void *lib = dlopen("libmimalloc.so.2", RTLD_NOW | RTLD_LOCAL);
        if (lib != NULL) {
            *(void **)&mi_malloc_fn = dlsym(lib, "mi_malloc");
            *(void **)&mi_free_fn = dlsym(lib, "mi_free");
        }
        if (mi_malloc_fn == NULL || mi_free_fn == NULL) {
            fprintf(stderr, "fabench: --heap-backend mimalloc: libmimalloc.so.2 not loadable\n");
            exit(2);
        }
        return (fa_heap_backend){mi_alloc, mi_release, NULL};
    }
    return (fa_heap_backend){0};
}

static fa_tag g_tag; /* "bench", with soft and hard budgets set far above the workloads */
static bench_rng g_order_rng = {0x5eed};

/* Per-thread pointer list for the sys variants of frame workloads (malloc each, free all). */
static __thread void **t_ptrs;
#define PTRS_CAP 131072

static void **ptrs(void) {
    if (t_ptrs == NULL) {
        t_ptrs = malloc(PTRS_CAP * sizeof *t_ptrs);
        if (t_ptrs == NULL) abort();
    }
    return t_ptrs;
}

/* Per-thread raw pools of 16, 64 and 256 bytes. */
static __thread raw_pool t_rpool[3];

static void raw_thread_init(void) {
    raw_arena_init((size_t)16 << 20);
    t_rpool[0].size = 16;
    t_rpool[1].size = 64;
    t_rpool[2].size = 256;
}

/* Live anchors: ANCHORS objects of the size being churned stay allocated around every pair
 * loop, so no allocator sees a page empty out on every free (perf-anchors pitfall 1). One
 * object is not enough: with one, mimalloc's pair loop here ran 112 Ir instead of 53, its
 * anchor having landed on another page than the churned block. */
#define ANCHORS 64
typedef struct anchor_set {
    void *p[ANCHORS];
    int kind; /* 0 raw (pool index in size_idx), 1 ours, 2 sys */
    int size_idx;
} anchor_set;

static const size_t anchor_sizes[3] = {16, 64, 256};
static fa_alloc *g_fa;

static void anchors_take(anchor_set *a, int kind, int size_idx) {
    a->kind = kind;
    a->size_idx = size_idx;
    for (int i = 0; i < ANCHORS; i++) {
        size_t sz = anchor_sizes[size_idx];
        a->p[i] = kind == 0 ? raw_pool_alloc(&t_rpool[size_idx]) : kind == 1 ? fa_pool_alloc(g_fa, sz) : malloc(sz);
        if (a->p[i] == NULL) abort();
    }
}

static void anchors_drop(anchor_set *a) {
    for (int i = ANCHORS - 1; i >= 0; i--) {
        if (a->kind == 0) raw_pool_free(&t_rpool[a->size_idx], a->p[i]);
        else if (a->kind == 1) fa_pool_free(g_fa, a->p[i]);
        else free(a->p[i]);
    }
}

static int scaled(int n) {
    double v = n * opt.scale;
    return v < 1 ? 1 : (int)v;
}

static int section_enabled(const char *id) {
    if (opt.only == NULL) return 1;
    size_t n = strlen(id);
    for (const char *s = opt.only; *s;) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == n && strncmp(s, id, n) == 0) return 1;
        if (e == NULL) break;
        s = e + 1;
    }
    return 0;
}

static void fail(const char *what) {
    fprintf(stderr, "fabench: %s\n", what);
    exit(2);
}

static void on_fa_error(const fa_error *err, void *user) {
    (void)user;
    fprintf(stderr, "fabench: framealloc error %s: %s\n", fa_status_name(err->status), err->message);
    abort();
}

/* ---------------------------------------------------------------------------------------- */
/* The generic round runner                                                                   */
/* ---------------------------------------------------------------------------------------- */

typedef struct variant {
    const char *name; /* raw, ours, ours-at, ours-tag, sys, ... */
    void (*fn)(void); /* one "frame" (or one block of operations) */
    int base;         /* index of the variant this one's ratio is taken against */
} variant;

#define MAXV 12

/* Runs `fpr` timed calls of every variant per round, `opt.rounds` rounds in shuffled order,
 * after `warm` untimed calls each. `ops` = operations per call (allocations, pairs...). */
static void run_set(const char *wl, const char *desc, const char *unit, double ops,
                    const variant *v, int nv, int fpr, int warm) {
    int R = opt.rounds;
    double *s[MAXV], *rmed[MAXV], *rmin[MAXV];
    long faults[MAXV] = {0}, rss[MAXV] = {0};
    int order[MAXV];
    for (int k = 0; k < nv; k++) {
        s[k] = calloc((size_t)R * fpr, sizeof(double));
        rmed[k] = calloc((size_t)R, sizeof(double));
        rmin[k] = calloc((size_t)R, sizeof(double));
        if (s[k] == NULL || rmed[k] == NULL || rmin[k] == NULL) abort();
        order[k] = k;
        for (int w = 0; w < warm; w++) v[k].fn();
    }
    for (int r = 0; r < R; r++) {
        bench_shuffle_int(order, nv, &g_order_rng);
        for (int oi = 0; oi < nv; oi++) {
            int k = order[oi];
            long f0 = bench_thread_faults(), m0 = bench_rss_kib();
            double *out = s[k] + (size_t)r * fpr;
            for (int f = 0; f < fpr; f++) {
                uint64_t t0 = bench_tsc();
                v[k].fn();
                uint64_t t1 = bench_tsc();
                out[f] = bench_ticks_ns(t1 - t0);
            }
            faults[k] += bench_thread_faults() - f0;
            rss[k] += bench_rss_kib() - m0;
            rmed[k][r] = bench_median(out, (size_t)fpr);
            rmin[k][r] = bench_min(out, (size_t)fpr);
        }
    }
    for (int k = 0; k < nv; k++) {
        size_t n = (size_t)R * fpr;
        double ratios[256], ratios_p50[256];
        int b = v[k].base;
        for (int r = 0; r < R && r < 256; r++) {
            ratios[r] = rmin[k][r] / rmin[b][r];
            ratios_p50[r] = rmed[k][r] / rmed[b][r];
        }
        double p50 = bench_median(s[k], n), best = bench_median(rmin[k], (size_t)R);
        printf("{\"type\":\"set\",\"peer\":\"%s\",\"wl\":\"%s\",\"desc\":\"%s\",\"unit\":\"%s\","
               "\"variant\":\"%s\",\"base\":\"%s\",\"ops\":%.0f,\"rounds\":%d,\"calls\":%zu,"
               "\"best_ns\":%.1f,\"p50_ns\":%.1f,\"p99_ns\":%.1f,\"min_ns\":%.1f,\"max_ns\":%.1f,"
               "\"per_op_ns\":%.3f,\"ratio\":%.3f,\"ratio_lo\":%.3f,\"ratio_hi\":%.3f,"
               "\"ratio_p50\":%.3f,\"faults_per_call\":%.4f,\"rss_delta_kib\":%ld}\n",
               opt.peer, wl, desc, unit, v[k].name, v[b].name, ops, R, n, best, p50,
               bench_quantile(s[k], n, 0.99), bench_min(s[k], n), bench_max(s[k], n), best / ops,
               bench_median(ratios, (size_t)R), bench_min(ratios, (size_t)R),
               bench_max(ratios, (size_t)R), bench_median(ratios_p50, (size_t)R),
               (double)faults[k] / (double)n, rss[k]);
    }
    for (int k = 0; k < nv; k++) {
        free(s[k]);
        free(rmed[k]);
        free(rmin[k]);
    }
    fflush(stdout);
}

/* ---------------------------------------------------------------------------------------- */
/* F1 frame-single: 100,000 x 64 B align 16 per frame                                          */
/* ---------------------------------------------------------------------------------------- */

#define F1_N 100000
typedef struct obj64 {
    _Alignas(16) unsigned char b[64];
} obj64;
typedef struct obj160 {
    _Alignas(16) unsigned char b[160];
} obj160;

static BENCH_NOINLINE void f1_raw(void) {
    raw_reset();
    for (int i = 0; i < F1_N; i++) {
        void *p = raw_bump(64);
        BENCH_ESCAPE(p);
    }
}

/* The inline header API (FA_FRAME_NEW -> fa_frame_alloc). bench/run.sh disassembles this
 * function to check the fast path. */
static BENCH_NOINLINE void f1_ours(void) {
    fa_alloc *fa = g_fa;
    fa_begin_frame(fa);
    for (int i = 0; i < F1_N; i++) {
        obj64 *p = FA_FRAME_NEW(fa, obj64);
        BENCH_ESCAPE(p);
    }
    fa_end_frame(fa);
}

/* The exported, non-inline entry point. */
static BENCH_NOINLINE void f1_ours_at(void) {
    fa_alloc *fa = g_fa;
    fa_begin_frame(fa);
    for (int i = 0; i < F1_N; i++) {
        void *p = fa_frame_alloc_at(fa, 64, 16, NULL);
        BENCH_ESCAPE(p);
    }
    fa_end_frame(fa);
}

/* Tag pushed (with budgets set): tags are charged at boundaries, not per allocation. */
static BENCH_NOINLINE void f1_ours_tag(void) {
    fa_alloc *fa = g_fa;
    fa_begin_frame(fa);
    fa_tag_push(fa, g_tag);
    for (int i = 0; i < F1_N; i++) {
        obj64 *p = FA_FRAME_NEW(fa, obj64);
        BENCH_ESCAPE(p);
    }
    fa_tag_pop(fa);
    fa_end_frame(fa);
}

/* NOT the library: the fast path bench/README.md suggests, written against the library's own
 * TLS cursor to show what it would cost. Two predictable branches instead of the branchless
 * combine, and no round-up: valid only while the cursor stays 16-aligned (true in F1, where
 * every size is 64; the library would have to round sizes to 16 to keep it so). */
static inline void *proto_frame_alloc16(fa_alloc *fa, size_t size) {
    fai_cursor_t *c = &fai_cursor;
    uintptr_t p = c->cur, np = p + ((size + 15) & ~(size_t)15);
    if (BENCH_LIKELY(c->serial == ((const fai_alloc_head *)(const void *)fa)->serial) &&
        BENCH_LIKELY(np <= c->end)) {
        c->cur = np;
        return (void *)p;
    }
    return fai_frame_alloc_slow(fa, size, 16, NULL);
}

static BENCH_NOINLINE void f1_proto(void) {
    fa_alloc *fa = g_fa;
    fa_begin_frame(fa);
    for (int i = 0; i < F1_N; i++) {
        void *p = proto_frame_alloc16(fa, 64);
        BENCH_ESCAPE(p);
    }
    fa_end_frame(fa);
}

static BENCH_NOINLINE void f1_sys(void) {
    void **v = ptrs();
    for (int i = 0; i < F1_N; i++) {
        void *p = malloc(64);
        BENCH_ESCAPE(p);
        v[i] = p;
    }
    for (int i = 0; i < F1_N; i++) free(v[i]);
}

static void verify_frame_ptr(void *p, size_t align, const char *wl) {
    if (p == NULL || ((uintptr_t)p & (align - 1)) != 0) {
        fprintf(stderr, "fabench: %s: bad pointer %p (align %zu)\n", wl, p, align);
        exit(3);
    }
}

static void section_f1(void) {
    /* Correctness of what is timed: non-NULL, aligned, writable. */
    fa_begin_frame(g_fa);
    for (int i = 0; i < 1000; i++) {
        obj64 *p = FA_FRAME_NEW(g_fa, obj64);
        verify_frame_ptr(p, 16, "F1");
        memset(p, 0xab, sizeof *p);
    }
    fa_end_frame(g_fa);
    variant v[] = {{"raw", f1_raw, 0}, {"ours", f1_ours, 0}, {"ours-at", f1_ours_at, 0},
                   {"ours-tag", f1_ours_tag, 0}, {"sys", f1_sys, 0},
                   {"proto-suggested", f1_proto, 0}};
    run_set("F1", "frame-single 100000 x 64 B align 16", "alloc", F1_N, v, 6, scaled(10), 5);
}

/* ---------------------------------------------------------------------------------------- */
/* F2 frame-mixed-align: 2,000 allocations, size U[8,4096], align {8,16,32,64}                 */
/* ---------------------------------------------------------------------------------------- */

#define F2_N 2000
static uint32_t f2_size[F2_N], f2_align[F2_N];
static double f2_requested;

static void f2_init(void) {
    bench_rng r = {42};
    f2_requested = 0;
    for (int i = 0; i < F2_N; i++) {
        f2_size[i] = 8 + (uint32_t)bench_below(&r, 4089);
        f2_align[i] = 8u << bench_below(&r, 4);
        f2_requested += f2_size[i];
    }
}

static BENCH_NOINLINE void f2_raw(void) {
    raw_reset();
    for (int i = 0; i < F2_N; i++) {
        void *p = raw_alloc(f2_size[i], f2_align[i]);
        BENCH_ESCAPE(p);
    }
}

static BENCH_NOINLINE void f2_ours(void) {
    fa_alloc *fa = g_fa;
    fa_begin_frame(fa);
    for (int i = 0; i < F2_N; i++) {
        void *p = fa_frame_alloc(fa, f2_size[i], f2_align[i]);
        BENCH_ESCAPE(p);
    }
    fa_end_frame(fa);
}

static inline void *sys_alloc_aligned(size_t size, size_t align) {
    /* malloc guarantees 16 on x86-64 glibc/mimalloc/jemalloc for sizes >= 16; tcmalloc may
     * return 8-aligned blocks below 16 bytes. */
    if (align <= 8 || (align == 16 && size >= 16)) return malloc(size);
    return aligned_alloc(align, size);
}

static BENCH_NOINLINE void f2_sys(void) {
    void **v = ptrs();
    for (int i = 0; i < F2_N; i++) {
        void *p = sys_alloc_aligned(f2_size[i], f2_align[i]);
        BENCH_ESCAPE(p);
        v[i] = p;
    }
    for (int i = 0; i < F2_N; i++) free(v[i]);
}

static void section_f2(void) {
    f2_init();
    /* Verify and measure padding waste (ours: frame bytes the library accounts; raw: cursor). */
    fa_begin_frame(g_fa);
    for (int i = 0; i < F2_N; i++) {
        void *p = fa_frame_alloc(g_fa, f2_size[i], f2_align[i]);
        verify_frame_ptr(p, f2_align[i], "F2");
        memset(p, 1, f2_size[i]);
    }
    fa_thread_stats ts;
    fa_get_my_thread_stats(g_fa, &ts);
    fa_end_frame(g_fa);
    f2_raw();
    double raw_used = (double)(raw_tls.cur - raw_tls.base);
    printf("{\"type\":\"waste\",\"peer\":\"%s\",\"wl\":\"F2\",\"requested\":%.0f,"
           "\"ours_bytes\":%zu,\"raw_bytes\":%.0f,\"ours_waste_pct\":%.3f,\"raw_waste_pct\":%.3f,"
           "\"max_padding_bound_pct\":%.3f}\n",
           opt.peer, f2_requested, ts.frame_bytes, raw_used,
           100.0 * ((double)ts.frame_bytes - f2_requested) / f2_requested,
           100.0 * (raw_used - f2_requested) / f2_requested,
           100.0 * (F2_N * 63.0) / f2_requested);
    variant v[] = {{"raw", f2_raw, 0}, {"ours", f2_ours, 0}, {"sys", f2_sys, 0}};
    run_set("F2", "frame-mixed 2000 allocs size U[8,4096] align {8..64}", "alloc", F2_N, v, 3,
            scaled(100), 100);
}

/* ---------------------------------------------------------------------------------------- */
/* F3 physics-800, F4 particles-10k, F5 ui-200, F6 nested scopes                               */
/* ---------------------------------------------------------------------------------------- */

static BENCH_NOINLINE void f3_raw(void) {
    raw_reset();
    for (int i = 0; i < 500; i++) { void *p = raw_bump(96); BENCH_ESCAPE(p); }
    for (int i = 0; i < 100; i++) { void *p = raw_bump(256); BENCH_ESCAPE(p); }
    for (int i = 0; i < 200; i++) { void *p = raw_bump(64); BENCH_ESCAPE(p); }
}

static BENCH_NOINLINE void f3_ours(void) {
    fa_alloc *fa = g_fa;
    fa_begin_frame(fa);
    for (int i = 0; i < 500; i++) { void *p = fa_frame_alloc(fa, 96, 16); BENCH_ESCAPE(p); }
    for (int i = 0; i < 100; i++) { void *p = fa_frame_alloc(fa, 256, 16); BENCH_ESCAPE(p); }
    for (int i = 0; i < 200; i++) { void *p = fa_frame_alloc(fa, 64, 16); BENCH_ESCAPE(p); }
    fa_end_frame(fa);
}

static BENCH_NOINLINE void f3_sys(void) {
    void **v = ptrs();
    int n = 0;
    for (int i = 0; i < 500; i++) { void *p = malloc(96); BENCH_ESCAPE(p); v[n++] = p; }
    for (int i = 0; i < 100; i++) { void *p = malloc(256); BENCH_ESCAPE(p); v[n++] = p; }
    for (int i = 0; i < 200; i++) { void *p = malloc(64); BENCH_ESCAPE(p); v[n++] = p; }
    for (int i = 0; i < n; i++) free(v[i]);
}

#define F4_N 10000
static BENCH_NOINLINE void f4_raw(void) {
    raw_reset();
    for (int i = 0; i < F4_N; i++) { void *p = raw_bump(64); BENCH_ESCAPE(p); }
}
static BENCH_NOINLINE void f4_ours(void) {
    fa_alloc *fa = g_fa;
    fa_begin_frame(fa);
    for (int i = 0; i < F4_N; i++) { obj64 *p = FA_FRAME_NEW(fa, obj64); BENCH_ESCAPE(p); }
    fa_end_frame(fa);
}
static BENCH_NOINLINE void f4_sys(void) {
    void **v = ptrs();
    for (int i = 0; i < F4_N; i++) { void *p = malloc(64); BENCH_ESCAPE(p); v[i] = p; }
    for (int i = 0; i < F4_N; i++) free(v[i]);
}
/* Touch variants: one word written per particle. */
static BENCH_NOINLINE void f4_raw_touch(void) {
    raw_reset();
    for (int i = 0; i < F4_N; i++) { uint64_t *p = raw_bump(64); *p = (uint64_t)i; BENCH_ESCAPE(p); }
}
static BENCH_NOINLINE void f4_ours_touch(void) {
    fa_alloc *fa = g_fa;
    fa_begin_frame(fa);
    for (int i = 0; i < F4_N; i++) {
        uint64_t *p = (uint64_t *)FA_FRAME_NEW(fa, obj64);
        *p = (uint64_t)i;
        BENCH_ESCAPE(p);
    }
    fa_end_frame(fa);
}
static BENCH_NOINLINE void f4_sys_touch(void) {
    void **v = ptrs();
    for (int i = 0; i < F4_N; i++) { uint64_t *p = malloc(64); *p = (uint64_t)i; BENCH_ESCAPE(p); v[i] = p; }
    for (int i = 0; i < F4_N; i++) free(v[i]);
}

#define F5_N 200
static BENCH_NOINLINE void f5_raw(void) {
    raw_reset();
    for (int i = 0; i < F5_N; i++) { void *p = raw_bump(160); BENCH_ESCAPE(p); }
}
static BENCH_NOINLINE void f5_ours(void) {
    fa_alloc *fa = g_fa;
    fa_begin_frame(fa);
    for (int i = 0; i < F5_N; i++) { obj160 *p = FA_FRAME_NEW(fa, obj160); BENCH_ESCAPE(p); }
    fa_end_frame(fa);
}
static BENCH_NOINLINE void f5_sys(void) {
    void **v = ptrs();
    for (int i = 0; i < F5_N; i++) { void *p = malloc(160); BENCH_ESCAPE(p); v[i] = p; }
    for (int i = 0; i < F5_N; i++) free(v[i]);
}

/* F6: the F3 mix split over an outer frame and 3 nested scopes:
 * outer 200x96 { A 300x96 { B 100x256 { C 200x64 } } }. */
static BENCH_NOINLINE void f6_raw(void) {
    raw_reset();
    raw_arena *a = &raw_tls;
    for (int i = 0; i < 200; i++) { void *p = raw_bump(96); BENCH_ESCAPE(p); }
    uintptr_t m1 = a->cur;
    for (int i = 0; i < 300; i++) { void *p = raw_bump(96); BENCH_ESCAPE(p); }
    uintptr_t m2 = a->cur;
    for (int i = 0; i < 100; i++) { void *p = raw_bump(256); BENCH_ESCAPE(p); }
    uintptr_t m3 = a->cur;
    for (int i = 0; i < 200; i++) { void *p = raw_bump(64); BENCH_ESCAPE(p); }
    a->cur = m3;
    BENCH_ESCAPE(a);
    a->cur = m2;
    BENCH_ESCAPE(a);
    a->cur = m1;
}
static BENCH_NOINLINE void f6_ours(void) {
    fa_alloc *fa = g_fa;
    fa_begin_frame(fa);
    for (int i = 0; i < 200; i++) { void *p = fa_frame_alloc(fa, 96, 16); BENCH_ESCAPE(p); }
    fa_begin_frame(fa);
    for (int i = 0; i < 300; i++) { void *p = fa_frame_alloc(fa, 96, 16); BENCH_ESCAPE(p); }
    fa_begin_frame(fa);
    for (int i = 0; i < 100; i++) { void *p = fa_frame_alloc(fa, 256, 16); BENCH_ESCAPE(p); }
    fa_begin_frame(fa);
    for (int i = 0; i < 200; i++) { void *p = fa_frame_alloc(fa, 64, 16); BENCH_ESCAPE(p); }
    fa_end_frame(fa);
    fa_end_frame(fa);
    fa_end_frame(fa);
    fa_end_frame(fa);
}
static BENCH_NOINLINE void f6_sys(void) {
    void **v = ptrs();
    int n = 0;
    for (int i = 0; i < 200; i++) { void *p = malloc(96); BENCH_ESCAPE(p); v[n++] = p; }
    int m1 = n;
    for (int i = 0; i < 300; i++) { void *p = malloc(96); BENCH_ESCAPE(p); v[n++] = p; }
    int m2 = n;
    for (int i = 0; i < 100; i++) { void *p = malloc(256); BENCH_ESCAPE(p); v[n++] = p; }
    int m3 = n;
    for (int i = 0; i < 200; i++) { void *p = malloc(64); BENCH_ESCAPE(p); v[n++] = p; }
    while (n > m3) free(v[--n]);
    while (n > m2) free(v[--n]);
    while (n > m1) free(v[--n]);
    while (n > 0) free(v[--n]);
}

/* An empty frame: begin + end only (the O(1) frame boundary). */
static BENCH_NOINLINE void f0_raw(void) {
    raw_reset();
    BENCH_ESCAPE(&raw_tls);
}
static BENCH_NOINLINE void f0_ours(void) {
    fa_begin_frame(g_fa);
    fa_end_frame(g_fa);
}

static void section_f3(void) {
    variant v[] = {{"raw", f3_raw, 0}, {"ours", f3_ours, 0}, {"sys", f3_sys, 0}};
    run_set("F3", "physics-800 (500x96+100x256+200x64, begin/end incl.)", "frame", 800, v, 3,
            scaled(500), 50);
}
static void section_f4(void) {
    variant v[] = {{"raw", f4_raw, 0},           {"ours", f4_ours, 0},
                   {"sys", f4_sys, 0},           {"raw-touch", f4_raw_touch, 3},
                   {"ours-touch", f4_ours_touch, 3}, {"sys-touch", f4_sys_touch, 3}};
    run_set("F4", "particles-10k (10000 x 64 B)", "frame", F4_N, v, 6, scaled(50), 20);
}
static void section_f5(void) {
    variant v[] = {{"raw", f5_raw, 0}, {"ours", f5_ours, 0}, {"sys", f5_sys, 0}};
    run_set("F5", "ui-200 (200 x 160 B, begin/end incl.)", "frame", F5_N, v, 3, scaled(2000),
            100);
    variant e[] = {{"raw", f0_raw, 0}, {"ours", f0_ours, 0}};
    run_set("F0", "empty frame (begin + end)", "frame", 1, e, 2, scaled(2000), 100);
}
static void section_f6(void) {
    variant v[] = {{"raw", f6_raw, 0}, {"ours", f6_ours, 0}, {"sys", f6_sys, 0}};
    run_set("F6", "nested: F3 mix over outer + 3 nested scopes", "frame", 800, v, 3,
            scaled(500), 50);
}

/* ---------------------------------------------------------------------------------------- */
/* P1 pool churn, same thread                                                                 */
/* ---------------------------------------------------------------------------------------- */

/* Short timed calls, many per round: the per-round median then filters out the calls a
 * preemption landed in (this 2-vCPU VM is shared). */
static int g_p1_pairs = 20000; /* pairs per timed call (pair patterns) */
static int g_p1_bursts = 4;    /* bursts of 4096 per timed call (burst patterns) */
#define BURST 4096
static void *g_burst[BURST];
static uint16_t g_perm[BURST];

#define P1_PAIR(SZ, IDX)                                                                   \
    static BENCH_NOINLINE void p1_raw_##SZ(void) {                                         \
        raw_pool *rp = &t_rpool[IDX];                                                      \
        for (int i = 0; i < g_p1_pairs; i++) {                                             \
            void *p = raw_pool_alloc(rp);                                                  \
            BENCH_ESCAPE(p);                                                               \
            raw_pool_free(rp, p);                                                          \
        }                                                                                  \
    }                                                                                      \
    static BENCH_NOINLINE void p1_ours_##SZ(void) {                                        \
        fa_alloc *fa = g_fa;                                                               \
        for (int i = 0; i < g_p1_pairs; i++) {                                             \
            void *p = fa_pool_alloc(fa, SZ);                                               \
            BENCH_ESCAPE(p);                                                               \
            fa_pool_free(fa, p);                                                           \
        }                                                                                  \
    }                                                                                      \
    static BENCH_NOINLINE void p1_sys_##SZ(void) {                                         \
        for (int i = 0; i < g_p1_pairs; i++) {                                             \
            void *p = malloc(SZ);                                                          \
            BENCH_ESCAPE(p);                                                               \
            free(p);                                                                       \
        }                                                                                  \
    }
P1_PAIR(16, 0)
P1_PAIR(64, 1)
P1_PAIR(256, 2)

#define P1_BURST(KIND, ORDER)                                                              \
    static BENCH_NOINLINE void p1_raw_##KIND(void) {                                       \
        raw_pool *rp = &t_rpool[1];                                                        \
        for (int b = 0; b < g_p1_bursts; b++) {                                            \
            for (int i = 0; i < BURST; i++) {                                              \
                void *p = raw_pool_alloc(rp);                                              \
                BENCH_ESCAPE(p);                                                           \
                g_burst[i] = p;                                                            \
            }                                                                              \
            for (int i = 0; i < BURST; i++) raw_pool_free(rp, g_burst[ORDER]);             \
        }                                                                                  \
    }                                                                                      \
    static BENCH_NOINLINE void p1_ours_##KIND(void) {                                      \
        fa_alloc *fa = g_fa;                                                               \
        for (int b = 0; b < g_p1_bursts; b++) {                                            \
            for (int i = 0; i < BURST; i++) {                                              \
                void *p = fa_pool_alloc(fa, 64);                                           \
                BENCH_ESCAPE(p);                                                           \
                g_burst[i] = p;                                                            \
            }                                                                              \
            for (int i = 0; i < BURST; i++) fa_pool_free(fa, g_burst[ORDER]);              \
        }                                                                                  \
    }                                                                                      \
    static BENCH_NOINLINE void p1_sys_##KIND(void) {                                       \
        for (int b = 0; b < g_p1_bursts; b++) {                                            \
            for (int i = 0; i < BURST; i++) {                                              \
                void *p = malloc(64);                                                      \
                BENCH_ESCAPE(p);                                                           \
                g_burst[i] = p;                                                            \
            }                                                                              \
            for (int i = 0; i < BURST; i++) free(g_burst[ORDER]);                          \
        }                                                                                  \
    }
P1_BURST(lifo, BURST - 1 - i)
P1_BURST(fifo, i)
P1_BURST(shuf, g_perm[i])

static void section_p1(void) {
    g_p1_pairs = scaled(20000);
    g_p1_bursts = scaled(4);
    int fpr = opt.scale < 1 ? 9 : 15;
    bench_rng r = {7};
    for (int i = 0; i < BURST; i++) g_perm[i] = (uint16_t)i;
    for (int i = BURST - 1; i > 0; i--) {
        int j = (int)bench_below(&r, (uint64_t)i + 1);
        uint16_t t = g_perm[i];
        g_perm[i] = g_perm[j];
        g_perm[j] = t;
    }
    anchor_set anchors[3][3];
    for (int i = 0; i < 3; i++)
        for (int kind = 0; kind < 3; kind++) anchors_take(&anchors[i][kind], kind, i);
    variant v16[] = {{"raw", p1_raw_16, 0}, {"ours", p1_ours_16, 0}, {"sys", p1_sys_16, 0}};
    variant v64[] = {{"raw", p1_raw_64, 0}, {"ours", p1_ours_64, 0}, {"sys", p1_sys_64, 0}};
    variant v256[] = {{"raw", p1_raw_256, 0}, {"ours", p1_ours_256, 0}, {"sys", p1_sys_256, 0}};
    run_set("P1a-64", "pool pair 64 B alloc+free, live anchor", "pair", g_p1_pairs, v64, 3, fpr, 2);
    run_set("P1a-16", "pool pair 16 B alloc+free, live anchor", "pair", g_p1_pairs, v16, 3, fpr, 2);
    run_set("P1a-256", "pool pair 256 B alloc+free, live anchor", "pair", g_p1_pairs, v256, 3, fpr,
            2);
    double bops = (double)g_p1_bursts * BURST;
    variant vl[] = {{"raw", p1_raw_lifo, 0}, {"ours", p1_ours_lifo, 0}, {"sys", p1_sys_lifo, 0}};
    variant vf[] = {{"raw", p1_raw_fifo, 0}, {"ours", p1_ours_fifo, 0}, {"sys", p1_sys_fifo, 0}};
    variant vs[] = {{"raw", p1_raw_shuf, 0}, {"ours", p1_ours_shuf, 0}, {"sys", p1_sys_shuf, 0}};
    run_set("P1b-lifo", "pool burst 4096 x 64 B then free LIFO", "pair", bops, vl, 3, fpr, 2);
    run_set("P1c-fifo", "pool burst 4096 x 64 B then free FIFO", "pair", bops, vf, 3, fpr, 2);
    run_set("P1d-shuf", "pool burst 4096 x 64 B then free shuffled", "pair", bops, vs, 3, fpr, 2);
    for (int i = 0; i < 3; i++)
        for (int kind = 0; kind < 3; kind++) anchors_drop(&anchors[i][kind]);
}

/* ---------------------------------------------------------------------------------------- */
/* H1 tracked heap: live set of 100 blocks, log-uniform 4 KiB - 1 MiB, random replace          */
/* ---------------------------------------------------------------------------------------- */

#define H1_LIVE 100
#define H1_SEQ 8192
static uint32_t h1_size[H1_SEQ];
static uint8_t h1_slot[H1_SEQ];
static void *h1_live[3][H1_LIVE]; /* sys, ours, ours-tag */
static unsigned h1_pos[3];
static int g_h1_ops = 200;

static void h1_init(void) {
    bench_rng r = {99};
    for (int i = 0; i < H1_SEQ; i++) {
        h1_size[i] = (uint32_t)exp(log(4096.0) + bench_unit(&r) * (log(1048576.0) - log(4096.0)));
        h1_slot[i] = (uint8_t)bench_below(&r, H1_LIVE);
    }
}

/* Both variants write one word into each new block, so both fault its first page in. */
static BENCH_NOINLINE void h1_sys(void) {
    void **live = h1_live[0];
    unsigned j = h1_pos[0];
    for (int i = 0; i < g_h1_ops; i++, j = (j + 1) % H1_SEQ) {
        unsigned k = h1_slot[j];
        free(live[k]);
        uint64_t *p = malloc(h1_size[j]);
        *p = j;
        BENCH_ESCAPE(p);
        live[k] = p;
    }
    h1_pos[0] = j;
}

static void h1_ours_common(int idx) {
    fa_alloc *fa = g_fa;
    void **live = h1_live[idx];
    unsigned j = h1_pos[idx];
    for (int i = 0; i < g_h1_ops; i++, j = (j + 1) % H1_SEQ) {
        unsigned k = h1_slot[j];
        fa_heap_free(fa, live[k]);
        uint64_t *p = fa_heap_alloc(fa, h1_size[j], 16);
        *p = j;
        BENCH_ESCAPE(p);
        live[k] = p;
    }
    h1_pos[idx] = j;
}
static BENCH_NOINLINE void h1_ours(void) { h1_ours_common(1); }
static BENCH_NOINLINE void h1_ours_tag(void) {
    fa_tag_push(g_fa, g_tag);
    h1_ours_common(2);
    fa_tag_pop(g_fa);
}

static void section_h1(void) {
    g_h1_ops = scaled(200);
    h1_init();
    for (int i = 0; i < H1_LIVE; i++) {
        h1_live[0][i] = malloc(h1_size[i]);
        h1_live[1][i] = fa_heap_alloc(g_fa, h1_size[i], 16);
        fa_tag_push(g_fa, g_tag);
        h1_live[2][i] = fa_heap_alloc(g_fa, h1_size[i], 16);
        fa_tag_pop(g_fa);
    }
    variant v[] = {{"sys", h1_sys, 0}, {"ours", h1_ours, 0}, {"ours-tag", h1_ours_tag, 0}};
    run_set("H1", "tracked heap: 100 live, log-uniform 4K-1M, replace", "pair", g_h1_ops, v, 3,
            opt.scale < 1 ? 9 : 15, 2);
    for (int i = 0; i < H1_LIVE; i++) {
        free(h1_live[0][i]);
        fa_heap_free(g_fa, h1_live[1][i]);
        fa_heap_free(g_fa, h1_live[2][i]);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Helper thread (cpu1) for P2 and T2                                                          */
/* ---------------------------------------------------------------------------------------- */

static pthread_t g_helper;
static int g_helper_up;
static _Alignas(64) _Atomic unsigned g_job_seq;
static _Alignas(64) _Atomic unsigned g_job_done;
static void (*g_job_fn)(void);
static _Alignas(64) _Atomic int g_gate; /* start barrier of the two threads */

static void *helper_main(void *arg) {
    (void)arg;
    if (opt.pin) bench_pin(1);
    raw_thread_init();
    unsigned seen = 0;
    for (;;) {
        unsigned s;
        int spins = 0;
        while ((s = atomic_load_explicit(&g_job_seq, memory_order_acquire)) == seen) {
            if (++spins < 2000) {
                bench_pause();
            } else {
                struct timespec ts = {0, 20000};
                nanosleep(&ts, NULL);
            }
        }
        seen = s;
        void (*fn)(void) = g_job_fn;
        if (fn == NULL) break;
        fn();
        atomic_store_explicit(&g_job_done, s, memory_order_release);
    }
    return NULL;
}

static int g_cpus; /* CPUs available at start-up (before pinning) */

static int helper_ensure(void) {
    if (g_helper_up) return 1;
    if (g_cpus < 2) return 0;
    if (pthread_create(&g_helper, NULL, helper_main, NULL) != 0) return 0;
    g_helper_up = 1;
    return 1;
}

static void helper_start(void (*fn)(void)) {
    g_job_fn = fn;
    atomic_fetch_add_explicit(&g_job_seq, 1, memory_order_release);
}

static void helper_wait(void) {
    unsigned want = atomic_load(&g_job_seq);
    while (atomic_load_explicit(&g_job_done, memory_order_acquire) != want) bench_pause();
}

static void helper_stop(void) {
    if (!g_helper_up) return;
    helper_start(NULL);
    pthread_join(g_helper, NULL);
    g_helper_up = 0;
}

/* Both threads call this; returns when both arrived. gate must be reset to 0 before. */
static void gate_pass(void) {
    atomic_fetch_add(&g_gate, 1);
    while (atomic_load(&g_gate) < 2) bench_pause();
}

/* ---------------------------------------------------------------------------------------- */
/* P2 cross-thread producer (cpu0) -> consumer (cpu1)                                          */
/* ---------------------------------------------------------------------------------------- */

enum { P2_RAW = 0, P2_OURS, P2_SYS, P2_NV };
static const char *const p2_names[P2_NV] = {"raw-ideal", "ours", "sys"};
#define P2_RING 64
#define P2_MAXB 256
typedef struct p2_batch {
    void *obj[P2_MAXB];
} p2_batch;
static p2_batch p2_ring[P2_RING];
static _Alignas(64) _Atomic uint64_t p2_head;
static _Alignas(64) _Atomic uint64_t p2_tail;
static _Alignas(64) int p2_variant, p2_bsize;
static uint64_t p2_nbatches;
static uint64_t p2_cons_ticks; /* consumer time spent freeing */

/* The "ideal" pool: a local free list plus one MPSC list; the consumer hands each batch back
 * with a single CAS (snmalloc-style batched message). */
typedef struct p2_ideal {
    void *local;
    uintptr_t bump, end;
    _Alignas(64) _Atomic(void *) remote;
} p2_ideal;
static p2_ideal p2_ip;

static BENCH_NOINLINE void *ideal_refill(void) {
    void *b = atomic_exchange_explicit(&p2_ip.remote, NULL, memory_order_acquire);
    if (b != NULL) {
        p2_ip.local = *(void **)b;
        return b;
    }
    if (p2_ip.bump + 64 > p2_ip.end) {
        size_t chunk = (size_t)1 << 20;
        void *m = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) raw_oom();
        p2_ip.bump = (uintptr_t)m;
        p2_ip.end = p2_ip.bump + chunk;
    }
    b = (void *)p2_ip.bump;
    p2_ip.bump += 64;
    return b;
}

static inline void *ideal_alloc(void) {
    void *b = p2_ip.local;
    if (BENCH_LIKELY(b != NULL)) {
        p2_ip.local = *(void **)b;
        return b;
    }
    return ideal_refill();
}

static inline void ideal_free_batch(void **obj, int n) {
    for (int i = 0; i < n - 1; i++) *(void **)obj[i] = obj[i + 1];
    void *head = atomic_load_explicit(&p2_ip.remote, memory_order_relaxed);
    do {
        *(void **)obj[n - 1] = head;
    } while (!atomic_compare_exchange_weak_explicit(&p2_ip.remote, &head, obj[0],
                                                    memory_order_release, memory_order_relaxed));
}

#define P2_PRODUCE(ALLOC)                                                                   \
    for (uint64_t k = 0; k < nb; k++) {                                                     \
        while (k - tail_seen >= P2_RING) {                                                  \
            tail_seen = atomic_load_explicit(&p2_tail, memory_order_acquire);               \
            if (k - tail_seen >= P2_RING) bench_pause();                                    \
        }                                                                                   \
        p2_batch *bt = &p2_ring[k % P2_RING];                                               \
        for (int i = 0; i < B; i++) {                                                       \
            uint64_t *o = ALLOC;                                                            \
            *o = k;                                                                         \
            bt->obj[i] = o;                                                                 \
        }                                                                                   \
        atomic_store_explicit(&p2_head, k + 1, memory_order_release);                      \
    }

static void p2_producer(void) {
    uint64_t nb = p2_nbatches, tail_seen = 0;
    int B = p2_bsize;
    fa_alloc *fa = g_fa;
    switch (p2_variant) {
    case P2_RAW: P2_PRODUCE(ideal_alloc()) break;
    case P2_OURS: P2_PRODUCE(fa_pool_alloc(fa, 64)) break;
    default: P2_PRODUCE(malloc(64)) break;
    }
}

static void p2_consumer(void) {
    gate_pass();
    uint64_t nb = p2_nbatches, head_seen = 0, ticks = 0;
    int B = p2_bsize, v = p2_variant;
    fa_alloc *fa = g_fa;
    for (uint64_t k = 0; k < nb; k++) {
        while (k >= head_seen) {
            head_seen = atomic_load_explicit(&p2_head, memory_order_acquire);
            if (k >= head_seen) bench_pause();
        }
        p2_batch *bt = &p2_ring[k % P2_RING];
        uint64_t t0 = bench_tsc();
        if (v == P2_RAW) {
            ideal_free_batch(bt->obj, B);
        } else if (v == P2_OURS) {
            for (int i = 0; i < B; i++) fa_pool_free(fa, bt->obj[i]);
        } else {
            for (int i = 0; i < B; i++) free(bt->obj[i]);
        }
        ticks += bench_tsc() - t0;
        atomic_store_explicit(&p2_tail, k + 1, memory_order_release);
    }
    p2_cons_ticks = ticks;
}

/* One run; returns ns per object (and the consumer's free-side ns per object). */
static double p2_run(int variant_id, int bsize, uint64_t objects, double *free_ns) {
    p2_variant = variant_id;
    p2_bsize = bsize;
    p2_nbatches = objects / (uint64_t)bsize;
    atomic_store(&p2_head, 0);
    atomic_store(&p2_tail, 0);
    atomic_store(&g_gate, 0);
    helper_start(p2_consumer);
    gate_pass();
    uint64_t t0 = bench_tsc();
    p2_producer();
    while (atomic_load_explicit(&p2_tail, memory_order_acquire) != p2_nbatches) bench_pause();
    uint64_t t1 = bench_tsc();
    helper_wait();
    double n = (double)(p2_nbatches * (uint64_t)bsize);
    *free_ns = bench_ticks_ns(p2_cons_ticks) / n;
    return bench_ticks_ns(t1 - t0) / n;
}

static void section_p2(void) {
    if (!helper_ensure()) {
        printf("{\"type\":\"skip\",\"peer\":\"%s\",\"wl\":\"P2\",\"why\":\"needs 2 CPUs\"}\n",
               opt.peer);
        return;
    }
    static const int bsizes[2] = {256, 16};
    uint64_t objects = (uint64_t)scaled(1 << 18);
    int R = opt.rounds < 7 ? opt.rounds : 7;
    for (int bi = 0; bi < 2; bi++) {
        int B = bsizes[bi];
        double t[P2_NV][64], fr[P2_NV][64], ratio[P2_NV][64];
        long faults[P2_NV] = {0}, rss0 = bench_rss_kib(), rss[P2_NV] = {0};
        int order[P2_NV] = {0, 1, 2};
        double dummy;
        for (int k = 0; k < P2_NV; k++) p2_run(k, B, objects / 8, &dummy); /* warm-up */
        for (int r = 0; r < R; r++) {
            bench_shuffle_int(order, P2_NV, &g_order_rng);
            for (int oi = 0; oi < P2_NV; oi++) {
                int k = order[oi];
                long f0 = bench_process_faults(), m0 = bench_rss_kib();
                t[k][r] = p2_run(k, B, objects, &fr[k][r]);
                faults[k] += bench_process_faults() - f0;
                rss[k] += bench_rss_kib() - m0;
            }
            for (int k = 0; k < P2_NV; k++) ratio[k][r] = t[k][r] / t[P2_RAW][r];
        }
        (void)rss0;
        char wl[32];
        snprintf(wl, sizeof wl, "P2-b%d", B);
        for (int k = 0; k < P2_NV; k++) {
            printf("{\"type\":\"p2\",\"peer\":\"%s\",\"wl\":\"%s\",\"variant\":\"%s\","
                   "\"batch\":%d,\"objects\":%llu,\"rounds\":%d,\"per_obj_ns\":%.2f,"
                   "\"min_ns\":%.2f,\"max_ns\":%.2f,\"free_side_ns\":%.2f,\"ratio\":%.3f,"
                   "\"ratio_lo\":%.3f,\"ratio_hi\":%.3f,\"faults_per_obj\":%.5f,"
                   "\"rss_delta_kib\":%ld}\n",
                   opt.peer, wl, p2_names[k], B, (unsigned long long)objects, R,
                   bench_median(t[k], R), bench_min(t[k], R), bench_max(t[k], R),
                   bench_median(fr[k], R), bench_median(ratio[k], R), bench_min(ratio[k], R),
                   bench_max(ratio[k], R), (double)faults[k] / ((double)objects * R), rss[k]);
        }
        fflush(stdout);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* T2: 1 vs 2 threads (F4 frame + 4096 pool pairs per unit)                                    */
/* ---------------------------------------------------------------------------------------- */

static int t2_variant, t2_kind, t2_units;
static double t2_helper_ns;

/* kind 0: one F4-touch frame (10,000 x 64 B); kind 1: 4,096 pool pairs of 64 B (live anchors). */
/* The VM probe: independent ALU work, no memory. If its per-thread throughput drops when both
 * vCPUs run, the vCPUs share a physical core (SMT siblings) or the host throttles, and no
 * allocator can scale better than this on this machine. */
static void t2_alu_probe(void) {
    uint64_t a = 0, b = 0, c = 0, d = 0, e = 0, f = 0;
    for (int i = 0; i < 20000; i++)
        __asm__ volatile("add $1,%0\n add $1,%1\n add $1,%2\n add $1,%3\n add $1,%4\n add $1,%5"
                         : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e), "+r"(f));
}

static void t2_unit(int v, int kind) {
    if (v == 3) {
        t2_alu_probe();
        return;
    }
    if (kind == 0) {
        if (v == 0) f4_raw_touch(); else if (v == 1) f4_ours_touch(); else f4_sys_touch();
        return;
    }
    anchor_set anchors;
    anchors_take(&anchors, v, 1);
    if (v == 0) {
        raw_pool *rp = &t_rpool[1];
        for (int i = 0; i < BURST; i++) { void *p = raw_pool_alloc(rp); BENCH_ESCAPE(p); raw_pool_free(rp, p); }
    } else if (v == 1) {
        fa_alloc *fa = g_fa;
        for (int i = 0; i < BURST; i++) { void *p = fa_pool_alloc(fa, 64); BENCH_ESCAPE(p); fa_pool_free(fa, p); }
    } else {
        for (int i = 0; i < BURST; i++) { void *p = malloc(64); BENCH_ESCAPE(p); free(p); }
    }
    anchors_drop(&anchors);
}

static double t2_work(void) {
    uint64_t t0 = bench_tsc();
    for (int u = 0; u < t2_units; u++) t2_unit(t2_variant, t2_kind);
    return bench_ticks_ns(bench_tsc() - t0);
}

static void t2_helper_job(void) {
    for (int u = 0; u < 5; u++) t2_unit(t2_variant, t2_kind); /* warm this thread's state */
    gate_pass();
    t2_helper_ns = t2_work();
}

static void section_t2(void) {
    if (!helper_ensure()) {
        printf("{\"type\":\"skip\",\"peer\":\"%s\",\"wl\":\"T2\",\"why\":\"needs 2 CPUs\"}\n",
               opt.peer);
        return;
    }
    static const char *const names[4] = {"raw", "ours", "sys", "alu-probe"};
    static const char *const kinds[2] = {"T2-frame", "T2-pool"};
    static const char *const units[2] = {"F4-touch frame (10000 x 64 B)", "4096 pool pairs 64 B"};
    int R = opt.rounds < 7 ? opt.rounds : 7;
    for (int kind = 0; kind < 2; kind++) {
        t2_kind = kind;
        t2_units = scaled(kind == 0 ? 100 : 200);
        double one[4][64], two[4][64], scal[4][64];
        int order[4] = {0, 1, 2, 3};
        for (int k = 0; k < 4; k++)
            for (int u = 0; u < 5; u++) t2_unit(k, kind);
        for (int r = 0; r < R; r++) {
            bench_shuffle_int(order, 4, &g_order_rng);
            for (int oi = 0; oi < 4; oi++) {
                int k = order[oi];
                t2_variant = k;
                one[k][r] = t2_work() / t2_units;
                atomic_store(&g_gate, 0);
                helper_start(t2_helper_job);
                gate_pass();
                double mine = t2_work();
                helper_wait();
                two[k][r] = 0.5 * (mine + t2_helper_ns) / t2_units;
                scal[k][r] = one[k][r] / two[k][r];
            }
        }
        for (int k = 0; k < 4; k++) {
            printf("{\"type\":\"t2\",\"peer\":\"%s\",\"wl\":\"%s\",\"variant\":\"%s\",\"rounds\":%d,"
                   "\"unit\":\"%s\",\"one_thread_ns\":%.0f,\"two_thread_ns\":%.0f,"
                   "\"per_thread_throughput\":%.3f,\"lo\":%.3f,\"hi\":%.3f}\n",
                   opt.peer, kinds[kind], names[k], R, units[kind], bench_median(one[k], R),
                   bench_median(two[k], R), bench_median(scal[k], R), bench_min(scal[k], R),
                   bench_max(scal[k], R));
        }
        fflush(stdout);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* S1 soak                                                                                    */
/* ---------------------------------------------------------------------------------------- */

#define S1_POOL_PER_FRAME 1000
#define S1_LIFE_SLOTS 64
#define S1_WINDOWS 20 /* the series: frame-time p50/max and RSS per 1/20 of the soak */
typedef struct s1_obj {
    struct s1_obj *next;
} s1_obj;

static void soak(int ours, int frames) {
    fa_alloc *fa = g_fa;
    if (frames < 100) frames = 100;
    bench_rng r = {2024};
    h1_init();
    static const size_t pool_sizes[5] = {16, 32, 64, 128, 256};
    s1_obj *expire[S1_LIFE_SLOTS] = {0};
    void *heap_live[H1_LIVE];
    void **frame_ptrs = ptrs();
    void *pool_tmp[S1_POOL_PER_FRAME];
    for (int i = 0; i < H1_LIVE; i++)
        heap_live[i] = ours ? fa_heap_alloc(fa, h1_size[i], 16) : malloc(h1_size[i]);
    double *ft = calloc((size_t)frames, sizeof(double));
    long *fl = calloc((size_t)frames, sizeof(long));
    if (ft == NULL || fl == NULL) abort();
    long rss_1k = -1, survivors = 0, fa_res_1k = 0;
    long rss_w[S1_WINDOWS] = {0}, res_w[S1_WINDOWS] = {0};
    int window = frames / S1_WINDOWS;
    unsigned hj = H1_LIVE;
    int warm = frames / 10 < 100 ? frames / 10 : 100;
    for (int f = 0; f < frames; f++) {
        long f0 = bench_thread_faults();
        uint64_t t0 = bench_tsc();
        int n = 0;
        if (ours) {
            fa_begin_frame(fa);
            for (int i = 0; i < 500; i++) { uint64_t *p = fa_frame_alloc(fa, 96, 16); *p = i; BENCH_ESCAPE(p); }
            for (int i = 0; i < 100; i++) { uint64_t *p = fa_frame_alloc(fa, 256, 16); *p = i; BENCH_ESCAPE(p); }
            for (int i = 0; i < 200; i++) { uint64_t *p = fa_frame_alloc(fa, 64, 16); *p = i; BENCH_ESCAPE(p); }
            for (int i = 0; i < F4_N; i++) { uint64_t *p = (uint64_t *)FA_FRAME_NEW(fa, obj64); *p = i; BENCH_ESCAPE(p); }
            fa_begin_frame(fa); /* the UI pass in its own scope */
            for (int i = 0; i < F5_N; i++) { uint64_t *p = (uint64_t *)FA_FRAME_NEW(fa, obj160); *p = i; BENCH_ESCAPE(p); }
            fa_end_frame(fa);
        } else {
            for (int i = 0; i < 500; i++) { uint64_t *p = malloc(96); *p = i; frame_ptrs[n++] = p; }
            for (int i = 0; i < 100; i++) { uint64_t *p = malloc(256); *p = i; frame_ptrs[n++] = p; }
            for (int i = 0; i < 200; i++) { uint64_t *p = malloc(64); *p = i; frame_ptrs[n++] = p; }
            for (int i = 0; i < F4_N; i++) { uint64_t *p = malloc(64); *p = i; frame_ptrs[n++] = p; }
            int ui = n;
            for (int i = 0; i < F5_N; i++) { uint64_t *p = malloc(160); *p = i; frame_ptrs[n++] = p; }
            while (n > ui) free(frame_ptrs[--n]);
        }
        /* Pool: objects expiring this frame, then 1,000 new ones; 5% survive 1-60 frames. */
        for (s1_obj *o = expire[f % S1_LIFE_SLOTS]; o != NULL;) {
            s1_obj *next = o->next;
            if (ours) fa_pool_free(fa, o); else free(o);
            survivors--;
            o = next;
        }
        expire[f % S1_LIFE_SLOTS] = NULL;
        for (int i = 0; i < S1_POOL_PER_FRAME; i++) {
            size_t sz = pool_sizes[bench_below(&r, 5)];
            s1_obj *o = ours ? fa_pool_alloc(fa, sz) : malloc(sz);
            o->next = NULL;
            pool_tmp[i] = o;
        }
        for (int i = 0; i < S1_POOL_PER_FRAME; i++) {
            s1_obj *o = pool_tmp[i];
            if (bench_below(&r, 100) < 5) {
                int slot = (f + 1 + (int)bench_below(&r, 60)) % S1_LIFE_SLOTS;
                o->next = expire[slot];
                expire[slot] = o;
                survivors++;
            } else if (ours) {
                fa_pool_free(fa, o);
            } else {
                free(o);
            }
        }
        /* Heap churn every 10 frames: 10 of the 100 live blocks replaced. */
        if (f % 10 == 9) {
            for (int i = 0; i < 10; i++, hj = (hj + 1) % H1_SEQ) {
                unsigned k = h1_slot[hj];
                if (ours) fa_heap_free(fa, heap_live[k]); else free(heap_live[k]);
                uint64_t *p = ours ? fa_heap_alloc(fa, h1_size[hj], 16) : malloc(h1_size[hj]);
                *p = hj;
                heap_live[k] = p;
            }
        }
        if (ours) fa_end_frame(fa);
        else while (n > 0) free(frame_ptrs[--n]);
        uint64_t t1 = bench_tsc();
        ft[f] = bench_ticks_ns(t1 - t0);
        fl[f] = bench_thread_faults() - f0;
        if ((f + 1) % window == 0 && (f + 1) / window <= S1_WINDOWS) {
            /* Outside the timed region: one statm read per window. */
            int k = (f + 1) / window - 1;
            rss_w[k] = bench_rss_kib();
            if (ours) {
                fa_stats st;
                fa_get_stats(fa, &st);
                res_w[k] = (long)((st.frame_reserved + st.pool_reserved) / 1024);
            }
        }
        if (f == 999 || (frames < 1000 && f == frames - 1)) {
            rss_1k = bench_rss_kib();
            if (ours) {
                fa_stats st;
                fa_get_stats(fa, &st);
                fa_res_1k = (long)((st.frame_reserved + st.pool_reserved) / 1024);
            }
        }
    }
    long rss_end = bench_rss_kib();
    long faults_all = 0, faults_heap = 0, faults_other = 0, nheap = 0, nother = 0;
    for (int f = warm; f < frames; f++) {
        faults_all += fl[f];
        if (f % 10 == 9) { faults_heap += fl[f]; nheap++; }
        else { faults_other += fl[f]; nother++; }
    }
    size_t n = (size_t)(unsigned)(frames - warm);
    /* Frames without heap churn on their own: the every-10th-frame heap replacement (malloc of
     * 4 KiB-1 MiB blocks, with the backing malloc's faults) owns the top decile otherwise. */
    double *quiet = calloc(n, sizeof(double));
    size_t nq = 0;
    if (quiet == NULL) abort();
    for (int f = warm; f < frames; f++)
        if (f % 10 != 9) quiet[nq++] = ft[f];
    size_t pool_live = 0, heap_count = 0;
    long fa_res_end = 0;
    if (ours) {
        fa_stats st;
        fa_get_stats(fa, &st);
        pool_live = st.pool_count;
        heap_count = st.heap_count;
        fa_res_end = (long)((st.frame_reserved + st.pool_reserved) / 1024);
    }
    printf("{\"type\":\"soak\",\"peer\":\"%s\",\"mode\":\"%s\",\"heap_backend\":\"%s\","
           "\"frames\":%d,\"warm\":%d,"
           "\"p50_ns\":%.0f,\"p99_ns\":%.0f,\"p999_ns\":%.0f,\"max_ns\":%.0f,"
           "\"rss_1k_kib\":%ld,\"rss_end_kib\":%ld,\"peak_rss_kib\":%ld,"
           "\"faults_per_frame\":%.3f,\"faults_per_frame_noheap\":%.3f,"
           "\"faults_per_heap_frame\":%.3f,\"pool_survivors\":%ld,\"pool_live_stats\":%zu,"
           "\"heap_count_stats\":%zu,\"fa_reserved_1k_kib\":%ld,\"fa_reserved_end_kib\":%ld,"
           "\"noheap_p50_ns\":%.0f,\"noheap_p99_ns\":%.0f,",
           opt.peer, ours ? "ours" : "sys", opt.heap_backend, frames, warm, bench_quantile(ft + warm, n, 0.5),
           bench_quantile(ft + warm, n, 0.99), bench_quantile(ft + warm, n, 0.999),
           bench_max(ft + warm, n), rss_1k, rss_end, bench_peak_rss_kib(),
           (double)faults_all / (double)n, nother ? (double)faults_other / nother : 0.0,
           nheap ? (double)faults_heap / nheap : 0.0, survivors, pool_live, heap_count, fa_res_1k,
           fa_res_end, bench_quantile(quiet, nq, 0.5), bench_quantile(quiet, nq, 0.99));
    /* The series, one entry per window of `window` frames (warm-up in the first window). */
    static const char *const keys[5] = {"series_end_frame", "series_p50_ns", "series_max_ns",
                                        "series_rss_kib", "series_fa_reserved_kib"};
    printf("\"series_window\":%d", window);
    for (int key = 0; key < 5; key++) {
        printf(",\"%s\":[", keys[key]);
        for (int k = 0; k < S1_WINDOWS; k++) {
            const double *w = ft + (size_t)k * (size_t)window;
            if (k) putchar(',');
            if (key == 0) printf("%d", (k + 1) * window);
            else if (key == 1) printf("%.0f", bench_quantile(w, (size_t)window, 0.5));
            else if (key == 2) printf("%.0f", bench_max(w, (size_t)window));
            else if (key == 3) printf("%ld", rss_w[k]);
            else printf("%ld", ours ? res_w[k] : -1L);
        }
        putchar(']');
    }
    printf("}\n");
    free(quiet);
    /* Clean up so fa_destroy reports no leak. */
    for (int s = 0; s < S1_LIFE_SLOTS; s++)
        for (s1_obj *o = expire[s]; o != NULL;) {
            s1_obj *next = o->next;
            if (ours) fa_pool_free(fa, o); else free(o);
            o = next;
        }
    for (int i = 0; i < H1_LIVE; i++) {
        if (ours) fa_heap_free(fa, heap_live[i]); else free(heap_live[i]);
    }
    free(ft);
    free(fl);
}

/* ---------------------------------------------------------------------------------------- */
/* Callgrind kernels: exactly N operations                                                    */
/* ---------------------------------------------------------------------------------------- */

/* Unrolled by 8 so loop overhead is <= 3/8 Ir per op; the "loop" kernel measures it. */
#define X8(s) s s s s s s s s

static void ir_loop(long n) {
    for (long i = 0; i < n / 8; i++) {
        X8(BENCH_ESCAPE(i);)
    }
}

static void ir_f1(long n, int which) {
    fa_alloc *fa = g_fa;
    long per = F1_N / 8;
    for (long done = 0; done < n; done += F1_N) {
        if (which == 0) {
            raw_reset();
            for (long i = 0; i < per; i++) { X8({ void *p = raw_bump(64); BENCH_ESCAPE(p); }) }
        } else if (which == 1) {
            fa_begin_frame(fa);
            for (long i = 0; i < per; i++) { X8({ obj64 *p = FA_FRAME_NEW(fa, obj64); BENCH_ESCAPE(p); }) }
            fa_end_frame(fa);
        } else if (which == 2) {
            fa_begin_frame(fa);
            for (long i = 0; i < per; i++) { X8({ void *p = fa_frame_alloc_at(fa, 64, 16, NULL); BENCH_ESCAPE(p); }) }
            fa_end_frame(fa);
        } else if (which == 4) {
            fa_begin_frame(fa);
            for (long i = 0; i < per; i++) { X8({ void *p = proto_frame_alloc16(fa, 64); BENCH_ESCAPE(p); }) }
            fa_end_frame(fa);
        } else {
            fa_begin_frame(fa);
            fa_tag_push(fa, g_tag);
            for (long i = 0; i < per; i++) { X8({ obj64 *p = FA_FRAME_NEW(fa, obj64); BENCH_ESCAPE(p); }) }
            fa_tag_pop(fa);
            fa_end_frame(fa);
        }
    }
}

#define F2_OURS(j) { void *p = fa_frame_alloc(fa, f2_size[i + j], f2_align[i + j]); BENCH_ESCAPE(p); }
#define F2_RAW(j) { void *p = raw_alloc(f2_size[i + j], f2_align[i + j]); BENCH_ESCAPE(p); }
static void ir_f2(long n, int ours) {
    fa_alloc *fa = g_fa;
    for (long done = 0; done < n; done += F2_N) {
        if (ours) {
            fa_begin_frame(fa);
            for (int i = 0; i < F2_N; i += 8) {
                F2_OURS(0) F2_OURS(1) F2_OURS(2) F2_OURS(3) F2_OURS(4) F2_OURS(5) F2_OURS(6) F2_OURS(7)
            }
            fa_end_frame(fa);
        } else {
            raw_reset();
            for (int i = 0; i < F2_N; i += 8) {
                F2_RAW(0) F2_RAW(1) F2_RAW(2) F2_RAW(3) F2_RAW(4) F2_RAW(5) F2_RAW(6) F2_RAW(7)
            }
        }
    }
}

static void ir_p1(long n, int which) {
    fa_alloc *fa = g_fa;
    raw_pool *rp = &t_rpool[1];
    anchor_set anchors;
    anchors_take(&anchors, which, 1);
    for (long i = 0; i < n / 8; i++) {
        if (which == 0) {
            X8({ void *p = raw_pool_alloc(rp); BENCH_ESCAPE(p); raw_pool_free(rp, p); })
        } else if (which == 1) {
            X8({ void *p = fa_pool_alloc(fa, 64); BENCH_ESCAPE(p); fa_pool_free(fa, p); })
        } else {
            X8({ void *p = malloc(64); BENCH_ESCAPE(p); free(p); })
        }
    }
    anchors_drop(&anchors);
}

/* fa_pool_usable_size of a live 64-byte object (its page validated like a free's). */
static void ir_usable(long n) {
    fa_alloc *fa = g_fa;
    anchor_set anchors;
    anchors_take(&anchors, 1, 1);
    void *p = anchors.p[ANCHORS / 2];
    size_t sum = 0;
    for (long i = 0; i < n / 8; i++) {
        X8({ BENCH_ESCAPE(p); sum += fa_pool_usable_size(fa, p); })
    }
    if (sum != (size_t)(n / 8) * 8 * 64) fail("fa_pool_usable_size");
    anchors_drop(&anchors);
}

static void ir_frames(long n, void (*fn)(void)) {
    for (long i = 0; i < n; i++) fn();
}

/* P2 remote-free side: a second thread owns the objects; this thread frees them. Run with
 * callgrind --separate-threads=yes and read the main thread's totals. */
static void **ir_rf_objs;
static long ir_rf_n;
static int ir_rf_ours;
static pthread_barrier_t ir_rf_bar;
static void *ir_rf_owner(void *arg) {
    (void)arg;
    for (long i = 0; i < ir_rf_n; i++)
        ir_rf_objs[i] = ir_rf_ours ? fa_pool_alloc(g_fa, 64) : malloc(64);
    pthread_barrier_wait(&ir_rf_bar); /* objects ready */
    pthread_barrier_wait(&ir_rf_bar); /* freed: the owner may exit now */
    return NULL;
}
static void ir_remote_free(long n, int ours) {
    ir_rf_objs = malloc((size_t)n * sizeof(void *));
    ir_rf_n = n;
    ir_rf_ours = ours;
    pthread_barrier_init(&ir_rf_bar, NULL, 2);
    pthread_t th;
    if (pthread_create(&th, NULL, ir_rf_owner, NULL) != 0) fail("pthread_create");
    pthread_barrier_wait(&ir_rf_bar);
    fa_alloc *fa = g_fa;
    void **o = ir_rf_objs;
    if (ours)
        for (long i = 0; i < n; i++) fa_pool_free(fa, o[i]);
    else
        for (long i = 0; i < n; i++) free(o[i]);
    pthread_barrier_wait(&ir_rf_bar);
    pthread_join(th, NULL);
    free(ir_rf_objs);
}

static void ir_h1(long n, int ours) {
    g_h1_ops = (int)n;
    h1_init();
    int idx = ours ? 1 : 0;
    for (int i = 0; i < H1_LIVE; i++)
        h1_live[idx][i] = ours ? fa_heap_alloc(g_fa, h1_size[i], 16) : malloc(h1_size[i]);
    if (ours) h1_ours(); else h1_sys();
    for (int i = 0; i < H1_LIVE; i++) {
        if (ours) fa_heap_free(g_fa, h1_live[idx][i]); else free(h1_live[idx][i]);
    }
}

static const char *const ir_kernels[] = {
    "loop", "f1_raw", "f1_ours", "f1_ours_at", "f1_ours_tag", "f1_proto", "f2_raw", "f2_ours",
    "f0_ours", "f3_raw", "f3_ours", "f3_sys", "f5_raw", "f5_ours", "f6_ours",
    "p1_raw", "p1_ours", "p1_sys", "p1_lifo_raw", "p1_lifo_ours", "p1_lifo_sys",
    "h1_sys", "h1_ours", "p2_remote_ours", "p2_remote_sys", "usable_ours", NULL};

static int run_ir(const char *k, long n) {
    /* Untimed, deterministic; setup cost is the same for N and 2N and cancels. */
    if (!strcmp(k, "loop")) ir_loop(n);
    else if (!strcmp(k, "f1_raw")) ir_f1(n, 0);
    else if (!strcmp(k, "f1_ours")) ir_f1(n, 1);
    else if (!strcmp(k, "f1_ours_at")) ir_f1(n, 2);
    else if (!strcmp(k, "f1_ours_tag")) ir_f1(n, 3);
    else if (!strcmp(k, "f1_proto")) ir_f1(n, 4);
    else if (!strcmp(k, "f2_raw")) { f2_init(); ir_f2(n, 0); }
    else if (!strcmp(k, "f2_ours")) { f2_init(); ir_f2(n, 1); }
    else if (!strcmp(k, "f0_ours")) ir_frames(n, f0_ours);
    else if (!strcmp(k, "f3_raw")) ir_frames(n, f3_raw);
    else if (!strcmp(k, "f3_ours")) ir_frames(n, f3_ours);
    else if (!strcmp(k, "f3_sys")) ir_frames(n, f3_sys);
    else if (!strcmp(k, "f5_raw")) ir_frames(n, f5_raw);
    else if (!strcmp(k, "f5_ours")) ir_frames(n, f5_ours);
    else if (!strcmp(k, "f6_ours")) ir_frames(n, f6_ours);
    else if (!strcmp(k, "p1_raw")) ir_p1(n, 0);
    else if (!strcmp(k, "p1_ours")) ir_p1(n, 1);
    else if (!strcmp(k, "p1_sys")) ir_p1(n, 2);
    else if (!strncmp(k, "p1_lifo_", 8)) {
        g_p1_bursts = (int)(n / BURST);
        if (!strcmp(k + 8, "raw")) p1_raw_lifo();
        else if (!strcmp(k + 8, "ours")) p1_ours_lifo();
        else p1_sys_lifo();
    } else if (!strcmp(k, "h1_sys")) ir_h1(n, 0);
    else if (!strcmp(k, "h1_ours")) ir_h1(n, 1);
    else if (!strcmp(k, "p2_remote_ours")) ir_remote_free(n, 1);
    else if (!strcmp(k, "p2_remote_sys")) ir_remote_free(n, 0);
    else if (!strcmp(k, "usable_ours")) ir_usable(n);
    else return 1;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* main                                                                                       */
/* ---------------------------------------------------------------------------------------- */

static const char *malloc_origin(void) {
    void *m = dlsym(RTLD_DEFAULT, "malloc");
    Dl_info di;
    if (m != NULL && dladdr(m, &di) != 0 && di.dli_fname != NULL) return di.dli_fname;
    return "?";
}

static const char *detect_alloc(void) {
    const char *o = malloc_origin();
    if (strstr(o, "mimalloc")) return "mimalloc";
    if (strstr(o, "jemalloc")) return "jemalloc";
    if (strstr(o, "tcmalloc")) return "tcmalloc";
    if (strstr(o, "libc.so")) return "glibc";
    return o;
}

static void cpu_model(char *buf, size_t n) {
    snprintf(buf, n, "?");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *c = strchr(line, ':');
            if (c) {
                c += 2;
                c[strcspn(c, "\n")] = 0;
                snprintf(buf, n, "%s", c);
            }
            break;
        }
    }
    fclose(f);
}

/* Core clock estimate: a dependent chain of adds retires one per cycle. */
static double core_ghz(void) {
    uint64_t x = 0, n = 200000000ull;
    uint64_t t0 = bench_mono_ns();
    for (uint64_t i = 0; i < n; i++) __asm__ volatile("add $1, %0" : "+r"(x));
    uint64_t t1 = bench_mono_ns();
    return (double)n / (double)(t1 - t0);
}

static void loadavg(char *buf, size_t n) {
    snprintf(buf, n, "?");
    FILE *f = fopen("/proc/loadavg", "r");
    if (f == NULL) return;
    double a = 0, b = 0, c = 0;
    if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3) snprintf(buf, n, "%.2f %.2f %.2f", a, b, c);
    fclose(f);
}

static void usage(void) {
    fprintf(stderr,
            "usage: fabench [--peer NAME] [--quick|--full] [--rounds R] [--scale S] [--only LIST]\n"
            "               [--no-pin] [--keep-empty N] [--heap-backend default|libc|mimalloc]\n"
            "       fabench --soak ours|sys [--frames N] [--heap-backend ...]\n"
            "       fabench --ir KERNEL N | --ir list\n"
            "sections: F1 F2 F3 F4 F5 F6 P1 H1 P2 T2\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *soak_mode = NULL, *ir = NULL;
    long ir_n = 0;
    int frames = 10000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--peer") && i + 1 < argc) opt.peer = argv[++i];
        else if (!strcmp(a, "--quick")) { opt.rounds = 5; opt.scale = 0.3; }
        else if (!strcmp(a, "--full")) { opt.rounds = 41; opt.scale = 2.0; }
        else if (!strcmp(a, "--rounds") && i + 1 < argc) opt.rounds = atoi(argv[++i]);
        else if (!strcmp(a, "--scale") && i + 1 < argc) opt.scale = atof(argv[++i]);
        else if (!strcmp(a, "--only") && i + 1 < argc) opt.only = argv[++i];
        else if (!strcmp(a, "--no-pin")) opt.pin = 0;
        else if (!strcmp(a, "--keep-empty") && i + 1 < argc) opt.keep_empty = (unsigned)atoi(argv[++i]);
        else if (!strcmp(a, "--soak") && i + 1 < argc) soak_mode = argv[++i];
        else if (!strcmp(a, "--heap-backend") && i + 1 < argc) {
            opt.heap_backend = argv[++i];
            if (strcmp(opt.heap_backend, "default") && strcmp(opt.heap_backend, "libc") &&
                strcmp(opt.heap_backend, "mimalloc"))
                usage();
        }
        else if (!strcmp(a, "--frames") && i + 1 < argc) frames = atoi(argv[++i]);
        else if (!strcmp(a, "--ir") && i + 1 < argc) {
            ir = argv[++i];
            if (strcmp(ir, "list") != 0) {
                if (i + 1 >= argc) usage();
                ir_n = atol(argv[++i]);
            }
        } else if (!strcmp(a, "--list")) {
            puts("F1 F2 F3 F4 F5 F6 P1 H1 P2 T2");
            return 0;
        } else usage();
    }
    if (opt.rounds < 1 || opt.rounds > 256 || opt.scale <= 0) usage();
    if (ir != NULL && !strcmp(ir, "list")) {
        for (int i = 0; ir_kernels[i]; i++) puts(ir_kernels[i]);
        return 0;
    }
    if (opt.peer == NULL) opt.peer = detect_alloc();
    g_cpus = bench_cpus();

    fa_config cfg = {0};
    cfg.error_handler = on_fa_error;
    cfg.name = "fabench";
    cfg.pool_keep_empty_pages = opt.keep_empty;
    cfg.heap_backend = heap_backend_from_option();
    g_fa = fa_create(&cfg);
    if (g_fa == NULL) fail("fa_create failed");
    g_tag = fa_tag_register(g_fa, "bench");
    fa_tag_set_budget(g_fa, g_tag, (size_t)1 << 40, (size_t)1 << 41);
    if (opt.pin) bench_pin(0);
    raw_thread_init();

    if (ir != NULL) {
        if (ir_n <= 0) usage();
        int rc = run_ir(ir, ir_n);
        if (rc) fprintf(stderr, "fabench: unknown kernel %s (--ir list)\n", ir);
        fa_destroy(g_fa);
        return rc ? 2 : 0;
    }

    bench_calibrate(opt.scale < 1 ? 50 : 200);
    if (soak_mode != NULL) {
        if (strcmp(soak_mode, "ours") != 0 && strcmp(soak_mode, "sys") != 0) usage();
        soak(!strcmp(soak_mode, "ours"), frames);
        fa_destroy(g_fa);
        return 0;
    }

    char cpu[256], load[64];
    cpu_model(cpu, sizeof cpu);
    loadavg(load, sizeof load);
    printf("{\"type\":\"meta\",\"peer\":\"%s\",\"alloc_detected\":\"%s\",\"malloc_from\":\"%s\","
           "\"cpu\":\"%s\",\"cpus\":%d,\"tsc_ghz\":%.4f,\"core_ghz\":%.3f,\"fa_debug\":%d,"
           "\"fa_version\":\"%d.%d.%d\",\"rounds\":%d,\"scale\":%.2f,\"loadavg\":\"%s\"}\n",
           opt.peer, detect_alloc(), malloc_origin(), cpu, g_cpus,
           1.0 / bench_ns_per_tick, core_ghz(), fa_debug_level(), FA_VERSION_MAJOR,
           FA_VERSION_MINOR, FA_VERSION_PATCH, opt.rounds, opt.scale, load);
    fflush(stdout);
    if (fa_debug_level() != 0)
        fprintf(stderr, "fabench: WARNING: the library was built with FA_DEBUG=%d; numbers are "
                        "not release numbers\n", fa_debug_level());

    if (section_enabled("F1")) section_f1();
    if (section_enabled("F2")) section_f2();
    if (section_enabled("F3")) section_f3();
    if (section_enabled("F4")) section_f4();
    if (section_enabled("F5")) section_f5();
    if (section_enabled("F6")) section_f6();
    if (section_enabled("P1")) section_p1();
    if (section_enabled("H1")) section_h1();
    if (section_enabled("P2")) section_p2();
    if (section_enabled("T2")) section_t2();
    helper_stop();
    loadavg(load, sizeof load);
    printf("{\"type\":\"end\",\"peer\":\"%s\",\"loadavg\":\"%s\"}\n", opt.peer, load);
    fa_destroy(g_fa);
    return 0;
}
