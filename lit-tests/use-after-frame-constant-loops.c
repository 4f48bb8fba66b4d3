/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-use-after-frame,framealloc-frame-pairing' %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s 'framealloc-use-after-frame,framealloc-frame-pairing' %t-cxx -- -- -x c++ -std=c++17
//
// A `for` loop whose condition holds for its initial value (literal bounds,
// enumerators, macros, sizeof a / sizeof a[0]) runs at least once: the path
// that skips the loop does not exist. One whose increment then fails the
// condition, its variable untouched by the body, runs exactly once (scope
// macros written with `once < 1`). A bound that is a variable may be zero.

#include <framealloc.h>
#include <stddef.h>

#define PASSES 3
#define FRAME_ONCE(fa)                                                        \
  for (int once_ = (fa_begin_frame(fa), 0); once_ < 1;                        \
       once_ = (fa_end_frame(fa), 1))
enum { LEVELS = 2 };
static const int weights[5] = {1, 2, 3, 4, 5};

void ok_literal_bound(fa_alloc *fa) {
  fa_begin_frame(fa);
  float *p = (float *)fa_frame_alloc(fa, 16, 8);
  fa_end_frame(fa);
  fa_begin_frame(fa);
  for (int i = 0; i < 4; ++i)
    p = (float *)fa_frame_alloc(fa, 16, 8);
  p[0] = 1;
  fa_end_frame(fa);
}

void ok_enum_bound(fa_alloc *fa) {
  fa_begin_frame(fa);
  float *p = (float *)fa_frame_alloc(fa, 16, 8);
  fa_end_frame(fa);
  fa_begin_frame(fa);
  for (int l = LEVELS - 1; l >= 0; --l)
    p = (float *)fa_frame_alloc(fa, 16, 8);
  p[0] = 1;
  fa_end_frame(fa);
}

void ok_sizeof_bound(fa_alloc *fa) {
  size_t i;
  fa_begin_frame(fa);
  float *p = (float *)fa_frame_alloc(fa, 16, 8);
  fa_end_frame(fa);
  fa_begin_frame(fa);
  for (i = 0; i < sizeof weights / sizeof weights[0]; i++)
    p = (float *)fa_frame_alloc(fa, 16, 8);
  p[0] = 1;
  fa_end_frame(fa);
}

// The frame is begun on the first pass; the skipped loop would end nothing.
void ok_begin_on_first_pass(fa_alloc *fa, float *out) {
  int began = 0;
  for (int pass = 0; pass < PASSES; ++pass) {
    if (!began) {
      fa_begin_frame(fa);
      began = 1;
    }
    out[pass] = 1;
  }
  fa_end_frame(fa);
}

void ok_end_on_first_pass(fa_alloc *fa) {
  int open = 1;
  fa_begin_frame(fa);
  for (unsigned i = 0; i < 4u; i++) {
    if (open) {
      fa_end_frame(fa);
      open = 0;
    }
  }
}

void ok_scope_macro(fa_alloc *fa) {
  FRAME_ONCE(fa) {
    float *p = (float *)fa_frame_alloc(fa, 16, 8);
    p[0] = 1;
  }
}

void ok_single_pass(fa_alloc *fa) {
  for (int pass = 0; pass < 1; ++pass)
    fa_begin_frame(fa);
  fa_end_frame(fa);
}

/* --- Reported ------------------------------------------------------------ */

void bad_two_passes(fa_alloc *fa) {
  for (int pass = 0; pass < 2; ++pass)
    fa_begin_frame(fa);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame begun in a loop is not ended before the next iteration begins it again [framealloc-frame-pairing]
  fa_end_frame(fa);
}

// The body changes the variable: the second test is not known.
void bad_single_pass_changed(fa_alloc *fa, int k) {
  for (int pass = 0; pass < 1; ++pass) {
    fa_begin_frame(fa);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame begun in a loop is not ended before the next iteration begins it again [framealloc-frame-pairing]
    pass -= k;
  }
  fa_end_frame(fa);
}

void bad_use_after_scope_macro(fa_alloc *fa) {
  float *p = NULL;
  FRAME_ONCE(fa) {
    p = (float *)fa_frame_alloc(fa, 16, 8);
  }
  p[0] = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'p' used after its frame ended [framealloc-use-after-frame]
}

void bad_variable_bound(fa_alloc *fa, int n) {
  fa_begin_frame(fa);
  float *p = (float *)fa_frame_alloc(fa, 16, 8);
  fa_end_frame(fa);
  fa_begin_frame(fa);
  for (int i = 0; i < n; ++i)
    p = (float *)fa_frame_alloc(fa, 16, 8);
  p[0] = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'p' used after its frame ended [framealloc-use-after-frame]
  fa_end_frame(fa);
}

void bad_zero_trips(fa_alloc *fa) {
  fa_begin_frame(fa);
  float *p = (float *)fa_frame_alloc(fa, 16, 8);
  fa_end_frame(fa);
  fa_begin_frame(fa);
  for (int i = 0; i < 0; ++i)
    p = (float *)fa_frame_alloc(fa, 16, 8);
  p[0] = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'p' used after its frame ended [framealloc-use-after-frame]
  fa_end_frame(fa);
}

void bad_begin_with_variable_bound(fa_alloc *fa, float *out, int n) {
  int began = 0;
  for (int pass = 0; pass < n; ++pass) {
    if (!began) {
      fa_begin_frame(fa);
      began = 1;
    }
    out[pass] = 1;
  }
  fa_end_frame(fa);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame ended here is not open in 'bad_begin_with_variable_bound' [framealloc-frame-pairing]
}

// The loop runs, and still uses the memory of the frame ended before it.
void bad_use_in_constant_loop(fa_alloc *fa) {
  fa_begin_frame(fa);
  float *p = (float *)fa_frame_alloc(fa, 16, 8);
  fa_end_frame(fa);
  for (int i = 0; i < 4; ++i)
    p[i] = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'p' used after its frame ended [framealloc-use-after-frame]
}
