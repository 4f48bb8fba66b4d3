/* SPDX-License-Identifier: MIT */
// The fix-it inserts the project's macro (ReturnsFrameMacro), and only when the
// translation unit defines it.
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t -- \
// RUN:   -config="{CheckOptions: [{key: framealloc-frame-escape.ReturnsFrameMacro, value: ENGINE_FRAME_RESULT}]}"
// RUN: %check_framealloc_tidy -check-suffix=UNDEF %s framealloc-frame-escape %t-undef -- \
// RUN:   -config="{CheckOptions: [{key: framealloc-frame-escape.ReturnsFrameMacro, value: NOT_DEFINED_ANYWHERE}]}"

#include "engine.h"

#define ENGINE_FRAME_RESULT FA_RETURNS_FRAME

vec3 *bad_make(arena *a, int n) {
  return arena_vec3s(a, n);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_make'
  // CHECK-MESSAGES-UNDEF: :[[@LINE-2]]:10: warning: frame memory returned from 'bad_make'
}
// CHECK-FIXES: vec3 *bad_make(arena *a, int n) ENGINE_FRAME_RESULT {
// CHECK-FIXES-UNDEF: vec3 *bad_make(arena *a, int n) {
