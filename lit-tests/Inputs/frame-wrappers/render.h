/* SPDX-License-Identifier: MIT */
/* An engine's frame wrappers, declared in a project header and defined in
 * render.c without annotations. */
#ifndef RENDER_H
#define RENDER_H
#include <framealloc.h>

typedef struct render_ctx {
  fa_alloc *fa;
  int frame;
} render_ctx;

/* Opens the frame the render passes allocate from; the caller closes it. */
void render_frame_open(render_ctx *r);
void render_frame_close(render_ctx *r);
#endif
