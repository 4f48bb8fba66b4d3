/* SPDX-License-Identifier: MIT */
/*
 * prim.h - the OS contract. Everything the runtime needs from the operating system goes
 * through these functions, implemented in prim_posix.c. Sizes and addresses passed to the
 * mapping functions are multiples of fai_prim_page_size(). Functions returning int return 0 on
 * success. None of them reports errors itself: callers decide what an error means.
 */
#ifndef FRAMEALLOC_PRIM_H
#define FRAMEALLOC_PRIM_H

#include <stddef.h>
#include <stdint.h>

#include <pthread.h>

/* OS page size (4096 on x86-64 Linux). */
size_t fai_prim_page_size(void);

/* Reserves and commits size bytes of zeroed read/write memory, aligned to align (a power of two
 * >= page size). Returns NULL on failure. */
void *fai_prim_map(size_t size, size_t align);
/* Releases a mapping (or a page-aligned part of one). */
void fai_prim_unmap(void *addr, size_t size);
/* Touches every page so later accesses take no page fault (MAP_POPULATE semantics). The
 * contents are left as they are. */
void fai_prim_prefault(void *addr, size_t size);
/* Bytes of [addr, addr + size) backed by resident pages (size when it cannot tell). */
size_t fai_prim_resident(void *addr, size_t size);
/* Returns the physical pages to the OS; the range stays mapped and reads back as zero. */
int fai_prim_decommit(void *addr, size_t size);
/* Page protection: no access / read-write. */
int fai_prim_protect_none(void *addr, size_t size);
int fai_prim_protect_rw(void *addr, size_t size);

/* Writes a string to standard error without allocating (async-signal-safe). Used only by the
 * debug error handler, never by library code paths on its own. */
void fai_prim_write_stderr(const char *s);
/* getenv, or NULL. */
const char *fai_prim_getenv(const char *name);

/* Mutex wrapper (default attributes, never fails after init). */
typedef pthread_mutex_t fai_mutex;
#define FAI_MUTEX_INIT PTHREAD_MUTEX_INITIALIZER
void fai_mutex_init(fai_mutex *m);
void fai_mutex_destroy(fai_mutex *m);
void fai_mutex_lock(fai_mutex *m);
void fai_mutex_unlock(fai_mutex *m);

/* Thread-exit hook: calls fn(value) when a thread that called fai_prim_thread_exit_register
 * exits. One callback for the process, installed once. */
int fai_prim_thread_exit_init(void (*fn)(void *));
int fai_prim_thread_exit_register(void *value);

/* Installs (once) a SIGSEGV/SIGBUS handler that calls fn(fault address) first and falls back to
 * the previous disposition when fn returns 0. */
typedef int (*fai_fault_fn)(void *addr);
int fai_prim_install_fault_handler(fai_fault_fn fn);

/* Monotonic nanoseconds. */
uint64_t fai_prim_now_ns(void);

#endif /* FRAMEALLOC_PRIM_H */
