/* SPDX-License-Identifier: MIT */
/*
 * patterns.c - the usage patterns framealloc is built for, written in C and checked.
 *
 * Each pattern is one function that exercises it and verifies the result; main runs them all
 * and exits non-zero on the first failure. Read it as a cookbook: frame scratch, builders,
 * views, component/cache/resource pools, job systems, producer/consumer transfers, tags,
 * budgets, retention, promotion, cleanup and fallible allocation.
 */
#include <framealloc.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

typedef struct Vec3 {
    float x, y, z;
} Vec3;

/* Records the errors a pattern expects (budgets, failures) instead of the default handler. */
typedef struct ErrorLog {
    int count;
    fa_status last;
} ErrorLog;

static void log_error(const fa_error *e, void *user) {
    ErrorLog *log = user;
    log->count++;
    log->last = e->status;
}

/* ---- Scratch buffer: all per-frame temporaries of a system in one struct ------------------ */

typedef struct FrameScratch {
    Vec3 *positions, *velocities, *forces;
    uint32_t *indices;
    size_t count;
} FrameScratch;

/* Returns frame memory (inside the struct): the caller's open scope owns it. */
static FrameScratch scratch_new(fa_alloc *fa, size_t n) FA_RETURNS_FRAME;
static FrameScratch scratch_new(fa_alloc *fa, size_t n) {
    FrameScratch s = {FA_FRAME_ARRAY(fa, Vec3, n), FA_FRAME_ARRAY(fa, Vec3, n),
                      FA_FRAME_ARRAY(fa, Vec3, n), FA_FRAME_ARRAY(fa, uint32_t, n), n};
    return s;
}

static void pattern_scratch(fa_alloc *fa) {
    for (int frame = 0; frame < 3; frame++) {
        fa_begin_frame(fa);
        FrameScratch s = scratch_new(fa, 1000);
        CHECK(s.positions && s.velocities && s.forces && s.indices);
        for (size_t i = 0; i < s.count; i++) {
            s.positions[i] = (Vec3){(float)i, 0, 0};
            s.velocities[i] = (Vec3){1, 0, 0};
            s.forces[i] = (Vec3){0, -9.8f, 0};
            s.indices[i] = (uint32_t)i;
        }
        for (size_t i = 0; i < s.count; i++) s.positions[i].x += s.velocities[i].x;
        CHECK(s.positions[999].x == 1000.0f);
        fa_end_frame(fa); /* everything freed at once */
    }
}

/* ---- Builder: grow arrays in frame memory, keep only the built result ---------------------- */

typedef struct MeshBuilder {
    fa_alloc *fa;
    Vec3 *vertices;
    size_t count, cap;
} MeshBuilder;

typedef struct Mesh {
    Vec3 *vertices; /* heap: outlives the frame */
    size_t count;
} Mesh;

static MeshBuilder *builder_add(MeshBuilder *b, Vec3 v) {
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4;
        Vec3 *grown = fa_frame_realloc(b->fa, b->vertices, b->cap * sizeof(Vec3),
                                       cap * sizeof(Vec3), _Alignof(Vec3));
        CHECK(grown != NULL);
        b->vertices = grown;
        b->cap = cap;
    }
    b->vertices[b->count++] = v;
    return b;
}

static Mesh builder_build(MeshBuilder *b) {
    Mesh m = {fa_promote_to_heap(b->fa, b->vertices, b->count * sizeof(Vec3), _Alignof(Vec3)),
              b->count};
    return m;
}

static void pattern_builder(fa_alloc *fa) {
    fa_begin_frame(fa);
    MeshBuilder b = {fa, NULL, 0, 0};
    builder_add(builder_add(builder_add(&b, (Vec3){0, 0, 0}), (Vec3){1, 0, 0}), (Vec3){0, 1, 0});
    for (int i = 0; i < 100; i++) builder_add(&b, (Vec3){(float)i, (float)i, 0});
    Mesh mesh = builder_build(&b);
    fa_end_frame(fa);
    CHECK(mesh.vertices != NULL && mesh.count == 103);
    CHECK(mesh.vertices[1].x == 1.0f && mesh.vertices[102].y == 99.0f);
    fa_heap_free(fa, mesh.vertices);
}

/* ---- Temporary view: a window into frame data, no copy ------------------------------------- */

typedef struct View {
    const float *data;
    size_t offset, len;
} View;

static void pattern_view(fa_alloc *fa) {
    fa_begin_frame(fa);
    float *all = FA_FRAME_ARRAY(fa, float, 1000);
    CHECK(all != NULL);
    for (int i = 0; i < 1000; i++) all[i] = (float)i;
    View visible = {all + 100, 100, 100};
    float sum = 0;
    for (size_t i = 0; i < visible.len; i++) sum += visible.data[i];
    CHECK(sum == (100.0f + 199.0f) * 50.0f);
    fa_end_frame(fa);
}

/* ---- Component pool: components live across frames in pools ------------------------------- */

typedef struct Transform {
    Vec3 position;
    float rotation[4];
} Transform;

typedef struct EntityWorld {
    fa_alloc *fa;
    Transform *transforms[256];
    size_t count;
} EntityWorld;

static size_t spawn_entity(EntityWorld *w, Vec3 pos) {
    Transform *t = FA_POOL_NEW(w->fa, Transform);
    CHECK(t != NULL);
    *t = (Transform){pos, {0, 0, 0, 1}};
    w->transforms[w->count] = t;
    return w->count++;
}

static void pattern_component_pool(fa_alloc *fa) {
    EntityWorld w = {fa, {0}, 0};
    for (int i = 0; i < 100; i++) spawn_entity(&w, (Vec3){(float)i, 0, 0});
    for (int frame = 0; frame < 3; frame++) {
        fa_begin_frame(fa);
        for (size_t i = 0; i < w.count; i++) w.transforms[i]->position.y += 1.0f;
        fa_end_frame(fa);
    }
    CHECK(w.transforms[99]->position.x == 99.0f && w.transforms[99]->position.y == 3.0f);
    for (size_t i = 0; i < w.count; i++) fa_pool_free(fa, w.transforms[i]);
}

/* ---- Cache: reuse pool objects instead of freeing them ------------------------------------ */

typedef struct ObjectCache {
    void *available[32];
    size_t count;
    size_t object_size;
} ObjectCache;

static void *cache_get(ObjectCache *c, fa_alloc *fa) {
    if (c->count > 0) return c->available[--c->count];
    return fa_pool_alloc(fa, c->object_size);
}

static void cache_return(ObjectCache *c, fa_alloc *fa, void *obj) {
    if (c->count < 32)
        c->available[c->count++] = obj;
    else
        fa_pool_free(fa, obj);
}

static void pattern_cache(fa_alloc *fa) {
    ObjectCache cache = {{0}, 0, 200};
    void *a = cache_get(&cache, fa);
    CHECK(a != NULL);
    cache_return(&cache, fa, a);
    void *b = cache_get(&cache, fa);
    CHECK(b == a); /* reused, not reallocated */
    fa_pool_free(fa, b);
}

/* ---- Resource pool: a bounded number of live resources ------------------------------------ */

typedef struct ResourcePool {
    size_t max, live;
} ResourcePool;

static void *resource_acquire(ResourcePool *rp, fa_alloc *fa) {
    if (rp->live == rp->max) return NULL;
    void *r = fa_pool_alloc(fa, 512);
    if (r != NULL) rp->live++;
    return r;
}

static void resource_release(ResourcePool *rp, fa_alloc *fa, void *r) {
    fa_pool_free(fa, r);
    rp->live--;
}

static void pattern_resource_pool(fa_alloc *fa) {
    ResourcePool rp = {4, 0};
    void *r[5];
    for (int i = 0; i < 4; i++) CHECK((r[i] = resource_acquire(&rp, fa)) != NULL);
    CHECK(resource_acquire(&rp, fa) == NULL);
    resource_release(&rp, fa, r[0]);
    CHECK((r[0] = resource_acquire(&rp, fa)) != NULL);
    for (int i = 0; i < 4; i++) resource_release(&rp, fa, r[i]);
}

/* ---- Job system: every worker brackets its job with its own frame -------------------------- */

typedef struct Job {
    fa_alloc *fa;
    int input;
    long result;
} Job;

static void *job_thread(void *p) {
    Job *job = p;
    fa_begin_frame(job->fa);
    long *tmp = FA_FRAME_ARRAY(job->fa, long, 1000);
    long sum = 0;
    for (int i = 0; tmp != NULL && i < 1000; i++) sum += (tmp[i] = (long)i * job->input);
    job->result = sum;
    fa_end_frame(job->fa);
    return NULL;
}

static void pattern_job_system(fa_alloc *fa) {
    Job jobs[4];
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (Job){fa, i + 1, 0};
        CHECK(pthread_create(&threads[i], NULL, job_thread, &jobs[i]) == 0);
    }
    for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
    for (int i = 0; i < 4; i++) CHECK(jobs[i].result == 499500L * (i + 1));
}

/* ---- Producer / consumer: frame data crosses threads only inside transfer handles ---------- */

typedef struct Data {
    int frame;
    float values[16];
} Data;

typedef struct Channel {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    fa_transfer *items[8];
    int head, tail, closed;
} Channel;

static void channel_send(Channel *c, fa_transfer *t) {
    pthread_mutex_lock(&c->lock);
    while (c->tail - c->head == 8) pthread_cond_wait(&c->cond, &c->lock);
    c->items[c->tail++ % 8] = t;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

static fa_transfer *channel_recv(Channel *c) {
    pthread_mutex_lock(&c->lock);
    while (c->head == c->tail && !c->closed) pthread_cond_wait(&c->cond, &c->lock);
    fa_transfer *t = c->head == c->tail ? NULL : c->items[c->head++ % 8];
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    return t;
}

typedef struct Consumer {
    Channel *ch;
    int received, sum_frames;
} Consumer;

static void *consumer_thread(void *p) {
    Consumer *c = p;
    fa_transfer *t;
    while ((t = channel_recv(c->ch)) != NULL) {
        Data *d = fa_transfer_receive(t);
        CHECK(d != NULL && d->values[15] == (float)d->frame);
        c->received++;
        c->sum_frames += d->frame;
        fa_transfer_free(t);
    }
    return NULL;
}

static void pattern_producer_consumer(fa_alloc *fa) {
    Channel ch = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0, 0};
    Consumer consumer = {&ch, 0, 0};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, consumer_thread, &consumer) == 0);
    for (int frame = 1; frame <= 20; frame++) {
        fa_begin_frame(fa);
        Data *d = FA_FRAME_NEW(fa, Data);
        CHECK(d != NULL);
        d->frame = frame;
        for (int i = 0; i < 16; i++) d->values[i] = (float)frame;
        channel_send(&ch, fa_transfer_create(fa, d, sizeof *d));
        fa_end_frame(fa); /* the handle owns a copy: ending the frame is safe */
    }
    pthread_mutex_lock(&ch.lock);
    ch.closed = 1;
    pthread_cond_broadcast(&ch.cond);
    pthread_mutex_unlock(&ch.lock);
    pthread_join(th, NULL);
    CHECK(consumer.received == 20 && consumer.sum_frames == 210);
}

/* ---- Thread-local: each thread's frames are its own, one shared allocator ------------------ */

static _Thread_local int thread_local_frames;

static void *thread_local_worker(void *p) {
    fa_alloc *fa = p;
    for (int i = 0; i < 10; i++) {
        fa_begin_frame(fa);
        int *items = FA_FRAME_ARRAY(fa, int, 64);
        CHECK(items != NULL);
        items[63] = i;
        thread_local_frames++;
        fa_end_frame(fa);
    }
    CHECK(fa_frame_number(fa) == 10); /* this thread's count, not the process's */
    return NULL;
}

static void pattern_thread_local(fa_alloc *fa) {
    pthread_t a, b;
    CHECK(pthread_create(&a, NULL, thread_local_worker, fa) == 0);
    CHECK(pthread_create(&b, NULL, thread_local_worker, fa) == 0);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
}

/* ---- Tags, scoped tags and budgets ---------------------------------------------------------- */

#define TAG_SCOPE(fa, tag) \
    for (int tag_once_ = (fa_tag_push((fa), (tag)), 0); !tag_once_; tag_once_ = (fa_tag_pop(fa), 1))

static void pattern_tags_and_budgets(void) {
    ErrorLog log = {0, FA_OK};
    fa_alloc *fa = fa_create(&(fa_config){.error_handler = log_error, .error_user = &log});
    CHECK(fa != NULL);
    fa_tag physics = fa_tag_register(fa, "physics");
    fa_tag rendering = fa_tag_register(fa, "rendering");
    fa_tag audio = fa_tag_register(fa, "audio");
    CHECK(physics && rendering && audio && fa_tag_register(fa, "physics") == physics);

    fa_begin_frame(fa);
    TAG_SCOPE(fa, physics) { CHECK(FA_FRAME_ARRAY(fa, char, 3000) != NULL); }
    TAG_SCOPE(fa, rendering) { CHECK(FA_FRAME_ARRAY(fa, char, 1000) != NULL); }
    fa_end_frame(fa);
    fa_tag_stats ps, rs;
    CHECK(fa_get_tag_stats(fa, physics, &ps) == FA_OK && ps.frame_bytes_last >= 3000);
    CHECK(fa_get_tag_stats(fa, rendering, &rs) == FA_OK && rs.frame_bytes_last >= 1000);
    CHECK(rs.frame_bytes_last < 3000);

    /* Budgets: audio may hold 1 MiB of heap; the soft limit warns, the hard limit refuses. */
    CHECK(fa_tag_set_budget(fa, audio, 512 << 10, 1 << 20) == FA_OK);
    void *a = NULL, *b = NULL, *c = NULL;
    TAG_SCOPE(fa, audio) {
        a = fa_heap_alloc(fa, 400 << 10, 16);
        b = fa_heap_alloc(fa, 400 << 10, 16); /* crosses the soft budget: warning */
        CHECK(log.last == FA_WARN_BUDGET);
        c = fa_heap_alloc(fa, 400 << 10, 16); /* would cross the hard budget: refused */
        CHECK(c == NULL && log.last == FA_ERR_BUDGET);
    }
    CHECK(a != NULL && b != NULL);
    fa_heap_free(fa, a);
    fa_heap_free(fa, b);
    fa_destroy(fa);
}

/* ---- Frame retention and promotion --------------------------------------------------------- */

typedef struct NavMesh {
    int cells;
    float cost[64];
} NavMesh;

static void pattern_retention(fa_alloc *fa) {
    NavMesh *navmesh = NULL; /* kept across frames once built */
    fa_begin_frame(fa);
    NavMesh *built = FA_FRAME_NEW(fa, NavMesh);
    CHECK(built != NULL);
    built->cells = 64;
    for (int i = 0; i < 64; i++) built->cost[i] = (float)i;
    navmesh = built;
    CHECK(fa_frame_retain(fa, (void **)&navmesh, sizeof *navmesh, FA_RETAIN_TO_POOL) == FA_OK);
    fa_end_frame(fa); /* navmesh now points at a pool copy */
    CHECK(navmesh != NULL && navmesh != built && navmesh->cost[63] == 63.0f);
    fa_pool_free(fa, navmesh);
}

typedef struct PromotionTracker {
    int frames_seen, threshold;
    float *data; /* pool copy once hot */
} PromotionTracker;

static void pattern_promotion(fa_alloc *fa) {
    PromotionTracker tracker = {0, 3, NULL};
    for (int frame = 0; frame < 5; frame++) {
        fa_begin_frame(fa);
        float *value = FA_FRAME_ARRAY(fa, float, 8);
        CHECK(value != NULL);
        for (int i = 0; i < 8; i++) value[i] = (float)frame;
        if (++tracker.frames_seen >= tracker.threshold && tracker.data == NULL)
            tracker.data = fa_promote_to_pool(fa, value, 8 * sizeof(float));
        fa_end_frame(fa);
    }
    CHECK(tracker.data != NULL && tracker.data[0] == 2.0f);
    fa_pool_free(fa, tracker.data);
}

/* ---- Cleanup callbacks run at a chosen point ---------------------------------------------- */

typedef void (*CleanupFn)(fa_alloc *fa, void *arg);
typedef struct CleanupList {
    CleanupFn fn[8];
    void *arg[8];
    int count;
} CleanupList;

static void release_pool_object(fa_alloc *fa, void *arg) { fa_pool_free(fa, arg); }

static void pattern_cleanup(fa_alloc *fa) {
    CleanupList cleanups = {{0}, {0}, 0};
    for (int i = 0; i < 3; i++) {
        cleanups.fn[cleanups.count] = release_pool_object;
        cleanups.arg[cleanups.count++] = fa_pool_alloc(fa, 64);
    }
    fa_stats before, after;
    fa_get_stats(fa, &before);
    for (int i = cleanups.count - 1; i >= 0; i--) cleanups.fn[i](fa, cleanups.arg[i]);
    fa_get_stats(fa, &after);
    CHECK(before.pool_count - after.pool_count == 3);
}

/* ---- Fallible allocation and recovery ------------------------------------------------------ */

static void pattern_fallible(void) {
    ErrorLog log = {0, FA_OK};
    fa_alloc *fa = fa_create(&(fa_config){.frame_limit = 64 << 10, .error_handler = log_error,
                                          .error_user = &log});
    CHECK(fa != NULL);
    fa_begin_frame(fa);
    /* Over the frame limit: NULL + FA_ERR_FRAME_LIMIT, then fall back to the pool. */
    void *big = fa_frame_alloc(fa, 100 << 10, 16);
    CHECK(big == NULL && log.last == FA_ERR_FRAME_LIMIT);
    void *fallback = big != NULL ? big : fa_pool_alloc(fa, 4096);
    CHECK(fallback != NULL);
    /* Recovery: retry smaller. */
    size_t want = 100 << 10;
    void *p = NULL;
    while (p == NULL && want >= 1024) {
        p = fa_frame_alloc(fa, want, 16);
        if (p == NULL) want /= 2;
    }
    CHECK(p != NULL && want == 50 << 10);
    fa_end_frame(fa);
    fa_pool_free(fa, fallback);
    fa_destroy(fa);
}

/* ---- Quiet fallible allocation, speculative work with checkpoints, empty arrays ---------- */

/* A search that may give up: try quietly (no report for the expected failure), build
 * speculatively and roll the frame back when the attempt is abandoned. */
static void pattern_try_and_checkpoint(void) {
    ErrorLog log = {0, FA_OK};
    fa_alloc *fa = fa_create(&(fa_config){.frame_limit = 64 << 10, .error_handler = log_error,
                                          .error_user = &log});
    CHECK(fa != NULL);
    fa_begin_frame(fa);
    fa_status why;
    void *big = fa_try_frame_alloc(fa, 100 << 10, 16, &why);
    CHECK(big == NULL && why == FA_ERR_FRAME_LIMIT && log.count == 0);
    int *kept = FA_FRAME_ARRAY(fa, int, 4);
    CHECK(kept != NULL);
    for (int attempt = 0; attempt < 8; attempt++) {
        fa_checkpoint cp = fa_frame_checkpoint(fa);
        Vec3 *path = FA_FRAME_ARRAY(fa, Vec3, 1000);
        CHECK(path != NULL);
        path[0].x = (float)attempt;
        if (attempt < 7) fa_frame_rollback(fa, cp); /* abandoned: its memory is reused */
    }
    /* No results is an empty array, not an error. */
    int *none = FA_FRAME_ARRAY(fa, int, 0);
    CHECK(none != NULL && log.count == 0);
    fa_end_frame(fa);
    fa_destroy(fa);
}

/* ---- Frame vectors: per-frame lists of unknown length, filled side by side --------------- */

/* Culling: the visible objects and the draw keys of their meshes, gathered together. Neither
 * count is known up front; both vectors die with the frame. */
static void pattern_frame_vec(fa_alloc *fa) {
    fa_begin_frame(fa);
    fa_frame_vec visible, keys;
    fa_frame_vec_init(&visible, fa, sizeof(uint32_t), _Alignof(uint32_t));
    fa_frame_vec_init(&keys, fa, sizeof(uint64_t), _Alignof(uint64_t));
    for (uint32_t id = 0; id < 10000; id++) {
        if (id % 3 == 0) continue; /* culled */
        FA_FRAME_VEC_PUSH(&visible, uint32_t, id);
        FA_FRAME_VEC_PUSH(&keys, uint64_t, ((uint64_t)(id % 7) << 32) | id);
    }
    CHECK(visible.len == 6666 && keys.len == 6666);
    const uint32_t *ids = visible.data;
    const uint64_t *k = keys.data;
    CHECK(ids[0] == 1 && ids[6665] == 9998 && (uint32_t)k[6665] == 9998);
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    /* Filled in turn, the two vectors still take about their own size of frame memory. */
    CHECK(ts.frame_bytes <= 3 * 6666 * (sizeof(uint32_t) + sizeof(uint64_t)));
    fa_end_frame(fa);
}

/* ---- Frame map: per-frame lookups by id --------------------------------------------------- */

typedef struct DrawSlot {
    uint32_t first, count;
} DrawSlot;

/* Batching: entity ids (sparse 64-bit handles) to the draw slot of their material this frame. */
static void pattern_frame_map(fa_alloc *fa) {
    fa_begin_frame(fa);
    fa_frame_map batches;
    fa_frame_map_init(&batches, fa, sizeof(DrawSlot), _Alignof(DrawSlot), 64);
    for (uint32_t i = 0; i < 5000; i++) {
        uint64_t material = ((uint64_t)(i % 37) << 40) | 0xABCD; /* sparse handles */
        DrawSlot *slot = fa_frame_map_put(&batches, material);
        CHECK(slot != NULL);
        if (slot->count == 0) slot->first = i; /* new entries are zero-filled */
        slot->count++;
    }
    CHECK(fa_frame_map_len(&batches) == 37);
    uint32_t total = 0;
    size_t pos = 0;
    void *value;
    while (fa_frame_map_next(&batches, &pos, NULL, &value)) total += ((DrawSlot *)value)->count;
    CHECK(total == 5000);
    CHECK(fa_frame_map_get(&batches, 12345) == NULL);
    fa_end_frame(fa);
}

/* ---- Scratch pool: a named buffer reused across frames, reset when the work is done ------- */

/* A streaming decoder works on a chunk over several frames in its own scratch. */
static void pattern_scratch_pool(fa_alloc *fa) {
    for (int chunk = 0; chunk < 3; chunk++) {
        for (int frame = 0; frame < 4; frame++) {
            fa_begin_frame(fa);
            fa_scratch *s = fa_scratch_get(fa, "stream-decode", 64 << 10);
            CHECK(s != NULL);
            char *part = fa_scratch_alloc(s, 8 << 10, 16); /* kept across these frames */
            CHECK(part != NULL);
            memset(part, frame, 8 << 10);
            fa_end_frame(fa);
        }
        fa_scratch *s = fa_scratch_get(fa, "stream-decode", 64 << 10);
        CHECK(fa_scratch_used(s) == 4 * (8 << 10));
        fa_scratch_reset(s); /* the chunk is done */
    }
}

/* ---- Allocation group: a level's objects, freed at once on unload ------------------------- */

typedef struct Prop {
    Vec3 position;
    uint32_t mesh;
} Prop;

static void pattern_group(fa_alloc *fa) {
    fa_group *level = fa_group_create(fa, "level");
    CHECK(level != NULL);
    for (int load = 0; load < 2; load++) {
        Prop *first = NULL;
        for (uint32_t i = 0; i < 10000; i++) {
            Prop *p = fa_group_alloc(level, sizeof(Prop), _Alignof(Prop));
            CHECK(p != NULL);
            *p = (Prop){{(float)i, 0, 0}, i};
            if (first == NULL) first = p;
        }
        CHECK(first->mesh == 0 && fa_group_bytes(level) == 10000 * sizeof(Prop));
        fa_group_free_all(level); /* unload: one call, not 10000 frees */
        CHECK(fa_group_bytes(level) == 0);
    }
    fa_group_destroy(level);
}

/* ---- Phases: what each part of the frame allocated ---------------------------------------- */

static void pattern_phases(fa_alloc *fa) {
    for (int frame = 0; frame < 2; frame++) {
        fa_begin_frame(fa);
        fa_phase_begin(fa, "physics");
        Vec3 *contacts = FA_FRAME_ARRAY(fa, Vec3, 256);
        CHECK(contacts != NULL);
        fa_phase_end(fa);
        fa_phase_begin(fa, "render");
        uint64_t *keys = FA_FRAME_ARRAY(fa, uint64_t, 1024);
        CHECK(keys != NULL);
        fa_phase_end(fa);
        fa_end_frame(fa);
    }
    fa_phase_stats physics, render;
    CHECK(fa_get_phase_stats(fa, "physics", &physics) == FA_OK);
    CHECK(fa_get_phase_stats(fa, "render", &render) == FA_OK);
    /* Figures of the last frame: each phase's own frame bytes. */
    CHECK(physics.frame_bytes == 256 * sizeof(Vec3) && render.frame_bytes == 1024 * 8);
    CHECK(physics.frames == 2 && render.runs == 1);
}

int main(void) {
    fa_alloc *fa = fa_create(NULL);
    CHECK(fa != NULL);
    pattern_scratch(fa);
    pattern_builder(fa);
    pattern_view(fa);
    pattern_component_pool(fa);
    pattern_cache(fa);
    pattern_resource_pool(fa);
    pattern_job_system(fa);
    pattern_producer_consumer(fa);
    pattern_thread_local(fa);
    pattern_retention(fa);
    pattern_promotion(fa);
    pattern_cleanup(fa);
    pattern_tags_and_budgets();
    pattern_fallible();
    pattern_try_and_checkpoint();
    pattern_frame_vec(fa);
    pattern_frame_map(fa);
    pattern_scratch_pool(fa);
    pattern_group(fa);
    pattern_phases(fa);
    fa_stats s;
    fa_get_stats(fa, &s);
    /* Left: the main thread's scratch pool (its descriptor and buffer); fa_destroy frees it. */
    CHECK(s.pool_count == 1 && s.heap_count == 1);
    CHECK(s.transfer_count == 0 && s.errors == 0 && s.group_count == 0);
    fa_destroy(fa);
    puts("all patterns ok");
    return 0;
}
