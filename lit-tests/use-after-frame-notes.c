/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-use-after-frame %t
//
// The notes of a use after the frame ended: allocation and end sites, and the
// loop hint when the end comes later in the source (an earlier iteration).

#include "engine.h"

void bad_straight(arena *a) {
  arena_begin(a);
  vec3 *v = arena_vec3s(a, 1);
  arena_end(a);
  v->x = 1.0f;
}
// CHECK-NOTES: :[[@LINE-2]]:3: warning: 'v' used after its frame ended [framealloc-use-after-frame]
// CHECK-NOTES: :[[@LINE-5]]:13: note: frame memory allocated here
// CHECK-NOTES: :[[@LINE-5]]:3: note: frame ended here

void bad_loop(arena *a, int n) {
  int *keep = NULL;
  for (int i = 0; i < n; ++i) {
    arena_begin(a);
    if (keep)
      *keep += i;
    else
      keep = arena_alloc(a, 4);
    arena_end(a);
  }
}
// CHECK-NOTES: :[[@LINE-6]]:8: warning: 'keep' used after its frame ended
// CHECK-NOTES: :[[@LINE-5]]:14: note: frame memory allocated here
// CHECK-NOTES: :[[@LINE-5]]:5: note: frame ended here, in an earlier loop iteration
