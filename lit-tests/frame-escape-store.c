/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t
//
// Frame memory stored where it outlives its frame: globals and statics (held
// when the frame ends or when the function returns), and the caller's objects
// (parameters, out-parameters, fields reached through them) when this
// function ends the frame while they still point into it.

#include "engine.h"

typedef struct query {
  int *items;
  int count;
} query;

typedef struct world {
  vec3 *scratch;
  struct world *next;
} world;

typedef struct game {
  world *world;
  query visible;
} game;

static int *g_cache;
vec3 *g_last_positions;
world *g_world;
game g_game;

void bad_global_then_end(arena *a) {
  arena_begin(a);
  g_cache = arena_alloc(a, 16);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_cache' outlives its frame [framealloc-frame-escape]
  consume(g_cache);
  arena_end(a);
}

// No frame here: the memory is the caller's, and a global outlives it too.
void bad_global_caller_frame(arena *a) {
  g_last_positions = arena_vec3s(a, 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_last_positions' outlives its frame
}

int *bad_static_local(arena *a) {
  static int *cache;
  arena_begin(a);
  cache = arena_alloc(a, 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in static 'cache' outlives its frame
  arena_end(a);
  return NULL;
}

void bad_global_struct_field(arena *a) {
  g_game.visible.items = arena_alloc(a, 64);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'g_game.visible.items' outlives its frame
}

void bad_through_global_pointer(arena *a) {
  arena_begin(a);
  g_world->scratch = arena_vec3s(a, 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'g_world->scratch' outlives its frame
  arena_end(a);
}

// Seed game-dev Query::new: begins a frame, fills the query, ends the frame.
void bad_query_init(query *q, arena *a) {
  arena_begin(a);
  q->items = arena_alloc(a, 64 * sizeof(int));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'q->items' outlives its frame
  q->count = 64;
  arena_end(a);
}

void bad_out_param(arena *a, int **out) {
  arena_begin(a);
  *out = arena_alloc(a, 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in '*out' outlives its frame
  arena_end(a);
}

void bad_out_array(arena *a, vec3 **out, int n) {
  arena_begin(a);
  for (int i = 0; i < n; ++i)
    out[i] = arena_vec3s(a, 1);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame memory stored in '*out' outlives its frame
  arena_end(a);
}

void bad_nested_field(game *g, arena *a) {
  arena_begin(a);
  g->visible.items = arena_alloc(a, 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'g->visible.items' outlives its frame
  arena_end(a);
}

// A local pointer set from a parameter reaches the caller's object.
void bad_via_local_pointer(game *g, arena *a) {
  world *w = g->world;
  arena_begin(a);
  w->scratch = arena_vec3s(a, 16);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'w->scratch' outlives its frame
  arena_end(a);
}

// Through an alias of the frame pointer.
void bad_alias(query *q, arena *a) {
  arena_begin(a);
  int *tmp = arena_alloc(a, 4);
  int *alias = tmp;
  q->items = alias;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'q->items' outlives its frame
  arena_end(a);
}

// A struct copy carries its frame pointers along.
void bad_struct_copy(game *g, arena *a) {
  query local;
  arena_begin(a);
  local.items = arena_alloc(a, 4);
  local.count = 1;
  g->visible = local;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'g->visible.items' outlives its frame
  arena_end(a);
}

// Only on the path where the store happened.
void bad_conditional_store(query *q, arena *a, int c) {
  arena_begin(a);
  if (c)
    q->items = arena_alloc(a, 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame memory stored in 'q->items' outlives its frame
  arena_end(a);
}

// An FA_ENDS_FRAME wrapper ends the caller's frame: what it stored dies.
void bad_ends_wrapper(arena *a, query *q) FA_ENDS_FRAME {
  q->items = arena_alloc(a, 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'q->items' outlives its frame
  arena_end(a);
}

// A scratch-filling helper of this file, called under a frame that then ends:
// reported at the call that fills the caller's object.
static void fill_query(query *q, arena *a) {
  q->items = arena_alloc(a, 16);
  q->count = 16;
}
void bad_filled_then_end(game *g, arena *a) {
  arena_begin(a);
  fill_query(&g->visible, a);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'g->visible.items' outlives its frame
  arena_end(a);
}

//===--- Not reported ---===//

// The scratch-buffer pattern: a helper fills a caller-provided struct inside
// the caller's frame.
void ok_fill_scratch(query *q, arena *a) {
  q->items = arena_alloc(a, 32);
  q->count = 32;
}

void ok_out_param_caller_frame(arena *a, int **out) { *out = arena_alloc(a, 4); }

// Builders living in the frame hold frame memory.
typedef struct builder {
  vec3 *verts;
  int *indices;
} builder;
void ok_builder(arena *a) {
  arena_begin(a);
  builder *b = arena_alloc(a, sizeof(builder));
  b->verts = arena_vec3s(a, 3);
  b->indices = arena_alloc(a, 3 * sizeof(int));
  consume(b);
  arena_end(a);
}

void ok_global_cleared(arena *a) {
  arena_begin(a);
  g_cache = arena_alloc(a, 4);
  consume(g_cache);
  g_cache = NULL;
  arena_end(a);
}

void ok_local_struct(arena *a) {
  query local;
  arena_begin(a);
  local.items = arena_alloc(a, 4);
  local.count = 1;
  consume(&local);
  arena_end(a);
}

void ok_copied_out(query *q, arena *a) {
  arena_begin(a);
  int *tmp = arena_alloc(a, 4 * sizeof(int));
  tmp[0] = 1;
  q->items = heap_copy(tmp, 4 * sizeof(int));
  arena_end(a);
}

void ok_overwritten_before_end(query *q, arena *a) {
  arena_begin(a);
  q->items = arena_alloc(a, 4);
  consume(q->items);
  q->items = NULL;
  arena_end(a);
}

void ok_global_handle(arena *a) {
  static handle *pending;
  arena_begin(a);
  vec3 *v = arena_vec3s(a, 4);
  pending = handle_create(a, v, 4 * sizeof(vec3));
  arena_end(a);
}

// Outer-scope memory survives the end of a nested frame.
void ok_nested(arena *a, int **out) {
  *out = arena_alloc(a, 4);
  arena_begin(a);
  int *tmp = arena_alloc(a, 4);
  consume(tmp);
  arena_end(a);
}

void ok_counter(arena *a) {
  static int frames;
  arena_begin(a);
  int *tmp = arena_alloc(a, 4);
  frames += *tmp;
  arena_end(a);
}

void ok_no_analysis(arena *a) FA_NO_FRAME_ANALYSIS {
  arena_begin(a);
  g_cache = arena_alloc(a, 4);
  arena_end(a);
}

void ok_heap_into_global(void) { g_cache = heap_alloc(4); }

void ok_local_pointer_to_local(arena *a) {
  query local;
  query *lp = &local;
  arena_begin(a);
  lp->items = arena_alloc(a, 4);
  arena_end(a);
}
