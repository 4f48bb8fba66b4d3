/* SPDX-License-Identifier: MIT */
/*
 * mistakes/capture_returned_after_end.c - WRONG ON PURPOSE. The correct version: save/save.c.
 *
 * The save-data capture opens a frame, copies the game state into frame memory, closes the
 * frame and returns the copy; the checkpoint system then promotes "the capture" into the pool.
 * By then the capture is memory of an ended frame: the promotion copies garbage (a debug build
 * refuses it and reports it). Fix: capture inside the caller's frame and promote before that
 * frame ends.
 *
 * expect-analyzer: framealloc-use-after-frame
 * expect-runtime: FA_ERR_USE_AFTER_FRAME
 */
#include <framealloc.h>

#include <stdio.h>
#include <string.h>

typedef struct SaveData {
    uint32_t version;
    float player[3];
    uint16_t inventory[32];
} SaveData;

static SaveData *capture(fa_alloc *fa, const SaveData *live) {
    fa_begin_frame(fa);
    SaveData *data = FA_FRAME_NEW(fa, SaveData);
    memcpy(data, live, sizeof *data);
    fa_end_frame(fa);
    return data;
}

int main(void) {
    fa_alloc *fa = fa_create(NULL);
    SaveData live = {1, {1, 2, 3}, {0}};
    SaveData *captured = capture(fa, &live);
    SaveData *kept = fa_promote_to_pool(fa, captured, sizeof *captured);
    printf("kept %p\n", (void *)kept);
    fa_pool_free(fa, kept);
    fa_destroy(fa);
    return 0;
}
