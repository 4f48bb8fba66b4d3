// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
//
// Arena-keyed scopes in C++: an arena class whose push is keyed by `this`, a
// scope guard whose constructor begins a scope on its argument's arena (the
// guard object is the token), members as keys (this->scratch), and
// framealloc.hpp's FrameScope over two allocators.

#include <framealloc.hpp>
#include <framealloc/annotations.h>
#include <cstddef>
#include <cstring>

void consume(const void *p);

class LinearArena {
public:
  void *push(std::size_t n) FA_RETURNS_FRAME_OF(this);
  template <class T> T *push_array(std::size_t n) FA_RETURNS_FRAME_OF(this) {
    return static_cast<T *>(push(n * sizeof(T)));
  }
  std::size_t pos = 0;
};

class TempScope {
public:
  explicit TempScope(LinearArena &a) FA_BEGINS_FRAME_ON(a);
  ~TempScope() FA_ENDS_FRAME;
  void release() FA_ENDS_FRAME_ON(this);

private:
  LinearArena *arena_;
  std::size_t mark_;
};

struct Mesh {
  float *positions = nullptr;
  int count = 0;
};

class MeshBuilder {
public:
  // Scratch memory for the build, the result in the caller's arena.
  float *build(LinearArena &out, int n) {
    TempScope scope(scratch);
    int *indices = scratch.push_array<int>(n);
    float *result = out.push_array<float>(n);
    for (int i = 0; i < n; ++i)
      indices[i] = i;
    for (int i = 0; i < n; ++i)
      result[i] = static_cast<float>(indices[i]);
    return result;
  }

  // Two guards on two arenas; the inner one's memory dies with it.
  float bad_inner_guard(int n) {
    TempScope outer(scratch);
    float *keep = scratch.push_array<float>(n);
    float *tmp = nullptr;
    {
      TempScope inner(upload);
      tmp = upload.push_array<float>(n);
      std::memset(tmp, 0, n * sizeof(float));
    }
    keep[0] = tmp[0];
    // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'tmp' used after its frame ended [framealloc-use-after-frame]
    return keep[0];
  }

  // Released early: the destructor then ends nothing more.
  void ok_release_early(int n) {
    TempScope scope(scratch);
    consume(scratch.push(n));
    scope.release();
    consume(upload.push(n));
  }

  void bad_keep_in_member(int n) {
    TempScope scope(scratch);
    last_ = scratch.push_array<float>(n);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame memory stored in long-lived 'this->last_' outlives its frame [framealloc-frame-escape]
  }

private:
  LinearArena scratch;
  LinearArena upload;
  float *last_ FA_LONG_LIVED = nullptr;
};

// FrameScope keys its frame by the allocator.
float ok_frame_scopes(fa_alloc *sim, fa_alloc *ui, int n) {
  fa::FrameScope s(sim);
  float *pos = static_cast<float *>(fa_frame_alloc(sim, n * sizeof(float), 16));
  {
    fa::FrameScope u(ui);
    consume(fa_frame_alloc(ui, 64, 16));
  }
  pos[0] = 1.0f;
  return pos[0];
}

float bad_frame_scope(fa_alloc *sim, fa_alloc *ui, int n) {
  fa::FrameScope s(sim);
  float *tmp = nullptr;
  {
    fa::FrameScope u(ui);
    tmp = static_cast<float *>(fa_frame_alloc(ui, n * sizeof(float), 16));
  }
  return tmp[0];
}
// CHECK-MESSAGES: :[[@LINE-2]]:10: warning: 'tmp' used after its frame ended [framealloc-use-after-frame]
