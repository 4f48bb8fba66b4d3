/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t -- -- -x c++ -std=c++17
//
// Pointer fields an FA_RETURNS_FRAME helper of this file sets to frame memory
// before returning the object (`f->name = fa_frame_strdup(...)`) are frame
// memory at the call site too: a store of `f->name` into a long-lived place
// is an escape, and a use after the end is reported. A copy of the object
// (`out = *tmp`, a struct filled by a helper) keeps that provenance.

#include <framealloc.h>

typedef struct Foo {
  char *name;
  float *weights;
  int n;
} Foo;

typedef struct Registry {
  char *last_name FA_LONG_LIVED;
  float *weights FA_LONG_LIVED;
} Registry;

char *g_name;
const char *g_label = "none";
void print(const char *s);

static Foo *make_foo(fa_alloc *fa, const char *name, int n) FA_RETURNS_FRAME {
  Foo *f = FA_FRAME_NEW(fa, Foo);
  if (!f)
    return 0;
  f->name = fa_frame_strdup(fa, name);
  f->weights = FA_FRAME_ARRAY(fa, float, n);
  f->n = n;
  return f;
}

/* Returns frame memory whose name is a string literal. */
static Foo *make_static_named(fa_alloc *fa) FA_RETURNS_FRAME {
  Foo *f = FA_FRAME_NEW(fa, Foo);
  if (f)
    f->name = (char *)"static";
  return f;
}

static void fill_foo(Foo *out, fa_alloc *fa) {
  out->name = fa_frame_strdup(fa, "filled");
  out->weights = 0;
  out->n = 0;
}

void bad_store_field_long_lived(fa_alloc *fa, Registry *r) {
  fa_begin_frame(fa);
  Foo *f = make_foo(fa, "a", 4);
  if (f)
    r->last_name = f->name;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame memory stored in long-lived 'r->last_name' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void bad_field_after_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  Foo *f = make_foo(fa, "b", 4);
  char *name = f->name;
  fa_end_frame(fa);
  print(name);
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'name' passed to 'print' after its frame ended [framealloc-use-after-frame]
}

void bad_copied_struct(fa_alloc *fa) {
  Foo out;
  fa_begin_frame(fa);
  Foo *tmp = make_foo(fa, "c", 2);
  out = *tmp;
  g_name = out.name;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_name' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void bad_filled_copy(fa_alloc *fa) {
  Foo tmp, out;
  fa_begin_frame(fa);
  fill_foo(&tmp, fa);
  out = tmp;
  g_name = out.name;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_name' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

// Negative cases.
void ok_field_used_inside(fa_alloc *fa) {
  fa_begin_frame(fa);
  Foo *f = make_foo(fa, "d", 4);
  if (f)
    print(f->name);
  fa_end_frame(fa);
}

void ok_field_overwritten(fa_alloc *fa, Registry *r) {
  fa_begin_frame(fa);
  Foo *f = make_foo(fa, "e", 4);
  f->name = g_name;
  r->last_name = f->name;
  fa_end_frame(fa);
}

void ok_literal_field(fa_alloc *fa, Registry *r) {
  fa_begin_frame(fa);
  Foo *f = make_static_named(fa);
  if (f)
    r->last_name = f->name;
  fa_end_frame(fa);
}

int ok_number_field(fa_alloc *fa) {
  int n;
  fa_begin_frame(fa);
  Foo *f = make_foo(fa, "f", 4);
  n = f->n;
  fa_end_frame(fa);
  return n;
}
