/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-cxx -- -- -x c++ -std=c++17
//
// A node that holds frame pointers and is linked into a list that outlives
// the frame is one mistake, reported once: at the link when the node itself
// is frame memory (its fields die with it; the list keeps the node), at the
// field store when the node is pool or heap memory (the list keeps the node,
// the node keeps the frame pointer).

#include <framealloc.h>
#include <stddef.h>
#include <stdlib.h>

typedef struct job {
  int id;
} job;

typedef struct batch {
  struct batch *next;
  job *jobs;
  int count;
} batch;

typedef struct scheduler {
  batch *in_flight;
} scheduler;

static batch *g_batches;
void run_batch(batch *b);

void bad_frame_node_linked(fa_alloc *fa, scheduler *s) {
  fa_begin_frame(fa);
  job *frame_jobs = (job *)fa_frame_alloc(fa, 4 * sizeof(job), 8);
  batch *node = (batch *)fa_frame_alloc(fa, sizeof *node, 8);
  node->jobs = frame_jobs;
  node->count = 4;
  node->next = s->in_flight;
  s->in_flight = node;
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: frame memory stored in 's->in_flight' outlives its frame [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-6]]:26: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE+3]]:3: note: frame ended here while 's->in_flight' still points into it
  // CHECK-NOTES: :[[@LINE-7]]:3: note: the linked node also points to frame memory through 'node->jobs', stored here
  run_batch(node);
  fa_end_frame(fa);
}

void bad_frame_node_into_global(fa_alloc *fa) {
  fa_begin_frame(fa);
  batch *node = (batch *)fa_frame_alloc(fa, sizeof *node, 8);
  node->jobs = (job *)fa_frame_alloc(fa, 4 * sizeof(job), 8);
  node->next = g_batches;
  g_batches = node;
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_batches' outlives its frame [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-5]]:26: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE+2]]:3: note: frame ended here while 'g_batches' still points into it
  // CHECK-NOTES: :[[@LINE-6]]:3: note: the linked node also points to frame memory through 'node->jobs', stored here
  fa_end_frame(fa);
}

void bad_pool_node_linked(fa_alloc *fa, scheduler *s) {
  fa_begin_frame(fa);
  job *frame_jobs = (job *)fa_frame_alloc(fa, 4 * sizeof(job), 8);
  batch *node = (batch *)fa_pool_alloc(fa, sizeof *node);
  node->jobs = frame_jobs;
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: frame memory stored in 'node->jobs' outlives its frame [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-4]]:28: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE+4]]:3: note: frame ended here while 'node->jobs' still points into it
  // CHECK-NOTES: :[[@LINE+2]]:3: note: 'node' is linked into 's->in_flight' here
  node->next = s->in_flight;
  s->in_flight = node;
  fa_end_frame(fa);
}

void bad_heap_node_linked_first(fa_alloc *fa) {
  fa_begin_frame(fa);
  batch *node = (batch *)malloc(sizeof *node);
  if (!node) {
    fa_end_frame(fa);
    return;
  }
  node->next = g_batches;
  g_batches = node;
  node->jobs = (job *)fa_frame_alloc(fa, 4 * sizeof(job), 8);
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: frame memory stored in 'node->jobs' outlives its frame [framealloc-frame-escape]
  // CHECK-NOTES: :[[@LINE-2]]:23: note: frame memory allocated here
  // CHECK-NOTES: :[[@LINE+2]]:3: note: frame ended here while 'node->jobs' still points into it
  // CHECK-NOTES: :[[@LINE-5]]:3: note: 'node' is linked into 'g_batches' here
  fa_end_frame(fa);
}

/* --- No escape ------------------------------------------------------------ */

/* A frame node in a frame list: nodes and jobs end together. */
void ok_frame_node_frame_list(fa_alloc *fa) {
  fa_begin_frame(fa);
  batch *head = NULL;
  for (int i = 0; i < 3; ++i) {
    batch *node = (batch *)fa_frame_alloc(fa, sizeof *node, 8);
    node->jobs = (job *)fa_frame_alloc(fa, 4 * sizeof(job), 8);
    node->next = head;
    head = node;
  }
  for (batch *b = head; b; b = b->next)
    run_batch(b);
  fa_end_frame(fa);
}

/* The caller's frame: a node and its jobs from the frame the caller has
   open, linked into the caller's scheduler. */
void ok_caller_frame_node(fa_alloc *fa, scheduler *s) {
  batch *node = (batch *)fa_frame_alloc(fa, sizeof *node, 8);
  node->jobs = (job *)fa_frame_alloc(fa, 4 * sizeof(job), 8);
  node->next = s->in_flight;
  s->in_flight = node;
}
