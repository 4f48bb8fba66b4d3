/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-cxx -- -- -x c++ -std=c++17
//
// Frame pointers stored in heap or pool nodes that are linked into a
// long-lived list (before or after the node is filled), or in a node reached
// from a long-lived root, outlive the frame.

#include <framealloc.h>
#include <stdlib.h>
#include <string.h>

typedef struct event {
  struct event *next;
  const char *text;
  int frame;
} event;

typedef struct scene_node {
  struct scene_node *first_child;
  struct scene_node *sibling;
  float *transforms;
} scene_node;

static event *g_events;
static scene_node *g_scene_root;

static scene_node *scene_find(scene_node *root, int id);
void log_text(const char *s);

void bad_event_filled_then_linked(fa_alloc *fa, int frame) {
  fa_begin_frame(fa);
  char *text = fa_frame_strdup(fa, "spawned");
  event *e = (event *)malloc(sizeof *e);
  if (!e) {
    fa_end_frame(fa);
    return;
  }
  e->text = text;
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: frame memory stored in 'e->text' outlives its frame [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-8]]:16: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE+5]]:3: note: frame ended here while 'e->text' still points into it
  // CHECK-NOTES: :[[@LINE+3]]:3: note: 'e' is linked into 'g_events' here
  e->frame = frame;
  e->next = g_events;
  g_events = e;
  fa_end_frame(fa);
}

void bad_pool_node_linked_then_filled(fa_alloc *fa) {
  fa_begin_frame(fa);
  event *e = (event *)fa_pool_alloc(fa, sizeof *e);
  e->next = g_events;
  g_events = e;
  e->text = fa_frame_strdup(fa, "hit");
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: frame memory stored in 'e->text' outlives its frame [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-2]]:13: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE+2]]:3: note: frame ended here while 'e->text' still points into it
  // CHECK-NOTES: :[[@LINE-5]]:3: note: 'e' is linked into 'g_events' here
  fa_end_frame(fa);
}

void bad_heap_node_under_root(fa_alloc *fa) {
  fa_begin_frame(fa);
  scene_node *n = (scene_node *)fa_heap_alloc(fa, sizeof *n, 16);
  n->transforms = (float *)fa_frame_alloc(fa, 64, 16);
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: frame memory stored in 'n->transforms' outlives its frame [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-2]]:28: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE+5]]:3: note: frame ended here while 'n->transforms' still points into it
  // CHECK-NOTES: :[[@LINE+3]]:3: note: 'n' is linked into 'g_scene_root->first_child' here
  n->first_child = NULL;
  n->sibling = g_scene_root->first_child;
  g_scene_root->first_child = n;
  fa_end_frame(fa);
}

void bad_node_found_from_root(fa_alloc *fa, int id) {
  fa_begin_frame(fa);
  scene_node *n = scene_find(g_scene_root, id);
  if (n)
    n->transforms = (float *)fa_frame_alloc(fa, 64, 16);
  // CHECK-NOTES: :[[@LINE-1]]:5: warning: frame memory stored in 'n->transforms' outlives its frame [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-2]]:30: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE+1]]:3: note: frame ended here while 'n->transforms' still points into it
  fa_end_frame(fa);
}

void bad_walk_from_root(fa_alloc *fa) {
  fa_begin_frame(fa);
  scene_node *n = g_scene_root;
  while (n->sibling)
    n = n->sibling;
  n->transforms = (float *)fa_frame_alloc(fa, 64, 16);
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: frame memory stored in 'n->transforms' outlives its frame [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-2]]:28: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE+1]]:3: note: frame ended here while 'n->transforms' still points into it
  fa_end_frame(fa);
}

/* --- No escape ------------------------------------------------------------ */

/* A node private to the frame: filled, used and freed. */
void ok_private_node(fa_alloc *fa) {
  fa_begin_frame(fa);
  event *e = (event *)malloc(sizeof *e);
  if (e) {
    e->text = fa_frame_strdup(fa, "temp");
    log_text(e->text);
    free(e);
  }
  fa_end_frame(fa);
}

/* A linked node holding a heap copy, not the frame string. */
void ok_linked_copy(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *text = fa_frame_strdup(fa, "kept");
  event *e = (event *)malloc(sizeof *e);
  if (!e) {
    fa_end_frame(fa);
    return;
  }
  e->text = strdup(text);
  e->next = g_events;
  g_events = e;
  fa_end_frame(fa);
}

/* A frame-local list: nodes and their data live in the frame together. */
void ok_frame_list(fa_alloc *fa) {
  fa_begin_frame(fa);
  event *head = NULL;
  for (int i = 0; i < 4; ++i) {
    event *e = (event *)fa_frame_alloc(fa, sizeof *e, 8);
    e->text = fa_frame_strdup(fa, "step");
    e->next = head;
    head = e;
  }
  for (event *e = head; e; e = e->next)
    log_text(e->text);
  fa_end_frame(fa);
}

/* The node's data is cleared before the frame ends. */
void ok_cleared_before_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  event *e = (event *)malloc(sizeof *e);
  if (!e) {
    fa_end_frame(fa);
    return;
  }
  e->text = fa_frame_strdup(fa, "x");
  log_text(e->text);
  e->text = NULL;
  e->next = g_events;
  g_events = e;
  fa_end_frame(fa);
}
