/* SPDX-License-Identifier: MIT */
/* A third-party header (included as a system header): not ours to annotate. */
#ifndef VENDOR_FRAMES_H
#define VENDOR_FRAMES_H
#include <framealloc.h>
void vendor_frame_open(fa_alloc *fa);
#endif
