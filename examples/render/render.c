/* SPDX-License-Identifier: MIT */
/*
 * render/render.c - a frame's render command buffer, with view culling and batching.
 *
 * Everything the renderer builds for one frame is frame memory: the visible list from culling,
 * the command buffer (an fa_frame_vec), the map from (material, mesh) to its batch (an
 * fa_frame_map), each batch's instance data (one fa_frame_vec per batch) and the sort order.
 * Meshes and materials live across frames (pool objects). The "GPU" at the end only sums what
 * it receives.
 *
 * Checked every frame: culling keeps exactly the objects a brute-force test keeps, every visible
 * object appears in exactly one batch instance, batches are sorted by (material, mesh) and
 * distinct, and the draw totals equal a direct computation without the command buffer.
 */
#include "../common/example.h"

#define OBJECTS 2000
#define MESHES 12
#define MATERIALS 7

typedef struct Mesh { uint32_t id, vertex_count; } Mesh;
typedef struct Material { uint32_t id; float tint; } Material;
typedef struct Object { float x, y, radius; Mesh *mesh; Material *material; } Object;
typedef struct Camera { float x, y, half_w, half_h; } Camera;

typedef enum CmdKind { CMD_CLEAR, CMD_SET_CAMERA, CMD_DRAW_INSTANCED } CmdKind;
typedef struct Instance { float x, y; uint32_t object; } Instance;
typedef struct Command {
    CmdKind kind;
    const Mesh *mesh;
    const Material *material;
    const Instance *instances; /* frame memory of the same frame */
    uint32_t instance_count;
} Command;

/* The frame's command buffer: a frame vector (grows in place while it is the newest
 * allocation, moves otherwise; gone at the end of the frame). */
static void push(fa_frame_vec *cb, Command c) {
    size_t before = cb->len;
    FA_FRAME_VEC_PUSH(cb, Command, c);
    CHECK(cb->len == before + 1);
}

static int in_view(const Camera *c, const Object *o) {
    return o->x + o->radius >= c->x - c->half_w && o->x - o->radius <= c->x + c->half_w &&
           o->y + o->radius >= c->y - c->half_h && o->y - o->radius <= c->y + c->half_h;
}

/* Indices of the visible objects, in frame memory. */
static uint32_t *cull(fa_alloc *fa, const Camera *cam, const Object *objs, size_t n,
                      size_t *visible) FA_RETURNS_FRAME;
static uint32_t *cull(fa_alloc *fa, const Camera *cam, const Object *objs, size_t n,
                      size_t *visible) {
    uint32_t *out = FA_FRAME_ARRAY(fa, uint32_t, n);
    CHECK(out != NULL);
    size_t k = 0;
    for (uint32_t i = 0; i < n; i++)
        if (in_view(cam, &objs[i])) out[k++] = i;
    *visible = k;
    return out;
}

static uint64_t batch_key(const Object *o) {
    return ((uint64_t)o->material->id << 20) | o->mesh->id;
}

typedef struct Batch {
    uint64_t key;
    const Mesh *mesh;
    const Material *material;
    fa_frame_vec instances; /* used in place: a frame vector must not be copied */
} Batch;

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Groups the visible objects by (material, mesh) with a frame map from key to batch, then
 * emits one instanced draw per batch in key order (each state change once). */
static void build_batches(fa_alloc *fa, fa_frame_vec *cb, const Object *objs,
                          const uint32_t *visible, size_t n) {
    fa_frame_map index;
    fa_frame_map_init(&index, fa, sizeof(uint32_t), _Alignof(uint32_t), 64);
    Batch *batches = FA_FRAME_ARRAY(fa, Batch, MATERIALS * MESHES);
    CHECK(batches != NULL);
    uint32_t nb = 0;
    for (size_t i = 0; i < n; i++) {
        const Object *o = &objs[visible[i]];
        uint64_t key = batch_key(o);
        uint32_t *slot = fa_frame_map_get(&index, key);
        if (slot == NULL) {
            slot = fa_frame_map_put(&index, key);
            CHECK(slot != NULL);
            *slot = nb;
            Batch *b = &batches[nb++];
            b->key = key;
            b->mesh = o->mesh;
            b->material = o->material;
            fa_frame_vec_init(&b->instances, fa, sizeof(Instance), _Alignof(Instance));
        }
        fa_frame_vec *inst = &batches[*slot].instances;
        size_t before = inst->len;
        FA_FRAME_VEC_PUSH(inst, Instance, ((Instance){o->x, o->y, visible[i]}));
        CHECK(inst->len == before + 1);
    }
    CHECK(fa_frame_map_len(&index) == nb);
    uint64_t *order = FA_FRAME_ARRAY(fa, uint64_t, nb); /* key << 8 | batch: sorts by key */
    CHECK(order != NULL);
    for (uint32_t b = 0; b < nb; b++) order[b] = batches[b].key << 8 | b;
    qsort(order, nb, sizeof *order, cmp_u64);
    for (uint32_t k = 0; k < nb; k++) {
        const Batch *b = &batches[order[k] & 0xFF];
        push(cb, (Command){CMD_DRAW_INSTANCED, b->mesh, b->material, b->instances.data,
                           (uint32_t)b->instances.len});
    }
}

typedef struct GpuTotals { uint64_t draws, instances, vertices; double tint_sum; } GpuTotals;

/* The back end: walks the buffer once, checking ordering and counting the work. */
static GpuTotals submit(const fa_frame_vec *cb, unsigned char *seen) {
    GpuTotals t = {0, 0, 0, 0.0};
    uint64_t last_key = 0;
    const Command *cmds = cb->data;
    CHECK(cb->len >= 2 && cmds[0].kind == CMD_CLEAR && cmds[1].kind == CMD_SET_CAMERA);
    for (size_t i = 2; i < cb->len; i++) {
        const Command *c = &cmds[i];
        CHECK(c->kind == CMD_DRAW_INSTANCED && c->instance_count > 0);
        uint64_t key = ((uint64_t)c->material->id << 20) | c->mesh->id;
        CHECK(i == 2 || key > last_key); /* sorted and merged: each state change once */
        last_key = key;
        t.draws++;
        t.instances += c->instance_count;
        t.vertices += (uint64_t)c->instance_count * c->mesh->vertex_count;
        for (uint32_t k = 0; k < c->instance_count; k++) {
            CHECK(!seen[c->instances[k].object]);
            seen[c->instances[k].object] = 1;
            t.tint_sum += c->material->tint;
        }
    }
    return t;
}

int main(int argc, char **argv) {
    unsigned frames = example_frames(argc, argv, 300);
    fa_alloc *fa = fa_create(&(fa_config){.name = "render"});
    CHECK(fa != NULL);
    Mesh *meshes[MESHES];
    Material *materials[MATERIALS];
    for (uint32_t i = 0; i < MESHES; i++) {
        meshes[i] = FA_POOL_NEW(fa, Mesh);
        CHECK(meshes[i] != NULL);
        *meshes[i] = (Mesh){i + 1, 24 + 12 * i};
    }
    for (uint32_t i = 0; i < MATERIALS; i++) {
        materials[i] = FA_POOL_NEW(fa, Material);
        CHECK(materials[i] != NULL);
        *materials[i] = (Material){i + 1, 0.25f * (float)(i + 1)};
    }
    static Object objs[OBJECTS];
    ExampleRng rng = {0xC0FFEEu};
    for (int i = 0; i < OBJECTS; i++)
        objs[i] = (Object){example_randf(&rng, -500, 500), example_randf(&rng, -500, 500),
                           example_randf(&rng, 0.5f, 8.0f), meshes[example_rand(&rng) % MESHES],
                           materials[example_rand(&rng) % MATERIALS]};

    uint64_t total_visible = 0;
    static unsigned char seen[OBJECTS];
    for (unsigned f = 0; f < frames; f++) {
        fa_begin_frame(fa);
        Camera cam = {400.0f * (float)((int)(f % 200) - 100) / 100.0f, 0.0f, 160.0f, 90.0f};
        fa_frame_vec cb;
        fa_frame_vec_init(&cb, fa, sizeof(Command), _Alignof(Command));
        push(&cb, (Command){CMD_CLEAR, NULL, NULL, NULL, 0});
        push(&cb, (Command){CMD_SET_CAMERA, NULL, NULL, NULL, 0});
        size_t visible = 0;
        uint32_t *vis = cull(fa, &cam, objs, OBJECTS, &visible);
        build_batches(fa, &cb, objs, vis, visible);

        memset(seen, 0, sizeof seen);
        GpuTotals t = submit(&cb, seen);
        /* the same totals straight from the scene, with no frame memory involved */
        GpuTotals want = {0, 0, 0, 0.0};
        static unsigned char key_used[MATERIALS + 1][MESHES + 1];
        memset(key_used, 0, sizeof key_used);
        for (int i = 0; i < OBJECTS; i++) {
            CHECK(seen[i] == (unsigned char)in_view(&cam, &objs[i]));
            if (!seen[i]) continue;
            want.instances++;
            want.vertices += objs[i].mesh->vertex_count;
            want.tint_sum += objs[i].material->tint;
            if (!key_used[objs[i].material->id][objs[i].mesh->id]++) want.draws++;
        }
        CHECK(t.draws == want.draws && t.instances == want.instances);
        CHECK(t.vertices == want.vertices && t.tint_sum == want.tint_sum);
        total_visible += t.instances;
        fa_end_frame(fa);
    }
    CHECK(total_visible > 0 && total_visible < (uint64_t)frames * OBJECTS);
    printf("render: %u frames, %.1f visible objects per frame of %d\n", frames,
           (double)total_visible / frames, OBJECTS);
    for (int i = 0; i < MESHES; i++) fa_pool_free(fa, meshes[i]);
    for (int i = 0; i < MATERIALS; i++) fa_pool_free(fa, materials[i]);
    example_finish(fa);
    return 0;
}
