/* SPDX-License-Identifier: MIT */
/*
 * render/frames_in_flight.c - a render thread draws frame N while the game thread builds frame
 * N + 1, reading the game thread's frame memory in place (no transfer copy).
 *
 * The allocator keeps each outermost frame for two more frames (frames_in_flight = 2, triple
 * buffering). Every frame the game thread simulates its objects and builds a draw list in frame
 * memory: a header and the instances it points to. It publishes the header on a frame channel;
 * its fa_end_frame makes it visible to the render thread. The render thread acquires the newest
 * draw list, "submits" it (sums what it would send to the GPU), and releases it. The channel is
 * FA_CHANNEL_WAIT: should the render thread fall behind, the game thread's fa_end_frame of frame
 * N + 2 waits for it to release frame N, so the game never reuses memory being drawn.
 *
 * Checked: every draw list the render thread sees is whole and belongs to the frame it was
 * published for (its sums match a direct computation from the frame number), frames arrive in
 * order, and the kept frames show in the statistics.
 */
#include "../common/example.h"

#include <pthread.h>
#include <stdatomic.h>

#define OBJECTS 1500

typedef struct Instance { float x, y; uint32_t object, mesh; } Instance;
typedef struct DrawList {
    uint64_t frame;
    uint32_t count;
    const Instance *instances; /* frame memory of the same frame */
} DrawList;

/* Where object i is in frame f: a closed form, so the render thread can check what it reads. */
static float pos_x(uint64_t f, uint32_t i) { return (float)((f * 7 + i * 13) % 1000); }
static float pos_y(uint64_t f, uint32_t i) { return (float)((f * 3 + i * 5) % 500); }
static int visible(uint64_t f, uint32_t i) { return (f + i) % 3 != 0; }

/* Built in the game thread's outermost frame: stays valid for two more frames. */
static DrawList *build_draw_list(fa_alloc *fa, uint64_t f) FA_RETURNS_FRAME;
static DrawList *build_draw_list(fa_alloc *fa, uint64_t f) {
    /* A system's scratch in a nested scope: released at its own end, as always. */
    fa_begin_frame(fa);
    uint8_t *mask = FA_FRAME_ARRAY(fa, uint8_t, OBJECTS);
    CHECK(mask != NULL);
    uint32_t n = 0;
    for (uint32_t i = 0; i < OBJECTS; i++) n += mask[i] = (uint8_t)visible(f, i);
    fa_end_frame(fa);

    DrawList *dl = FA_FRAME_NEW(fa, DrawList);
    Instance *inst = FA_FRAME_ARRAY(fa, Instance, n);
    CHECK(dl != NULL && inst != NULL);
    uint32_t k = 0;
    for (uint32_t i = 0; i < OBJECTS; i++)
        if (visible(f, i)) inst[k++] = (Instance){pos_x(f, i), pos_y(f, i), i, i % 12};
    *dl = (DrawList){f, k, inst};
    return dl;
}

typedef struct Renderer {
    fa_alloc *fa;
    fa_frame_channel *ch;
    _Atomic int quit;
    unsigned drawn, wrong, out_of_order;
    double submitted;
} Renderer;

static void *render_thread(void *arg) {
    Renderer *r = arg;
    uint64_t last = 0;
    for (;;) {
        int quit = atomic_load(&r->quit);
        uint64_t frame = 0;
        const DrawList *dl = fa_frame_channel_acquire(r->ch, &frame);
        if (dl != NULL) {
            if (frame != last) {
                if (frame < last) r->out_of_order++;
                last = frame;
                r->drawn++;
                uint32_t expect = 0;
                for (uint32_t i = 0; i < OBJECTS; i++) expect += (uint32_t)visible(frame, i);
                if (dl->frame != frame || dl->count != expect) r->wrong++;
                for (uint32_t k = 0; k < dl->count; k++) {
                    const Instance *in = &dl->instances[k];
                    if (in->x != pos_x(frame, in->object) || in->y != pos_y(frame, in->object))
                        r->wrong++;
                    r->submitted += in->x + in->y;
                }
            }
            CHECK(fa_frame_channel_release(r->ch) == FA_OK);
        }
        if (quit) return NULL;
    }
}

int main(int argc, char **argv) {
    unsigned frames = example_frames(argc, argv, 300);
    fa_alloc *fa = fa_create(&(fa_config){.name = "render", .frames_in_flight = 2});
    CHECK(fa != NULL);
    Renderer r = {.fa = fa, .ch = fa_frame_channel_create(fa, FA_CHANNEL_WAIT)};
    CHECK(r.ch != NULL);
    pthread_t th;
    CHECK(pthread_create(&th, NULL, render_thread, &r) == 0);

    for (unsigned i = 0; i < frames; i++) {
        fa_begin_frame(fa);
        DrawList *dl = build_draw_list(fa, fa_frame_number(fa));
        CHECK(fa_frame_channel_publish(r.ch, dl) == FA_OK);
        fa_end_frame(fa); /* dl becomes visible to the render thread; frame N - 2 is reused */
        if (i >= 2) {
            fa_thread_stats ts;
            fa_get_my_thread_stats(fa, &ts);
            CHECK(ts.frames_retained == 2 && ts.frame_retained > 0 && ts.frame_bytes == 0);
        }
    }
    atomic_store(&r.quit, 1);
    CHECK(pthread_join(th, NULL) == 0);

    CHECK(r.wrong == 0);
    CHECK(r.out_of_order == 0);
    CHECK(r.drawn >= 1);
    fa_stats st;
    fa_get_stats(fa, &st);
    CHECK(st.channel_violations == 0);
    printf("frames in flight: %u frames built, %u drawn by the render thread (sum %.0f)\n", frames,
           r.drawn, r.submitted);
    fa_frame_channel_destroy(r.ch);
    example_finish(fa);
    return 0;
}
