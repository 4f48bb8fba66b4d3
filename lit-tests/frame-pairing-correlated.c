/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-pairing %t
//
// Correlated conditions: a frame begun under a condition and ended under the
// same (unchanged) condition is balanced on every feasible path.

#include "engine.h"

typedef struct config {
  int debug_frames;
  int level;
} config;

void ok_same_variable(arena *a, int c) {
  if (c)
    arena_begin(a);
  consume(NULL);
  if (c)
    arena_end(a);
}

void ok_negated(arena *a, int skip) {
  if (!skip)
    arena_begin(a);
  log_msg("work\n");
  if (skip == 0)
    arena_end(a);
}

void ok_flag_variable(arena *a, int n) {
  int opened = 0;
  if (n > 4) {
    arena_begin(a);
    opened = 1;
  }
  log_msg("%d\n", n);
  if (opened)
    arena_end(a);
}

void ok_member_condition(arena *a, const config *cfg) {
  if (cfg->debug_frames)
    arena_begin(a);
  consume(cfg);
  if (cfg->debug_frames)
    arena_end(a);
}

void ok_compound_condition(arena *a, const config *cfg, int frame) {
  if (cfg->level > 2 && frame % 2 == 0)
    arena_begin(a);
  log_msg("frame\n");
  if (cfg->level > 2 && frame % 2 == 0)
    arena_end(a);
}

void ok_inside_loop(arena *a, int n, int c) {
  for (int i = 0; i < n; ++i) {
    if (c)
      arena_begin(a);
    consume(NULL);
    if (c)
      arena_end(a);
  }
}

void ok_nested_correlated(arena *a, int c, int d) {
  if (c)
    arena_begin(a);
  if (d)
    arena_begin(a);
  log_msg("work\n");
  if (d)
    arena_end(a);
  if (c)
    arena_end(a);
}

void ok_else_branch(arena *a, int c) {
  if (c)
    arena_begin(a);
  else
    log_msg("no frame\n");
  if (c)
    arena_end(a);
  else
    log_msg("still no frame\n");
}

void ok_early_return_correlated(arena *a, int c) {
  if (c)
    arena_begin(a);
  if (should_quit()) {
    if (c)
      arena_end(a);
    return;
  }
  if (c)
    arena_end(a);
}

void ok_ternary_flag(arena *a, int n) {
  int framed = n > 0 ? 1 : 0;
  if (framed)
    arena_begin(a);
  log_msg("%d\n", n);
  if (framed != 0)
    arena_end(a);
}

//===--- Reported: the correlation is broken ---===//

void bad_flag_reset(arena *a, int n) {
  int opened = 0;
  if (n > 4) {
    arena_begin(a);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame begun here is not ended before 'bad_flag_reset' returns [framealloc-frame-pairing]
    opened = 1;
  }
  opened = 0;
  if (opened)
    arena_end(a);
}

void bad_incremented(arena *a, int c) {
  if (c)
    arena_begin(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame begun here is not ended before 'bad_incremented' returns
  c++;
  if (c)
    arena_end(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame ended here is not open in 'bad_incremented'
}

void bad_inverted(arena *a, int c) {
  if (c)
    arena_begin(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame begun here is not ended before 'bad_inverted' returns
  if (!c)
    arena_end(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame ended here is not open in 'bad_inverted'
}

void bad_member_written(arena *a, config *cfg) {
  if (cfg->debug_frames)
    arena_begin(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame begun here is not ended before 'bad_member_written' returns
  cfg->debug_frames = frame_count() & 1;
  if (cfg->debug_frames)
    arena_end(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame ended here is not open in 'bad_member_written'
}
