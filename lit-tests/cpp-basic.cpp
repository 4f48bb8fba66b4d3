// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
//
// C++ translation units: the basic checks work (functions, methods, lambdas,
// references, templates, scope guards) and nothing crashes.

#include "engine.h"

struct Particle {
  vec3 pos;
  int alive;
};

// A scope guard: the constructor begins a frame, the destructor ends it.
class FrameScope {
public:
  explicit FrameScope(arena *a) FA_BEGINS_FRAME : a_(a) { arena_begin(a); }
  ~FrameScope() FA_ENDS_FRAME { arena_end(a_); }
  FrameScope(const FrameScope &) = delete;

private:
  arena *a_;
};

static int *g_keep;

void bad_use_after_end(arena *a) {
  arena_begin(a);
  Particle *p = static_cast<Particle *>(arena_alloc(a, sizeof(Particle)));
  arena_end(a);
  p->alive = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'p' used after its frame ended [framealloc-use-after-frame]
}

void bad_escape_after_guard(arena *a) {
  {
    FrameScope scope(a);
    g_keep = static_cast<int *>(arena_alloc(a, 4));
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame memory stored in global 'g_keep' outlives its frame [framealloc-frame-escape]
  }
}

int *bad_guard_then_use(arena *a) {
  int *p;
  {
    FrameScope scope(a);
    p = static_cast<int *>(arena_alloc(a, 4));
    *p = 1;
  }
  return p;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'p' returned after its frame ended [framealloc-use-after-frame]
}

void bad_pairing(arena *a, bool c) {
  arena_begin(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame begun here is not ended before 'bad_pairing' returns [framealloc-frame-pairing]
  if (c)
    return;
  arena_end(a);
}

void bad_thread(arena *a) {
  auto *v = static_cast<vec3 *>(arena_alloc(a, 4 * sizeof(vec3)));
  job_submit(worker, v);
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: frame memory 'v' handed to another thread through argument 2 of 'job_submit' [framealloc-thread-crossing]
}

class ParticleSystem {
public:
  void update(arena *a) {
    arena_begin(a);
    Particle *tmp = static_cast<Particle *>(arena_alloc(a, sizeof(Particle)));
    tmp->alive = 1;
    arena_end(a);
    consume(tmp);
    // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'tmp' passed to 'consume' after its frame ended [framealloc-use-after-frame]
  }
  int *leak(arena *a) { return static_cast<int *>(arena_alloc(a, 4)); }
  // CHECK-MESSAGES: :[[@LINE-1]]:32: warning: frame memory returned from 'leak', which is not declared FA_RETURNS_FRAME [framealloc-frame-escape]
};

void bad_in_lambda(arena *a) {
  auto f = [a]() {
    arena_begin(a);
    int *p = static_cast<int *>(arena_alloc(a, 4));
    arena_end(a);
    return *p;
    // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'p' used after its frame ended [framealloc-use-after-frame]
  };
  (void)f();
}

struct Span {
  int *data;
  int n;
};

Span bad_struct_copy(arena *a) {
  Span s{nullptr, 0};
  arena_begin(a);
  s.data = static_cast<int *>(arena_alloc(a, 16));
  Span t = s;
  arena_end(a);
  return t;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 't' returned after its frame ended [framealloc-use-after-frame]
}

//===--- Not reported ---===//

void ok_guard(arena *a) {
  FrameScope scope(a);
  Particle *p = static_cast<Particle *>(arena_alloc(a, sizeof(Particle)));
  p->alive = 1;
  consume(p);
}

void ok_reference(arena *a, int &out) {
  arena_begin(a);
  int *tmp = static_cast<int *>(arena_alloc(a, 4));
  *tmp = 3;
  out = *tmp;
  arena_end(a);
}

template <typename T> T *frame_new(arena *a) FA_RETURNS_FRAME {
  return static_cast<T *>(arena_alloc(a, sizeof(T)));
}

void ok_template(arena *a) {
  arena_begin(a);
  Particle *p = frame_new<Particle>(a);
  p->alive = 1;
  arena_end(a);
}

void ok_new_delete(arena *a) {
  arena_begin(a);
  Particle *tmp = static_cast<Particle *>(arena_alloc(a, sizeof(Particle)));
  Particle *kept = new Particle(*tmp);
  arena_end(a);
  kept->alive = 1;
  delete kept;
}

void ok_lambda_own_frame(arena *a) {
  auto work = [](arena *x) {
    arena_begin(x);
    consume(arena_alloc(x, 4));
    arena_end(x);
  };
  work(a);
}

void ok_exception_path(arena *a, int n) {
  arena_begin(a);
  if (n < 0)
    throw n;
  arena_end(a);
}
