/* A small engine API annotated like a user's own wrappers: the lit tests use it
 * instead of <framealloc.h> so that each test shows exactly which contracts are
 * involved. Tests named real-header-* and usage-* include <framealloc.h>. */
#ifndef ENGINE_H
#define ENGINE_H

#include <framealloc/annotations.h>
#include <stddef.h>

typedef struct arena arena;
typedef struct vec3 {
  float x, y, z;
} vec3;

/* Frame scopes of the calling thread (LIFO). */
void arena_begin(arena *a) FA_BEGINS_FRAME;
void arena_end(arena *a) FA_ENDS_FRAME;
/* Frame memory of the innermost open scope. */
void *arena_alloc(arena *a, size_t n) FA_RETURNS_FRAME;
vec3 *arena_vec3s(arena *a, int n) FA_RETURNS_FRAME;
char *arena_strdup(arena *a, const char *s) FA_RETURNS_FRAME;

/* Long-lived memory. */
void *heap_alloc(size_t n);
void heap_free(void *p);
void *heap_copy(const void *p, size_t n);

/* Readers and writers with no frame contract. */
void consume(const void *p);
void consume_mut(void *p);
float sum3(const vec3 *v, int n);
void log_msg(const char *fmt, ...);
int frame_count(void);
int should_quit(void);
void fatal(const char *msg) __attribute__((noreturn));

/* A job system: the argument runs on a worker thread. */
typedef void (*job_fn)(void *);
void job_submit(job_fn fn, void *arg FA_CROSSES_THREAD);
void worker(void *arg);

/* A transfer handle copies its data: the handle may cross threads. */
typedef struct handle handle;
handle *handle_create(arena *a, const void *data, size_t n);
void *handle_receive(handle *h);
void handle_free(handle *h);

#endif
