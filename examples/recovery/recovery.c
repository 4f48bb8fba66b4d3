/* SPDX-License-Identifier: MIT */
/*
 * recovery/recovery.c - allocation that may fail, and what a frame does about it.
 *
 * The allocator has a per-thread frame limit and a heap limit, as a console title would. The
 * frame's optional work (decals, a debug overlay) asks with fa_try_frame_alloc, which fails
 * quietly with a reason instead of reporting an error. A recovery policy chooses per reason:
 *
 *   FA_ERR_FRAME_LIMIT  retry after rolling back this frame's optional work to a checkpoint
 *                       (shed the low-priority decals), then fall back to a pool object;
 *   FA_ERR_HEAP_LIMIT   evict the streaming cache and retry once, then degrade (skip the load);
 *   anything else       is a bug: abort the frame's work and count it.
 *
 * Checked: the essential allocations of every frame succeeded, each policy branch ran, the
 * fallback pool objects were freed, nothing reached the error handler (the handler records,
 * and the record must stay empty), and the frame never exceeded its limit.
 */
#include "../common/example.h"

#define FRAME_LIMIT (256u << 10)
#define HEAP_LIMIT (1u << 20)

typedef enum Outcome { OK_DIRECT, OK_AFTER_SHED, OK_FALLBACK_POOL, OK_AFTER_EVICT, DEGRADED, ABORTED, OUTCOMES } Outcome;

typedef struct Cache { void *blocks[16]; size_t n; } Cache;

/* Frame memory for one effect of `size` bytes; *pool_fallback says whether it came from the
 * pool (the caller frees it at the end of the frame). */
static void *alloc_effect(fa_alloc *fa, size_t size, fa_checkpoint shed_point, int *shed_done,
                          int *pool_fallback, Outcome *how) FA_RETURNS_FRAME;
static void *alloc_effect(fa_alloc *fa, size_t size, fa_checkpoint shed_point, int *shed_done,
                          int *pool_fallback, Outcome *how) {
    fa_status why;
    void *p = fa_try_frame_alloc(fa, size, 16, &why);
    *pool_fallback = 0;
    if (p) { *how = OK_DIRECT; return p; }
    if (why != FA_ERR_FRAME_LIMIT) { *how = ABORTED; return NULL; }
    if (!*shed_done) { /* drop the decals built since the checkpoint and try again */
        fa_frame_rollback(fa, shed_point);
        *shed_done = 1;
        p = fa_try_frame_alloc(fa, size, 16, &why);
        if (p) { *how = OK_AFTER_SHED; return p; }
    }
    if (size <= FA_POOL_MAX_SIZE && (p = fa_try_pool_alloc(fa, size, &why)) != NULL) {
        *pool_fallback = 1;
        *how = OK_FALLBACK_POOL;
        return p;
    }
    *how = DEGRADED;
    return NULL;
}

static void *load_stream(fa_alloc *fa, Cache *c, size_t size, Outcome *how) {
    fa_status why;
    void *p = fa_try_heap_alloc(fa, size, 64, &why);
    if (p) { *how = OK_DIRECT; return p; }
    CHECK(why == FA_ERR_HEAP_LIMIT);
    while (c->n > 0) fa_heap_free(fa, c->blocks[--c->n]); /* evict everything cached */
    p = fa_try_heap_alloc(fa, size, 64, &why);
    *how = p ? OK_AFTER_EVICT : DEGRADED;
    return p;
}

int main(int argc, char **argv) {
    unsigned frames = example_frames(argc, argv, 300);
    static ExampleErrors errors;
    fa_alloc *fa = fa_create(&(fa_config){.name = "recovery", .frame_limit = FRAME_LIMIT,
                                          .heap_limit = HEAP_LIMIT,
                                          .error_handler = example_log_error, .error_user = &errors});
    CHECK(fa != NULL);
    static Cache cache;
    unsigned outcomes[OUTCOMES] = {0}, stream_outcomes[OUTCOMES] = {0};
    ExampleRng rng = {0xFA11u};

    for (unsigned f = 0; f < frames; f++) {
        fa_begin_frame(fa);
        /* essential work first: it must always fit */
        float *essential = FA_FRAME_ARRAY(fa, float, 16384); /* 64 KiB */
        CHECK(essential != NULL);
        fa_checkpoint shed_point = fa_frame_checkpoint(fa);
        /* optional decals: a random amount, sometimes far too much */
        size_t decals = (f % 9 == 0 ? 150u : 30u) << 10;
        void *d = fa_try_frame_alloc(fa, decals, 16, NULL);
        if (d) memset(d, 0, decals);
        int shed_done = 0;
        void *pooled[4];
        int npooled = 0;
        for (int e = 0; e < 4; e++) { /* effects wanted this frame */
            /* every fifth frame: three big effects, then one small enough for the pool */
            size_t size = f % 5 == 0 ? (e < 3 ? 62u << 10 : FA_POOL_MAX_SIZE)
                                     : (1u + example_rand(&rng) % 6) << 10;
            int from_pool;
            Outcome how;
            void *p = alloc_effect(fa, size, shed_point, &shed_done, &from_pool, &how);
            outcomes[how]++;
            if (p) memset(p, 0xE0, size);
            if (from_pool) pooled[npooled++] = p;
        }
        fa_thread_stats ts;
        fa_get_my_thread_stats(fa, &ts);
        CHECK(ts.frame_bytes <= FRAME_LIMIT);
        /* streaming: cache grows until the heap limit forces an eviction */
        Outcome how;
        void *blk = load_stream(fa, &cache, (96u + example_rand(&rng) % 64u) << 10, &how);
        stream_outcomes[how]++;
        if (blk) {
            if (cache.n == 16) fa_heap_free(fa, cache.blocks[--cache.n]);
            cache.blocks[cache.n++] = blk;
        }
        for (int i = 0; i < npooled; i++) fa_pool_free(fa, pooled[i]);
        fa_end_frame(fa);
    }
    CHECK(outcomes[OK_DIRECT] > 0 && outcomes[OK_AFTER_SHED] > 0);
    CHECK(outcomes[OK_FALLBACK_POOL] > 0 && outcomes[ABORTED] == 0);
    CHECK(stream_outcomes[OK_DIRECT] > 0 && stream_outcomes[OK_AFTER_EVICT] > 0);
    CHECK(stream_outcomes[DEGRADED] == 0); /* one block always fits an emptied cache */
    CHECK(errors.count == 0); /* every failure was expected and handled quietly */
    printf("recovery: effects direct %u, after shedding %u, pool fallback %u, degraded %u; "
           "streams after eviction %u\n", outcomes[OK_DIRECT], outcomes[OK_AFTER_SHED],
           outcomes[OK_FALLBACK_POOL], outcomes[DEGRADED], stream_outcomes[OK_AFTER_EVICT]);
    while (cache.n > 0) fa_heap_free(fa, cache.blocks[--cache.n]);
    example_finish(fa);
    return 0;
}
