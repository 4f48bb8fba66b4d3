/* SPDX-License-Identifier: MIT */
/*
 * fuzz_model.c - the fuzzer's shadow model: failure log, error events and the expectations on
 * them, the model's blocks and totals, byte patterns, input decoding and the worker thread.
 * See fuzz_ops.c for the whole picture.
 */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------- */
/* Failure reporting: the op log of the input                                                 */
/* ---------------------------------------------------------------------------------------- */

static char oplog[1 << 16];
static size_t oplog_n;
unsigned op_index;

void log_reset(void) {
    oplog_n = 0;
    oplog[0] = '\0';
    op_index = 0;
}

static size_t min_log(size_t a, size_t b) { return a < b ? a : b; }
void logf_(const char *fmt, ...) {
    if (oplog_n >= sizeof oplog - 256) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(oplog + oplog_n, sizeof oplog - oplog_n, fmt, ap);
    va_end(ap);
    if (n > 0) oplog_n = min_log(oplog_n + (size_t)n, sizeof oplog - 1);
}

_Noreturn void fail(const char *file, int line, const char *what) {
    fprintf(stderr, "\n==== fuzz_ops: check failed at %s:%d: %s\n", file, line, what);
    fprintf(stderr, "==== at op #%u; FA_DEBUG=%d; operation log of this input:\n%s\n", op_index,
            fa_debug_level(), oplog);
    abort();
}


/* ---------------------------------------------------------------------------------------- */
/* Error events                                                                               */
/* ---------------------------------------------------------------------------------------- */

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
event events[MAX_EVENTS];
unsigned n_events;
uint64_t errors_with_alloc; /* reports that named the allocator: fa_stats.errors */
fa_alloc *cur_fa;
static bool ev_remote; /* the events came from the worker: its fa_last_error, not ours */

void handler(const fa_error *e, void *user) {
    (void)user;
    if (e == NULL || (unsigned)e->status >= FA_STATUS_COUNT || e->status == FA_OK ||
        e->message == NULL || e->report == NULL || e->thread != fa_thread_id()) {
        fprintf(stderr, "fuzz_ops: malformed error report\n");
        abort();
    }
    pthread_mutex_lock(&ev_lock);
    if (e->alloc != NULL && e->alloc != cur_fa) {
        fprintf(stderr, "fuzz_ops: report names allocator %p, not the live one %p: %s\n",
                (void *)e->alloc, (void *)cur_fa, e->report);
        abort();
    }
    if (e->alloc != NULL) errors_with_alloc++;
    if (n_events < MAX_EVENTS) events[n_events++] = (event){e->status, e->alloc != NULL};
    pthread_mutex_unlock(&ev_lock);
    if (e->status == FA_ERR_CORRUPTION) {
        /* The harness never corrupts anything: the library claims corruption it caused, or
         * mistook legitimate use for it. */
        fprintf(stderr, "fuzz_ops: corruption reported:\n%s\n", e->report);
        fail(__FILE__, __LINE__, "FA_ERR_CORRUPTION reported");
    }
}

void log_events(void) {
    for (unsigned i = 0; i < n_events; i++) logf_(" !%s", fa_status_name(events[i].status) + 3);
}

/* Every event is in `allowed`; if `required` is not 0, exactly one event is in it. Clears the
 * events. Also checks fa_last_error against the last event. */
void expect_(unsigned allowed, unsigned required, const char *file, int line) {
    log_events();
    unsigned hits = 0;
    for (unsigned i = 0; i < n_events; i++) {
        unsigned b = BIT(events[i].status);
        if (b & required) hits++;
        else if (!(b & allowed)) fail(file, line, "unexpected error status");
    }
    if (required != 0 && hits != 1) fail(file, line, "expected error status not reported once");
    fa_status last = ev_remote ? (n_events ? events[n_events - 1].status : FA_OK) : fa_last_error();
    ev_remote = false;
    if (n_events == 0 && last != FA_OK) fail(file, line, "fa_last_error set with no report");
    if (n_events != 0 && n_events < MAX_EVENTS && last != events[n_events - 1].status)
        fail(file, line, "fa_last_error is not the last reported status");
    n_events = 0;
    fa_clear_error();
}

/* ---------------------------------------------------------------------------------------- */
/* The model                                                                                  */
/* ---------------------------------------------------------------------------------------- */

const char *const kind_names[] = {"frame", "pool", "heap"};

struct model m;

unsigned tag_index(fa_tag t) {
    for (unsigned i = 0; i <= MAX_TAGNAMES; i++)
        if (m.tags[i] == t && (i == 0 || t != 0)) return i;
    return 0;
}
bool budgets_on(void) {
    for (unsigned i = 0; i <= MAX_TAGNAMES; i++)
        if (m.tag_soft[i] != 0 || m.tag_hard[i] != 0) return true;
    return false;
}

void pat_fill(unsigned char *p, size_t n, uint64_t seed) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w = pat_word(seed, i >> 3);
        memcpy(p + i, &w, 8);
    }
    if (i < n) {
        uint64_t w = pat_word(seed, i >> 3);
        memcpy(p + i, &w, n - i);
    }
}

bool pat_ok(const unsigned char *p, size_t n, uint64_t seed) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w = pat_word(seed, i >> 3), v;
        memcpy(&v, p + i, 8);
        if (v != w) return false;
    }
    if (i < n) {
        uint64_t w = pat_word(seed, i >> 3);
        if (memcmp(p + i, &w, n - i) != 0) return false;
    }
    return true;
}

uint64_t new_seed(void) {
    m.next_seed += 0x632BE59BD9B4E019ull;
    return m.next_seed ^ (m.next_seed >> 29);
}

void check_blk(const blk *b) {
    if (!pat_ok(b->p, b->size, b->seed)) {
        logf_(" [%s block %p, %zu bytes damaged]", kind_names[b->kind], (void *)b->p, b->size);
        fail(__FILE__, __LINE__, "block content damaged");
    }
}

/* Pool size classes: 16-byte steps to 128, then four per doubling up to 8192. */
size_t pool_class(size_t size, size_t align) {
    static size_t cls[32];
    if (cls[0] == 0) {
        unsigned n = 0;
        for (size_t s = 16; s <= 128; s += 16) cls[n++] = s;
        for (size_t base = 128; base < 8192; base *= 2)
            for (unsigned k = 1; k <= 4; k++) cls[n++] = base + k * base / 4;
    }
    if (align < 16) align = 16;
    for (unsigned i = 0; i < 32; i++)
        if (cls[i] >= size && cls[i] % align == 0) return cls[i];
    return 0;
}

blk *add_blk(uint8_t kind, void *p, size_t size, size_t align) {
    CHECK(m.nb < MAX_BLOCKS);
    blk *b = &m.b[m.nb++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->p = p;
    b->size = size;
    b->align = align;
    b->seed = new_seed();
    return b;
}

/* Room for one more block, keeping room for the copies every retain slot may make. */
bool room(void) { return m.nb + MAX_SLOTS + 2 < MAX_BLOCKS; }

void del_blk(blk *b) { *b = m.b[--m.nb]; }

blk *find_blk(const void *p) {
    for (unsigned i = 0; i < m.nb; i++)
        if (m.b[i].p == p) return &m.b[i];
    return NULL;
}

bool addr_live(const void *p) {
    for (unsigned i = 0; i < m.nb; i++)
        if (m.b[i].p == p) return true;
    for (unsigned i = 0; i < m.nx; i++)
        if ((void *)m.x[i].h == p) return true;
    return false;
}

/* Picks the n-th live block of a kind (mask of kinds), or NULL. */
blk *pick(unsigned kinds, uint8_t sel) {
    unsigned n = 0;
    for (unsigned i = 0; i < m.nb; i++)
        if (kinds & (1u << m.b[i].kind)) n++;
    if (n == 0) return NULL;
    unsigned k = sel % n;
    for (unsigned i = 0; i < m.nb; i++)
        if ((kinds & (1u << m.b[i].kind)) && k-- == 0) return &m.b[i];
    return NULL;
}

void remember_freed(void *p, uint8_t kind) {
    m.fr[m.fr_next] = (freed){p, kind};
    m.fr_next = (m.fr_next + 1) % MAX_FREED;
    if (m.nfr < MAX_FREED) m.nfr++;
}

void remember_stale(void *p, bool mapped) {
    m.st[m.st_next] = (stale){p, mapped};
    m.st_next = (m.st_next + 1) % MAX_STALE;
    if (m.nst < MAX_STALE) m.nst++;
}

/* Model bookkeeping of pool and heap blocks (the caller has the runtime's result). */
blk *model_pool_new(void *p, size_t size, size_t align, bool worker) {
    size_t cls = pool_class(size, align);
    blk *b = add_blk(K_POOL, p, size, align);
    b->cls = cls;
    b->tag = (uint8_t)tag_index(worker ? 0 : cur_tag());
    b->worker = worker;
    m.pool_count++;
    m.pool_bytes += cls;
    m.tag_pool[b->tag] += cls;
    if (!worker) {
        m.pool_count_main++;
        m.pool_bytes_main += cls;
    }
    return b;
}

void model_pool_gone(blk *b) {
    m.pool_count--;
    m.pool_bytes -= b->cls;
    m.tag_pool[b->tag] -= b->cls;
    if (!b->worker) {
        m.pool_count_main--;
        m.pool_bytes_main -= b->cls;
    }
    remember_freed(b->p, K_POOL);
    del_blk(b);
}

blk *model_heap_new(void *p, size_t size, size_t align) {
    blk *b = add_blk(K_HEAP, p, size, align);
    b->cls = align;
    b->tag = (uint8_t)tag_index(cur_tag());
    m.heap_bytes += size;
    m.heap_count++;
    m.heap_peak = max_sz(m.heap_peak, m.heap_bytes);
    m.heap_allocs_main++;
    m.tag_heap[b->tag] += size;
    return b;
}

void model_heap_gone(blk *b, bool by_main) {
    m.heap_bytes -= b->size;
    m.heap_count--;
    m.tag_heap[b->tag] -= b->size;
    if (by_main) m.heap_frees_main++;
    remember_freed(b->p, K_HEAP);
    del_blk(b);
}

/* Whether a heap allocation of size (credit: bytes of a block of tag index credit_ti freed
 * right after, realloc) may fail, and whether it must: heap_limit and the current tag's hard
 * budget (which leaves the credit out only for a block of its own). */
bool heap_may_fail(size_t size, size_t credit, unsigned credit_ti, bool *must) {
    bool may = false;
    *must = false;
    size_t now = m.heap_bytes + size;
    if (m.cfg.heap_limit != 0 && now - min_sz(credit, now) > m.cfg.heap_limit) may = *must = true;
    unsigned ti = tag_index(cur_tag());
    if (ti != 0 && m.tag_hard[ti] != 0) {
        size_t own = credit_ti == ti ? min_sz(credit, m.tag_heap[ti]) : 0;
        if (m.tag_heap[ti] - own + size > m.tag_hard[ti]) may = *must = true;
        else if (m.tag_pool_used[ti]) may = true; /* pool bytes count too; not modelled */
    }
    return may;
}

bool pool_may_fail(void) {
    unsigned ti = tag_index(cur_tag());
    m.tag_pool_used[ti] = true;
    return ti != 0 && m.tag_hard[ti] != 0;
}

unsigned alloc_noise(void) { return budgets_on() ? BIT(FA_WARN_BUDGET) : 0; }

/* ---------------------------------------------------------------------------------------- */
/* Input decoding                                                                             */
/* ---------------------------------------------------------------------------------------- */

size_t frame_size(uint8_t a, uint8_t b) {
    switch (a >> 6) {
    case 0: return 1 + (b & 63);
    case 1: return 1 + (size_t)b * 4;
    case 2: return 1 + (((size_t)(a & 63) << 8) | b);
    default:
        if ((a & 63) < 6 && m.big_allocs < BIG_ALLOCS_PER_INPUT) {
            m.big_allocs++;
            return ((size_t)b + 1) << 12; /* up to 1 MiB: beyond the first block */
        }
        return 1 + (size_t)b * 32;
    }
}

size_t pool_size(uint8_t a, uint8_t b) {
    switch (a >> 6) {
    case 0: return 1 + (b & 127);
    case 1: return 1 + (size_t)b * 2;
    case 2: return 1 + (size_t)b * 8;
    default: return 1 + ((((size_t)(a & 31) << 8) | b) % 8192);
    }
}

size_t heap_size(uint8_t a, uint8_t b) {
    switch (a >> 6) {
    case 0: return 1 + b;
    case 1: return 1 + (size_t)b * 16;
    case 2: return 1 + (((size_t)(a & 63) << 8) | b);
    default:
        if ((a & 63) < 8 && m.big_allocs < BIG_ALLOCS_PER_INPUT) {
            m.big_allocs++;
            return ((size_t)b + 1) << 11;
        }
        return 1 + (size_t)b * 64;
    }
}

static const size_t align_table[16] = {1, 2, 4, 8, 16, 16, 16, 16, 32, 64, 128, 256, 512, 1024,
                                       4096, 65536};
size_t dec_align(uint8_t c) {
    size_t a = align_table[c & 15];
    return a > 4096 && !class_on[MC_HUGE_ALIGN] ? 4096 : a;
}

const size_t budget_table[8] = {0, 0, 4096, 65536, 100000, 1 << 20, 200000, 1 << 18};

/* ---------------------------------------------------------------------------------------- */
/* Worker thread: runs one job at a time for the main thread, synchronously                   */
/* ---------------------------------------------------------------------------------------- */

static pthread_mutex_t wk_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wk_cond = PTHREAD_COND_INITIALIZER;
static job_fn wk_job;
static void *wk_arg;
static bool wk_started;
static uint64_t wk_thread_id;

static void *worker_main(void *unused) {
    (void)unused;
    pthread_mutex_lock(&wk_lock);
    wk_thread_id = fa_thread_id();
    pthread_cond_broadcast(&wk_cond);
    for (;;) {
        while (wk_job == NULL) pthread_cond_wait(&wk_cond, &wk_lock);
        job_fn fn = wk_job;
        pthread_mutex_unlock(&wk_lock);
        fa_clear_error();
        fn(wk_arg);
        pthread_mutex_lock(&wk_lock);
        wk_job = NULL;
        pthread_cond_broadcast(&wk_cond);
    }
    return NULL;
}

void run_on_worker(job_fn fn, void *arg) {
    pthread_mutex_lock(&wk_lock);
    if (!wk_started) {
        pthread_t th;
        CHECK(pthread_create(&th, NULL, worker_main, NULL) == 0);
        pthread_detach(th);
        wk_started = true;
        while (wk_thread_id == 0) pthread_cond_wait(&wk_cond, &wk_lock);
    }
    wk_job = fn;
    wk_arg = arg;
    pthread_cond_broadcast(&wk_cond);
    while (wk_job != NULL) pthread_cond_wait(&wk_cond, &wk_lock);
    pthread_mutex_unlock(&wk_lock);
    m.worker_used = true;
    ev_remote = true;
}
