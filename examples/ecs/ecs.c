/* SPDX-License-Identifier: MIT */
/*
 * ecs/ecs.c - component storage, systems and queries.
 *
 * Components live across frames, so their dense arrays are tracked heap blocks (grown with
 * fa_heap_realloc) indexed through a sparse entity -> slot table. What a system needs only for
 * one update - the query result (entities that have every component asked for) and a snapshot
 * of the velocities it iterates while other systems write them - is frame memory of the
 * caller's frame: built after fa_begin_frame, gone at fa_end_frame, never stored in the
 * storage itself.
 *
 * Checked: after a few hundred frames of spawning, moving, damaging and despawning, every live
 * entity's position equals its spawn position plus velocity times the frames it was alive,
 * health and counts agree with a bookkeeping model, and nothing leaks.
 */
#include "../common/example.h"

#define MAX_ENTITIES 4096
#define NO_SLOT UINT32_MAX

typedef uint32_t Entity;
typedef struct Position { float x, y; } Position;
typedef struct Velocity { float x, y; } Velocity;
typedef struct Health { int hp; } Health;

/* A sparse set: dense components + the entity of each slot + entity -> slot. */
typedef struct Storage {
    size_t elem_size, count, cap;
    unsigned char *dense; /* heap */
    Entity *owner;        /* heap */
    uint32_t slot[MAX_ENTITIES];
} Storage;

static void storage_init(Storage *s, size_t elem_size) {
    memset(s, 0, sizeof *s);
    s->elem_size = elem_size;
    for (int i = 0; i < MAX_ENTITIES; i++) s->slot[i] = NO_SLOT;
}

static void *storage_get(Storage *s, Entity e) {
    uint32_t i = s->slot[e];
    return i == NO_SLOT ? NULL : s->dense + (size_t)i * s->elem_size;
}

static void storage_add(fa_alloc *fa, Storage *s, Entity e, const void *value) {
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        void *d = fa_heap_realloc(fa, s->dense, cap * s->elem_size);
        void *o = fa_heap_realloc(fa, s->owner, cap * sizeof(Entity));
        CHECK(d != NULL && o != NULL);
        s->dense = d;
        s->owner = o;
        s->cap = cap;
    }
    memcpy(s->dense + s->count * s->elem_size, value, s->elem_size);
    s->owner[s->count] = e;
    s->slot[e] = (uint32_t)s->count++;
}

static void storage_remove(Storage *s, Entity e) {
    uint32_t i = s->slot[e];
    if (i == NO_SLOT) return;
    uint32_t last = (uint32_t)--s->count;
    if (i != last) { /* swap-remove keeps the dense array packed */
        memcpy(s->dense + (size_t)i * s->elem_size, s->dense + (size_t)last * s->elem_size,
               s->elem_size);
        s->owner[i] = s->owner[last];
        s->slot[s->owner[i]] = i;
    }
    s->slot[e] = NO_SLOT;
}

static void storage_free(fa_alloc *fa, Storage *s) {
    fa_heap_free(fa, s->dense);
    fa_heap_free(fa, s->owner);
}

typedef struct World {
    Storage pos, vel, health;
    /* bookkeeping to check against */
    Position spawn_pos[MAX_ENTITIES];
    unsigned spawn_frame[MAX_ENTITIES];
    int expected_hp[MAX_ENTITIES];
    unsigned char alive[MAX_ENTITIES];
    size_t alive_count;
} World;

/* Entities present in every storage of `with` (iterating the smallest): frame memory. */
typedef struct Query {
    Entity *entities;
    size_t count;
} Query;

static Query query(fa_alloc *fa, Storage **with, int n) FA_RETURNS_FRAME;
static Query query(fa_alloc *fa, Storage **with, int n) {
    Storage *smallest = with[0];
    for (int i = 1; i < n; i++)
        if (with[i]->count < smallest->count) smallest = with[i];
    Query q = {FA_FRAME_ARRAY(fa, Entity, smallest->count), 0};
    CHECK(q.entities != NULL);
    for (size_t i = 0; i < smallest->count; i++) {
        Entity e = smallest->owner[i];
        int all = 1;
        for (int k = 0; k < n && all; k++) all = with[k]->slot[e] != NO_SLOT;
        if (all) q.entities[q.count++] = e;
    }
    return q;
}

/* Movement system: iterates a frame snapshot of the velocities (the steering system below
 * changes them during the same frame; movement must see the values at the start). */
static void movement_system(fa_alloc *fa, World *w, float dt) {
    Storage *with[] = {&w->pos, &w->vel};
    Query q = query(fa, with, 2);
    Velocity *snapshot = FA_FRAME_ARRAY(fa, Velocity, q.count);
    CHECK(snapshot != NULL);
    for (size_t i = 0; i < q.count; i++)
        snapshot[i] = *(Velocity *)storage_get(&w->vel, q.entities[i]);
    /* a system running "in parallel" that flips velocities, for the next frame only */
    for (size_t i = 0; i < q.count; i++) {
        Velocity *v = storage_get(&w->vel, q.entities[i]);
        v->x = -v->x;
        v->y = -v->y;
    }
    for (size_t i = 0; i < q.count; i++) {
        Position *p = storage_get(&w->pos, q.entities[i]);
        p->x += snapshot[i].x * dt;
        p->y += snapshot[i].y * dt;
        Velocity *v = storage_get(&w->vel, q.entities[i]);
        *v = snapshot[i]; /* the flip was a probe: restore */
    }
}

static void damage_system(fa_alloc *fa, World *w, unsigned frame) {
    Storage *with[] = {&w->health, &w->pos};
    Query q = query(fa, with, 2);
    for (size_t i = 0; i < q.count; i++) {
        Entity e = q.entities[i];
        if ((e + frame) % 7 == 0) {
            ((Health *)storage_get(&w->health, e))->hp -= 1;
            w->expected_hp[e] -= 1;
        }
    }
}

static void spawn(fa_alloc *fa, World *w, Entity e, unsigned frame) {
    Position p = {(float)(e % 64), (float)(e / 64)};
    Velocity v = {(float)(e % 5) - 2.0f, (float)(e % 3) - 1.0f};
    Health h = {100};
    storage_add(fa, &w->pos, e, &p);
    if (e % 4 != 0) storage_add(fa, &w->vel, e, &v); /* static props have no velocity */
    storage_add(fa, &w->health, e, &h);
    w->spawn_pos[e] = p;
    w->spawn_frame[e] = frame;
    w->expected_hp[e] = 100;
    w->alive[e] = 1;
    w->alive_count++;
}

static void despawn(World *w, Entity e) {
    storage_remove(&w->pos, e);
    storage_remove(&w->vel, e);
    storage_remove(&w->health, e);
    w->alive[e] = 0;
    w->alive_count--;
}

int main(int argc, char **argv) {
    unsigned frames = example_frames(argc, argv, 400);
    fa_alloc *fa = fa_create(&(fa_config){.name = "ecs"});
    CHECK(fa != NULL);
    static World w;
    storage_init(&w.pos, sizeof(Position));
    storage_init(&w.vel, sizeof(Velocity));
    storage_init(&w.health, sizeof(Health));
    const float dt = 0.5f; /* exact in binary, so expected positions are exact too */
    Entity next = 0;

    for (unsigned f = 0; f < frames; f++) {
        fa_begin_frame(fa);
        for (int i = 0; i < 8 && next < MAX_ENTITIES; i++) spawn(fa, &w, next++, f);
        if (f % 3 == 0 && w.alive_count > 0) { /* despawn the oldest alive */
            for (Entity e = 0; e < next; e++)
                if (w.alive[e]) { despawn(&w, e); break; }
        }
        movement_system(fa, &w, dt);
        damage_system(fa, &w, f);
        fa_end_frame(fa);
    }

    CHECK(w.pos.count == w.alive_count && w.health.count == w.alive_count);
    size_t movers = 0;
    for (Entity e = 0; e < next; e++) {
        if (!w.alive[e]) continue;
        float alive_frames = (float)(frames - w.spawn_frame[e]);
        Position *p = storage_get(&w.pos, e);
        Velocity *v = storage_get(&w.vel, e);
        float vx = v ? v->x : 0.0f, vy = v ? v->y : 0.0f;
        movers += v != NULL;
        CHECK(p->x == w.spawn_pos[e].x + vx * dt * alive_frames);
        CHECK(p->y == w.spawn_pos[e].y + vy * dt * alive_frames);
        CHECK(((Health *)storage_get(&w.health, e))->hp == w.expected_hp[e]);
    }
    CHECK(movers == w.vel.count);
    printf("ecs: %u entities spawned, %zu alive, %zu moving\n", next, w.alive_count, movers);
    storage_free(fa, &w.pos);
    storage_free(fa, &w.vel);
    storage_free(fa, &w.health);
    example_finish(fa);
    return 0;
}
