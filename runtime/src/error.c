/* SPDX-License-Identifier: MIT */
/*
 * error.c - error reports: formatting, the per-thread last status, the handlers.
 *
 * Owns: the status names, the global handler (for errors without an allocator) and the
 * formatting of a report into the calling thread's buffers (fai_thread_bufs, on the heap; only
 * two ints live in TLS, see internal.h for why). Every runtime error funnels through
 * fai_report_error, which is always called with no runtime lock held, so a handler may call
 * back into the library (except fa_destroy of the allocator being reported).
 *
 * The library itself never writes output. Only fa_default_error_handler does, and only in debug
 * builds (FA_DEBUG >= 1): that is how debug reports reach the programmer by default.
 */
#include "internal.h"
#include "observe.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static _Thread_local fa_status last_status;
static _Thread_local int in_handler;

static _Atomic(fa_error_handler) global_handler;
static _Atomic(void *) global_user;

static const char *const status_names[FA_STATUS_COUNT] = {
    [FA_OK] = "FA_OK",
    [FA_ERR_INVALID_ARGUMENT] = "FA_ERR_INVALID_ARGUMENT",
    [FA_ERR_ZERO_SIZE] = "FA_ERR_ZERO_SIZE",
    [FA_ERR_TOO_LARGE] = "FA_ERR_TOO_LARGE",
    [FA_ERR_OVERFLOW] = "FA_ERR_OVERFLOW",
    [FA_ERR_BAD_ALIGN] = "FA_ERR_BAD_ALIGN",
    [FA_ERR_OUT_OF_MEMORY] = "FA_ERR_OUT_OF_MEMORY",
    [FA_ERR_FRAME_LIMIT] = "FA_ERR_FRAME_LIMIT",
    [FA_ERR_HEAP_LIMIT] = "FA_ERR_HEAP_LIMIT",
    [FA_ERR_BUDGET] = "FA_ERR_BUDGET",
    [FA_WARN_BUDGET] = "FA_WARN_BUDGET",
    [FA_ERR_NO_FRAME] = "FA_ERR_NO_FRAME",
    [FA_ERR_END_WITHOUT_BEGIN] = "FA_ERR_END_WITHOUT_BEGIN",
    [FA_ERR_NESTING_TOO_DEEP] = "FA_ERR_NESTING_TOO_DEEP",
    [FA_ERR_FOREIGN_POINTER] = "FA_ERR_FOREIGN_POINTER",
    [FA_ERR_DOUBLE_FREE] = "FA_ERR_DOUBLE_FREE",
    [FA_ERR_FRAME_POINTER] = "FA_ERR_FRAME_POINTER",
    [FA_ERR_USE_AFTER_FRAME] = "FA_ERR_USE_AFTER_FRAME",
    [FA_ERR_WRONG_THREAD] = "FA_ERR_WRONG_THREAD",
    [FA_ERR_TRANSFER_MISUSE] = "FA_ERR_TRANSFER_MISUSE",
    [FA_ERR_THREAD_EXIT_IN_FRAME] = "FA_ERR_THREAD_EXIT_IN_FRAME",
    [FA_ERR_DESTROY_IN_FRAME] = "FA_ERR_DESTROY_IN_FRAME",
    [FA_ERR_LEAK] = "FA_ERR_LEAK",
    [FA_ERR_CORRUPTION] = "FA_ERR_CORRUPTION",
};

const char *fa_status_name(fa_status status) {
    if ((unsigned)status >= FA_STATUS_COUNT) return "FA_STATUS_UNKNOWN";
    return status_names[status];
}

fa_status fa_last_error(void) { return last_status; }
void fa_clear_error(void) { last_status = FA_OK; }

void fa_set_global_error_handler(fa_error_handler fn, void *user) {
    atomic_store(&global_user, user);
    atomic_store(&global_handler, fn);
}

/* Conditions a running game can meet without a bug: report, never abort by default. */
static bool is_resource_condition(fa_status st) {
    return st == FA_ERR_OUT_OF_MEMORY || st == FA_ERR_FRAME_LIMIT || st == FA_ERR_HEAP_LIMIT ||
           st == FA_ERR_BUDGET || st == FA_WARN_BUDGET;
}

void fa_default_error_handler(const fa_error *err, void *user) {
    (void)user;
    if (!FAI_DEBUG || err == NULL) return; /* release: the status is recorded, nothing printed */
    fai_prim_write_stderr(err->report);
    fai_prim_write_stderr("\n");
    if (!is_resource_condition(err->status)) abort();
}

_Noreturn void fai_assert_fail(const char *cond, const char *file, int line) {
    char buf[512];
    snprintf(buf, sizeof buf, "framealloc: internal assertion failed: %s (%s:%d)\n", cond, file,
             line);
    fai_prim_write_stderr(buf);
    abort();
}

static size_t append(char *buf, size_t cap, size_t at, const char *fmt, ...) FAI_PRINTF(4, 5);
static size_t append(char *buf, size_t cap, size_t at, const char *fmt, ...) {
    if (at >= cap) return at;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + at, cap - at, fmt, ap);
    va_end(ap);
    if (n < 0) return at;
    return at + (size_t)n >= cap ? cap - 1 : at + (size_t)n;
}

/* The report: the message, then what is known about the pointer, sites, frames, threads. */
static void format_report(const fai_report *r, const fa_error *e, char *report_buf, size_t cap,
                          const char *msg_buf) {
    size_t n = 0;
    const char *name = r->fa != NULL && r->fa->cfg.name != NULL ? r->fa->cfg.name : NULL;
    n = append(report_buf, cap, n, "framealloc: %s: %s", fa_status_name(r->status), msg_buf);
    if (name != NULL) n = append(report_buf, cap, n, "\n  allocator:  %s", name);
    if (r->ptr != NULL) n = append(report_buf, cap, n, "\n  address:    %p", r->ptr);
    if (r->site != NULL) n = append(report_buf, cap, n, "\n  called at:  %s", r->site);
    if (r->alloc_site != NULL)
        n = append(report_buf, cap, n, "\n  allocated at: %s", r->alloc_site);
    if (r->alloc_frame != 0 || r->alloc_thread != 0)
        n = append(report_buf, cap, n, "\n  allocated in: frame %llu on thread %llu",
                   (unsigned long long)r->alloc_frame, (unsigned long long)r->alloc_thread);
    n = append(report_buf, cap, n, "\n  now:        frame %llu on thread %llu",
               (unsigned long long)e->current_frame, (unsigned long long)e->thread);
    if (r->detail != NULL) n = append(report_buf, cap, n, "\n%s", r->detail);
    (void)n;
}

static uint64_t current_frame_of(fa_alloc *fa) {
    if (fa == NULL) return 0;
    fai_tstate *t = fai_find_tstate(fa);
    return t != NULL ? t->frame_number : 0;
}

/* Quiet mode (fa_try_*): failures of the request are captured here instead of reported. */
static _Thread_local unsigned quiet_depth;
static _Thread_local fa_status quiet_first;

/* What a try-allocation swallows: why the request could not be served. Misuse found on the
 * way (corruption, foreign pointers) and soft-budget warnings still reach the handler. */
static bool is_quiet_status(fa_status st) {
    switch (st) {
    case FA_ERR_INVALID_ARGUMENT: case FA_ERR_ZERO_SIZE: case FA_ERR_TOO_LARGE:
    case FA_ERR_OVERFLOW: case FA_ERR_BAD_ALIGN: case FA_ERR_OUT_OF_MEMORY:
    case FA_ERR_FRAME_LIMIT: case FA_ERR_HEAP_LIMIT: case FA_ERR_BUDGET: case FA_ERR_NO_FRAME:
        return true;
    default:
        return false;
    }
}

fai_quiet fai_quiet_begin(void) {
    fai_quiet saved = {quiet_depth, quiet_first};
    quiet_depth++;
    quiet_first = FA_OK;
    return saved;
}

fa_status fai_quiet_end(fai_quiet saved) {
    fa_status st = quiet_first;
    quiet_depth = saved.depth;
    quiet_first = saved.first;
    return st;
}

bool fai_quiet_active(void) { return quiet_depth != 0; }

/* Deferral (recovery.c): a stack of requests whose recoverable failure waits for the hook. */
static _Thread_local fai_defer *defer_top;

static bool is_recoverable_status(fa_status st) {
    return st == FA_ERR_OUT_OF_MEMORY || st == FA_ERR_FRAME_LIMIT || st == FA_ERR_HEAP_LIMIT ||
           st == FA_ERR_BUDGET;
}

void fai_defer_begin(fai_defer *d) {
    d->prev = defer_top;
    d->has = false;
    defer_top = d;
}

void fai_defer_end(fai_defer *d) { defer_top = d->prev; }

void fai_defer_deliver(fai_defer *d) {
    if (!d->has) return;
    d->has = false;
    fai_report_error(&d->rep, "%s", d->msg);
}

void fai_report_suspend(fai_report_state *saved) {
    saved->quiet = (fai_quiet){quiet_depth, quiet_first};
    saved->defer = defer_top;
    quiet_depth = 0;
    quiet_first = FA_OK;
    defer_top = NULL;
}

void fai_report_resume(const fai_report_state *saved) {
    quiet_depth = saved->quiet.depth;
    quiet_first = saved->quiet.first;
    defer_top = saved->defer;
}

void fai_report_error(const fai_report *r, const char *fmt, ...) {
    if (defer_top != NULL && !defer_top->has && is_recoverable_status(r->status)) {
        fai_defer *d = defer_top;
        d->has = true;
        d->rep = *r;
        d->rep.detail = NULL; /* it may point into buffers later reports reuse */
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->msg, sizeof d->msg, fmt, ap);
        va_end(ap);
        if (d->rep.current_frame == 0) d->rep.current_frame = current_frame_of(r->fa);
        return;
    }
    if (quiet_depth != 0 && is_quiet_status(r->status)) {
        if (quiet_first == FA_OK) quiet_first = r->status;
        return;
    }
    last_status = r->status;
    if (r->fa != NULL) atomic_fetch_add_explicit(&r->fa->errors, 1, memory_order_relaxed);
    /* A handler that triggers another error gets it recorded, not re-entered. */
    if (in_handler) return;

    /* Out of memory for the thread's buffers: a truncated report from the stack. */
    char fallback_msg[128], fallback_report[256];
    fai_thread_bufs *b = fai_thread_bufs_get();
    char *msg_buf = b != NULL ? b->msg : fallback_msg;
    char *report_buf = b != NULL ? b->report : fallback_report;
    size_t msg_cap = b != NULL ? sizeof b->msg : sizeof fallback_msg;
    size_t report_cap = b != NULL ? sizeof b->report : sizeof fallback_report;

    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg_buf, msg_cap, fmt, ap);
    va_end(ap);

    fa_error e;
    memset(&e, 0, sizeof e);
    e.status = r->status;
    e.message = msg_buf;
    e.report = report_buf;
    e.alloc = r->fa;
    e.ptr = r->ptr;
    e.size = r->size;
    e.align = r->align;
    e.site = r->site;
    e.alloc_site = r->alloc_site;
    e.alloc_frame = r->alloc_frame;
    e.current_frame = r->current_frame != 0 ? r->current_frame : current_frame_of(r->fa);
    e.alloc_thread = r->alloc_thread;
    e.thread = fai_thread_id();
    format_report(r, &e, report_buf, report_cap, msg_buf);
    fai_obs_report(r->fa, &e); /* history and profiler hooks see every reported status */

    fa_error_handler fn;
    void *user;
    if (r->fa != NULL) {
        fn = atomic_load(&r->fa->handler);
        user = atomic_load(&r->fa->handler_user);
    } else {
        fn = atomic_load(&global_handler);
        user = atomic_load(&global_user);
    }
    if (fn == NULL) fn = fa_default_error_handler;
    in_handler = 1;
    fn(&e, user);
    in_handler = 0;
}

void fai_error(fa_alloc *fa, fa_status st, const void *ptr, size_t size, const char *site,
               const char *fmt, ...) {
    char buf[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fai_report r = {.status = st, .fa = fa, .ptr = ptr, .size = size, .site = site};
    fai_report_error(&r, "%s", buf);
}

bool fai_check_request(fa_alloc *fa, size_t size, size_t align, size_t max_size, const char *what,
                       const char *site) {
    if (size == 0) {
        fai_error(fa, FA_ERR_ZERO_SIZE, NULL, 0, site, "%s of 0 bytes", what);
        return false;
    }
    if (size > max_size) {
        fai_report r = {.status = FA_ERR_TOO_LARGE, .fa = fa, .size = size, .align = align,
                        .site = site};
        fai_report_error(&r, "%s of %zu bytes exceeds the limit of %zu bytes", what, size,
                         max_size);
        return false;
    }
    if (!fai_is_pow2(align) || align > FA_MAX_ALIGN) {
        fai_report r = {.status = FA_ERR_BAD_ALIGN, .fa = fa, .size = size, .align = align,
                        .site = site};
        fai_report_error(&r, "%s with alignment %zu (must be a power of two <= %zu)", what, align,
                         (size_t)FA_MAX_ALIGN);
        return false;
    }
    return true;
}

bool fai_check_source(fa_alloc *fa, const void *p, size_t size, const char *what,
                      const char *site) {
    /* Any readable memory is a valid source, so only what can never be read is refused: the
     * first page and addresses no user-space mapping can have. */
    uintptr_t a = (uintptr_t)p;
    if (a >= 4096 && (a >> 56) == 0) return true; /* sizes are checked by the allocation */
    fai_error(fa, FA_ERR_FOREIGN_POINTER, p, size, site,
              "%s: source %p is not a readable address; nothing was copied", what, p);
    return false;
}
