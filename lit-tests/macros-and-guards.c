/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
//
// Frames opened by API macros (for-loop scopes, cleanup-attribute guards) and
// allocation macros: plain CFG to the analysis; reports point at the macro's
// use in the user's code.

#include "engine.h"

#define FRAME_SCOPE(a) for (int frame_once_ = (arena_begin(a), 0); !frame_once_; frame_once_ = (arena_end(a), 1))
#define NEW(a, T) ((T *)arena_alloc((a), sizeof(T)))

void end_guard(arena **a) FA_ENDS_FRAME;
#define FRAME_GUARD(a) __attribute__((cleanup(end_guard))) arena *frame_guard_ = (arena_begin(a), (a))

void ok_for_scope(arena *a) {
  FRAME_SCOPE(a) {
    vec3 *v = NEW(a, vec3);
    v->x = 1.0f;
  }
}

void ok_cleanup_guard(arena *a, int n) {
  FRAME_GUARD(a);
  int *p = arena_alloc(a, (size_t)n);
  if (!p)
    return;
  consume(p);
}

void bad_after_for_scope(arena *a) {
  vec3 *keep = NULL;
  FRAME_SCOPE(a) { keep = NEW(a, vec3); }
  keep->y = 2.0f;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'keep' used after its frame ended [framealloc-use-after-frame]
}

int *bad_macro_alloc_returned(arena *a) {
  return NEW(a, int);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_macro_alloc_returned', which is not declared FA_RETURNS_FRAME [framealloc-frame-escape]
}
// CHECK-FIXES: int *bad_macro_alloc_returned(arena *a) FA_RETURNS_FRAME {

static vec3 *g_last;
void bad_escape_from_guard(arena *a) {
  FRAME_GUARD(a);
  g_last = NEW(a, vec3);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_last' outlives its frame [framealloc-frame-escape]
}
