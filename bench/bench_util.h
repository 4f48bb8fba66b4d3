/* SPDX-License-Identifier: MIT */
/*
 * bench_util.h - timing, statistics, fault/RSS probes, pinning and the raw baselines shared by
 * the framealloc benchmarks (bench/fabench.c). Header-only; everything is static.
 *
 * Rules every benchmark here follows (see bench/README.md, "Method"):
 *  - every returned pointer escapes through BENCH_ESCAPE (an empty asm with a memory clobber),
 *    so the compiler can neither delete an allocation nor keep the allocator state in registers
 *    across iterations;
 *  - wall time comes from the TSC (constant/nonstop on this VM), calibrated against
 *    CLOCK_MONOTONIC at start-up; ratios are always taken against a baseline timed in the same
 *    round of the same process;
 *  - page faults come from getrusage(RUSAGE_THREAD), RSS from /proc/self/statm.
 */
#ifndef FA_BENCH_UTIL_H
#define FA_BENCH_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define BENCH_NOINLINE __attribute__((noinline))
#define BENCH_COLD __attribute__((cold, noinline))
#define BENCH_LIKELY(x) __builtin_expect(!!(x), 1)
#define BENCH_UNLIKELY(x) __builtin_expect(!!(x), 0)
/* The pointer is "used" and all memory may have been read or written. */
#define BENCH_ESCAPE(p) __asm__ volatile("" : : "r"(p) : "memory")

static inline void bench_pause(void) { __builtin_ia32_pause(); }

/* ---------------------------------------------------------------------------------------- */
/* Time                                                                                       */
/* ---------------------------------------------------------------------------------------- */

static inline uint64_t bench_tsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t bench_mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double bench_ns_per_tick = 1.0;

/* TSC ticks -> ns, calibrated over `ms` milliseconds of CLOCK_MONOTONIC. */
static void bench_calibrate(unsigned ms) {
    uint64_t n0 = bench_mono_ns(), t0 = bench_tsc(), n1, t1;
    do {
        n1 = bench_mono_ns();
        t1 = bench_tsc();
    } while (n1 - n0 < (uint64_t)ms * 1000000ull);
    bench_ns_per_tick = (double)(n1 - n0) / (double)(t1 - t0);
}

static inline double bench_ticks_ns(uint64_t ticks) { return (double)ticks * bench_ns_per_tick; }

/* ---------------------------------------------------------------------------------------- */
/* Statistics                                                                                 */
/* ---------------------------------------------------------------------------------------- */

static int bench_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts a copy; q in [0,1], nearest-rank. */
static double bench_quantile(const double *v, size_t n, double q) {
    if (n == 0) return 0.0;
    double *c = malloc(n * sizeof *c);
    if (c == NULL) abort();
    memcpy(c, v, n * sizeof *c);
    qsort(c, n, sizeof *c, bench_cmp_double);
    size_t i = (size_t)(q * (double)(n - 1) + 0.5);
    if (i >= n) i = n - 1;
    double r = c[i];
    free(c);
    return r;
}

static double bench_median(const double *v, size_t n) { return bench_quantile(v, n, 0.5); }

static double bench_min(const double *v, size_t n) {
    double m = n ? v[0] : 0.0;
    for (size_t i = 1; i < n; i++) m = v[i] < m ? v[i] : m;
    return m;
}

static double bench_max(const double *v, size_t n) {
    double m = n ? v[0] : 0.0;
    for (size_t i = 1; i < n; i++) m = v[i] > m ? v[i] : m;
    return m;
}

/* Deterministic generator (splitmix64), so every variant and every run sees the same
 * sequences. */
typedef struct bench_rng {
    uint64_t s;
} bench_rng;

static inline uint64_t bench_rand(bench_rng *r) {
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static inline uint64_t bench_below(bench_rng *r, uint64_t n) { return bench_rand(r) % n; }
static inline double bench_unit(bench_rng *r) { return (double)(bench_rand(r) >> 11) * 0x1.0p-53; }

static void bench_shuffle_int(int *a, int n, bench_rng *r) {
    for (int i = n - 1; i > 0; i--) {
        int j = (int)bench_below(r, (uint64_t)i + 1);
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Kernel-side probes                                                                         */
/* ---------------------------------------------------------------------------------------- */

/* Page faults (minor + major) taken by the calling thread so far. */
static long bench_thread_faults(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) != 0) return 0;
    return ru.ru_minflt + ru.ru_majflt;
}

static long bench_process_faults(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return ru.ru_minflt + ru.ru_majflt;
}

/* Resident set size now, KiB. pread on a descriptor opened once: no stdio buffer is
 * allocated, so the probe does not move the RSS it measures. */
static long bench_rss_kib(void) {
    static int fd = -1;
    if (fd < 0) fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    char buf[128];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return -1;
    buf[n] = 0;
    long size = 0, res = 0;
    if (sscanf(buf, "%ld %ld", &size, &res) != 2) return -1;
    return res * (sysconf(_SC_PAGESIZE) / 1024);
}

static long bench_peak_rss_kib(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return -1;
    return ru.ru_maxrss;
}

/* Pins the calling thread to one CPU; returns 0 on success. */
static int bench_pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static int bench_cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    return CPU_COUNT(&set);
}

/* ---------------------------------------------------------------------------------------- */
/* Raw baselines: the physical limit, written in the harness                                   */
/* ---------------------------------------------------------------------------------------- */

/* Inline bump arena: one pre-faulted mapping per thread, reset per frame. */
typedef struct raw_arena {
    uintptr_t cur, end, base;
} raw_arena;

static __thread raw_arena raw_tls;

static BENCH_COLD void raw_oom(void) {
    fprintf(stderr, "fabench: raw arena exhausted\n");
    abort();
}

static void raw_arena_init(size_t bytes) {
    if (raw_tls.base != 0) return;
    void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) raw_oom();
    memset(m, 0, bytes); /* pre-fault: the baseline takes no faults after start-up */
    raw_tls.base = raw_tls.cur = (uintptr_t)m;
    raw_tls.end = (uintptr_t)m + bytes;
}

static inline void raw_reset(void) { raw_tls.cur = raw_tls.base; }

/* Constant-size bump without rounding: valid when every size in the frame is a multiple of the
 * alignment asked for (the F1/F3/F4/F5 shapes: sizes are multiples of 16, align 16, and the
 * arena base is page aligned). load cur, lea, cmp end, ja, store: the 5-instruction limit. */
static inline void *raw_bump(size_t size) {
    raw_arena *a = &raw_tls;
    uintptr_t p = a->cur, np = p + size;
    if (BENCH_UNLIKELY(np > a->end)) raw_oom();
    a->cur = np;
    return (void *)p;
}

/* Runtime size and alignment (mask round-up), the F2 baseline. */
static inline void *raw_alloc(size_t size, size_t align) {
    raw_arena *a = &raw_tls;
    uintptr_t p = (a->cur + align - 1) & ~(uintptr_t)(align - 1);
    uintptr_t np = p + size;
    if (BENCH_UNLIKELY(np > a->end)) raw_oom();
    a->cur = np;
    return (void *)p;
}

/* Free-list pool of one size: pop / push, bump refill from 1 MiB chunks. */
typedef struct raw_pool {
    void *free;
    uintptr_t bump, end;
    size_t size;
} raw_pool;

static BENCH_NOINLINE void *raw_pool_refill(raw_pool *p) {
    if (p->bump + p->size > p->end) {
        size_t chunk = (size_t)1 << 20;
        void *m = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) raw_oom();
        p->bump = (uintptr_t)m;
        p->end = p->bump + chunk;
    }
    void *b = (void *)p->bump;
    p->bump += p->size;
    return b;
}

static inline void *raw_pool_alloc(raw_pool *p) {
    void *b = p->free;
    if (BENCH_LIKELY(b != NULL)) {
        p->free = *(void **)b;
        return b;
    }
    return raw_pool_refill(p);
}

static inline void raw_pool_free(raw_pool *p, void *b) {
    *(void **)b = p->free;
    p->free = b;
}

#endif /* FA_BENCH_UTIL_H */
