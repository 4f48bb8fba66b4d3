/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t
//
// FA_LONG_LIVED on a field, a variable (or parameter) or a record type says
// the object outlives every frame, so frame memory stored there escapes even
// when this function does not end the frame.

#include "engine.h"

typedef struct cache {
  vec3 *points FA_LONG_LIVED;
  vec3 *scratch; // cleared every frame by the owner
  int n;
} cache;

struct FA_LONG_LIVED registry {
  const char *names[8];
  int count;
};

typedef struct level {
  struct registry reg;
  cache *c;
} level;

void bad_long_lived_field(cache *c, arena *a) {
  c->points = arena_vec3s(a, 16);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in long-lived 'c->points' outlives its frame [framealloc-frame-escape]
}

void bad_long_lived_type(struct registry *r, arena *a, const char *name) {
  r->names[r->count++] = arena_strdup(a, name);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in long-lived 'r->names' outlives its frame
}

void bad_long_lived_param(cache *c FA_LONG_LIVED, arena *a) {
  c->scratch = arena_vec3s(a, 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in long-lived 'c->scratch' outlives its frame
}

void bad_long_lived_nested(level *l, arena *a) {
  l->reg.names[0] = arena_strdup(a, "tmp");
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in long-lived 'l->reg.names' outlives its frame
}

void bad_long_lived_local_pointer(level *l, arena *a) {
  cache *c = l->c;
  c->points = arena_vec3s(a, 2);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in long-lived 'c->points' outlives its frame
}

void bad_long_lived_in_frame(cache *c, arena *a) {
  arena_begin(a);
  vec3 *tmp = arena_vec3s(a, 8);
  c->points = tmp;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in long-lived 'c->points' outlives its frame
  arena_end(a);
}

//===--- Not reported ---===//

void ok_unmarked_field(cache *c, arena *a) { c->scratch = arena_vec3s(a, 4); }

void ok_long_lived_heap(cache *c) { c->points = heap_alloc(16 * sizeof(vec3)); }

void ok_long_lived_copy(cache *c, arena *a) {
  vec3 *tmp = arena_vec3s(a, 4);
  tmp[0].x = 1.0f;
  c->points = heap_copy(tmp, 4 * sizeof(vec3));
}

void ok_long_lived_cleared(cache *c, arena *a) {
  c->points = arena_vec3s(a, 4);
  consume(c->points);
  c->points = NULL;
}

void ok_long_lived_count(struct registry *r, arena *a) {
  int *n = arena_alloc(a, sizeof(int));
  *n = 3;
  r->count = *n;
}
