/* SPDX-License-Identifier: MIT */
/* A consumer translation unit with one known lifetime bug: frame memory kept in a global. */
#include <framealloc.h>

static int *g_last_scratch;

int update(fa_alloc *fa) {
    fa_begin_frame(fa);
    int *scratch = FA_FRAME_ARRAY(fa, int, 16);
    int sum = 0;
    if (scratch != NULL) {
        for (int i = 0; i < 16; i++) scratch[i] = i;
        for (int i = 0; i < 16; i++) sum += scratch[i];
        g_last_scratch = scratch; /* the known bug */
    }
    fa_end_frame(fa);
    return sum;
}
