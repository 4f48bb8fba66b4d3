// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s framealloc-thread-crossing %t
//
// std::thread, std::jthread and std::async run their callable and arguments
// on another thread: a lambda capturing frame memory (by value or by
// reference) or a frame pointer argument crosses like pthread_create's.
// An FA_CROSSES_THREAD parameter of type std::function is checked too.

#include <framealloc.h>
#include <functional>
#include <future>
#include <thread>

struct ThreadPool {
  void submit(std::function<void()> job FA_CROSSES_THREAD);
};

void worker(float *p);

void bad_thread_lambda(fa_alloc *fa) {
  fa_begin_frame(fa);
  float *p = (float *)fa_frame_alloc(fa, 16, 4);
  std::thread t([p]() { p[0] = 1; });
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: frame memory '[p]() { p[0] = 1; }' handed to another thread through argument 1 of 'thread' [framealloc-thread-crossing]
  t.join();
  fa_end_frame(fa);
}

void bad_thread_arg(fa_alloc *fa) {
  fa_begin_frame(fa);
  float *p = (float *)fa_frame_alloc(fa, 16, 4);
  std::thread t(worker, p);
  // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: frame memory 'p' handed to another thread through argument 2 of 'thread' [framealloc-thread-crossing]
  t.join();
  fa_end_frame(fa);
}

float bad_async_by_reference(fa_alloc *fa) {
  fa_begin_frame(fa);
  float *p = (float *)fa_frame_alloc(fa, 16, 4);
  auto f = std::async(std::launch::async, [&]() { return p[0]; });
  // CHECK-MESSAGES: :[[@LINE-1]]:43: warning: frame memory '[&]() { return p[0]; }' handed to another thread through argument 2 of 'async' [framealloc-thread-crossing]
  float r = f.get();
  fa_end_frame(fa);
  return r;
}

void bad_pool(ThreadPool &pool, fa_alloc *fa) {
  fa_begin_frame(fa);
  int *n = (int *)fa_frame_alloc(fa, 4, 4);
  pool.submit([n]() { ++*n; });
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: frame memory '[n]() { ++*n; }' handed to another thread through argument 1 of 'submit' [framealloc-thread-crossing]
  fa_end_frame(fa);
}

void ok_copies(fa_alloc *fa, ThreadPool &pool) {
  fa_begin_frame(fa);
  float *p = (float *)fa_frame_alloc(fa, 16, 4);
  p[0] = 2;
  float v = p[0];
  std::thread t([v]() { (void)v; });
  t.join();
  pool.submit([v]() { (void)v; });
  fa_end_frame(fa);
}
