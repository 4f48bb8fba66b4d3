/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-cxx -- -- -x c++ -std=c++17
//
// A node holding frame memory, linked into a list that outlives the frame and
// unlinked again (the head reset, or set back to the node's successor) before
// the function returns: nothing outliving reaches the node any more, like a
// slot cleared after the end. A node still reachable is an escape.

#include <framealloc.h>
#include <stddef.h>

typedef struct job {
  int id;
} job;

typedef struct batch {
  struct batch *next;
  job *jobs;
} batch;

typedef struct scheduler {
  batch *in_flight;
  batch *done;
} scheduler;

static batch *g_pending;
void run_all(scheduler *s);
void run_batch(batch *b);

void ok_head_reset_before_end(fa_alloc *fa, scheduler *s) {
  fa_begin_frame(fa);
  batch *node = (batch *)fa_pool_alloc(fa, sizeof *node);
  node->jobs = (job *)fa_frame_alloc(fa, 4 * sizeof(job), 8);
  node->next = s->in_flight;
  s->in_flight = node;
  run_all(s);
  s->in_flight = NULL;
  fa_end_frame(fa);
}

void ok_head_reset_after_end(fa_alloc *fa, scheduler *s) {
  fa_begin_frame(fa);
  batch *node = (batch *)fa_pool_alloc(fa, sizeof *node);
  node->jobs = (job *)fa_frame_alloc(fa, 4 * sizeof(job), 8);
  node->next = s->in_flight;
  s->in_flight = node;
  run_batch(node);
  fa_end_frame(fa);
  s->in_flight = NULL;
}

void ok_unlinked_to_successor(fa_alloc *fa, scheduler *s) {
  fa_begin_frame(fa);
  batch *node = (batch *)fa_pool_alloc(fa, sizeof *node);
  node->jobs = (job *)fa_frame_alloc(fa, 4 * sizeof(job), 8);
  node->next = s->in_flight;
  s->in_flight = node;
  run_batch(s->in_flight);
  fa_end_frame(fa);
  s->in_flight = node->next;
}

void ok_frame_node_unlinked(fa_alloc *fa) {
  fa_begin_frame(fa);
  batch *node = (batch *)fa_frame_alloc(fa, sizeof *node, 8);
  node->jobs = (job *)fa_frame_alloc(fa, 4 * sizeof(job), 8);
  node->next = g_pending;
  g_pending = node;
  run_batch(g_pending);
  g_pending = node->next;
  fa_end_frame(fa);
}

void ok_linked_then_filled_then_unlinked(fa_alloc *fa) {
  fa_begin_frame(fa);
  batch *node = (batch *)fa_pool_alloc(fa, sizeof *node);
  node->next = g_pending;
  g_pending = node;
  node->jobs = (job *)fa_frame_alloc(fa, 4 * sizeof(job), 8);
  run_batch(node);
  fa_end_frame(fa);
  g_pending = NULL;
}

/* --- Still reachable ------------------------------------------------------ */

/* Unlinked on one path only. */
void bad_unlinked_on_one_path(fa_alloc *fa, scheduler *s, int flush) {
  fa_begin_frame(fa);
  batch *node = (batch *)fa_pool_alloc(fa, sizeof *node);
  node->jobs = (job *)fa_frame_alloc(fa, 4 * sizeof(job), 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'node->jobs' outlives its frame [framealloc-frame-escape]
  node->next = s->in_flight;
  s->in_flight = node;
  fa_end_frame(fa);
  if (flush)
    s->in_flight = NULL;
}

/* Another list's head reset: the node stays in the first. */
void bad_other_head_reset(fa_alloc *fa, scheduler *s) {
  fa_begin_frame(fa);
  batch *node = (batch *)fa_pool_alloc(fa, sizeof *node);
  node->jobs = (job *)fa_frame_alloc(fa, 4 * sizeof(job), 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'node->jobs' outlives its frame [framealloc-frame-escape]
  node->next = s->in_flight;
  s->in_flight = node;
  fa_end_frame(fa);
  s->done = NULL;
}

/* The head moved on, but the new head links the node. */
void bad_pushed_under_another(fa_alloc *fa) {
  fa_begin_frame(fa);
  batch *node = (batch *)fa_pool_alloc(fa, sizeof *node);
  node->jobs = (job *)fa_frame_alloc(fa, 4 * sizeof(job), 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'node->jobs' outlives its frame [framealloc-frame-escape]
  node->next = g_pending;
  g_pending = node;
  batch *top = (batch *)fa_pool_alloc(fa, sizeof *top);
  top->jobs = NULL;
  top->next = g_pending;
  g_pending = top;
  fa_end_frame(fa);
}

/* A frame node unlinked on one path: the link escapes on the other. */
void bad_frame_node_kept(fa_alloc *fa, int done) {
  fa_begin_frame(fa);
  batch *node = (batch *)fa_frame_alloc(fa, sizeof *node, 8);
  node->jobs = (job *)fa_frame_alloc(fa, 4 * sizeof(job), 8);
  node->next = g_pending;
  g_pending = node;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_pending' outlives its frame [framealloc-frame-escape]
  if (done)
    g_pending = node->next;
  fa_end_frame(fa);
}
