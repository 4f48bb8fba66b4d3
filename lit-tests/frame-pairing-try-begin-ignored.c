/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-pairing %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-frame-pairing %t-cxx -- -- -x c++ -std=c++17
//
// A begin wrapper that may decline (it returns a flag or a status) whose
// result is thrown away: when it declines, the unconditional end ends a frame
// this function never began (the caller's).

#include <framealloc.h>
#include <stdbool.h>

typedef struct renderer {
  fa_alloc *fa;
  int budget_left;
} renderer;

bool renderer_try_begin(renderer *r) FA_BEGINS_FRAME;
fa_status renderer_begin_checked(renderer *r) FA_BEGINS_FRAME;
void renderer_end(renderer *r) FA_ENDS_FRAME;
void draw_world(renderer *r);

void bad_ignored(renderer *r) {
  renderer_try_begin(r);
  draw_world(r);
  renderer_end(r);
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: frame ended here may not be open: 'renderer_try_begin' may decline to begin it and its result is not tested [framealloc-frame-pairing]
  // CHECK-NOTES: :[[@LINE-4]]:3: note: result of 'renderer_try_begin' ignored here
}

void bad_cast_to_void(renderer *r) {
  (void)renderer_begin_checked(r);
  draw_world(r);
  renderer_end(r);
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: frame ended here may not be open: 'renderer_begin_checked' may decline to begin it and its result is not tested [framealloc-frame-pairing]
  // CHECK-NOTES: :[[@LINE-4]]:9: note: result of 'renderer_begin_checked' ignored here
}

/* --- Tested: quiet -------------------------------------------------------- */

void ok_tested(renderer *r) {
  if (!renderer_try_begin(r))
    return;
  draw_world(r);
  renderer_end(r);
}

void ok_tested_later(renderer *r) {
  bool began = renderer_try_begin(r);
  if (began)
    draw_world(r);
  if (began)
    renderer_end(r);
}

void ok_status(renderer *r) {
  if (renderer_begin_checked(r) != FA_OK)
    return;
  draw_world(r);
  renderer_end(r);
}

/* Plain begin functions return nothing to test. */
void ok_void_begin(fa_alloc *fa) {
  fa_begin_frame(fa);
  fa_end_frame(fa);
}
