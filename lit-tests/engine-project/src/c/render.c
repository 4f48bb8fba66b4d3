/* render.c - draw lists recorded into frame memory each tick. */
#include <engine/engine.h>
#include <string.h>

typedef struct Draw { uint32_t mesh, material; float depth; } Draw;

typedef struct DrawList {
    Draw *items;
    size_t count, cap;
} DrawList;

typedef struct Renderer {
    Engine *engine;
    DrawList list;               /* valid inside a tick only */
    Draw *last_opaque FA_LONG_LIVED; /* kept for the profiler */
    size_t last_opaque_count;
} Renderer;

static const Draw *g_debug_draws;

void gpu_submit(const Draw *d, size_t n);

static void list_reset(DrawList *l, Engine *e, size_t cap) {
    l->items = eng_scratch(e, cap * sizeof(Draw));
    l->count = 0;
    l->cap = l->items ? cap : 0;
}

static void list_push(DrawList *l, uint32_t mesh, float depth) {
    if (l->count < l->cap)
        l->items[l->count++] = (Draw){mesh, 0, depth};
}

void render_tick(Renderer *r, const uint32_t *meshes, size_t n) {
    DrawList local;
    eng_frame_begin(r->engine);
    list_reset(&local, r->engine, n);
    for (size_t i = 0; i < n; ++i)
        list_push(&local, meshes[i], (float)i);
    gpu_submit(local.items, local.count);
    eng_free(r->last_opaque);
    r->last_opaque = eng_alloc(local.count * sizeof(Draw));
    r->last_opaque_count = 0;
    if (r->last_opaque && local.items) {
        memcpy(r->last_opaque, local.items, n * sizeof(Draw));
        r->last_opaque_count = n;
    }
    eng_frame_end(r->engine);
}

void render_tick_debug(Renderer *r, const uint32_t *meshes, size_t n) {
    DrawList local;
    eng_frame_begin(r->engine);
    list_reset(&local, r->engine, n);
    for (size_t i = 0; i < n; ++i)
        list_push(&local, meshes[i], 0.0f);
    g_debug_draws = local.items; // FINDING: frame-escape
    gpu_submit(local.items, local.count);
    eng_frame_end(r->engine);
}

void render_keep_for_profiler(Renderer *r, size_t n) {
    Draw *d = eng_scratch(r->engine, n * sizeof(Draw));
    r->last_opaque = d; // FINDING: frame-escape
    r->last_opaque_count = n;
}

float render_nearest(Renderer *r, const uint32_t *meshes, size_t n) {
    DrawList local;
    eng_frame_begin(r->engine);
    list_reset(&local, r->engine, n);
    for (size_t i = 0; i < n; ++i)
        list_push(&local, meshes[i], (float)(n - i));
    eng_frame_end(r->engine);
    return local.count ? local.items[0].depth : 0.0f; // FINDING: use-after-frame
}

void render_passes(Renderer *r, int passes) {
    for (int p = 0; p < passes; ++p) {
        eng_frame_begin(r->engine); // FINDING: frame-pairing
        Draw *d = eng_scratch(r->engine, sizeof(Draw));
        if (!d)
            continue;
        d->depth = (float)p;
        gpu_submit(d, 1);
        eng_frame_end(r->engine);
    }
}

void render_passes_ok(Renderer *r, int passes) {
    for (int p = 0; p < passes; ++p) {
        eng_frame_begin(r->engine);
        Draw *d = eng_scratch(r->engine, sizeof(Draw));
        if (d) {
            d->depth = (float)p;
            gpu_submit(d, 1);
        }
        eng_frame_end(r->engine);
    }
}
