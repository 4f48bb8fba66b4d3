/* SPDX-License-Identifier: MIT */
/*
 * assetbench.c - asset memory as engines use it: relocatable handles and the streaming
 * allocator against what a team would write without them, in one process.
 *
 *   handle-churn    a working set of live blocks (32 B - 2 KiB); each op frees a random one,
 *                   creates a replacement and writes it through the handle; every 256 ops (a
 *                   frame) one compaction step of 64 KiB / 32 moves. ours = fa_handles,
 *                   libc = malloc/free behind a pointer table, mimalloc = the same on
 *                   mi_malloc/mi_free (dlopen; skipped when not installed).
 *   handle-resolve  random reads through handles of that working set; raw = the same reads
 *                   through a plain pointer table (the cost of a handle is the difference).
 *   handle-defrag   half the working set freed at random, then compaction in per-frame steps of
 *                   at most 256 KiB moved; time per step, bytes moved per ms, pages and
 *                   fragmentation before/after. Every live block is checked after the moves.
 *   stream-cycle    a streamer under a 64 MiB budget: reserve 64 KiB - 2 MiB (evicting the
 *                   least recently used when full), load (one byte per 4 KiB page), access,
 *                   release a third of them early. raw = mmap/munmap with a hand-written LRU.
 *   stream-evict    the cost of a reservation that must evict one entry, with 256, 1024 and
 *                   4096 ready entries (victims are chosen by sorting the candidates).
 *
 *   fa-assetbench [--rounds R] [--quick] [--only NAME]   one JSON line per (workload, allocator):
 *       median ns per op over R rounds, in a fresh random order per round, and the median of
 *       per-round ratios to the baseline (libc, raw or mmap);
 *   fa-assetbench --ir NAME ALLOC N                      N ops of one workload, untimed, for the
 *       callgrind differential (Ir(2N) - Ir(N)) / N.
 * Results are checked (block contents, stream bytes, no leftover live memory): a wrong fast
 * answer fails the run.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <sys/mman.h>

#include <framealloc.h>

#include "bench_util.h"

static void fail(const char *what) {
    fprintf(stderr, "assetbench: %s\n", what);
    exit(1);
}

static fa_alloc *g_fa;
static void *(*mi_malloc_fn)(size_t);
static void (*mi_free_fn)(void *);
static bool g_quick;

enum { A_OURS, A_BASE, A_MI, NALLOC };

/* ---- handles ------------------------------------------------------------------------------ */

enum { WSET = 4096 };

static size_t block_size(bench_rng *r) { return 32 + (size_t)bench_below(r, 2017); }

/* A block's first and last byte carry its serial, so moves and reuse are checked. */
static void stamp(unsigned char *p, size_t n, uint32_t serial) {
    p[0] = (unsigned char)serial;
    p[n - 1] = (unsigned char)(serial >> 8);
}
static bool stamped(const unsigned char *p, size_t n, uint32_t serial) {
    return p != NULL && p[0] == (unsigned char)serial && p[n - 1] == (unsigned char)(serial >> 8);
}

typedef struct hset {
    fa_handles *t;
    fa_handle h[WSET];
    void *p[WSET];
    size_t n[WSET];
    uint32_t serial[WSET];
    uint32_t next;
} hset;

static void *base_malloc(int a, size_t n) { return a == A_MI ? mi_malloc_fn(n) : malloc(n); }
static void base_free(int a, void *p) {
    if (a == A_MI) mi_free_fn(p);
    else free(p);
}

static void hset_fill(hset *s, int a, bench_rng *r) {
    memset(s, 0, sizeof *s);
    if (a == A_OURS) {
        s->t = fa_handles_create(g_fa, NULL);
        if (s->t == NULL) fail("fa_handles_create failed");
    }
    for (uint32_t i = 0; i < WSET; i++) {
        s->n[i] = block_size(r);
        s->serial[i] = ++s->next;
        unsigned char *p;
        if (a == A_OURS) {
            s->h[i] = fa_handle_create(s->t, s->n[i], 16, 0);
            p = fa_handle_resolve(s->t, s->h[i]);
        } else {
            p = s->p[i] = base_malloc(a, s->n[i]);
        }
        if (p == NULL) fail("a block was refused");
        stamp(p, s->n[i], s->serial[i]);
    }
}

static unsigned char *hset_ptr(const hset *s, int a, uint32_t i) {
    return a == A_OURS ? fa_handle_resolve(s->t, s->h[i]) : s->p[i];
}

static void hset_check(const hset *s, int a) {
    for (uint32_t i = 0; i < WSET; i++)
        if (s->n[i] != 0 && !stamped(hset_ptr(s, a, i), s->n[i], s->serial[i]))
            fail("a live block lost its contents");
}

static void hset_drop(hset *s, int a) {
    for (uint32_t i = 0; i < WSET; i++) {
        if (s->n[i] == 0) continue;
        if (a == A_OURS) fa_handle_free(s->t, s->h[i]);
        else base_free(a, s->p[i]);
    }
    if (a == A_OURS) fa_handles_destroy(s->t);
}

static BENCH_NOINLINE void churn_ops(hset *s, int a, bench_rng *r, long ops) {
    for (long k = 0; k < ops; k++) {
        uint32_t i = (uint32_t)bench_below(r, WSET);
        size_t n = block_size(r);
        unsigned char *p;
        if (a == A_OURS) {
            fa_handle_free(s->t, s->h[i]);
            s->h[i] = fa_handle_create(s->t, n, 16, 0);
            p = fa_handle_resolve(s->t, s->h[i]);
        } else {
            base_free(a, s->p[i]);
            p = s->p[i] = base_malloc(a, n);
        }
        if (BENCH_UNLIKELY(p == NULL)) fail("churn: a block was refused");
        s->n[i] = n;
        s->serial[i] = ++s->next;
        stamp(p, n, s->serial[i]);
        /* a frame every 256 ops, with the per-frame compaction step docs/assets.md shows:
         * holes are reclaimed only by compaction */
        if (a == A_OURS && (k & 255) == 255) fa_handles_defrag(s->t, 64 << 10, 32);
    }
}

static BENCH_NOINLINE unsigned resolve_ops(const hset *s, int a, bench_rng *r, long ops) {
    unsigned sum = 0;
    for (long k = 0; k < ops; k++) {
        uint32_t i = (uint32_t)bench_below(r, WSET);
        const unsigned char *p = a == A_OURS ? fa_handle_resolve(s->t, s->h[i]) : s->p[i];
        sum += p[0];
    }
    return sum;
}

static double run_churn(int a, long ops, bench_rng *r) {
    static hset s;
    hset_fill(&s, a, r);
    uint64_t t0 = bench_mono_ns();
    churn_ops(&s, a, r, ops);
    double ns = (double)(bench_mono_ns() - t0) / (double)ops;
    hset_check(&s, a);
    hset_drop(&s, a);
    return ns;
}

static double run_resolve(int a, long ops, bench_rng *r) {
    static hset s;
    int kind = a == A_BASE ? A_BASE : A_OURS;
    hset_fill(&s, kind, r);
    unsigned want = 0;
    bench_rng r2 = *r;
    for (long k = 0; k < ops; k++) want += hset_ptr(&s, kind, (uint32_t)bench_below(&r2, WSET))[0];
    uint64_t t0 = bench_mono_ns();
    unsigned got = resolve_ops(&s, kind, r, ops);
    double ns = (double)(bench_mono_ns() - t0) / (double)ops;
    if (got != want) fail("resolve: wrong bytes read");
    hset_drop(&s, kind);
    return ns;
}

/* Prints its own line (the figures are not a ratio to a peer: nothing else compacts). */
static void run_defrag(bench_rng *r) {
    static hset s;
    hset_fill(&s, A_OURS, r);
    churn_ops(&s, A_OURS, r, WSET * 4); /* age the pages */
    for (uint32_t i = 0; i < WSET; i++)
        if (bench_below(r, 2) == 0) {
            fa_handle_free(s.t, s.h[i]);
            s.n[i] = 0;
        }
    fa_handles_stats before, after;
    fa_handles_get_stats(s.t, &before);
    double steps[4096];
    size_t nsteps = 0, moved = 0;
    uint64_t t_all = bench_mono_ns();
    for (;;) {
        uint64_t t0 = bench_mono_ns();
        size_t m = fa_handles_defrag(s.t, 256 << 10, 0);
        if (m == 0 || nsteps == 4096) break;
        steps[nsteps++] = (double)(bench_mono_ns() - t0) / 1e3;
        moved += m;
    }
    double total_ms = (double)(bench_mono_ns() - t_all) / 1e6;
    fa_handles_get_stats(s.t, &after);
    hset_check(&s, A_OURS);
    printf("{\"type\":\"asset\",\"workload\":\"handle-defrag\",\"alloc\":\"ours\",\"steps\":%zu,"
           "\"moves\":%zu,\"step_p50_us\":%.1f,\"step_max_us\":%.1f,\"moved_mb_per_ms\":%.3f,"
           "\"pages_before\":%zu,\"pages_after\":%zu,\"frag_before\":%.3f,\"frag_after\":%.3f}\n",
           nsteps, moved, nsteps ? bench_median(steps, nsteps) : 0.0,
           nsteps ? bench_max(steps, nsteps) : 0.0,
           total_ms > 0 ? (double)(after.moved_bytes - before.moved_bytes) / 1048576.0 / total_ms
                        : 0.0,
           before.pages, after.pages, before.fragmentation, after.fragmentation);
    hset_drop(&s, A_OURS);
}

/* ---- streaming ---------------------------------------------------------------------------- */

enum { ST_BUDGET = 64 << 20, ST_MAX = 1024 };

typedef struct raw_entry {
    unsigned char *p;
    size_t size;
    uint64_t used;
} raw_entry;

/* The baseline: what a team writes without a streaming allocator, one mapping per asset and
 * an LRU scan over a fixed table when the budget is full. */
typedef struct raw_stream {
    raw_entry e[ST_MAX];
    size_t n, bytes;
    uint64_t clock;
} raw_stream;

static void raw_evict_until(raw_stream *rs, size_t need) {
    while (rs->bytes + need > ST_BUDGET && rs->n > 0) {
        size_t v = 0;
        for (size_t i = 1; i < rs->n; i++)
            if (rs->e[i].used < rs->e[v].used) v = i;
        munmap(rs->e[v].p, rs->e[v].size);
        rs->bytes -= rs->e[v].size;
        rs->e[v] = rs->e[--rs->n];
    }
}

static void load_bytes(unsigned char *p, size_t n, uint32_t seed) {
    for (size_t o = 0; o < n; o += 4096) p[o] = (unsigned char)(seed + o / 4096);
}
static bool loaded(const unsigned char *p, size_t n, uint32_t seed) {
    return p[0] == (unsigned char)seed && p[(n - 1) & ~(size_t)4095] ==
                                              (unsigned char)(seed + (n - 1) / 4096);
}

static size_t asset_size(bench_rng *r) {
    return ((size_t)16 + (size_t)bench_below(r, 497)) << 12; /* 64 KiB - 2 MiB */
}

static double run_stream_cycle(int a, long ops, bench_rng *r) {
    static raw_stream rs;
    fa_stream *s = NULL;
    if (a == A_OURS) {
        s = fa_stream_create(g_fa, &(fa_stream_config){.budget = ST_BUDGET, .max_entries = ST_MAX});
        if (s == NULL) fail("fa_stream_create failed");
    } else {
        memset(&rs, 0, sizeof rs);
    }
    uint64_t t0 = bench_mono_ns();
    for (long k = 0; k < ops; k++) {
        size_t n = asset_size(r);
        uint32_t seed = (uint32_t)k;
        bool early = bench_below(r, 3) == 0;
        if (a == A_OURS) {
            fa_status why;
            fa_stream_id id = fa_stream_reserve(s, n, 0, &why);
            if (id == 0) fail("stream: a reservation was refused");
            unsigned char *p = fa_stream_begin_load(s, id);
            load_bytes(p, n, seed);
            fa_stream_finish_load(s, id);
            const unsigned char *q = fa_stream_access(s, id);
            if (q == NULL || !loaded(q, n, seed)) fail("stream: wrong bytes");
            if (early && fa_stream_release(s, id) != FA_OK) fail("stream: release refused");
        } else {
            raw_evict_until(&rs, n);
            unsigned char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                                    -1, 0);
            if (p == MAP_FAILED) fail("raw: mmap failed");
            load_bytes(p, n, seed);
            if (!loaded(p, n, seed)) fail("raw: wrong bytes");
            if (early) {
                munmap(p, n);
            } else {
                rs.e[rs.n++] = (raw_entry){p, n, ++rs.clock};
                rs.bytes += n;
            }
        }
    }
    double ns = (double)(bench_mono_ns() - t0) / (double)ops;
    if (a == A_OURS) {
        fa_stream_stats st;
        fa_stream_get_stats(s, &st);
        if (st.used_bytes > ST_BUDGET || st.peak_bytes > ST_BUDGET) fail("stream: over budget");
        fa_stream_destroy(s);
    } else {
        for (size_t i = 0; i < rs.n; i++) munmap(rs.e[i].p, rs.e[i].size);
        rs.n = 0;
    }
    return ns;
}

/* Ready entries of 64 KiB (untouched mappings) fill the budget; every further reservation
 * evicts exactly one. Prints one line per population. */
static void run_stream_evict(int rounds) {
    static const size_t pops[] = {256, 1024, 4096};
    for (size_t k = 0; k < sizeof pops / sizeof pops[0]; k++) {
        size_t pop = pops[k];
        if (g_quick && pop > 1024) continue;
        double t[256];
        for (int r = 0; r < rounds; r++) {
            fa_stream *s = fa_stream_create(
                g_fa, &(fa_stream_config){.budget = pop << 16, .max_entries = (uint32_t)pop + 1});
            if (s == NULL) fail("fa_stream_create failed");
            for (size_t i = 0; i < pop; i++) {
                fa_stream_id id = fa_stream_reserve(s, 64 << 10, (int)(i % 4), NULL);
                if (id == 0 || fa_stream_begin_load(s, id) == NULL ||
                    fa_stream_finish_load(s, id) != FA_OK)
                    fail("evict: filling failed");
            }
            enum { EV = 200 };
            uint64_t t0 = bench_mono_ns();
            for (int i = 0; i < EV; i++) {
                fa_stream_id id = fa_stream_reserve(s, 64 << 10, 4, NULL);
                if (id == 0 || fa_stream_begin_load(s, id) == NULL ||
                    fa_stream_finish_load(s, id) != FA_OK)
                    fail("evict: a reservation was refused");
            }
            t[r] = (double)(bench_mono_ns() - t0) / EV;
            fa_stream_stats st;
            fa_stream_get_stats(s, &st);
            if (st.evictions != EV || st.entries != pop) fail("evict: not one victim per reserve");
            fa_stream_destroy(s);
        }
        printf("{\"type\":\"asset\",\"workload\":\"stream-evict\",\"alloc\":\"ours\","
               "\"entries\":%zu,\"rounds\":%d,\"p50_ns\":%.1f}\n",
               pop, rounds, bench_median(t, (size_t)rounds));
    }
}

/* ---- driver ------------------------------------------------------------------------------- */

typedef double (*workload_fn)(int alloc, long ops, bench_rng *r);
static const struct workload {
    const char *name, *base_name;
    workload_fn run;
    long ops, quick_ops;
    bool has_mi;
} workloads[] = {
    {"handle-churn", "libc", run_churn, 400000, 40000, true},
    {"handle-resolve", "raw", run_resolve, 2000000, 200000, false},
    {"stream-cycle", "mmap", run_stream_cycle, 3000, 400, false},
};
#define NWORK (sizeof workloads / sizeof workloads[0])

static void usage(void) {
    fprintf(stderr, "usage: fa-assetbench [--rounds R] [--quick] [--only NAME]\n"
                    "       fa-assetbench --ir handle-churn|handle-resolve|stream-cycle "
                    "ours|base|mimalloc N\n");
    exit(2);
}

static void check_clean(void) {
    fa_stats st;
    fa_get_stats(g_fa, &st);
    if (st.handle_count + st.stream_count != 0 || st.handle_reserved + st.stream_reserved != 0 ||
        st.errors != 0) {
        fprintf(stderr, "assetbench: %zu handles, %zu stream entries, %llu errors left\n",
                st.handle_count, st.stream_count, (unsigned long long)st.errors);
        exit(1);
    }
}

int main(int argc, char **argv) {
    int rounds = 9;
    const char *only = NULL, *ir_work = NULL, *ir_alloc = NULL;
    long ir_n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
        else if (!strcmp(argv[i], "--quick")) g_quick = true;
        else if (!strcmp(argv[i], "--ir") && i + 3 < argc) {
            ir_work = argv[++i];
            ir_alloc = argv[++i];
            ir_n = atol(argv[++i]);
        } else usage();
    }
    if (rounds < 1 || rounds > 256) usage();
    g_fa = fa_create(&(fa_config){.name = "assetbench"});
    if (g_fa == NULL) fail("fa_create failed");
    void *mi = dlopen("libmimalloc.so.2", RTLD_NOW | RTLD_LOCAL);
    if (mi != NULL) {
        *(void **)&mi_malloc_fn = dlsym(mi, "mi_malloc");
        *(void **)&mi_free_fn = dlsym(mi, "mi_free");
    }
    bool have_mi = mi_malloc_fn != NULL && mi_free_fn != NULL;
    bench_rng rng = {2024};

    if (ir_work != NULL) {
        size_t w = 0;
        while (w < NWORK && strcmp(workloads[w].name, ir_work) != 0) w++;
        int a = !strcmp(ir_alloc, "ours") ? A_OURS : !strcmp(ir_alloc, "base") ? A_BASE
                : !strcmp(ir_alloc, "mimalloc") ? A_MI : -1;
        if (w == NWORK || a < 0 || ir_n <= 0 || (a == A_MI && (!have_mi || !workloads[w].has_mi)))
            usage();
        workloads[w].run(a, ir_n, &rng);
        check_clean();
        fa_destroy(g_fa);
        return 0;
    }

    for (size_t w = 0; w < NWORK; w++) {
        const struct workload *wl = &workloads[w];
        if (only != NULL && strcmp(only, wl->name) != 0) continue;
        int n = wl->has_mi && have_mi ? NALLOC : NALLOC - 1;
        long ops = g_quick ? wl->quick_ops : wl->ops;
        double t[NALLOC][256], ratio[NALLOC][256];
        for (int r = 0; r < rounds; r++) {
            int order[NALLOC] = {A_OURS, A_BASE, A_MI};
            bench_shuffle_int(order, n, &rng);
            for (int k = 0; k < n; k++) t[order[k]][r] = wl->run(order[k], ops, &rng);
            for (int a = 0; a < n; a++) ratio[a][r] = t[a][r] / t[A_BASE][r];
        }
        for (int a = 0; a < n; a++)
            printf("{\"type\":\"asset\",\"workload\":\"%s\",\"alloc\":\"%s\",\"rounds\":%d,"
                   "\"ops\":%ld,\"p50_ns\":%.1f,\"min_ns\":%.1f,\"ratio_to_%s\":%.3f}\n",
                   wl->name, a == A_OURS ? "ours" : a == A_BASE ? wl->base_name : "mimalloc",
                   rounds, ops, bench_median(t[a], (size_t)rounds),
                   bench_min(t[a], (size_t)rounds), wl->base_name,
                   bench_median(ratio[a], (size_t)rounds));
    }
    if (only == NULL || !strcmp(only, "handle-defrag")) run_defrag(&rng);
    if (only == NULL || !strcmp(only, "stream-evict")) run_stream_evict(g_quick ? 1 : rounds);
    check_clean();
    fa_destroy(g_fa);
    return 0;
}
