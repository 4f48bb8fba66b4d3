/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t-cxx -- -- -x c++ -std=c++17
//
// Arena-keyed scopes interleaved across arenas: ending A's scope while B's is
// still open kills A's memory, and only A's.

#include "temp_arena.h"
#include <string.h>

typedef struct Renderer {
  Arena *frame;
  Arena upload;
  int draw_count;
} Renderer;

/* A's scope ends while B's is open; A's memory is then used. */
int bad_use_a_after_a_ends(Renderer *r, int n) {
  Temp ta = temp_begin(r->frame);
  Temp tb = temp_begin(&r->upload);
  int *cmds = (int *)arena_push(r->frame, n * sizeof(int));
  float *verts = arena_push_floats(&r->upload, n * 3);
  memset(cmds, 0, n * sizeof(int));
  temp_end(ta);
  verts[0] = 1.0f;
  int first = cmds[0];
  temp_end(tb);
  return first;
}
// CHECK-MESSAGES: :[[@LINE-4]]:15: warning: 'cmds' used after its frame ended [framealloc-use-after-frame]

/* The mirror image is fine: B's memory outlives the end of A's scope. */
float ok_use_b_after_a_ends(Renderer *r, int n) {
  Temp ta = temp_begin(r->frame);
  Temp tb = temp_begin(&r->upload);
  float *verts = arena_push_floats(&r->upload, n * 3);
  consume(arena_push(r->frame, 64));
  temp_end(ta);
  verts[0] = 2.0f;
  float v = verts[0];
  temp_end(tb);
  return v;
}

/* Ended by arena rather than by token, in the middle of the stack. */
void bad_pop_a_in_middle(Renderer *r, const char *label) {
  Temp ta = temp_begin(r->frame);
  char *name = arena_strdup(r->frame, label);
  Temp tb = temp_begin(&r->upload);
  char *copy = arena_strdup(&r->upload, label);
  arena_pop_scope(r->frame);
  log_text(copy);
  log_text(name);
  temp_end(tb);
  (void)ta;
}
// CHECK-MESSAGES: :[[@LINE-4]]:12: warning: 'name' passed to 'log_text' after its frame ended [framealloc-use-after-frame]

/* Memory pushed after B's scope began still belongs to A's scope when it is
 * pushed into A. */
void bad_pushed_into_a_later(Renderer *r) {
  Temp ta = temp_begin(r->frame);
  Temp tb = temp_begin(&r->upload);
  char *late = arena_strdup(r->frame, "late");
  temp_end(ta);
  temp_end(tb);
  log_text(late);
}
// CHECK-MESSAGES: :[[@LINE-2]]:12: warning: 'late' passed to 'log_text' after its frame ended [framealloc-use-after-frame]

/* The same through accessors: the stream arena's memory dies with its own
 * scope, not with the scratch arena's. */
void bad_accessor_arena(const char *path) {
  Temp io = temp_begin(stream_arena());
  Temp st = temp_begin(thread_scratch());
  char *chunk = (char *)arena_push(stream_arena(), 4096);
  read_file(path, chunk, 4096);
  temp_end(io);
  log_text(arena_strdup(thread_scratch(), chunk));
  temp_end(st);
}
// CHECK-MESSAGES: :[[@LINE-3]]:43: warning: 'chunk' passed to 'arena_strdup' after its frame ended [framealloc-use-after-frame]

/* Arenas in an array, named by enumerators. */
enum { ARENA_FRAME, ARENA_SCRATCH, ARENA_COUNT };
typedef struct Device {
  Arena *arenas[ARENA_COUNT];
} Device;
void bad_arena_array(Device *dev) {
  Temp f = temp_begin(dev->arenas[ARENA_FRAME]);
  Temp s = temp_begin(dev->arenas[ARENA_SCRATCH]);
  char *p = arena_strdup(dev->arenas[ARENA_FRAME], "frame");
  char *q = arena_strdup(dev->arenas[ARENA_SCRATCH], "scratch");
  temp_end(f);
  log_text(q);
  log_text(p);
  temp_end(s);
}
// CHECK-MESSAGES: :[[@LINE-3]]:12: warning: 'p' passed to 'log_text' after its frame ended [framealloc-use-after-frame]
