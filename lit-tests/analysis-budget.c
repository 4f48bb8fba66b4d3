/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t-c -- -config="{CheckOptions: [{key: MaxStepsPerFunction, value: 3}]}" -- -x c -std=c11
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t-cxx -- -config="{CheckOptions: [{key: MaxStepsPerFunction, value: 3}]}" -- -x c++ -std=c++17
// RUN: %check_framealloc_tidy -check-suffix=WARN %s 'framealloc-*' %t-w -- -config="{CheckOptions: [{key: MaxStepsPerFunction, value: 3}, {key: WarnOnAnalysisBudget, value: true}]}" -- -x c -std=c11
//
// A function past its step budget is never skipped silently: its path states
// are joined, the analysis goes on, and a remark (a warning under
// WarnOnAnalysisBudget) names the function.

#include <framealloc.h>

void big(fa_alloc *fa, int a, int b, int c) {
  // CHECK-MESSAGES: :[[@LINE-1]]:6: remark: 'big' exceeded the analysis budget of 3 steps (MaxStepsPerFunction): its paths were joined, so frame-pairing mistakes in it may be missed
  // CHECK-MESSAGES-WARN: :[[@LINE-2]]:6: warning: 'big' exceeded the analysis budget of 3 steps (MaxStepsPerFunction)
  fa_begin_frame(fa);
  int *p = (int *)fa_frame_alloc(fa, 4, 4);
  if (a)
    p[0] = 1;
  if (b)
    p[0] = 2;
  if (c)
    p[0] = 3;
  fa_end_frame(fa);
  p[0] = 5;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'p' used after its frame ended [framealloc-use-after-frame]
  // CHECK-MESSAGES-WARN: :[[@LINE-2]]:3: warning: 'p' used after its frame ended [framealloc-use-after-frame]
}
