/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-frame-escape,framealloc-use-after-frame' %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s 'framealloc-frame-escape,framealloc-use-after-frame' %t-cxx -- -- -x c++ -std=c++17
//
// fa_frame_retain_for keeps *slot for N frames: like fa_frame_retain, the slot
// is redirected to a copy when the innermost scope ends, so storing frame
// memory in it is not an escape; a copy of the slot taken before the end keeps
// the frame address; FA_RETAIN_DISCARD cancels it; the slot must outlive the
// scope.

#include <framealloc.h>

typedef struct hud {
  float *graph;
  float *stale;
} hud;

void fill_points(float *p, int n);

void ok_kept(hud *h, fa_alloc *fa) {
  fa_begin_frame(fa);
  h->graph = (float *)fa_frame_alloc(fa, 64 * sizeof(float), 16);
  fill_points(h->graph, 64);
  fa_frame_retain_for(fa, (void **)&h->graph, 64 * sizeof(float), 3);
  fa_end_frame(fa);
  if (h->graph)
    h->graph[0] = 1.0f; /* the kept copy */
}

void bad_alias_after_keep(hud *h, fa_alloc *fa) {
  fa_begin_frame(fa);
  h->graph = (float *)fa_frame_alloc(fa, 64 * sizeof(float), 16);
  fa_frame_retain_for(fa, (void **)&h->graph, 64 * sizeof(float), 3);
  float *cursor = h->graph;
  fill_points(cursor, 64);
  fa_end_frame(fa);
  cursor[0] = 0.0f;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'cursor' used after its frame ended [framealloc-use-after-frame]
}

void bad_keep_then_cancel(hud *h, fa_alloc *fa) {
  fa_begin_frame(fa);
  h->graph = (float *)fa_frame_alloc(fa, 64 * sizeof(float), 16);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'h->graph' outlives its frame [framealloc-frame-escape]
  fa_frame_retain_for(fa, (void **)&h->graph, 64 * sizeof(float), 3);
  fa_frame_retain(fa, (void **)&h->graph, 0, FA_RETAIN_DISCARD);
  fa_end_frame(fa);
}

void bad_unkept_neighbour(hud *h, fa_alloc *fa) {
  fa_begin_frame(fa);
  h->graph = (float *)fa_frame_alloc(fa, 64 * sizeof(float), 16);
  fa_frame_retain_for(fa, (void **)&h->graph, 64 * sizeof(float), 3);
  h->stale = (float *)fa_frame_alloc(fa, 64 * sizeof(float), 16);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'h->stale' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void bad_local_slot(fa_alloc *fa) {
  float *scratch = (float *)fa_frame_alloc(fa, 256, 16);
  fill_points(scratch, 64);
  fa_frame_retain_for(fa, (void **)&scratch, 256, 2);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: retain slot 'scratch' is a local of 'bad_local_slot' and dies before the frame scope ends, when the retained copy is written into it [framealloc-frame-escape]
}
