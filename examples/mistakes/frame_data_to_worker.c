/* SPDX-License-Identifier: MIT */
/*
 * mistakes/frame_data_to_worker.c - WRONG ON PURPOSE. The correct version: jobs/jobs.c.
 *
 * The main thread builds a job's input in its frame and hands the raw pointer to a worker
 * thread. Frame memory belongs to the thread that allocated it: the worker does not know when
 * the main thread's frame ends, and here it even tries to keep the data by promoting it, which
 * a debug build refuses (the pointer is another thread's frame memory). Fix: copy the input
 * into an fa_transfer handle and pass the handle.
 *
 * expect-analyzer: framealloc-thread-crossing
 * expect-runtime: FA_ERR_WRONG_THREAD
 */
#include <framealloc.h>

#include <pthread.h>
#include <stdio.h>

typedef struct Job {
    fa_alloc *fa;
    float *input; /* frame memory of the main thread */
    size_t count;
    void *kept;
} Job;

static void *worker(void *arg) {
    Job *job = arg;
    job->kept = fa_promote_to_pool(job->fa, job->input, job->count * sizeof(float));
    return NULL;
}

int main(void) {
    fa_alloc *fa = fa_create(NULL);
    fa_begin_frame(fa);
    Job job = {fa, FA_FRAME_ARRAY(fa, float, 64), 64, NULL};
    for (int i = 0; i < 64; i++) job.input[i] = (float)i;
    pthread_t t;
    pthread_create(&t, NULL, worker, &job); /* the frame pointer crosses to another thread */
    pthread_join(t, NULL);
    fa_end_frame(fa);
    printf("kept %p\n", job.kept);
    fa_pool_free(fa, job.kept);
    fa_destroy(fa);
    return 0;
}
