/* SPDX-License-Identifier: MIT */
/*
 * tagged.c - tagged allocator handles (fa_tagged): a subsystem's frame, pool and heap
 * allocations charged to its tag without the caller pushing or popping.
 *
 * A call switches the calling thread's current tag to the handle's for the one allocation and
 * back, through the same boundary charge the tag stack uses (tags.c, fai_tag_switch): frame
 * bytes allocated before the call stay charged to the thread's tag, the allocation's go to the
 * handle's; a pool object comes from a page of the handle's tag; a heap block records it. The
 * thread's tag stack is never touched, so a handle used inside any push/pop nesting (or past
 * its 16-deep limit) leaves it exactly as it was. When the current tag already is the handle's
 * the call goes straight to the ordinary entry point.
 *
 * Threading: any thread; the switch is of the calling thread's own state.
 */
#include "internal.h"

fa_tagged fa_tagged_get(fa_alloc *fa, const char *name) {
    fa_tagged h = {fa, fa_tag_register(fa, name)};
    return h;
}

fa_tagged fa_tagged_from_tag(fa_alloc *fa, fa_tag tag) {
    fa_tagged h = {fa, tag};
    return h;
}

enum tagged_kind {
    TAGGED_FRAME,
    TAGGED_POOL,
    TAGGED_POOL_ALIGNED,
    TAGGED_HEAP,
    TAGGED_REALLOC,
    TAGGED_MALLOC,
    TAGGED_CALLOC,
    TAGGED_GENERAL_REALLOC
};

static void *dispatch(enum tagged_kind kind, fa_alloc *fa, void *p, size_t size, size_t align) {
    switch (kind) {
    case TAGGED_FRAME: return fa_frame_alloc_at(fa, size, align, NULL);
    case TAGGED_POOL: return fa_pool_alloc_at(fa, size, NULL);
    case TAGGED_POOL_ALIGNED: return fa_pool_alloc_aligned_at(fa, size, align, NULL);
    case TAGGED_HEAP: return fa_heap_alloc_at(fa, size, align, NULL);
    case TAGGED_REALLOC: return fa_heap_realloc_at(fa, p, size, NULL);
    case TAGGED_MALLOC: return fa_malloc(fa, size);
    case TAGGED_CALLOC: return fa_calloc(fa, align, size); /* align carries the count */
    case TAGGED_GENERAL_REALLOC: return fa_realloc(fa, p, size);
    }
    return NULL;
}

static const char *const kind_name[] = {"fa_tagged_frame_alloc", "fa_tagged_pool_alloc",
                                        "fa_tagged_pool_alloc_aligned", "fa_tagged_heap_alloc",
                                        "fa_tagged_heap_realloc", "fa_tagged_malloc",
                                        "fa_tagged_calloc", "fa_tagged_realloc"};

static void *tagged_alloc(fa_tagged h, enum tagged_kind kind, void *p, size_t size,
                          size_t align) {
    /* A NULL allocator goes through: the entry point reports it. */
    if (h.fa == NULL) return dispatch(kind, NULL, p, size, align);
    if (h.tag >= atomic_load(&h.fa->tag_count)) {
        fai_error(h.fa, FA_ERR_INVALID_ARGUMENT, p, size, NULL, "%s: unknown tag %u",
                  kind_name[kind], h.tag);
        return NULL;
    }
    fai_tstate *t = fai_bind(h.fa);
    if (t == NULL || t->cur_tag == h.tag) return dispatch(kind, h.fa, p, size, align);
    fa_tag saved = t->cur_tag;
    fai_tag_switch(t, h.tag);
    void *q = dispatch(kind, h.fa, p, size, align);
    fai_tag_switch(t, saved);
    return q;
}

void *fa_tagged_frame_alloc(fa_tagged h, size_t size, size_t align) {
    return tagged_alloc(h, TAGGED_FRAME, NULL, size, align);
}

void *fa_tagged_pool_alloc(fa_tagged h, size_t size) {
    return tagged_alloc(h, TAGGED_POOL, NULL, size, 0);
}

void *fa_tagged_pool_alloc_aligned(fa_tagged h, size_t size, size_t align) {
    return tagged_alloc(h, TAGGED_POOL_ALIGNED, NULL, size, align);
}

void *fa_tagged_heap_alloc(fa_tagged h, size_t size, size_t align) {
    return tagged_alloc(h, TAGGED_HEAP, NULL, size, align);
}

void *fa_tagged_heap_realloc(fa_tagged h, void *p, size_t size) {
    return tagged_alloc(h, TAGGED_REALLOC, p, size, 0);
}

void *fa_tagged_malloc(fa_tagged h, size_t size) {
    return tagged_alloc(h, TAGGED_MALLOC, NULL, size, 0);
}

void *fa_tagged_calloc(fa_tagged h, size_t n, size_t size) {
    return tagged_alloc(h, TAGGED_CALLOC, NULL, size, n);
}

void *fa_tagged_realloc(fa_tagged h, void *p, size_t size) {
    return tagged_alloc(h, TAGGED_GENERAL_REALLOC, p, size, 0);
}

/* The quiet forms: the same switch inside error.c's quiet mode (see try.c). */
static void *quiet(fa_tagged h, enum tagged_kind kind, size_t size, size_t align,
                   fa_status *why) {
    fai_quiet q = fai_quiet_begin();
    void *p = tagged_alloc(h, kind, NULL, size, align);
    fa_status st = fai_quiet_end(q);
    if (p == NULL && st == FA_OK) st = FA_ERR_OUT_OF_MEMORY;
    if (p != NULL) st = FA_OK;
    if (why != NULL) *why = st;
    return p;
}

void *fa_tagged_try_frame_alloc(fa_tagged h, size_t size, size_t align, fa_status *why) {
    return quiet(h, TAGGED_FRAME, size, align, why);
}

void *fa_tagged_try_pool_alloc(fa_tagged h, size_t size, fa_status *why) {
    return quiet(h, TAGGED_POOL, size, 0, why);
}

void *fa_tagged_try_heap_alloc(fa_tagged h, size_t size, size_t align, fa_status *why) {
    return quiet(h, TAGGED_HEAP, size, align, why);
}
