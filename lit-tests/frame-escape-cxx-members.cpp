// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t
//
// C++ members and references: stores through `this` (explicit or implicit,
// with and without FA_LONG_LIVED), through reference parameters, into
// standard containers and std::function members that outlive the frame.

#include <framealloc.h>
#include <functional>
#include <string>
#include <vector>

struct Path {
  float *pts;
  int n;
};

class Renderer {
public:
  void bad_explicit_this(fa_alloc *fa);
  void bad_implicit_this(fa_alloc *fa);
  void bad_long_lived(fa_alloc *fa);
  void bad_container(fa_alloc *fa);
  void bad_callback(fa_alloc *fa);
  void bad_subscript(fa_alloc *fa);
  void ok_cleared(fa_alloc *fa);
  void ok_local_containers(fa_alloc *fa);
  void ok_fill_in_callers_frame(fa_alloc *fa);

private:
  float *cache_;
  float *marked_ FA_LONG_LIVED;
  std::vector<float *> list_;
  std::vector<float *> slots_;
  std::function<void()> cb_;
};

void Renderer::bad_explicit_this(fa_alloc *fa) {
  fa_begin_frame(fa);
  this->cache_ = (float *)fa_frame_alloc(fa, 16, 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'this->cache_' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void Renderer::bad_implicit_this(fa_alloc *fa) {
  fa_begin_frame(fa);
  float *p = (float *)fa_frame_alloc(fa, 16, 4);
  cache_ = p;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'this->cache_' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void Renderer::bad_long_lived(fa_alloc *fa) {
  fa_begin_frame(fa);
  marked_ = (float *)fa_frame_alloc(fa, 16, 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in long-lived 'this->marked_' outlives its frame [framealloc-frame-escape]
  marked_[0] = 1;
  fa_end_frame(fa);
}

void Renderer::bad_container(fa_alloc *fa) {
  fa_begin_frame(fa);
  float *p = (float *)fa_frame_alloc(fa, 16, 4);
  list_.push_back(p);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'this->list_' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void Renderer::bad_callback(fa_alloc *fa) {
  fa_begin_frame(fa);
  float *p = (float *)fa_frame_alloc(fa, 16, 4);
  cb_ = [p]() { p[0] = 1; };
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'this->cb_' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void Renderer::bad_subscript(fa_alloc *fa) {
  fa_begin_frame(fa);
  slots_[0] = (float *)fa_frame_alloc(fa, 16, 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'this->slots_' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void Renderer::ok_cleared(fa_alloc *fa) {
  fa_begin_frame(fa);
  cache_ = (float *)fa_frame_alloc(fa, 16, 4);
  cache_[0] = 2;
  cache_ = nullptr;
  fa_end_frame(fa);
}

void Renderer::ok_local_containers(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *name = (char *)fa_frame_alloc(fa, 16, 1);
  name[0] = 0;
  std::vector<char *> tmp;
  tmp.push_back(name);
  std::function<void()> local = [name]() { name[0] = 'x'; };
  local();
  std::string copy(name);
  fa_end_frame(fa);
  list_.clear();
  (void)copy.size();
}

// Called inside the caller's frame: filling the object is the normal use.
void Renderer::ok_fill_in_callers_frame(fa_alloc *fa) {
  cache_ = (float *)fa_frame_alloc(fa, 16, 4);
}

void bad_reference_param(Path &out, fa_alloc *fa) {
  fa_begin_frame(fa);
  out.pts = (float *)fa_frame_alloc(fa, 16, 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'out.pts' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void ok_reference_fill(Path &out, fa_alloc *fa) {
  out.pts = (float *)fa_frame_alloc(fa, 16, 4);
  out.n = 4;
}

std::vector<float *> g_list;

void bad_global_container(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_list.emplace_back((float *)fa_frame_alloc(fa, 16, 4));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_list' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

std::vector<std::function<void()>> g_queue;

void bad_queued_lambda(fa_alloc *fa) {
  fa_begin_frame(fa);
  int *counter = (int *)fa_frame_alloc(fa, 4, 4);
  g_queue.push_back([&counter]() { ++*counter; });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_queue' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

// Values copied out of frame memory are not frame memory: a container of
// numbers filled from a frame range, a count read from a frame struct.
struct Visible {
  unsigned *ids;
  unsigned long count;
};
struct FA_LONG_LIVED SceneCache {
  std::vector<unsigned> kept;
  unsigned long last_count;
};
Visible cull(fa_alloc *fa) FA_RETURNS_FRAME;

void ok_copy_values(fa_alloc *fa, SceneCache &cache) {
  fa_begin_frame(fa);
  Visible v = cull(fa);
  cache.kept.assign(v.ids, v.ids + v.count);
  cache.last_count = v.count;
  fa_end_frame(fa);
}
