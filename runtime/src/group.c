// SPDX-License-Identifier: MIT
/*
 * group.c - allocation groups (fa_group): many objects of one lifetime, freed together.
 *
 * A group bump-allocates from blocks it takes from the C library: 64 KiB first, each next one
 * twice the last up to 1 MiB; a request larger than a quarter of that gets a block of its own,
 * so the current block keeps serving small ones. fa_group_free_all releases every block but the
 * first (which it rewinds), fa_group_destroy all of them: O(number of blocks), never a free per
 * object. The descriptor is a pool object of fa, so any handle is checked without trusting it.
 *
 * Debug builds fill freed group memory (FAI_GROUP_FREED) and, under ASan/valgrind, make the
 * rewound first block unaddressable until handed out again.
 *
 * Statistics: fa_stats.group_bytes (handed out), group_reserved (block bytes), group_count.
 *
 * Threading: any thread may use any group; each group has its own lock (taken per call), and
 * fa->group_lock guards the allocator's list of groups. Destroying a group while another
 * thread allocates from it is a race of the program (reported when it is seen, not prevented).
 */
#include "internal.h"

#include "track.h"

#include <stdio.h>
#include <stdlib.h>

#define GROUP_MAGIC 0x666167726f757021ull /* "fagroup!" */
#define GROUP_FILL_ALLOC 0xCA
#define GROUP_FILL_FREED 0xCD
#define GROUP_FIRST ((size_t)64 << 10)
#define GROUP_MAX_BLOCK ((size_t)1 << 20)

typedef struct fai_gblock {
    struct fai_gblock *next;
    size_t size;              /* usable bytes after the header */
    uintptr_t used_end;       /* bump position when the group moved on (debug fills) */
    uintptr_t pad;
} fai_gblock;

struct fa_group {
    uint64_t magic;
    fa_alloc *fa;
    fai_mutex lock;
    struct fa_group *next, *prev;   /* fa->groups */
    fai_gblock *first;              /* the block free_all keeps */
    fai_gblock *cur;                /* block being bumped (head of the rest) */
    fai_gblock *big;                /* dedicated blocks of large requests */
    uintptr_t pos, end;
    size_t next_size;
    _Atomic size_t bytes, reserved, objects;
    char name[32];
};

static uintptr_t block_start(fai_gblock *b) { return (uintptr_t)(b + 1); }

static fa_group *group_check(fa_group *g, const char *what) {
    fa_alloc *owner = NULL;
    if (g == NULL || !fai_pool_in_any_segment(g, &owner) ||
        fai_pool_object_state(owner, g) != FAI_POBJ_START || g->magic != GROUP_MAGIC) {
        fai_error(owner, FA_ERR_INVALID_ARGUMENT, g, 0, NULL,
                  "%s(%p): not a live allocation group (never created, or destroyed)", what,
                  (void *)g);
        return NULL;
    }
    return g;
}

static fai_gblock *block_new(fa_group *g, size_t size) {
    fai_gblock *b = malloc(sizeof *b + size);
    if (b == NULL) return NULL;
    b->size = size;
    b->next = NULL;
    b->used_end = block_start(b);
    FAI_STORE(g->reserved, FAI_LOAD(g->reserved) + size);
    atomic_fetch_add(&g->fa->group_blocks, size);
    if (FAI_DEBUG) memset((void *)block_start(b), GROUP_FILL_FREED, size);
    fai_track_close((void *)block_start(b), size);
    return b;
}

static void block_free(fa_group *g, fai_gblock *b) {
    FAI_STORE(g->reserved, FAI_LOAD(g->reserved) - b->size);
    atomic_fetch_sub(&g->fa->group_blocks, b->size);
    free(b);
}

fa_group *fa_group_create(fa_alloc *fa, const char *name) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_group_create: NULL allocator");
        return NULL;
    }
    fa_group *g = fa_pool_alloc_aligned_at(fa, sizeof *g, 16, NULL);
    if (g == NULL) return NULL;
    memset(g, 0, sizeof *g);
    g->fa = fa;
    fai_mutex_init(&g->lock);
    snprintf(g->name, sizeof g->name, "%s", name != NULL ? name : "");
    g->next_size = GROUP_FIRST;
    g->magic = GROUP_MAGIC;
    fai_mutex_lock(&fa->group_lock);
    g->next = fa->groups;
    if (g->next != NULL) g->next->prev = g;
    fa->groups = g;
    fai_mutex_unlock(&fa->group_lock);
    atomic_fetch_add(&fa->group_count, 1);
    return g;
}

/* Locked: a dedicated block for one large request, or a new current block. */
static void *alloc_slow(fa_group *g, size_t size, size_t align) {
    size_t need = size + (align > 16 ? align : 0);
    if (need > GROUP_MAX_BLOCK / 4) {
        fai_gblock *b = block_new(g, need);
        if (b == NULL) return NULL;
        b->next = g->big;
        g->big = b;
        uintptr_t p = fai_align_up(block_start(b), align);
        b->used_end = p + size;
        return (void *)p;
    }
    size_t bs = FAI_MAX(g->next_size, need);
    fai_gblock *b = block_new(g, bs);
    if (b == NULL) return NULL;
    g->next_size = FAI_MIN(bs * 2, GROUP_MAX_BLOCK);
    if (g->cur != NULL) g->cur->used_end = g->pos;
    if (g->first == NULL) {
        g->first = b;
    } else {
        /* The new block goes right after the first, so free_all finds the rest as one chain. */
        b->next = g->first->next;
        g->first->next = b;
    }
    g->cur = b;
    uintptr_t p = fai_align_up(block_start(b), align);
    g->pos = p + size;
    g->end = block_start(b) + bs;
    return (void *)p;
}

void *fa_group_alloc(fa_group *g, size_t size, size_t align) {
    if (group_check(g, "fa_group_alloc") == NULL) return NULL;
    if (!fai_check_request(g->fa, size, align, FA_MAX_ALLOC_SIZE, "fa_group_alloc", NULL))
        return NULL;
    fai_mutex_lock(&g->lock);
    uintptr_t p = fai_align_up(g->pos, align);
    void *r;
    if (g->cur != NULL && p >= g->pos && p <= g->end && size <= g->end - p) {
        g->pos = p + size;
        r = (void *)p;
    } else {
        r = alloc_slow(g, size, align);
    }
    if (r != NULL) {
        FAI_STORE(g->bytes, FAI_LOAD(g->bytes) + size);
        FAI_STORE(g->objects, FAI_LOAD(g->objects) + 1);
    }
    fai_mutex_unlock(&g->lock);
    if (r == NULL) {
        fai_error(g->fa, FA_ERR_OUT_OF_MEMORY, g, size, NULL,
                  "group \"%s\": out of memory for a block of %zu bytes", g->name, size);
        return NULL;
    }
    fai_track_open(r, size);
    if (FAI_DEBUG) memset(r, GROUP_FILL_ALLOC, size);
    fai_track_undefined(r, size);
    return r;
}

/* Locked: releases every block but the first, which is rewound. */
static void release_blocks(fa_group *g, bool all) {
    fai_gblock *rest = g->first != NULL ? g->first->next : NULL;
    if (g->cur != NULL) g->cur->used_end = g->pos;
    for (fai_gblock *b = g->big; b != NULL;) {
        fai_gblock *next = b->next;
        if (FAI_DEBUG) {
            fai_track_open((void *)block_start(b), b->size);
            memset((void *)block_start(b), GROUP_FILL_FREED, b->size);
        }
        block_free(g, b);
        b = next;
    }
    g->big = NULL;
    for (fai_gblock *b = rest; b != NULL;) {
        fai_gblock *next = b->next;
        if (FAI_DEBUG) {
            fai_track_open((void *)block_start(b), b->size);
            memset((void *)block_start(b), GROUP_FILL_FREED, b->used_end - block_start(b));
        }
        block_free(g, b);
        b = next;
    }
    fai_gblock *f = g->first;
    if (f != NULL) {
        f->next = NULL;
        size_t used = (size_t)(f->used_end - block_start(f));
        fai_track_open((void *)block_start(f), used);
        if (FAI_DEBUG) memset((void *)block_start(f), GROUP_FILL_FREED, used);
        fai_track_close((void *)block_start(f), used);
        f->used_end = block_start(f);
        if (all) {
            block_free(g, f);
            f = NULL;
        }
    }
    g->first = g->cur = f;
    g->pos = f != NULL ? block_start(f) : 0;
    g->end = f != NULL ? block_start(f) + f->size : 0;
    g->next_size = f != NULL ? FAI_MIN(f->size * 2, GROUP_MAX_BLOCK) : GROUP_FIRST;
    FAI_STORE(g->bytes, 0);
    FAI_STORE(g->objects, 0);
}

void fa_group_free_all(fa_group *g) {
    if (group_check(g, "fa_group_free_all") == NULL) return;
    fai_mutex_lock(&g->lock);
    release_blocks(g, false);
    fai_mutex_unlock(&g->lock);
}

static void group_free(fa_group *g, bool unlink) {
    fa_alloc *fa = g->fa;
    if (unlink) {
        fai_mutex_lock(&fa->group_lock);
        if (g->prev != NULL) g->prev->next = g->next;
        else fa->groups = g->next;
        if (g->next != NULL) g->next->prev = g->prev;
        fai_mutex_unlock(&fa->group_lock);
    }
    fai_mutex_lock(&g->lock);
    release_blocks(g, true);
    g->magic = 0;
    fai_mutex_unlock(&g->lock);
    fai_mutex_destroy(&g->lock);
    atomic_fetch_sub(&fa->group_count, 1);
    fa_pool_free_at(fa, g, NULL);
}

void fa_group_destroy(fa_group *g) {
    if (group_check(g, "fa_group_destroy") == NULL) return;
    group_free(g, true);
}

size_t fa_group_bytes(fa_group *g) {
    return group_check(g, "fa_group_bytes") != NULL ? FAI_LOAD(g->bytes) : 0;
}

void fai_group_destroy_all(fa_alloc *fa) {
    fai_mutex_lock(&fa->group_lock);
    fa_group *g = fa->groups;
    fa->groups = NULL;
    fai_mutex_unlock(&fa->group_lock);
    while (g != NULL) {
        fa_group *next = g->next;
        group_free(g, false);
        g = next;
    }
}

void fai_group_stats(fa_alloc *fa, size_t *bytes, size_t *reserved, size_t *count) {
    size_t b = 0;
    fai_mutex_lock(&fa->group_lock);
    for (fa_group *g = fa->groups; g != NULL; g = g->next) b += FAI_LOAD(g->bytes);
    fai_mutex_unlock(&fa->group_lock);
    *bytes = b;
    *reserved = atomic_load(&fa->group_blocks);
    *count = atomic_load(&fa->group_count);
}
