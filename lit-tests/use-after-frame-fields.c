/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-use-after-frame %t
//
// Frame pointers held in struct fields, structs passed by value or by pointer
// to const, structs filled by scratch helpers of this file, and results of
// FA_RETURNS_FRAME helpers.

#include "engine.h"

typedef struct scratch {
  vec3 *positions;
  vec3 *velocities;
  int n;
} scratch;

typedef struct view {
  const vec3 *data;
  int offset, len;
} view;

float sum_view(view v);
float sum_scratch(const scratch *s);
void step_scratch(scratch *s);

// Helpers of this file: the analysis summarizes what they do.
static void scratch_init(scratch *s, arena *a, int n) {
  s->positions = arena_vec3s(a, n);
  s->velocities = arena_vec3s(a, n);
  s->n = n;
}
vec3 *make_positions(arena *a, int n) FA_RETURNS_FRAME;

float bad_field(arena *a) {
  scratch s;
  arena_begin(a);
  s.positions = arena_vec3s(a, 4);
  arena_end(a);
  return s.positions[0].x;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 's.positions' used after its frame ended [framealloc-use-after-frame]
}

float bad_struct_by_value(arena *a) {
  view v = {NULL, 0, 4};
  arena_begin(a);
  v.data = arena_vec3s(a, 4);
  arena_end(a);
  return sum_view(v);
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'v' passed to 'sum_view' after its frame ended
}

float bad_struct_const_pointer(arena *a) {
  scratch s = {NULL, NULL, 0};
  arena_begin(a);
  s.velocities = arena_vec3s(a, 4);
  arena_end(a);
  return sum_scratch(&s);
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: '&s' passed to 'sum_scratch' after its frame ended
}

float bad_filled_by_helper(arena *a) {
  scratch s;
  arena_begin(a);
  scratch_init(&s, a, 8);
  arena_end(a);
  return s.velocities[1].y;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 's.velocities' used after its frame ended
}

float bad_struct_copy(arena *a) {
  scratch s, t;
  arena_begin(a);
  s.positions = arena_vec3s(a, 2);
  t = s;
  arena_end(a);
  return t.positions->x;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 't.positions' used after its frame ended
}

float bad_initializer(arena *a) {
  arena_begin(a);
  view v = {.data = arena_vec3s(a, 8), .offset = 2, .len = 4};
  arena_end(a);
  return v.data[v.offset].z;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'v.data' used after its frame ended
}

float bad_returns_frame_helper(arena *a) {
  arena_begin(a);
  vec3 *p = make_positions(a, 16);
  arena_end(a);
  return p[3].x;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'p' used after its frame ended
}

typedef struct node {
  struct node *next;
  int value;
} node;

int bad_linked_list(arena *a) {
  arena_begin(a);
  node *head = arena_alloc(a, sizeof(node));
  head->next = arena_alloc(a, sizeof(node));
  head->value = 1;
  arena_end(a);
  return head->value;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'head' used after its frame ended
}

//===--- Not reported ---===//

// The scratch pattern: filled and used inside one frame.
void ok_scratch(arena *a) {
  scratch s;
  arena_begin(a);
  scratch_init(&s, a, 16);
  step_scratch(&s);
  arena_end(a);
}

// Reinitialized through a non-const pointer in the next frame.
void ok_reinitialized(arena *a, int frames) {
  scratch s = {NULL, NULL, 0};
  for (int f = 0; f < frames; ++f) {
    arena_begin(a);
    scratch_init(&s, a, 4);
    step_scratch(&s);
    arena_end(a);
  }
}

void ok_field_reassigned(arena *a) {
  view v;
  arena_begin(a);
  v.data = arena_vec3s(a, 4);
  arena_end(a);
  v.data = NULL;
  v.len = 0;
  consume(v.data);
}

float ok_value_field(arena *a) {
  scratch s;
  arena_begin(a);
  s.n = 3;
  s.positions = arena_vec3s(a, 3);
  arena_end(a);
  return (float)s.n;
}

float ok_temporary_view(arena *a) {
  arena_begin(a);
  vec3 *all = arena_vec3s(a, 1000);
  view visible = {all + 100, 100, 100};
  float r = sum_view(visible);
  arena_end(a);
  return r;
}
