/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-cxx -- -- -x c++ -std=c++17
//
// A slot that outlives the frame is an escape only if it still points into
// the frame when the function returns: `fa_end_frame(fa); s->p = NULL;` is
// like `free(p); p = NULL;`.

#include <framealloc.h>
#include <stddef.h>

typedef struct scene {
  float *scratch;
  float *other;
} scene;

float *g_last;

void ok_field_cleared(fa_alloc *fa, scene *s) {
  fa_begin_frame(fa);
  float *p = (float *)fa_frame_alloc(fa, 16, 8);
  s->scratch = p;
  p[0] = 1;
  fa_end_frame(fa);
  p = NULL;
  s->scratch = NULL;
}

void ok_global_cleared(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_last = (float *)fa_frame_alloc(fa, 16, 8);
  g_last[0] = 2;
  fa_end_frame(fa);
  g_last = NULL;
}

static void reset_scene(scene *s) {
  s->scratch = NULL;
  s->other = NULL;
}

void ok_cleared_by_helper(fa_alloc *fa, scene *s) {
  fa_begin_frame(fa);
  s->scratch = (float *)fa_frame_alloc(fa, 16, 8);
  s->scratch[0] = 1;
  reset_scene(s);
  fa_end_frame(fa);
}

static void maybe_reset(scene *s, int c) {
  if (c)
    return;
  s->scratch = NULL;
}

void bad_not_cleared(fa_alloc *fa, scene *s) {
  fa_begin_frame(fa);
  s->scratch = (float *)fa_frame_alloc(fa, 16, 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 's->scratch' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void bad_cleared_on_one_path(fa_alloc *fa, int c) {
  fa_begin_frame(fa);
  g_last = (float *)fa_frame_alloc(fa, 16, 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_last' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
  if (c)
    g_last = NULL;
}

void bad_helper_may_return_early(fa_alloc *fa, scene *s, int c) {
  fa_begin_frame(fa);
  s->scratch = (float *)fa_frame_alloc(fa, 16, 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 's->scratch' outlives its frame [framealloc-frame-escape]
  maybe_reset(s, c);
  fa_end_frame(fa);
}
