/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t
//
// Frame memory returned from functions not declared FA_RETURNS_FRAME. When the
// memory is still live at the return (it belongs to the caller's frame), the
// fix is the annotation, inserted after the declarator.

#include "engine.h"

typedef struct span {
  vec3 *data;
  int n;
} span;

int *bad_direct(arena *a) { return arena_alloc(a, sizeof(int)); }
// CHECK-MESSAGES: :[[@LINE-1]]:36: warning: frame memory returned from 'bad_direct', which is not declared FA_RETURNS_FRAME [framealloc-frame-escape]
// CHECK-FIXES: int *bad_direct(arena *a) FA_RETURNS_FRAME { return arena_alloc(a, sizeof(int)); }

vec3 *bad_through_local(arena *a, int n) {
  vec3 *p = arena_vec3s(a, n);
  for (int i = 0; i < n; ++i)
    p[i].x = (float)i;
  return p;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_through_local'
}
// CHECK-FIXES: vec3 *bad_through_local(arena *a, int n) FA_RETURNS_FRAME {

char *bad_alias_arith(arena *a) {
  char *p = arena_alloc(a, 64);
  char *q = p;
  return q + 8;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_alias_arith'
}

float *bad_interior(arena *a) {
  vec3 *v = arena_vec3s(a, 1);
  return &v->y;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_interior'
}

void *bad_cast(arena *a) {
  vec3 *v = arena_vec3s(a, 4);
  return (void *)v;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_cast'
}

int *bad_conditional(arena *a, int c) {
  int *p = arena_alloc(a, 4);
  return c ? p : NULL;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_conditional'
}

char *bad_strdup(arena *a, const char *s) { return arena_strdup(a, s); }
// CHECK-MESSAGES: :[[@LINE-1]]:52: warning: frame memory returned from 'bad_strdup'
// CHECK-FIXES: char *bad_strdup(arena *a, const char *s) FA_RETURNS_FRAME { return arena_strdup(a, s); }

// A struct holding frame memory: reported, but no fix-it (the annotation
// speaks of the returned pointer).
span bad_struct(arena *a, int n) {
  span s = {arena_vec3s(a, n), n};
  return s;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_struct'
}

// The prototype comes first: the annotation goes there.
int *bad_with_prototype(arena *a);
// CHECK-FIXES: int *bad_with_prototype(arena *a) FA_RETURNS_FRAME;
int *bad_with_prototype(arena *a) {
  int *p = arena_alloc(a, 4);
  return p;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_with_prototype'
}

// An unannotated helper that returns frame memory makes its callers' results
// frame memory too (in-file summaries): both are reported.
static int *helper_unannotated(arena *a) { return arena_alloc(a, 4); }
// CHECK-MESSAGES: :[[@LINE-1]]:51: warning: frame memory returned from 'helper_unannotated'
// CHECK-FIXES: static int *helper_unannotated(arena *a) FA_RETURNS_FRAME { return arena_alloc(a, 4); }
int *bad_through_helper(arena *a) {
  int *p = helper_unannotated(a);
  return p;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_through_helper'
}

// Memory of a frame this function begins (and leaves open).
int *bad_own_open_frame(arena *a) {
  arena_begin(a);
  int *p = arena_alloc(a, 4);
  return p;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_own_open_frame'
}

// Two returns, both escaping.
vec3 *bad_two_returns(arena *a, int c) {
  vec3 *p = arena_vec3s(a, 2);
  if (c)
    return p;
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: frame memory returned from 'bad_two_returns'
  return p + 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_two_returns'
}

//===--- Not reported ---===//

int *ok_annotated(arena *a) FA_RETURNS_FRAME;
int *ok_annotated(arena *a) { return arena_alloc(a, 4); }

vec3 *ok_annotated_definition(arena *a, int n) FA_RETURNS_FRAME {
  vec3 *p = arena_vec3s(a, n);
  return p;
}

int *ok_heap(size_t n) { return heap_alloc(n); }

int *ok_copy_to_heap(arena *a) {
  int *tmp = arena_alloc(a, 16);
  tmp[0] = 1;
  return heap_copy(tmp, 16);
}

int *ok_null(arena *a) {
  int *p = arena_alloc(a, 4);
  consume(p);
  return NULL;
}

int ok_value(arena *a) {
  int *p = arena_alloc(a, 4);
  *p = 42;
  return *p;
}

int *ok_reassigned(arena *a, int *fallback) {
  int *p = arena_alloc(a, 4);
  consume(p);
  p = fallback;
  return p;
}

span ok_struct_annotated(arena *a, int n) FA_RETURNS_FRAME {
  span s = {arena_vec3s(a, n), n};
  return s;
}

int *ok_begins_and_returns(arena *a) FA_BEGINS_FRAME FA_RETURNS_FRAME {
  arena_begin(a);
  return arena_alloc(a, 4);
}

int *ok_no_analysis(arena *a) FA_NO_FRAME_ANALYSIS {
  return arena_alloc(a, 4);
}

const char *ok_literal(arena *a) {
  char *s = arena_strdup(a, "tmp");
  consume(s);
  return "done";
}
