/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-pairing %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-frame-pairing %t-cxx -- -- -x c++ -std=c++17
//
// A begin wrapper that returns success: no frame is open on its failure edge.

#include <framealloc.h>

typedef struct engine { fa_alloc *fa; } engine;

int engine_begin(engine *e) FA_BEGINS_FRAME;
void engine_end(engine *e) FA_ENDS_FRAME;
fa_status engine_begin_status(engine *e) FA_BEGINS_FRAME;

void ok_early_return(engine *e) {
  if (!engine_begin(e))
    return;
  int *p = (int *)fa_frame_alloc(e->fa, 4, 4);
  *p = 1;
  engine_end(e);
}

void ok_result_in_variable(engine *e) {
  int ok = engine_begin(e);
  if (ok == 0)
    return;
  engine_end(e);
}

void ok_status(engine *e) {
  if (engine_begin_status(e) != FA_OK)
    return;
  engine_end(e);
}

void bad_missing_end(engine *e, int c) {
  if (!engine_begin(e))
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: frame begun here is not ended before 'bad_missing_end' returns [framealloc-frame-pairing]
    return;
  if (c)
    return;
  engine_end(e);
}
