/* SPDX-License-Identifier: MIT */
/*
 * pooling/object_pool.c - a bounded pool of game objects (projectiles) that recycles.
 *
 * Projectiles live for a varying number of frames, so each is a pool object. The game keeps its
 * own free list on top: a projectile that dies goes back to `available` and is handed out again
 * without touching the allocator; only when none is available and fewer than max exist is a new
 * one allocated; at the cap the oldest active projectile is recycled (what shooters do when the
 * screen is full). The per-frame list of hits is frame memory.
 *
 * Checked: never more than MAX objects exist (fa_stats.pool_count), recycling of the oldest
 * happens only at the cap, every object is either active or available, reused objects are
 * reinitialised, and all of them are freed at the end.
 */
#include "../common/example.h"

#define MAX 128

typedef struct Projectile {
    float x, vx;
    uint32_t spawned, ttl, serial;
} Projectile;

typedef struct ProjectilePool {
    Projectile *available[MAX];
    Projectile *active[MAX]; /* oldest first */
    size_t n_available, n_active;
    uint64_t allocated, reused, recycled_oldest;
} ProjectilePool;

static Projectile *pool_get(fa_alloc *fa, ProjectilePool *p) {
    Projectile *o;
    if (p->n_available > 0) {
        o = p->available[--p->n_available];
        p->reused++;
    } else if (p->n_active < MAX) {
        o = FA_POOL_NEW(fa, Projectile);
        CHECK(o != NULL);
        p->allocated++;
    } else { /* at the cap: take the oldest active one */
        o = p->active[0];
        memmove(p->active, p->active + 1, (p->n_active - 1) * sizeof *p->active);
        p->n_active--;
        p->recycled_oldest++;
    }
    p->active[p->n_active++] = o;
    return o;
}

static void pool_return(ProjectilePool *p, size_t active_index) {
    p->available[p->n_available++] = p->active[active_index];
    memmove(p->active + active_index, p->active + active_index + 1,
            (p->n_active - active_index - 1) * sizeof *p->active);
    p->n_active--;
}

int main(int argc, char **argv) {
    unsigned frames = example_frames(argc, argv, 500);
    fa_alloc *fa = fa_create(&(fa_config){.name = "object-pool"});
    CHECK(fa != NULL);
    static ProjectilePool pool;
    ExampleRng rng = {0xB0117u};
    uint32_t serial = 0;
    uint64_t hits_total = 0;

    for (unsigned f = 0; f < frames; f++) {
        fa_begin_frame(fa);
        /* bursts: heavy fire every 20 frames overflows the cap */
        unsigned shots = f % 20 < 3 ? 60 : 3;
        for (unsigned s = 0; s < shots; s++) {
            int was_full = pool.n_available == 0 && pool.n_active == MAX;
            uint64_t recycled = pool.recycled_oldest;
            Projectile *p = pool_get(fa, &pool);
            CHECK((pool.recycled_oldest != recycled) == was_full);
            *p = (Projectile){0.0f, example_randf(&rng, 1, 5), f, 10 + example_rand(&rng) % 60,
                              ++serial};
        }
        /* update; dead projectiles and hits go back to the pool */
        uint32_t *hits = FA_FRAME_ARRAY(fa, uint32_t, pool.n_active);
        size_t nhits = 0;
        CHECK(hits != NULL);
        for (size_t i = 0; i < pool.n_active;) {
            Projectile *p = pool.active[i];
            p->x += p->vx;
            if (f - p->spawned >= p->ttl || p->x > 200.0f) {
                hits[nhits++] = p->serial;
                pool_return(&pool, i);
            } else {
                i++;
            }
        }
        for (size_t i = 1; i < nhits; i++) CHECK(hits[i] != hits[i - 1]);
        hits_total += nhits;

        fa_stats st;
        fa_get_stats(fa, &st);
        CHECK(st.pool_count == pool.n_active + pool.n_available);
        CHECK(st.pool_count <= MAX && pool.allocated <= MAX);
        fa_end_frame(fa);
    }
    CHECK(pool.reused > 0 && pool.allocated == MAX);
    if (frames >= 200) CHECK(pool.reused > pool.allocated); /* recycling does most of the work */
    CHECK(pool.recycled_oldest > 0 && hits_total > 0);
    printf("object_pool: %llu allocated, %llu reused, %llu oldest recycled\n",
           (unsigned long long)pool.allocated, (unsigned long long)pool.reused,
           (unsigned long long)pool.recycled_oldest);
    for (size_t i = 0; i < pool.n_active; i++) fa_pool_free(fa, pool.active[i]);
    for (size_t i = 0; i < pool.n_available; i++) fa_pool_free(fa, pool.available[i]);
    example_finish(fa);
    return 0;
}
