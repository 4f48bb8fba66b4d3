/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t-cxx -- -- -x c++ -std=c++17
//
// A local pointer only ever set to the address of an element (`e =
// &emitters[i]`) names the elements: frame memory stored through it, or by
// a helper given it, is in the array, and a loop clearing a field of every
// element (`emitters[i].burst = NULL`) clears it.

#include "engine.h"

typedef struct emitter {
  float rate;
  float *burst;
  int count;
} emitter;

typedef struct world {
  emitter *items;
  int n;
} world;

static emitter emitters[16];

static void fill_burst(emitter *e, arena *a, int n) {
  e->burst = (float *)arena_alloc(a, sizeof(float) * (size_t)n);
  e->count = n;
}

void ok_helper_fill_then_clear_loop(arena *a, int n) {
  arena_begin(a);
  for (int i = 0; i < n; ++i) {
    emitter *e = &emitters[i];
    fill_burst(e, a, 8);
  }
  for (int i = 0; i < n; ++i)
    emitters[i].burst = NULL;
  arena_end(a);
}

void ok_cursor_then_clear_loop(world *w, arena *a) {
  arena_begin(a);
  emitter *e = NULL;
  for (int i = 0; i < w->n; ++i) {
    e = &w->items[i];
    e->burst = (float *)arena_alloc(a, 64);
    consume(e->burst);
  }
  for (int i = 0; i < w->n; ++i)
    w->items[i].burst = NULL;
  arena_end(a);
}

void bad_stored_through_cursor(arena *a, int n) {
  arena_begin(a);
  for (int i = 0; i < n; ++i) {
    emitter *e = &emitters[i];
    e->burst = (float *)arena_alloc(a, 64);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame memory stored in 'emitters.burst' outlives its frame [framealloc-frame-escape]
  }
  arena_end(a);
}

void bad_read_after_end_through_cursor(arena *a, int n) {
  arena_begin(a);
  for (int i = 0; i < n; ++i)
    fill_burst(&emitters[i], a, 4);
  arena_end(a);
  for (int i = 0; i < n; ++i) {
    emitter *e = &emitters[i];
    consume(e->burst);
    // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'e->burst' passed to 'consume' after its frame ended [framealloc-use-after-frame]
  }
  for (int i = 0; i < n; ++i)
    emitters[i].burst = NULL;
}

/* A pointer that moves between two arrays names neither for sure: its
 * stores stay its own, as before (a local's pointee is the caller's). */
void bad_cursor_over_two_arrays(world *w, arena *a, int which) {
  arena_begin(a);
  emitter *e = which ? &emitters[0] : &w->items[0];
  e->burst = (float *)arena_alloc(a, 64);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'e->burst' outlives its frame [framealloc-frame-escape]
  for (int i = 0; i < 16; ++i)
    emitters[i].burst = NULL;
  arena_end(a);
}
