/* SPDX-License-Identifier: MIT */
/*
 * budget.c - byte budgets of tags, of the whole allocator and of threads.
 *
 * A scope (tag, FA_BUDGET_GLOBAL, FA_BUDGET_THREAD) has a warning level and a failing level
 * (fai_budget). What each counts is in framealloc.h; here is how:
 *   heap   every charge (fai_tag_heap_charge: heap blocks, stream buffers, handle pages) adds
 *          its bytes to the tag and to fa->heap_counted, and is checked there;
 *   pool   exact object bytes need a counted allocation path, so pools count only once a
 *          scope asks: a tag with a budget, a global budget (every tag), or a thread budget
 *          (that thread) switches the thread's pool_cur to fai_pool_counted_set, whose queues
 *          are all empty. The pool fast path then fails its first test and the slow path
 *          allocates from the thread's counted page set (pool_sets[FA_MAX_TAGS + tag]),
 *          charging the tag, fa->pool_counted and the owner's pool_counted. Counted pages carry
 *          FAI_WHERE_COUNTED, so their local frees leave the free fast path through the test it
 *          already makes; remote frees read page->counted (fixed for the page's life) before
 *          their CAS. Tags without any budget keep the plain fast paths, unchanged.
 *   frame  a thread's frame bytes are checked when a frame allocation needs a new block and at
 *          the end of the outermost frame (fai_budget_frame_check / _frame_end).
 * Counting never stops once started (a budget set back to 0 keeps its scope counted): the
 * counted and plain page sets never trade objects, so every charge meets its uncharge.
 *
 * A thread's pool_counted includes remote frees its pages received but it has not collected;
 * before a thread budget warns or fails, the thread collects them all (fai_pool_collect_counted)
 * so the decision is exact.
 *
 * Threading: limits and tag/global totals are atomics; charges add first and take the bytes
 * back on refusal, so a budget is never exceeded (two threads racing at the limit may both be
 * refused). A thread's budget and pool_counted are written by that thread only.
 */
#include "internal.h"

fai_pool_set fai_pool_counted_set;

static bool valid_tag(fa_alloc *fa, fa_tag tag) {
    return fa != NULL && tag < atomic_load(&fa->tag_count);
}

static size_t clamp(int64_t v) { return v > 0 ? (size_t)v : 0; }

static void note_peak(fai_budget *b, size_t total) {
    size_t peak = atomic_load_explicit(&b->peak, memory_order_relaxed);
    while (total > peak &&
           !atomic_compare_exchange_weak_explicit(&b->peak, &peak, total, memory_order_relaxed,
                                                  memory_order_relaxed)) {
    }
}

/* The failing level refuses total: counted and reported. */
static bool refuse(fa_alloc *fa, fai_budget *b, size_t total, size_t request, const char *who,
                   const char *what, const char *site, bool enforce) {
    size_t fail = atomic_load_explicit(&b->fail, memory_order_relaxed);
    if (fail == 0 || total <= fail) return false;
    atomic_fetch_add(&b->failures, 1);
    atomic_fetch_add(&fa->budget_failures, 1);
    fai_report r = {.status = FA_ERR_BUDGET, .fa = fa, .size = request, .site = site};
    fai_report_error(&r, "%s: %s would reach %zu bytes, above its failing budget of %zu", who,
                     what, total, fail);
    return enforce;
}

/* After a charge that stands: one warning per crossing of the warning level. */
static void settle(fa_alloc *fa, fai_budget *b, size_t total, size_t request, const char *who,
                   const char *what, const char *site) {
    size_t warn = atomic_load_explicit(&b->warn, memory_order_relaxed);
    if (warn == 0 || total <= warn) return;
    if (atomic_exchange(&b->over, 1) != 0) return;
    atomic_fetch_add(&b->warnings, 1);
    atomic_fetch_add(&fa->budget_warnings, 1);
    fai_report r = {.status = FA_WARN_BUDGET, .fa = fa, .size = request, .site = site};
    fai_report_error(&r, "%s: %s at %zu bytes, above its warning budget of %zu", who, what,
                     total, warn);
}

/* After an uncharge: going back to or under the warning level re-arms the warning. */
static void rearm(fai_budget *b, size_t total) {
    if (atomic_load_explicit(&b->over, memory_order_relaxed) == 0) return;
    size_t warn = atomic_load_explicit(&b->warn, memory_order_relaxed);
    if (warn == 0 || total <= warn) atomic_store(&b->over, 0);
}

static size_t tag_total(fa_alloc *fa, fa_tag tag) {
    const fai_tag_info *ti = &fa->tags[tag];
    return clamp(atomic_load(&ti->heap_bytes) + atomic_load(&ti->pool_bytes));
}

static size_t global_total(fa_alloc *fa) {
    return clamp(atomic_load(&fa->heap_counted) + atomic_load(&fa->pool_counted));
}

static size_t thread_total(fai_tstate *t) { return fai_frame_bytes_now(t) + t->pool_counted; }

/* A thread's total before it warns or fails: with every remote free on its pages collected. */
static size_t thread_total_exact(fai_tstate *t, size_t extra) {
    size_t total = thread_total(t) + extra;
    size_t warn = atomic_load_explicit(&t->budget.warn, memory_order_relaxed);
    size_t fail = atomic_load_explicit(&t->budget.fail, memory_order_relaxed);
    if ((warn != 0 && total > warn) || (fail != 0 && total > fail)) {
        fai_pool_collect_counted(t);
        total = thread_total(t) + extra;
    }
    return total;
}

/* ---------------------------------------------------------------------------------------- */
/* Setting budgets                                                                            */
/* ---------------------------------------------------------------------------------------- */

/* Sends the calling thread's pool allocations of its current tag down the counted path at
 * once (other threads switch at their next tag change, pool refill or outermost frame end). */
static void recount_current(fa_alloc *fa) {
    fai_tstate *t = fai_find_tstate(fa);
    if (t != NULL && t->pool_cur != NULL) fai_pool_switch_tag(t, t->cur_tag);
}

static fa_status bad_budget(fa_alloc *fa, const char *fmt, unsigned long long v) {
    fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, fmt, v);
    return FA_ERR_INVALID_ARGUMENT;
}

/* The budget of scope (thread: the caller's, bound on demand), or NULL when scope is bad. */
static fai_budget *budget_of(fa_alloc *fa, fa_budget_scope scope, fai_tstate **thread) {
    *thread = NULL;
    if (scope == FA_BUDGET_GLOBAL) return &fa->budget;
    if (scope == FA_BUDGET_THREAD) {
        *thread = fai_bind(fa);
        return *thread != NULL ? &(*thread)->budget : NULL;
    }
    if (scope != 0 && valid_tag(fa, scope)) return &fa->tags[scope].budget;
    return NULL;
}

/* Starts counting for the scope (pool allocations take the counted path from now on). */
static void start_counting(fa_alloc *fa, fa_budget_scope scope, fai_tstate *thread) {
    if (scope == FA_BUDGET_GLOBAL)
        atomic_store(&fa->count_all, 1);
    else if (scope == FA_BUDGET_THREAD)
        thread->count_all = true;
    else
        atomic_store(&fa->tags[scope].counted, 1);
    recount_current(fa);
}

fa_status fa_set_budget(fa_alloc *fa, fa_budget_scope scope, size_t bytes,
                        fa_budget_policy policy) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_set_budget: NULL allocator");
        return FA_ERR_INVALID_ARGUMENT;
    }
    if ((unsigned)policy > FA_BUDGET_FAIL)
        return bad_budget(fa, "fa_set_budget: unknown policy %llu", (unsigned long long)policy);
    if (bytes > FA_BUDGET_MAX)
        return bad_budget(fa, "fa_set_budget: %llu bytes is above FA_BUDGET_MAX",
                          (unsigned long long)bytes);
    if (policy == FA_BUDGET_NONE && bytes != 0)
        return bad_budget(fa, "fa_set_budget: FA_BUDGET_NONE takes 0 bytes, not %llu",
                          (unsigned long long)bytes);
    fai_tstate *thread;
    fai_budget *b = budget_of(fa, scope, &thread);
    if (b == NULL)
        return bad_budget(fa, "fa_set_budget: unknown scope %llu (a registered tag other than "
                              "0, FA_BUDGET_GLOBAL or FA_BUDGET_THREAD)",
                          (unsigned long long)scope);
    if (policy != FA_BUDGET_FAIL) atomic_store(&b->warn, bytes);
    if (policy != FA_BUDGET_WARN) atomic_store(&b->fail, bytes);
    if (policy == FA_BUDGET_NONE || bytes == 0) atomic_store(&b->over, 0);
    start_counting(fa, scope, thread);
    return FA_OK;
}

fa_status fa_tag_set_budget(fa_alloc *fa, fa_tag tag, size_t soft_limit, size_t hard_limit) {
    if (!valid_tag(fa, tag) || tag == 0 || (hard_limit != 0 && soft_limit > hard_limit) ||
        soft_limit > FA_BUDGET_MAX || hard_limit > FA_BUDGET_MAX) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_tag_set_budget: unknown tag %u (or 0), a limit above FA_BUDGET_MAX, "
                  "or the soft limit above the hard limit",
                  tag);
        return FA_ERR_INVALID_ARGUMENT;
    }
    fai_budget *b = &fa->tags[tag].budget;
    atomic_store(&b->warn, soft_limit);
    atomic_store(&b->fail, hard_limit);
    if (soft_limit == 0) atomic_store(&b->over, 0);
    start_counting(fa, tag, NULL);
    return FA_OK;
}

fa_status fa_get_budget(fa_alloc *fa, fa_budget_scope scope, fa_budget_info *out) {
    fai_tstate *thread = NULL;
    fai_budget *b = NULL;
    if (fa != NULL && out != NULL) {
        if (scope == FA_BUDGET_THREAD) {
            thread = fai_find_tstate(fa); /* a thread that never allocated counts nothing */
            if (thread == NULL) {
                memset(out, 0, sizeof *out);
                return FA_OK;
            }
            b = &thread->budget;
        } else {
            b = budget_of(fa, scope, &thread);
        }
    }
    if (b == NULL) {
        if (fa != NULL)
            fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                      "fa_get_budget: unknown scope %u or NULL output", scope);
        return FA_ERR_INVALID_ARGUMENT;
    }
    memset(out, 0, sizeof *out);
    if (thread != NULL) {
        fai_pool_collect_counted(thread);
        out->bytes = thread_total(thread);
    } else {
        out->bytes = scope == FA_BUDGET_GLOBAL ? global_total(fa) : tag_total(fa, scope);
    }
    out->peak = FAI_MAX(atomic_load(&b->peak), out->bytes);
    out->warn_limit = atomic_load(&b->warn);
    out->fail_limit = atomic_load(&b->fail);
    out->warnings = atomic_load(&b->warnings);
    out->failures = atomic_load(&b->failures);
    return FA_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Pool and heap charges                                                                      */
/* ---------------------------------------------------------------------------------------- */

bool fai_budget_pool_charge(fai_tstate *t, fa_tag tag, size_t bytes, const char *site) {
    fa_alloc *fa = t->fa;
    fai_tag_info *ti = &fa->tags[tag];
    int64_t d = (int64_t)bytes;
    size_t in_tag = clamp(atomic_fetch_add(&ti->pool_bytes, d) + d + atomic_load(&ti->heap_bytes));
    size_t in_all =
        clamp(atomic_fetch_add(&fa->pool_counted, d) + d + atomic_load(&fa->heap_counted));
    size_t in_thread = thread_total_exact(t, bytes);
    const char *what = "pool + heap memory";
    if ((tag != 0 && refuse(fa, &ti->budget, in_tag, bytes, ti->name, what, site, true)) ||
        refuse(fa, &fa->budget, in_all, bytes, "allocator", what, site, true) ||
        refuse(fa, &t->budget, in_thread, bytes, "thread", "frame + pool memory", site, true)) {
        atomic_fetch_sub(&ti->pool_bytes, d);
        atomic_fetch_sub(&fa->pool_counted, d);
        return false;
    }
    t->pool_counted += bytes;
    note_peak(&ti->budget, in_tag);
    note_peak(&fa->budget, in_all);
    note_peak(&t->budget, in_thread);
    if (tag != 0) settle(fa, &ti->budget, in_tag, bytes, ti->name, what, site);
    settle(fa, &fa->budget, in_all, bytes, "allocator", what, site);
    settle(fa, &t->budget, in_thread, bytes, "thread", "frame + pool memory", site);
    return true;
}

void fai_budget_pool_uncharge(fa_alloc *fa, fa_tag tag, size_t bytes, fai_tstate *owner) {
    fai_tag_info *ti = &fa->tags[tag];
    int64_t d = (int64_t)bytes;
    size_t in_tag = clamp(atomic_fetch_sub(&ti->pool_bytes, d) - d + atomic_load(&ti->heap_bytes));
    size_t in_all =
        clamp(atomic_fetch_sub(&fa->pool_counted, d) - d + atomic_load(&fa->heap_counted));
    rearm(&ti->budget, in_tag);
    rearm(&fa->budget, in_all);
    if (owner != NULL) {
        owner->pool_counted -= bytes;
        rearm(&owner->budget, thread_total(owner));
    }
}

bool fai_budget_heap_charge(fa_alloc *fa, fa_tag tag, size_t bytes, size_t tag_credit,
                            size_t all_credit, const char *site) {
    fai_tag_info *ti = &fa->tags[tag];
    int64_t d = (int64_t)bytes;
    size_t in_tag = clamp(atomic_fetch_add(&ti->heap_bytes, d) + d +
                          atomic_load(&ti->pool_bytes) - (int64_t)tag_credit);
    size_t in_all = clamp(atomic_fetch_add(&fa->heap_counted, d) + d +
                          atomic_load(&fa->pool_counted) - (int64_t)all_credit);
    const char *what = "heap + pool memory";
    if ((tag != 0 && refuse(fa, &ti->budget, in_tag, bytes, ti->name, what, site, true)) ||
        refuse(fa, &fa->budget, in_all, bytes, "allocator", what, site, true)) {
        atomic_fetch_sub(&ti->heap_bytes, d);
        atomic_fetch_sub(&fa->heap_counted, d);
        return false;
    }
    note_peak(&ti->budget, in_tag);
    note_peak(&fa->budget, in_all);
    if (tag != 0) settle(fa, &ti->budget, in_tag, bytes, ti->name, what, site);
    settle(fa, &fa->budget, in_all, bytes, "allocator", what, site);
    return true;
}

bool fai_tag_heap_charge(fa_alloc *fa, fa_tag tag, int64_t delta, const char *site) {
    if (delta > 0) return fai_budget_heap_charge(fa, tag, (size_t)delta, 0, 0, site);
    fai_tag_info *ti = &fa->tags[tag];
    size_t in_tag = clamp(atomic_fetch_add(&ti->heap_bytes, delta) + delta +
                          atomic_load(&ti->pool_bytes));
    size_t in_all = clamp(atomic_fetch_add(&fa->heap_counted, delta) + delta +
                          atomic_load(&fa->pool_counted));
    rearm(&ti->budget, in_tag);
    rearm(&fa->budget, in_all);
    return true;
}

/* ---------------------------------------------------------------------------------------- */
/* Frame checks                                                                               */
/* ---------------------------------------------------------------------------------------- */

/* Frame bytes charged to the current tag in this outermost frame, the request included. */
static size_t tag_frame_now(fai_tstate *t, size_t bytes) {
    size_t now = fai_frame_bytes_now(t);
    return t->tag_frame_bytes[t->cur_tag] + (now > t->tag_mark ? now - t->tag_mark : 0) + bytes;
}

bool fai_budget_frame_check(fai_tstate *t, size_t bytes, const char *site) {
    fa_alloc *fa = t->fa;
    fa_tag tag = t->cur_tag;
    fai_budget *tb = &fa->tags[tag].budget;
    bool tag_limited = tag != 0 && atomic_load_explicit(&tb->fail, memory_order_relaxed) != 0;
    bool thread_limited = atomic_load_explicit(&t->budget.fail, memory_order_relaxed) != 0 ||
                          atomic_load_explicit(&t->budget.warn, memory_order_relaxed) != 0;
    if (!tag_limited && !thread_limited) return true;
    size_t in_tag = tag_limited ? tag_frame_now(t, bytes) : 0;
    size_t in_thread = thread_limited ? thread_total_exact(t, bytes) : 0;
    if ((tag_limited && refuse(fa, tb, in_tag, bytes, fa->tags[tag].name, "frame usage", site,
                               true)) ||
        (thread_limited &&
         refuse(fa, &t->budget, in_thread, bytes, "thread", "frame + pool memory", site, true)))
        return false;
    if (thread_limited) {
        note_peak(&t->budget, in_thread);
        settle(fa, &t->budget, in_thread, bytes, "thread", "frame + pool memory", site);
    }
    return true;
}

/* The failing level is reported, not enforced: the frame's memory is already in use (refill
 * checks keep a frame under it, unless it was set during the frame or the last allocations fit
 * the current block). The warning's crossing state is the tag's, shared with its memory. */
void fai_budget_frame_end(fai_tstate *t, fa_tag tag, size_t bytes) {
    fa_alloc *fa = t->fa;
    fai_budget *b = &fa->tags[tag].budget;
    const char *name = fa->tags[tag].name;
    (void)refuse(fa, b, bytes, 0, name, "frame usage", NULL, false);
    settle(fa, b, bytes, 0, name, "frame usage", NULL);
    size_t mem = tag_total(fa, tag);
    rearm(b, FAI_MAX(mem, bytes));
}

/* The outermost frame ended: the thread's frame bytes are gone, and a budget another thread
 * set on its current tag (or the allocator) since its last tag switch takes effect now. */
void fai_budget_thread_frame_end(fai_tstate *t) {
    rearm(&t->budget, t->pool_counted);
    if (t->pool_cur != &fai_pool_counted_set && fai_budget_counts(t, t->cur_tag))
        fai_pool_switch_tag(t, t->cur_tag);
}
