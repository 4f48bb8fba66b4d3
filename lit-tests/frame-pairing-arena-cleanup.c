/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
//
// Arena-keyed scopes ended by a cleanup function (GNU C): the function gets
// the address of its variable, the token, and ends that token's scope.

#include "temp_arena.h"

static void temp_release(Temp *t) FA_ENDS_FRAME_ON(t);
static void temp_release(Temp *t) { temp_end(*t); }

#define SCOPED_TEMP(name, arena)                                               \
  __attribute__((cleanup(temp_release))) Temp name = temp_begin(arena)

int ok_scoped(Arena *a, const char *path) {
  SCOPED_TEMP(t, a);
  char *buf = (char *)arena_push(a, 256);
  if (!read_file(path, buf, 256))
    return -1;
  log_text(buf);
  return 0;
}

/* The other arena's scope is still balanced by hand. */
void ok_scoped_and_manual(Arena *a) {
  SCOPED_TEMP(t, a);
  Temp s = temp_begin(&g_scratch);
  log_text(arena_strdup(&g_scratch, "x"));
  temp_end(s);
}

void bad_scoped_escape(Arena *a, char **out) {
  SCOPED_TEMP(t, a);
  *out = arena_strdup(a, "name");
}
// CHECK-MESSAGES: :[[@LINE-2]]:3: warning: frame memory stored in '*out' outlives its frame [framealloc-frame-escape]

void bad_manual_left_open(Arena *a) {
  SCOPED_TEMP(t, a);
  Temp s = temp_begin(&g_scratch);
  log_text(arena_strdup(&g_scratch, "x"));
}
// CHECK-MESSAGES: :[[@LINE-3]]:12: warning: frame begun here is not ended before 'bad_manual_left_open' returns [framealloc-frame-pairing]
