/* SPDX-License-Identifier: MIT */
/*
 * world/world_grid.c - a chunked world grid streamed around the player by a loader thread,
 * with one allocator per level.
 *
 * Each level gets its own fa_alloc: everything the level holds comes from it, and unloading the
 * level is fa_destroy after its objects are gone (the statistics prove nothing was left). Each
 * frame the main thread computes the wanted chunk coordinates (frame memory), queues loads for
 * missing chunks and drops chunks beyond the unload radius. The loader thread builds a chunk's
 * contents in its own frame and sends them back in an fa_transfer handle; the main thread keeps
 * the received payload as the chunk's storage until it unloads the chunk (fa_transfer_free).
 *
 * Checked every frame: no loaded chunk lies beyond the unload radius, every chunk within the
 * load radius is loaded or on its way (requested last frame at the latest: the example gives the
 * loader until the next frame), each chunk's contents match its coordinates, and at each level
 * change the old allocator is empty before it is destroyed.
 */
#include "../common/example.h"

#include <pthread.h>

#define LOAD_RADIUS 2
#define UNLOAD_RADIUS 3
#define MAX_CHUNKS 128
#define CELLS 256
#define QUEUE_CAP 256

typedef struct Coord { int32_t x, z; } Coord;
typedef struct ChunkData { Coord c; uint32_t level; uint32_t cells[CELLS]; } ChunkData;

typedef enum ChunkState { EMPTY, PENDING, LOADED } ChunkState;
typedef struct Chunk {
    ChunkState state;
    Coord c;
    fa_transfer *data;         /* owns the payload */
    const ChunkData *payload;  /* received from data, valid until fa_transfer_free */
} Chunk;

typedef struct Mailbox {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    Coord requests[QUEUE_CAP];
    size_t req_head, req_count;
    fa_transfer *done[QUEUE_CAP];
    size_t done_head, done_count;
    uint64_t issued, completed; /* requests queued / finished */
    pthread_cond_t idle;        /* signalled when completed catches up with issued */
    int stop;
} Mailbox;

typedef struct Level {
    fa_alloc *fa;
    uint32_t id;
    Chunk chunks[MAX_CHUNKS];
    Mailbox mb;
    pthread_t loader;
    uint64_t loads, unloads;
} Level;

static uint32_t cell_value(Coord c, uint32_t level, int i) {
    return (uint32_t)(c.x * 73856093) ^ (uint32_t)(c.z * 19349663) ^ (level * 83492791u) ^ (uint32_t)i;
}

static void *loader_main(void *arg) {
    Level *lvl = arg;
    Mailbox *mb = &lvl->mb;
    for (;;) {
        pthread_mutex_lock(&mb->lock);
        while (mb->req_count == 0 && !mb->stop) pthread_cond_wait(&mb->ready, &mb->lock);
        if (mb->req_count == 0) { pthread_mutex_unlock(&mb->lock); break; }
        Coord c = mb->requests[mb->req_head];
        mb->req_head = (mb->req_head + 1) % QUEUE_CAP;
        mb->req_count--;
        pthread_mutex_unlock(&mb->lock);

        fa_begin_frame(lvl->fa); /* the loader's own frame: decode scratch and the result */
        ChunkData *d = FA_FRAME_NEW(lvl->fa, ChunkData);
        CHECK(d != NULL);
        d->c = c;
        d->level = lvl->id;
        for (int i = 0; i < CELLS; i++) d->cells[i] = cell_value(c, lvl->id, i);
        fa_transfer *t = fa_transfer_create(lvl->fa, d, sizeof *d);
        CHECK(t != NULL);
        fa_end_frame(lvl->fa);

        pthread_mutex_lock(&mb->lock);
        CHECK(mb->done_count < QUEUE_CAP);
        mb->done[(mb->done_head + mb->done_count++) % QUEUE_CAP] = t;
        if (++mb->completed == mb->issued) pthread_cond_signal(&mb->idle);
        pthread_mutex_unlock(&mb->lock);
    }
    return NULL;
}

static int dist(Coord a, Coord b) { /* Chebyshev distance in chunks */
    int dx = abs(a.x - b.x), dz = abs(a.z - b.z);
    return dx > dz ? dx : dz;
}

static Chunk *find(Level *lvl, Coord c) {
    for (int i = 0; i < MAX_CHUNKS; i++)
        if (lvl->chunks[i].state != EMPTY && lvl->chunks[i].c.x == c.x && lvl->chunks[i].c.z == c.z)
            return &lvl->chunks[i];
    return NULL;
}

static void level_start(Level *lvl, uint32_t id) {
    memset(lvl, 0, sizeof *lvl);
    lvl->id = id;
    char name[32];
    snprintf(name, sizeof name, "level-%u", id);
    lvl->fa = fa_create(&(fa_config){.name = name});
    CHECK(lvl->fa != NULL);
    pthread_mutex_init(&lvl->mb.lock, NULL);
    pthread_cond_init(&lvl->mb.ready, NULL);
    pthread_cond_init(&lvl->mb.idle, NULL);
    CHECK(pthread_create(&lvl->loader, NULL, loader_main, lvl) == 0);
}

/* Receives finished loads; a chunk unloaded while pending just drops its data. */
static void collect(Level *lvl) {
    pthread_mutex_lock(&lvl->mb.lock);
    while (lvl->mb.done_count > 0) {
        fa_transfer *t = lvl->mb.done[lvl->mb.done_head];
        lvl->mb.done_head = (lvl->mb.done_head + 1) % QUEUE_CAP;
        lvl->mb.done_count--;
        const ChunkData *d = fa_transfer_receive(t);
        CHECK(d != NULL && d->level == lvl->id);
        Chunk *ch = find(lvl, d->c);
        if (ch && ch->state == PENDING) {
            ch->state = LOADED;
            ch->data = t;
            ch->payload = d;
            lvl->loads++;
        } else {
            fa_transfer_free(t);
        }
    }
    pthread_mutex_unlock(&lvl->mb.lock);
}

static void level_end(Level *lvl) {
    pthread_mutex_lock(&lvl->mb.lock);
    lvl->mb.stop = 1;
    pthread_cond_signal(&lvl->mb.ready);
    pthread_mutex_unlock(&lvl->mb.lock);
    CHECK(pthread_join(lvl->loader, NULL) == 0);
    collect(lvl);
    for (int i = 0; i < MAX_CHUNKS; i++)
        if (lvl->chunks[i].state == LOADED) fa_transfer_free(lvl->chunks[i].data);
    fa_stats st;
    fa_get_stats(lvl->fa, &st);
    CHECK(st.transfer_count == 0 && st.pool_count == 0 && st.heap_count == 0);
    fa_destroy(lvl->fa); /* the whole level's memory, at once */
    pthread_mutex_destroy(&lvl->mb.lock);
    pthread_cond_destroy(&lvl->mb.ready);
    pthread_cond_destroy(&lvl->mb.idle);
}

/* The streaming budget of this example: last frame's requests are done by the next frame (a
 * real engine would give the loader a time slice instead; waiting keeps the run checkable). */
static void wait_for_loader(Level *lvl) {
    pthread_mutex_lock(&lvl->mb.lock);
    while (lvl->mb.completed != lvl->mb.issued) pthread_cond_wait(&lvl->mb.idle, &lvl->mb.lock);
    pthread_mutex_unlock(&lvl->mb.lock);
}

int main(int argc, char **argv) {
    unsigned frames = example_frames(argc, argv, 400);
    static Level lvl;
    uint32_t level_id = 0;
    level_start(&lvl, level_id);
    uint64_t loads = 0, unloads = 0, checked = 0;

    for (unsigned f = 0; f < frames; f++) {
        if (f > 0 && f % 150 == 0) { /* level change: tear down the old allocator entirely */
            loads += lvl.loads;
            unloads += lvl.unloads;
            level_end(&lvl);
            level_start(&lvl, ++level_id);
        }
        fa_alloc *fa = lvl.fa;
        fa_begin_frame(fa);
        Coord player = {(int32_t)(f / 10) - 10, (int32_t)((f / 25) % 5) - 2}; /* walks east */
        wait_for_loader(&lvl);
        collect(&lvl);
        for (int i = 0; i < MAX_CHUNKS; i++) CHECK(lvl.chunks[i].state != PENDING);

        for (int i = 0; i < MAX_CHUNKS; i++) { /* unload beyond the unload radius */
            Chunk *ch = &lvl.chunks[i];
            if (ch->state == EMPTY || dist(ch->c, player) <= UNLOAD_RADIUS) continue;
            if (ch->state == LOADED) fa_transfer_free(ch->data);
            ch->state = EMPTY;
            lvl.unloads++;
        }
        /* wanted coordinates, nearest first: frame memory */
        int side = 2 * LOAD_RADIUS + 1;
        Coord *wanted = FA_FRAME_ARRAY(fa, Coord, side * side);
        CHECK(wanted != NULL);
        int n = 0;
        for (int r = 0; r <= LOAD_RADIUS; r++)
            for (int dx = -r; dx <= r; dx++)
                for (int dz = -r; dz <= r; dz++)
                    if ((abs(dx) > abs(dz) ? abs(dx) : abs(dz)) == r)
                        wanted[n++] = (Coord){player.x + dx, player.z + dz};
        CHECK(n == side * side);
        for (int i = 0; i < n; i++) {
            if (find(&lvl, wanted[i])) continue;
            Chunk *slot = NULL;
            for (int k = 0; k < MAX_CHUNKS && !slot; k++)
                if (lvl.chunks[k].state == EMPTY) slot = &lvl.chunks[k];
            CHECK(slot != NULL);
            *slot = (Chunk){PENDING, wanted[i], NULL, NULL};
            pthread_mutex_lock(&lvl.mb.lock);
            CHECK(lvl.mb.req_count < QUEUE_CAP);
            lvl.mb.requests[(lvl.mb.req_head + lvl.mb.req_count++) % QUEUE_CAP] = wanted[i];
            lvl.mb.issued++;
            pthread_cond_signal(&lvl.mb.ready);
            pthread_mutex_unlock(&lvl.mb.lock);
        }
        /* the invariants of the grid */
        for (int i = 0; i < MAX_CHUNKS; i++) {
            const Chunk *ch = &lvl.chunks[i];
            if (ch->state == EMPTY) continue;
            CHECK(dist(ch->c, player) <= UNLOAD_RADIUS);
            if (ch->state == LOADED) {
                const ChunkData *d = ch->payload;
                CHECK(d->c.x == ch->c.x && d->c.z == ch->c.z && d->level == lvl.id);
                for (int k = 0; k < CELLS; k += 17) CHECK(d->cells[k] == cell_value(ch->c, lvl.id, k));
                checked++;
            }
        }
        for (int i = 0; i < n; i++) CHECK(find(&lvl, wanted[i]) != NULL);
        fa_end_frame(fa);
    }
    loads += lvl.loads;
    unloads += lvl.unloads;
    level_end(&lvl);
    CHECK(loads > 0 && unloads > 0 && checked > 0 && level_id == (frames - 1) / 150);
    printf("world_grid: %u levels, %llu chunk loads, %llu unloads\n", level_id + 1,
           (unsigned long long)loads, (unsigned long long)unloads);
    return 0;
}
