/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-thread-crossing %t
//
// FA_THREAD_ENTRY_ARG marks a parameter whose object came from another
// thread: frame memory of this thread stored into it is read over there.

#include "engine.h"

typedef struct task {
  vec3 *result;
  handle *out;
  int n;
} task;

typedef struct worker_ctx {
  arena *a;
  task *current;
} worker_ctx;

void bad_store_into_shared(void *arg FA_THREAD_ENTRY_ARG) {
  task *t = arg;
  arena *a = NULL;
  t->result = arena_vec3s(a, t->n);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 't->result', which is shared with another thread [framealloc-thread-crossing]
}

void bad_store_direct(task *t FA_THREAD_ENTRY_ARG, arena *a) {
  arena_begin(a);
  t->result = arena_vec3s(a, 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 't->result', which is shared with another thread
  arena_end(a);
}

void bad_nested_shared(worker_ctx *ctx FA_THREAD_ENTRY_ARG) {
  ctx->current->result = arena_vec3s(ctx->a, 1);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'ctx->current->result', which is shared with another thread
}

// The annotation on the prototype is enough.
void bad_prototype_annotated(task *t FA_THREAD_ENTRY_ARG, arena *a);
void bad_prototype_annotated(task *t, arena *a) {
  t->result = arena_vec3s(a, 2);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 't->result', which is shared with another thread
}

//===--- Not reported ---===//

void ok_transfer_out(task *t FA_THREAD_ENTRY_ARG, arena *a) {
  arena_begin(a);
  vec3 *tmp = arena_vec3s(a, t->n);
  t->out = handle_create(a, tmp, t->n * sizeof(vec3));
  arena_end(a);
}

void ok_heap_result(task *t FA_THREAD_ENTRY_ARG) {
  t->result = heap_alloc(t->n * sizeof(vec3));
}

void ok_local_frame_use(task *t FA_THREAD_ENTRY_ARG, arena *a) {
  arena_begin(a);
  vec3 *tmp = arena_vec3s(a, t->n);
  t->n = (int)sum3(tmp, t->n);
  arena_end(a);
}

void ok_receive(handle *h FA_THREAD_ENTRY_ARG) {
  vec3 *v = handle_receive(h);
  consume(v);
  handle_free(h);
}

void ok_unmarked_param(task *t, arena *a) { t->result = arena_vec3s(a, 4); }
