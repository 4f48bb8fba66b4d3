#include <framealloc.h>

static float *g_last;

void update(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_last = FA_FRAME_ARRAY(fa, float, 64);
  fa_end_frame(fa);
}

float spawn(fa_alloc *fa) {
  fa_begin_frame(fa);
  float *p = FA_FRAME_NEW(fa, float);
  fa_end_frame(fa);
  return p[0]; /* a[0] */
}

void render_frame_new(fa_alloc *fa) {
  fa_begin_frame(fa);
}
