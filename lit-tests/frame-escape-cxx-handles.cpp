// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t -- -- -std=c++20
//
// Frame memory held inside a class object: fa::frame_new's frame_ptr, the
// fa::span of fa::frame_array, std::span, std::string_view and iterators.
// What their accessors return (get(), release(), operator->, operator*,
// data(), operator[], begin()) is that frame memory: stored into long-lived
// places, handed to threads or used after the end, it is reported like a raw
// pointer. Owning copies (std::string, std::vector of values) stay quiet.

#include <framealloc.hpp>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

struct Particle {
  float pos[3];
  float life;
};

struct Cache {
  Particle *hot FA_LONG_LIVED;
  const char *label FA_LONG_LIVED;
};

Particle *g_last;
float *g_floats;
void worker(Particle *p);
void consume(const Particle *p);

void bad_frame_ptr_get(fa_alloc *fa) {
  fa::FrameScope scope(fa);
  fa::frame_ptr<Particle> p = fa::frame_new<Particle>(fa);
  g_last = p.get();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_last' outlives its frame [framealloc-frame-escape]
}

void bad_frame_ptr_release(fa_alloc *fa, Cache *c) {
  fa::FrameScope scope(fa);
  auto p = fa::frame_new<Particle>(fa);
  c->hot = p.release();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in long-lived 'c->hot' outlives its frame [framealloc-frame-escape]
}

void bad_frame_ptr_arrow_after_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  auto p = fa::frame_new<Particle>(fa);
  fa_end_frame(fa);
  p->life = 0.0f;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'p' used after its frame ended [framealloc-use-after-frame]
  p.release();
}

void bad_frame_ptr_deref_after_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  auto p = fa::frame_new<Particle>(fa);
  fa_end_frame(fa);
  consume(&*p);
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: '&*p' passed to 'consume' after its frame ended [framealloc-use-after-frame]
  p.release();
}

void bad_frame_ptr_to_thread(fa_alloc *fa) {
  fa::FrameScope scope(fa);
  auto p = fa::frame_new<Particle>(fa);
  std::thread t(worker, p.get());
  // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: frame memory 'p.get()' handed to another thread through argument 2 of 'thread' [framealloc-thread-crossing]
  t.join();
}

void bad_span_data(fa_alloc *fa) {
  fa::FrameScope scope(fa);
  fa::span<float> s = fa::frame_array<float>(fa, 64);
  g_floats = s.data();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_floats' outlives its frame [framealloc-frame-escape]
}

void bad_span_element_address(fa_alloc *fa) {
  fa::FrameScope scope(fa);
  auto s = fa::frame_array<float>(fa, 64);
  g_floats = &s[3];
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_floats' outlives its frame [framealloc-frame-escape]
}

void bad_span_begin(fa_alloc *fa) {
  fa::FrameScope scope(fa);
  auto s = fa::frame_array<float>(fa, 64);
  g_floats = s.begin();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_floats' outlives its frame [framealloc-frame-escape]
}

float bad_span_subscript_after_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  auto s = fa::frame_array<float>(fa, 64);
  fa_end_frame(fa);
  return s[0];
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 's[0]' used after its frame ended [framealloc-use-after-frame]
}

void bad_std_span_iterator(fa_alloc *fa) {
  fa::FrameScope scope(fa);
  float *raw = FA_FRAME_ARRAY(fa, float, 8);
  std::span<float> view(raw, 8);
  auto it = view.begin();
  g_floats = &*it;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_floats' outlives its frame [framealloc-frame-escape]
}

void bad_string_view_data(fa_alloc *fa, Cache *c) {
  fa::FrameScope scope(fa);
  std::string_view name(fa_frame_strdup(fa, "temp"));
  c->label = name.data();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in long-lived 'c->label' outlives its frame [framealloc-frame-escape]
}

using FrameInts = std::vector<int, fa::frame_allocator<int>>;
int *g_ints;

void bad_frame_container_data(fa_alloc *fa) {
  fa::FrameScope scope(fa);
  FrameInts v{fa::frame_allocator<int>(fa)};
  v.push_back(1);
  g_ints = v.data();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_ints' outlives its frame [framealloc-frame-escape]
}

int bad_frame_container_after_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  FrameInts v{fa::frame_allocator<int>(fa)};
  v.push_back(1);
  fa_end_frame(fa);
  return v[0];
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'v[0]' used after its frame ended [framealloc-use-after-frame]
}

std::vector<int> ok_frame_container_copied_out(fa_alloc *fa) {
  fa::FrameScope scope(fa);
  FrameInts v{fa::frame_allocator<int>(fa)};
  v.push_back(1);
  return std::vector<int>(v.begin(), v.end());
}

// Negative cases.
float ok_use_inside(fa_alloc *fa) {
  fa::FrameScope scope(fa);
  auto p = fa::frame_new<Particle>(fa);
  auto s = fa::frame_array<float>(fa, 4);
  s[0] = p->life;
  consume(p.get());
  float *local = s.data();
  return local[0] + (*p).life;
}

std::string ok_owning_copies(fa_alloc *fa, std::vector<float> &out) {
  fa::FrameScope scope(fa);
  auto s = fa::frame_array<float>(fa, 4);
  out.assign(s.begin(), s.end());
  std::string_view name(fa_frame_strdup(fa, "temp"));
  return std::string(name);
}

float ok_value_read_before_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  auto s = fa::frame_array<float>(fa, 4);
  float first = s[0];
  fa_end_frame(fa);
  return first;
}

void ok_heap_unique_ptr() {
  auto p = std::make_unique<Particle>();
  g_last = p.release();
}

struct Pool {
  std::vector<Particle *> items;
};

Particle **ok_container_buffer(Pool *pool, fa_alloc *fa) {
  fa::FrameScope scope(fa);
  // The vector's buffer is its own heap memory, not the frame.
  return pool->items.data();
}
