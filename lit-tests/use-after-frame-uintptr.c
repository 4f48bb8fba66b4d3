/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-use-after-frame %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-use-after-frame %t-cxx -- -- -x c++ -std=c++17
//
// An address converted to an integer and printed or compared after the end
// reads no frame memory; a dereference does.

#include <framealloc.h>
#include <stdint.h>
#include <stdio.h>

uintptr_t g_id;

void ok_print_and_compare(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *p = (char *)fa_frame_alloc(fa, 4, 1);
  fa_end_frame(fa);
  printf("%lx\n", (unsigned long)(uintptr_t)p);
  if ((uintptr_t)p == 0)
    printf("null\n");
  g_id = (uintptr_t)p;
}

void bad_deref(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *p = (char *)fa_frame_alloc(fa, 4, 1);
  fa_end_frame(fa);
  printf("%d\n", *p);
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'p' used after its frame ended [framealloc-use-after-frame]
}
