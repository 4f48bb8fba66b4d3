/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-cxx -- -- -x c++ -std=c++17
//
// A same-file helper that stores its parameter in a global, a static or a
// long-lived object: frame memory passed to it escapes at the call, with the
// store inside the helper (and the calls on the way) as notes.

#include "engine.h"
#include <stdint.h>
#include <string.h>

typedef struct mesh {
  vec3 *pts;
  int n;
} mesh;

typedef struct FA_LONG_LIVED asset_cache {
  vec3 *last_upload;
} asset_cache;

static vec3 *g_debug_pts;
static uintptr_t g_pick_handle;
static vec3 g_pts_copy[64];

static void debug_remember(vec3 *pts) { g_debug_pts = pts; }

static void cache_upload(asset_cache *c, vec3 *pts, int n) {
  if (n > 0)
    c->last_upload = pts;
}

static const vec3 *remember_last(const vec3 *v) {
  static const vec3 *last;
  last = v;
  return v;
}

static void pick_set(uintptr_t handle) { g_pick_handle = handle; }

/* Two levels: the mesh registry hands the points on to the debug helper. */
static void registry_add(mesh *m, vec3 *pts) {
  m->pts = pts;
  debug_remember(pts);
}
static void scene_add_mesh(mesh *m, vec3 *pts) { registry_add(m, pts); }

void bad_direct(arena *a) {
  arena_begin(a);
  vec3 *pts = arena_vec3s(a, 16);
  debug_remember(pts);
  // CHECK-NOTES: :[[@LINE-1]]:18: warning: frame memory 'pts' passed to 'debug_remember' outlives its frame: 'debug_remember' stores it in global 'g_debug_pts' [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-3]]:15: note: frame memory allocated here
  // CHECK-NOTES: :26:41: note: 'debug_remember' stores 'pts' in global 'g_debug_pts' here
  arena_end(a);
}

void bad_long_lived_member(asset_cache *c, arena *a) {
  arena_begin(a);
  vec3 *staging = arena_vec3s(a, 256);
  cache_upload(c, staging, 256);
  // CHECK-NOTES: :[[@LINE-1]]:19: warning: frame memory 'staging' passed to 'cache_upload' outlives its frame: 'cache_upload' stores it in long-lived 'c->last_upload' [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-3]]:19: note: frame memory allocated here
  // CHECK-NOTES: :30:5: note: 'cache_upload' stores 'pts' in long-lived 'c->last_upload' here
  arena_end(a);
}

void bad_static_in_helper(arena *a) {
  arena_begin(a);
  vec3 *v = arena_vec3s(a, 4);
  consume(remember_last(v));
  // CHECK-NOTES: :[[@LINE-1]]:25: warning: frame memory 'v' passed to 'remember_last' outlives its frame: 'remember_last' stores it in static 'last' [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-3]]:13: note: frame memory allocated here
  // CHECK-NOTES: :35:3: note: 'remember_last' stores 'v' in static 'last' here
  arena_end(a);
}

void bad_handle(arena *a) {
  arena_begin(a);
  vec3 *hit = arena_vec3s(a, 1);
  pick_set((uintptr_t)hit);
  // CHECK-NOTES: :[[@LINE-1]]:12: warning: frame memory '(uintptr_t)hit' passed to 'pick_set' outlives its frame: 'pick_set' stores it in global 'g_pick_handle' [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-3]]:15: note: frame memory allocated here
  // CHECK-NOTES: :39:42: note: 'pick_set' stores 'handle' in global 'g_pick_handle' here
  arena_end(a);
}

void bad_two_levels(arena *a) {
  mesh m;
  arena_begin(a);
  vec3 *pts = arena_vec3s(a, 32);
  scene_add_mesh(&m, pts);
  // CHECK-NOTES: :[[@LINE-1]]:22: warning: frame memory 'pts' passed to 'scene_add_mesh' outlives its frame: 'scene_add_mesh' stores it in global 'g_debug_pts' [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-3]]:15: note: frame memory allocated here
  // CHECK-NOTES: :46:66: note: 'scene_add_mesh' passes 'pts' to 'registry_add' here
  // CHECK-NOTES: :44:18: note: 'registry_add' passes 'pts' to 'debug_remember' here
  // CHECK-NOTES: :26:41: note: 'debug_remember' stores 'pts' in global 'g_debug_pts' here
  consume(m.pts);
  arena_end(a);
}

/* --- No escape ------------------------------------------------------------ */

/* Stores into the caller's own object are the caller's business. */
static void mesh_set(mesh *m, vec3 *pts, int n) {
  m->pts = pts;
  m->n = n;
}

void ok_caller_object(arena *a) {
  mesh m;
  arena_begin(a);
  mesh_set(&m, arena_vec3s(a, 8), 8);
  consume(m.pts);
  arena_end(a);
}

/* A context set for the duration of the call and taken back. */
static vec3 *g_current_batch;
static void draw_batch(void) { consume(g_current_batch); }
static void with_batch(vec3 *pts) {
  g_current_batch = pts;
  draw_batch();
  g_current_batch = NULL;
}

/* Helpers that copy the data rather than keep the pointer. */
static void copy_debug(const vec3 *pts, int n) {
  memcpy(g_pts_copy, pts, (size_t)n * sizeof(vec3));
}
static void keep_heap_copy(const vec3 *pts, int n) {
  g_debug_pts = (vec3 *)heap_copy(pts, (size_t)n * sizeof(vec3));
}

/* Recursion: the chain is cut, nothing is invented. */
static int count_tree(const vec3 *v, int depth) {
  return depth <= 0 ? 0 : 1 + count_tree(v, depth - 1);
}

void ok_helpers(arena *a) {
  arena_begin(a);
  vec3 *pts = arena_vec3s(a, 16);
  with_batch(pts);
  copy_debug(pts, 16);
  keep_heap_copy(pts, 16);
  log_msg("%d", count_tree(pts, 3));
  arena_end(a);
}

void ok_heap_memory(void) {
  vec3 *pts = (vec3 *)heap_alloc(16 * sizeof(vec3));
  debug_remember(pts);
}

/* Only the stored parameter matters. */
static void upload_into(asset_cache *c, const vec3 *src, vec3 *dst) {
  memcpy(dst, src, sizeof(vec3));
  c->last_upload = dst;
}

void ok_other_parameter(asset_cache *c, arena *a, vec3 *persistent) {
  arena_begin(a);
  vec3 *tmp = arena_vec3s(a, 1);
  upload_into(c, tmp, persistent);
  arena_end(a);
}
