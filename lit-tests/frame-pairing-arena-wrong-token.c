/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t-cxx -- -- -x c++ -std=c++17
//
// Arena-keyed scopes: the token names the scope it ends. Ending a token
// twice, ending the outer token of a nest first, or ending one arena's token
// where another's was meant are pairing mistakes.

#include "temp_arena.h"

void bad_twice(Arena *a) {
  Temp t = temp_begin(a);
  consume(arena_push(a, 16));
  temp_end(t);
  temp_end(t);
}
// CHECK-NOTES: :[[@LINE-2]]:3: warning: frame ended here is not open in 'bad_twice' [framealloc-frame-pairing]
// CHECK-NOTES: :[[@LINE-4]]:3: note: scope of 't' already ended here

/* The outer token ended while the inner scope on the same arena is open:
 * the arena rewinds past both. */
int bad_outer_first(Arena *a, int n) {
  Temp outer = temp_begin(a);
  Temp inner = temp_begin(a);
  int *tmp = (int *)arena_push(a, n * sizeof(int));
  tmp[0] = n;
  temp_end(outer);
  temp_end(inner);
  return n;
}
// CHECK-NOTES: :[[@LINE-4]]:3: warning: scope of 'outer' ended while a scope begun later on the same arena is still open [framealloc-frame-pairing]
// CHECK-NOTES: :[[@LINE-8]]:16: note: that scope was begun here; end it first
// CHECK-NOTES: :[[@LINE-5]]:3: warning: frame ended here is not open in 'bad_outer_first' [framealloc-frame-pairing]
// CHECK-NOTES: :[[@LINE-7]]:3: note: scope of 'inner' already ended here

/* The level token ended twice, the scratch token never. */
void bad_wrong_arena_token(Arena *level, const char *name) {
  Temp lt = temp_begin(level);
  Temp st = temp_begin(&g_scratch);
  char *s = arena_strdup(&g_scratch, name);
  log_text(s);
  temp_end(lt);
  temp_end(lt);
}
// CHECK-NOTES: :[[@LINE-6]]:13: warning: frame begun here is not ended before 'bad_wrong_arena_token' returns [framealloc-frame-pairing]
// CHECK-NOTES: :[[@LINE-2]]:1: note: 'bad_wrong_arena_token' reaches its end here with the frame still open
// CHECK-NOTES: :[[@LINE-4]]:3: warning: frame ended here is not open in 'bad_wrong_arena_token' [framealloc-frame-pairing]
// CHECK-NOTES: :[[@LINE-6]]:3: note: scope of 'lt' already ended here

/* A token of the caller's scope ended by a helper not declared to end it. */
void bad_end_callers_token(Temp t) {
  consume(t.arena);
  temp_end(t);
}
// CHECK-NOTES: :[[@LINE-2]]:3: warning: frame ended here is not open in 'bad_end_callers_token' [framealloc-frame-pairing]
// CHECK-NOTES: :[[@LINE-5]]:6: note: declare 'bad_end_callers_token' FA_ENDS_FRAME if it ends its caller's frame

/* Declared to end the caller's scope: fine. */
void ok_finish(Temp t) FA_ENDS_FRAME_ON(t);
void ok_finish(Temp t) {
  log_text("done");
  temp_end(t);
}
