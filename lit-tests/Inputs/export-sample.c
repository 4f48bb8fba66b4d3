#include "engine.h"

int *make_scratch(arena *a) { return arena_alloc(a, 64); }

float sample_use_after_end(arena *a) {
  arena_begin(a);
  vec3 *v = arena_vec3s(a, 1);
  arena_end(a);
  return v->x;
}
