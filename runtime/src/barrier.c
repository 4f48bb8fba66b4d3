/* SPDX-License-Identifier: MIT */
/*
 * barrier.c - a reusable barrier for the threads that finish a frame together.
 *
 * Generation-counted so a thread that races ahead into the next frame cannot be released by
 * the previous generation's broadcast. Independent of any allocator.
 *
 * Threading: a mutex and a condition variable; every field is read and written under the mutex.
 */
#include "internal.h"

#include <stdlib.h>

struct fa_barrier {
    fai_mutex lock;
    fai_cond cond;
    unsigned count, arrived;
    uint64_t generation;
};

fa_barrier *fa_barrier_create(unsigned count) {
    if (count == 0) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_barrier_create(0)");
        return NULL;
    }
    fa_barrier *b = calloc(1, sizeof *b);
    if (b == NULL) {
        fai_error(NULL, FA_ERR_OUT_OF_MEMORY, NULL, sizeof *b, NULL, "fa_barrier_create: no memory");
        return NULL;
    }
    fai_mutex_init(&b->lock);
    fai_cond_init(&b->cond);
    b->count = count;
    return b;
}

void fa_barrier_destroy(fa_barrier *b) {
    if (b == NULL) return;
    fai_cond_destroy(&b->cond);
    fai_mutex_destroy(&b->lock);
    free(b);
}

uint64_t fa_barrier_wait(fa_barrier *b) {
    if (b == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_barrier_wait(NULL)");
        return 0;
    }
    fai_mutex_lock(&b->lock);
    uint64_t gen = b->generation;
    if (++b->arrived == b->count) {
        b->arrived = 0;
        b->generation++;
        fai_cond_broadcast(&b->cond);
    } else {
        while (b->generation == gen) fai_cond_wait(&b->cond, &b->lock);
    }
    fai_mutex_unlock(&b->lock);
    return gen + 1;
}
