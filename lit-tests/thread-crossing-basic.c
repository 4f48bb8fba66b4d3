/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-thread-crossing %t
//
// Frame memory, or an object holding frame pointers, reaching an argument
// that is handed to another thread: FA_CROSSES_THREAD parameters and the
// built-in pthread_create (4th argument) and thrd_create (3rd argument).

#include "engine.h"
#include <pthread.h>
#include <threads.h>

typedef struct job {
  vec3 *data;
  int n;
} job;

typedef struct batch {
  job *first;
} batch;

void *thread_main(void *arg);
int thrd_main(void *arg);
void post_event(job ev FA_CROSSES_THREAD);
vec3 *make_positions(arena *a, int n) FA_RETURNS_FRAME;

void bad_direct(arena *a) {
  arena_begin(a);
  vec3 *v = arena_vec3s(a, 16);
  job_submit(worker, v);
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: frame memory 'v' handed to another thread through argument 2 of 'job_submit' [framealloc-thread-crossing]
  arena_end(a);
}

void bad_pthread(arena *a, pthread_t *t) {
  arena_begin(a);
  int *counter = arena_alloc(a, sizeof(int));
  pthread_create(t, NULL, thread_main, counter);
  // CHECK-MESSAGES: :[[@LINE-1]]:40: warning: frame memory 'counter' handed to another thread through argument 4 of 'pthread_create'
  arena_end(a);
}

void bad_thrd(arena *a, thrd_t *t) {
  arena_begin(a);
  char *name = arena_strdup(a, "loader");
  thrd_create(t, thrd_main, name);
  // CHECK-MESSAGES: :[[@LINE-1]]:29: warning: frame memory 'name' handed to another thread through argument 3 of 'thrd_create'
  arena_end(a);
}

void bad_local_struct(arena *a) {
  job j;
  j.data = arena_vec3s(a, 4);
  j.n = 4;
  job_submit(worker, &j);
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: '&j' holds frame memory and is handed to another thread through argument 2 of 'job_submit'
}

void bad_heap_struct(arena *a) {
  job *j = heap_alloc(sizeof(job));
  j->data = arena_vec3s(a, 8);
  j->n = 8;
  job_submit(worker, j);
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: 'j' holds frame memory and is handed to another thread through argument 2 of 'job_submit'
}

void bad_nested_struct(arena *a, pthread_t *t) {
  batch *b = heap_alloc(sizeof(batch));
  b->first = heap_alloc(sizeof(job));
  b->first->data = arena_vec3s(a, 2);
  pthread_create(t, NULL, thread_main, b);
  // CHECK-MESSAGES: :[[@LINE-1]]:40: warning: 'b' holds frame memory and is handed to another thread through argument 4 of 'pthread_create'
}

void bad_by_value(arena *a) {
  job ev = {arena_vec3s(a, 1), 1};
  post_event(ev);
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'ev' holds frame memory and is handed to another thread through argument 1 of 'post_event'
}

void bad_alias_and_cast(arena *a) {
  vec3 *v = arena_vec3s(a, 3);
  void *opaque = (void *)(v + 1);
  job_submit(worker, opaque);
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: frame memory 'opaque' handed to another thread through argument 2 of 'job_submit'
}

void bad_interior_pointer(arena *a) {
  job *j = arena_alloc(a, sizeof(job));
  job_submit(worker, &j->n);
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: frame memory '&j->n' handed to another thread through argument 2 of 'job_submit'
}

void bad_from_helper(arena *a) {
  job_submit(worker, make_positions(a, 8));
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: frame memory 'make_positions(a, 8)' handed to another thread through argument 2 of 'job_submit'
}

void bad_array_of_pointers(arena *a) {
  vec3 *parts[2];
  parts[0] = arena_vec3s(a, 1);
  parts[1] = NULL;
  job_submit(worker, parts);
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: 'parts' holds frame memory and is handed to another thread through argument 2 of 'job_submit'
}

void bad_in_loop(arena *a, int n) {
  for (int i = 0; i < n; ++i) {
    arena_begin(a);
    int *slot = arena_alloc(a, sizeof(int));
    *slot = i;
    job_submit(worker, slot);
    // CHECK-MESSAGES: :[[@LINE-1]]:24: warning: frame memory 'slot' handed to another thread through argument 2 of 'job_submit'
    arena_end(a);
  }
}

// Dangling frame memory is no better.
void bad_after_end(arena *a) {
  arena_begin(a);
  vec3 *v = arena_vec3s(a, 4);
  arena_end(a);
  job_submit(worker, v);
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: frame memory 'v' handed to another thread through argument 2 of 'job_submit'
}

//===--- Not reported ---===//

void ok_transfer_handle(arena *a) {
  arena_begin(a);
  vec3 *v = arena_vec3s(a, 16);
  handle *h = handle_create(a, v, 16 * sizeof(vec3));
  arena_end(a);
  job_submit(worker, h);
}

void ok_heap(arena *a) {
  vec3 *v = heap_alloc(4 * sizeof(vec3));
  job_submit(worker, v);
}

void ok_copied_into_heap_job(arena *a) {
  job *j = heap_alloc(sizeof(job));
  vec3 *tmp = arena_vec3s(a, 8);
  j->data = heap_copy(tmp, 8 * sizeof(vec3));
  j->n = 8;
  job_submit(worker, j);
}

void ok_overwritten_before_submit(arena *a) {
  job *j = heap_alloc(sizeof(job));
  j->data = arena_vec3s(a, 8);
  consume(j->data);
  j->data = heap_alloc(8 * sizeof(vec3));
  job_submit(worker, j);
}

void ok_pthread_null_arg(pthread_t *t, arena *a) {
  int *tmp = arena_alloc(a, 4);
  consume(tmp);
  pthread_create(t, NULL, thread_main, NULL);
}

void ok_pthread_heap_arg(pthread_t *t, arena *a) {
  job *j = heap_alloc(sizeof(job));
  j->data = heap_alloc(sizeof(vec3));
  pthread_create(t, NULL, thread_main, j);
}

void ok_thrd_heap_arg(thrd_t *t) {
  thrd_create(t, thrd_main, heap_alloc(16));
}

// Only the crossing argument counts.
void ok_other_arguments(arena *a, pthread_t *t) {
  pthread_attr_t *attr = arena_alloc(a, sizeof(pthread_attr_t));
  pthread_attr_init(attr);
  pthread_create(t, attr, thread_main, NULL);
}

void ok_frame_to_same_thread(arena *a) {
  vec3 *v = arena_vec3s(a, 4);
  consume_mut(v);
}

void ok_values_only(arena *a) {
  int *n = arena_alloc(a, sizeof(int));
  *n = 3;
  job_submit(worker, (void *)(long)*n);
}

void ok_no_analysis(arena *a) FA_NO_FRAME_ANALYSIS {
  job_submit(worker, arena_alloc(a, 4));
}

// The worker's own frames are its own business (seed patterns: job system).
void ok_worker_own_frame(void *arg) {
  arena *a = arg;
  arena_begin(a);
  vec3 *v = arena_vec3s(a, 64);
  consume(v);
  arena_end(a);
}
