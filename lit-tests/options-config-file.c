/* SPDX-License-Identifier: MIT */
// Options from a .clang-tidy file (--config-file), as a project would set them.
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t -- --config-file=%inputs/options-config/.clang-tidy
// RUN: %clang_tidy --config-file=%inputs/options-config/.clang-tidy --dump-config %s -- \
// RUN:   | sed -n '/- key:/{N;s/\n//;p}' | FileCheck %s --check-prefix=DUMP
// DUMP-DAG: framealloc-frame-escape.BeginFrameFunctions{{ +}}value:{{ +}}tp_push
// DUMP-DAG: framealloc-use-after-frame.FrameAllocFunctions{{ +}}value:{{ +}}'tp_alloc;tp_strdup'
// DUMP-DAG: framealloc-thread-crossing.ThreadCrossingFunctions{{ +}}value:{{ +}}'tp_post:2'

#include "thirdparty.h"

void bad_use_after_pop(tp_arena *a) {
  tp_push(a);
  char *s = tp_strdup(a, "name");
  tp_pop(a);
  tp_consume(s);
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 's' passed to 'tp_consume' after its frame ended [framealloc-use-after-frame]
}

void bad_post(tp_arena *a) {
  tp_push(a);
  tp_post(0, tp_alloc(a, 4));
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: frame memory 'tp_alloc(a, 4)' handed to another thread through argument 2 of 'tp_post' [framealloc-thread-crossing]
  tp_pop(a);
}

void ok_balanced(tp_arena *a) {
  tp_push(a);
  tp_consume(tp_alloc(a, 4));
  tp_pop(a);
}
