/* SPDX-License-Identifier: MIT */
/*
 * test_debug_clean.c - a correct multi-frame, multi-thread program that must produce no report
 * in any debug mode: debug checks with guard mode on or off (FRAMEALLOC_GUARD_FRAMES), ASan,
 * and valgrind memcheck (ctest valgrind_debug_clean runs it with --error-exitcode=1 against
 * the debug library, whose client requests make memcheck check frame and pool memory).
 *
 * Any report reaches the default handler, which in a debug build prints and aborts: a clean
 * run is exit status 0 and an empty stderr. test_debug.c includes this file for the same
 * checks under Criterion (FA_DEBUG_CLEAN_NO_MAIN).
 */
#include <framealloc.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct clean_worker {
    fa_alloc *fa;
    fa_transfer *out;
} clean_worker;

static void *clean_worker_main(void *arg) {
    clean_worker *w = arg;
    for (int f = 0; f < 40; f++) {
        fa_begin_frame(w->fa);
        int n = 100 + f;
        int *v = FA_FRAME_ARRAY(w->fa, int, n);
        for (int i = 0; i < n; i++) v[i] = i;
        fa_begin_frame(w->fa); /* a system's own scope inside the game loop's frame */
        char *s = fa_frame_strdup(w->fa, "inner");
        if (fa_check_ptr(w->fa, s) != FA_OK || fa_check_ptr(w->fa, v) != FA_OK) abort();
        fa_end_frame(w->fa);
        void *p = fa_pool_alloc(w->fa, 16 + (size_t)f);
        memset(p, 1, 16 + (size_t)f);
        fa_pool_free(w->fa, p);
        if (f == 39) w->out = fa_transfer_create(w->fa, v, 16);
        fa_end_frame(w->fa);
    }
    return NULL;
}

static int fa_debug_clean_program(void) {
    fa_config cfg = {.name = "clean"};
    fa_alloc *fa = fa_create(&cfg);
    if (fa == NULL) return 1;
    clean_worker w[3] = {{fa, NULL}, {fa, NULL}, {fa, NULL}};
    pthread_t th[3];
    for (int i = 0; i < 3; i++) pthread_create(&th[i], NULL, clean_worker_main, &w[i]);
    void *keep[60];
    for (int f = 0; f < 60; f++) {
        fa_begin_frame(fa);
        /* sizes change every frame: blocks chain, the arena settles, guard mode rotates */
        char *big = fa_frame_alloc(fa, (size_t)(f % 7 + 1) << 16, 64);
        memset(big, f, 100);
        keep[f] = fa_pool_alloc(fa, 200);
        memset(keep[f], 2, 200);
        void *h = fa_heap_alloc(fa, 10000, 32);
        memset(h, 3, 10000);
        h = fa_heap_realloc(fa, h, 20000);
        void *copy = fa_promote_to_pool(fa, big, 50);
        fa_pool_free(fa, copy);
        fa_heap_free(fa, h);
        if (fa_validate(fa) != FA_OK) return 1;
        fa_end_frame(fa);
    }
    int bad = 0;
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        int *v = fa_transfer_receive(w[i].out);
        if (v == NULL || v[3] != 3) bad = 1;
        fa_transfer_free(w[i].out);
    }
    for (int i = 0; i < 60; i++) fa_pool_free(fa, keep[i]);
    fa_destroy(fa);
    return bad;
}

#ifndef FA_DEBUG_CLEAN_NO_MAIN
int main(void) { return fa_debug_clean_program(); }
#endif
