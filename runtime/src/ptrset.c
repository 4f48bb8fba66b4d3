/* SPDX-License-Identifier: MIT */
/*
 * ptrset.c - an open-addressing hash set of pointers (linear probing, tombstones).
 *
 * Used to validate pointers handed back by users (heap blocks, transfer handles) before any
 * of their memory is read, so a foreign or double free is reported instead of crashing.
 * The markers EMPTY (0) and TOMB (1) are slot states, never members: a pointer equal to one of
 * them is reported absent (and refused by add), so a garbage pointer like (void *)1 can never
 * match a tombstone and be taken for a live block.
 * Not thread-safe: callers hold the lock of the structure that owns the set.
 */
#include "internal.h"

#include <stdlib.h>

#define EMPTY ((uintptr_t)0)
#define TOMB ((uintptr_t)1)

static size_t slot_of(uintptr_t p, size_t cap) {
    /* Fibonacci hashing of the pointer without its alignment bits. */
    return (size_t)(((uint64_t)(p >> 4) * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
}

static bool grow(fai_ptrset *s) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    /* Many tombstones and few entries: rehash at the same size. */
    if (s->cap != 0 && s->count * 4 < s->cap) cap = s->cap;
    uintptr_t *slots = calloc(cap, sizeof *slots);
    if (slots == NULL) return false;
    for (size_t i = 0; i < s->cap; i++) {
        uintptr_t p = s->slots[i];
        if (p == EMPTY || p == TOMB) continue;
        size_t j = slot_of(p, cap);
        while (slots[j] != EMPTY) j = (j + 1) & (cap - 1);
        slots[j] = p;
    }
    free(s->slots);
    s->slots = slots;
    s->cap = cap;
    s->tombs = 0;
    return true;
}

/* 0 and 1 are the slot markers; no block or handle lives there. */
static bool is_marker(uintptr_t p) { return p == EMPTY || p == TOMB; }

bool fai_ptrset_add(fai_ptrset *s, uintptr_t p) {
    if (is_marker(p)) return false;
    if ((s->count + s->tombs + 1) * 2 > s->cap && !grow(s)) return false;
    size_t i = slot_of(p, s->cap), tomb = SIZE_MAX;
    /* Probe to the end of the chain: p may sit beyond a tombstone, and must not be added
     * twice. The first tombstone seen is reused. */
    while (s->slots[i] != EMPTY) {
        if (s->slots[i] == p) return true;
        if (s->slots[i] == TOMB && tomb == SIZE_MAX) tomb = i;
        i = (i + 1) & (s->cap - 1);
    }
    if (tomb != SIZE_MAX) {
        i = tomb;
        s->tombs--;
    }
    s->slots[i] = p;
    s->count++;
    return true;
}

static size_t find(const fai_ptrset *s, uintptr_t p) {
    if (s->cap == 0 || is_marker(p)) return SIZE_MAX;
    size_t i = slot_of(p, s->cap);
    while (s->slots[i] != EMPTY) {
        if (s->slots[i] == p) return i;
        i = (i + 1) & (s->cap - 1);
    }
    return SIZE_MAX;
}

bool fai_ptrset_has(const fai_ptrset *s, uintptr_t p) { return find(s, p) != SIZE_MAX; }

bool fai_ptrset_remove(fai_ptrset *s, uintptr_t p) {
    size_t i = find(s, p);
    if (i == SIZE_MAX) return false;
    s->slots[i] = TOMB;
    s->count--;
    s->tombs++;
    return true;
}

void fai_ptrset_free(fai_ptrset *s) {
    free(s->slots);
    memset(s, 0, sizeof *s);
}
