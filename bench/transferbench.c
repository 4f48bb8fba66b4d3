/* SPDX-License-Identifier: MIT */
/*
 * transferbench.c - handing data to another thread: the copying transfer (build the message in
 * frame memory, fa_transfer_create copies it out), the zero-copy transfer (fa_transfer_alloc,
 * fill in place, fa_transfer_send) and the raw hand-off (malloc, fill, pass the pointer, free)
 * in one process, at 256 B, 4 KiB and 64 KiB messages.
 *
 *   fa-transferbench [--rounds R]        timed, single thread (producer and consumer calls
 *       back to back, so the figure is the API's cost, not a queue's): one JSON line per (size,
 *       path) with the median ns per message and the median of per-round ratios to raw;
 *   fa-transferbench --ir PATH SIZE N    N messages of one path, untimed, for the callgrind
 *       differential (Ir(2N) - Ir(N)) / N.
 * Every message is checked on receipt.
 */
#define _GNU_SOURCE
#include <stdbool.h>

#include <framealloc.h>

#include "bench_util.h"

enum { P_COPY, P_ZERO, P_RAW, NPATH };
static const char *const path_names[NPATH] = {"copy", "zero-copy", "raw"};
static fa_alloc *g_fa;

static void fail(const char *what) {
    fprintf(stderr, "transferbench: %s\n", what);
    exit(1);
}

/* A message: its first and last word carry the sequence number (a real producer writes all
 * of it; the fill below touches every cache line, as serialising a message would). */
static void fill(unsigned char *p, size_t n, uint64_t seq) {
    for (size_t o = 0; o + 8 <= n; o += 64) memcpy(p + o, &seq, 8);
    memcpy(p + n - 8, &seq, 8);
}
static bool intact(const unsigned char *p, size_t n, uint64_t seq) {
    uint64_t a, b;
    memcpy(&a, p, 8);
    memcpy(&b, p + n - 8, 8);
    return a == seq && b == seq;
}

static BENCH_NOINLINE void run(int path, size_t n, long msgs) {
    for (long k = 0; k < msgs; k++) {
        uint64_t seq = (uint64_t)k + 1;
        unsigned char *got;
        fa_transfer *t = NULL;
        void *raw = NULL;
        if (path == P_COPY) {
            fa_begin_frame(g_fa);
            unsigned char *msg = fa_frame_alloc(g_fa, n, 16);
            if (msg == NULL) fail("frame allocation failed");
            fill(msg, n, seq);
            t = fa_transfer_create(g_fa, msg, n);
            fa_end_frame(g_fa);
            got = t != NULL ? fa_transfer_receive(t) : NULL;
        } else if (path == P_ZERO) {
            void *msg;
            t = fa_transfer_alloc(g_fa, n, &msg);
            if (t == NULL) fail("fa_transfer_alloc failed");
            fill(msg, n, seq);
            if (fa_transfer_send(t) != FA_OK) fail("fa_transfer_send failed");
            got = fa_transfer_receive(t);
        } else {
            got = raw = malloc(n);
            if (raw == NULL) fail("malloc failed");
            fill(raw, n, seq);
            BENCH_ESCAPE(raw);
        }
        if (BENCH_UNLIKELY(got == NULL || !intact(got, n, seq))) fail("a message was corrupted");
        if (t != NULL) fa_transfer_free(t);
        free(raw);
    }
}

static void usage(void) {
    fprintf(stderr, "usage: fa-transferbench [--rounds R]\n"
                    "       fa-transferbench --ir copy|zero-copy|raw SIZE N\n");
    exit(2);
}

int main(int argc, char **argv) {
    int rounds = 15;
    const char *ir_path = NULL;
    size_t ir_size = 0;
    long ir_n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ir") && i + 3 < argc) {
            ir_path = argv[++i];
            ir_size = (size_t)atol(argv[++i]);
            ir_n = atol(argv[++i]);
        } else usage();
    }
    if (rounds < 1 || rounds > 256) usage();
    g_fa = fa_create(&(fa_config){.name = "transferbench"});
    if (g_fa == NULL) fail("fa_create failed");
    if (ir_path != NULL) {
        int p = -1;
        for (int k = 0; k < NPATH; k++)
            if (!strcmp(ir_path, path_names[k])) p = k;
        if (p < 0 || ir_size < 8 || ir_n <= 0) usage();
        run(p, ir_size, ir_n);
    } else {
        static const size_t sizes[] = {256, 4096, 65536};
        bench_rng rng = {99};
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s];
            long msgs = n >= 65536 ? 4000 : 40000;
            double t[NPATH][256], ratio[NPATH][256];
            for (int p = 0; p < NPATH; p++) run(p, n, msgs / 10); /* warm every path */
            for (int r = 0; r < rounds; r++) {
                int order[NPATH] = {P_COPY, P_ZERO, P_RAW};
                bench_shuffle_int(order, NPATH, &rng);
                for (int k = 0; k < NPATH; k++) {
                    uint64_t t0 = bench_mono_ns();
                    run(order[k], n, msgs);
                    t[order[k]][r] = (double)(bench_mono_ns() - t0) / (double)msgs;
                }
                for (int p = 0; p < NPATH; p++) ratio[p][r] = t[p][r] / t[P_RAW][r];
            }
            for (int p = 0; p < NPATH; p++)
                printf("{\"type\":\"transfer\",\"size\":%zu,\"path\":\"%s\",\"rounds\":%d,"
                       "\"p50_ns\":%.1f,\"min_ns\":%.1f,\"ratio_to_raw\":%.3f}\n",
                       n, path_names[p], rounds, bench_median(t[p], (size_t)rounds),
                       bench_min(t[p], (size_t)rounds), bench_median(ratio[p], (size_t)rounds));
        }
    }
    fa_stats st;
    fa_get_stats(g_fa, &st);
    if (st.transfer_count != 0 || st.errors != 0) {
        fprintf(stderr, "transferbench: %zu transfers, %llu errors left\n", st.transfer_count,
                (unsigned long long)st.errors);
        return 1;
    }
    fa_destroy(g_fa);
    return 0;
}
