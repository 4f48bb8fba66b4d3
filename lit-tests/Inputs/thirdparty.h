/* A third-party arena API that cannot be annotated: the framealloc checks
 * learn it from CheckOptions (BeginFrameFunctions, EndFrameFunctions,
 * FrameAllocFunctions, ThreadCrossingFunctions). */
#ifndef THIRDPARTY_H
#define THIRDPARTY_H
#include <stddef.h>

typedef struct tp_arena tp_arena;
void tp_push(tp_arena *a);
void tp_pop(tp_arena *a);
void *tp_alloc(tp_arena *a, size_t n);
char *tp_strdup(tp_arena *a, const char *s);
void tp_post(int queue, void *payload);
void tp_run_async(void (*fn)(void *), void *ctx, void *user);
void tp_consume(const void *p);
#endif
