/* SPDX-License-Identifier: MIT */
/*
 * test_ptrset.c - the pointer hash set (ptrset.c) behind heap and transfer validation,
 * checked against a brute-force model: growth, tombstones, same-size rehash, duplicates.
 */
#include "internal.h" /* first: it sets FA_NO_SITE_MACROS before including framealloc.h */

#include "fa_test.h"
#include "test_util.h"

#include <stdlib.h>

Test(ptrset, empty_set) {
    fai_ptrset s = {0};
    cr_assert_not(fai_ptrset_has(&s, 0x1000));
    cr_assert_not(fai_ptrset_remove(&s, 0x1000));
    fai_ptrset_free(&s);
}

Test(ptrset, add_has_remove_and_duplicates) {
    fai_ptrset s = {0};
    cr_assert(fai_ptrset_add(&s, 0x1000));
    cr_assert(fai_ptrset_add(&s, 0x1000));
    cr_assert_eq(s.count, 1, "a duplicate is stored once");
    cr_assert(fai_ptrset_has(&s, 0x1000));
    cr_assert_not(fai_ptrset_has(&s, 0x1010));
    cr_assert(fai_ptrset_remove(&s, 0x1000));
    cr_assert_not(fai_ptrset_has(&s, 0x1000));
    cr_assert_not(fai_ptrset_remove(&s, 0x1000), "removing twice fails");
    cr_assert_eq(s.count, 0);
    fai_ptrset_free(&s);
    cr_assert_null(s.slots);
    cr_assert_eq(s.cap, 0);
}

/* Random operations compared with a model array; addresses are 16-byte aligned like real
 * blocks, from a small range so removes and re-adds hit the same slots and tombstones. */
Test(ptrset, matches_a_model_under_random_operations) {
    enum { RANGE = 4096, OPS = 200000 };
    fai_ptrset s = {0};
    unsigned char *in = calloc(RANGE, 1);
    size_t count = 0, max_cap = 0;
    uint32_t rng = 4242;
    for (int op = 0; op < OPS; op++) {
        uint32_t k = tu_rand(&rng) % RANGE;
        uintptr_t p = (uintptr_t)0x7f0000000000ull + (uintptr_t)k * 16;
        switch (tu_rand(&rng) % 3) {
        case 0:
            cr_assert(fai_ptrset_add(&s, p));
            if (!in[k]) count++;
            in[k] = 1;
            break;
        case 1:
            cr_assert_eq(fai_ptrset_remove(&s, p), (bool)in[k], "op %d", op);
            if (in[k]) count--;
            in[k] = 0;
            break;
        default:
            cr_assert_eq(fai_ptrset_has(&s, p), (bool)in[k], "op %d", op);
        }
        cr_assert_eq(s.count, count);
        if (s.cap != 0) cr_assert_lt(s.count + s.tombs, s.cap, "the table always has an empty slot");
        if (s.cap > max_cap) max_cap = s.cap;
    }
    for (uint32_t k = 0; k < RANGE; k++)
        cr_assert_eq(fai_ptrset_has(&s, (uintptr_t)0x7f0000000000ull + (uintptr_t)k * 16),
                     (bool)in[k]);
    cr_assert_leq(max_cap, (size_t)4 * RANGE, "tombstones do not make the table grow forever");
    free(in);
    fai_ptrset_free(&s);
}

/* Add many, remove all, repeat: the table is rehashed in place instead of growing. */
Test(ptrset, churn_does_not_grow_the_table) {
    fai_ptrset s = {0};
    size_t cap_after_first = 0;
    for (int round = 0; round < 50; round++) {
        for (uintptr_t i = 0; i < 1000; i++)
            cr_assert(fai_ptrset_add(&s, 0x10000 + (i + (uintptr_t)round * 1000) * 64));
        for (uintptr_t i = 0; i < 1000; i++)
            cr_assert(fai_ptrset_remove(&s, 0x10000 + (i + (uintptr_t)round * 1000) * 64));
        cr_assert_eq(s.count, 0);
        if (round == 0) cap_after_first = s.cap;
    }
    cr_assert_leq(s.cap, cap_after_first * 2);
    fai_ptrset_free(&s);
}

/* The slot markers are never members: with a tombstone on the probe chain of 1 (it starts at
 * slot 0, as 1 >> 4 == 0), looking 1 up must not match the tombstone. */
Test(ptrset, markers_are_never_members) {
    fai_ptrset s = {0};
    uintptr_t hit = 0;
    for (uintptr_t k = 1; k < 100000 && hit == 0; k++) {
        uintptr_t p = (uintptr_t)0x7f0000000000ull + k * 16;
        cr_assert(fai_ptrset_add(&s, p));
        if (s.slots[0] == p) hit = p;
    }
    cr_assert_neq(hit, 0, "some pointer lands in slot 0");
    cr_assert(fai_ptrset_remove(&s, hit));
    cr_assert_eq(s.slots[0], 1, "slot 0 holds a tombstone");
    cr_assert_not(fai_ptrset_has(&s, 1));
    cr_assert_not(fai_ptrset_remove(&s, 1));
    cr_assert_not(fai_ptrset_has(&s, 0));
    cr_assert_not(fai_ptrset_add(&s, 1), "a marker cannot be added");
    cr_assert_not(fai_ptrset_add(&s, 0));
    cr_assert_not(fai_ptrset_has(&s, 1));
    fai_ptrset_free(&s);
}

/* The same through every API that looks a pointer up in the heap set: (void *)1 with a
 * tombstone in slot 0 is reported as a foreign pointer, never dereferenced. The tombstone is
 * made by adding and removing a pointer that hashes to slot 0 (found with a scratch set of the
 * same capacity); it is never dereferenced either. */
Test(ptrset, garbage_pointer_one_is_reported_by_every_lookup, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    void *block = fa_heap_alloc(fa, 16, 16);
    cr_assert_not_null(block);
    size_t cap = fa->heap_set.cap;
    uintptr_t fake = 0;
    for (uintptr_t k = 1; k < 1000000 && fake == 0; k++) {
        fai_ptrset scratch = {0};
        uintptr_t p = (uintptr_t)0x100000000ull + k * 16;
        cr_assert(fai_ptrset_add(&scratch, p));
        if (scratch.cap == cap && scratch.slots[0] == p) fake = p;
        fai_ptrset_free(&scratch);
    }
    cr_assert_neq(fake, 0, "a pointer hashing to slot 0");
    fai_mutex_lock(&fa->heap_lock);
    bool in0 = fa->heap_set.slots[0] == 0 && fai_ptrset_add(&fa->heap_set, fake) &&
               fa->heap_set.slots[0] == fake && fai_ptrset_remove(&fa->heap_set, fake);
    fai_mutex_unlock(&fa->heap_lock);
    if (!in0) { /* the real block sits in slot 0: its own free leaves the tombstone */
        cr_assert_eq(fa->heap_set.slots[0], (uintptr_t)block);
        fa_heap_free(fa, block);
        block = NULL;
    }
    cr_assert_eq(fa->heap_set.slots[0], 1, "slot 0 holds a tombstone");
    void *one = (void *)1;
    unsigned before = tu_total();
    fa_heap_free(fa, one);
    cr_assert_eq(tu_total(), before + 1);
    cr_assert_eq(tu_cap.last, FA_ERR_FOREIGN_POINTER);
    cr_assert_eq(fa_heap_size(fa, one), 0);
    cr_assert_null(fa_heap_realloc(fa, one, 32));
    cr_assert_eq(tu_cap.last, FA_ERR_FOREIGN_POINTER);
    fa_pool_free(fa, one);
    cr_assert_eq(tu_cap.last, FA_ERR_FOREIGN_POINTER);
    cr_assert_eq(fa_pool_usable_size(fa, one), 0);
    cr_assert_eq(fa_check_ptr(fa, one), FA_ERR_FOREIGN_POINTER);
    cr_assert_eq(tu_total(), before + 4);
    cr_assert_eq(fa_validate(fa), FA_OK);
    fa_heap_free(fa, block);
    cr_assert_eq(tu_total(), before + 4);
    fa_destroy(fa);
}
