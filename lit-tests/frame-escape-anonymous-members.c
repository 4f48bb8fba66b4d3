/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-cxx -- -- -x c++ -std=c++17
//
// Fields of anonymous structs and unions are named through their parent.

#include <framealloc.h>

typedef struct style {
  int kind;
  union {
    float *wideConstraints;
    struct {
      float *narrow;
    };
  };
} style;

void bad_anonymous_union(style *color, fa_alloc *fa) {
  fa_begin_frame(fa);
  color->wideConstraints = (float *)fa_frame_alloc(fa, 16, 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'color->wideConstraints' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

style g_style;

void bad_nested_anonymous(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_style.narrow = (float *)fa_frame_alloc(fa, 16, 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'g_style.narrow' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}
