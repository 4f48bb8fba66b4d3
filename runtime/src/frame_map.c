// SPDX-License-Identifier: MIT
/*
 * frame_map.c - hash maps in frame memory (fa_frame_map): uint64_t keys, fixed-size values.
 *
 * Open addressing, linear probing, power-of-two capacity, at most 3/4 of the slots used
 * (tombstones included). Slot states live in a control byte array, so every one of the 2^64
 * keys is an ordinary key (no reserved "empty" key). One frame allocation holds the control
 * bytes, the keys and the values; growing rehashes into a new one, and the old one becomes a
 * spare of the map's scope (frame_vec.c's storage policy: reused by later growth of any frame
 * container of that scope; inside a nested scope the storage is a heap block the map's scope
 * end frees).
 *
 * Removal leaves a tombstone and never moves an entry, so removing during an iteration is safe;
 * an insertion may rehash, so inserting during an iteration is not. Ordering of an iteration is
 * the slot order: unspecified, and it changes when the map grows.
 *
 * Validity: the map belongs to the thread and innermost scope of its init; every call checks
 * both (in release builds too), so a map is never read after its scope ended.
 *
 * Threading: the calling thread's state only; no locks.
 */
#include "intent.h"

#define MAP_MAGIC ((uintptr_t)0x6661686173686d70ull) /* "fahashmp" */
#define MAP_HEAP 1u

enum { SLOT_EMPTY = 0, SLOT_FULL = 1, SLOT_TOMB = 2 };

static uintptr_t magic_of(const fa_frame_map *m) { return MAP_MAGIC ^ (uintptr_t)m; }

static bool bad_handle(const void *p) {
    return (uintptr_t)p < 4096 || ((uintptr_t)p & (_Alignof(fa_frame_map) - 1)) != 0;
}

/* splitmix64's finaliser: strided and sequential keys spread over every slot. */
static uint64_t hash(uint64_t k) {
    k ^= k >> 30;
    k *= 0xbf58476d1ce4e5b9ull;
    k ^= k >> 27;
    k *= 0x94d049bb133111ebull;
    return k ^ (k >> 31);
}

/* Bytes of a table of cap slots and the offsets of its keys and values; false on overflow. */
static bool layout(const fa_frame_map *m, size_t cap, size_t *keys_off, size_t *vals_off,
                   size_t *total) {
    size_t k = fai_align_up(cap, 8), kv, v, vals, t;
    if (k < cap || __builtin_mul_overflow(cap, (size_t)8, &kv) || __builtin_add_overflow(k, kv, &v))
        return false;
    size_t va = m->fai_valign;
    v = fai_align_up(v, va);
    if (__builtin_mul_overflow(cap, m->fai_stride, &vals) || __builtin_add_overflow(v, vals, &t))
        return false;
    *keys_off = k;
    *vals_off = v;
    *total = t;
    return t <= FA_MAX_ALLOC_SIZE;
}

/* Slots for n entries at most 3/4 full (at least 8), or 0 when that is too many. */
static size_t cap_for(size_t n) {
    size_t cap = 8;
    while (cap - cap / 4 < n) {
        if (cap > (SIZE_MAX >> 2)) return 0;
        cap *= 2;
    }
    return cap;
}

static void *value_at(const fa_frame_map *m, size_t i) {
    if (m->fai_stride == 0) return (void *)&m->fai_keys[i]; /* a set: zero bytes, unique address */
    return m->fai_vals + i * m->fai_stride;
}

void fa_frame_map_init(fa_frame_map *m, fa_alloc *fa, size_t value_size, size_t value_align,
                       size_t expected) {
    if (bad_handle(m)) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, m, value_size, NULL,
                  "fa_frame_map_init(%p): not a map", (void *)m);
        return;
    }
    memset(m, 0, sizeof *m);
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, m, value_size, NULL,
                  "fa_frame_map_init: NULL allocator");
        return;
    }
    /* A value size of 0 makes a set; the alignment is checked all the same. */
    if (!fai_check_request(fa, value_size != 0 ? value_size : 1, value_align, FA_MAX_ALLOC_SIZE,
                           "fa_frame_map_init", NULL))
        return;
    fai_tstate *t = fai_bind(fa);
    if (t == NULL) return;
    if (t->depth == 0) {
        fai_error(fa, FA_ERR_NO_FRAME, m, value_size, NULL,
                  "fa_frame_map_init outside any frame on this thread");
        return;
    }
    m->fai_vsize = value_size;
    m->fai_valign = value_align;
    m->fai_stride = fai_align_up(value_size, value_align);
    size_t cap = cap_for(expected), ko, vo, total;
    if (cap == 0 || !layout(m, cap, &ko, &vo, &total)) {
        fai_error(fa, FA_ERR_TOO_LARGE, m, expected, NULL,
                  "fa_frame_map_init: a map for %zu entries of %zu bytes would be larger than "
                  "FA_MAX_ALLOC_SIZE",
                  expected, value_size);
        return;
    }
    m->fai_fa = fa;
    m->fai_hint = expected;
    m->fai_scope = t->scopes[t->depth - 1].id;
    m->fai_depth = t->depth;
    m->fai_thread = t->thread_id;
    m->fai_magic = magic_of(m);
}

/* Checks of every call (a few loads next to the probe itself): handle, thread and scope. The
 * thread state, or NULL (reported). */
static fai_tstate *map_check(const fa_frame_map *m, const char *what) {
    if (bad_handle(m)) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, m, 0, NULL, "%s(%p): not a map", what,
                  (const void *)m);
        return NULL;
    }
    if (m->fai_magic != magic_of(m)) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, m, 0, NULL,
                  "%s(%p): not an initialised map (never initialised, initialisation failed, or "
                  "a copy of one: maps are used through their original struct)",
                  what, (const void *)m);
        return NULL;
    }
    fai_tstate *t = fai_bind(m->fai_fa);
    if (t == NULL) return t;
    if (m->fai_thread != t->thread_id) {
        fai_report r = {.status = FA_ERR_WRONG_THREAD, .fa = m->fai_fa, .ptr = m->fai_ctrl,
                        .alloc_thread = m->fai_thread, .current_frame = t->frame_number};
        fai_report_error(&r, "%s: map of thread %llu used on another thread", what,
                         (unsigned long long)m->fai_thread);
        return NULL;
    }
    if (!fai_scope_open(t, m->fai_depth, m->fai_scope)) {
        fai_report r = {.status = FA_ERR_USE_AFTER_FRAME, .fa = m->fai_fa, .ptr = m->fai_ctrl,
                        .current_frame = t->frame_number};
        fai_report_error(&r, "%s: the frame scope of this map has ended", what);
        return NULL;
    }
    return t;
}

/* Slot of key, or SIZE_MAX. */
static size_t find(const fa_frame_map *m, uint64_t key) {
    if (m->fai_cap == 0) return SIZE_MAX;
    size_t mask = m->fai_cap - 1;
    for (size_t i = (size_t)hash(key) & mask;; i = (i + 1) & mask) {
        unsigned char c = m->fai_ctrl[i];
        if (c == SLOT_EMPTY) return SIZE_MAX;
        if (c == SLOT_FULL && m->fai_keys[i] == key) return i;
    }
}

/* Rehashes into a table for at least n entries. */
static bool rehash(fai_tstate *t, fa_frame_map *m, size_t n) {
    size_t cap = cap_for(n), ko, vo, total;
    if (cap == 0 || !layout(m, cap, &ko, &vo, &total)) {
        fai_error(m->fai_fa, FA_ERR_TOO_LARGE, m->fai_ctrl, n, NULL,
                  "frame map of %zu entries of %zu bytes would be larger than FA_MAX_ALLOC_SIZE",
                  n, m->fai_vsize);
        return false;
    }
    bool heap = false;
    size_t got = total;
    unsigned char *mem = fai_store_alloc(t, m->fai_depth, m->fai_scope, total, &got, total,
                                         FAI_MAX(m->fai_valign, (size_t)16), &heap);
    if (mem == NULL) return false;
    memset(mem, SLOT_EMPTY, cap);
    fa_frame_map nm = *m;
    nm.fai_ctrl = mem;
    nm.fai_keys = (uint64_t *)(void *)(mem + ko);
    nm.fai_vals = mem + vo;
    nm.fai_cap = cap;
    nm.fai_tombs = 0;
    size_t mask = cap - 1;
    for (size_t i = 0; i < m->fai_cap; i++) {
        if (m->fai_ctrl[i] != SLOT_FULL) continue;
        size_t j = (size_t)hash(m->fai_keys[i]) & mask;
        while (mem[j] != SLOT_EMPTY) j = (j + 1) & mask;
        mem[j] = SLOT_FULL;
        nm.fai_keys[j] = m->fai_keys[i];
        if (m->fai_stride != 0) memcpy(value_at(&nm, j), value_at(m, i), m->fai_stride);
    }
    if (m->fai_ctrl != NULL)
        fai_store_release(t, m->fai_depth, m->fai_scope, m->fai_ctrl, m->fai_bytes,
                          (m->fai_flags & MAP_HEAP) != 0);
    nm.fai_bytes = total;
    nm.fai_flags = heap ? (m->fai_flags | MAP_HEAP) : (m->fai_flags & ~MAP_HEAP);
    *m = nm;
    return true;
}

void *fa_frame_map_put(fa_frame_map *m, uint64_t key) {
    fai_tstate *t = map_check(m, "fa_frame_map_put");
    if (t == NULL) return NULL;
    size_t i = find(m, key);
    if (i != SIZE_MAX) return value_at(m, i);
    if (m->fai_len + m->fai_tombs + 1 > m->fai_cap - m->fai_cap / 4) {
        /* Mostly tombstones: the same size, cleaned. Otherwise twice the entries. */
        size_t n = m->fai_len + 1 > m->fai_cap / 2 ? (m->fai_len + 1) * 2 : m->fai_len + 1;
        if (m->fai_cap == 0) n = FAI_MAX(n, m->fai_hint);
        if (!rehash(t, m, n)) return NULL;
    }
    size_t mask = m->fai_cap - 1;
    for (i = (size_t)hash(key) & mask; m->fai_ctrl[i] == SLOT_FULL; i = (i + 1) & mask) {}
    if (m->fai_ctrl[i] == SLOT_TOMB) m->fai_tombs--;
    m->fai_ctrl[i] = SLOT_FULL;
    m->fai_keys[i] = key;
    m->fai_len++;
    void *v = value_at(m, i);
    if (m->fai_stride != 0) memset(v, 0, m->fai_stride);
    return v;
}

void *fa_frame_map_get(const fa_frame_map *m, uint64_t key) {
    if (map_check(m, "fa_frame_map_get") == NULL) return NULL;
    size_t i = find(m, key);
    return i != SIZE_MAX ? value_at(m, i) : NULL;
}

int fa_frame_map_remove(fa_frame_map *m, uint64_t key) {
    if (map_check(m, "fa_frame_map_remove") == NULL) return 0;
    size_t i = find(m, key);
    if (i == SIZE_MAX) return 0;
    /* A slot followed by an empty one can be emptied outright: no probe runs through it. */
    bool next_empty = m->fai_ctrl[(i + 1) & (m->fai_cap - 1)] == SLOT_EMPTY;
    m->fai_ctrl[i] = next_empty ? SLOT_EMPTY : SLOT_TOMB;
    if (!next_empty) m->fai_tombs++;
    m->fai_len--;
    return 1;
}

size_t fa_frame_map_len(const fa_frame_map *m) {
    return map_check(m, "fa_frame_map_len") != NULL ? m->fai_len : 0;
}

int fa_frame_map_next(const fa_frame_map *m, size_t *pos, uint64_t *key, void **value) {
    if (pos == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, m, 0, NULL, "fa_frame_map_next: NULL position");
        return 0;
    }
    if (map_check(m, "fa_frame_map_next") == NULL) return 0;
    for (size_t i = *pos; i < m->fai_cap; i++) {
        if (m->fai_ctrl[i] != SLOT_FULL) continue;
        if (key != NULL) *key = m->fai_keys[i];
        if (value != NULL) *value = value_at(m, i);
        *pos = i + 1;
        return 1;
    }
    *pos = m->fai_cap;
    return 0;
}
