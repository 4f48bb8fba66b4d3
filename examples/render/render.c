/* SPDX-License-Identifier: MIT */
/*
 * render/render.c - a frame's render command buffer, with view culling and batching.
 *
 * Everything the renderer builds for one frame is frame memory: the visible list from culling,
 * the command buffer (grown in place with fa_frame_realloc while it is the newest allocation),
 * the per-frame uniform block, the sort keys and the instance data of each batch. Meshes and
 * materials live across frames (pool objects). The "GPU" at the end only sums what it receives.
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

typedef struct CommandBuffer {
    Command *cmds;
    size_t count, cap;
} CommandBuffer;

static void push(fa_alloc *fa, CommandBuffer *cb, Command c) {
    if (cb->count == cb->cap) {
        size_t cap = cb->cap ? cb->cap * 2 : 16;
        Command *grown = fa_frame_realloc(fa, cb->cmds, cb->cap * sizeof(Command),
                                          cap * sizeof(Command), _Alignof(Command));
        CHECK(grown != NULL);
        cb->cmds = grown;
        cb->cap = cap;
    }
    cb->cmds[cb->count++] = c;
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
    return ((uint64_t)o->material->id << 40) | ((uint64_t)o->mesh->id << 20);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts the visible objects by (material, mesh) and emits one instanced draw per run. */
static void build_batches(fa_alloc *fa, CommandBuffer *cb, const Object *objs,
                          const uint32_t *visible, size_t n) {
    uint64_t *keys = FA_FRAME_ARRAY(fa, uint64_t, n);
    CHECK(keys != NULL);
    for (size_t i = 0; i < n; i++) keys[i] = batch_key(&objs[visible[i]]) | visible[i];
    qsort(keys, n, sizeof *keys, cmp_u64);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && keys[j] >> 20 == keys[i] >> 20) j++;
        Instance *inst = FA_FRAME_ARRAY(fa, Instance, j - i);
        CHECK(inst != NULL);
        for (size_t k = i; k < j; k++) {
            uint32_t o = (uint32_t)(keys[k] & 0xFFFFF);
            inst[k - i] = (Instance){objs[o].x, objs[o].y, o};
        }
        const Object *first = &objs[keys[i] & 0xFFFFF];
        push(fa, cb, (Command){CMD_DRAW_INSTANCED, first->mesh, first->material, inst,
                               (uint32_t)(j - i)});
        i = j;
    }
}

typedef struct GpuTotals { uint64_t draws, instances, vertices; double tint_sum; } GpuTotals;

/* The back end: walks the buffer once, checking ordering and counting the work. */
static GpuTotals submit(const CommandBuffer *cb, unsigned char *seen) {
    GpuTotals t = {0, 0, 0, 0.0};
    uint64_t last_key = 0;
    CHECK(cb->count >= 2 && cb->cmds[0].kind == CMD_CLEAR && cb->cmds[1].kind == CMD_SET_CAMERA);
    for (size_t i = 2; i < cb->count; i++) {
        const Command *c = &cb->cmds[i];
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
        CommandBuffer cb = {NULL, 0, 0};
        push(fa, &cb, (Command){CMD_CLEAR, NULL, NULL, NULL, 0});
        push(fa, &cb, (Command){CMD_SET_CAMERA, NULL, NULL, NULL, 0});
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
