/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
//
// A keyed annotation whose argument names no parameter is reported at each
// call, and the call falls back to the implicit stack.

#include <framealloc/annotations.h>
#include <stddef.h>

typedef struct Arena Arena;
typedef struct Mark {
  Arena *arena;
  size_t pos;
} Mark;

Mark mark_begin(Arena *arena) FA_BEGINS_FRAME_ON(a);
void mark_end(Mark m) FA_ENDS_FRAME_ON(3);
void *mark_push(Arena *arena, size_t n) FA_RETURNS_FRAME_OF(arena);
void consume(const void *p);

void bad_misnamed(Arena *a) {
  Mark m = mark_begin(a);
  consume(mark_push(a, 8));
  mark_end(m);
}
// CHECK-MESSAGES: :[[@LINE-4]]:12: warning: 'mark_begin' is declared FA_BEGINS_FRAME_ON(a), which names none of its parameters; the call is treated as unkeyed [framealloc-frame-pairing]
// CHECK-MESSAGES: :[[@LINE-3]]:3: warning: 'mark_end' is declared FA_ENDS_FRAME_ON(3), which names none of its parameters; the call is treated as unkeyed [framealloc-frame-pairing]
