/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy -fix-notes %s framealloc-frame-pairing %t
//
// The notes: the exit reached with the frame open, the earlier end of a double
// end, and, for functions that look like begin/end wrappers, the annotation
// to declare (a fix-it on the note, applied with --fix-notes).

#include "engine.h"

void bad_exit_note(arena *a, int n) {
  arena_begin(a);
  if (n > 3)
    return;
  arena_end(a);
}
// CHECK-NOTES: :[[@LINE-5]]:3: warning: frame begun here is not ended before 'bad_exit_note' returns [framealloc-frame-pairing]
// CHECK-NOTES: :[[@LINE-4]]:5: note: 'bad_exit_note' returns here with the frame still open

void bad_double_end(arena *a) {
  arena_begin(a);
  arena_end(a);
  arena_end(a);
}
// CHECK-NOTES: :[[@LINE-2]]:3: warning: frame ended here is not open in 'bad_double_end'
// CHECK-NOTES: :[[@LINE-4]]:3: note: frame already ended here

void bad_loop_end(arena *a, int n) {
  arena_begin(a);
  arena_end(a);
  for (int i = 0; i < n; ++i)
    arena_end(a);
}
// CHECK-NOTES: :[[@LINE-2]]:5: warning: frame ended here is not open in 'bad_loop_end'
// CHECK-NOTES: :[[@LINE-5]]:3: note: frame already ended here

// Seed game-dev RenderFrame::new begins a frame and never ends it; if that
// is the intent, the function is a frame-begin wrapper.
typedef struct render_frame {
  void **commands;
  int count;
} render_frame;
void render_frame_init(render_frame *rf, arena *a) {
  arena_begin(a);
  rf->commands = arena_alloc(a, 64 * sizeof(void *));
  rf->count = 0;
}
// CHECK-NOTES: :[[@LINE-4]]:3: warning: frame begun here is not ended before 'render_frame_init' returns
// CHECK-NOTES: :[[@LINE-2]]:1: note: 'render_frame_init' reaches its end here with the frame still open
// CHECK-NOTES: :[[@LINE-7]]:6: note: declare 'render_frame_init' FA_BEGINS_FRAME if it begins a frame for its caller
// CHECK-FIXES: void render_frame_init(render_frame *rf, arena *a) FA_BEGINS_FRAME {

// A function that ends its caller's frame.
void frame_finish(arena *a);
void frame_finish(arena *a) {
  log_msg("frame done\n");
  arena_end(a);
}
// CHECK-NOTES: :[[@LINE-2]]:3: warning: frame ended here is not open in 'frame_finish'
// CHECK-NOTES: :[[@LINE-6]]:6: note: declare 'frame_finish' FA_ENDS_FRAME if it ends its caller's frame
// CHECK-FIXES: void frame_finish(arena *a) FA_ENDS_FRAME;
