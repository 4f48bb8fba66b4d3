// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
//
// C++ scope guards (constructor FA_BEGINS_FRAME, destructor FA_ENDS_FRAME):
// every path out of the scope ends the frame, exceptions included.

#include "engine.h"

class FrameGuard {
public:
  explicit FrameGuard(arena *a) FA_BEGINS_FRAME : a_(a) { arena_begin(a); }
  ~FrameGuard() FA_ENDS_FRAME { arena_end(a_); }

private:
  arena *a_;
};

struct Cache {
  vec3 *points FA_LONG_LIVED;
  vec3 *scratch;
};

struct Mesh {
  vec3 *verts;
  int n;
};

int ok_early_return(arena *a, int n) {
  FrameGuard guard(a);
  int *p = static_cast<int *>(arena_alloc(a, 4));
  if (n < 0)
    return -1;
  *p = n;
  return *p;
}

void ok_throw(arena *a, int n) {
  FrameGuard guard(a);
  if (n < 0)
    throw n;
  consume(arena_alloc(a, 4));
}

void ok_nested_guards(arena *a) {
  FrameGuard outer(a);
  vec3 *keep = arena_vec3s(a, 1);
  {
    FrameGuard inner(a);
    consume(arena_vec3s(a, 8));
  }
  keep->x = 1.0f;
}

void ok_guard_in_loop(arena *a, int frames) {
  for (int f = 0; f < frames; ++f) {
    FrameGuard guard(a);
    vec3 *v = arena_vec3s(a, 4);
    v->y = static_cast<float>(f);
  }
}

void ok_reference_out(arena *a, vec3 *&out) {
  FrameGuard guard(a);
  out = nullptr;
  consume(arena_vec3s(a, 2));
}

float bad_inner_used_after(arena *a) {
  FrameGuard outer(a);
  vec3 *tmp;
  {
    FrameGuard inner(a);
    tmp = arena_vec3s(a, 1);
  }
  return tmp->x;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'tmp' used after its frame ended [framealloc-use-after-frame]
}

void bad_long_lived(Cache *c, arena *a) {
  c->points = arena_vec3s(a, 16);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in long-lived 'c->points' outlives its frame [framealloc-frame-escape]
  c->scratch = arena_vec3s(a, 16);
}

void bad_guarded_out_param(arena *a, Mesh *m) {
  FrameGuard guard(a);
  m->verts = arena_vec3s(a, 3);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'm->verts' outlives its frame [framealloc-frame-escape]
  m->n = 3;
}

Mesh bad_assigned_copy(arena *a) {
  Mesh m{nullptr, 0}, copy{nullptr, 0};
  {
    FrameGuard guard(a);
    m.verts = arena_vec3s(a, 3);
    copy = m;
  }
  return copy;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'copy' returned after its frame ended [framealloc-use-after-frame]
}
