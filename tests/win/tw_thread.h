// SPDX-License-Identifier: MIT
/*
 * tw_thread.h - native Win32 threads for the Windows suites (CreateThread, not winpthreads:
 * the library must work for threads an engine creates itself), with a join that also closes.
 */
#ifndef TW_THREAD_H
#define TW_THREAD_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdlib.h>

typedef HANDLE tw_thread;

static inline tw_thread tw_start(DWORD(WINAPI *fn)(LPVOID), void *arg) {
    HANDLE h = CreateThread(NULL, 0, fn, arg, 0, NULL);
    if (h == NULL) abort();
    return h;
}

/* Returns once the thread has ended (its thread-exit callbacks have run). */
static inline void tw_join(tw_thread t) {
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
}

#endif /* TW_THREAD_H */
