/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-pairing %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-frame-pairing %t-cxx -- -- -x c++ -std=c++17
//
// Frames unwound by a loop whose condition counts them: a counter of begins
// or the frame depth compared with a snapshot.

#include <framealloc.h>

void ok_unwind_by_depth(fa_alloc *fa, int k) {
  unsigned base = fa_frame_depth(fa);
  for (int i = 0; i < k; i++)
    fa_begin_frame(fa);
  while (fa_frame_depth(fa) > base)
    fa_end_frame(fa);
}

void ok_unwind_conditional_by_depth(fa_alloc *fa, int a, int b) {
  unsigned base = fa_frame_depth(fa);
  fa_begin_frame(fa);
  if (a)
    fa_begin_frame(fa);
  if (b)
    fa_begin_frame(fa);
  while (fa_frame_depth(fa) > base)
    fa_end_frame(fa);
}

void ok_unwind_by_counter(fa_alloc *fa, int k) {
  int opened = 0;
  for (int i = 0; i < k; i++) {
    fa_begin_frame(fa);
    opened++;
  }
  while (opened-- > 0)
    fa_end_frame(fa);
}

void ok_outer_frame_survives(fa_alloc *fa, int k) {
  fa_begin_frame(fa);
  unsigned base = fa_frame_depth(fa);
  for (int i = 0; i < k; i++)
    fa_begin_frame(fa);
  while (fa_frame_depth(fa) > base)
    fa_end_frame(fa);
  fa_end_frame(fa);
}

// A loop bounded by an unrelated count does not unwind anything.
void bad_end_n_times(fa_alloc *fa, int n) {
  fa_begin_frame(fa);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame begun here is not ended before 'bad_end_n_times' returns [framealloc-frame-pairing]
  for (int i = 0; i < n; ++i)
    fa_end_frame(fa);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame ended here is not open in 'bad_end_n_times' [framealloc-frame-pairing]
}

void bad_unwind_then_end_again(fa_alloc *fa, int k) {
  unsigned base = fa_frame_depth(fa);
  for (int i = 0; i < k; i++)
    fa_begin_frame(fa);
  while (fa_frame_depth(fa) > base)
    fa_end_frame(fa);
  fa_end_frame(fa);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame ended here is not open in 'bad_unwind_then_end_again' [framealloc-frame-pairing]
}
