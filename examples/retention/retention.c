/* SPDX-License-Identifier: MIT */
/*
 * retention/retention.c - keeping chosen frame data past its frame: retention, promotion and
 * explicit cleanup points.
 *
 *   retention  a navigation mesh is rebuilt in frame memory when the level changes; the game
 *              marks it with fa_frame_retain, and at fa_end_frame the library copies it to the
 *              heap and repoints the cache slot at the copy. A speculative rebuild that turns
 *              out to change nothing is not retained and dies with its frame.
 *   promotion  a per-frame query result (the list of cover points near the player) is rebuilt
 *              each frame; once the same result came out PROMOTE_AFTER frames in a row it is
 *              promoted to a pool object and reused until the player moves.
 *   cleanup    the level owns a list of cleanup actions (free the navmesh, free the promoted
 *              result, trim the arenas) run at level unload, in reverse order of registration.
 *
 * Checked: the retained navmesh equals what was built in the frame, an unneeded rebuild left
 * the cache untouched, promotion happened exactly when the result was stable, the cleanup ran
 * every action once, and the allocator is empty afterwards.
 */
#include "../common/example.h"

#define NAV_CELLS 1024
#define PROMOTE_AFTER 8
#define COVER 32

typedef struct NavMesh { uint32_t level, cells; uint16_t cost[NAV_CELLS]; } NavMesh;
typedef struct Cover { uint32_t count; uint32_t points[COVER]; } Cover;

struct Level;
typedef void (*CleanupFn)(fa_alloc *fa, struct Level *lvl);
typedef struct Level {
    NavMesh *navmesh FA_LONG_LIVED; /* heap copy, updated by fa_frame_retain */
    Cover *promoted;                /* pool, NULL until stable */
    uint32_t stable_frames, last_key;
    CleanupFn cleanup[8];
    int ncleanup, cleanups_run;
} Level;

static NavMesh *navmesh_build(fa_alloc *fa, uint32_t level) FA_RETURNS_FRAME;
static NavMesh *navmesh_build(fa_alloc *fa, uint32_t level) {
    NavMesh *nm = FA_FRAME_NEW(fa, NavMesh);
    CHECK(nm != NULL);
    nm->level = level;
    nm->cells = NAV_CELLS;
    for (uint32_t i = 0; i < NAV_CELLS; i++) nm->cost[i] = (uint16_t)((i * 31 + level) % 97);
    return nm;
}

/* Replaces the kept navmesh: the new one is built in this frame and retained to the heap. */
static void navmesh_replace(fa_alloc *fa, Level *lvl, uint32_t level) {
    NavMesh *old = lvl->navmesh;
    lvl->navmesh = navmesh_build(fa, level); /* frame memory until the retention copies it */
    CHECK(fa_frame_retain(fa, (void **)&lvl->navmesh, sizeof(NavMesh), FA_RETAIN_TO_HEAP) == FA_OK);
    fa_heap_free(fa, old);
}

/* A speculative rebuild that turns out to change nothing is simply not retained: it dies with
 * the frame, and the kept navmesh stays as it was. */
static int navmesh_try_rebuild(fa_alloc *fa, Level *lvl, uint32_t level) {
    NavMesh *candidate = navmesh_build(fa, level);
    if (memcmp(candidate->cost, lvl->navmesh->cost, sizeof candidate->cost) == 0) return 0;
    navmesh_replace(fa, lvl, level);
    return 1;
}

static Cover *find_cover(fa_alloc *fa, uint32_t player_cell) FA_RETURNS_FRAME;
static Cover *find_cover(fa_alloc *fa, uint32_t player_cell) {
    Cover *c = FA_FRAME_NEW(fa, Cover);
    CHECK(c != NULL);
    c->count = 0;
    for (uint32_t i = 0; i < COVER; i++) c->points[c->count++] = (player_cell + i * 7) % NAV_CELLS;
    return c;
}

static void free_navmesh(fa_alloc *fa, Level *lvl) { fa_heap_free(fa, lvl->navmesh); lvl->navmesh = NULL; lvl->cleanups_run++; }
static void free_cover(fa_alloc *fa, Level *lvl) { fa_pool_free(fa, lvl->promoted); lvl->promoted = NULL; lvl->cleanups_run++; }
static void trim(fa_alloc *fa, Level *lvl) { fa_frame_trim(fa); fa_pool_trim(fa); lvl->cleanups_run++; }

static void on_unload(Level *lvl, CleanupFn fn) { CHECK(lvl->ncleanup < 8); lvl->cleanup[lvl->ncleanup++] = fn; }
static void unload(fa_alloc *fa, Level *lvl) {
    while (lvl->ncleanup > 0) lvl->cleanup[--lvl->ncleanup](fa, lvl);
}

int main(int argc, char **argv) {
    unsigned frames = example_frames(argc, argv, 300);
    fa_alloc *fa = fa_create(&(fa_config){.name = "retention"});
    CHECK(fa != NULL);
    static Level lvl;
    on_unload(&lvl, trim);        /* runs last */
    on_unload(&lvl, free_navmesh);
    on_unload(&lvl, free_cover);  /* runs first */
    unsigned promotions = 0, promoted_hits = 0, rebuilds = 0, unneeded = 0;

    for (unsigned f = 0; f < frames; f++) {
        uint32_t level = f / 50;
        fa_begin_frame(fa);
        if (!lvl.navmesh || lvl.navmesh->level != level) {
            navmesh_replace(fa, &lvl, level);
            rebuilds++;
        } else if (f % 17 == 0) {
            const NavMesh *before = lvl.navmesh;
            CHECK(navmesh_try_rebuild(fa, &lvl, level) == 0); /* same level: nothing changes */
            CHECK(lvl.navmesh == before);
            unneeded++;
        }
        uint32_t player_cell = (f / 20) * 13; /* moves every 20 frames */
        if (lvl.promoted && lvl.last_key == player_cell) {
            promoted_hits++;
        } else {
            if (lvl.promoted) { fa_pool_free(fa, lvl.promoted); lvl.promoted = NULL; }
            Cover *c = find_cover(fa, player_cell);
            lvl.stable_frames = lvl.last_key == player_cell ? lvl.stable_frames + 1 : 1;
            lvl.last_key = player_cell;
            if (lvl.stable_frames >= PROMOTE_AFTER) {
                lvl.promoted = fa_promote_to_pool(fa, c, sizeof *c);
                CHECK(lvl.promoted != NULL);
                promotions++;
            }
        }
        fa_end_frame(fa);
        /* after the frame: the retained navmesh is a heap copy with the built contents */
        CHECK(fa_heap_size(fa, lvl.navmesh) == sizeof(NavMesh));
        CHECK(lvl.navmesh->level == level && lvl.navmesh->cells == NAV_CELLS);
        for (uint32_t i = 0; i < NAV_CELLS; i += 101) CHECK(lvl.navmesh->cost[i] == (i * 31 + level) % 97);
        if (lvl.promoted) CHECK(lvl.promoted->points[1] == (lvl.last_key + 7) % NAV_CELLS);
    }
    CHECK(rebuilds == (frames + 49) / 50 && unneeded > 0);
    CHECK(promotions > 0 && promoted_hits > 0);
    unload(fa, &lvl);
    CHECK(lvl.cleanups_run == 3 && !lvl.navmesh && !lvl.promoted);
    printf("retention: %u navmesh rebuilds retained, %u promotions, %u promoted hits\n", rebuilds,
           promotions, promoted_hits);
    example_finish(fa);
    return 0;
}
