/* SPDX-License-Identifier: MIT */
/*
 * mistakes/query_returned_after_end.c - WRONG ON PURPOSE. The correct version: ecs/ecs.c.
 *
 * The query constructor opens its own frame, collects the matching entities into it, closes
 * the frame and returns the query. The entity list died with that frame before the caller sees
 * it. Fix: let the caller's frame own the list (build it inside the frame the caller opened and
 * declare the constructor FA_RETURNS_FRAME).
 *
 * expect-analyzer: framealloc-use-after-frame
 * expect-runtime: FA_ERR_USE_AFTER_FRAME
 */
#include <framealloc.h>

#include <stdio.h>

typedef struct Query {
    uint32_t *entities;
    size_t count;
} Query;

static Query query_new(fa_alloc *fa, size_t n) {
    fa_begin_frame(fa);
    Query q;
    q.entities = FA_FRAME_ARRAY(fa, uint32_t, n);
    for (size_t i = 0; i < n; ++i) q.entities[i] = (uint32_t)i;
    q.count = n;
    fa_end_frame(fa);
    return q; /* the list was released one line above */
}

int main(void) {
    fa_alloc *fa = fa_create(NULL);
    Query q = query_new(fa, 1000);
    uint64_t sum = 0;
    for (size_t i = 0; i < q.count; i++) sum += q.entities[i];
    printf("sum %llu\n", (unsigned long long)sum);
    fa_destroy(fa);
    return 0;
}
