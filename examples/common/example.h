/* SPDX-License-Identifier: MIT */
/*
 * example.h - what every example program shares: a CHECK that fails the program, the frame
 * count (--frames N, or FRAMEALLOC_EXAMPLE_FRAMES, so CI can run short), a deterministic
 * random source and an error log for examples that expect the allocator to refuse something.
 *
 * Examples that expect no error use the default handler: in a debug library it prints a report
 * and aborts on misuse, which the test harness treats as a failure.
 */
#ifndef FRAMEALLOC_EXAMPLE_H
#define FRAMEALLOC_EXAMPLE_H

#include <framealloc.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

/* Frames to run: --frames N on the command line, else $FRAMEALLOC_EXAMPLE_FRAMES, else dflt.
 * Never below 2, so every example crosses at least one frame boundary. */
static inline unsigned example_frames(int argc, char **argv, unsigned dflt) {
    unsigned n = dflt;
    const char *env = getenv("FRAMEALLOC_EXAMPLE_FRAMES");
    if (env != NULL && *env != '\0') n = (unsigned)strtoul(env, NULL, 10);
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--frames") == 0) n = (unsigned)strtoul(argv[i + 1], NULL, 10);
    return n < 2 ? 2 : n;
}

/* xorshift32: the same sequence on every platform, so results can be checked exactly. */
typedef struct ExampleRng {
    uint32_t state;
} ExampleRng;

static inline uint32_t example_rand(ExampleRng *r) {
    uint32_t x = r->state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return r->state = x;
}

/* Uniform in [lo, hi). */
static inline float example_randf(ExampleRng *r, float lo, float hi) {
    return lo + (hi - lo) * (float)(example_rand(r) >> 8) / 16777216.0f;
}

/* An error handler that records instead of printing, for examples that provoke refusals. */
typedef struct ExampleErrors {
    unsigned count;
    unsigned by_status[FA_STATUS_COUNT];
} ExampleErrors;

static inline void example_log_error(const fa_error *e, void *user) {
    ExampleErrors *log = (ExampleErrors *)user;
    log->count++;
    if ((unsigned)e->status < FA_STATUS_COUNT) log->by_status[e->status]++;
}

/* Every example ends the same way: the allocator must be empty (no leaks, no open frames). */
static inline void example_finish(fa_alloc *fa) {
    fa_stats st;
    fa_get_stats(fa, &st);
    CHECK(st.pool_count == 0);
    CHECK(st.heap_count == 0);
    CHECK(st.transfer_count == 0);
    CHECK(fa_frame_depth(fa) == 0);
    fa_destroy(fa);
}

#endif /* FRAMEALLOC_EXAMPLE_H */
