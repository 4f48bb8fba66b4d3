// SPDX-License-Identifier: MIT
/*
 * prim_win32.c - the OS primitives of prim.h for Windows (8 / Server 2012 or later, x64).
 *
 * Owns: every VirtualAlloc/VirtualFree/VirtualProtect call, the thread-exit TLS slot and the
 * TLS callback that empties it, the vectored exception handler of guard mode and the only write
 * to stderr in the library. State: the slot and the handler (each set once, under an INIT_ONCE /
 * a lock) and the cached system figures.
 *
 * Differences from POSIX that callers see:
 *  - Address space comes in 64 KiB granules (fai_prim_alloc_granularity); a mapping is released
 *    only as a whole (VirtualFree needs the allocation base), a part of one is decommitted.
 *  - Memory is committed when mapped, so it counts against the commit limit (pagefile + RAM)
 *    from the start, though pages get physical memory only when first touched. The sparse
 *    table (fai_prim_map_sparse) is committed the same way.
 *  - fai_prim_decommit is MEM_DECOMMIT followed by MEM_COMMIT: the physical pages go back to
 *    the OS and the range reads back as zeros, as on POSIX with MADV_DONTNEED.
 *  - fai_prim_resident counts the pages in the process working set (QueryWorkingSetEx). A page
 *    the memory manager trimmed to the standby list counts as not resident even though a touch
 *    brings it back without I/O; when the query fails the whole range counts.
 *  - Thread exit: a TLS callback (DLL_THREAD_DETACH) runs the hook for every thread that
 *    registered, per thread rather than per fiber (FLS callbacks would run when a fiber is
 *    deleted, while the thread's TLS state is still in use by its other fibers). It runs
 *    before the CRT's own TLS destructors (section .CRT$XLB sorts before MinGW's .CRT$XLD and
 *    MSVC's .CRT$XLD/XLZ), so the thread's TLS variables are still intact.
 *  - Guard mode: a vectored exception handler, first in the chain; it claims only faults in
 *    ranges guard mode protected and lets every other exception continue its search.
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
/* QueryWorkingSetEx is K32QueryWorkingSetEx in kernel32 (PSAPI_VERSION 2): no psapi.lib. */
#ifndef PSAPI_VERSION
#define PSAPI_VERSION 2
#endif
#include <psapi.h>

#include "prim.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(fai_mutex) == sizeof(SRWLOCK), "fai_mutex stands in for an SRWLOCK");
_Static_assert(sizeof(fai_cond) == sizeof(CONDITION_VARIABLE),
               "fai_cond stands in for a CONDITION_VARIABLE");
_Static_assert(sizeof(fai_once) == sizeof(INIT_ONCE), "fai_once stands in for an INIT_ONCE");

#define FAI_PRIM_MIN(a, b) ((a) < (b) ? (a) : (b))

/* An OS error as a non-zero int. */
static int last_error(void) {
    DWORD e = GetLastError();
    return e != 0 ? (int)e : EINVAL;
}

static size_t page_size, granularity;

static void system_figures(void) {
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    granularity = si.dwAllocationGranularity > 0 ? si.dwAllocationGranularity : 65536;
    page_size = si.dwPageSize > 0 ? si.dwPageSize : 4096;
}

size_t fai_prim_page_size(void) {
    if (page_size == 0) system_figures();
    return page_size;
}

size_t fai_prim_alloc_granularity(void) {
    if (granularity == 0) system_figures();
    return granularity;
}

void *fai_prim_map(size_t size, size_t align) {
    size_t gran = fai_prim_alloc_granularity();
    if (size == 0) return NULL;
    /* Every reservation starts on a granule. */
    if (align <= gran) return VirtualAlloc(NULL, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    size_t probe_size = size + align;
    if (probe_size < size) return NULL;
    /* A reservation cannot be trimmed: find an aligned hole by reserving more than needed,
     * release it and map the aligned part. Another thread may take the hole in between; then
     * try again. */
    for (int attempt = 0; attempt < 64; attempt++) {
        void *probe = VirtualAlloc(NULL, probe_size, MEM_RESERVE, PAGE_NOACCESS);
        if (probe == NULL) return NULL;
        uintptr_t aligned = ((uintptr_t)probe + align - 1) & ~(uintptr_t)(align - 1);
        VirtualFree(probe, 0, MEM_RELEASE);
        void *p = VirtualAlloc((void *)aligned, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
        if (p != NULL) return p;
    }
    return NULL;
}

/* Bytes of the reservation that starts at base (its regions differ in protection after
 * fai_prim_protect_*, so they are walked). */
static size_t reservation_size(void *base) {
    size_t total = 0;
    MEMORY_BASIC_INFORMATION mbi;
    while (VirtualQuery((char *)base + total, &mbi, sizeof mbi) != 0 &&
           mbi.AllocationBase == base && mbi.State != MEM_FREE && mbi.RegionSize > 0)
        total += mbi.RegionSize;
    return total;
}

void fai_prim_unmap(void *addr, size_t size) {
    if (addr == NULL || size == 0) return;
    MEMORY_BASIC_INFORMATION mbi;
    if (VirtualQuery(addr, &mbi, sizeof mbi) != 0 && mbi.AllocationBase == addr &&
        size >= reservation_size(addr)) {
        VirtualFree(addr, 0, MEM_RELEASE);
        return;
    }
    VirtualFree(addr, size, MEM_DECOMMIT); /* a part: give the pages back, keep the range */
}

void *fai_prim_map_sparse(size_t size) {
    /* Committed pages are demand-zero: untouched ones cost commit charge, not memory. */
    return VirtualAlloc(NULL, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
}

void fai_prim_prefault(void *addr, size_t size) {
    /* One interlocked add of zero per page faults it in writable and changes nothing. */
    size_t page = fai_prim_page_size();
    char *c = addr;
    for (size_t i = 0; i < size; i += page) InterlockedExchangeAdd((volatile LONG *)(c + i), 0);
}

size_t fai_prim_resident(void *addr, size_t size) {
    size_t page = fai_prim_page_size(), res = 0;
    size_t pages = (size + page - 1) / page;
    PSAPI_WORKING_SET_EX_INFORMATION info[256];
    for (size_t first = 0; first < pages; first += 256) {
        size_t n = FAI_PRIM_MIN(pages - first, (size_t)256);
        for (size_t k = 0; k < n; k++)
            info[k].VirtualAddress = (char *)addr + (first + k) * page;
        if (!QueryWorkingSetEx(GetCurrentProcess(), info, (DWORD)(n * sizeof info[0])))
            return size;
        for (size_t k = 0; k < n; k++) res += info[k].VirtualAttributes.Valid ? page : 0;
    }
    return FAI_PRIM_MIN(res, size);
}

int fai_prim_decommit(void *addr, size_t size) {
    if (!VirtualFree(addr, size, MEM_DECOMMIT)) return last_error();
    /* Committed again at once, so the range stays usable and reads back as zeros; the commit
     * charge was just released, so this fails only if another process took it meanwhile. */
    if (VirtualAlloc(addr, size, MEM_COMMIT, PAGE_READWRITE) == NULL) return last_error();
    return 0;
}

int fai_prim_protect_none(void *addr, size_t size) {
    DWORD old;
    return VirtualProtect(addr, size, PAGE_NOACCESS, &old) ? 0 : last_error();
}

int fai_prim_protect_rw(void *addr, size_t size) {
    DWORD old;
    return VirtualProtect(addr, size, PAGE_READWRITE, &old) ? 0 : last_error();
}

void fai_prim_write_stderr(const char *s) {
    HANDLE h = GetStdHandle(STD_ERROR_HANDLE);
    if (h == NULL || h == INVALID_HANDLE_VALUE) return;
    size_t len = strlen(s);
    while (len > 0) {
        DWORD n = 0, want = (DWORD)FAI_PRIM_MIN(len, (size_t)1 << 30);
        if (!WriteFile(h, s, want, &n, NULL) || n == 0) return;
        s += n;
        len -= n;
    }
}

const char *fai_prim_getenv(const char *name) { return getenv(name); }

/* ---------------------------------------------------------------------------------------- */
/* Locks, conditions, once                                                                    */
/* ---------------------------------------------------------------------------------------- */

void fai_mutex_init(fai_mutex *m) { InitializeSRWLock((PSRWLOCK)m); }
void fai_mutex_destroy(fai_mutex *m) { (void)m; /* an SRWLOCK owns no resources */ }
void fai_mutex_lock(fai_mutex *m) { AcquireSRWLockExclusive((PSRWLOCK)m); }
void fai_mutex_unlock(fai_mutex *m) { ReleaseSRWLockExclusive((PSRWLOCK)m); }

void fai_cond_init(fai_cond *c) { InitializeConditionVariable((PCONDITION_VARIABLE)c); }
void fai_cond_destroy(fai_cond *c) { (void)c; }
void fai_cond_wait(fai_cond *c, fai_mutex *m) {
    SleepConditionVariableSRW((PCONDITION_VARIABLE)c, (PSRWLOCK)m, INFINITE, 0);
}
void fai_cond_broadcast(fai_cond *c) { WakeAllConditionVariable((PCONDITION_VARIABLE)c); }

struct once_call {
    void (*fn)(void);
};

static BOOL CALLBACK once_trampoline(PINIT_ONCE once, PVOID param, PVOID *context) {
    (void)once;
    (void)context;
    ((struct once_call *)param)->fn();
    return TRUE;
}

void fai_once_run(fai_once *o, void (*fn)(void)) {
    struct once_call call = {fn};
    InitOnceExecuteOnce((PINIT_ONCE)o, once_trampoline, &call, NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* Thread exit                                                                                */
/* ---------------------------------------------------------------------------------------- */

static _Atomic DWORD exit_slot = TLS_OUT_OF_INDEXES;
static void (*_Atomic exit_fn)(void *);
static INIT_ONCE exit_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK exit_slot_create(PINIT_ONCE once, PVOID param, PVOID *context) {
    (void)once;
    (void)param;
    (void)context;
    atomic_store(&exit_slot, TlsAlloc());
    return TRUE;
}

int fai_prim_thread_exit_init(void (*fn)(void *)) {
    atomic_store(&exit_fn, fn);
    InitOnceExecuteOnce(&exit_once, exit_slot_create, NULL, NULL);
    return atomic_load(&exit_slot) != TLS_OUT_OF_INDEXES ? 0 : EAGAIN;
}

int fai_prim_thread_exit_register(void *value) {
    DWORD slot = atomic_load(&exit_slot);
    if (slot == TLS_OUT_OF_INDEXES) return EAGAIN;
    return TlsSetValue(slot, value) ? 0 : EAGAIN;
}

/* Runs in every thread of the image on attach and detach (under the loader lock). The value is
 * cleared before the hook runs; a hook that registers again is run again, up to 4 rounds (the
 * POSIX key destructor rule). */
static void NTAPI on_tls_event(PVOID module, DWORD reason, PVOID reserved) {
    (void)module;
    (void)reserved;
    if (reason != DLL_THREAD_DETACH) return;
    DWORD slot = atomic_load_explicit(&exit_slot, memory_order_relaxed);
    if (slot == TLS_OUT_OF_INDEXES) return;
    for (int round = 0; round < 4; round++) {
        void *value = TlsGetValue(slot);
        if (value == NULL) return;
        TlsSetValue(slot, NULL);
        void (*fn)(void *) = atomic_load(&exit_fn);
        if (fn != NULL) fn(value);
    }
}

/* The callback goes into the image's TLS callback array (.CRT$XLA..XLZ, sorted by name). */
#if defined(_MSC_VER)
#pragma comment(linker, "/INCLUDE:_tls_used")
#pragma comment(linker, "/INCLUDE:fai_tls_callback")
#pragma const_seg(".CRT$XLB")
extern const PIMAGE_TLS_CALLBACK fai_tls_callback;
const PIMAGE_TLS_CALLBACK fai_tls_callback = on_tls_event;
#pragma const_seg()
#else
extern const PIMAGE_TLS_CALLBACK fai_tls_callback;
__attribute__((section(".CRT$XLB"), used)) const PIMAGE_TLS_CALLBACK fai_tls_callback =
    on_tls_event;
#endif

/* ---------------------------------------------------------------------------------------- */
/* Fault handler (guard mode)                                                                 */
/* ---------------------------------------------------------------------------------------- */

static fai_fault_fn _Atomic fault_fn;
static SRWLOCK fault_lock = SRWLOCK_INIT;
static PVOID fault_handler;

static LONG CALLBACK on_exception(EXCEPTION_POINTERS *ep) {
    const EXCEPTION_RECORD *r = ep->ExceptionRecord;
    if ((r->ExceptionCode != EXCEPTION_ACCESS_VIOLATION &&
         r->ExceptionCode != EXCEPTION_IN_PAGE_ERROR) ||
        r->NumberParameters < 2)
        return EXCEPTION_CONTINUE_SEARCH;
    /* ExceptionInformation[0]: 0 read, 1 write, 8 execute; [1]: the address. */
    fai_fault_fn fn = atomic_load(&fault_fn);
    if (fn != NULL && fn((void *)r->ExceptionInformation[1])) return EXCEPTION_CONTINUE_EXECUTION;
    return EXCEPTION_CONTINUE_SEARCH;
}

int fai_prim_install_fault_handler(fai_fault_fn fn) {
    AcquireSRWLockExclusive(&fault_lock);
    int rc = 0;
    if (fault_handler == NULL) {
        atomic_store(&fault_fn, fn);
        fault_handler = AddVectoredExceptionHandler(1, on_exception);
        if (fault_handler == NULL) rc = last_error();
    }
    ReleaseSRWLockExclusive(&fault_lock);
    return rc;
}

uint64_t fai_prim_now_ns(void) {
    static _Atomic uint64_t freq;
    uint64_t f = atomic_load_explicit(&freq, memory_order_relaxed);
    if (f == 0) {
        LARGE_INTEGER q;
        QueryPerformanceFrequency(&q); /* never fails on Windows XP and later */
        f = (uint64_t)q.QuadPart;
        atomic_store_explicit(&freq, f, memory_order_relaxed);
    }
    LARGE_INTEGER c;
    QueryPerformanceCounter(&c);
    uint64_t t = (uint64_t)c.QuadPart;
    /* Split so the product cannot overflow for any counter frequency below 18 GHz. */
    return (t / f) * 1000000000u + (t % f) * 1000000000u / f;
}
