/* SPDX-License-Identifier: MIT */
/*
 * prim_posix.c - the OS primitives of prim.h for Linux and other POSIX systems.
 *
 * Owns: every mmap/munmap/mprotect/madvise call, the thread-exit key, the fault handler and
 * the only write to stderr in the library. No state besides the thread-exit key and the saved
 * signal dispositions (both set once, under pthread_once / a mutex).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "prim.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define FAI_PRIM_MIN(a, b) ((a) < (b) ? (a) : (b))

size_t fai_prim_page_size(void) {
    static size_t page;
    if (page == 0) {
        long p = sysconf(_SC_PAGESIZE);
        page = p > 0 ? (size_t)p : 4096;
    }
    return page;
}

size_t fai_prim_alloc_granularity(void) { return fai_prim_page_size(); }

void *fai_prim_map(size_t size, size_t align) {
    size_t page = fai_prim_page_size();
    if (align < page) align = page;
    /* Over-map by align, then trim both ends: the kernel gives page alignment only. */
    size_t total = size + (align > page ? align : 0);
    if (total < size) return NULL;
    void *p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    uintptr_t base = (uintptr_t)p;
    uintptr_t aligned = (base + align - 1) & ~(uintptr_t)(align - 1);
    if (aligned > base) munmap(p, aligned - base);
    uintptr_t tail = base + total - (aligned + size);
    if (tail > 0) munmap((void *)(aligned + size), tail);
    return (void *)aligned;
}

void fai_prim_unmap(void *addr, size_t size) {
    if (addr != NULL && size != 0) munmap(addr, size);
}

void *fai_prim_map_sparse(size_t size) {
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* The fallback reads and writes back one byte per page with an atomic add of zero: it faults
 * the page in writable and changes nothing, whatever the memory holds. Not instrumented: it
 * runs on fresh mappings before any checker state is set up for them. */
__attribute__((no_sanitize("address", "thread")))
static void touch_pages(void *addr, size_t size) {
    size_t page = fai_prim_page_size();
    char *c = addr;
    for (size_t i = 0; i < size; i += page) __atomic_fetch_add(&c[i], 0, __ATOMIC_RELAXED);
}

void fai_prim_prefault(void *addr, size_t size) {
#ifdef MADV_POPULATE_WRITE
    if (madvise(addr, size, MADV_POPULATE_WRITE) == 0) return;
#endif
    touch_pages(addr, size);
}

size_t fai_prim_resident(void *addr, size_t size) {
    size_t page = fai_prim_page_size(), res = 0;
    unsigned char vec[4096];
    for (size_t off = 0; off < size; off += sizeof vec * page) {
        size_t n = FAI_PRIM_MIN(size - off, sizeof vec * page);
        if (mincore((char *)addr + off, n, vec) != 0) return size;
        for (size_t i = 0; i < (n + page - 1) / page; i++) res += (vec[i] & 1) * page;
    }
    return FAI_PRIM_MIN(res, size);
}

int fai_prim_decommit(void *addr, size_t size) {
    return madvise(addr, size, MADV_DONTNEED) == 0 ? 0 : errno;
}

int fai_prim_protect_none(void *addr, size_t size) {
    return mprotect(addr, size, PROT_NONE) == 0 ? 0 : errno;
}

int fai_prim_protect_rw(void *addr, size_t size) {
    return mprotect(addr, size, PROT_READ | PROT_WRITE) == 0 ? 0 : errno;
}

void fai_prim_write_stderr(const char *s) {
    size_t len = strlen(s);
    while (len > 0) {
        ssize_t n = write(STDERR_FILENO, s, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        s += n;
        len -= (size_t)n;
    }
}

const char *fai_prim_getenv(const char *name) { return getenv(name); }

void fai_mutex_init(fai_mutex *m) { pthread_mutex_init(m, NULL); }
void fai_mutex_destroy(fai_mutex *m) { pthread_mutex_destroy(m); }
void fai_mutex_lock(fai_mutex *m) { pthread_mutex_lock(m); }
void fai_mutex_unlock(fai_mutex *m) { pthread_mutex_unlock(m); }

void fai_cond_init(fai_cond *c) { pthread_cond_init(c, NULL); }
void fai_cond_destroy(fai_cond *c) { pthread_cond_destroy(c); }
void fai_cond_wait(fai_cond *c, fai_mutex *m) { pthread_cond_wait(c, m); }
void fai_cond_broadcast(fai_cond *c) { pthread_cond_broadcast(c); }

void fai_once_run(fai_once *o, void (*fn)(void)) { pthread_once(o, fn); }

/* ---------------------------------------------------------------------------------------- */
/* Thread exit                                                                                */
/* ---------------------------------------------------------------------------------------- */

static pthread_key_t exit_key;
static void (*exit_fn)(void *);
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;
static int exit_key_ok;

static void exit_trampoline(void *value) {
    if (value != NULL && exit_fn != NULL) exit_fn(value);
}

static void exit_key_create(void) {
    exit_key_ok = pthread_key_create(&exit_key, exit_trampoline) == 0;
}

int fai_prim_thread_exit_init(void (*fn)(void *)) {
    exit_fn = fn;
    pthread_once(&exit_once, exit_key_create);
    return exit_key_ok ? 0 : EAGAIN;
}

int fai_prim_thread_exit_register(void *value) {
    if (!exit_key_ok) return EAGAIN;
    return pthread_setspecific(exit_key, value);
}

/* ---------------------------------------------------------------------------------------- */
/* Fault handler (guard mode)                                                                 */
/* ---------------------------------------------------------------------------------------- */

static fai_fault_fn fault_fn;
static struct sigaction old_segv, old_bus;
static pthread_mutex_t fault_lock = PTHREAD_MUTEX_INITIALIZER;
static int fault_installed;

static void chain(int sig, siginfo_t *info, void *uctx, const struct sigaction *old) {
    if (old->sa_flags & SA_SIGINFO) {
        if (old->sa_sigaction != NULL) {
            old->sa_sigaction(sig, info, uctx);
            return;
        }
    } else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
        old->sa_handler(sig);
        return;
    }
    /* Default disposition: re-raise with it restored so the process dies of the signal. */
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_fault(int sig, siginfo_t *info, void *uctx) {
    if (fault_fn != NULL && fault_fn(info->si_addr)) return;
    chain(sig, info, uctx, sig == SIGBUS ? &old_bus : &old_segv);
}

int fai_prim_install_fault_handler(fai_fault_fn fn) {
    pthread_mutex_lock(&fault_lock);
    int rc = 0;
    if (!fault_installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_fault;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        fault_fn = fn;
        if (sigaction(SIGSEGV, &sa, &old_segv) != 0 || sigaction(SIGBUS, &sa, &old_bus) != 0)
            rc = errno;
        else
            fault_installed = 1;
    }
    pthread_mutex_unlock(&fault_lock);
    return rc;
}

uint64_t fai_prim_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
