/* SPDX-License-Identifier: MIT */
/*
 * prim.h - the OS contract. Everything the runtime needs from the operating system goes
 * through these functions, implemented once per OS: prim_posix.c (Linux and other POSIX
 * systems) and prim_win32.c (Windows). Sizes and addresses passed to the mapping functions are
 * multiples of fai_prim_page_size(). Functions returning int return 0 on success. None of them
 * reports errors itself: callers decide what an error means.
 *
 * The lock, condition and once types are the OS's own objects on POSIX; on Windows they are
 * pointer-sized stand-ins for SRWLOCK, CONDITION_VARIABLE and INIT_ONCE (prim_win32.c checks the
 * sizes), so no runtime file has to include <windows.h>.
 */
#ifndef FRAMEALLOC_PRIM_H
#define FRAMEALLOC_PRIM_H

#include <stddef.h>
#include <stdint.h>

#if !defined(_WIN32)
#include <pthread.h>
#endif

/* OS page size (4096 on x86-64 Linux and Windows). */
size_t fai_prim_page_size(void);
/* Granularity of fai_prim_map: every mapping starts on a multiple of it and takes a multiple of
 * it of address space (the page size on POSIX; 64 KiB on Windows). */
size_t fai_prim_alloc_granularity(void);

/* Reserves and commits size bytes of zeroed read/write memory, aligned to align (a power of two
 * >= page size). Returns NULL on failure. */
void *fai_prim_map(size_t size, size_t align);
/* Releases a whole mapping made by fai_prim_map (POSIX also releases a page-aligned part of
 * one; Windows can only release whole mappings and returns a part's pages to the OS instead). */
void fai_prim_unmap(void *addr, size_t size);
/* Reserves size bytes of zeroed read/write memory that costs no physical memory until touched
 * (a large sparse table). Never unmapped. NULL on failure. */
void *fai_prim_map_sparse(size_t size);
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

/* Mutex (not recursive, never fails after init), condition variable and one-time init. */
#if defined(_WIN32)
typedef struct fai_mutex {
    void *fai_os; /* SRWLOCK */
} fai_mutex;
typedef struct fai_cond {
    void *fai_os; /* CONDITION_VARIABLE */
} fai_cond;
typedef struct fai_once {
    void *fai_os; /* INIT_ONCE */
} fai_once;
#define FAI_MUTEX_INIT {0}
#define FAI_ONCE_INIT {0}
#else
typedef pthread_mutex_t fai_mutex;
typedef pthread_cond_t fai_cond;
typedef pthread_once_t fai_once;
#define FAI_MUTEX_INIT PTHREAD_MUTEX_INITIALIZER
#define FAI_ONCE_INIT PTHREAD_ONCE_INIT
#endif
void fai_mutex_init(fai_mutex *m);
void fai_mutex_destroy(fai_mutex *m);
void fai_mutex_lock(fai_mutex *m);
void fai_mutex_unlock(fai_mutex *m);
void fai_cond_init(fai_cond *c);
void fai_cond_destroy(fai_cond *c);
/* Waits on c with m held (m is released while waiting); may wake spuriously. */
void fai_cond_wait(fai_cond *c, fai_mutex *m);
void fai_cond_broadcast(fai_cond *c);
/* Runs fn exactly once per o, whichever thread gets there first; the others wait for it. */
void fai_once_run(fai_once *o, void (*fn)(void));

/* Thread-exit hook: calls fn(value) when a thread that called fai_prim_thread_exit_register
 * exits (while the thread's TLS is still usable). One callback for the process, installed once.
 * Like a POSIX key destructor it does not run for the thread that ends the process. */
int fai_prim_thread_exit_init(void (*fn)(void *));
int fai_prim_thread_exit_register(void *value);

/* Installs (once) a fault handler that calls fn(fault address) first and falls back to what
 * was there before when fn returns 0: a SIGSEGV/SIGBUS handler on POSIX, a vectored exception
 * handler for EXCEPTION_ACCESS_VIOLATION on Windows. */
typedef int (*fai_fault_fn)(void *addr);
int fai_prim_install_fault_handler(fai_fault_fn fn);

/* Monotonic nanoseconds. */
uint64_t fai_prim_now_ns(void);

#endif /* FRAMEALLOC_PRIM_H */
