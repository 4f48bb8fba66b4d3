/* SPDX-License-Identifier: MIT */
/*
 * test_util.h - helpers shared by the runtime tests: an error handler that records what it is
 * given, allocator construction with it, byte patterns, threads and the FA_TEST_SCALE knob.
 *
 * Why a capturing handler everywhere: in FA_DEBUG builds the default handler prints and aborts
 * on misuse, and in release builds it records nothing we could assert on. Every test that
 * provokes an error therefore runs with tu_cap installed as both the allocator's handler and
 * the global one, and asserts on exactly what was reported.
 */
#ifndef FA_TEST_UTIL_H
#define FA_TEST_UTIL_H

#include <framealloc.h>

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether the library (and these tests) run under a sanitizer: some white-box expectations
 * differ there (ASan forces the frame slow path; page-fault counts include the sanitizer's). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TU_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define TU_SANITIZER 1
#endif
#endif
#ifndef TU_SANITIZER
#define TU_SANITIZER 0
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TU_ASAN 1
#else
#define TU_ASAN 0
#endif

typedef struct tu_capture {
    pthread_mutex_t lock;
    unsigned count;                       /* handler calls */
    unsigned by_status[FA_STATUS_COUNT];
    fa_status last;
    fa_alloc *alloc;                      /* of the last report */
    const void *ptr;
    size_t size, align;
    uint64_t thread, current_frame, alloc_thread;
    bool had_site;
    char site[256];
    char message[512];
    char report[4096];
    bool message_set, report_set;         /* both were non-NULL and non-empty every time */
    /* Optional extra action run inside the handler (re-entrancy tests). */
    void (*hook)(const fa_error *err, void *arg);
    void *hook_arg;
} tu_capture;

/* The capture every test uses; reset by tu_setup. */
extern tu_capture tu_cap;

/* Criterion .init: resets tu_cap, installs it as the global handler. */
void tu_setup(void);
void tu_capture_reset(tu_capture *c);
void tu_capture_handler(const fa_error *err, void *user);
unsigned tu_count(fa_status st);       /* reports of st in tu_cap */
unsigned tu_total(void);               /* all reports in tu_cap */

/* fa_create with tu_cap as handler (cfg may be NULL; its handler fields are overridden). */
fa_alloc *tu_create(const fa_config *cfg);
/* A config with guard mode off: debug builds otherwise rotate frame blocks every frame,
 * which white-box block tests do not want. */
fa_config tu_config(void);

/* Deterministic byte patterns: fill and check (returns the offset of the first mismatch, or
 * SIZE_MAX when intact). */
void tu_fill(void *p, size_t n, uint32_t seed);
size_t tu_check(const void *p, size_t n, uint32_t seed);

/* FA_TEST_SCALE (default 1, at least 1): multiplies stress iterations. */
unsigned tu_scale(void);

/* Runs fn(arg + i * stride) on n threads and joins them. */
void tu_run_threads(unsigned n, void *(*fn)(void *), void *args, size_t stride);

/* Minor page faults of the calling thread so far. */
long tu_minor_faults(void);

/* Small deterministic PRNG (xorshift32). */
static inline uint32_t tu_rand(uint32_t *s) {
    uint32_t x = *s ? *s : 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/* Bytes a frame request of n takes (frame allocations are rounded to FA_FRAME_GRANULE). */
#define TU_G(n) (((size_t)(n) + FA_FRAME_GRANULE - 1) & ~(FA_FRAME_GRANULE - 1))

#endif /* FA_TEST_UTIL_H */
