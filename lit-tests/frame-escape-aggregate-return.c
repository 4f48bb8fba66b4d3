/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy -check-suffixes=,C %s framealloc-frame-escape %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy -check-suffixes=,CXX %s framealloc-frame-escape %t-cxx -- -- -x c++ -std=c++17
//
// A struct built in the return statement (a C compound literal, a C++ braced
// initializer) from frame pointers is frame memory returned: the function
// must be FA_RETURNS_FRAME.

#include <framealloc.h>
#include <stddef.h>

typedef struct vertex {
  float x, y, z;
} vertex;

typedef struct vertex_span {
  vertex *data;
  size_t count;
} vertex_span;

typedef struct draw_batch {
  vertex_span verts;
  unsigned material;
} draw_batch;

#ifdef __cplusplus
#define SPAN(p, n) vertex_span{p, n}
#define BATCH(p, n, m) draw_batch{{p, n}, m}
#else
#define SPAN(p, n) (vertex_span){p, n}
#define BATCH(p, n, m) (draw_batch){{p, n}, m}
#endif

vertex_span bad_span(fa_alloc *fa, size_t n) {
  vertex *v = FA_FRAME_ARRAY(fa, vertex, n);
  return SPAN(v, n);
  // CHECK-NOTES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_span', which is not declared FA_RETURNS_FRAME [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-3]]:15: note: frame memory allocated here
}

draw_batch bad_nested(fa_alloc *fa, unsigned material) {
  vertex *v = FA_FRAME_ARRAY(fa, vertex, 64);
  return BATCH(v, 64, material);
  // CHECK-NOTES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_nested', which is not declared FA_RETURNS_FRAME [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-3]]:15: note: frame memory allocated here
}

#ifndef __cplusplus
vertex_span bad_designated(fa_alloc *fa) {
  return (vertex_span){.count = 8, .data = FA_FRAME_ARRAY(fa, vertex, 8)};
  // CHECK-NOTES-C: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_designated', which is not declared FA_RETURNS_FRAME [framealloc-frame-escape]
  // CHECK-NOTES-C: :[[@LINE-2]]:{{[0-9]+}}: note: frame memory allocated here
}
#else
vertex_span bad_braced(fa_alloc *fa) {
  vertex *v = FA_FRAME_ARRAY(fa, vertex, 8);
  return {v, 8};
  // CHECK-NOTES-CXX: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_braced', which is not declared FA_RETURNS_FRAME [framealloc-frame-escape]
  // CHECK-NOTES-CXX: :[[@LINE-3]]:15: note: frame memory allocated here
}
#endif

/* --- No escape ------------------------------------------------------------ */

vertex_span ok_declared(fa_alloc *fa, size_t n) FA_RETURNS_FRAME;
vertex_span ok_declared(fa_alloc *fa, size_t n) {
  vertex *v = FA_FRAME_ARRAY(fa, vertex, n);
  return SPAN(v, n);
}

vertex_span ok_heap(fa_alloc *fa, size_t n) {
  vertex *v = (vertex *)fa_heap_alloc(fa, n * sizeof(vertex), 16);
  return SPAN(v, n);
}

vertex_span ok_caller_buffer(vertex *buf, size_t n) { return SPAN(buf, n); }

/* The caller's own frame, through the FA_RETURNS_FRAME helper: still fine
 * inside the caller's frame. */
size_t ok_use_in_frame(fa_alloc *fa) {
  fa_begin_frame(fa);
  vertex_span s = ok_declared(fa, 16);
  s.data[0].x = 1.0f;
  size_t n = s.count;
  fa_end_frame(fa);
  return n;
}
