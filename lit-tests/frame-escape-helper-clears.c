/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy -check-suffixes=,CXX %s framealloc-frame-escape %t-cxx -- -- -x c++ -std=c++17
//
// A global, a static or a long-lived field that received frame memory and is
// cleared by a same-file helper before the frame ends does not outlive the
// frame. The helper must clear it on every path it returns by: a null test
// (`if (g.name) g.name = NULL;`) counts, helpers it calls count, and a path
// decided by a parameter counts when the caller rules it out. A clear that
// may be skipped on a path the caller cannot rule out does not.

#include <framealloc.h>
#include <stddef.h>

typedef struct cache {
  char *name;
  float *data;
} cache;

typedef struct world {
  float *scratch FA_LONG_LIVED;
} world;

static cache g_cache;
static float *g_scratch;
float *g_points;
static int g_dirty;

static void reset_scratch(void) { g_scratch = NULL; }

static void release_name(void) {
  if (g_cache.name)
    g_cache.name = NULL;
}

static void release_data_early(void) {
  if (!g_cache.data)
    return;
  g_cache.data = NULL;
}

static void release_all(void) {
  release_name();
  release_data_early();
  reset_scratch();
}

static void reset_if(int cond) {
  if (cond)
    reset_scratch();
}

static void reset_world(world *w) {
  if (w->scratch != NULL)
    w->scratch = NULL;
}

static void reset_points(void) {
  if (g_points)
    g_points = NULL;
  else
    g_points = NULL;
}

static float *g_slots[8];

static void clear_slots(void) {
  for (int i = 0; i < 8; ++i)
    g_slots[i] = NULL;
}

static void flush_if_dirty(void) {
  if (g_dirty)
    reset_scratch();
}

void ok_helper_clears_global(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_scratch = (float *)fa_frame_alloc(fa, 16, 8);
  g_scratch[0] = 1;
  reset_scratch();
  fa_end_frame(fa);
}

void ok_helper_clears_under_null_test(fa_alloc *fa, const char *s) {
  fa_begin_frame(fa);
  g_cache.name = fa_frame_strdup(fa, s);
  release_name();
  fa_end_frame(fa);
}

void ok_nested_helpers(fa_alloc *fa, const char *s) {
  fa_begin_frame(fa);
  g_cache.name = fa_frame_strdup(fa, s);
  g_cache.data = (float *)fa_frame_alloc(fa, 16, 8);
  g_scratch = (float *)fa_frame_alloc(fa, 16, 8);
  release_all();
  fa_end_frame(fa);
}

void ok_long_lived_field(fa_alloc *fa, world *w) {
  fa_begin_frame(fa);
  w->scratch = (float *)fa_frame_alloc(fa, 16, 8);
  reset_world(w);
  fa_end_frame(fa);
}

void ok_both_branches_clear(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_points = (float *)fa_frame_alloc(fa, 16, 8);
  reset_points();
  fa_end_frame(fa);
}

void ok_called_in_both_branches(fa_alloc *fa, int c) {
  fa_begin_frame(fa);
  g_scratch = (float *)fa_frame_alloc(fa, 16, 8);
  if (c)
    reset_scratch();
  else
    g_scratch = NULL;
  fa_end_frame(fa);
}

void ok_helper_clears_array(fa_alloc *fa, int i) {
  fa_begin_frame(fa);
  g_slots[i & 7] = (float *)fa_frame_alloc(fa, 16, 8);
  clear_slots();
  fa_end_frame(fa);
}

// Stored and cleared under the same condition.
void ok_called_under_same_condition(fa_alloc *fa, int c) {
  fa_begin_frame(fa);
  if (c)
    g_scratch = (float *)fa_frame_alloc(fa, 16, 8);
  if (c)
    reset_scratch();
  fa_end_frame(fa);
}

// The helper's condition is its parameter, decided by the caller.
void ok_condition_passed_as_constant(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_scratch = (float *)fa_frame_alloc(fa, 16, 8);
  reset_if(1);
  fa_end_frame(fa);
}

void ok_condition_known_to_caller(fa_alloc *fa, int c) {
  fa_begin_frame(fa);
  if (c)
    g_scratch = (float *)fa_frame_alloc(fa, 16, 8);
  reset_if(c);
  fa_end_frame(fa);
}

void ok_condition_split_by_caller(fa_alloc *fa, int c) {
  fa_begin_frame(fa);
  g_scratch = (float *)fa_frame_alloc(fa, 16, 8);
  if (c)
    g_scratch[0] = 1;
  reset_if(c);
  if (!c)
    g_scratch = NULL;
  fa_end_frame(fa);
}

/* --- Reported ------------------------------------------------------------ */

void bad_condition_unknown_to_caller(fa_alloc *fa, int c) {
  fa_begin_frame(fa);
  g_scratch = (float *)fa_frame_alloc(fa, 16, 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_scratch' outlives its frame [framealloc-frame-escape]
  reset_if(c);
  fa_end_frame(fa);
}

void bad_condition_passed_false(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_scratch = (float *)fa_frame_alloc(fa, 16, 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_scratch' outlives its frame [framealloc-frame-escape]
  reset_if(0);
  fa_end_frame(fa);
}

// The helper's own condition may skip the clear.
void bad_helper_may_skip(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_scratch = (float *)fa_frame_alloc(fa, 16, 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_scratch' outlives its frame [framealloc-frame-escape]
  flush_if_dirty();
  fa_end_frame(fa);
}

void bad_called_on_one_branch(fa_alloc *fa, int c) {
  fa_begin_frame(fa);
  g_scratch = (float *)fa_frame_alloc(fa, 16, 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_scratch' outlives its frame [framealloc-frame-escape]
  if (c)
    reset_scratch();
  fa_end_frame(fa);
}

// The helper clears another slot.
void bad_other_slot_cleared(fa_alloc *fa, const char *s) {
  fa_begin_frame(fa);
  g_cache.data = (float *)fa_frame_strdup(fa, s);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'g_cache.data' outlives its frame [framealloc-frame-escape]
  release_name();
  fa_end_frame(fa);
}

#ifdef __cplusplus
struct Renderer {
  float *scratch = nullptr;
  void reset() {
    if (scratch)
      scratch = nullptr;
  }
  void draw() {}
};

static Renderer g_renderer;

static void reset_cache_ref(cache &c) { c.data = nullptr; }

void ok_reference_parameter_cleared(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_cache.data = static_cast<float *>(fa_frame_alloc(fa, 16, 8));
  reset_cache_ref(g_cache);
  fa_end_frame(fa);
}

void ok_method_clears_member(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_renderer.scratch = static_cast<float *>(fa_frame_alloc(fa, 16, 8));
  g_renderer.reset();
  fa_end_frame(fa);
}

void bad_method_keeps_member(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_renderer.scratch = static_cast<float *>(fa_frame_alloc(fa, 16, 8));
  // CHECK-MESSAGES-CXX: :[[@LINE-1]]:3: warning: frame memory stored in 'g_renderer.scratch' outlives its frame [framealloc-frame-escape]
  g_renderer.draw();
  fa_end_frame(fa);
}
#endif
