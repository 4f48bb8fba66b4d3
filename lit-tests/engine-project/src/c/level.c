/* SPDX-License-Identifier: MIT */
/* level.c - level loading on the arena API (engine/arena.h): scratch scopes for decoding,
 * results in the level's arena. */
#include <engine/arena.h>
#include <stdint.h>
#include <string.h>

typedef struct Mesh {
    float *positions;
    uint32_t *indices;
    uint32_t vertex_count, index_count;
} Mesh;

typedef struct Level {
    Arena *arena;
    Mesh *meshes;
    uint32_t mesh_count;
    const char *name;
} Level;

size_t read_file(const char *path, void *dst, size_t cap);
void log_text(const char *s);

static const char *g_last_error;

static void decode_mesh(Mesh *m, Arena *out, const unsigned char *raw, size_t n) {
    m->vertex_count = (uint32_t)(n / 16);
    m->index_count = m->vertex_count;
    m->positions = arena_push(out, m->vertex_count * 3 * sizeof(float));
    m->indices = arena_push(out, m->index_count * sizeof(uint32_t));
    memcpy(m->positions, raw, m->vertex_count * 3 * sizeof(float));
    for (uint32_t i = 0; i < m->index_count; ++i)
        m->indices[i] = i;
}

/* Scratch for the file, the mesh in the level's arena. */
Mesh *load_mesh(Level *lv, const char *path) {
    Temp t = temp_begin(g_scratch);
    unsigned char *raw = arena_push(g_scratch, 1 << 16);
    size_t n = read_file(path, raw, 1 << 16);
    Mesh *m = arena_push(lv->arena, sizeof(Mesh));
    decode_mesh(m, lv->arena, raw, n);
    temp_end(t);
    return m;
}

/* Two scopes on two arenas, ended in either order. */
void build_level(Level *lv, const char **paths, uint32_t count) {
    Temp lt = temp_begin(lv->arena);
    Temp st = temp_begin(g_scratch);
    uint32_t *remap = arena_push_zero(lv->arena, count * sizeof(uint32_t));
    char *title = arena_strdup(g_scratch, lv->name);
    for (uint32_t i = 0; i < count; ++i)
        remap[i] = (uint32_t)read_file(paths[i], NULL, 0);
    temp_end(lt);
    log_text(title);
    temp_end(st);
}

/* The level's name is kept in the level's own arena, outside any scope. */
void rename_level(Level *lv, const char *name) {
    Temp t = temp_begin(g_scratch);
    char *lower = arena_strdup(g_scratch, name);
    for (char *c = lower; *c; ++c)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    lv->name = arena_strdup(lv->arena, lower);
    temp_end(t);
}

void report(const char *msg) {
    Temp t = temp_begin(g_scratch);
    g_last_error = arena_strdup(g_scratch, msg); // FINDING: frame-escape
    temp_end(t);
}

int first_byte(const char *path) {
    Temp t = temp_begin(g_scratch); // FINDING: frame-pairing
    char *buf = arena_push(g_scratch, 64);
    if (!read_file(path, buf, 64))
        return -1;
    temp_end(t);
    return buf[0]; // FINDING: use-after-frame
}

/* Nested scopes on the level arena, ended outer first. */
void stage_meshes(Level *lv) {
    Temp outer = temp_begin(lv->arena);
    Temp inner = temp_begin(lv->arena);
    Mesh *staging = arena_push(lv->arena, lv->mesh_count * sizeof(Mesh));
    memcpy(staging, lv->meshes, lv->mesh_count * sizeof(Mesh));
    temp_end(outer); // FINDING: frame-pairing
    temp_end(inner); // FINDING: frame-pairing
}

/* The scratch scope ends while the level arena's is still open. */
uint32_t count_indices(Level *lv) {
    Temp lt = temp_begin(lv->arena);
    Temp st = temp_begin(g_scratch);
    uint32_t *counts = arena_push(g_scratch, lv->mesh_count * sizeof(uint32_t));
    uint32_t *sums = arena_push(lv->arena, lv->mesh_count * sizeof(uint32_t));
    for (uint32_t i = 0; i < lv->mesh_count; ++i)
        counts[i] = sums[i] = lv->meshes[i].index_count;
    temp_end(st);
    uint32_t total = 0;
    for (uint32_t i = 0; i < lv->mesh_count; ++i)
        total += sums[i] + counts[i]; // FINDING: use-after-frame
    temp_end(lt);
    return total;
}
