/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-use-after-frame %t
//
// Frame memory read, written, passed on, returned or stored after the frame
// that produced it ended; through aliases and annotated wrappers. One report
// per dangling allocation: the first use.

#include "engine.h"

typedef struct particle {
  vec3 pos;
  int alive;
} particle;

int *g_saved;

// Annotated wrappers of the engine: the analysis follows their contracts.
void engine_frame_begin(arena *a) FA_BEGINS_FRAME;
void engine_frame_end(arena *a) FA_ENDS_FRAME;
particle *spawn_particles(arena *a, int n) FA_RETURNS_FRAME;

void bad_write(arena *a) {
  arena_begin(a);
  int *p = arena_alloc(a, sizeof(int));
  arena_end(a);
  *p = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:4: warning: 'p' used after its frame ended [framealloc-use-after-frame]
}

float bad_member(arena *a) {
  arena_begin(a);
  vec3 *v = arena_vec3s(a, 1);
  v->x = 1.0f;
  arena_end(a);
  return v->y;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'v' used after its frame ended
}

float bad_index(arena *a, int i) {
  arena_begin(a);
  float *f = arena_alloc(a, 16 * sizeof(float));
  arena_end(a);
  return f[i];
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'f' used after its frame ended
}

void bad_alias(arena *a) {
  arena_begin(a);
  vec3 *v = arena_vec3s(a, 4);
  vec3 *w = v;
  arena_end(a);
  w->z = 0.0f;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'w' used after its frame ended
}

void bad_alias_arith(arena *a) {
  arena_begin(a);
  char *buf = arena_alloc(a, 64);
  char *tail = buf + 32;
  arena_end(a);
  tail[0] = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'tail' used after its frame ended
}

void bad_passed(arena *a) {
  arena_begin(a);
  vec3 *v = arena_vec3s(a, 4);
  arena_end(a);
  consume(v);
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'v' passed to 'consume' after its frame ended
}

void bad_passed_cast(arena *a) {
  arena_begin(a);
  char *s = arena_strdup(a, "name");
  arena_end(a);
  log_msg("%s\n", (const char *)s);
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: '(const char *)s' passed to 'log_msg' after its frame ended
}

int *bad_returned(arena *a) FA_RETURNS_FRAME {
  arena_begin(a);
  int *p = arena_alloc(a, 4);
  arena_end(a);
  return p;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'p' returned after its frame ended
}

void bad_stored_global(arena *a) {
  arena_begin(a);
  int *p = arena_alloc(a, 4);
  arena_end(a);
  g_saved = p;
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'p' stored in 'g_saved' after its frame ended
}

void bad_wrappers(arena *a) {
  engine_frame_begin(a);
  particle *ps = spawn_particles(a, 64);
  engine_frame_end(a);
  ps[0].alive = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'ps' used after its frame ended
}

void bad_nested_inner(arena *a) {
  arena_begin(a);
  arena_begin(a);
  int *inner = arena_alloc(a, 4);
  arena_end(a);
  *inner = 2;
  // CHECK-MESSAGES: :[[@LINE-1]]:4: warning: 'inner' used after its frame ended
  arena_end(a);
}

// Ending the frame on one path is enough.
void bad_conditional_end(arena *a, int c) {
  arena_begin(a);
  int *p = arena_alloc(a, 4);
  if (c)
    arena_end(a);
  *p = 3;
  // CHECK-MESSAGES: :[[@LINE-1]]:4: warning: 'p' used after its frame ended
  if (!c)
    arena_end(a);
}

// An FA_ENDS_FRAME function ends its caller's frame; the caller's memory dies.
void bad_in_end_wrapper(arena *a) FA_ENDS_FRAME {
  int *p = arena_alloc(a, 4);
  arena_end(a);
  consume(p);
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'p' passed to 'consume' after its frame ended
}

// Only the first use of the same dangling memory is reported.
void bad_first_use_only(arena *a) {
  arena_begin(a);
  particle *p = arena_alloc(a, sizeof(particle));
  arena_end(a);
  p->alive = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'p' used after its frame ended
  p->pos.x = 0.0f;
  consume(p);
}

void bad_cleanup_guard(arena *a);
void end_guard(int *unused) FA_ENDS_FRAME;
void bad_cleanup_guard(arena *a) {
  int *p;
  {
    __attribute__((cleanup(end_guard))) int guard = (arena_begin(a), 0);
    p = arena_alloc(a, 4);
    *p = guard;
  }
  *p = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:4: warning: 'p' used after its frame ended
}

//===--- Not reported ---===//

void ok_before_end(arena *a) {
  arena_begin(a);
  int *p = arena_alloc(a, 4);
  *p = 1;
  consume(p);
  arena_end(a);
}

void ok_pointer_compared(arena *a) {
  arena_begin(a);
  int *p = arena_alloc(a, 4);
  arena_end(a);
  if (p != NULL)
    log_msg("had memory\n");
}

void ok_reset_after_end(arena *a) {
  arena_begin(a);
  int *p = arena_alloc(a, 4);
  arena_end(a);
  p = NULL;
  consume(p);
}

void ok_outer_after_inner(arena *a) {
  arena_begin(a);
  int *outer = arena_alloc(a, 4);
  arena_begin(a);
  int *inner = arena_alloc(a, 4);
  *inner = 1;
  arena_end(a);
  *outer = 2;
  arena_end(a);
}

void ok_heap_after_end(arena *a) {
  arena_begin(a);
  int *tmp = arena_alloc(a, 4);
  *tmp = 1;
  int *kept = heap_copy(tmp, sizeof(int));
  arena_end(a);
  consume(kept);
  heap_free(kept);
}

int ok_value_after_end(arena *a) {
  arena_begin(a);
  int *tmp = arena_alloc(a, 4);
  *tmp = 5;
  int v = *tmp;
  arena_end(a);
  return v;
}

void ok_sizeof_after_end(arena *a) {
  arena_begin(a);
  vec3 *v = arena_vec3s(a, 1);
  arena_end(a);
  log_msg("%zu\n", sizeof(*v));
}

void ok_new_frame(arena *a) {
  arena_begin(a);
  int *p = arena_alloc(a, 4);
  *p = 1;
  arena_end(a);
  arena_begin(a);
  p = arena_alloc(a, 4);
  *p = 2;
  arena_end(a);
}

void ok_transfer(arena *a) {
  arena_begin(a);
  vec3 *v = arena_vec3s(a, 4);
  handle *h = handle_create(a, v, 4 * sizeof(vec3));
  arena_end(a);
  consume(handle_receive(h));
  handle_free(h);
}

void ok_correlated(arena *a, int c) {
  int *p = NULL;
  if (c) {
    arena_begin(a);
    p = arena_alloc(a, 4);
  }
  log_msg("work\n");
  if (c) {
    *p = 1;
    arena_end(a);
  }
}

void ok_no_analysis(arena *a) FA_NO_FRAME_ANALYSIS {
  arena_begin(a);
  int *p = arena_alloc(a, 4);
  arena_end(a);
  *p = 1;
}

// A checked fallback (examples/patterns.c): after the check, big is null on
// every path that continues, so the fallback is never frame memory.
#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond))                                                               \
      fatal(#cond);                                                            \
  } while (0)
void ok_checked_fallback(arena *a) {
  arena_begin(a);
  void *big = arena_alloc(a, 1 << 20);
  CHECK(big == NULL && frame_count() > 0);
  void *fallback = big != NULL ? big : heap_alloc(4096);
  arena_end(a);
  heap_free(fallback);
}

void ok_caller_frame_after_nested(arena *a) {
  int *caller = arena_alloc(a, 4);
  arena_begin(a);
  arena_end(a);
  *caller = 1;
}
