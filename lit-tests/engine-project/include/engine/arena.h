/* SPDX-License-Identifier: MIT */
/* engine/arena.h - the engine's arenas and their temp scopes.
 *
 * Every arena is a linear allocator with a permanent level: memory pushed outside any temp
 * scope lives as long as the arena. temp_begin(a) opens a scope on one arena and returns a
 * token; temp_end(token) rewinds that arena to it. Scopes on different arenas are independent
 * (the level arena's scope may end before the scratch arena's), so the annotations key each
 * contract by its arena.
 */
#ifndef ENGINE_ARENA_H
#define ENGINE_ARENA_H

#include <framealloc/annotations.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct Arena {
    unsigned char *base;
    size_t pos, cap;
    const char *name;
} Arena;

typedef struct Temp {
    Arena *arena;
    size_t mark;
} Temp;

Temp temp_begin(Arena *a) FA_BEGINS_FRAME_ON(a);
void temp_end(Temp t) FA_ENDS_FRAME_ON(t);
void *arena_push(Arena *a, size_t n) FA_RETURNS_FRAME_OF(a);
void *arena_push_zero(Arena *a, size_t n) FA_RETURNS_FRAME_OF(1);
char *arena_strdup(Arena *a, const char *s) FA_RETURNS_FRAME_OF(a);

/* The thread's scratch arena, for work that does not survive the call. */
extern Arena *g_scratch;

#ifdef __cplusplus
}
#endif

#endif
