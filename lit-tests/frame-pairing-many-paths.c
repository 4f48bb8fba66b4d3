/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t-cxx -- -- -x c++ -std=c++17
//
// More path states than are kept apart (eight nested correlated frames):
// states with different frames are joined into one that reports no pairing
// mistake, and the rest of the function is still checked.

#include <framealloc.h>

void nested_flags(fa_alloc *fa, const int *c) {
  fa_begin_frame(fa);
  int *p = (int *)fa_frame_alloc(fa, 4, 4);
  fa_end_frame(fa);
  if (c[0]) fa_begin_frame(fa);
  if (c[1]) fa_begin_frame(fa);
  if (c[2]) fa_begin_frame(fa);
  if (c[3]) fa_begin_frame(fa);
  if (c[4]) fa_begin_frame(fa);
  if (c[5]) fa_begin_frame(fa);
  if (c[6]) fa_begin_frame(fa);
  if (c[7]) fa_begin_frame(fa);
  *p = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:4: warning: 'p' used after its frame ended [framealloc-use-after-frame]
  if (c[7]) fa_end_frame(fa);
  if (c[6]) fa_end_frame(fa);
  if (c[5]) fa_end_frame(fa);
  if (c[4]) fa_end_frame(fa);
  if (c[3]) fa_end_frame(fa);
  if (c[2]) fa_end_frame(fa);
  if (c[1]) fa_end_frame(fa);
  if (c[0]) fa_end_frame(fa);
}

// Few states: kept apart, and the mistake is found.
void few_flags(fa_alloc *fa, int a, int b) {
  if (a) fa_begin_frame(fa);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame begun here is not ended before 'few_flags' returns [framealloc-frame-pairing]
  if (b) fa_begin_frame(fa);
  if (b) fa_end_frame(fa);
}
