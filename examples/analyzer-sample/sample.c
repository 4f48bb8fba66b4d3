/* SPDX-License-Identifier: MIT */
/*
 * examples/analyzer-sample/sample.c - a small particle system with ONE lifetime mistake, for
 * the framealloc-* clang-tidy checks to find (run.sh next to this file runs them).
 *
 * Everything else here is the normal way to use frames: per-frame scratch arrays, a helper
 * annotated FA_RETURNS_FRAME, data that must survive promoted to the pool. The mistake is in
 * particles_update(): the list of visible particles is frame memory, but it is remembered in a
 * long-lived field so that the next frame can skip re-culling. fa_end_frame() releases it, so
 * next frame's particles_draw() would read freed memory. The fix is to copy it out
 * (fa_promote_to_pool) or to recompute it every frame.
 *
 * Build (it is a complete program): cc -std=c11 -I runtime/include -I annotations sample.c
 *                                   -L build/runtime -lframealloc
 */
#include <framealloc.h>

#include <stdio.h>

typedef struct Particle {
    float x, y, vx, vy, life;
} Particle;

typedef struct ParticleSystem {
    fa_alloc *fa;
    Particle *particles; /* pool memory: lives across frames */
    int count;
    /* Visible particles of the last frame, reused by the next frame's draw pass. */
    int *visible_last FA_LONG_LIVED;
    int visible_last_count;
} ParticleSystem;

/* Indices of the particles inside the view rectangle; the array is frame memory. */
static int *collect_visible(ParticleSystem *ps, float w, float h, int *out_count)
    FA_RETURNS_FRAME;

static int *collect_visible(ParticleSystem *ps, float w, float h, int *out_count) {
    int *idx = FA_FRAME_ARRAY(ps->fa, int, ps->count);
    int n = 0;
    for (int i = 0; idx && i < ps->count; ++i) {
        const Particle *p = &ps->particles[i];
        if (p->life > 0.0f && p->x >= 0.0f && p->x < w && p->y >= 0.0f && p->y < h)
            idx[n++] = i;
    }
    *out_count = n;
    return idx;
}

static void particles_update(ParticleSystem *ps, float dt) {
    fa_begin_frame(ps->fa);

    /* Per-frame scratch: forces for this step only. */
    float *force = FA_FRAME_ARRAY(ps->fa, float, ps->count);
    for (int i = 0; force && i < ps->count; ++i) {
        Particle *p = &ps->particles[i];
        force[i] = p->y > 100.0f ? -9.8f : 0.0f;
        p->vy += force[i] * dt;
        p->x += p->vx * dt;
        p->y += p->vy * dt;
        p->life -= dt;
    }

    int n = 0;
    int *visible = collect_visible(ps, 320.0f, 200.0f, &n);
    ps->visible_last = visible; /* the seeded mistake: frame memory kept past fa_end_frame */
    ps->visible_last_count = n;

    fa_end_frame(ps->fa);
}

static void particles_draw(const ParticleSystem *ps) {
    for (int i = 0; i < ps->visible_last_count; ++i) {
        const Particle *p = &ps->particles[ps->visible_last[i]];
        printf("particle %d at (%.1f, %.1f)\n", ps->visible_last[i], p->x, p->y);
    }
}

int main(void) {
    fa_alloc *fa = fa_create(NULL);
    if (!fa)
        return 1;
    ParticleSystem ps = {fa, NULL, 64, NULL, 0};
    ps.particles = (Particle *)fa_pool_calloc(fa, (size_t)ps.count, sizeof(Particle));
    if (!ps.particles) {
        fa_destroy(fa);
        return 1;
    }
    for (int i = 0; i < ps.count; ++i) {
        Particle p = {(float)(i * 5), (float)(i * 3), 1.0f, 2.0f, 1.0f + (float)i};
        ps.particles[i] = p;
    }
    for (int frame = 0; frame < 3; ++frame) {
        particles_update(&ps, 1.0f / 60.0f);
        particles_draw(&ps);
    }
    fa_pool_free(fa, ps.particles);
    fa_destroy(fa);
    return 0;
}
