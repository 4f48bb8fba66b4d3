/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-frame-escape,framealloc-use-after-frame' %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s 'framealloc-frame-escape,framealloc-use-after-frame' %t-cxx -- -- -x c++ -std=c++17
//
// A retain made on one branch only (`if (keep) { slot = tmp; retain(&slot); }`)
// holds after the branches join when the other branch never put frame memory
// into the slot: on every path the slot is the retained copy or what it held
// before. A branch that stored frame memory into the slot without retaining
// it still dangles after the end.

#include <framealloc.h>
#include <string.h>

typedef struct entity {
  char *name;
  float *path;
  int count;
} entity;

void use_name(const char *name);
void fill(float *p, int n);
int wants_copy(const entity *e);

/* --- Quiet ---------------------------------------------------------------- */

void ok_retain_in_branch(entity *e, fa_alloc *fa, int keep) {
  fa_begin_frame(fa);
  if (keep) {
    e->name = (char *)fa_frame_alloc(fa, 32, 1);
    strcpy(e->name, "agent");
    fa_frame_retain(fa, (void **)&e->name, 32, FA_RETAIN_TO_HEAP);
  }
  fa_end_frame(fa);
  use_name(e->name);
}

void ok_retain_in_else(entity *e, fa_alloc *fa, int drop) {
  fa_begin_frame(fa);
  if (drop) {
    e->count = 0;
  } else {
    e->path = (float *)fa_frame_alloc(fa, 64 * sizeof(float), 16);
    fill(e->path, 64);
    fa_frame_retain(fa, (void **)&e->path, 64 * sizeof(float),
                    FA_RETAIN_TO_POOL);
  }
  fa_end_frame(fa);
  e->path[0] = 1.0f;
}

void ok_retain_local_in_branch(fa_alloc *fa, int keep) {
  char *label = NULL;
  fa_begin_frame(fa);
  if (keep) {
    label = (char *)fa_frame_alloc(fa, 16, 1);
    strcpy(label, "hud");
    fa_frame_retain(fa, (void **)&label, 16, FA_RETAIN_TO_HEAP);
  }
  fa_end_frame(fa);
  if (label)
    use_name(label);
}

/* Both branches retain: the retention holds whichever ran. */
void ok_retain_both_branches(entity *e, fa_alloc *fa, int big) {
  fa_begin_frame(fa);
  e->path = (float *)fa_frame_alloc(fa, 256, 16);
  if (big)
    fa_frame_retain(fa, (void **)&e->path, 256, FA_RETAIN_TO_HEAP);
  else
    fa_frame_retain(fa, (void **)&e->path, 256, FA_RETAIN_TO_POOL);
  fa_end_frame(fa);
  e->path[0] = 0.0f;
}

void ok_retain_in_loop_body(entity *list, int n, fa_alloc *fa) {
  fa_begin_frame(fa);
  for (int i = 0; i < n; ++i) {
    if (wants_copy(&list[i])) {
      list[i].name = (char *)fa_frame_alloc(fa, 32, 1);
      fa_frame_retain(fa, (void **)&list[i].name, 32, FA_RETAIN_TO_HEAP);
    }
  }
  fa_end_frame(fa);
  use_name(list[0].name);
}

/* --- Reported ------------------------------------------------------------- */

/* The store is unconditional, the retain is not: the path that skipped the
   retain leaves the slot dangling. */
void bad_store_always_retain_sometimes(entity *e, fa_alloc *fa, int keep) {
  fa_begin_frame(fa);
  e->name = (char *)fa_frame_alloc(fa, 32, 1);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'e->name' outlives its frame [framealloc-frame-escape]
  if (keep)
    fa_frame_retain(fa, (void **)&e->name, 32, FA_RETAIN_TO_HEAP);
  fa_end_frame(fa);
  use_name(e->name);
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'e->name' passed to 'use_name' after its frame ended [framealloc-use-after-frame]
}

/* One branch retains, the other stores frame memory without retaining. */
void bad_other_branch_stores(entity *e, fa_alloc *fa, int keep) {
  fa_begin_frame(fa);
  if (keep) {
    e->path = (float *)fa_frame_alloc(fa, 64, 16);
    fa_frame_retain(fa, (void **)&e->path, 64, FA_RETAIN_TO_HEAP);
  } else {
    e->path = (float *)fa_frame_alloc(fa, 64, 16);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame memory stored in 'e->path' outlives its frame [framealloc-frame-escape]
  }
  fa_end_frame(fa);
  e->path[0] = 2.0f;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'e->path' used after its frame ended [framealloc-use-after-frame]
}

/* A retain in a branch covers the slot only until it is written again. */
void bad_rewritten_after_branch(entity *e, fa_alloc *fa, int keep) {
  fa_begin_frame(fa);
  if (keep) {
    e->name = (char *)fa_frame_alloc(fa, 32, 1);
    fa_frame_retain(fa, (void **)&e->name, 32, FA_RETAIN_TO_HEAP);
  }
  e->name = (char *)fa_frame_alloc(fa, 8, 1);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'e->name' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}
