/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-use-after-frame %t
//
// Frame memory kept from one loop iteration to the next, when every iteration
// is a frame.

#include "engine.h"

typedef struct mesh {
  vec3 *verts;
  int n;
} mesh;

void bad_cached_across_frames(arena *a, int frames) {
  vec3 *cache = NULL;
  for (int f = 0; f < frames; ++f) {
    arena_begin(a);
    if (!cache)
      cache = arena_vec3s(a, 16);
    cache[0].x = (float)f;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'cache' used after its frame ended [framealloc-use-after-frame]
    arena_end(a);
  }
}

void bad_previous_frame(arena *a) {
  int *prev = NULL;
  while (!should_quit()) {
    arena_begin(a);
    int *cur = arena_alloc(a, 4);
    if (prev)
      *cur = *prev + 1;
    // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'prev' used after its frame ended
    prev = cur;
    arena_end(a);
  }
}

void bad_after_loop(arena *a, int n) {
  vec3 *last = NULL;
  for (int i = 0; i < n; ++i) {
    arena_begin(a);
    last = arena_vec3s(a, 1);
    last->x = (float)i;
    arena_end(a);
  }
  if (last)
    consume(last);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'last' passed to 'consume' after its frame ended
}

void bad_do_while(arena *a) {
  mesh m = {NULL, 0};
  do {
    arena_begin(a);
    if (m.n == 0) {
      m.verts = arena_vec3s(a, 8);
      m.n = 8;
    }
    m.verts[0].y = 1.0f;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'm.verts' used after its frame ended
    arena_end(a);
  } while (!should_quit());
}

void bad_inner_loop_frames(arena *a, int n) {
  int *acc = NULL;
  arena_begin(a);
  for (int i = 0; i < n; ++i) {
    arena_begin(a);
    if (i == 0)
      acc = arena_alloc(a, 4);
    *acc += i;
    // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: 'acc' used after its frame ended
    arena_end(a);
  }
  arena_end(a);
}

//===--- Not reported ---===//

void ok_per_iteration(arena *a, int frames) {
  for (int f = 0; f < frames; ++f) {
    arena_begin(a);
    vec3 *v = arena_vec3s(a, 4);
    v[0].x = (float)f;
    consume(v);
    arena_end(a);
  }
}

void ok_reallocated_each_frame(arena *a) {
  vec3 *scratch = NULL;
  while (!should_quit()) {
    arena_begin(a);
    scratch = arena_vec3s(a, 16);
    scratch[0].z = 0.0f;
    arena_end(a);
  }
}

void ok_reset_each_frame(arena *a, int frames) {
  int *p = NULL;
  for (int f = 0; f < frames; ++f) {
    arena_begin(a);
    if (!p)
      p = arena_alloc(a, 4);
    *p = f;
    arena_end(a);
    p = NULL;
  }
}

void ok_outer_frame_across_inner(arena *a, int n) {
  arena_begin(a);
  int *acc = arena_alloc(a, 4);
  *acc = 0;
  for (int i = 0; i < n; ++i) {
    arena_begin(a);
    int *tmp = arena_alloc(a, 4);
    *tmp = i;
    *acc += *tmp;
    arena_end(a);
  }
  consume(acc);
  arena_end(a);
}

void ok_heap_across_frames(arena *a, int frames) {
  int *total = heap_alloc(sizeof(int));
  for (int f = 0; f < frames; ++f) {
    arena_begin(a);
    int *tmp = arena_alloc(a, 4);
    *tmp = f;
    *total += *tmp;
    arena_end(a);
  }
  heap_free(total);
}
