/* SPDX-License-Identifier: MIT */
// A malformed ThreadCrossingFunctions entry is a configuration diagnostic; the
// valid entries still apply.
// RUN: %check_framealloc_tidy %s framealloc-thread-crossing %t -- \
// RUN:   -config="{CheckOptions: [{key: framealloc-thread-crossing.ThreadCrossingFunctions, value: 'post:0;send:x;:3;enqueue:2'}]}"

// CHECK-MESSAGES-DAG: warning: invalid entry 'post:0' in option 'framealloc-thread-crossing.ThreadCrossingFunctions': expected 'name' or 'name:N' with N >= 1 [clang-tidy-config]
// CHECK-MESSAGES-DAG: warning: invalid entry 'send:x' in option 'framealloc-thread-crossing.ThreadCrossingFunctions'
// CHECK-MESSAGES-DAG: warning: invalid entry ':3' in option 'framealloc-thread-crossing.ThreadCrossingFunctions'

#include "engine.h"

void enqueue(int queue, void *item);

void bad_enqueue(arena *a) {
  enqueue(1, arena_alloc(a, 8));
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: frame memory 'arena_alloc(a, 8)' handed to another thread through argument 2 of 'enqueue' [framealloc-thread-crossing]
}
