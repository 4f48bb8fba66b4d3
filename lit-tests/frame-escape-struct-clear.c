/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-cxx -- -- -x c++ -std=c++17
//
// A global struct (or a static array of structs) filled with frame pointers
// field by field is cleared before the end field by field, by memset or
// bzero over the whole object, or by assigning a zero value: every field it
// held is cleared. A field left set, or a memset shorter than the object,
// still escapes.

#include <framealloc.h>
#include <stddef.h>
#include <string.h>

struct ctx {
  float *a;
  float *b;
  const char *name;
};

static struct ctx g_ctx;
static struct ctx g_slots[4];
struct ctx g_other;

void ok_cleared_field_by_field(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_ctx.a = (float *)fa_frame_alloc(fa, 16, 8);
  g_ctx.b = (float *)fa_frame_alloc(fa, 16, 8);
  g_ctx.a[0] = g_ctx.b[0] = 1;
  g_ctx.a = NULL;
  g_ctx.b = NULL;
  fa_end_frame(fa);
}

void ok_memset_whole(fa_alloc *fa, const char *s) {
  fa_begin_frame(fa);
  g_ctx.a = (float *)fa_frame_alloc(fa, 16, 8);
  g_ctx.name = fa_frame_strdup(fa, s);
  memset(&g_ctx, 0, sizeof g_ctx);
  fa_end_frame(fa);
}

void ok_memset_type_size(fa_alloc *fa) {
  struct ctx *c = &g_other;
  fa_begin_frame(fa);
  g_other.b = (float *)fa_frame_alloc(fa, 16, 8);
  fa_end_frame(fa);
  memset(&g_other, 0, sizeof(struct ctx));
  (void)c;
}

void ok_compound_literal(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_ctx.a = (float *)fa_frame_alloc(fa, 16, 8);
  g_ctx.b = (float *)fa_frame_alloc(fa, 16, 8);
  g_ctx = (struct ctx){0};
  fa_end_frame(fa);
}

void ok_zero_value(fa_alloc *fa) {
  static const struct ctx zero = {0};
  fa_begin_frame(fa);
  g_ctx.b = (float *)fa_frame_alloc(fa, 16, 8);
  g_ctx = zero;
  fa_end_frame(fa);
}

void ok_array_memset(fa_alloc *fa, int i) {
  fa_begin_frame(fa);
  g_slots[i & 3].a = (float *)fa_frame_alloc(fa, 16, 8);
  g_slots[0].b = (float *)fa_frame_alloc(fa, 16, 8);
  memset(g_slots, 0, sizeof g_slots);
  fa_end_frame(fa);
}

void ok_array_fields_in_loop(fa_alloc *fa) {
  fa_begin_frame(fa);
  for (int i = 0; i < 4; ++i)
    g_slots[i].a = (float *)fa_frame_alloc(fa, 16, 8);
  for (int i = 0; i < 4; ++i)
    g_slots[i].a = NULL;
  fa_end_frame(fa);
}

static void clear_ctx(struct ctx *c) { memset(c, 0, sizeof *c); }

void ok_cleared_by_helper(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_ctx.a = (float *)fa_frame_alloc(fa, 16, 8);
  clear_ctx(&g_ctx);
  fa_end_frame(fa);
}

/* --- Reported ------------------------------------------------------------ */

void bad_one_field_left(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_ctx.a = (float *)fa_frame_alloc(fa, 16, 8);
  g_ctx.b = (float *)fa_frame_alloc(fa, 16, 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'g_ctx.b' outlives its frame [framealloc-frame-escape]
  g_ctx.a = NULL;
  fa_end_frame(fa);
}

void bad_memset_too_short(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_ctx.b = (float *)fa_frame_alloc(fa, 16, 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'g_ctx.b' outlives its frame [framealloc-frame-escape]
  memset(&g_ctx, 0, sizeof(float *));
  fa_end_frame(fa);
}

void bad_memset_nonzero(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_ctx.a = (float *)fa_frame_alloc(fa, 16, 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'g_ctx.a' outlives its frame [framealloc-frame-escape]
  memset(&g_ctx, 0xff, sizeof g_ctx);
  fa_end_frame(fa);
}

void bad_other_struct_cleared(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_ctx.a = (float *)fa_frame_alloc(fa, 16, 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'g_ctx.a' outlives its frame [framealloc-frame-escape]
  memset(&g_other, 0, sizeof g_other);
  fa_end_frame(fa);
}
