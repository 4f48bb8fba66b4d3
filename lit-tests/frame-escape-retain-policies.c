/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-frame-escape,framealloc-use-after-frame' %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s 'framealloc-frame-escape,framealloc-use-after-frame' %t-cxx -- -- -x c++ -std=c++17
//
// fa_frame_retain copies *slot out of the frame when the innermost scope
// ends and updates the slot. FA_RETAIN_DISCARD keeps nothing (and cancels an
// earlier retain), so the slot dangles. A copy of the slot taken before the
// end keeps the frame address. The slot itself must outlive the scope: a
// local of a function that returns before the scope ends does not.

#include <framealloc.h>
#include <string.h>

typedef struct nav_path {
  float *points;
  int count;
} nav_path;

typedef struct ai_agent {
  nav_path path;
  float *last_points;
} ai_agent;

void fill_points(float *p, int n);

void bad_discard(ai_agent *agent, fa_alloc *fa) {
  fa_begin_frame(fa);
  agent->path.points = (float *)fa_frame_alloc(fa, 64 * sizeof(float), 16);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'agent->path.points' outlives its frame [framealloc-frame-escape]
  fa_frame_retain(fa, (void **)&agent->path.points, 64 * sizeof(float),
                  FA_RETAIN_DISCARD);
  fa_end_frame(fa);
}

void bad_retain_then_cancel(ai_agent *agent, fa_alloc *fa, int keep) {
  fa_begin_frame(fa);
  agent->path.points = (float *)fa_frame_alloc(fa, 64 * sizeof(float), 16);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'agent->path.points' outlives its frame [framealloc-frame-escape]
  fa_frame_retain(fa, (void **)&agent->path.points, 64 * sizeof(float),
                  FA_RETAIN_TO_HEAP);
  if (!keep)
    fa_frame_retain(fa, (void **)&agent->path.points, 0, FA_RETAIN_DISCARD);
  fa_end_frame(fa);
}

void bad_alias_after_retain(ai_agent *agent, fa_alloc *fa) {
  fa_begin_frame(fa);
  agent->path.points = (float *)fa_frame_alloc(fa, 64 * sizeof(float), 16);
  fa_frame_retain(fa, (void **)&agent->path.points, 64 * sizeof(float),
                  FA_RETAIN_TO_HEAP);
  float *cursor = agent->path.points;
  fill_points(cursor, 64);
  fa_end_frame(fa);
  cursor[0] = 0.0f;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'cursor' used after its frame ended [framealloc-use-after-frame]
}

void bad_local_slot(fa_alloc *fa) {
  float *scratch = (float *)fa_frame_alloc(fa, 256, 16);
  fill_points(scratch, 64);
  fa_frame_retain(fa, (void **)&scratch, 256, FA_RETAIN_TO_POOL);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: retain slot 'scratch' is a local of 'bad_local_slot' and dies before the frame scope ends, when the retained copy is written into it [framealloc-frame-escape]
}

/* --- Retained: quiet ------------------------------------------------------- */

void ok_retained(ai_agent *agent, fa_alloc *fa) {
  fa_begin_frame(fa);
  agent->path.points = (float *)fa_frame_alloc(fa, 64 * sizeof(float), 16);
  fill_points(agent->path.points, 64);
  fa_frame_retain(fa, (void **)&agent->path.points, 64 * sizeof(float),
                  FA_RETAIN_TO_HEAP);
  fa_end_frame(fa);
  agent->path.points[0] = 1.0f; /* now the heap copy */
}

void ok_alias_before_end_only(ai_agent *agent, fa_alloc *fa) {
  fa_begin_frame(fa);
  agent->path.points = (float *)fa_frame_alloc(fa, 64 * sizeof(float), 16);
  fa_frame_retain(fa, (void **)&agent->path.points, 64 * sizeof(float),
                  FA_RETAIN_TO_HEAP);
  float *cursor = agent->path.points;
  fill_points(cursor, 64);
  fa_end_frame(fa);
  agent->last_points = agent->path.points;
}

/* A local slot is fine while the scope it is retained into ends first. */
float ok_local_slot_own_scope(fa_alloc *fa) {
  float *kept;
  fa_begin_frame(fa);
  kept = (float *)fa_frame_alloc(fa, 64, 16);
  fill_points(kept, 16);
  fa_frame_retain(fa, (void **)&kept, 64, FA_RETAIN_TO_HEAP);
  fa_end_frame(fa);
  float first = kept ? kept[0] : 0.0f;
  fa_heap_free(fa, kept);
  return first;
}

/* The caller's scope copies a slot of the caller's object. */
void ok_caller_scope(ai_agent *agent, fa_alloc *fa) {
  agent->last_points = (float *)fa_frame_alloc(fa, 64, 16);
  fa_frame_retain(fa, (void **)&agent->last_points, 64, FA_RETAIN_TO_POOL);
}

/* A slot declared in an inner block dies when the block ends, before the
 * frame scope it is retained into ends. */
void bad_block_local_slot(fa_alloc *fa, int n) {
  fa_begin_frame(fa);
  for (int i = 0; i < n; ++i) {
    float *slot = (float *)fa_frame_alloc(fa, 64, 16);
    fill_points(slot, 16);
    fa_frame_retain(fa, (void **)&slot, 64, FA_RETAIN_TO_HEAP);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: retain slot 'slot' is a local of an inner block and dies before the frame scope ends, when the retained copy is written into it [framealloc-frame-escape]
  }
  fa_end_frame(fa);
}

/* The block ends its own frame scope: the copy lands while slot lives. */
void ok_block_local_slot_own_scope(fa_alloc *fa, int n) {
  for (int i = 0; i < n; ++i) {
    float *slot;
    fa_begin_frame(fa);
    slot = (float *)fa_frame_alloc(fa, 64, 16);
    fill_points(slot, 16);
    fa_frame_retain(fa, (void **)&slot, 64, FA_RETAIN_TO_HEAP);
    fa_end_frame(fa);
    fa_heap_free(fa, slot);
  }
}
