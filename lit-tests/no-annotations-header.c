/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
//
// The analysis reads the annotate() strings, not the macro names: a project
// may spell them itself. With no FA_RETURNS_FRAME macro defined, the escape is
// reported without a fix-it.

#include <stddef.h>

typedef struct pool pool;
void pool_frame_push(pool *p) __attribute__((annotate("framealloc.begins_frame")));
void pool_frame_pop(pool *p) __attribute__((annotate("framealloc.ends_frame")));
void *pool_frame_alloc(pool *p, size_t n) __attribute__((annotate("framealloc.returns_frame")));

int *bad_return(pool *p) {
  int *v = pool_frame_alloc(p, sizeof(int));
  return v;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_return', which is not declared FA_RETURNS_FRAME [framealloc-frame-escape]
}

int bad_use(pool *p) {
  pool_frame_push(p);
  int *v = pool_frame_alloc(p, sizeof(int));
  pool_frame_pop(p);
  return *v;
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'v' used after its frame ended [framealloc-use-after-frame]
}
