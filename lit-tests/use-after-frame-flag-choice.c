/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-use-after-frame %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-use-after-frame %t-cxx -- -- -x c++ -std=c++17
//
// A flag chooses frame or heap memory and is tested again after the end: the
// paths that disagree on the flag are kept apart at the merges.

#include <framealloc.h>
#include <stdio.h>
#include <stdlib.h>

void ok_flag_retested(fa_alloc *fa, int n) {
  int use_frame = n < 100;
  char *buf;
  if (use_frame) {
    fa_begin_frame(fa);
    buf = (char *)fa_frame_alloc(fa, n, 1);
  } else {
    buf = (char *)malloc(n);
  }
  buf[0] = 0;
  if (use_frame)
    fa_end_frame(fa);
  if (!use_frame) {
    printf("%d\n", buf[0]);
    free(buf);
  }
}

void bad_wrong_branch(fa_alloc *fa, int n) {
  int use_frame = n < 100;
  char *buf;
  if (use_frame) {
    fa_begin_frame(fa);
    buf = (char *)fa_frame_alloc(fa, n, 1);
  } else {
    buf = (char *)malloc(n);
  }
  if (use_frame)
    fa_end_frame(fa);
  if (use_frame)
    printf("%d\n", buf[0]);
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'buf' used after its frame ended [framealloc-use-after-frame]
  else
    free(buf);
}
