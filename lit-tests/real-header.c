/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t-debug -- -- -DFA_DEBUG=1
//
// <framealloc.h> itself: its functions carry the annotations (no runtime
// function name is known to the analyzer). In FA_DEBUG builds fa_frame_alloc
// is a macro for fa_frame_alloc_at, annotated the same way.

#include <framealloc.h>
#include <pthread.h>

typedef struct particle {
  float x, y;
  int alive;
} particle;

static particle *g_particles;
void *sim_thread(void *arg);

void bad_use_after_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  particle *p = FA_FRAME_NEW(fa, particle);
  fa_end_frame(fa);
  p->alive = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'p' used after its frame ended [framealloc-use-after-frame]
}

void bad_global(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_particles = FA_FRAME_ARRAY(fa, particle, 128);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_particles' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

char *bad_return(fa_alloc *fa, const char *name) {
  char *copy = fa_frame_strdup(fa, name);
  return copy;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_return', which is not declared FA_RETURNS_FRAME [framealloc-frame-escape]
}
// CHECK-FIXES: char *bad_return(fa_alloc *fa, const char *name) FA_RETURNS_FRAME {

void bad_pairing(fa_alloc *fa, int n) {
  fa_begin_frame(fa);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame begun here is not ended before 'bad_pairing' returns [framealloc-frame-pairing]
  void *p = fa_frame_alloc(fa, (size_t)n, 16);
  if (!p)
    return;
  fa_end_frame(fa);
}

void bad_thread(fa_alloc *fa, pthread_t *t) {
  fa_begin_frame(fa);
  particle *ps = fa_frame_alloc_zeroed(fa, 64 * sizeof(particle), 16);
  pthread_create(t, NULL, sim_thread, ps);
  // CHECK-MESSAGES: :[[@LINE-1]]:39: warning: frame memory 'ps' handed to another thread through argument 4 of 'pthread_create' [framealloc-thread-crossing]
  fa_end_frame(fa);
}

void ok_transfer(fa_alloc *fa, pthread_t *t) {
  fa_begin_frame(fa);
  particle *ps = FA_FRAME_ARRAY(fa, particle, 64);
  fa_transfer *handle = fa_transfer_create(fa, ps, 64 * sizeof(particle));
  pthread_create(t, NULL, sim_thread, handle);
  fa_end_frame(fa);
}

void ok_promote(fa_alloc *fa) {
  fa_begin_frame(fa);
  particle *ps = FA_FRAME_ARRAY(fa, particle, 8);
  g_particles = fa_promote_to_heap(fa, ps, 8 * sizeof(particle), 16);
  fa_end_frame(fa);
  g_particles[0].alive = 1;
}

void ok_realloc(fa_alloc *fa) {
  fa_begin_frame(fa);
  int *v = fa_frame_alloc_array(fa, 4, sizeof(int), 16);
  v = fa_frame_realloc(fa, v, 4 * sizeof(int), 8 * sizeof(int), 16);
  v[7] = 1;
  fa_end_frame(fa);
}

// fa_frame_retain's slot is FA_RETAIN_SLOT: it is copied out when the frame
// ends, so the store into the long-lived object is not an escape.
typedef struct nav_cache {
  particle *nodes;
} nav_cache;
void ok_retain(nav_cache *c, fa_alloc *fa) {
  fa_begin_frame(fa);
  c->nodes = FA_FRAME_ARRAY(fa, particle, 32);
  fa_frame_retain(fa, (void **)&c->nodes, 32 * sizeof(particle), FA_RETAIN_TO_HEAP);
  fa_end_frame(fa);
}

fa_status ok_checked(fa_alloc *fa) {
  fa_begin_frame(fa);
  int *v = FA_FRAME_NEW(fa, int);
  fa_status st = fa_check_ptr(fa, v);
  fa_end_frame(fa);
  return st;
}
