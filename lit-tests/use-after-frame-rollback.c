/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-use-after-frame,framealloc-frame-escape' %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s 'framealloc-use-after-frame,framealloc-frame-escape' %t-cxx -- -- -x c++ -std=c++17
//
// fa_frame_rollback releases what the innermost scope allocated since the
// checkpoint: using that memory afterwards is a use after its frame; memory
// allocated before the checkpoint stays valid until the scope ends.

#include <framealloc.h>
#include <stdio.h>

typedef struct glyph_run {
  float *advances;
  int count;
} glyph_run;

int shape_text(const char *text, glyph_run *out, float *scratch);
void draw_run(const glyph_run *run);

void bad_use_after_rollback(fa_alloc *fa, const char *text) {
  fa_begin_frame(fa);
  fa_checkpoint cp = fa_frame_checkpoint(fa);
  float *scratch = (float *)fa_frame_alloc(fa, 1024 * sizeof(float), 16);
  glyph_run run = {scratch, 0};
  if (shape_text(text, &run, scratch) != 0) {
    fa_frame_rollback(fa, cp);
    scratch[0] = 0.0f;
    // CHECK-NOTES: :[[@LINE-1]]:5: warning: 'scratch' used after its frame ended [framealloc-use-after-frame]
    // CHECK-NOTES: :[[@LINE-6]]:29: note: frame memory allocated here
    // CHECK-NOTES: :[[@LINE-4]]:5: note: released here by the rollback to its checkpoint
  }
  fa_end_frame(fa);
}

void bad_nested_checkpoints(fa_alloc *fa) {
  fa_begin_frame(fa);
  fa_checkpoint outer = fa_frame_checkpoint(fa);
  float *a = (float *)fa_frame_alloc(fa, 64, 16);
  fa_checkpoint inner = fa_frame_checkpoint(fa);
  float *b = (float *)fa_frame_alloc(fa, 64, 16);
  (void)inner;
  fa_frame_rollback(fa, outer);
  printf("%f\n", b[0]);
  // CHECK-NOTES: :[[@LINE-1]]:18: warning: 'b' used after its frame ended [framealloc-use-after-frame]
  // CHECK-NOTES: :[[@LINE-5]]:23: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE-4]]:3: note: released here by the rollback to its checkpoint
  printf("%f\n", a[0]);
  // CHECK-NOTES: :[[@LINE-1]]:18: warning: 'a' used after its frame ended [framealloc-use-after-frame]
  // CHECK-NOTES: :[[@LINE-11]]:23: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE-8]]:3: note: released here by the rollback to its checkpoint
  fa_end_frame(fa);
}

void bad_in_caller_scope(fa_alloc *fa, glyph_run *out) {
  fa_checkpoint cp = fa_frame_checkpoint(fa);
  out->advances = (float *)fa_frame_alloc(fa, 256, 16);
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: frame memory stored in 'out->advances' outlives its frame [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-2]]:28: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE+4]]:3: note: released here by the rollback to its checkpoint while 'out->advances' still points into it
  // CHECK-NOTES: :[[@LINE+4]]:3: warning: 'out->advances' used after its frame ended [framealloc-use-after-frame]
  // CHECK-NOTES: :[[@LINE-5]]:28: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE+1]]:3: note: released here by the rollback to its checkpoint
  fa_frame_rollback(fa, cp);
  out->advances[0] = 1.0f;
}

/* --- Valid ------------------------------------------------------------------ */

void ok_allocated_before_checkpoint(fa_alloc *fa, const char *text) {
  fa_begin_frame(fa);
  float *kept = (float *)fa_frame_alloc(fa, 64 * sizeof(float), 16);
  fa_checkpoint cp = fa_frame_checkpoint(fa);
  float *trial = (float *)fa_frame_alloc(fa, 1024 * sizeof(float), 16);
  glyph_run run = {trial, 0};
  if (shape_text(text, &run, trial) != 0)
    fa_frame_rollback(fa, cp);
  kept[0] = 1.0f;
  run.advances = kept;
  draw_run(&run);
  fa_end_frame(fa);
}

void ok_inner_rollback_keeps_outer(fa_alloc *fa) {
  fa_begin_frame(fa);
  fa_checkpoint outer = fa_frame_checkpoint(fa);
  float *a = (float *)fa_frame_alloc(fa, 64, 16);
  fa_checkpoint inner = fa_frame_checkpoint(fa);
  float *b = (float *)fa_frame_alloc(fa, 64, 16);
  b[0] = 2.0f;
  fa_frame_rollback(fa, inner);
  a[0] = 1.0f;
  (void)outer;
  fa_end_frame(fa);
}

/* Retry loop: each attempt rolls back the last one and allocates anew. */
void ok_retry_loop(fa_alloc *fa, const char *text) {
  fa_begin_frame(fa);
  fa_checkpoint cp = fa_frame_checkpoint(fa);
  glyph_run run = {NULL, 0};
  for (int size = 256; size <= 4096; size *= 2) {
    float *scratch = (float *)fa_frame_alloc(fa, (size_t)size * sizeof(float), 16);
    if (shape_text(text, &run, scratch) == 0) {
      draw_run(&run);
      break;
    }
    fa_frame_rollback(fa, cp);
  }
  fa_end_frame(fa);
}

/* A checkpoint kept and never rolled back releases nothing. */
void ok_unused_checkpoint(fa_alloc *fa) {
  fa_begin_frame(fa);
  fa_checkpoint cp = fa_frame_checkpoint(fa);
  float *p = (float *)fa_frame_alloc(fa, 64, 16);
  (void)cp;
  p[0] = 1.0f;
  fa_end_frame(fa);
}
