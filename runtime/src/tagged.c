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

/* The calling thread's tag, switched to a handle's for one call and back. */
typedef struct tag_switch {
    fai_tstate *t; /* NULL: nothing switched (NULL allocator, no thread state, same tag) */
    fa_tag saved;
} tag_switch;

/* False (reported) when the handle's tag is unknown. A NULL allocator passes: the entry point
 * the caller goes on to reports it. */
static bool enter(fa_tagged h, const char *what, const void *p, size_t size, tag_switch *sw) {
    sw->t = NULL;
    if (h.fa == NULL) return true;
    if (h.tag >= atomic_load(&h.fa->tag_count)) {
        fai_error(h.fa, FA_ERR_INVALID_ARGUMENT, p, size, NULL, "%s: unknown tag %u", what,
                  h.tag);
        return false;
    }
    fai_tstate *t = fai_bind(h.fa);
    if (t == NULL || t->cur_tag == h.tag) return true;
    sw->t = t;
    sw->saved = t->cur_tag;
    fai_tag_switch(t, h.tag);
    return true;
}

static void leave(const tag_switch *sw) {
    if (sw->t != NULL) fai_tag_switch(sw->t, sw->saved);
}

void *fa_tagged_frame_alloc(fa_tagged h, size_t size, size_t align) {
    tag_switch sw;
    if (!enter(h, "fa_tagged_frame_alloc", NULL, size, &sw)) return NULL;
    void *p = fa_frame_alloc_at(h.fa, size, align, NULL);
    leave(&sw);
    return p;
}

void *fa_tagged_pool_alloc(fa_tagged h, size_t size) {
    tag_switch sw;
    if (!enter(h, "fa_tagged_pool_alloc", NULL, size, &sw)) return NULL;
    void *p = fa_pool_alloc_at(h.fa, size, NULL);
    leave(&sw);
    return p;
}

void *fa_tagged_pool_alloc_aligned(fa_tagged h, size_t size, size_t align) {
    tag_switch sw;
    if (!enter(h, "fa_tagged_pool_alloc_aligned", NULL, size, &sw)) return NULL;
    void *p = fa_pool_alloc_aligned_at(h.fa, size, align, NULL);
    leave(&sw);
    return p;
}

void *fa_tagged_heap_alloc(fa_tagged h, size_t size, size_t align) {
    tag_switch sw;
    if (!enter(h, "fa_tagged_heap_alloc", NULL, size, &sw)) return NULL;
    void *p = fa_heap_alloc_at(h.fa, size, align, NULL);
    leave(&sw);
    return p;
}

void *fa_tagged_heap_realloc(fa_tagged h, void *p, size_t size) {
    tag_switch sw;
    if (!enter(h, "fa_tagged_heap_realloc", p, size, &sw)) return NULL;
    void *q = fa_heap_realloc_at(h.fa, p, size, NULL);
    leave(&sw);
    return q;
}

void *fa_tagged_malloc(fa_tagged h, size_t size) {
    tag_switch sw;
    if (!enter(h, "fa_tagged_malloc", NULL, size, &sw)) return NULL;
    void *p = fa_malloc(h.fa, size);
    leave(&sw);
    return p;
}

void *fa_tagged_calloc(fa_tagged h, size_t n, size_t size) {
    tag_switch sw;
    if (!enter(h, "fa_tagged_calloc", NULL, size, &sw)) return NULL;
    void *p = fa_calloc(h.fa, n, size);
    leave(&sw);
    return p;
}

void *fa_tagged_realloc(fa_tagged h, void *p, size_t size) {
    tag_switch sw;
    if (!enter(h, "fa_tagged_realloc", p, size, &sw)) return NULL;
    void *q = fa_realloc(h.fa, p, size);
    leave(&sw);
    return q;
}

/* The quiet forms: the same calls inside error.c's quiet mode (see try.c). */
void *fa_tagged_try_frame_alloc(fa_tagged h, size_t size, size_t align, fa_status *why) {
    fai_quiet q = fai_quiet_begin();
    void *p = fa_tagged_frame_alloc(h, size, align);
    return fai_try_finish(p, q, why);
}

void *fa_tagged_try_pool_alloc(fa_tagged h, size_t size, fa_status *why) {
    fai_quiet q = fai_quiet_begin();
    void *p = fa_tagged_pool_alloc(h, size);
    return fai_try_finish(p, q, why);
}

void *fa_tagged_try_heap_alloc(fa_tagged h, size_t size, size_t align, fa_status *why) {
    fai_quiet q = fai_quiet_begin();
    void *p = fa_tagged_heap_alloc(h, size, align);
    return fai_try_finish(p, q, why);
}
