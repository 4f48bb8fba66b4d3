/* SPDX-License-Identifier: MIT */
/* Uses the installed headers and library: frames, pools, heap, transfer, annotations. */
#include <framealloc.h>
#include <framealloc/annotations.h>

#include <stdio.h>
#include <string.h>

static int *make_scratch(fa_alloc *fa, int n) FA_RETURNS_FRAME;
static int *make_scratch(fa_alloc *fa, int n) { return FA_FRAME_ARRAY(fa, int, n); }

int main(void) {
    fa_alloc *fa = fa_create(NULL);
    if (fa == NULL) return 1;
    fa_begin_frame(fa);
    int *a = make_scratch(fa, 100);
    for (int i = 0; i < 100; i++) a[i] = i;
    fa_transfer *t = fa_transfer_create(fa, a, 100 * sizeof *a);
    fa_end_frame(fa);
    int *copy = fa_transfer_receive(t);
    int ok = copy != NULL && copy[99] == 99;
    fa_transfer_free(t);
    void *p = fa_pool_alloc(fa, 48);
    void *h = fa_heap_alloc(fa, 1 << 16, 64);
    ok = ok && p != NULL && h != NULL && ((uintptr_t)h & 63) == 0;
    fa_pool_free(fa, p);
    fa_heap_free(fa, h);
    fa_destroy(fa);
    printf("consumer: %s (FA_DEBUG=%d, library debug level %d)\n", ok ? "ok" : "FAILED", FA_DEBUG,
           fa_debug_level());
    return ok ? 0 : 1;
}
