/* SPDX-License-Identifier: MIT */
/*
 * save/save.c - capturing save data and an auto-checkpoint system.
 *
 * Capture is done inside the caller's frame: the snapshot of the game state and its serialised
 * bytes are frame memory, and only the finished blob is promoted out of the frame (heap, owned
 * by the checkpoint ring, which keeps the last 10). Serialisation first tries a run-length
 * encoding; when that comes out larger than the raw bytes, fa_frame_rollback drops the attempt
 * and the raw form is written in the same frame space instead.
 *
 * Checked: restoring any kept checkpoint and re-simulating to the present reproduces the live
 * state byte for byte, the ring never holds more than 10 blobs, both encodings were exercised,
 * and the rollback returned the frame bytes of the failed attempt.
 */
#include "../common/example.h"

#define ITEMS 64
#define QUESTS 16
#define KEEP 10
#define AUTOSAVE_EVERY 0.25f /* seconds */

typedef struct GameState {
    uint32_t version;
    uint32_t frame;
    float player[3];
    uint16_t inventory[ITEMS];
    uint32_t quest_progress[QUESTS];
    uint32_t rng;
    uint32_t noise_frame; /* from this frame on the inventory is noise (compresses badly) */
} GameState;

static void simulate(GameState *g) {
    ExampleRng r = {g->rng};
    g->frame++;
    g->player[0] += 0.25f;
    g->player[2] = (float)(g->frame % 17);
    if (example_rand(&r) % 8 == 0) g->inventory[example_rand(&r) % ITEMS]++;
    if (g->frame % 30 == 0) g->quest_progress[g->frame / 30 % QUESTS]++;
    if (g->frame == g->noise_frame)
        for (int i = 0; i < ITEMS; i++) g->inventory[i] = (uint16_t)example_rand(&r);
    g->rng = r.state;
}

/* Run-length encoding (byte, count) pairs; NULL when it would be bigger than the input. */
static unsigned char *rle_encode(fa_alloc *fa, const unsigned char *in, size_t n,
                                 size_t *out_n) FA_RETURNS_FRAME;
static unsigned char *rle_encode(fa_alloc *fa, const unsigned char *in, size_t n,
                                 size_t *out_n) {
    unsigned char *out = FA_FRAME_ARRAY(fa, unsigned char, 2 * n);
    CHECK(out != NULL);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && in[j] == in[i] && j - i < 255) j++;
        out[k++] = in[i];
        out[k++] = (unsigned char)(j - i);
        i = j;
    }
    *out_n = k;
    return k < n ? out : NULL;
}

static void rle_decode(const unsigned char *in, size_t n, unsigned char *out, size_t out_n) {
    size_t k = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        for (unsigned c = 0; c < in[i + 1]; c++) { CHECK(k < out_n); out[k++] = in[i]; }
    CHECK(k == out_n);
}

typedef struct Checkpoint {
    float timestamp;
    uint32_t frame;
    int compressed;
    size_t size;
    unsigned char *blob; /* heap: outlives the frame it was captured in */
} Checkpoint;

typedef struct Checkpoints {
    Checkpoint ring[KEEP];
    size_t count, next;
    float since_save;
    unsigned compressed_saves, raw_saves, rollbacks;
} Checkpoints;

/* Captures and serialises the state in the caller's frame, then keeps the blob. */
static void create_checkpoint(fa_alloc *fa, Checkpoints *cps, const GameState *g, float now) {
    GameState *snap = FA_FRAME_NEW(fa, GameState);
    CHECK(snap != NULL);
    *snap = *g; /* a consistent copy: the game goes on mutating g */

    fa_thread_stats before, after;
    fa_get_my_thread_stats(fa, &before);
    fa_checkpoint cp = fa_frame_checkpoint(fa);
    size_t size = 0;
    const unsigned char *bytes = rle_encode(fa, (const unsigned char *)snap, sizeof *snap, &size);
    int compressed = bytes != NULL;
    if (!compressed) {
        fa_frame_rollback(fa, cp); /* the failed attempt costs nothing more this frame */
        fa_get_my_thread_stats(fa, &after);
        CHECK(after.frame_bytes == before.frame_bytes);
        cps->rollbacks++;
        bytes = (const unsigned char *)snap;
        size = sizeof *snap;
    }
    Checkpoint *slot = &cps->ring[cps->next];
    if (cps->count == KEEP) fa_heap_free(fa, slot->blob); /* drop the oldest */
    else cps->count++;
    *slot = (Checkpoint){now, g->frame, compressed, size, fa_promote_to_heap(fa, bytes, size, 16)};
    CHECK(slot->blob != NULL);
    cps->next = (cps->next + 1) % KEEP;
    if (compressed) cps->compressed_saves++;
    else cps->raw_saves++;
}

static void load_checkpoint(const Checkpoint *c, GameState *out) {
    if (c->compressed) rle_decode(c->blob, c->size, (unsigned char *)out, sizeof *out);
    else { CHECK(c->size == sizeof *out); memcpy(out, c->blob, sizeof *out); }
}

int main(int argc, char **argv) {
    unsigned frames = example_frames(argc, argv, 600);
    fa_alloc *fa = fa_create(&(fa_config){.name = "save"});
    CHECK(fa != NULL);
    static GameState game;
    game.version = 1;
    game.rng = 0x5A7Eu;
    game.noise_frame = frames / 2; /* raw saves from halfway on */
    static Checkpoints cps;
    const float dt = 1.0f / 60.0f;

    for (unsigned f = 0; f < frames; f++) {
        fa_begin_frame(fa);
        simulate(&game);
        cps.since_save += dt;
        if (cps.since_save >= AUTOSAVE_EVERY) {
            create_checkpoint(fa, &cps, &game, (float)f * dt);
            cps.since_save = 0.0f;
        }
        CHECK(cps.count <= KEEP);
        fa_end_frame(fa);
    }

    CHECK(cps.count == KEEP || cps.count == cps.compressed_saves + cps.raw_saves);
    CHECK(cps.compressed_saves > 0 && cps.raw_saves > 0 && cps.rollbacks == cps.raw_saves);
    for (size_t i = 0; i < cps.count; i++) { /* every kept checkpoint replays to the present */
        GameState replay;
        load_checkpoint(&cps.ring[i], &replay);
        CHECK(replay.frame == cps.ring[i].frame && replay.version == 1);
        while (replay.frame < game.frame) simulate(&replay);
        CHECK(memcmp(&replay, &game, sizeof game) == 0);
    }
    printf("save: %u compressed and %u raw checkpoints, %zu kept\n", cps.compressed_saves,
           cps.raw_saves, cps.count);
    for (size_t i = 0; i < cps.count; i++) fa_heap_free(fa, cps.ring[i].blob);
    example_finish(fa);
    return 0;
}
