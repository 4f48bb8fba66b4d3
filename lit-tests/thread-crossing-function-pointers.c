/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-thread-crossing %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-thread-crossing %t-cxx -- -- -x c++ -std=c++17
//
// FA_CROSSES_THREAD on a parameter of a function-pointer type: a job API
// called through a pointer, or a table of operations.

#include <framealloc.h>

typedef void (*job_fn)(void *);
typedef void (*post_fn)(job_fn fn, void *arg FA_CROSSES_THREAD);

typedef struct job_ops {
  void (*submit)(job_fn fn, void *arg FA_CROSSES_THREAD);
  post_fn post;
  void (*run_here)(job_fn fn, void *arg);
} job_ops;

void work(void *arg);

void bad_ops_table(const job_ops *ops, fa_alloc *fa) {
  fa_begin_frame(fa);
  int *n = (int *)fa_frame_alloc(fa, 4, 4);
  ops->submit(work, n);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: frame memory 'n' handed to another thread through argument 2 of 'ops->submit' [framealloc-thread-crossing]
  ops->post(work, n);
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: frame memory 'n' handed to another thread through argument 2 of 'ops->post' [framealloc-thread-crossing]
  fa_end_frame(fa);
}

void bad_pointer_variable(post_fn post, fa_alloc *fa) {
  fa_begin_frame(fa);
  int *n = (int *)fa_frame_alloc(fa, 4, 4);
  post(work, n);
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: frame memory 'n' handed to another thread through argument 2 of 'post' [framealloc-thread-crossing]
  fa_end_frame(fa);
}

void ok_same_thread(const job_ops *ops, fa_alloc *fa) {
  fa_begin_frame(fa);
  int *n = (int *)fa_frame_alloc(fa, 4, 4);
  ops->run_here(work, n);
  fa_end_frame(fa);
}
