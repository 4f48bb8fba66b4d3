/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-cxx -- -- -x c++ -std=c++17
//
// An array of frame pointers cleared element by element in a loop over its
// index before the end holds no frame memory afterwards.

#include <framealloc.h>
#include <stddef.h>

typedef struct holder {
  float *slots[4];
} holder;

void ok_cleared_in_loop(fa_alloc *fa, holder *h) {
  fa_begin_frame(fa);
  for (int i = 0; i < 4; i++)
    h->slots[i] = (float *)fa_frame_alloc(fa, 4, 4);
  for (int i = 0; i < 4; i++)
    h->slots[i] = NULL;
  fa_end_frame(fa);
}

void ok_cleared_after_end(fa_alloc *fa, holder *h) {
  fa_begin_frame(fa);
  for (int i = 0; i < 4; ++i)
    h->slots[i] = (float *)fa_frame_alloc(fa, 4, 4);
  fa_end_frame(fa);
  for (int i = 0; i < 4; ++i) {
    h->slots[i] = NULL;
  }
}

void bad_one_element_cleared(fa_alloc *fa, holder *h) {
  fa_begin_frame(fa);
  for (int i = 0; i < 4; i++)
    h->slots[i] = (float *)fa_frame_alloc(fa, 4, 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame memory stored in 'h->slots' outlives its frame [framealloc-frame-escape]
  h->slots[0] = NULL;
  fa_end_frame(fa);
}
