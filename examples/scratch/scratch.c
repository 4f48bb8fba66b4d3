/* SPDX-License-Identifier: MIT */
/*
 * scratch/scratch.c - per-frame scratch buffers, a builder, and temporary views.
 *
 *   scratch  all temporaries of the particle update in one struct of frame arrays, created by a
 *            FA_RETURNS_FRAME constructor in the caller's frame and dropped with it;
 *   builder  a mesh builder that grows its vertex and index arrays in frame memory
 *            (fa_frame_realloc grows the newest allocation in place) and, when done, copies
 *            only the finished mesh out with fa_promote_to_heap;
 *   view     a (pointer, offset, length) window into a frame array, passed to a function that
 *            works on part of the data without copying it.
 *
 * Checked: particle sums against a closed form, each built mesh's counts and contents, views
 * covering exactly their range, and the frame arena empty between frames.
 */
#include "../common/example.h"

typedef struct Vec3 { float x, y, z; } Vec3;

/* --- scratch ------------------------------------------------------------------------------ */
typedef struct ParticleScratch {
    Vec3 *forces;
    float *ages;
    uint32_t *alive;
    size_t n;
} ParticleScratch;

static ParticleScratch scratch_new(fa_alloc *fa, size_t n) FA_RETURNS_FRAME;
static ParticleScratch scratch_new(fa_alloc *fa, size_t n) {
    ParticleScratch s = {FA_FRAME_ARRAY(fa, Vec3, n), FA_FRAME_ARRAY(fa, float, n),
                         FA_FRAME_ARRAY(fa, uint32_t, n), n};
    CHECK(s.forces && s.ages && s.alive);
    return s;
}

/* --- builder ------------------------------------------------------------------------------ */
typedef struct MeshBuilder {
    fa_alloc *fa;
    Vec3 *verts;
    uint32_t *indices;
    size_t nv, cv, ni, ci;
} MeshBuilder;

typedef struct Mesh { /* the kept result: one heap block, vertices then indices */
    void *block;
    size_t nv, ni;
} Mesh;

static void grow(fa_alloc *fa, void **p, size_t *cap, size_t elem, size_t need) {
    if (need <= *cap) return;
    size_t cap2 = *cap ? *cap * 2 : 8;
    while (cap2 < need) cap2 *= 2;
    void *q = fa_frame_realloc(fa, *p, *cap * elem, cap2 * elem, 16);
    CHECK(q != NULL);
    *p = q;
    *cap = cap2;
}

static uint32_t add_vertex(MeshBuilder *b, Vec3 v) {
    grow(b->fa, (void **)&b->verts, &b->cv, sizeof(Vec3), b->nv + 1);
    b->verts[b->nv] = v;
    return (uint32_t)b->nv++;
}

static void add_triangle(MeshBuilder *b, uint32_t i, uint32_t j, uint32_t k) {
    grow(b->fa, (void **)&b->indices, &b->ci, sizeof(uint32_t), b->ni + 3);
    b->indices[b->ni++] = i;
    b->indices[b->ni++] = j;
    b->indices[b->ni++] = k;
}

/* Packs vertices + indices into frame memory, then promotes that one block to the heap. */
static Mesh build(MeshBuilder *b) {
    size_t vbytes = b->nv * sizeof(Vec3), ibytes = b->ni * sizeof(uint32_t);
    unsigned char *packed = fa_frame_alloc(b->fa, vbytes + ibytes, 16);
    CHECK(packed != NULL);
    memcpy(packed, b->verts, vbytes);
    memcpy(packed + vbytes, b->indices, ibytes);
    Mesh m = {fa_promote_to_heap(b->fa, packed, vbytes + ibytes, 16), b->nv, b->ni};
    CHECK(m.block != NULL);
    return m;
}

/* A grid of w x h quads. */
static Mesh build_grid(fa_alloc *fa, uint32_t w, uint32_t h) {
    MeshBuilder b = {fa, NULL, NULL, 0, 0, 0, 0};
    for (uint32_t y = 0; y <= h; y++)
        for (uint32_t x = 0; x <= w; x++) add_vertex(&b, (Vec3){(float)x, (float)y, 0.0f});
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint32_t i = y * (w + 1) + x;
            add_triangle(&b, i, i + 1, i + w + 1);
            add_triangle(&b, i + 1, i + w + 2, i + w + 1);
        }
    return build(&b);
}

/* --- view --------------------------------------------------------------------------------- */
typedef struct FloatView { const float *data; size_t offset, len; } FloatView;

static FloatView view_of(const float *all, size_t n, size_t begin, size_t end) {
    CHECK(begin <= end && end <= n);
    return (FloatView){all + begin, begin, end - begin};
}

static double sum_view(FloatView v) {
    double s = 0.0;
    for (size_t i = 0; i < v.len; i++) s += v.data[i];
    return s;
}

int main(int argc, char **argv) {
    unsigned frames = example_frames(argc, argv, 300);
    fa_alloc *fa = fa_create(&(fa_config){.name = "scratch"});
    CHECK(fa != NULL);
    Mesh kept[4] = {{0}};

    for (unsigned f = 0; f < frames; f++) {
        fa_begin_frame(fa);
        size_t n = 500 + (f % 7) * 100; /* the count changes every frame; the arena does not care */
        ParticleScratch s = scratch_new(fa, n);
        size_t alive = 0;
        for (size_t i = 0; i < n; i++) {
            s.forces[i] = (Vec3){0.0f, -1.0f, 0.0f};
            s.ages[i] = (float)((i + f) % 100);
            if (s.ages[i] < 90.0f) s.alive[alive++] = (uint32_t)i;
        }
        size_t want_alive = 0;
        for (size_t i = 0; i < n; i++) want_alive += (i + f) % 100 < 90;
        CHECK(alive == want_alive);

        /* views: the middle third of the ages, then the rest */
        FloatView mid = view_of(s.ages, n, n / 3, 2 * n / 3);
        FloatView head = view_of(s.ages, n, 0, n / 3), tail = view_of(s.ages, n, 2 * n / 3, n);
        CHECK(mid.offset == n / 3 && mid.data == s.ages + n / 3);
        double total = 0.0;
        for (size_t i = 0; i < n; i++) total += s.ages[i];
        CHECK(sum_view(head) + sum_view(mid) + sum_view(tail) == total);

        if (f % 75 == 0) { /* rebuild one terrain tile mesh now and then */
            Mesh *m = &kept[(f / 75) % 4];
            fa_heap_free(fa, m->block);
            uint32_t w = 8 + f % 9, h = 4 + f % 5;
            *m = build_grid(fa, w, h);
            CHECK(m->nv == (size_t)(w + 1) * (h + 1) && m->ni == (size_t)w * h * 6);
            const Vec3 *v = m->block;
            const uint32_t *idx = (const uint32_t *)(v + m->nv);
            CHECK(v[m->nv - 1].x == (float)w && v[m->nv - 1].y == (float)h);
            for (size_t i = 0; i < m->ni; i++) CHECK(idx[i] < m->nv);
        }
        fa_end_frame(fa);
        fa_thread_stats ts;
        fa_get_my_thread_stats(fa, &ts);
        CHECK(ts.frame_bytes == 0);
    }
    size_t meshes = 0;
    for (int i = 0; i < 4; i++) { /* the kept meshes outlived their frames intact */
        if (!kept[i].block) continue;
        meshes++;
        CHECK(fa_heap_size(fa, kept[i].block) == kept[i].nv * sizeof(Vec3) + kept[i].ni * 4);
        fa_heap_free(fa, kept[i].block);
    }
    CHECK(meshes > 0);
    printf("scratch: %u frames, %zu meshes kept\n", frames, meshes);
    example_finish(fa);
    return 0;
}
