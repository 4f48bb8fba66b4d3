// SPDX-License-Identifier: MIT
/*
 * texture_stream.c - a texture streamer on the streaming allocator: 48 textures with 10 mip
 * levels each, a camera flying past them for a few hundred frames, a loader thread filling mip
 * buffers in chunks, the game thread requesting the mips the camera needs (coarse ones at
 * higher priority), rendering from the finest resident level (pinned for the frame) and
 * checking every byte it samples. The budget is far below the full set, so eviction runs all
 * the time. Exits 0 when every check held: budget never exceeded, every sampled texel right,
 * evictions happened, nothing reported to the error handler.
 */
#include <framealloc.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TEXTURES = 48, MIPS = 10, BASE = 512, FRAMES = 400, QUEUE = 4096 };

typedef struct texture {
    fa_stream_id mip[MIPS];
} texture;

typedef struct job {
    fa_stream_id id;
    uint32_t tex, mip;
} job;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    job q[QUEUE];
    size_t head, tail, finished;
    bool done;
} jobs = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static unsigned errors_reported;
static void on_error(const fa_error *err, void *user) {
    (void)user;
    errors_reported++;
    fprintf(stderr, "texture_stream: %s\n", err->message);
}

static size_t mip_bytes(unsigned m) {
    size_t side = BASE >> m;
    return side * side * 4;
}

static uint32_t texel(uint32_t tex, uint32_t mip, size_t i) {
    return ((tex << 24) | (mip << 16)) ^ (uint32_t)(i * 2654435761u);
}

static fa_stream *stream;

static void *loader(void *arg) {
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&jobs.lock);
        while (jobs.head == jobs.tail && !jobs.done) pthread_cond_wait(&jobs.cond, &jobs.lock);
        if (jobs.head == jobs.tail) {
            pthread_mutex_unlock(&jobs.lock);
            return NULL;
        }
        job j = jobs.q[jobs.head++ % QUEUE];
        pthread_mutex_unlock(&jobs.lock);
        uint32_t *px = fa_stream_begin_load(stream, j.id);
        size_t n = mip_bytes(j.mip) / 4;
        for (size_t i = 0; i < n; i++) {
            px[i] = texel(j.tex, j.mip, i);
            if ((i + 1) % 16384 == 0) fa_stream_progress(stream, j.id, (i + 1) * 4);
        }
        fa_stream_finish_load(stream, j.id);
        pthread_mutex_lock(&jobs.lock);
        jobs.finished++;
        pthread_cond_broadcast(&jobs.cond);
        pthread_mutex_unlock(&jobs.lock);
    }
}

/* The finest mip the camera needs for texture t at frame f: near ones get mip 0. */
static unsigned wanted_mip(unsigned t, unsigned f) {
    int cam = (int)(f * TEXTURES / 120) % TEXTURES; /* the camera passes every texture */
    int d = abs((int)t - cam);
    if (d > TEXTURES / 2) d = TEXTURES - d;
    unsigned m = (unsigned)d / 2;
    return m < MIPS - 1 ? m : MIPS - 1;
}

int main(void) {
    fa_config cfg = {.error_handler = on_error, .name = "texture_stream"};
    fa_alloc *fa = fa_create(&cfg);
    fa_tag tag = fa_tag_register(fa, "textures");
    size_t full = 0;
    for (unsigned m = 0; m < MIPS; m++) full += mip_bytes(m) * TEXTURES;
    fa_stream_config sc = {.budget = 12u << 20, .tag = tag};
    stream = fa_stream_create(fa, &sc);
    if (stream == NULL) return 1;
    texture tex[TEXTURES];
    memset(tex, 0, sizeof tex);
    pthread_t th;
    pthread_create(&th, NULL, loader, NULL);

    unsigned long sampled = 0, bad = 0, refused = 0, over_budget = 0, finest_hits = 0;
    fa_stream_id pinned[TEXTURES];
    for (unsigned f = 0; f < FRAMES; f++) {
        fa_begin_frame(fa);
        for (unsigned t = 0; t < TEXTURES; t++) {
            unsigned want = wanted_mip(t, f);
            /* request from coarse to fine: a coarse level is cheap and always useful */
            for (int m = MIPS - 1; m >= (int)want; m--) {
                if (fa_stream_get_state(stream, tex[t].mip[m], NULL) != FA_STREAM_NONE) continue;
                fa_status why;
                fa_stream_id id = fa_stream_reserve(stream, mip_bytes((unsigned)m), m, &why);
                if (id == 0) {
                    refused++;
                    break;
                }
                tex[t].mip[m] = id;
                pthread_mutex_lock(&jobs.lock);
                jobs.q[jobs.tail++ % QUEUE] = (job){id, t, (uint32_t)m};
                pthread_cond_signal(&jobs.cond);
                pthread_mutex_unlock(&jobs.lock);
            }
            /* "render" from the finest resident level, pinned for the rest of the frame */
            pinned[t] = 0;
            for (unsigned m = want; m < MIPS; m++) {
                const uint32_t *px = fa_stream_pin(stream, tex[t].mip[m]);
                if (px == NULL) continue;
                pinned[t] = tex[t].mip[m];
                finest_hits += m == want;
                size_t n = mip_bytes(m) / 4;
                for (size_t i = 0; i < n; i += 1 + n / 64, sampled++)
                    bad += px[i] != texel(t, m, i);
                bad += px[n - 1] != texel(t, m, n - 1);
                break;
            }
        }
        fa_stream_stats st;
        fa_stream_get_stats(stream, &st);
        over_budget += st.used_bytes > st.budget;
        for (unsigned t = 0; t < TEXTURES; t++)
            if (pinned[t] != 0) fa_stream_unpin(stream, pinned[t]);
        fa_end_frame(fa);
        /* a frame's worth of loading time: the loader may lag by a few jobs */
        pthread_mutex_lock(&jobs.lock);
        while (jobs.finished + 8 < jobs.tail) pthread_cond_wait(&jobs.cond, &jobs.lock);
        pthread_mutex_unlock(&jobs.lock);
    }
    pthread_mutex_lock(&jobs.lock);
    jobs.done = true;
    pthread_cond_broadcast(&jobs.cond);
    pthread_mutex_unlock(&jobs.lock);
    pthread_join(th, NULL);

    fa_stream_stats st;
    fa_stream_get_stats(stream, &st);
    printf("texture_stream: %u frames, all mips %zu KiB, budget %zu KiB, peak %zu KiB\n", FRAMES,
           full >> 10, st.budget >> 10, st.peak_bytes >> 10);
    printf("texture_stream: %llu evictions (%llu KiB), %lu refusals, %lu texels sampled, "
           "%lu bad, finest wanted mip resident %lu of %u texture-frames\n",
           (unsigned long long)st.evictions, (unsigned long long)(st.evicted_bytes >> 10),
           refused, sampled, bad, finest_hits, FRAMES * TEXTURES);
    bool ok = bad == 0 && over_budget == 0 && st.peak_bytes <= st.budget && st.evictions > 0 &&
              sampled > 0 && finest_hits > FRAMES * TEXTURES / 2 && errors_reported == 0;
    fa_stream_destroy(stream);
    fa_destroy(fa);
    printf("texture_stream: %s\n", ok ? "OK" : "FAILED");
    return ok ? 0 : 1;
}
