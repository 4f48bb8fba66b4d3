/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t-cxx -- -- -x c++ -std=c++17
//
// State machines driven by a loop: the scope is begun in one state and ended
// in a later one, iterations apart. A constant assigned to the state variable
// decides the next `switch` (or `if (state == ...)`) on it, so each state's
// paths keep their own frame depth.

#include "engine.h"

enum stage { STAGE_IDLE, STAGE_READ, STAGE_DECODE, STAGE_DONE };

typedef struct loader {
  arena *a;
  enum stage stage;
  char *buf;
} loader;

int read_chunk(char *dst, size_t n);
void decode(const char *src);

void ok_switch_state_machine(arena *a, int steps) {
  int state = 0;
  char *buf = NULL;
  while (steps-- > 0) {
    switch (state) {
    case 0:
      arena_begin(a);
      buf = (char *)arena_alloc(a, 256);
      state = 1;
      break;
    case 1:
      if (read_chunk(buf, 256))
        state = 2;
      break;
    case 2:
      decode(buf);
      arena_end(a);
      buf = NULL;
      state = 0;
      break;
    }
  }
  if (state != 0)
    arena_end(a);
}

/* The state lives in an object; enumerators name the states. (With the
 * state left as the caller had it, the first state could be any: only the
 * reset makes the first `switch` start idle.) */
void ok_member_state(loader *l, int steps) {
  l->stage = STAGE_IDLE;
  for (; steps > 0; --steps) {
    switch (l->stage) {
    case STAGE_IDLE:
      arena_begin(l->a);
      l->stage = STAGE_READ;
      break;
    case STAGE_READ: {
      char *tmp = (char *)arena_alloc(l->a, 64);
      if (read_chunk(tmp, 64))
        l->stage = STAGE_DECODE;
      decode(tmp);
      break;
    }
    case STAGE_DECODE:
      l->stage = STAGE_DONE;
      break;
    case STAGE_DONE:
      arena_end(l->a);
      l->stage = STAGE_IDLE;
      break;
    }
  }
  if (l->stage != STAGE_IDLE) {
    arena_end(l->a);
    l->stage = STAGE_IDLE;
  }
}

void ok_if_chain_states(arena *a, int steps) {
  int state = 0;
  while (steps-- > 0) {
    if (state == 0) {
      arena_begin(a);
      state = 1;
    } else if (state == 1) {
      consume(arena_alloc(a, 16));
      state = 2;
    } else {
      arena_end(a);
      state = 0;
    }
  }
  if (state != 0)
    arena_end(a);
}

void bad_used_in_a_later_state(arena *a, int steps) {
  int state = 0;
  char *buf = NULL;
  while (steps-- > 0) {
    switch (state) {
    case 0:
      arena_begin(a);
      buf = (char *)arena_alloc(a, 256);
      state = 1;
      break;
    case 1:
      arena_end(a);
      state = 2;
      break;
    case 2:
      decode(buf);
      // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'buf' passed to 'decode' after its frame ended [framealloc-use-after-frame]
      state = 0;
      break;
    }
  }
  if (state == 1)
    arena_end(a);
}

/* The state that ends the scope can be entered without the one that begins
 * it (state 0's shortcut), and the loop can stop in that state with the
 * scope open. */
void bad_end_without_begin(arena *a, int steps) {
  int state = 0;
  while (steps-- > 0) {
    switch (state) {
    case 0:
      if (read_chunk(NULL, 0)) {
        state = 2;
        break;
      }
      arena_begin(a);
      // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: frame begun here is not ended before 'bad_end_without_begin' returns [framealloc-frame-pairing]
      state = 1;
      break;
    case 1:
      state = 2;
      break;
    case 2:
      arena_end(a);
      // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: frame ended here is not open in 'bad_end_without_begin' [framealloc-frame-pairing]
      state = 0;
      break;
    }
  }
  if (state == 1)
    arena_end(a);
}

/* A state machine that leaves the loop in a state with the scope open. */
void bad_left_open_at_exit(arena *a, int steps) {
  int state = 0;
  while (steps-- > 0) {
    switch (state) {
    case 0:
      arena_begin(a);
      // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: frame begun here is not ended before 'bad_left_open_at_exit' returns [framealloc-frame-pairing]
      state = 1;
      break;
    case 1:
      arena_end(a);
      state = 0;
      break;
    }
  }
}
