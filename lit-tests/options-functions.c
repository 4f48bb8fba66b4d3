/* SPDX-License-Identifier: MIT */
// Without configuration the third-party API means nothing to the checks.
// RUN: %check_framealloc_tidy -check-suffix=NONE %s 'framealloc-*' %t-none
//
// Configured per check (local keys)...
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t-local -- \
// RUN:   -config="{CheckOptions: [ \
// RUN:     {key: framealloc-frame-escape.BeginFrameFunctions, value: tp_push}, \
// RUN:     {key: framealloc-frame-escape.EndFrameFunctions, value: tp_pop}, \
// RUN:     {key: framealloc-frame-escape.FrameAllocFunctions, value: 'tp_alloc;tp_strdup'}, \
// RUN:     {key: framealloc-use-after-frame.BeginFrameFunctions, value: tp_push}, \
// RUN:     {key: framealloc-use-after-frame.EndFrameFunctions, value: tp_pop}, \
// RUN:     {key: framealloc-use-after-frame.FrameAllocFunctions, value: 'tp_alloc;tp_strdup'}, \
// RUN:     {key: framealloc-frame-pairing.BeginFrameFunctions, value: tp_push}, \
// RUN:     {key: framealloc-frame-pairing.EndFrameFunctions, value: tp_pop}, \
// RUN:     {key: framealloc-thread-crossing.FrameAllocFunctions, value: 'tp_alloc, tp_strdup'}, \
// RUN:     {key: framealloc-thread-crossing.ThreadCrossingFunctions, value: 'tp_post:2;tp_run_async:2'}]}"
//
// ...or once for all framealloc checks (global keys).
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t-global -- \
// RUN:   -config="{CheckOptions: [ \
// RUN:     {key: BeginFrameFunctions, value: tp_push}, \
// RUN:     {key: EndFrameFunctions, value: tp_pop}, \
// RUN:     {key: FrameAllocFunctions, value: 'tp_alloc;tp_strdup'}, \
// RUN:     {key: ThreadCrossingFunctions, value: 'tp_post:2;tp_run_async:2'}]}"

#include "thirdparty.h"

static char *g_name;
void worker_fn(void *ctx);

void bad_use_after_pop(tp_arena *a) {
  tp_push(a);
  int *p = tp_alloc(a, sizeof(int));
  tp_pop(a);
  *p = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:4: warning: 'p' used after its frame ended [framealloc-use-after-frame]
}

void bad_global(tp_arena *a, const char *s) {
  tp_push(a);
  g_name = tp_strdup(a, s);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_name' outlives its frame [framealloc-frame-escape]
  tp_pop(a);
}

void bad_unpaired(tp_arena *a, int n) {
  tp_push(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame begun here is not ended before 'bad_unpaired' returns [framealloc-frame-pairing]
  if (n < 0)
    return;
  tp_pop(a);
}

void bad_post(tp_arena *a) {
  void *msg = tp_alloc(a, 32);
  tp_post(1, msg);
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: frame memory 'msg' handed to another thread through argument 2 of 'tp_post' [framealloc-thread-crossing]
}

void bad_async_context(tp_arena *a) {
  void *ctx = tp_alloc(a, 64);
  tp_run_async(worker_fn, ctx, NULL);
  // CHECK-MESSAGES: :[[@LINE-1]]:27: warning: frame memory 'ctx' handed to another thread through argument 2 of 'tp_run_async' [framealloc-thread-crossing]
}

void ok_balanced(tp_arena *a) {
  tp_push(a);
  char *s = tp_strdup(a, "tmp");
  tp_consume(s);
  tp_pop(a);
}

void ok_user_argument_does_not_cross(tp_arena *a) {
  void *user = tp_alloc(a, 8);
  tp_run_async(worker_fn, NULL, user);
}
