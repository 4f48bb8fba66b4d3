/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-pairing %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-frame-pairing %t-cxx -- -- -x c++ -std=c++17
//
// Begin and end in two switch statements on the same unchanged value.

#include <framealloc.h>
#include <stdio.h>

enum mode { MODE_A, MODE_B, MODE_C };

void ok_two_switches(fa_alloc *fa, enum mode m) {
  switch (m) {
  case MODE_A:
    fa_begin_frame(fa);
    break;
  case MODE_B:
    break;
  default:
    break;
  }
  printf("x\n");
  switch (m) {
  case MODE_A:
    fa_end_frame(fa);
    break;
  default:
    break;
  }
}

void ok_switch_then_if(fa_alloc *fa, int m) {
  switch (m) {
  case 2:
    fa_begin_frame(fa);
    break;
  default:
    break;
  }
  if (m == 2)
    fa_end_frame(fa);
}

void bad_value_changed(fa_alloc *fa, enum mode m) {
  switch (m) {
  case MODE_A:
    fa_begin_frame(fa);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame begun here is not ended before 'bad_value_changed' returns [framealloc-frame-pairing]
    break;
  default:
    break;
  }
  /* After the assignment the second switch cannot take MODE_A: its end
   * never runs, and the frame stays open. */
  m = MODE_B;
  switch (m) {
  case MODE_A:
    fa_end_frame(fa);
    break;
  default:
    break;
  }
}

void bad_other_case(fa_alloc *fa, enum mode m) {
  switch (m) {
  case MODE_A:
    fa_begin_frame(fa);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame begun here is not ended before 'bad_other_case' returns [framealloc-frame-pairing]
    break;
  default:
    break;
  }
  switch (m) {
  case MODE_B:
    fa_end_frame(fa);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame ended here is not open in 'bad_other_case' [framealloc-frame-pairing]
    break;
  default:
    break;
  }
}
