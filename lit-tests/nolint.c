/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
//
// The NOLINT comments (same line, next line, begin/end blocks) suppress framealloc warnings
// (and their notes); naming another check does not.

#include "engine.h"

int *g_keep;

void suppressed_line(arena *a) {
  arena_begin(a);
  g_keep = arena_alloc(a, 4); // NOLINT(framealloc-frame-escape): cleared by the owner
  arena_end(a);
}

void suppressed_all_checks(arena *a) {
  arena_begin(a);
  int *p = arena_alloc(a, 4);
  arena_end(a);
  *p = 1; // NOLINT
}

void suppressed_next_line(arena *a, int c) {
  // NOLINTNEXTLINE(framealloc-frame-pairing)
  arena_begin(a);
  if (c)
    return;
  arena_end(a);
}

// NOLINTBEGIN(framealloc-thread-crossing)
void suppressed_block(arena *a) {
  job_submit(worker, arena_alloc(a, 4));
  job_submit(worker, arena_vec3s(a, 2));
}
// NOLINTEND(framealloc-thread-crossing)

void wrong_check_named(arena *a) {
  arena_begin(a);
  int *p = arena_alloc(a, 4);
  arena_end(a);
  consume(p); // NOLINT(framealloc-frame-escape)
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'p' passed to 'consume' after its frame ended [framealloc-use-after-frame]
}

void only_one_suppressed(arena *a) {
  arena_begin(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame begun here is not ended before 'only_one_suppressed' returns [framealloc-frame-pairing]
  g_keep = arena_alloc(a, 4); // NOLINT(framealloc-frame-escape)
}
