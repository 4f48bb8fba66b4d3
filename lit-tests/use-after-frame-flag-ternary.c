/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-use-after-frame,framealloc-frame-escape' %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s 'framealloc-use-after-frame,framealloc-frame-escape' %t-cxx -- -- -x c++ -std=c++17
//
// A flag chooses frame or heap memory in a conditional expression or an
// if/else, the frame ends, and the unchanged flag is tested again: the arms
// of `use_frame ? frame : heap` stay apart where they meet, so the pointer's
// origin follows the flag.

#include <framealloc.h>
#include <stdlib.h>

typedef struct world {
  void *cache FA_LONG_LIVED;
} world;

static void *g_keep;

void ok_ternary_kept_when_heap(fa_alloc *fa, int n) {
  int use_frame = n < 256;
  fa_begin_frame(fa);
  void *p = use_frame ? fa_frame_alloc(fa, n, 16) : malloc(n);
  fa_end_frame(fa);
  if (!use_frame) {
    g_keep = p;
  }
}

void ok_ternary_freed_when_heap(fa_alloc *fa, int n, int use_frame) {
  fa_begin_frame(fa);
  char *p = (char *)(use_frame ? fa_frame_alloc(fa, n, 16) : malloc(n));
  p[0] = 0;
  fa_end_frame(fa);
  if (!use_frame)
    free(p);
}

void ok_ternary_stored_before_end(fa_alloc *fa, world *w, int n,
                                  int use_frame) {
  fa_begin_frame(fa);
  void *p = use_frame ? fa_frame_alloc(fa, n, 16) : malloc(n);
  if (!use_frame)
    w->cache = p;
  fa_end_frame(fa);
}

void ok_ternary_assignment(fa_alloc *fa, world *w, int n, int use_frame) {
  void *p;
  fa_begin_frame(fa);
  p = use_frame ? fa_frame_alloc(fa, n, 16) : malloc(n);
  fa_end_frame(fa);
  if (use_frame == 0)
    w->cache = p;
}

void ok_if_else_kept_when_heap(fa_alloc *fa, int n, int use_frame) {
  void *p;
  fa_begin_frame(fa);
  if (use_frame)
    p = fa_frame_alloc(fa, n, 16);
  else
    p = malloc(n);
  fa_end_frame(fa);
  if (!use_frame)
    g_keep = p;
}

/* --- Reported ------------------------------------------------------------ */

void bad_ternary_kept_when_frame(fa_alloc *fa, int n, int use_frame) {
  fa_begin_frame(fa);
  void *p = use_frame ? fa_frame_alloc(fa, n, 16) : malloc(n);
  if (use_frame)
    g_keep = p;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame memory stored in global 'g_keep' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void bad_ternary_used_when_frame(fa_alloc *fa, int n, int use_frame) {
  fa_begin_frame(fa);
  char *p = (char *)(use_frame ? fa_frame_alloc(fa, n, 16) : malloc(n));
  fa_end_frame(fa);
  if (use_frame)
    p[0] = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'p' used after its frame ended [framealloc-use-after-frame]
  else
    free(p);
}

// Once the flag changes, the pointer is not known to follow it.
void bad_flag_changed(fa_alloc *fa, world *w, int n, int use_frame) {
  fa_begin_frame(fa);
  void *p = use_frame ? fa_frame_alloc(fa, n, 16) : malloc(n);
  use_frame = n > 8;
  if (!use_frame)
    w->cache = p;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame memory stored in long-lived 'w->cache' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}
