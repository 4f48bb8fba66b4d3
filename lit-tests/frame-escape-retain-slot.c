/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
//
// FA_RETAIN_SLOT (fa_frame_retain's slot): the slot is copied out of the frame
// when the scope ends, so storing frame memory in it is not an escape.

#include "engine.h"

int retain(arena *a, void **slot FA_RETAIN_SLOT, size_t n);

typedef struct nav_cache {
  vec3 *mesh;
} nav_cache;

void ok_retained(nav_cache *c, arena *a) {
  arena_begin(a);
  c->mesh = arena_vec3s(a, 64);
  retain(a, (void **)&c->mesh, 64 * sizeof(vec3));
  arena_end(a);
}

void bad_not_retained(nav_cache *c, arena *a) {
  arena_begin(a);
  c->mesh = arena_vec3s(a, 64);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'c->mesh' outlives its frame [framealloc-frame-escape]
  consume(c->mesh);
  arena_end(a);
}

void bad_stored_after_retain(nav_cache *c, arena *a) {
  arena_begin(a);
  c->mesh = arena_vec3s(a, 64);
  retain(a, (void **)&c->mesh, 64 * sizeof(vec3));
  c->mesh = arena_vec3s(a, 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'c->mesh' outlives its frame [framealloc-frame-escape]
  arena_end(a);
}
