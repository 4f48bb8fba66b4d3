/* SPDX-License-Identifier: MIT */
/*
 * test_util.c - see test_util.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <sys/resource.h>
#endif

tu_capture tu_cap = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Single-threaded use only (test setup). */
void tu_capture_reset(tu_capture *c) {
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->message_set = c->report_set = true;
}

static void copy_str(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src != NULL ? src : "");
}

void tu_capture_handler(const fa_error *err, void *user) {
    tu_capture *c = user != NULL ? user : &tu_cap;
    pthread_mutex_lock(&c->lock);
    c->count++;
    if ((unsigned)err->status < FA_STATUS_COUNT) c->by_status[err->status]++;
    c->last = err->status;
    c->alloc = err->alloc;
    c->ptr = err->ptr;
    c->size = err->size;
    c->align = err->align;
    c->thread = err->thread;
    c->current_frame = err->current_frame;
    c->alloc_thread = err->alloc_thread;
    c->had_site = err->site != NULL;
    copy_str(c->site, sizeof c->site, err->site);
    copy_str(c->message, sizeof c->message, err->message);
    copy_str(c->report, sizeof c->report, err->report);
    if (err->message == NULL || err->message[0] == '\0') c->message_set = false;
    if (err->report == NULL || err->report[0] == '\0') c->report_set = false;
    void (*hook)(const fa_error *, void *) = c->hook;
    void *arg = c->hook_arg;
    pthread_mutex_unlock(&c->lock);
    if (hook != NULL) hook(err, arg);
}

void tu_setup(void) {
    tu_capture_reset(&tu_cap);
    fa_set_global_error_handler(tu_capture_handler, &tu_cap);
    fa_clear_error();
}

unsigned tu_count(fa_status st) {
    pthread_mutex_lock(&tu_cap.lock);
    unsigned n = tu_cap.by_status[st];
    pthread_mutex_unlock(&tu_cap.lock);
    return n;
}

unsigned tu_total(void) {
    pthread_mutex_lock(&tu_cap.lock);
    unsigned n = tu_cap.count;
    pthread_mutex_unlock(&tu_cap.lock);
    return n;
}

fa_config tu_config(void) {
    fa_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.guard_frames = -1;
    return cfg;
}

fa_alloc *tu_create(const fa_config *cfg) {
    fa_config c;
    if (cfg != NULL)
        c = *cfg;
    else
        c = tu_config();
    c.error_handler = tu_capture_handler;
    c.error_user = &tu_cap;
    return fa_create(&c);
}

/* Four pattern bytes per PRNG step, written a word at a time: the suite checks a lot of
 * memory, and the valgrind legs pay for every instruction. */
void tu_fill(void *p, size_t n, uint32_t seed) {
    unsigned char *b = p;
    uint32_t s = seed * 2654435761u + 1, w;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        w = tu_rand(&s);
        memcpy(b + i, &w, 4);
    }
    w = tu_rand(&s);
    for (; i < n; i++, w >>= 8) b[i] = (unsigned char)w;
}

size_t tu_check(const void *p, size_t n, uint32_t seed) {
    const unsigned char *b = p;
    uint32_t s = seed * 2654435761u + 1, w;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        w = tu_rand(&s);
        if (memcmp(b + i, &w, 4) != 0)
            for (size_t k = 0; k < 4; k++, w >>= 8)
                if (b[i + k] != (unsigned char)w) return i + k;
    }
    w = tu_rand(&s);
    for (; i < n; i++, w >>= 8)
        if (b[i] != (unsigned char)w) return i;
    return SIZE_MAX;
}

unsigned tu_scale(void) {
    const char *e = getenv("FA_TEST_SCALE");
    long v = e != NULL ? strtol(e, NULL, 10) : 1;
    return v < 1 ? 1u : v > 1000 ? 1000u : (unsigned)v;
}

void tu_run_threads(unsigned n, void *(*fn)(void *), void *args, size_t stride) {
    pthread_t th[64];
    if (n > 64) abort();
    for (unsigned i = 0; i < n; i++)
        if (pthread_create(&th[i], NULL, fn, (char *)args + i * stride) != 0) abort();
    for (unsigned i = 0; i < n; i++) pthread_join(th[i], NULL);
}

long tu_minor_faults(void) {
#ifdef _WIN32
    return -1; /* Windows counts page faults per process only; the suites using this are POSIX-only */
#else
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    return ru.ru_minflt;
#endif
}
