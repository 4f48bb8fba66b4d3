/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t-cxx -- -- -x c++ -std=c++17
//
// Arena-keyed scopes: memory of a scope we opened escaping it, into a global,
// a long-lived field or the caller's objects; memory of an arena we opened no
// scope on is not an escape.

#include "temp_arena.h"

typedef struct AssetCache {
  const char *last_path FA_LONG_LIVED;
  const char *names[8];
} AssetCache;

static const char *g_last_error;

void bad_global(const char *msg) {
  Temp t = temp_begin(&g_scratch);
  char *copy = arena_strdup(&g_scratch, msg);
  g_last_error = copy;
  temp_end(t);
}
// CHECK-MESSAGES: :[[@LINE-3]]:3: warning: frame memory stored in global 'g_last_error' outlives its frame [framealloc-frame-escape]

void bad_long_lived_field(AssetCache *cache, Arena *frame, const char *path) {
  Temp t = temp_begin(frame);
  cache->last_path = arena_strdup(frame, path);
  temp_end(t);
}
// CHECK-MESSAGES: :[[@LINE-3]]:3: warning: frame memory stored in long-lived 'cache->last_path' outlives its frame [framealloc-frame-escape]

/* The caller's object keeps a pointer into our scratch scope. */
void bad_callers_object(AssetCache *cache, Arena *out, int slot) {
  Temp t = temp_begin(&g_scratch);
  cache->names[slot] = arena_strdup(&g_scratch, "tmp");
  log_text(arena_strdup(out, "kept"));
  temp_end(t);
}
// CHECK-MESSAGES: :[[@LINE-4]]:3: warning: frame memory stored in 'cache->names' outlives its frame [framealloc-frame-escape]

/* The same store from the caller's arena is fine. */
void ok_callers_arena(AssetCache *cache, Arena *out, int slot) {
  Temp t = temp_begin(&g_scratch);
  char *tmp = arena_strdup(&g_scratch, "tmp");
  log_text(tmp);
  cache->names[slot] = arena_strdup(out, "kept");
  temp_end(t);
}

/* A static keeps the pointer past the end of the scratch scope; the scope
 * on the permanent arena, ended first, releases nothing of the scratch. */
const char *bad_static_cache(const char *s) {
  static const char *last;
  Temp t = temp_begin(&g_scratch);
  char *a = arena_strdup(&g_scratch, s);
  Temp u = temp_begin(&g_permanent);
  char *b = arena_strdup(&g_permanent, s);
  log_text(b);
  temp_end(u);
  last = a;
  log_text(a);
  temp_end(t);
  return last ? "cached" : "";
}
// CHECK-MESSAGES: :[[@LINE-5]]:3: warning: frame memory stored in static 'last' outlives its frame [framealloc-frame-escape]
