/* SPDX-License-Identifier: MIT */
/*
 * mistakes/frame_begun_in_constructor.c - WRONG ON PURPOSE. The correct version: render/render.c.
 *
 * The render frame's constructor opens a frame scope for its command buffer and expects
 * "someone" to end it; its destroy function forgets to. Each game frame then leaves one scope
 * open: the game loop's fa_end_frame closes the constructor's nested scope instead of its own,
 * the outer frames pile up, nothing is ever released, and after max_frame_depth frames the
 * nesting limit is hit. Fix: open and close the scope in the same function (the game loop),
 * and let the constructor allocate in the caller's frame.
 *
 * expect-analyzer: framealloc-frame-pairing
 * expect-runtime: FA_ERR_NESTING_TOO_DEEP
 */
#include <framealloc.h>

#include <stdio.h>

typedef struct RenderFrame {
    void **commands;
    size_t count;
} RenderFrame;

static void render_frame_init(RenderFrame *rf, fa_alloc *fa) {
    fa_begin_frame(fa); /* begun here, ended nowhere */
    rf->commands = FA_FRAME_ARRAY(fa, void *, 128);
    rf->count = 0;
}

static void render_frame_destroy(RenderFrame *rf) { rf->count = 0; }

int main(void) {
    fa_alloc *fa = fa_create(NULL);
    for (int frame = 0; frame < 200; frame++) {
        fa_begin_frame(fa);
        RenderFrame rf;
        render_frame_init(&rf, fa);
        rf.commands[rf.count++] = NULL;
        render_frame_destroy(&rf);
        fa_end_frame(fa);
    }
    printf("depth %u\n", fa_frame_depth(fa));
    fa_destroy(fa);
    return 0;
}
