/* engine/engine.h - the sample engine's C API over framealloc, annotated for framealloc-tidy. */
#ifndef ENGINE_ENGINE_H
#define ENGINE_ENGINE_H

#include <framealloc.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct Engine {
    fa_alloc *fa;
    uint64_t frame;
} Engine;

/* One engine frame per tick; wrappers nest like fa_begin_frame / fa_end_frame. */
void eng_frame_begin(Engine *e) FA_BEGINS_FRAME;
void eng_frame_end(Engine *e) FA_ENDS_FRAME;
void *eng_scratch(Engine *e, size_t n) FA_RETURNS_FRAME;
char *eng_format(Engine *e, const char *fmt, ...) FA_RETURNS_FRAME;

void *eng_alloc(size_t n);
void eng_free(void *p);
void eng_log(const char *fmt, ...);

/* Work queue: fn(arg) runs later on a worker thread. */
typedef void (*eng_task_fn)(void *);
void eng_post(eng_task_fn fn, void *arg FA_CROSSES_THREAD);
void eng_flush(void);

#ifdef __cplusplus
}
#endif

#endif
