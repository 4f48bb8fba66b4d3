/* SPDX-License-Identifier: MIT */
/*
 * demo.c - a small game loop on framealloc.
 *
 * Each frame: physics (pool-allocated bodies, frame scratch for contacts, a nested scope for the
 * broadphase), render (a command buffer grown in frame memory, culling), audio (a mix buffer),
 * two worker threads running jobs in their own frames and sending results back through
 * transfer handles, and occasional level streaming in the heap. Every frame prints a one-line
 * memory summary; the end prints totals and checks that nothing leaked.
 *
 *   framealloc-demo [--frames N] [--every K] [--quiet] [--no-workers] [--trace FILE]
 *                   [--csv FILE] [--report FILE.html] [--help]
 *
 * The exports are written from the frame history after the workers joined (docs/observability.md).
 */
#include <framealloc.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct Vec3 {
    float x, y, z;
} Vec3;

typedef struct Body {
    Vec3 pos, vel;
    float radius;
    uint32_t id;
} Body;

typedef struct Contact {
    uint32_t a, b;
    float depth;
} Contact;

typedef struct DrawCmd {
    uint32_t mesh, material;
    float depth;
    Vec3 pos;
} DrawCmd;

typedef struct JobResult {
    uint32_t frame, worker;
    float checksum;
    uint32_t count;
} JobResult;

enum { MAX_BODIES = 4096, WORKERS = 2, RESULT_SLOTS = 64 };

typedef struct Game {
    fa_alloc *fa;
    fa_tag tag_physics, tag_render, tag_audio, tag_jobs;
    Body *bodies[MAX_BODIES]; /* pool objects, live across frames */
    uint32_t body_count, next_id;
    float *level;             /* heap: streamed level data */
    size_t level_floats;
    uint32_t frame;
    uint64_t rng;

    /* job system */
    fa_barrier *start, *done;
    pthread_t workers[WORKERS];
    int workers_on;
    atomic_int quit;
    pthread_mutex_t lock;
    fa_transfer *results[RESULT_SLOTS]; /* handles from workers, received by the main thread */
    unsigned result_count;
} Game;

static uint32_t rnd(Game *g) {
    g->rng = g->rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(g->rng >> 33);
}

static float frand(Game *g) { return (float)(rnd(g) & 0xffff) / 65535.0f; }

/* ------------------------------------------------------------------------------------------ */
/* Physics: pool objects that live across frames, frame scratch for everything per-step        */
/* ------------------------------------------------------------------------------------------ */

static void spawn_bodies(Game *g, unsigned n) {
    for (unsigned i = 0; i < n && g->body_count < MAX_BODIES; i++) {
        Body *b = FA_POOL_NEW(g->fa, Body);
        if (b == NULL) return;
        b->pos = (Vec3){frand(g) * 100, frand(g) * 100, frand(g) * 100};
        b->vel = (Vec3){frand(g) - 0.5f, frand(g) - 0.5f, frand(g) - 0.5f};
        b->radius = 0.5f + frand(g);
        b->id = g->next_id++;
        g->bodies[g->body_count++] = b;
    }
}

static void despawn_bodies(Game *g, unsigned n) {
    for (unsigned i = 0; i < n && g->body_count > 0; i++) {
        uint32_t k = rnd(g) % g->body_count;
        fa_pool_free(g->fa, g->bodies[k]);
        g->bodies[k] = g->bodies[--g->body_count];
    }
}

/* Broadphase in its own nested scope: its grid is gone when the scope ends, the contacts it
 * found live in the caller's scope (hence FA_RETURNS_FRAME: the caller gets frame memory). */
static Contact *broadphase(Game *g, uint32_t *out_count) FA_RETURNS_FRAME;
static Contact *broadphase(Game *g, uint32_t *out_count) {
    uint32_t cap = g->body_count * 2 + 16;
    Contact *contacts = FA_FRAME_ARRAY(g->fa, Contact, cap);
    uint32_t n = 0;
    fa_begin_frame(g->fa);
    enum { CELLS = 16 * 16 * 16 };
    uint32_t *heads = FA_FRAME_ARRAY(g->fa, uint32_t, CELLS);
    uint32_t *next = FA_FRAME_ARRAY(g->fa, uint32_t, g->body_count + 1);
    if (contacts != NULL && heads != NULL && next != NULL) {
        memset(heads, 0xff, CELLS * sizeof *heads);
        for (uint32_t i = 0; i < g->body_count; i++) {
            const Vec3 *p = &g->bodies[i]->pos;
            uint32_t c = ((uint32_t)(p->x / 6.25f) & 15) | (((uint32_t)(p->y / 6.25f) & 15) << 4) |
                         (((uint32_t)(p->z / 6.25f) & 15) << 8);
            for (uint32_t j = heads[c]; j != UINT32_MAX && n < cap; j = next[j]) {
                Vec3 d = {p->x - g->bodies[j]->pos.x, p->y - g->bodies[j]->pos.y,
                          p->z - g->bodies[j]->pos.z};
                float r = g->bodies[i]->radius + g->bodies[j]->radius;
                float dist2 = d.x * d.x + d.y * d.y + d.z * d.z;
                if (dist2 < r * r) contacts[n++] = (Contact){i, j, r - sqrtf(dist2)};
            }
            next[i] = heads[c];
            heads[c] = i;
        }
    }
    fa_end_frame(g->fa);
    *out_count = n;
    return contacts;
}

static void physics(Game *g, float dt) {
    fa_tag_push(g->fa, g->tag_physics);
    if (g->frame % 7 == 0) spawn_bodies(g, 64);
    if (g->frame % 11 == 0) despawn_bodies(g, 40);
    uint32_t n = 0;
    Contact *contacts = broadphase(g, &n);
    Vec3 *impulses = FA_FRAME_ARRAY(g->fa, Vec3, g->body_count);
    if (impulses != NULL) {
        memset(impulses, 0, g->body_count * sizeof *impulses);
        for (uint32_t k = 0; contacts != NULL && k < n; k++) {
            impulses[contacts[k].a].y += contacts[k].depth;
            impulses[contacts[k].b].y -= contacts[k].depth;
        }
        for (uint32_t i = 0; i < g->body_count; i++) {
            Body *b = g->bodies[i];
            b->vel.y += impulses[i].y - 9.81f * dt * 0.01f;
            b->pos.x = fmodf(b->pos.x + b->vel.x * dt + 100.0f, 100.0f);
            b->pos.y = fmodf(b->pos.y + b->vel.y * dt + 100.0f, 100.0f);
            b->pos.z = fmodf(b->pos.z + b->vel.z * dt + 100.0f, 100.0f);
        }
    }
    fa_tag_pop(g->fa);
}

/* ------------------------------------------------------------------------------------------ */
/* Render: a command buffer that grows in frame memory                                         */
/* ------------------------------------------------------------------------------------------ */

static void render(Game *g) {
    fa_tag_push(g->fa, g->tag_render);
    size_t cap = 64, count = 0;
    DrawCmd *cmds = FA_FRAME_ARRAY(g->fa, DrawCmd, cap);
    for (uint32_t i = 0; cmds != NULL && i < g->body_count; i++) {
        const Body *b = g->bodies[i];
        if (b->pos.z > 80.0f) continue; /* culled */
        if (count == cap) {
            DrawCmd *grown = fa_frame_realloc(g->fa, cmds, cap * sizeof *cmds,
                                              2 * cap * sizeof *cmds, _Alignof(DrawCmd));
            if (grown == NULL) break;
            cmds = grown;
            cap *= 2;
        }
        cmds[count++] = (DrawCmd){b->id % 16, b->id % 5, b->pos.z, b->pos};
    }
    /* A frame-lifetime debug label, as a renderer would build for a GPU marker. */
    char *label = fa_frame_strdup(g->fa, "main pass");
    volatile float sink = 0;
    for (size_t i = 0; i < count; i++) sink += cmds[i].depth;
    (void)label;
    fa_tag_pop(g->fa);
}

/* ------------------------------------------------------------------------------------------ */
/* Audio: one mix buffer per frame                                                             */
/* ------------------------------------------------------------------------------------------ */

static void audio(Game *g) {
    fa_tag_push(g->fa, g->tag_audio);
    enum { SAMPLES = 48000 / 60 * 2 };
    float *mix = FA_FRAME_ARRAY(g->fa, float, SAMPLES);
    if (mix != NULL) {
        for (int i = 0; i < SAMPLES; i++) mix[i] = 0.25f * sinf((float)(g->frame * SAMPLES + i) * 0.01f);
    }
    fa_tag_pop(g->fa);
}

/* ------------------------------------------------------------------------------------------ */
/* Level streaming: heap blocks that grow and shrink                                           */
/* ------------------------------------------------------------------------------------------ */

static void stream_level(Game *g) {
    if (g->frame % 50 != 0) return;
    size_t want = (size_t)(64 + (g->frame / 50) % 4 * 64) << 10; /* 64..256 Ki floats */
    float *level = fa_heap_realloc(g->fa, g->level, want * sizeof(float));
    if (level == NULL) return;
    for (size_t i = g->level_floats; i < want; i++) level[i] = (float)i;
    g->level = level;
    g->level_floats = want;
}

/* ------------------------------------------------------------------------------------------ */
/* Jobs: workers run in their own frames and hand results back through transfer handles       */
/* ------------------------------------------------------------------------------------------ */

typedef struct WorkerArg {
    Game *g;
    uint32_t index;
} WorkerArg;

static void *worker_main(void *p) {
    WorkerArg *arg = p;
    Game *g = arg->g;
    for (;;) {
        fa_barrier_wait(g->start);
        if (atomic_load(&g->quit)) break;
        fa_begin_frame(g->fa);
        fa_tag_push(g->fa, g->tag_jobs); /* the job's frame memory counts against "jobs" */
        uint32_t n = 2000 + arg->index * 500;
        float *work = FA_FRAME_ARRAY(g->fa, float, n);
        JobResult *r = FA_FRAME_NEW(g->fa, JobResult);
        if (work != NULL && r != NULL) {
            float sum = 0;
            for (uint32_t i = 0; i < n; i++) sum += (work[i] = (float)(i ^ g->frame));
            *r = (JobResult){g->frame, arg->index, sum, n};
            /* Frame memory must not cross threads: copy it into a handle. */
            fa_transfer *t = fa_transfer_create(g->fa, r, sizeof *r);
            pthread_mutex_lock(&g->lock);
            if (t != NULL && g->result_count < RESULT_SLOTS)
                g->results[g->result_count++] = t;
            else
                fa_transfer_free(t);
            pthread_mutex_unlock(&g->lock);
        }
        fa_tag_pop(g->fa);
        fa_end_frame(g->fa);
        fa_barrier_wait(g->done);
    }
    return NULL;
}

static float collect_results(Game *g) {
    float total = 0;
    pthread_mutex_lock(&g->lock);
    for (unsigned i = 0; i < g->result_count; i++) {
        JobResult *r = fa_transfer_receive(g->results[i]);
        if (r != NULL) total += r->checksum;
        fa_transfer_free(g->results[i]);
    }
    g->result_count = 0;
    pthread_mutex_unlock(&g->lock);
    return total;
}

/* ------------------------------------------------------------------------------------------ */
/* Main loop                                                                                   */
/* ------------------------------------------------------------------------------------------ */

static double kib(size_t b) { return (double)b / 1024.0; }

static void print_frame(Game *g, double ms) {
    fa_thread_stats me;
    fa_stats s;
    fa_get_my_thread_stats(g->fa, &me);
    fa_get_stats(g->fa, &s);
    fa_tag_stats tp, tr, ta;
    fa_get_tag_stats(g->fa, g->tag_physics, &tp);
    fa_get_tag_stats(g->fa, g->tag_render, &tr);
    fa_get_tag_stats(g->fa, g->tag_audio, &ta);
    printf("frame %4u | frame %7.1f KiB peak %7.1f | pool %5zu obj %7.1f KiB | heap %zu blk "
           "%7.1f KiB | xfer %zu | phys %6.1f rend %6.1f aud %6.1f KiB | %6.3f ms\n",
           g->frame, kib(me.frame_high_water_last), kib(me.frame_peak), s.pool_count,
           kib(s.pool_bytes), s.heap_count, kib(s.heap_bytes), s.transfer_count,
           kib(tp.frame_bytes_last), kib(tr.frame_bytes_last), kib(ta.frame_bytes_last), ms);
}

static void print_legend(void) {
    printf("columns: frame number | frame: this thread's bytes in the frame, peak: its largest "
           "frame | pool: live objects and bytes | heap: live blocks and bytes | xfer: transfer "
           "handles in flight | phys/rend/aud: frame bytes charged to each tag in the last "
           "frame, summed over threads | frame time\n");
}

static void usage(FILE *f, const char *argv0) {
    fprintf(f,
            "usage: %s [--frames N] [--every K] [--quiet] [--no-workers] [--trace FILE] "
            "[--csv FILE] [--report FILE.html] [--help]\n"
            "  --frames N         frames to run (default 300)\n"
            "  --every K          print one summary line every K frames (default 1)\n"
            "  --quiet            no per-frame lines\n"
            "  --no-workers       run without the two job threads\n"
            "  --trace FILE       write a Chrome trace-event JSON (Perfetto, chrome://tracing)\n"
            "  --csv FILE         write the frame history as CSV\n"
            "  --report FILE      write a self-contained HTML memory report\n"
            "  --help             this text\n",
            argv0);
}

/* Writes one export to path; 0 on success. */
static int export_to(fa_alloc *fa, const char *path, fa_status (*fn)(fa_alloc *, void *)) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return 1;
    }
    fa_status st = fn(fa, f);
    if (fclose(f) != 0 || st != FA_OK) {
        fprintf(stderr, "writing %s failed (%s)\n", path, fa_status_name(st));
        return 1;
    }
    printf("wrote %s\n", path);
    return 0;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    unsigned frames = 300, every = 1;
    int quiet = 0, workers = 1;
    const char *trace_path = NULL, *csv_path = NULL, *report_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--frames") == 0 && i + 1 < argc)
            frames = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--every") == 0 && i + 1 < argc)
            every = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--quiet") == 0)
            quiet = 1;
        else if (strcmp(argv[i], "--no-workers") == 0)
            workers = 0;
        else if (strcmp(argv[i], "--trace") == 0 && i + 1 < argc)
            trace_path = argv[++i];
        else if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc)
            csv_path = argv[++i];
        else if (strcmp(argv[i], "--report") == 0 && i + 1 < argc)
            report_path = argv[++i];
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout, argv[0]);
            return 0;
        } else {
            usage(stderr, argv[0]);
            return 2;
        }
    }
    if (every == 0) every = 1;

    static Game game;
    Game *g = &game;
    g->rng = 12345;
    /* History for the whole run (the exports), up to its 65536-frame maximum. */
    int history = frames > 65536 ? 65536 : frames == 0 ? 1 : (int)frames;
    g->fa = fa_create(
        &(fa_config){.name = "demo", .frame_block_size = 64 << 10, .history_frames = history});
    if (g->fa == NULL) return 1;
    g->tag_physics = fa_tag_register(g->fa, "physics");
    g->tag_render = fa_tag_register(g->fa, "render");
    g->tag_audio = fa_tag_register(g->fa, "audio");
    g->tag_jobs = fa_tag_register(g->fa, "jobs");
    fa_tag_set_budget(g->fa, g->tag_physics, 4u << 20, 0);
    pthread_mutex_init(&g->lock, NULL);
    spawn_bodies(g, 1024);

    static WorkerArg args[WORKERS];
    if (workers) {
        g->start = fa_barrier_create(WORKERS + 1);
        g->done = fa_barrier_create(WORKERS + 1);
        for (uint32_t i = 0; i < WORKERS; i++) {
            args[i] = (WorkerArg){g, i};
            if (pthread_create(&g->workers[i], NULL, worker_main, &args[i]) != 0) return 1;
        }
        g->workers_on = 1;
    }

    double *times = calloc(frames ? frames : 1, sizeof *times);
    if (!quiet) print_legend();
    float job_total = 0;
    for (g->frame = 1; g->frame <= frames; g->frame++) {
        double t0 = now_ms();
        fa_begin_frame(g->fa);
        if (g->workers_on) fa_barrier_wait(g->start);
        physics(g, 1.0f / 60.0f);
        render(g);
        audio(g);
        stream_level(g);
        if (g->workers_on) {
            fa_barrier_wait(g->done);
            job_total += collect_results(g);
        }
        fa_end_frame(g->fa);
        times[g->frame - 1] = now_ms() - t0;
        if (!quiet && (g->frame % every == 0 || g->frame == 1)) print_frame(g, times[g->frame - 1]);
    }

    if (g->workers_on) {
        atomic_store(&g->quit, 1);
        fa_barrier_wait(g->start);
        for (int i = 0; i < WORKERS; i++) pthread_join(g->workers[i], NULL);
        fa_barrier_destroy(g->start);
        fa_barrier_destroy(g->done);
    }

    unsigned threads_used = 1 + (g->workers_on ? WORKERS : 0); /* the workers have exited */
    fa_stats s;
    fa_get_stats(g->fa, &s);
    qsort(times, frames, sizeof *times, cmp_double);
    double p50 = frames ? times[frames / 2] : 0, p99 = frames ? times[frames * 99 / 100] : 0;
    printf("---\n%u frames on %u threads (%llu frames completed in total), frame time p50 %.3f ms "
           "p99 %.3f ms\n",
           frames, threads_used, (unsigned long long)s.frames_completed, p50, p99);
    printf("largest frame %.1f KiB, frame memory held %.1f KiB, pool %zu objects, heap peak "
           "%.1f KiB, job checksum %.0f, errors %llu\n",
           kib(s.frame_peak), kib(s.frame_reserved), s.pool_count, kib(s.heap_peak),
           (double)job_total, (unsigned long long)s.errors);

    int export_failed = 0;
    if (trace_path != NULL) export_failed |= export_to(g->fa, trace_path, fa_export_trace_file);
    if (csv_path != NULL) export_failed |= export_to(g->fa, csv_path, fa_export_csv_file);
    if (report_path != NULL) export_failed |= export_to(g->fa, report_path, fa_export_html_file);

    while (g->body_count > 0) fa_pool_free(g->fa, g->bodies[--g->body_count]);
    fa_heap_free(g->fa, g->level);
    fa_get_stats(g->fa, &s);
    int leaked = s.pool_count != 0 || s.heap_count != 0 || s.transfer_count != 0;
    printf("after cleanup: pool %zu, heap %zu, transfers %zu -> %s\n", s.pool_count, s.heap_count,
           s.transfer_count, leaked ? "LEAK" : "all memory returned");
    fa_destroy(g->fa);
    pthread_mutex_destroy(&g->lock);
    free(times);
    return leaked || s.errors != 0 || export_failed ? 1 : 0;
}
