/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-pairing %t
//
// Unbalanced begin/end counts across loop iterations, double ends and ends
// with no open frame.

#include "engine.h"

void bad_begin_in_loop_end_after(arena *a, int n) {
  for (int i = 0; i < n; ++i)
    arena_begin(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame begun in a loop is not ended before the next iteration begins it again [framealloc-frame-pairing]
  arena_end(a);
  // When the loop runs no iteration, nothing is open here.
  // CHECK-MESSAGES: :[[@LINE-2]]:3: warning: frame ended here is not open in 'bad_begin_in_loop_end_after'
}

void bad_continue_skips_end(arena *a, int n) {
  for (int i = 0; i < n; ++i) {
    arena_begin(a);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame begun here is not ended before 'bad_continue_skips_end' returns
    // CHECK-MESSAGES: :[[@LINE-2]]:5: warning: frame begun in a loop is not ended before the next iteration begins it again
    if (i % 2)
      continue;
    arena_end(a);
  }
}

void bad_end_in_loop(arena *a, int n) {
  arena_begin(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame begun here is not ended before 'bad_end_in_loop' returns
  for (int i = 0; i < n; ++i)
    arena_end(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame ended here is not open in 'bad_end_in_loop' [framealloc-frame-pairing]
}

void bad_double_end(arena *a) {
  arena_begin(a);
  arena_end(a);
  arena_end(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame ended here is not open in 'bad_double_end'
}

void bad_conditional_begin(arena *a, int c) {
  if (c)
    arena_begin(a);
  arena_end(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame ended here is not open in 'bad_conditional_begin'
}

// An FA_ENDS_FRAME function ends one frame of its caller, not two.
void bad_ends_twice(arena *a) FA_ENDS_FRAME {
  arena_end(a);
  arena_end(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame ended here is not open in 'bad_ends_twice'
}

void bad_while_loop_unbalanced(arena *a) {
  while (!should_quit()) {
    arena_begin(a);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame begun here is not ended before 'bad_while_loop_unbalanced' returns
    // CHECK-MESSAGES: :[[@LINE-2]]:5: warning: frame begun in a loop is not ended before the next iteration begins it again
    if (frame_count() % 60 == 0)
      arena_end(a);
  }
}

//===--- Not reported ---===//

void ok_game_loop(arena *a) {
  for (;;) {
    arena_begin(a);
    consume(arena_alloc(a, 16));
    arena_end(a);
    if (should_quit())
      break;
  }
}

void ok_do_while(arena *a) {
  do {
    arena_begin(a);
    arena_end(a);
  } while (!should_quit());
}

void ok_nested_loops(arena *a, int n, int m) {
  for (int i = 0; i < n; ++i) {
    arena_begin(a);
    for (int j = 0; j < m; ++j) {
      arena_begin(a);
      consume(arena_alloc(a, 4));
      arena_end(a);
    }
    arena_end(a);
  }
}

void ok_end_then_begin_in_loop(arena *a, int n) {
  arena_begin(a);
  for (int i = 0; i < n; ++i) {
    arena_end(a);
    arena_begin(a);
  }
  arena_end(a);
}

void ok_continue_after_end(arena *a, int n) {
  for (int i = 0; i < n; ++i) {
    arena_begin(a);
    if (i % 2) {
      arena_end(a);
      continue;
    }
    consume(arena_alloc(a, 4));
    arena_end(a);
  }
}
