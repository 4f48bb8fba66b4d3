/* SPDX-License-Identifier: MIT */
/*
 * test_debug_validate.c - fa_validate on one thread while another allocates and frees heap
 * blocks: a correct program must validate clean. A block's fill and canary are written before
 * it becomes visible to the validator's heap walk.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdatomic.h>
#include <string.h>

static fa_alloc *fa;
static atomic_int done;

static void *heap_churn(void *arg) {
    (void)arg;
    uint32_t rng = 77;
    for (int i = 0; i < 3000; i++) {
        size_t n = ((size_t)(tu_rand(&rng) % 64) + 1) << 10;
        unsigned char *p = fa_heap_alloc(fa, n, 16);
        if (p == NULL) break;
        memset(p, 0x33, n);
        fa_heap_free(fa, p);
    }
    atomic_store(&done, 1);
    return NULL;
}

Test(debug_validate, validate_while_another_thread_allocates, .init = tu_setup, .timeout = 120) {
    fa = tu_create(NULL);
    void *keep = fa_heap_alloc(fa, 100, 16); /* one block that stays in the walk throughout */
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, heap_churn, NULL), 0);
    unsigned runs = 0, bad = 0;
    while (!atomic_load(&done)) {
        if (fa_validate(fa) != FA_OK) bad++;
        runs++;
    }
    pthread_join(th, NULL);
    cr_assert_eq(bad, 0, "%u of %u validations failed: %s", bad, runs, tu_cap.message);
    cr_assert_eq(fa_validate(fa), FA_OK);
    cr_assert_eq(tu_total(), 0, "%s", tu_cap.message);
    fa_heap_free(fa, keep);
    fa_destroy(fa);
}
