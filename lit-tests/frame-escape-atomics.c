/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-frame-escape,framealloc-thread-crossing,framealloc-use-after-frame' %t -- -- -std=c11
//
// C11 atomics publishing a pointer into shared state store it like an
// assignment: frame memory published that way outlives its frame (another
// thread reading the shared slot needs no separate crossing report).

#include <framealloc.h>
#include <stdatomic.h>
#include <stddef.h>

typedef struct frame_stats {
  int draws;
  int tris;
} frame_stats;

typedef struct render_shared {
  _Atomic(frame_stats *) latest;
} render_shared;

static _Atomic(frame_stats *) g_latest_stats;
static _Atomic(const char *) g_status_line;
static render_shared g_render;

void bad_atomic_store(fa_alloc *fa) {
  fa_begin_frame(fa);
  frame_stats *s = FA_FRAME_NEW(fa, frame_stats);
  s->draws = 10;
  atomic_store(&g_latest_stats, s);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_latest_stats' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void bad_atomic_store_explicit(fa_alloc *fa) {
  fa_begin_frame(fa);
  frame_stats *s = FA_FRAME_NEW(fa, frame_stats);
  atomic_store_explicit(&g_render.latest, s, memory_order_release);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'g_render.latest' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void bad_atomic_exchange(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *line = fa_frame_strdup(fa, "loading");
  const char *old = atomic_exchange(&g_status_line, line);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: frame memory stored in global 'g_status_line' outlives its frame [framealloc-frame-escape]
  (void)old;
  fa_end_frame(fa);
}

void bad_compare_exchange(fa_alloc *fa) {
  fa_begin_frame(fa);
  frame_stats *s = FA_FRAME_NEW(fa, frame_stats);
  frame_stats *expected = NULL;
  atomic_compare_exchange_strong(&g_latest_stats, &expected, s);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_latest_stats' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void bad_store_after_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  frame_stats *s = FA_FRAME_NEW(fa, frame_stats);
  fa_end_frame(fa);
  atomic_store(&g_latest_stats, s);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'g_latest_stats' after its frame ended [framealloc-use-after-frame]
}

/* --- No escape ------------------------------------------------------------ */

void ok_cleared_before_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  frame_stats *s = FA_FRAME_NEW(fa, frame_stats);
  atomic_store(&g_latest_stats, s);
  atomic_store(&g_latest_stats, (frame_stats *)NULL);
  fa_end_frame(fa);
}

void ok_heap_published(fa_alloc *fa) {
  frame_stats *s = (frame_stats *)fa_heap_alloc(fa, sizeof *s, 16);
  atomic_store(&g_latest_stats, s);
}

void ok_local_atomic(fa_alloc *fa) {
  _Atomic(frame_stats *) local;
  fa_begin_frame(fa);
  frame_stats *s = FA_FRAME_NEW(fa, frame_stats);
  atomic_init(&local, s);
  frame_stats *seen = atomic_load(&local);
  seen->tris = 3;
  fa_end_frame(fa);
}
