// SPDX-License-Identifier: MIT
/*
 * test_frame_map.c - fa_frame_map against a reference model: inserts, overwrites, removals and
 * lookups of keys including 0 and UINT64_MAX, strided and random keys, growth from the expected
 * count hint, tombstone-heavy churn, iteration (every entry once; removal during iteration),
 * sets (value size 0), value alignment, growth inside a nested scope, frame limits, every bad
 * input, use after the scope and from another thread, and threads with maps of their own.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static fa_alloc *fa;

static void setup(void) {
    tu_setup();
    fa_config cfg = tu_config();
    cfg.frame_block_size = 64 << 10;
    fa = tu_create(&cfg);
}
static void teardown(void) { fa_destroy(fa); }

#define MAP_TEST(name, ...) Test(frame_map, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static size_t heap_bytes(void) {
    fa_stats st;
    fa_get_stats(fa, &st);
    return st.heap_bytes;
}

MAP_TEST(put_get_overwrite_edge_keys) {
    fa_begin_frame(fa);
    fa_frame_map m;
    fa_frame_map_init(&m, fa, sizeof(uint64_t), _Alignof(uint64_t), 0);
    cr_assert_eq(fa_frame_map_len(&m), 0);
    cr_assert_null(fa_frame_map_get(&m, 0));
    static const uint64_t keys[] = {0, 1, UINT64_MAX, UINT64_MAX - 1, 1ull << 63, 42};
    for (size_t i = 0; i < 6; i++) {
        uint64_t *v = fa_frame_map_put(&m, keys[i]);
        cr_assert_not_null(v);
        cr_assert_eq(*v, 0, "a new value is zero-filled");
        *v = keys[i] ^ 0x5555;
    }
    cr_assert_eq(fa_frame_map_len(&m), 6);
    for (size_t i = 0; i < 6; i++) {
        uint64_t *v = fa_frame_map_get(&m, keys[i]);
        cr_assert_not_null(v, "key %zu", i);
        cr_assert_eq(*v, keys[i] ^ 0x5555);
    }
    uint64_t *again = fa_frame_map_put(&m, UINT64_MAX);
    cr_assert_eq(*again, UINT64_MAX ^ 0x5555, "put of a present key returns its slot");
    *again = 7;
    cr_assert_eq(*(uint64_t *)fa_frame_map_get(&m, UINT64_MAX), 7);
    cr_assert_eq(fa_frame_map_len(&m), 6);
    cr_assert_eq(fa_frame_map_remove(&m, 0), 1);
    cr_assert_eq(fa_frame_map_remove(&m, 0), 0);
    cr_assert_null(fa_frame_map_get(&m, 0));
    cr_assert_eq(fa_frame_map_len(&m), 5);
    cr_assert_eq(fa_frame_map_remove(&m, 12345), 0);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

/* Random operations against a reference (a sorted array is enough at this size). */
#define MODEL_N 4096
MAP_TEST(matches_model_under_churn) {
    fa_begin_frame(fa);
    fa_frame_map m;
    fa_frame_map_init(&m, fa, 12, 4, 16);
    static uint64_t model_key[MODEL_N];
    static uint32_t model_val[MODEL_N];
    static bool model_live[MODEL_N];
    memset(model_live, 0, sizeof model_live);
    uint32_t rng = 12345;
    for (size_t i = 0; i < MODEL_N; i++)
        model_key[i] = ((uint64_t)tu_rand(&rng) << 32 | tu_rand(&rng)) & ~(uint64_t)0xFF;
    model_key[0] = 0;
    model_key[1] = UINT64_MAX;
    size_t live = 0;
    for (int op = 0; op < 200000; op++) {
        size_t k = tu_rand(&rng) % MODEL_N;
        uint32_t r = tu_rand(&rng) % 10;
        if (r < 5) {
            uint32_t *v = fa_frame_map_put(&m, model_key[k]);
            cr_assert_not_null(v);
            if (!model_live[k]) {
                cr_assert_eq(v[0] | v[1] | v[2], 0);
                model_live[k] = true;
                live++;
            } else {
                cr_assert_eq(v[0], model_val[k]);
            }
            model_val[k] = tu_rand(&rng);
            v[0] = model_val[k];
        } else if (r < 8) {
            cr_assert_eq(fa_frame_map_remove(&m, model_key[k]), model_live[k] ? 1 : 0);
            if (model_live[k]) live--;
            model_live[k] = false;
        } else {
            uint32_t *v = fa_frame_map_get(&m, model_key[k]);
            if (model_live[k]) {
                cr_assert_not_null(v);
                cr_assert_eq(v[0], model_val[k]);
            } else {
                cr_assert_null(v);
            }
        }
        cr_assert_eq(fa_frame_map_len(&m), live);
    }
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

/* Keys that collide in the low bits of a weak hash (multiples of a large power of two). */
MAP_TEST(strided_keys_and_growth) {
    fa_begin_frame(fa);
    fa_frame_map m;
    fa_frame_map_init(&m, fa, 4, 4, 0);
    for (uint64_t i = 0; i < 50000; i++) *(uint32_t *)fa_frame_map_put(&m, i << 32) = (uint32_t)i;
    cr_assert_eq(fa_frame_map_len(&m), 50000);
    for (uint64_t i = 0; i < 50000; i++) {
        uint32_t *v = fa_frame_map_get(&m, i << 32);
        cr_assert_not_null(v);
        cr_assert_eq(*v, (uint32_t)i);
    }
    cr_assert_null(fa_frame_map_get(&m, 50000ull << 32));
    fa_end_frame(fa);
}

/* The hint sizes the table: filling up to it allocates once. */
MAP_TEST(expected_hint_avoids_growth) {
    fa_begin_frame(fa);
    fa_frame_map m;
    fa_frame_map_init(&m, fa, 8, 8, 1000);
    fa_frame_map_put(&m, 1);
    fa_thread_stats a, b;
    fa_get_my_thread_stats(fa, &a);
    for (uint64_t i = 2; i <= 1000; i++) cr_assert_not_null(fa_frame_map_put(&m, i * 977));
    fa_get_my_thread_stats(fa, &b);
    cr_assert_eq(a.frame_bytes, b.frame_bytes, "no growth below the hint");
    fa_end_frame(fa);
}

MAP_TEST(iteration_and_removal_during_it) {
    fa_begin_frame(fa);
    fa_frame_map m;
    fa_frame_map_init(&m, fa, sizeof(uint32_t), 4, 0);
    for (uint64_t k = 0; k < 3000; k++) *(uint32_t *)fa_frame_map_put(&m, k * 3) = (uint32_t)k;
    static unsigned char seen[3000];
    memset(seen, 0, sizeof seen);
    size_t pos = 0, n = 0, removed_unseen = 0;
    uint64_t key;
    void *val;
    while (fa_frame_map_next(&m, &pos, &key, &val)) {
        cr_assert_eq(key % 3, 0);
        cr_assert_eq(*(uint32_t *)val, key / 3);
        cr_assert_eq(seen[key / 3]++, 0, "each entry once");
        n++;
        /* Remove the current entry when odd, and for every fourth one the even entry two
         * ahead (which the iteration may or may not have passed). */
        if (key / 3 % 2 == 1) cr_assert_eq(fa_frame_map_remove(&m, key), 1);
        if (key / 3 % 4 == 0 && key / 3 + 2 < 3000) {
            if (!seen[key / 3 + 2]) removed_unseen++;
            cr_assert_eq(fa_frame_map_remove(&m, key + 6), 1);
        }
    }
    cr_assert_eq(n + removed_unseen, 3000, "every entry not removed before its turn was seen");
    /* What is left: evens not removed ahead. */
    size_t left = 0;
    for (pos = 0; fa_frame_map_next(&m, &pos, &key, NULL);) {
        cr_assert_eq(key / 3 % 2, 0);
        cr_assert_neq(key / 3 % 4, 2);
        left++;
    }
    cr_assert_eq(left, fa_frame_map_len(&m));
    cr_assert_eq(left, 750);
    /* An empty map iterates nothing. */
    fa_frame_map e;
    fa_frame_map_init(&e, fa, 4, 4, 0);
    pos = 0;
    cr_assert_eq(fa_frame_map_next(&e, &pos, &key, &val), 0);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

MAP_TEST(sets_and_alignment) {
    fa_begin_frame(fa);
    fa_frame_map set;
    fa_frame_map_init(&set, fa, 0, 1, 0);
    for (uint64_t k = 0; k < 1000; k++) cr_assert_not_null(fa_frame_map_put(&set, k * k));
    cr_assert_eq(fa_frame_map_len(&set), 1000);
    cr_assert_not_null(fa_frame_map_get(&set, 999 * 999));
    cr_assert_null(fa_frame_map_get(&set, 2));
    fa_frame_map big;
    fa_frame_map_init(&big, fa, 100, 64, 0);
    for (uint64_t k = 0; k < 500; k++) {
        unsigned char *v = fa_frame_map_put(&big, k);
        cr_assert_not_null(v);
        cr_assert_eq((uintptr_t)v % 64, 0);
        memset(v, (int)k, 100);
    }
    for (uint64_t k = 0; k < 500; k++) {
        unsigned char *v = fa_frame_map_get(&big, k);
        cr_assert_eq(v[0], (unsigned char)k);
        cr_assert_eq(v[99], (unsigned char)k);
    }
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

MAP_TEST(growth_inside_nested_scope) {
    fa_begin_frame(fa);
    fa_frame_map m;
    fa_frame_map_init(&m, fa, 8, 8, 0);
    fa_frame_map_put(&m, 1);
    fa_begin_frame(fa);
    for (uint64_t k = 2; k < 20000; k++) *(uint64_t *)fa_frame_map_put(&m, k) = k;
    cr_assert_gt(heap_bytes(), 0);
    fa_end_frame(fa);
    for (uint64_t k = 2; k < 20000; k++) cr_assert_eq(*(uint64_t *)fa_frame_map_get(&m, k), k);
    fa_end_frame(fa);
    cr_assert_eq(heap_bytes(), 0);
    cr_assert_eq(tu_total(), 0);
}

MAP_TEST(frame_limit_keeps_map) {
    fa_config cfg = tu_config();
    cfg.frame_limit = 16384;
    fa_alloc *lim = tu_create(&cfg);
    fa_begin_frame(lim);
    fa_frame_map m;
    fa_frame_map_init(&m, lim, 8, 8, 0);
    uint64_t k = 0;
    for (;; k++) {
        uint64_t *v = fa_frame_map_put(&m, k);
        if (v == NULL) break;
        *v = k + 1;
    }
    cr_assert_eq(tu_count(FA_ERR_FRAME_LIMIT), 1);
    cr_assert_eq(fa_frame_map_len(&m), k);
    cr_assert_gt(k, 150);
    for (uint64_t j = 0; j < k; j++) cr_assert_eq(*(uint64_t *)fa_frame_map_get(&m, j), j + 1);
    fa_end_frame(lim);
    fa_destroy(lim);
}

MAP_TEST(bad_input) {
    fa_frame_map m;
    size_t pos = 0;
    fa_frame_map_init(NULL, fa, 4, 4, 0);
    fa_frame_map_init((fa_frame_map *)1, fa, 4, 4, 0);
    fa_frame_map_init(&m, fa, 4, 4, 0);
    cr_assert_eq(tu_count(FA_ERR_NO_FRAME), 1);
    cr_assert_null(fa_frame_map_put(&m, 1));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 3);
    fa_begin_frame(fa);
    fa_frame_map_init(&m, NULL, 4, 4, 0);
    fa_frame_map_init(&m, fa, 4, 3, 0);
    fa_frame_map_init(&m, fa, 4, FA_MAX_ALIGN * 2, 0);
    cr_assert_eq(tu_count(FA_ERR_BAD_ALIGN), 2);
    fa_frame_map_init(&m, fa, FA_MAX_ALLOC_SIZE + 1, 1, 0);
    fa_frame_map_init(&m, fa, 8, 8, SIZE_MAX);
    fa_frame_map_init(&m, fa, 1 << 20, 8, (size_t)1 << 30);
    cr_assert_eq(tu_count(FA_ERR_TOO_LARGE), 3);
    cr_assert_null(fa_frame_map_get(&m, 1));
    cr_assert_null(fa_frame_map_put(NULL, 1));
    cr_assert_null(fa_frame_map_get((const fa_frame_map *)1, 1));
    cr_assert_eq(fa_frame_map_remove((fa_frame_map *)16, 1), 0);
    cr_assert_eq(fa_frame_map_len(NULL), 0);
    cr_assert_eq(fa_frame_map_next(NULL, &pos, NULL, NULL), 0);
    fa_frame_map junk;
    memset(&junk, 0x5A, sizeof junk);
    cr_assert_null(fa_frame_map_put(&junk, 1));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 11);
    fa_frame_map_init(&m, fa, 4, 4, 0);
    *(uint32_t *)fa_frame_map_put(&m, 9) = 9;
    cr_assert_eq(fa_frame_map_next(&m, NULL, NULL, NULL), 0);
    fa_frame_map copy = m;
    cr_assert_null(fa_frame_map_get(&copy, 9));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 13);
    cr_assert_eq(*(uint32_t *)fa_frame_map_get(&m, 9), 9);
    fa_end_frame(fa);
}

MAP_TEST(use_after_scope) {
    fa_begin_frame(fa);
    fa_begin_frame(fa);
    fa_frame_map m;
    fa_frame_map_init(&m, fa, 8, 8, 0);
    fa_frame_map_put(&m, 1);
    fa_end_frame(fa);
    /* Every call checks, in every build: nothing is read from the ended scope. */
    fa_begin_frame(fa);
    cr_assert_null(fa_frame_map_put(&m, 2));
    cr_assert_null(fa_frame_map_get(&m, 1));
    cr_assert_eq(fa_frame_map_remove(&m, 1), 0);
    cr_assert_eq(fa_frame_map_len(&m), 0);
    size_t pos = 0;
    cr_assert_eq(fa_frame_map_next(&m, &pos, NULL, NULL), 0);
    cr_assert_eq(tu_count(FA_ERR_USE_AFTER_FRAME), 5);
    fa_end_frame(fa);
    fa_end_frame(fa);
}

typedef struct {
    fa_frame_map *m;
    void *got;
    unsigned wrong;
} xmap;

static void *foreign_map(void *arg) {
    xmap *x = arg;
    fa_begin_frame(fa);
    for (uint64_t k = 100; k < 200; k++) {
        void *v = fa_frame_map_put(x->m, k);
        if (v == NULL) break;
    }
    x->got = fa_frame_map_get(x->m, 5);
    fa_end_frame(fa);
    return NULL;
}

MAP_TEST(other_thread_is_misuse) {
    fa_begin_frame(fa);
    fa_frame_map m;
    fa_frame_map_init(&m, fa, 8, 8, 0);
    *(uint64_t *)fa_frame_map_put(&m, 5) = 55;
    xmap x = {&m, NULL, 0};
    tu_run_threads(1, foreign_map, &x, sizeof x);
    cr_assert_eq(tu_count(FA_ERR_WRONG_THREAD), 2, "the first put and the get");
    cr_assert_null(x.got);
    cr_assert_eq(*(uint64_t *)fa_frame_map_get(&m, 5), 55);
    fa_end_frame(fa);
}

static void *map_worker(void *arg) {
    int *ok = arg;
    *ok = 1;
    for (int f = 0; f < 20; f++) {
        fa_begin_frame(fa);
        fa_frame_map m;
        fa_frame_map_init(&m, fa, 8, 8, 0);
        for (uint64_t k = 0; k < 5000; k++) *(uint64_t *)fa_frame_map_put(&m, k * 7919) = k + (uint64_t)f;
        for (uint64_t k = 0; k < 5000; k++) {
            uint64_t *v = fa_frame_map_get(&m, k * 7919);
            if (v == NULL || *v != k + (uint64_t)f) *ok = 0;
        }
        if (fa_frame_map_len(&m) != 5000) *ok = 0;
        fa_end_frame(fa);
    }
    return NULL;
}

MAP_TEST(threads_with_their_own_maps) {
    int ok[4] = {0};
    tu_run_threads(4, map_worker, ok, sizeof ok[0]);
    for (int i = 0; i < 4; i++) cr_assert(ok[i], "thread %d", i);
    cr_assert_eq(tu_total(), 0);
}
