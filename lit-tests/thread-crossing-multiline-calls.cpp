// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s framealloc-thread-crossing %t -- -- -std=c++17
//
// A thread hand-off spanning several lines (std::async, std::thread,
// pthread_create) is reported on the line of the callee's name (or of the
// thread object), with the argument in a note; on one line, at the argument.

#include <framealloc.h>
#include <future>
#include <pthread.h>
#include <thread>

float sum(const float *p, int n);
void work(float *p);
void *entry(void *arg);

float bad_async_multiline(fa_alloc *fa) {
  fa_begin_frame(fa);
  float *p = FA_FRAME_ARRAY(fa, float, 16);
  auto f = std::async(
      std::launch::async,
      sum,
      p,
      16);
  // CHECK-NOTES: :[[@LINE-5]]:17: warning: frame memory 'p' handed to another thread through argument 3 of 'async' [framealloc-thread-crossing]
  // CHECK-NOTES: :[[@LINE-3]]:7: note: argument 3 passed here
  // CHECK-NOTES: :[[@LINE-8]]:14: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE-8]]:17: note: frame memory belongs to the thread that allocated it; copy the data into a transfer handle to hand it over
  float r = f.get();
  fa_end_frame(fa);
  return r;
}

void bad_thread_multiline(fa_alloc *fa) {
  fa_begin_frame(fa);
  float *p = FA_FRAME_ARRAY(fa, float, 16);
  std::thread t(work,
                p);
  // CHECK-NOTES: :[[@LINE-2]]:15: warning: frame memory 'p' handed to another thread through argument 2 of 'thread' [framealloc-thread-crossing]
  // CHECK-NOTES: :[[@LINE-2]]:17: note: argument 2 passed here
  // CHECK-NOTES: :[[@LINE-5]]:14: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE-5]]:15: note: frame memory belongs to the thread that allocated it; copy the data into a transfer handle to hand it over
  t.join();
  fa_end_frame(fa);
}

void bad_pthread_multiline(fa_alloc *fa) {
  pthread_t th;
  fa_begin_frame(fa);
  float *p = FA_FRAME_ARRAY(fa, float, 16);
  pthread_create(&th, nullptr, entry,
                 p);
  // CHECK-NOTES: :[[@LINE-2]]:3: warning: frame memory 'p' handed to another thread through argument 4 of 'pthread_create' [framealloc-thread-crossing]
  // CHECK-NOTES: :[[@LINE-2]]:18: note: argument 4 passed here
  // CHECK-NOTES: :[[@LINE-5]]:14: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE-5]]:3: note: frame memory belongs to the thread that allocated it; copy the data into a transfer handle to hand it over
  pthread_join(th, nullptr);
  fa_end_frame(fa);
}

void bad_one_line(fa_alloc *fa) {
  fa_begin_frame(fa);
  float *p = FA_FRAME_ARRAY(fa, float, 16);
  std::thread t(work, p);
  // CHECK-NOTES: :[[@LINE-1]]:23: warning: frame memory 'p' handed to another thread through argument 2 of 'thread' [framealloc-thread-crossing]
  // CHECK-NOTES: :[[@LINE-3]]:14: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE-3]]:23: note: frame memory belongs to the thread that allocated it; copy the data into a transfer handle to hand it over
  t.join();
  fa_end_frame(fa);
}

// Negative: heap memory over several lines.
void ok_multiline_heap(float *heap) {
  std::thread t(work,
                heap);
  t.join();
}
