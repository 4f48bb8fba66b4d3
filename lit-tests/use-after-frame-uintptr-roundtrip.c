/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-use-after-frame,framealloc-frame-escape' %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s 'framealloc-use-after-frame,framealloc-frame-escape' %t-cxx -- -- -x c++ -std=c++17
//
// An address kept as an integer carries its frame: converted back to a
// pointer and used after the end it dangles, and stored in long-lived state
// as a handle it outlives the frame. Printing, hashing or comparing the
// number after the end reads nothing.

#include <framealloc.h>
#include <stdint.h>
#include <stdio.h>

typedef struct particle {
  float pos[3];
  float life;
} particle;

typedef struct pick_result {
  uintptr_t object;
  float distance;
} pick_result;

static uintptr_t g_selected;
static intptr_t g_hover;

void bad_pointer_from_handle(fa_alloc *fa) {
  fa_begin_frame(fa);
  particle *p = FA_FRAME_NEW(fa, particle);
  uintptr_t handle = (uintptr_t)p;
  fa_end_frame(fa);
  particle *back = (particle *)handle;
  back->life = 0.0f;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'back' used after its frame ended [framealloc-use-after-frame]
}

void bad_handle_in_struct(fa_alloc *fa, pick_result *out) {
  fa_begin_frame(fa);
  particle *hit = FA_FRAME_NEW(fa, particle);
  out->object = (uintptr_t)hit;
  out->distance = 1.0f;
  // CHECK-MESSAGES: :[[@LINE-2]]:3: warning: frame memory stored in 'out->object' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void bad_global_handle(fa_alloc *fa) {
  fa_begin_frame(fa);
  particle *p = FA_FRAME_NEW(fa, particle);
  intptr_t h = (intptr_t)p;
  g_hover = h;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_hover' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void bad_read_through_struct_handle(fa_alloc *fa) {
  pick_result r;
  fa_begin_frame(fa);
  particle *hit = FA_FRAME_NEW(fa, particle);
  r.object = (uintptr_t)hit;
  r.distance = 2.0f;
  fa_end_frame(fa);
  printf("%f\n", ((particle *)r.object)->life);
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: '((particle *)r.object)' used after its frame ended [framealloc-use-after-frame]
}

/* --- Quiet ---------------------------------------------------------------- */

void ok_print_hash_compare(fa_alloc *fa, uintptr_t selected) {
  fa_begin_frame(fa);
  particle *p = FA_FRAME_NEW(fa, particle);
  uintptr_t handle = (uintptr_t)p;
  fa_end_frame(fa);
  printf("freed %#lx\n", (unsigned long)handle);
  unsigned bucket = (unsigned)(handle >> 4) & 63u;
  printf("bucket %u\n", bucket);
  if (handle == selected)
    printf("selection was in the frame\n");
}

void ok_back_within_frame(fa_alloc *fa) {
  fa_begin_frame(fa);
  particle *p = FA_FRAME_NEW(fa, particle);
  uintptr_t handle = (uintptr_t)p;
  particle *back = (particle *)handle;
  back->life = 1.0f;
  fa_end_frame(fa);
}

void ok_handle_of_heap(fa_alloc *fa) {
  particle *p = (particle *)fa_heap_alloc(fa, sizeof(particle), 16);
  g_selected = (uintptr_t)p;
}
