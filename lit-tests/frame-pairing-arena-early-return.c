/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t-cxx -- -- -x c++ -std=c++17
//
// Arena-keyed scopes: pairing is per arena. A scope left open on an early
// return is reported even when another arena's scope is ended on that path.

#include "temp_arena.h"

typedef struct Loader {
  Arena *io;
  Arena decode;
} Loader;

int bad_early_return(Loader *l, const char *path) {
  Temp io = temp_begin(l->io);
  char *raw = (char *)arena_push(l->io, 4096);
  if (!read_file(path, raw, 4096))
    return -1;
  log_text(raw);
  temp_end(io);
  return 0;
}
// CHECK-MESSAGES: :[[@LINE-8]]:13: warning: frame begun here is not ended before 'bad_early_return' returns [framealloc-frame-pairing]

/* Ending the decode arena's scope does not end the io arena's. */
int bad_other_arena_ended(Loader *l, const char *path) {
  Temp io = temp_begin(l->io);
  Temp dec = temp_begin(&l->decode);
  char *raw = (char *)arena_push(l->io, 4096);
  if (!read_file(path, raw, 4096)) {
    temp_end(dec);
    return -1;
  }
  temp_end(dec);
  temp_end(io);
  return 0;
}
// CHECK-MESSAGES: :[[@LINE-11]]:13: warning: frame begun here is not ended before 'bad_other_arena_ended' returns [framealloc-frame-pairing]

/* Each arena's scopes are balanced; the order across arenas is free. */
int ok_interleaved_ends(Loader *l, const char *path) {
  Temp io = temp_begin(l->io);
  Temp dec = temp_begin(&l->decode);
  char *raw = (char *)arena_push(l->io, 4096);
  size_t n = read_file(path, raw, 4096);
  temp_end(io);
  float *out = arena_push_floats(&l->decode, n);
  consume(out);
  temp_end(dec);
  return (int)n;
}

/* Ending an arena's scope by arena when none of ours is open on it. */
void bad_pop_without_scope(Loader *l) {
  Temp io = temp_begin(l->io);
  arena_pop_scope(&l->decode);
  temp_end(io);
}
// CHECK-MESSAGES: :[[@LINE-3]]:3: warning: frame ended here is not open in 'bad_pop_without_scope' [framealloc-frame-pairing]
