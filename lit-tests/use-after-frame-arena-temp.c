/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t-cxx -- -- -x c++ -std=c++17
//
// Arena-keyed scopes: memory used after the scope it was pushed in ended
// (by token, by arena, or through the token's arena member).

#include "temp_arena.h"
#include <string.h>

typedef struct Batch {
  Arena *arena;
  int count;
} Batch;

int bad_use_after_temp_end(Arena *a, const char *path) {
  Temp t = temp_begin(a);
  char *buf = (char *)arena_push(a, 128);
  size_t n = read_file(path, buf, 128);
  temp_end(t);
  return n ? buf[0] : 0;
}
// CHECK-MESSAGES: :[[@LINE-2]]:14: warning: 'buf' used after its frame ended [framealloc-use-after-frame]

void bad_pass_after_pop(Batch *b, const char *s) {
  Temp t = temp_begin(b->arena);
  char *copy = arena_strdup(b->arena, s);
  arena_pop_scope(b->arena);
  log_text(copy);
  (void)t;
}
// CHECK-MESSAGES: :[[@LINE-3]]:12: warning: 'copy' passed to 'log_text' after its frame ended [framealloc-use-after-frame]

/* Pushed through the token's arena member: the same scope. */
float bad_token_member(Arena *a, int n) {
  Temp t = temp_begin(a);
  float *v = arena_push_floats(t.arena, n);
  for (int i = 0; i < n; ++i)
    v[i] = (float)i;
  temp_end(t);
  return v[n - 1];
}
// CHECK-MESSAGES: :[[@LINE-2]]:10: warning: 'v' used after its frame ended [framealloc-use-after-frame]

/* The inner scope of a nest: its memory is dead after its end even though
 * the outer scope on the same arena is still open. */
int bad_inner_of_nest(Arena *a, int n) {
  Temp outer = temp_begin(a);
  Temp inner = temp_begin(a);
  int *tmp = (int *)arena_push(a, n * sizeof(int));
  memset(tmp, 0, n * sizeof(int));
  temp_end(inner);
  int first = tmp[0];
  temp_end(outer);
  return first;
}
// CHECK-MESSAGES: :[[@LINE-4]]:15: warning: 'tmp' used after its frame ended [framealloc-use-after-frame]

/* A copy of the token ends the same scope. */
void bad_copied_token(Arena *a) {
  Temp t = temp_begin(a);
  Temp saved = t;
  char *s = arena_strdup(a, "x");
  temp_end(saved);
  consume(s);
}
// CHECK-MESSAGES: :[[@LINE-2]]:11: warning: 's' passed to 'consume' after its frame ended [framealloc-use-after-frame]

/* Memory of the caller's arena survives our scopes on other arenas, but a
 * scope we open on the caller's arena releases what we push there. */
void *bad_scope_on_callers_arena(Arena *out) {
  Temp t = temp_begin(out);
  void *p = arena_push(out, 64);
  temp_end(t);
  return p;
}
// CHECK-MESSAGES: :[[@LINE-2]]:10: warning: 'p' returned after its frame ended [framealloc-use-after-frame]

/* Filled by a same-file helper from the scratch arena inside our scope. */
typedef struct Strings {
  char *first;
  int count;
} Strings;
static void split_first(Strings *out, Arena *a, const char *line) {
  out->first = arena_strdup(a, line);
  out->count = 1;
}
void bad_filled_by_helper(Arena *scratch, const char *line) {
  Temp t = temp_begin(scratch);
  Strings s;
  split_first(&s, scratch, line);
  temp_end(t);
  log_text(s.first);
}
// CHECK-MESSAGES: :[[@LINE-2]]:12: warning: 's.first' passed to 'log_text' after its frame ended [framealloc-use-after-frame]
