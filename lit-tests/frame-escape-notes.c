/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t
//
// The notes: where the memory was allocated and where the frame ended (or
// where the function returns with a global still pointing into a frame).

#include "engine.h"

typedef struct query {
  int *items;
} query;
int *g_items;

void bad_store(query *q, arena *a) {
  arena_begin(a);
  int *tmp = arena_alloc(a, 4);
  q->items = tmp;
  arena_end(a);
  // CHECK-NOTES: :[[@LINE-2]]:3: warning: frame memory stored in 'q->items' outlives its frame [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-4]]:14: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE-3]]:3: note: frame ended here while 'q->items' still points into it
}

void bad_global(arena *a) {
  g_items = arena_alloc(a, 4);
  consume(g_items);
}
// CHECK-NOTES: :[[@LINE-3]]:3: warning: frame memory stored in global 'g_items' outlives its frame
// CHECK-NOTES: :[[@LINE-4]]:13: note: frame memory allocated here
// CHECK-NOTES: :[[@LINE-3]]:1: note: 'g_items' still points to frame memory when 'bad_global' returns

int *bad_return(arena *a) {
  int *p = arena_alloc(a, 4);
  return p;
  // CHECK-NOTES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_return', which is not declared FA_RETURNS_FRAME
  // CHECK-NOTES: :[[@LINE-3]]:12: note: frame memory allocated here
}
// CHECK-FIXES: int *bad_return(arena *a) FA_RETURNS_FRAME {
