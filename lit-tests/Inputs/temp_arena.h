/* SPDX-License-Identifier: MIT */
/* A multi-arena temp-scope API of the kind engines write for themselves: every
 * Arena rewinds to a mark, scopes on different arenas are independent, and the
 * annotations name the arena each contract is about (arena-keyed scopes). */
#ifndef TEMP_ARENA_H
#define TEMP_ARENA_H

#include <framealloc/annotations.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct Arena {
  unsigned char *base;
  size_t pos, cap;
} Arena;

/* A scope on one arena: the arena and the position to rewind to. */
typedef struct Temp {
  Arena *arena;
  size_t mark;
} Temp;

Temp temp_begin(Arena *a) FA_BEGINS_FRAME_ON(a);
void temp_end(Temp t) FA_ENDS_FRAME_ON(t);
/* Rewinds the arena's innermost scope (the arena, not a token). */
void arena_pop_scope(Arena *a) FA_ENDS_FRAME_ON(1);
void *arena_push(Arena *a, size_t n) FA_RETURNS_FRAME_OF(a);
float *arena_push_floats(Arena *a, size_t n) FA_RETURNS_FRAME_OF(1);
char *arena_strdup(Arena *a, const char *s) FA_RETURNS_FRAME_OF(a);
/* Memory of the scope a token names (its arena's innermost scope). */
void *temp_push(Temp t, size_t n) FA_RETURNS_FRAME_OF(t);

/* Engine arenas. */
extern Arena g_permanent; /* lives as long as the program */
extern Arena g_scratch;
extern Arena *g_level_arena;
/* Accessors: the calling thread's scratch arena, the streaming arena. */
Arena *thread_scratch(void);
Arena *stream_arena(void);

/* Readers with no frame contract. */
void consume(const void *p);
void log_text(const char *s);
size_t read_file(const char *path, void *dst, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
