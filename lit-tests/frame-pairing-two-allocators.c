/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t-cxx -- -- -x c++ -std=c++17
//
// Two allocators on one thread (<framealloc.h>): each fa_alloc has its own
// stack of frame scopes, so the analysis keys fa_begin_frame, fa_end_frame
// and the frame allocations by the allocator argument, with no annotation
// in user code.

#include <framealloc.h>

typedef struct World {
  fa_alloc *sim;
  fa_alloc *render;
  float *positions;
  int count;
} World;

void consume(const void *p);

/* Ending the render frame leaves the simulation frame's memory alive. */
float ok_two_frames(World *w, int n) {
  fa_begin_frame(w->sim);
  fa_begin_frame(w->render);
  float *pos = (float *)fa_frame_alloc(w->sim, n * sizeof(float), 16);
  consume(fa_frame_alloc(w->render, 256, 16));
  fa_end_frame(w->render);
  pos[0] = 1.0f;
  float v = pos[0];
  fa_end_frame(w->sim);
  return v;
}

/* A local alias of an allocator names the same stack. */
void ok_alias(World *w) {
  fa_alloc *fa = w->render;
  fa_begin_frame(w->render);
  consume(fa_frame_alloc(fa, 64, 16));
  fa_end_frame(fa);
}

/* Ending the render frame twice does not end the simulation frame. */
void bad_unbalanced_per_allocator(World *w) {
  fa_begin_frame(w->sim);
  fa_begin_frame(w->render);
  fa_end_frame(w->render);
  fa_end_frame(w->render);
}
// CHECK-MESSAGES: :[[@LINE-5]]:3: warning: frame begun here is not ended before 'bad_unbalanced_per_allocator' returns [framealloc-frame-pairing]
// CHECK-MESSAGES: :[[@LINE-3]]:3: warning: frame ended here is not open in 'bad_unbalanced_per_allocator' [framealloc-frame-pairing]

/* The simulation frame's memory dies with its own end, not the render's. */
float bad_use_after_own_end(World *w, int n) {
  fa_begin_frame(w->render);
  fa_begin_frame(w->sim);
  float *pos = (float *)fa_frame_alloc(w->sim, n * sizeof(float), 16);
  fa_end_frame(w->sim);
  float v = pos[0];
  fa_end_frame(w->render);
  return v;
}
// CHECK-MESSAGES: :[[@LINE-4]]:13: warning: 'pos' used after its frame ended [framealloc-use-after-frame]

/* Memory of the caller's frame on one allocator, kept past this function's
 * own frame on the other: fine. Storing it in a global is not. */
static float *g_last_positions;
void ok_callers_frame_across(World *w, int n) {
  float *pos = (float *)fa_frame_alloc(w->sim, n * sizeof(float), 16);
  fa_begin_frame(w->render);
  consume(fa_frame_alloc(w->render, 64, 16));
  fa_end_frame(w->render);
  w->positions = pos;
  w->count = n;
}
void bad_callers_frame_global(World *w, int n) {
  fa_begin_frame(w->render);
  g_last_positions = (float *)fa_frame_alloc(w->sim, n * sizeof(float), 16);
  fa_end_frame(w->render);
}
// CHECK-MESSAGES: :[[@LINE-3]]:3: warning: frame memory stored in global 'g_last_positions' outlives its frame [framealloc-frame-escape]

/* An allocator's frame ended in a function declared to end the caller's
 * frame leaves the other allocator's memory (of the caller) alive. */
void end_sim_frame(World *w) FA_ENDS_FRAME;
void end_sim_frame(World *w) { fa_end_frame(w->sim); }
void ok_caller_render_memory(World *w, int n) FA_ENDS_FRAME;
void ok_caller_render_memory(World *w, int n) {
  float *pos = (float *)fa_frame_alloc(w->render, n * sizeof(float), 16);
  fa_end_frame(w->sim);
  pos[0] = 0.0f;
}
