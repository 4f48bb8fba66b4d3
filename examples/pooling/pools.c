/* SPDX-License-Identifier: MIT */
/*
 * pooling/pools.c - three ways to use pool objects: per-entity components, a cache of reusable
 * objects, and a resource pool with a hard cap.
 *
 *   components  each entity's Transform and Velocity are pool objects, created at spawn and
 *               freed at despawn, in any order (no compaction, stable addresses);
 *   cache       path-finding scratch that is expensive to set up is kept in a free list after
 *               use instead of being freed, and reinitialised only when it was never built;
 *   resource    "GPU query" slots: at most QUERY_SLOTS exist; acquire returns NULL when all
 *               are in use and the caller retries next frame.
 *
 * Checked: component values follow their entity through spawns/despawns, the cache builds at
 * most as many objects as were ever in use at once, the resource pool never exceeds its cap and
 * refuses exactly when full, and the pool statistics agree with every count.
 */
#include "../common/example.h"

#define MAX_ENTITIES 512
#define CACHE_MAX 32
#define QUERY_SLOTS 8

typedef struct Transform { float x, y, angle; } Transform;
typedef struct Velocity { float x, y; } Velocity;
typedef struct Entity { Transform *t; Velocity *v; uint32_t id; } Entity;

typedef struct PathScratch {
    int built;
    uint32_t open[256], closed[256];
    uint32_t uses;
} PathScratch;

typedef struct ObjectCache {
    PathScratch *available[CACHE_MAX];
    size_t n_available;
    uint64_t built, hits;
} ObjectCache;

static PathScratch *cache_get(fa_alloc *fa, ObjectCache *c) {
    if (c->n_available > 0) {
        c->hits++;
        return c->available[--c->n_available];
    }
    PathScratch *p = fa_pool_calloc(fa, 1, sizeof(PathScratch));
    CHECK(p != NULL);
    for (int i = 0; i < 256; i++) p->open[i] = p->closed[i] = UINT32_MAX; /* the costly part */
    p->built = 1;
    c->built++;
    return p;
}

static void cache_return(fa_alloc *fa, ObjectCache *c, PathScratch *p) {
    if (c->n_available < CACHE_MAX) c->available[c->n_available++] = p;
    else fa_pool_free(fa, p);
}

typedef struct GpuQuery { uint32_t slot, issued_frame; } GpuQuery;
typedef struct ResourcePool {
    size_t in_use, max;
    uint64_t refused;
} ResourcePool;

static GpuQuery *resource_acquire(fa_alloc *fa, ResourcePool *r) {
    if (r->in_use == r->max) {
        r->refused++;
        return NULL;
    }
    GpuQuery *q = FA_POOL_NEW(fa, GpuQuery);
    CHECK(q != NULL);
    r->in_use++;
    return q;
}

static void resource_release(fa_alloc *fa, ResourcePool *r, GpuQuery *q) {
    fa_pool_free(fa, q);
    r->in_use--;
}

int main(int argc, char **argv) {
    unsigned frames = example_frames(argc, argv, 400);
    fa_alloc *fa = fa_create(&(fa_config){.name = "pools"});
    CHECK(fa != NULL);
    static Entity ents[MAX_ENTITIES];
    size_t n = 0;
    uint32_t next_id = 0;
    static ObjectCache cache;
    ResourcePool queries = {0, QUERY_SLOTS, 0};
    GpuQuery *pending[QUERY_SLOTS * 2];
    size_t npending = 0;
    size_t max_paths_at_once = 0;
    ExampleRng rng = {0x9001u};

    for (unsigned f = 0; f < frames; f++) {
        fa_begin_frame(fa);
        /* components: spawn two, despawn one at random */
        for (int s = 0; s < 2 && n < MAX_ENTITIES; s++) {
            Entity e = {FA_POOL_NEW(fa, Transform), FA_POOL_NEW(fa, Velocity), next_id++};
            CHECK(e.t != NULL && e.v != NULL);
            *e.t = (Transform){(float)e.id, 0.0f, 0.0f};
            *e.v = (Velocity){0.0f, (float)(e.id % 4)};
            ents[n++] = e;
        }
        if (n > 0 && example_rand(&rng) % 2) {
            size_t k = example_rand(&rng) % n;
            fa_pool_free(fa, ents[k].t);
            fa_pool_free(fa, ents[k].v);
            ents[k] = ents[--n];
        }
        for (size_t i = 0; i < n; i++) ents[i].t->y += ents[i].v->y;

        /* cache: a handful of path searches this frame */
        size_t searches = 1 + example_rand(&rng) % 12;
        PathScratch **live = FA_FRAME_ARRAY(fa, PathScratch *, searches);
        CHECK(live != NULL);
        for (size_t i = 0; i < searches; i++) {
            live[i] = cache_get(fa, &cache);
            CHECK(live[i]->built && live[i]->open[0] == UINT32_MAX);
            live[i]->uses++;
        }
        if (searches > max_paths_at_once) max_paths_at_once = searches;
        for (size_t i = 0; i < searches; i++) cache_return(fa, &cache, live[i]);

        /* resource pool: want three queries a frame, each finishes two frames later */
        for (int i = 0; i < 3; i++) {
            int full = queries.in_use == queries.max;
            GpuQuery *q = resource_acquire(fa, &queries);
            CHECK((q == NULL) == full);
            if (q) { *q = (GpuQuery){(uint32_t)npending, f}; pending[npending++] = q; }
        }
        CHECK(queries.in_use <= QUERY_SLOTS);
        for (size_t i = 0; i < npending;) {
            if (f - pending[i]->issued_frame >= 2) {
                resource_release(fa, &queries, pending[i]);
                pending[i] = pending[--npending];
            } else {
                i++;
            }
        }

        fa_stats st;
        fa_get_stats(fa, &st);
        CHECK(st.pool_count == 2 * n + cache.n_available + queries.in_use);
        fa_end_frame(fa);
    }
    for (size_t i = 0; i < n; i++) /* components stayed with their entities */
        CHECK(ents[i].t->x == (float)ents[i].id && ents[i].v->y == (float)(ents[i].id % 4));
    CHECK(cache.built == max_paths_at_once && cache.hits > cache.built);
    CHECK(queries.refused > 0);
    printf("pools: %zu entities, %llu paths built for %llu cache hits, %llu queries refused\n",
           n, (unsigned long long)cache.built, (unsigned long long)cache.hits,
           (unsigned long long)queries.refused);
    for (size_t i = 0; i < n; i++) { fa_pool_free(fa, ents[i].t); fa_pool_free(fa, ents[i].v); }
    for (size_t i = 0; i < cache.n_available; i++) fa_pool_free(fa, cache.available[i]);
    for (size_t i = 0; i < npending; i++) resource_release(fa, &queries, pending[i]);
    example_finish(fa);
    return 0;
}
