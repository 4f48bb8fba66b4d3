/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-thread-crossing %t
//
// The notes of a thread crossing: the store that put frame memory into the
// object handed over, the allocation, and the remedy.

#include "engine.h"

typedef struct job {
  vec3 *data;
  int n;
} job;

void bad_job(arena *a) {
  job *j = heap_alloc(sizeof(job));
  j->n = 4;
  j->data = arena_vec3s(a, j->n);
  job_submit(worker, j);
}
// CHECK-NOTES: :[[@LINE-2]]:22: warning: 'j' holds frame memory and is handed to another thread through argument 2 of 'job_submit' [framealloc-thread-crossing]
// CHECK-NOTES: :[[@LINE-4]]:3: note: 'j->data' is set to frame memory here
// CHECK-NOTES: :[[@LINE-5]]:13: note: frame memory allocated here
// CHECK-NOTES: :[[@LINE-5]]:22: note: frame memory belongs to the thread that allocated it; copy the data into a transfer handle to hand it over

void bad_entry(job *j FA_THREAD_ENTRY_ARG, arena *a) {
  j->data = arena_vec3s(a, 1);
}
// CHECK-NOTES: :[[@LINE-2]]:3: warning: frame memory stored in 'j->data', which is shared with another thread
// CHECK-NOTES: :[[@LINE-3]]:13: note: frame memory allocated here
// CHECK-NOTES: :[[@LINE-5]]:21: note: 'j' comes from another thread (FA_THREAD_ENTRY_ARG)
