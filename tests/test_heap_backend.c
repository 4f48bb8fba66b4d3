/* SPDX-License-Identifier: MIT */
/*
 * test_heap_backend.c - where heap blocks get their memory (heap_os.c): a configured
 * fa_heap_backend supplies and takes back every block (any alignment it returns, failures,
 * incomplete tables refused), and the default backend's cache of freed mappings (reuse, bounds,
 * fa_heap_trim, statistics, misuse still reported, concurrent use).
 */
#include "fa_test.h"
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* A backend that counts what it hands out and checks that every free names a live region
 * with the size it was asked for. offset shifts every region it returns (1: odd addresses). */
#define MAX_REGIONS 256
typedef struct counting_backend {
    pthread_mutex_t lock;
    size_t offset;
    int fail;                      /* return NULL from alloc */
    unsigned allocs, frees, bad_frees;
    size_t live_bytes;
    struct { char *p; size_t size; } live[MAX_REGIONS];
    unsigned n;
} counting_backend;

static void *cb_alloc(size_t size, void *ctx) {
    counting_backend *b = ctx;
    pthread_mutex_lock(&b->lock);
    char *p = NULL;
    if (!b->fail && b->n < MAX_REGIONS) {
        char *raw = malloc(size + b->offset);
        if (raw != NULL) {
            p = raw + b->offset;
            b->live[b->n].p = p;
            b->live[b->n].size = size;
            b->n++;
            b->allocs++;
            b->live_bytes += size;
        }
    }
    pthread_mutex_unlock(&b->lock);
    return p;
}

static void cb_free(void *ptr, size_t size, void *ctx) {
    counting_backend *b = ctx;
    pthread_mutex_lock(&b->lock);
    unsigned i = 0;
    while (i < b->n && b->live[i].p != ptr) i++;
    if (i == b->n || b->live[i].size != size) {
        b->bad_frees++;
    } else {
        b->live[i] = b->live[--b->n];
        b->frees++;
        b->live_bytes -= size;
        free((char *)ptr - b->offset);
    }
    pthread_mutex_unlock(&b->lock);
}

static bool inside_a_region(counting_backend *b, const void *p, size_t size) {
    bool found = false;
    pthread_mutex_lock(&b->lock);
    for (unsigned i = 0; i < b->n && !found; i++)
        found = (const char *)p >= b->live[i].p &&
                (const char *)p + size <= b->live[i].p + b->live[i].size;
    pthread_mutex_unlock(&b->lock);
    return found;
}

static counting_backend backend;

static fa_alloc *create_with_backend(size_t offset) {
    memset(&backend, 0, sizeof backend);
    pthread_mutex_init(&backend.lock, NULL);
    backend.offset = offset;
    fa_config cfg = {.heap_backend = {cb_alloc, cb_free, &backend}};
    return tu_create(&cfg);
}

static void use_every_size_and_alignment(fa_alloc *fa) {
    static const size_t sizes[] = {1, 24, 4096, 70000, 300000, 2 << 20};
    void *blocks[64];
    unsigned n = 0;
    for (size_t align = 1; align <= FA_MAX_ALIGN; align <<= 3) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            unsigned char *p = fa_heap_alloc(fa, sizes[i], align);
            cr_assert_not_null(p, "size %zu align %zu", sizes[i], align);
            cr_assert_eq((uintptr_t)p % (align > 16 ? align : 16), 0, "size %zu align %zu",
                         sizes[i], align);
            cr_assert(inside_a_region(&backend, p, sizes[i]), "the block is backend memory");
            tu_fill(p, sizes[i], (uint32_t)n);
            blocks[n++] = p;
        }
    }
    cr_assert_eq(backend.allocs, n, "one backend allocation per block");
    for (unsigned i = 0; i < n; i++) {
        cr_assert_eq(tu_check(blocks[i], fa_heap_size(fa, blocks[i]), i), SIZE_MAX);
        fa_heap_free(fa, blocks[i]);
    }
    cr_assert_eq(backend.frees, n);
    cr_assert_eq(backend.bad_frees, 0, "every free named a live region and its size");
    cr_assert_eq(backend.live_bytes, 0);
}

Test(heap_backend, backend_supplies_every_block, .init = tu_setup) {
    fa_alloc *fa = create_with_backend(0);
    use_every_size_and_alignment(fa);
    fa_config got;
    fa_get_config(fa, &got);
    cr_assert(got.heap_backend.alloc == cb_alloc && got.heap_backend.free == cb_free &&
              got.heap_backend.ctx == &backend);
    /* realloc moves between backend regions and keeps the contents */
    unsigned char *p = fa_heap_alloc(fa, 1000, 64);
    tu_fill(p, 1000, 9);
    p = fa_heap_realloc(fa, p, 500000);
    cr_assert_not_null(p);
    cr_assert_eq((uintptr_t)p % 64, 0);
    cr_assert_eq(tu_check(p, 1000, 9), SIZE_MAX);
    /* a block left at fa_destroy is reported and still handed back to the backend */
    fa_destroy(fa);
    cr_assert_eq(tu_count(FA_ERR_LEAK), 1);
    cr_assert_eq(backend.allocs, backend.frees);
    cr_assert_eq(backend.bad_frees, 0);
}

/* A backend that promises nothing about alignment (here: odd addresses). */
Test(heap_backend, backend_with_odd_addresses, .init = tu_setup) {
    fa_alloc *fa = create_with_backend(1);
    use_every_size_and_alignment(fa);
    cr_assert_eq(tu_total(), 0);
    fa_destroy(fa);
}

Test(heap_backend, backend_out_of_memory, .init = tu_setup) {
    fa_alloc *fa = create_with_backend(0);
    fa_tag t = fa_tag_register(fa, "assets");
    fa_tag_push(fa, t);
    backend.fail = 1;
    cr_assert_null(fa_heap_alloc(fa, 4096, 16));
    cr_assert_eq(tu_count(FA_ERR_OUT_OF_MEMORY), 1);
    fa_status why = FA_OK;
    cr_assert_null(fa_try_heap_alloc(fa, 100, 16, &why));
    cr_assert_eq(why, FA_ERR_OUT_OF_MEMORY);
    cr_assert_eq(tu_total(), 1, "the quiet form reports nothing");
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.heap_bytes, 0, "a refused block is not counted");
    cr_assert_eq(st.heap_count, 0);
    fa_tag_stats ts;
    cr_assert_eq(fa_get_tag_stats(fa, t, &ts), FA_OK);
    cr_assert_eq(ts.heap_bytes, 0, "nor charged to its tag");
    backend.fail = 0;
    void *p = fa_heap_alloc(fa, 4096, 16);
    cr_assert_not_null(p, "the heap works again once the backend does");
    fa_heap_free(fa, p);
    fa_tag_pop(fa);
    fa_destroy(fa);
    cr_assert_eq(backend.allocs, backend.frees);
}

Test(heap_backend, incomplete_backend_is_refused, .init = tu_setup) {
    fa_config only_alloc = {.heap_backend = {.alloc = cb_alloc}};
    cr_assert_null(fa_create(&only_alloc));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    fa_config only_free = {.heap_backend = {.free = cb_free}};
    cr_assert_null(fa_create(&only_free));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 2);
}

/* ---- the default backend ---------------------------------------------------------------- */

static fa_stats stats_of(fa_alloc *fa) {
    fa_stats st;
    fa_get_stats(fa, &st);
    return st;
}

Test(heap_backend, default_caches_freed_mappings_and_trims, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    void *small = fa_heap_alloc(fa, 1000, 16);
    fa_heap_free(fa, small);
    cr_assert_eq(stats_of(fa).heap_cached, 0, "malloc'd blocks are not cached");

    unsigned char *p = fa_heap_alloc(fa, 256 << 10, 16);
    tu_fill(p, 256 << 10, 1);
    fa_heap_free(fa, p);
    size_t cached = stats_of(fa).heap_cached;
    cr_assert_geq(cached, (size_t)256 << 10, "the freed mapping is kept");
    cr_assert_leq(cached, (size_t)320 << 10, "one mapping: the block rounded up to the OS's "
                                              "mapping granularity (64 KiB on Windows)");

    unsigned char *q = fa_heap_alloc(fa, 250 << 10, 16);
    cr_assert_not_null(q);
    cr_assert_eq(stats_of(fa).heap_cached, 0, "a request it fits reuses it");
    memset(q, 0x33, 250 << 10);
    cr_assert_eq(stats_of(fa).heap_bytes, (size_t)250 << 10);
    fa_heap_free(fa, q);
    cr_assert_neq(stats_of(fa).heap_cached, 0);

    /* much smaller requests do not take a mapping they would waste */
    void *r = fa_heap_alloc(fa, 100 << 10, 16);
    cr_assert_neq(stats_of(fa).heap_cached, 0);
    fa_heap_free(fa, r);

    /* misuse is still reported and changes nothing */
    fa_heap_free(fa, (void *)1);
    fa_heap_free(fa, q);
    cr_assert_eq(tu_total(), 2);
    cached = stats_of(fa).heap_cached;
    cr_assert_neq(cached, 0);

    fa_heap_trim(fa);
    cr_assert_eq(stats_of(fa).heap_cached, 0);
    fa_heap_trim(NULL);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    fa_destroy(fa);
}

Test(heap_backend, default_cache_is_bounded, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    void *big[24];
    for (int i = 0; i < 24; i++) {
        big[i] = fa_heap_alloc(fa, (size_t)(i % 3 + 1) << 19, 16); /* 512 KiB - 1.5 MiB */
        cr_assert_not_null(big[i]);
    }
    for (int i = 0; i < 24; i++) {
        fa_heap_free(fa, big[i]);
        cr_assert_leq(stats_of(fa).heap_cached, (size_t)8 << 20, "at most 8 MiB are kept");
    }
    cr_assert_geq(stats_of(fa).heap_cached, (size_t)6 << 20, "the cache fills up to its bound");
    void *huge = fa_heap_alloc(fa, 5 << 20, 16);
    size_t before = stats_of(fa).heap_cached;
    fa_heap_free(fa, huge);
    cr_assert_eq(stats_of(fa).heap_cached, before, "blocks above 4 MiB are unmapped at once");
    cr_assert_eq(tu_total(), 0);
    fa_destroy(fa); /* unmaps the cache: valgrind and ASan see no leak */
}

/* Blocks crossing the malloc / mapping boundary keep their contents through realloc. */
Test(heap_backend, default_realloc_across_the_mapping_threshold, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    static const size_t steps[] = {1000, 60000, 70000, 3 << 20, 65536, 200};
    unsigned char *p = fa_heap_alloc(fa, steps[0], 32);
    tu_fill(p, steps[0], 7);
    size_t kept = steps[0];
    for (size_t i = 1; i < sizeof steps / sizeof steps[0]; i++) {
        p = fa_heap_realloc(fa, p, steps[i]);
        cr_assert_not_null(p);
        cr_assert_eq((uintptr_t)p % 32, 0);
        kept = kept < steps[i] ? kept : steps[i];
        cr_assert_eq(tu_check(p, kept, 7), SIZE_MAX, "step %zu", i);
    }
    fa_heap_free(fa, p);
    cr_assert_eq(stats_of(fa).heap_count, 0);
    cr_assert_eq(tu_total(), 0);
    fa_destroy(fa);
}

/* Threads allocate and free mapped blocks at once (run under TSan): contents stay intact. */
typedef struct churn_job {
    fa_alloc *fa;
    uint32_t seed;
    int failure; /* 1: contents lost, 2: out of memory */
} churn_job;

static void *churn_large(void *arg) {
    churn_job *j = arg;
    void *held[4] = {0};
    size_t held_size[4] = {0};
    for (int i = 0; i < 200 && j->failure == 0; i++) {
        int k = (int)(tu_rand(&j->seed) % 4);
        if (held[k] != NULL) {
            if (tu_check(held[k], held_size[k], (uint32_t)k) != SIZE_MAX) j->failure = 1;
            fa_heap_free(j->fa, held[k]);
        }
        held_size[k] = (64u << 10) + tu_rand(&j->seed) % (512u << 10);
        held[k] = fa_heap_alloc(j->fa, held_size[k], 16);
        if (held[k] == NULL) {
            j->failure = 2;
            break;
        }
        tu_fill(held[k], held_size[k], (uint32_t)k);
    }
    for (int k = 0; k < 4; k++) fa_heap_free(j->fa, held[k]);
    return NULL;
}

Test(heap_backend, default_cache_under_concurrent_use, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    churn_job jobs[4];
    for (uint32_t i = 0; i < 4; i++) jobs[i] = (churn_job){fa, i * 7919u + 1u, 0};
    tu_run_threads(4, churn_large, jobs, sizeof jobs[0]);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(jobs[i].failure, 0, "thread %d: %s", i,
                     jobs[i].failure == 1 ? "contents lost" : "out of memory");
    fa_stats st = stats_of(fa);
    cr_assert_eq(st.heap_count, 0);
    cr_assert_leq(st.heap_cached, (size_t)8 << 20);
    cr_assert_eq(tu_total(), 0);
    fa_destroy(fa);
}
