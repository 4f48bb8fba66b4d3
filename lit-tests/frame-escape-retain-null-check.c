/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-cxx -- -- -x c++ -std=c++17
//
// A slot set from a pointer and retained only when the pointer is not null
// (`slot = p; if (p) fa_frame_retain(fa, &slot, ...)`): where p is null the
// slot holds null, not frame memory, so every path is covered. A slot whose
// retain depends on anything else, or that is written again, is not.

#include <framealloc.h>
#include <stddef.h>

typedef struct recent {
  char *path;
  size_t len;
} recent;

static recent g_slot;
static char *g_name;
char *pick_name(fa_alloc *fa, size_t n);
void note_missing(void);

void ok_retain_if_nonnull(fa_alloc *fa, size_t n) {
  fa_begin_frame(fa);
  char *p = (char *)fa_frame_alloc(fa, n, 1);
  g_slot.path = p;
  if (p)
    fa_frame_retain(fa, (void **)&g_slot.path, n, FA_RETAIN_TO_HEAP);
  fa_end_frame(fa);
}

void ok_retain_unless_null(fa_alloc *fa, size_t n) {
  fa_begin_frame(fa);
  char *p = (char *)fa_frame_alloc(fa, n, 1);
  g_slot.path = p;
  g_slot.len = n;
  if (p == NULL)
    note_missing();
  else
    fa_frame_retain(fa, (void **)&g_slot.path, n, FA_RETAIN_TO_HEAP);
  fa_end_frame(fa);
}

void ok_null_tested_through_slot(fa_alloc *fa, size_t n) {
  fa_begin_frame(fa);
  char *p = (char *)fa_frame_alloc(fa, n, 1);
  g_name = p;
  if (!g_name) {
    fa_end_frame(fa);
    return;
  }
  fa_frame_retain(fa, (void **)&g_name, n, FA_RETAIN_TO_HEAP);
  fa_end_frame(fa);
}

void ok_copy_of_copy(fa_alloc *fa, size_t n) {
  fa_begin_frame(fa);
  char *p = (char *)fa_frame_alloc(fa, n, 1);
  char *q = p;
  g_name = q;
  if (p != NULL)
    fa_frame_retain(fa, (void **)&g_name, n, FA_RETAIN_TO_HEAP);
  fa_end_frame(fa);
}

/* --- Not covered ---------------------------------------------------------- */

void bad_retain_if_flag(fa_alloc *fa, size_t n, int keep) {
  fa_begin_frame(fa);
  char *p = (char *)fa_frame_alloc(fa, n, 1);
  g_slot.path = p;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'g_slot.path' outlives its frame [framealloc-frame-escape]
  if (keep)
    fa_frame_retain(fa, (void **)&g_slot.path, n, FA_RETAIN_TO_HEAP);
  fa_end_frame(fa);
}

void bad_retain_if_null(fa_alloc *fa, size_t n) {
  fa_begin_frame(fa);
  char *p = (char *)fa_frame_alloc(fa, n, 1);
  g_slot.path = p;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'g_slot.path' outlives its frame [framealloc-frame-escape]
  if (!p)
    fa_frame_retain(fa, (void **)&g_slot.path, n, FA_RETAIN_TO_HEAP);
  fa_end_frame(fa);
}

/* p is reassigned after the copy: its nullness says nothing about the slot. */
void bad_pointer_reassigned(fa_alloc *fa, size_t n) {
  fa_begin_frame(fa);
  char *p = (char *)fa_frame_alloc(fa, n, 1);
  g_name = p;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_name' outlives its frame [framealloc-frame-escape]
  p = pick_name(fa, n);
  if (p)
    fa_frame_retain(fa, (void **)&g_name, n, FA_RETAIN_TO_HEAP);
  fa_end_frame(fa);
}
