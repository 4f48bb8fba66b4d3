/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-pairing %t -- -- -x c -std=gnu11
//
// A keyed scope ended by a cleanup variable (GNU C) while a scope begun later
// on the same arena is still open: leaving the function leaves that later
// scope open, reported at its begin with a note at the return, like a plain
// begin left open.

#include "temp_arena.h"

static void temp_release(Temp *t) FA_ENDS_FRAME_ON(t);
static void temp_release(Temp *t) { temp_end(*t); }

#define SCOPED_TEMP(name, arena)                                               \
  __attribute__((cleanup(temp_release))) Temp name = temp_begin(arena)

int bad_inner_left_open(Arena *a, const char *path) {
  SCOPED_TEMP(t, a);
  Temp inner = temp_begin(a);
  char *buf = (char *)arena_push(a, 64);
  if (!read_file(path, buf, 64))
    return -1;
  temp_end(inner);
  return 0;
}
// CHECK-NOTES: :[[@LINE-7]]:16: warning: frame begun here is not ended before 'bad_inner_left_open' returns [framealloc-frame-pairing]
// CHECK-NOTES: :[[@LINE-5]]:5: note: 'bad_inner_left_open' returns here with the frame still open

int ok_inner_closed(Arena *a, const char *path) {
  SCOPED_TEMP(t, a);
  Temp inner = temp_begin(a);
  char *buf = (char *)arena_push(a, 64);
  int ok = read_file(path, buf, 64);
  temp_end(inner);
  return ok ? 0 : -1;
}

/* An explicit end of the outer token first is still the LIFO mistake. */
void bad_outer_ended_first(Arena *a) {
  Temp outer = temp_begin(a);
  Temp inner = temp_begin(a);
  temp_end(outer);
  temp_end(inner);
}
// CHECK-NOTES: :[[@LINE-3]]:3: warning: scope of 'outer' ended while a scope begun later on the same arena is still open [framealloc-frame-pairing]
// CHECK-NOTES: :[[@LINE-5]]:16: note: that scope was begun here; end it first
// CHECK-NOTES: :[[@LINE-4]]:3: warning: frame ended here is not open in 'bad_outer_ended_first' [framealloc-frame-pairing]
// CHECK-NOTES: :[[@LINE-6]]:3: note: scope of 'inner' already ended here
