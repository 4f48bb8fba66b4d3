/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-cxx -- -- -x c++ -std=c++17
//
// A pointer tested against NULL before an early exit holds no frame memory on
// the null edge, whatever was stored in it on other paths.

#include <framealloc.h>
#include <stddef.h>

typedef struct item { int v; } item;
typedef struct work {
  item *items FA_LONG_LIVED;
  item *cache FA_LONG_LIVED;
  int n;
} work;

void ok_null_exit(work *w, fa_alloc *fa) {
  fa_begin_frame(fa);
  w->items = (item *)fa_frame_alloc(fa, sizeof(item), 8);
  if (!w->items) {
    fa_end_frame(fa);
    return;
  }
  w->items[0].v = 1;
  w->items = NULL;
  fa_end_frame(fa);
}

void ok_eq_null_exit(work *w, fa_alloc *fa) {
  fa_begin_frame(fa);
  w->cache = (item *)fa_frame_alloc(fa, sizeof(item), 8);
  if (w->cache == NULL) {
    fa_end_frame(fa);
    return;
  }
  w->cache = NULL;
  fa_end_frame(fa);
}

void ok_guard_before_begin(work *w, fa_alloc *fa) {
  if (!w->items)
    return;
  fa_begin_frame(fa);
  item *t = (item *)fa_frame_alloc(fa, sizeof(item) * w->n, 8);
  for (int i = 0; i < w->n; i++)
    t[i] = w->items[i];
  fa_end_frame(fa);
}

// The non-null path still leaves the field dangling.
void bad_non_null_path(work *w, fa_alloc *fa) {
  fa_begin_frame(fa);
  w->items = (item *)fa_frame_alloc(fa, sizeof(item), 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in long-lived 'w->items' outlives its frame [framealloc-frame-escape]
  if (w->items != NULL) {
    fa_end_frame(fa);
    return;
  }
  fa_end_frame(fa);
}
