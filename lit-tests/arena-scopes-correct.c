/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t-cxx -- -- -x c++ -std=c++17
//
// Arena-keyed scopes, correct usage (Inputs/temp_arena.h): scopes on
// different arenas are independent stacks, memory pushed into an arena no
// scope of ours is open on is the caller's business, and scopes on one arena
// nest. Nothing here may be reported.

#include "temp_arena.h"
#include <string.h>

typedef struct Mesh {
  float *positions;
  int count;
} Mesh;

typedef struct Job {
  Arena *frame_arena;
  Arena scratch;
} Job;

/* Two live scopes on two arenas; ending the level arena's scope first does
 * not touch the scratch arena's memory. */
float ok_two_arenas(Arena *level, int n) {
  Temp lt = temp_begin(level);
  Temp st = temp_begin(&g_scratch);
  float *tmp = arena_push_floats(&g_scratch, n);
  int *ids = (int *)arena_push(level, n * sizeof(int));
  for (int i = 0; i < n; ++i)
    ids[i] = i;
  temp_end(lt);
  float sum = 0;
  for (int i = 0; i < n; ++i)
    sum += tmp[i];
  temp_end(st);
  return sum;
}

/* The result goes into the caller's arena while a scratch scope is open;
 * returning it and storing it in the caller's mesh are fine. */
float *ok_result_in_caller_arena(Arena *out, Mesh *mesh, const char *path) {
  Temp t = temp_begin(&g_scratch);
  unsigned char *raw = (unsigned char *)arena_push(&g_scratch, 4096);
  size_t n = read_file(path, raw, 4096);
  float *pos = arena_push_floats(out, n / 4);
  memcpy(pos, raw, n);
  mesh->positions = pos;
  mesh->count = (int)(n / 4);
  temp_end(t);
  return pos;
}

/* Memory of the permanent arena may be kept anywhere. */
static char *g_names[16];
void ok_permanent_while_scratch(const char *name, int slot) {
  Temp t = temp_begin(&g_scratch);
  char *lower = arena_strdup(&g_scratch, name);
  log_text(lower);
  g_names[slot & 15] = arena_strdup(&g_permanent, name);
  temp_end(t);
}

/* Nested temps on one arena: the inner scope's memory dies first, the
 * outer's is still live after it. */
int ok_nested_one_arena(Arena *a, int n) {
  Temp outer = temp_begin(a);
  int *keep = (int *)arena_push(a, n * sizeof(int));
  Temp inner = temp_begin(a);
  int *tmp = (int *)arena_push(a, n * sizeof(int));
  for (int i = 0; i < n; ++i)
    tmp[i] = i * i;
  for (int i = 0; i < n; ++i)
    keep[i] = tmp[i];
  temp_end(inner);
  int sum = 0;
  for (int i = 0; i < n; ++i)
    sum += keep[i];
  temp_end(outer);
  return sum;
}

/* Member paths as keys, the token's arena and a local alias of the arena. */
void ok_member_keys(Job *job, int n) {
  Temp f = temp_begin(job->frame_arena);
  Temp s = temp_begin(&job->scratch);
  void *a = arena_push(job->frame_arena, 64);
  Arena *scratch = &job->scratch;
  void *b = arena_push(scratch, 64);
  void *c = arena_push(s.arena, 64);
  void *d = temp_push(s, 32);
  consume(b);
  consume(c);
  consume(d);
  arena_pop_scope(&job->scratch);
  consume(a);
  temp_end(f);
  (void)n;
}

/* Every path ends its scope; the early return included. */
int ok_early_return(Arena *a, const char *path) {
  Temp t = temp_begin(a);
  char *buf = (char *)arena_push(a, 256);
  if (!read_file(path, buf, 256)) {
    temp_end(t);
    return -1;
  }
  log_text(buf);
  temp_end(t);
  return 0;
}

/* A temp per loop iteration. */
void ok_loop(Arena *a, const char **paths, int n) {
  for (int i = 0; i < n; ++i) {
    Temp t = temp_begin(a);
    char *buf = (char *)arena_push(a, 512);
    read_file(paths[i], buf, 512);
    log_text(buf);
    temp_end(t);
  }
}

/* A same-file helper returning memory of its parameter's arena: the caller
 * learns which arena (the summary), so pushing into the caller's arena
 * through it while a scratch scope is open is fine. */
static char *format_into(Arena *a, const char *s) {
  char *p = arena_strdup(a, s);
  return p;
}
char *ok_helper_caller_arena(Arena *out, const char *s) {
  Temp t = temp_begin(&g_scratch);
  char *tmp = format_into(&g_scratch, s);
  log_text(tmp);
  char *kept = format_into(out, s);
  temp_end(t);
  return kept;
}

/* Memory of an arena with no scope of ours (the level arena) outlives our
 * scopes on other arenas. */
static Mesh g_level_mesh;
void ok_level_memory(int n) {
  Temp t = temp_begin(&g_scratch);
  float *tmp = arena_push_floats(&g_scratch, n);
  g_level_mesh.positions = arena_push_floats(g_level_arena, n);
  memcpy(g_level_mesh.positions, tmp, n * sizeof(float));
  temp_end(t);
  g_level_mesh.count = n;
}

/* Arenas named by accessors without arguments are keyed by the accessor. */
char *ok_accessor_arenas(const char *path) {
  Temp st = temp_begin(thread_scratch());
  Temp io = temp_begin(stream_arena());
  char *name = arena_strdup(thread_scratch(), path);
  char *chunk = (char *)arena_push(stream_arena(), 4096);
  read_file(name, chunk, 4096);
  temp_end(st);
  log_text(chunk);
  temp_end(io);
  return arena_strdup(g_level_arena, path);
}

/* A same-file helper filling the caller's object from a parameter's arena:
 * filled from the caller's arena, the object may keep it. */
static void fill_mesh(Mesh *m, Arena *a, int n) {
  m->positions = arena_push_floats(a, n * 3);
  m->count = n;
}
void ok_fill_from_callers_arena(Mesh *out, Arena *level, int n) {
  Temp t = temp_begin(&g_scratch);
  Mesh tmp;
  fill_mesh(&tmp, &g_scratch, n);
  consume(tmp.positions);
  fill_mesh(out, level, n);
  temp_end(t);
}

/* Array elements with constant or variable indices are keyed by their
 * expression: arenas[ARENA_FRAME] and arenas[ARENA_UPLOAD] are two arenas. */
enum { ARENA_FRAME, ARENA_UPLOAD, ARENA_COUNT };
typedef struct Device {
  Arena *arenas[ARENA_COUNT];
  Arena rings[4];
} Device;
void ok_arena_array(Device *dev, int ring, const char *label) {
  Temp f = temp_begin(dev->arenas[ARENA_FRAME]);
  Temp u = temp_begin(dev->arenas[ARENA_UPLOAD]);
  char *name = arena_strdup(dev->arenas[ARENA_FRAME], label);
  Temp r = temp_begin(&dev->rings[ring]);
  consume(arena_push(&dev->rings[ring], 256));
  temp_end(r);
  temp_end(u);
  log_text(name);
  temp_end(f);
}
