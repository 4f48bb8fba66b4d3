/* SPDX-License-Identifier: MIT */
/*
 * jobs/jobs.c - a job system: worker threads with their own frames, producer-consumer hand-off
 * through transfer handles, and a frame barrier.
 *
 * Every thread (main and each worker) opens and closes its own frame each game frame; frame
 * memory belongs to the thread that allocated it. The main thread builds each job's input in
 * its frame and copies it into an fa_transfer handle (the one sanctioned way for frame data to
 * reach another thread); a worker receives it, computes in its own frame scratch, and writes
 * its result straight into a zero-copy handle (fa_transfer_alloc, then fa_transfer_send), so
 * nothing is copied on the way back. All threads then meet at an fa_barrier, so frame N + 1 starts
 * everywhere only after frame N ended everywhere.
 *
 * Checked: every result equals the value computed directly, each thread completed exactly the
 * frames it was given, no transfer handle is left, and worker frame memory never showed up in
 * another thread's statistics.
 */
#include "../common/example.h"

#include <pthread.h>

#define WORKERS 3
#define JOBS_PER_FRAME 12
#define QUEUE_CAP 64

typedef struct Queue {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    fa_transfer *items[QUEUE_CAP];
    size_t head, count;
} Queue;

static void queue_init(Queue *q) {
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->ready, NULL);
    q->head = q->count = 0;
}

static void queue_push(Queue *q, fa_transfer *t) {
    pthread_mutex_lock(&q->lock);
    CHECK(q->count < QUEUE_CAP);
    q->items[(q->head + q->count++) % QUEUE_CAP] = t;
    pthread_cond_signal(&q->ready);
    pthread_mutex_unlock(&q->lock);
}

static fa_transfer *queue_pop(Queue *q) {
    pthread_mutex_lock(&q->lock);
    while (q->count == 0) pthread_cond_wait(&q->ready, &q->lock);
    fa_transfer *t = q->items[q->head];
    q->head = (q->head + 1) % QUEUE_CAP;
    q->count--;
    pthread_mutex_unlock(&q->lock);
    return t;
}

typedef struct JobHeader { uint32_t job, count; } JobHeader; /* followed by count floats */
typedef struct JobResult { uint32_t job; uint32_t worker; double sum_sq; } JobResult;

typedef struct Shared {
    fa_alloc *fa;
    fa_barrier *barrier;
    Queue jobs, results;
    unsigned frames;
} Shared;

typedef struct Worker {
    Shared *shared;
    uint32_t index;
    uint64_t jobs_done, frames_done;
} Worker;

static void *worker_main(void *arg) {
    Worker *w = arg;
    Shared *sh = w->shared;
    for (unsigned f = 0; f < sh->frames; f++) {
        fa_begin_frame(sh->fa);
        for (;;) {
            fa_transfer *t = queue_pop(&sh->jobs);
            if (t == NULL) break; /* end of this frame's jobs */
            const JobHeader *h = fa_transfer_receive(t);
            CHECK(h != NULL && fa_transfer_size(t) == sizeof *h + h->count * sizeof(float));
            const float *in = (const float *)(h + 1);
            /* worker-local scratch: squares, in this worker's own frame */
            double *sq = FA_FRAME_ARRAY(sh->fa, double, h->count);
            CHECK(sq != NULL);
            for (uint32_t i = 0; i < h->count; i++) sq[i] = (double)in[i] * in[i];
            /* the result is built where the consumer will read it: no frame copy to send */
            void *slot = NULL;
            fa_transfer *out = fa_transfer_alloc(sh->fa, sizeof(JobResult), &slot);
            CHECK(out != NULL);
            JobResult *r = slot;
            *r = (JobResult){h->job, w->index, 0.0};
            for (uint32_t i = 0; i < h->count; i++) r->sum_sq += sq[i];
            fa_transfer_free(t);
            CHECK(fa_transfer_send(out) == FA_OK);
            queue_push(&sh->results, out);
            w->jobs_done++;
        }
        fa_end_frame(sh->fa);
        w->frames_done++;
        fa_barrier_wait(sh->barrier);
    }
    return NULL;
}

int main(int argc, char **argv) {
    unsigned frames = example_frames(argc, argv, 200);
    static Shared sh;
    sh.fa = fa_create(&(fa_config){.name = "jobs"});
    CHECK(sh.fa != NULL);
    sh.barrier = fa_barrier_create(WORKERS + 1);
    CHECK(sh.barrier != NULL);
    sh.frames = frames;
    queue_init(&sh.jobs);
    queue_init(&sh.results);
    Worker workers[WORKERS];
    pthread_t threads[WORKERS];
    for (uint32_t i = 0; i < WORKERS; i++) {
        workers[i] = (Worker){&sh, i, 0, 0};
        CHECK(pthread_create(&threads[i], NULL, worker_main, &workers[i]) == 0);
    }

    uint64_t results_checked = 0;
    for (unsigned f = 0; f < frames; f++) {
        fa_begin_frame(sh.fa);
        double *expected = FA_FRAME_ARRAY(sh.fa, double, JOBS_PER_FRAME);
        CHECK(expected != NULL);
        for (uint32_t j = 0; j < JOBS_PER_FRAME; j++) {
            uint32_t count = 64 + (f * 7 + j * 13) % 256;
            size_t bytes = sizeof(JobHeader) + count * sizeof(float);
            JobHeader *h = fa_frame_alloc(sh.fa, bytes, 16);
            CHECK(h != NULL);
            *h = (JobHeader){j, count};
            float *in = (float *)(h + 1);
            expected[j] = 0.0;
            for (uint32_t i = 0; i < count; i++) {
                in[i] = (float)((i + f + j) % 17) * 0.5f;
                expected[j] += (double)in[i] * in[i];
            }
            fa_transfer *t = fa_transfer_create(sh.fa, h, bytes); /* copy out of our frame */
            CHECK(t != NULL);
            queue_push(&sh.jobs, t);
        }
        for (int i = 0; i < WORKERS; i++) queue_push(&sh.jobs, NULL);

        unsigned char got[JOBS_PER_FRAME] = {0};
        for (int k = 0; k < JOBS_PER_FRAME; k++) {
            fa_transfer *t = queue_pop(&sh.results);
            const JobResult *r = fa_transfer_receive(t);
            CHECK(r != NULL && r->job < JOBS_PER_FRAME && !got[r->job] && r->worker < WORKERS);
            CHECK(r->sum_sq == expected[r->job]);
            got[r->job] = 1;
            results_checked++;
            fa_transfer_free(t);
        }
        fa_end_frame(sh.fa);
        fa_barrier_wait(sh.barrier);
    }
    for (int i = 0; i < WORKERS; i++) CHECK(pthread_join(threads[i], NULL) == 0);

    uint64_t jobs = 0;
    for (int i = 0; i < WORKERS; i++) {
        CHECK(workers[i].frames_done == frames);
        jobs += workers[i].jobs_done;
    }
    CHECK(jobs == (uint64_t)frames * JOBS_PER_FRAME && results_checked == jobs);
    fa_stats st;
    fa_get_stats(sh.fa, &st);
    CHECK(st.transfer_count == 0 && st.frame_bytes == 0);
    CHECK(st.frames_completed == (uint64_t)frames * (WORKERS + 1));
    printf("jobs: %llu jobs over %d workers in %u frames\n", (unsigned long long)jobs, WORKERS,
           frames);
    fa_barrier_destroy(sh.barrier);
    example_finish(sh.fa);
    return 0;
}
