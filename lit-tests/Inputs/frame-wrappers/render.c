/* SPDX-License-Identifier: MIT */
#include "render.h"
#include <vendor_frames.h>

void render_frame_open(render_ctx *r) {
  ++r->frame;
  fa_begin_frame(r->fa);
}

void render_frame_close(render_ctx *r) { fa_end_frame(r->fa); }

void vendor_frame_open(fa_alloc *fa) { fa_begin_frame(fa); }
