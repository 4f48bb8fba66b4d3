/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-pairing %t
//
// A frame begun with no matching end on some path to the function's exit:
// early returns, goto, break, switch cases; reported at the begin, with a
// note at the exit.

#include "engine.h"

void engine_frame_begin(arena *a) FA_BEGINS_FRAME;
void engine_frame_end(arena *a) FA_ENDS_FRAME;

void bad_early_return(arena *a, int n) {
  arena_begin(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame begun here is not ended before 'bad_early_return' returns [framealloc-frame-pairing]
  int *p = arena_alloc(a, n);
  if (!p)
    return;
  consume(p);
  arena_end(a);
}

int bad_goto(arena *a, int n) {
  arena_begin(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame begun here is not ended before 'bad_goto' returns
  if (n < 0)
    goto fail;
  consume(arena_alloc(a, n));
  arena_end(a);
  return 0;
fail:
  return -1;
}

void bad_break(arena *a, int n) {
  for (int i = 0; i < n; ++i) {
    arena_begin(a);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame begun here is not ended before 'bad_break' returns
    if (should_quit())
      break;
    arena_end(a);
  }
}

void bad_switch_case(arena *a, int mode) {
  switch (mode) {
  case 0:
    arena_begin(a);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame begun here is not ended before 'bad_switch_case' returns
    consume(arena_alloc(a, 4));
    break;
  case 1:
    arena_begin(a);
    arena_end(a);
    break;
  default:
    break;
  }
}

void bad_unconditional_begin_conditional_end(arena *a, int c) {
  arena_begin(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame begun here is not ended before 'bad_unconditional_begin_conditional_end' returns
  if (c)
    arena_end(a);
}

void bad_uncorrelated(arena *a, int c, int d) {
  if (c)
    arena_begin(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame begun here is not ended before 'bad_uncorrelated' returns
  log_msg("work\n");
  if (d)
    arena_end(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame ended here is not open in 'bad_uncorrelated'
}

// The condition changes between the begin and the end.
void bad_condition_changed(arena *a, int c) {
  if (c)
    arena_begin(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame begun here is not ended before 'bad_condition_changed' returns
  c = frame_count() > 3;
  if (c)
    arena_end(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame ended here is not open in 'bad_condition_changed'
}

void bad_nested_outer_open(arena *a) {
  arena_begin(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame begun here is not ended before 'bad_nested_outer_open' returns
  arena_begin(a);
  consume(arena_alloc(a, 8));
  arena_end(a);
}

void bad_wrappers(arena *a, int c) {
  engine_frame_begin(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame begun here is not ended before 'bad_wrappers' returns
  if (c)
    return;
  engine_frame_end(a);
}

// An FA_BEGINS_FRAME function leaves one frame open, not two.
void bad_begins_twice(arena *a) FA_BEGINS_FRAME {
  arena_begin(a);
  arena_begin(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame begun here is not ended before 'bad_begins_twice' returns
}

//===--- Not reported ---===//

void ok_straight(arena *a) {
  arena_begin(a);
  consume(arena_alloc(a, 4));
  arena_end(a);
}

void ok_nested(arena *a) {
  arena_begin(a);
  arena_begin(a);
  arena_end(a);
  arena_end(a);
}

void ok_return_before_begin(arena *a, int n) {
  if (n <= 0)
    return;
  arena_begin(a);
  consume(arena_alloc(a, n));
  arena_end(a);
}

void ok_both_branches(arena *a, int c) {
  arena_begin(a);
  if (c) {
    consume(arena_alloc(a, 4));
    arena_end(a);
  } else {
    arena_end(a);
  }
}

int ok_goto_cleanup(arena *a, int n) {
  int rc = 0;
  arena_begin(a);
  int *p = arena_alloc(a, n);
  if (!p) {
    rc = -1;
    goto out;
  }
  consume(p);
out:
  arena_end(a);
  return rc;
}

void ok_switch_all_end(arena *a, int mode) {
  arena_begin(a);
  switch (mode) {
  case 0:
    consume(arena_alloc(a, 4));
    arena_end(a);
    break;
  case 1:
    arena_end(a);
    return;
  default:
    arena_end(a);
    break;
  }
}

void ok_wrappers(arena *a) {
  engine_frame_begin(a);
  consume(arena_alloc(a, 4));
  engine_frame_end(a);
}

// Frame-begin and frame-end wrappers: their contract is the imbalance.
void ok_begin_wrapper(arena *a) FA_BEGINS_FRAME { arena_begin(a); }
void ok_end_wrapper(arena *a) FA_ENDS_FRAME { arena_end(a); }

// Paths that never return do not leave a frame open.
void ok_fatal_path(arena *a, int n) {
  arena_begin(a);
  int *p = arena_alloc(a, n);
  if (!p)
    fatal("out of frame memory");
  consume(p);
  arena_end(a);
}

void ok_no_analysis(arena *a) FA_NO_FRAME_ANALYSIS { arena_begin(a); }

void ok_return_after_end(arena *a, int n) {
  for (int i = 0; i < n; ++i) {
    arena_begin(a);
    if (should_quit()) {
      arena_end(a);
      return;
    }
    arena_end(a);
  }
}
