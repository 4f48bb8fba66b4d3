/* SPDX-License-Identifier: MIT */
// Main file only by default; AnalyzeHeaders also analyzes bodies in
// non-system headers (shown with --header-filter).
// RUN: %check_framealloc_tidy -check-suffix=MAIN %s framealloc-frame-escape %t-main -- --header-filter=.* -- -I%inputs/headers
// RUN: %check_framealloc_tidy -check-suffix=HEADERS %s framealloc-frame-escape %t-headers -- --header-filter=.* \
// RUN:   -config="{CheckOptions: [{key: framealloc-frame-escape.AnalyzeHeaders, value: true}]}" -- -I%inputs/headers

#include "scene.h"

int *bad_in_main(arena *a) FA_NO_FRAME_ANALYSIS { return scene_scratch(a); }

void *bad_main_file(arena *a) {
  int *p = arena_alloc(a, 4);
  return p;
  // CHECK-MESSAGES-MAIN: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_main_file'
  // CHECK-MESSAGES-HEADERS: :[[@LINE-2]]:10: warning: frame memory returned from 'bad_main_file'
}
// CHECK-MESSAGES-HEADERS: scene.h:6:53: warning: frame memory returned from 'scene_scratch', which is not declared FA_RETURNS_FRAME
// CHECK-FIXES-MAIN: void *bad_main_file(arena *a) FA_RETURNS_FRAME {
// CHECK-FIXES-HEADERS: void *bad_main_file(arena *a) FA_RETURNS_FRAME {
