/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-use-after-frame,framealloc-frame-escape' %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s 'framealloc-use-after-frame,framealloc-frame-escape' %t-cxx -- -- -x c++ -std=c++17
//
// An address kept as an integer keeps pointing into its frame through
// integer arithmetic: offsets (`h + off`, `h - 4`), alignment masks
// (`(h + 15) & ~15`, `h | tag`) and casts between integer types. Converted
// back to a pointer after the end, it dangles. The distance between two
// addresses, shifts, products and hashes are numbers.

#include <framealloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct node {
  int value;
  struct node *next;
} node;

typedef struct handle_table {
  uintptr_t slots[8];
} handle_table;

static uintptr_t g_base;

/* --- Reported ------------------------------------------------------------- */

int bad_plus_zero(fa_alloc *fa) {
  fa_begin_frame(fa);
  node *n = FA_FRAME_NEW(fa, node);
  uintptr_t h = (uintptr_t)n;
  fa_end_frame(fa);
  return ((node *)(h + 0))->value;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: '((node *)(h + 0))' used after its frame ended [framealloc-use-after-frame]
}

int bad_plus_offset(fa_alloc *fa, size_t index) {
  fa_begin_frame(fa);
  node *nodes = FA_FRAME_ARRAY(fa, node, 16);
  uintptr_t base = (uintptr_t)nodes;
  uintptr_t at = base + index * sizeof(node);
  fa_end_frame(fa);
  node *n = (node *)at;
  return n->value;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'n' used after its frame ended [framealloc-use-after-frame]
}

int bad_aligned_mask(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *raw = (char *)fa_frame_alloc(fa, 64, 1);
  uintptr_t aligned = ((uintptr_t)raw + 15) & ~(uintptr_t)15;
  fa_end_frame(fa);
  return *(int *)aligned;
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: '(int *)aligned' used after its frame ended [framealloc-use-after-frame]
}

int bad_tag_bits(fa_alloc *fa) {
  fa_begin_frame(fa);
  node *n = FA_FRAME_NEW(fa, node);
  uintptr_t tagged = (uintptr_t)n | 1u;
  fa_end_frame(fa);
  node *back = (node *)(tagged & ~(uintptr_t)1);
  return back->value;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'back' used after its frame ended [framealloc-use-after-frame]
}

int bad_compound_and_narrow(fa_alloc *fa) {
  fa_begin_frame(fa);
  node *nodes = FA_FRAME_ARRAY(fa, node, 4);
  intptr_t h = (intptr_t)nodes;
  h += (intptr_t)sizeof(node);
  uintptr_t u = (uintptr_t)(h - 0);
  fa_end_frame(fa);
  return ((node *)u)->value;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: '((node *)u)' used after its frame ended [framealloc-use-after-frame]
}

void bad_handle_offset_stored(fa_alloc *fa, handle_table *t) {
  fa_begin_frame(fa);
  node *n = FA_FRAME_NEW(fa, node);
  t->slots[0] = (uintptr_t)n + offsetof(node, next);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 't->slots' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

/* --- Quiet ---------------------------------------------------------------- */

int ok_within_frame(fa_alloc *fa) {
  fa_begin_frame(fa);
  node *n = FA_FRAME_NEW(fa, node);
  uintptr_t h = (uintptr_t)n;
  n->value = 3;
  int v = ((node *)(h + 0))->value;
  fa_end_frame(fa);
  return v;
}

/* A distance between two frame addresses is a number. */
node *ok_distance(fa_alloc *fa, node *heap_nodes) {
  fa_begin_frame(fa);
  node *nodes = FA_FRAME_ARRAY(fa, node, 16);
  node *hit = nodes + 3;
  uintptr_t dist = (uintptr_t)hit - (uintptr_t)nodes;
  fa_end_frame(fa);
  return (node *)((uintptr_t)heap_nodes + dist);
}

void ok_hash_and_print(fa_alloc *fa) {
  fa_begin_frame(fa);
  node *n = FA_FRAME_NEW(fa, node);
  uintptr_t h = (uintptr_t)n;
  fa_end_frame(fa);
  unsigned bucket = (unsigned)((h >> 4) * 2654435761u) & 255u;
  printf("bucket %u of %#lx\n", bucket, (unsigned long)(h + 0));
}

/* Heap memory through the same arithmetic stays valid. */
int ok_heap_roundtrip(fa_alloc *fa) {
  node *n = (node *)fa_heap_alloc(fa, sizeof(node), 16);
  uintptr_t h = (uintptr_t)n + 0;
  g_base = h;
  fa_begin_frame(fa);
  fa_end_frame(fa);
  return ((node *)(h + 0))->value;
}
