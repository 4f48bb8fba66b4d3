/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-cxx -- -- -x c++ -std=c++17
//
// A same-file helper that fills a field of the object it is given with frame
// memory (`l->cmds = fa_frame_alloc(...)`) stores into that field of the
// caller's object: clearing the field in the caller (before or after the
// end) is the same as clearing a store written in the caller. A field the
// helper filled and nobody cleared is still reported.

#include <framealloc.h>
#include <stddef.h>

typedef struct cmd {
  int op;
} cmd;

typedef struct cmdlist {
  cmd *cmds;
  int count;
} cmdlist;

typedef struct renderer {
  cmdlist current;
  cmdlist previous;
  char *label;
} renderer;

static renderer g_renderer;

static void cmdlist_init(cmdlist *l, fa_alloc *fa) {
  l->cmds = (cmd *)fa_frame_alloc(fa, 64 * sizeof(cmd), 8);
  l->count = 0;
}

static void renderer_fill(renderer *r, fa_alloc *fa) {
  r->current.cmds = (cmd *)fa_frame_alloc(fa, 16 * sizeof(cmd), 8);
  r->label = fa_frame_strdup(fa, "frame");
}

static void cmdlist_reset(cmdlist *l) { l->cmds = NULL; }

void ok_cleared_after_end(fa_alloc *fa, renderer *r) {
  fa_begin_frame(fa);
  cmdlist_init(&r->current, fa);
  r->current.cmds[0].op = 1;
  fa_end_frame(fa);
  r->current.cmds = NULL;
}

void ok_cleared_before_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  cmdlist_init(&g_renderer.current, fa);
  g_renderer.current.cmds[0].op = 2;
  g_renderer.current.cmds = NULL;
  fa_end_frame(fa);
}

void ok_cleared_through_pointer(fa_alloc *fa, renderer *r) {
  cmdlist *l = &r->previous;
  fa_begin_frame(fa);
  cmdlist_init(l, fa);
  fa_end_frame(fa);
  l->cmds = NULL;
}

void ok_cleared_by_another_helper(fa_alloc *fa, renderer *r) {
  fa_begin_frame(fa);
  cmdlist_init(&r->current, fa);
  cmdlist_reset(&r->current);
  fa_end_frame(fa);
}

void ok_every_filled_field_cleared(fa_alloc *fa, renderer *r) {
  fa_begin_frame(fa);
  renderer_fill(r, fa);
  fa_end_frame(fa);
  r->current.cmds = NULL;
  r->label = NULL;
}

/* --- Left set ------------------------------------------------------------- */

void bad_left_set(fa_alloc *fa, renderer *r) {
  fa_begin_frame(fa);
  cmdlist_init(&r->current, fa);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'r->current.cmds' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void bad_other_list_cleared(fa_alloc *fa) {
  fa_begin_frame(fa);
  cmdlist_init(&g_renderer.current, fa);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'g_renderer.current.cmds' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
  g_renderer.previous.cmds = NULL;
}

void bad_one_filled_field_left(fa_alloc *fa, renderer *r) {
  fa_begin_frame(fa);
  renderer_fill(r, fa);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'r->label' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
  r->current.cmds = NULL;
}
