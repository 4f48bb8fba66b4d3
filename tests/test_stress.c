/* SPDX-License-Identifier: MIT */
/*
 * test_stress.c - everything at once: T threads run F frames each, paced by a frame barrier.
 * Every frame a thread fills nested frame scopes, allocates pool objects and heap blocks,
 * sends some pool objects to a neighbour to free (cross-thread frees), and sends a transfer
 * handle with frame data to its neighbour, who receives and checks it in the next frame.
 * Every byte handed out is pattern-checked before it is released. Scaled by FA_TEST_SCALE;
 * meant to run under ASan+UBSan and TSan as well as plain builds.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { T = 4, LIVE = 64 };

/* Mailbox: what one thread leaves for its neighbour; guarded by a mutex. */
typedef struct mailbox {
    pthread_mutex_t lock;
    void **objs;
    size_t n, cap;
    fa_transfer *xfer[8];
    uint32_t xfer_seed[8];
    size_t nx;
} mailbox;

typedef struct worker {
    fa_alloc *fa;
    fa_barrier *barrier;
    mailbox *boxes;
    uint32_t id, frames;
    unsigned bad, received, remote_freed;
} worker;

typedef struct obj {
    uint32_t size, seed;
} obj;

static void *new_obj(fa_alloc *fa, uint32_t size, uint32_t seed) {
    obj *o = fa_pool_alloc(fa, size);
    if (o == NULL) return NULL;
    o->size = size;
    o->seed = seed;
    tu_fill(o + 1, size - sizeof *o, seed);
    return o;
}
static bool obj_ok(const obj *o) { return tu_check(o + 1, o->size - sizeof *o, o->seed) == SIZE_MAX; }

static void drain(worker *w, mailbox *mb) {
    pthread_mutex_lock(&mb->lock);
    for (size_t i = 0; i < mb->n; i++) {
        if (!obj_ok(mb->objs[i])) w->bad++;
        fa_pool_free(w->fa, mb->objs[i]);
        w->remote_freed++;
    }
    mb->n = 0;
    for (size_t i = 0; i < mb->nx; i++) {
        fa_transfer *t = mb->xfer[i];
        unsigned char *p = fa_transfer_receive(t);
        if (p == NULL || tu_check(p, fa_transfer_size(t), mb->xfer_seed[i]) != SIZE_MAX) w->bad++;
        fa_transfer_free(t);
        w->received++;
    }
    mb->nx = 0;
    pthread_mutex_unlock(&mb->lock);
}

static void *run(void *arg) {
    worker *w = arg;
    fa_alloc *fa = w->fa;
    uint32_t rng = w->id * 2654435761u + 7;
    obj *live[LIVE] = {0};
    void *heap[4] = {0};
    size_t heap_n[4] = {0};
    mailbox *out = &w->boxes[(w->id + 1) % T], *in = &w->boxes[w->id];
    for (uint32_t f = 0; f < w->frames; f++) {
        fa_begin_frame(fa);
        /* frame memory in nested scopes */
        unsigned char *outer = fa_frame_alloc(fa, 512, 16);
        tu_fill(outer, 512, f);
        for (int s = 0; s < 3; s++) {
            fa_begin_frame(fa);
            size_t n = 1 + tu_rand(&rng) % 20000;
            unsigned char *p = fa_frame_alloc(fa, n, (size_t)1 << (tu_rand(&rng) % 8));
            if (p == NULL) w->bad++;
            else tu_fill(p, n, f * 3 + (uint32_t)s);
            if (p != NULL && tu_check(p, n, f * 3 + (uint32_t)s) != SIZE_MAX) w->bad++;
            fa_end_frame(fa);
        }
        /* pool objects: replace some, send some to the neighbour */
        for (int k = 0; k < 8; k++) {
            uint32_t i = tu_rand(&rng) % LIVE;
            if (live[i] != NULL) {
                if (!obj_ok(live[i])) w->bad++;
                if (tu_rand(&rng) & 1) {
                    pthread_mutex_lock(&out->lock);
                    if (out->n < out->cap) {
                        out->objs[out->n++] = live[i];
                        live[i] = NULL;
                    }
                    pthread_mutex_unlock(&out->lock);
                }
                if (live[i] != NULL) fa_pool_free(fa, live[i]);
            }
            live[i] = new_obj(fa, 8 + tu_rand(&rng) % 3000, rng);
            if (live[i] == NULL) w->bad++;
        }
        /* heap: grow or replace a block */
        uint32_t h = tu_rand(&rng) % 4;
        if (heap[h] != NULL && tu_check(heap[h], heap_n[h] < 64 ? heap_n[h] : 64, h) != SIZE_MAX)
            w->bad++;
        size_t hn = 100 + tu_rand(&rng) % 50000;
        void *nh = heap[h] != NULL ? fa_heap_realloc(fa, heap[h], hn) : fa_heap_alloc(fa, hn, 64);
        if (nh == NULL) w->bad++;
        else {
            heap[h] = nh;
            heap_n[h] = hn;
            tu_fill(nh, hn < 64 ? hn : 64, h);
        }
        /* a transfer of frame data to the neighbour */
        size_t xn = 16 + tu_rand(&rng) % 4000;
        unsigned char *xd = fa_frame_alloc(fa, xn, 16);
        uint32_t xseed = w->id << 24 | f;
        tu_fill(xd, xn, xseed);
        fa_transfer *t = fa_transfer_create(fa, xd, xn);
        pthread_mutex_lock(&out->lock);
        if (t != NULL && out->nx < 8) {
            out->xfer_seed[out->nx] = xseed;
            out->xfer[out->nx++] = t;
            t = NULL;
        }
        pthread_mutex_unlock(&out->lock);
        if (t != NULL) fa_transfer_free(t);
        if (tu_check(outer, 512, f) != SIZE_MAX) w->bad++;
        fa_end_frame(fa);
        /* everyone finished the frame; then take what the neighbour left */
        if (fa_barrier_wait(w->barrier) != f + 1) w->bad++;
        drain(w, in);
    }
    /* let every neighbour drain the last round before freeing the rest */
    fa_barrier_wait(w->barrier);
    drain(w, in);
    for (int i = 0; i < LIVE; i++) {
        if (live[i] != NULL && !obj_ok(live[i])) w->bad++;
        fa_pool_free(fa, live[i]);
    }
    for (int i = 0; i < 4; i++) fa_heap_free(fa, heap[i]);
    if (w->id % 2) fa_pool_trim(fa);
    return NULL;
}

Test(stress, threads_frames_pools_transfers, .init = tu_setup, .timeout = 280) {
    fa_alloc *fa = tu_create(NULL);
    fa_barrier *b = fa_barrier_create(T);
    mailbox boxes[T];
    worker w[T];
    uint32_t frames = 150 * tu_scale();
    for (uint32_t i = 0; i < T; i++) {
        pthread_mutex_init(&boxes[i].lock, NULL);
        boxes[i].cap = 64;
        boxes[i].objs = calloc(boxes[i].cap, sizeof(void *));
        boxes[i].n = boxes[i].nx = 0;
        w[i] = (worker){.fa = fa, .barrier = b, .boxes = boxes, .id = i, .frames = frames};
    }
    tu_run_threads(T, run, w, sizeof w[0]);
    unsigned sent = 0;
    for (int i = 0; i < T; i++) {
        cr_assert_eq(w[i].bad, 0, "thread %d found %u problems", i, w[i].bad);
        sent += w[i].received;
    }
    cr_assert_eq(sent, (unsigned)T * frames, "every transfer was received once");
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 0);
    cr_assert_eq(st.heap_count, 0);
    cr_assert_eq(st.transfer_count, 0);
    cr_assert_eq(st.frames_completed, (uint64_t)T * frames);
    cr_assert_eq(st.errors, 0);
    cr_assert_eq(tu_total(), 0);
    for (int i = 0; i < T; i++) {
        free(boxes[i].objs);
        pthread_mutex_destroy(&boxes[i].lock);
    }
    fa_barrier_destroy(b);
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0, "no leak or open-frame report");
}
