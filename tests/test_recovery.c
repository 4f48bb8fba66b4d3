/*
 * test_recovery.c - the recovery hook (fa_config.recovery): what it is told, retry exactly
 * once, give up, no recursion, try-allocations, the error handler only on final failure, the
 * counters, and the strategies of docs/intent.md (free and retry, trim pools, shed frame work
 * to a checkpoint, fall back through a wrapper), on several threads at once too.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#define HEAP_LIMIT ((size_t)1 << 20)

/* A cache the hook may evict, and what the hook saw. */
typedef struct rec {
    fa_alloc *fa;
    void *cache[16];
    int ncache;
    fa_recovery_action answer;
    int calls;
    fa_recovery last;
    int evict;                /* free the cache before answering */
    int trim;                 /* also fa_pool_trim */
    int inner_alloc;          /* allocate over the limit inside the hook */
    void *inner_result;
    fa_status inner_why;
    int shed;                 /* roll back to cp (frame work) */
    fa_checkpoint cp;
} rec;

static fa_recovery_action hook(const fa_recovery *r, void *user) {
    rec *c = user;
    c->calls++;
    c->last = *r;
    if (c->inner_alloc) {
        c->inner_result = fa_heap_alloc(r->alloc, HEAP_LIMIT * 2, 16);
        c->inner_result = fa_try_heap_alloc(r->alloc, HEAP_LIMIT * 2, 16, &c->inner_why);
    }
    if (c->evict) {
        while (c->ncache > 0) fa_free(r->alloc, c->cache[--c->ncache]);
    }
    if (c->trim) fa_pool_trim(r->alloc);
    if (c->shed) fa_frame_rollback(r->alloc, c->cp);
    return c->answer;
}

static fa_alloc *make(rec *c, size_t heap_limit, size_t frame_limit) {
    memset(c, 0, sizeof *c);
    fa_config cfg = tu_config();
    cfg.heap_limit = heap_limit;
    cfg.frame_limit = frame_limit;
    cfg.recovery = hook;
    cfg.recovery_user = c;
    c->fa = tu_create(&cfg);
    c->answer = FA_RECOVER_RETRY;
    return c->fa;
}

static void fill_heap_cache(rec *c, int n, size_t each) {
    for (int i = 0; i < n; i++) c->cache[c->ncache++] = fa_heap_alloc(c->fa, each, 16);
}

static fa_stats stats(fa_alloc *fa) {
    fa_stats st;
    fa_get_stats(fa, &st);
    return st;
}

Test(recovery, retry_after_freeing_succeeds_unreported, .init = tu_setup) {
    rec c;
    fa_alloc *fa = make(&c, HEAP_LIMIT, 0);
    fill_heap_cache(&c, 4, 200 << 10); /* 800 KiB of the 1 MiB */
    c.evict = 1;
    void *p = fa_heap_alloc(fa, 400 << 10, 64);
    cr_assert_not_null(p, "the hook evicted the cache and the retry fitted");
    cr_assert_eq(c.calls, 1);
    cr_assert_eq(c.last.status, FA_ERR_HEAP_LIMIT);
    cr_assert_eq(c.last.kind, FA_KIND_HEAP);
    cr_assert_eq(c.last.size, (size_t)400 << 10);
    cr_assert_eq(c.last.align, 64);
    cr_assert_eq(c.last.tag, 0);
    cr_assert_eq(c.last.quiet, 0);
    cr_assert_eq(c.last.alloc, fa);
    cr_assert_eq(c.last.thread, fa_thread_id());
    cr_assert_eq(tu_total(), 0, "a recovered allocation is not an error");
    fa_stats st = stats(fa);
    cr_assert_eq(st.recovery_attempts, 1);
    cr_assert_eq(st.recovery_retries, 1);
    cr_assert_eq(st.recovery_successes, 1);
    cr_assert_eq(st.errors, 0);
    cr_assert_eq(fa_last_error(), FA_OK);
    fa_heap_free(fa, p);
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0);
}

Test(recovery, give_up_reports_once, .init = tu_setup) {
    rec c;
    fa_alloc *fa = make(&c, HEAP_LIMIT, 0);
    c.answer = FA_RECOVER_GIVE_UP;
    cr_assert_null(fa_heap_alloc(fa, HEAP_LIMIT + 1, 16));
    cr_assert_eq(c.calls, 1);
    cr_assert_eq(tu_count(FA_ERR_HEAP_LIMIT), 1);
    cr_assert_eq(tu_total(), 1);
    cr_assert_eq(tu_cap.size, HEAP_LIMIT + 1, "the report is the allocation's own");
    cr_assert(strstr(tu_cap.message, "heap_limit") != NULL, "%s", tu_cap.message);
    fa_stats st = stats(fa);
    cr_assert_eq(st.recovery_attempts, 1);
    cr_assert_eq(st.recovery_retries, 0);
    cr_assert_eq(st.recovery_successes, 0);
    cr_assert_eq(st.errors, 1);
    /* Any answer other than RETRY gives up. */
    c.answer = (fa_recovery_action)77;
    cr_assert_null(fa_heap_alloc(fa, HEAP_LIMIT + 1, 16));
    cr_assert_eq(c.calls, 2);
    cr_assert_eq(tu_count(FA_ERR_HEAP_LIMIT), 2);
    cr_assert_eq(stats(fa).recovery_retries, 0);
    fa_destroy(fa);
}

/* RETRY with nothing freed: one more attempt, one report, the hook called once. */
Test(recovery, retry_happens_exactly_once, .init = tu_setup) {
    rec c;
    fa_alloc *fa = make(&c, HEAP_LIMIT, 0);
    cr_assert_null(fa_heap_alloc(fa, HEAP_LIMIT + 1, 16));
    cr_assert_eq(c.calls, 1);
    cr_assert_eq(tu_count(FA_ERR_HEAP_LIMIT), 1);
    cr_assert_eq(tu_total(), 1);
    fa_stats st = stats(fa);
    cr_assert_eq(st.recovery_attempts, 1);
    cr_assert_eq(st.recovery_retries, 1);
    cr_assert_eq(st.recovery_successes, 0);
    fa_destroy(fa);
}

/* An allocation inside the hook that fails does not re-enter the hook: it is reported (and a
 * quiet one stays quiet), and it does not become the outer request's status. */
Test(recovery, no_recursion, .init = tu_setup) {
    rec c;
    fa_alloc *fa = make(&c, HEAP_LIMIT, 0);
    c.inner_alloc = 1;
    c.answer = FA_RECOVER_GIVE_UP;
    fa_status why = FA_OK;
    cr_assert_null(fa_try_heap_alloc(fa, HEAP_LIMIT + 1, 16, &why));
    cr_assert_eq(c.calls, 1, "the hook's own failures bypass it");
    cr_assert_eq(why, FA_ERR_HEAP_LIMIT);
    cr_assert_null(c.inner_result);
    cr_assert_eq(c.inner_why, FA_ERR_HEAP_LIMIT, "a try inside the hook is quiet on its own");
    cr_assert_eq(tu_count(FA_ERR_HEAP_LIMIT), 1, "the hook's plain allocation was reported");
    cr_assert_eq(tu_total(), 1);
    /* The same with an ordinary outer request: reported once for the hook, once for itself. */
    cr_assert_null(fa_heap_alloc(fa, HEAP_LIMIT + 1, 16));
    cr_assert_eq(c.calls, 2);
    cr_assert_eq(tu_count(FA_ERR_HEAP_LIMIT), 3);
    fa_destroy(fa);
}

/* fa_try_* call the hook too (quiet = 1); they never reach the handler. */
Test(recovery, try_allocation_calls_hook_quietly, .init = tu_setup) {
    rec c;
    fa_alloc *fa = make(&c, HEAP_LIMIT, 0);
    fill_heap_cache(&c, 4, 200 << 10);
    fa_status why = FA_ERR_CORRUPTION;
    c.answer = FA_RECOVER_GIVE_UP;
    cr_assert_null(fa_try_heap_alloc(fa, 400 << 10, 16, &why));
    cr_assert_eq(why, FA_ERR_HEAP_LIMIT);
    cr_assert_eq(c.calls, 1);
    cr_assert_eq(c.last.quiet, 1);
    c.answer = FA_RECOVER_RETRY;
    c.evict = 1;
    void *p = fa_try_heap_alloc(fa, 400 << 10, 16, &why);
    cr_assert_not_null(p);
    cr_assert_eq(why, FA_OK);
    cr_assert_eq(c.calls, 2);
    cr_assert_eq(tu_total(), 0);
    cr_assert_eq(stats(fa).errors, 0);
    cr_assert_eq(stats(fa).recovery_successes, 1);
    fa_heap_free(fa, p);
    fa_destroy(fa);
}

/* Pool bytes over a tag's hard budget: the hook frees pool objects of another class, the bytes
 * come back and the retry takes them. */
Test(recovery, pool_budget_trim_and_retry, .init = tu_setup) {
    rec c;
    fa_alloc *fa = make(&c, 0, 0);
    fa_tag tag = fa_tag_register(fa, "ui");
    cr_assert_eq(fa_tag_set_budget(fa, tag, 0, (16 << 10) + 64), FA_OK); /* 8 x 2 KiB + 64 */
    fa_tag_push(fa, tag);
    for (int i = 0; i < 8; i++) c.cache[c.ncache++] = fa_pool_alloc(fa, 2048);
    cr_assert_not_null(c.cache[7]);
    c.evict = 1;
    c.trim = 1;
    void *p = fa_pool_alloc(fa, 100); /* a 112-byte object: 48 bytes too many */
    cr_assert_not_null(p);
    cr_assert_eq(c.calls, 1);
    cr_assert_eq(c.last.status, FA_ERR_BUDGET);
    cr_assert_eq(c.last.kind, FA_KIND_POOL);
    cr_assert_eq(c.last.size, 100);
    cr_assert_eq(c.last.tag, tag);
    cr_assert_eq(tu_total(), 0);
    fa_pool_free(fa, p);
    fa_tag_pop(fa);
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0);
}

/* Frame limit: the hook sheds optional frame work back to a checkpoint. */
Test(recovery, frame_limit_shed_to_checkpoint, .init = tu_setup) {
    rec c;
    fa_alloc *fa = make(&c, 0, 64 << 10);
    fa_begin_frame(fa);
    void *essential = fa_frame_alloc(fa, 1024, 16);
    tu_fill(essential, 1024, 5);
    c.cp = fa_frame_checkpoint(fa);
    c.shed = 1;
    for (int i = 0; i < 50; i++) cr_assert_not_null(fa_frame_alloc(fa, 1024, 16)); /* decals */
    void *big = fa_frame_alloc(fa, 40 << 10, 16);
    cr_assert_not_null(big, "the decals were shed and the retry fitted");
    cr_assert_eq(c.calls, 1);
    cr_assert_eq(c.last.status, FA_ERR_FRAME_LIMIT);
    cr_assert_eq(c.last.kind, FA_KIND_FRAME);
    cr_assert_eq(c.last.size, (size_t)40 << 10);
    cr_assert_eq(tu_check(essential, 1024, 5), SIZE_MAX);
    memset(big, 1, 40 << 10);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
    fa_destroy(fa);
}

/* Failures that no freeing can fix never call the hook. */
Test(recovery, other_failures_do_not_call_hook, .init = tu_setup) {
    rec c;
    fa_alloc *fa = make(&c, HEAP_LIMIT, 0);
    cr_assert_null(fa_frame_alloc(fa, 64, 16)); /* no frame */
    fa_begin_frame(fa);
    cr_assert_null(fa_frame_alloc(fa, 0, 16));
    cr_assert_null(fa_frame_alloc(fa, 64, 3));
    fa_end_frame(fa);
    cr_assert_null(fa_pool_alloc(fa, 0));
    cr_assert_null(fa_pool_alloc(fa, FA_POOL_MAX_SIZE + 1));
    cr_assert_null(fa_heap_alloc(fa, FA_MAX_ALLOC_SIZE + 1, 16));
    cr_assert_null(fa_heap_alloc(fa, 64, 0));
    cr_assert_eq(c.calls, 0);
    cr_assert_eq(tu_total(), 7);
    cr_assert_eq(stats(fa).recovery_attempts, 0);
    fa_destroy(fa);
}

/* Installed, replaced and removed at run time; read back by fa_get_config. */
Test(recovery, set_and_remove, .init = tu_setup) {
    rec c;
    memset(&c, 0, sizeof c);
    fa_config cfg = tu_config();
    cfg.heap_limit = HEAP_LIMIT;
    fa_alloc *fa = tu_create(&cfg);
    c.fa = fa;
    fa_config got;
    fa_get_config(fa, &got);
    cr_assert_null(got.recovery);
    cr_assert_null(fa_heap_alloc(fa, HEAP_LIMIT + 1, 16));
    cr_assert_eq(tu_total(), 1);
    fa_set_recovery_hook(fa, hook, &c);
    fa_get_config(fa, &got);
    cr_assert_eq(got.recovery, hook);
    cr_assert_eq(got.recovery_user, &c);
    c.answer = FA_RECOVER_GIVE_UP;
    cr_assert_null(fa_heap_alloc(fa, HEAP_LIMIT + 1, 16));
    cr_assert_eq(c.calls, 1);
    fa_set_recovery_hook(fa, NULL, NULL);
    cr_assert_null(fa_heap_alloc(fa, HEAP_LIMIT + 1, 16));
    cr_assert_eq(c.calls, 1);
    cr_assert_eq(tu_count(FA_ERR_HEAP_LIMIT), 3);
    fa_set_recovery_hook(NULL, hook, &c);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    fa_destroy(fa);
}

/* The fallback strategy: a wrapper asks quietly, kind by kind; the hook gives up at once for
 * quiet frame requests, so the wrapper moves on. fa_free frees whatever it got. */
static void *alloc_anywhere(fa_alloc *fa, size_t size, int *where) {
    fa_status why;
    void *p = fa_try_frame_alloc(fa, size, 16, &why);
    if (p != NULL) {
        *where = 0;
        return p;
    }
    if (size <= FA_POOL_MAX_SIZE && (p = fa_try_pool_alloc(fa, size, &why)) != NULL) {
        *where = 1;
        return p;
    }
    *where = 2;
    return fa_heap_alloc(fa, size, 16);
}

static fa_recovery_action give_up_for_quiet_frames(const fa_recovery *r, void *user) {
    (*(int *)user)++;
    return r->kind == FA_KIND_FRAME && r->quiet ? FA_RECOVER_GIVE_UP : FA_RECOVER_RETRY;
}

Test(recovery, fallback_wrapper, .init = tu_setup) {
    int calls = 0;
    fa_config cfg = tu_config();
    cfg.frame_limit = 16 << 10;
    cfg.recovery = give_up_for_quiet_frames;
    cfg.recovery_user = &calls;
    fa_alloc *fa = tu_create(&cfg);
    fa_begin_frame(fa);
    int where[3];
    void *a = alloc_anywhere(fa, 8 << 10, &where[0]);
    void *b = alloc_anywhere(fa, 4 << 10, &where[1]);
    cr_assert_not_null(a);
    cr_assert_not_null(b);
    cr_assert_eq(where[0], 0);
    cr_assert_eq(where[1], 0);
    void *d = alloc_anywhere(fa, 6 << 10, &where[2]); /* over the frame limit: pool */
    cr_assert_not_null(d);
    cr_assert_eq(where[2], 1);
    void *e = alloc_anywhere(fa, 12 << 10, &where[0]); /* too big for a pool: heap */
    cr_assert_not_null(e);
    cr_assert_eq(where[0], 2);
    cr_assert_eq(calls, 2, "one hook call per failing frame request");
    fa_free(fa, d);
    fa_free(fa, e);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
    fa_stats st = stats(fa);
    cr_assert_eq(st.pool_count, 0);
    cr_assert_eq(st.heap_count, 0);
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0);
}

/* A retention's copy goes through recovery too. */
Test(recovery, retention_copy_recovers, .init = tu_setup) {
    rec c;
    fa_alloc *fa = make(&c, HEAP_LIMIT, 0);
    fill_heap_cache(&c, 4, 200 << 10);
    c.evict = 1;
    fa_begin_frame(fa);
    void *slot = fa_frame_alloc(fa, 300 << 10, 16);
    tu_fill(slot, 300 << 10, 8);
    cr_assert_eq(fa_frame_retain(fa, &slot, 300 << 10, FA_RETAIN_TO_HEAP), FA_OK);
    fa_end_frame(fa);
    cr_assert_not_null(slot);
    cr_assert_eq(c.calls, 1);
    cr_assert_eq(c.last.quiet, 1, "the retention reports its own failure");
    cr_assert_eq(fa_heap_size(fa, slot), (size_t)300 << 10);
    cr_assert_eq(tu_check(slot, 300 << 10, 8), SIZE_MAX);
    cr_assert_eq(tu_total(), 0);
    fa_heap_free(fa, slot);
    fa_destroy(fa);
}

/* Several threads hit the limit and recover at once; each hook call sees its own thread. */
typedef struct th_arg {
    fa_alloc *fa;
    int ok, failed;
} th_arg;

static _Atomic int mt_calls;

static fa_recovery_action mt_hook(const fa_recovery *r, void *user) {
    (void)user;
    atomic_fetch_add(&mt_calls, 1);
    cr_assert_eq(r->thread, fa_thread_id());
    return FA_RECOVER_RETRY; /* other threads free meanwhile: the retry may fit */
}

static void *mt_worker(void *p) {
    th_arg *a = p;
    for (int i = 0; i < 200; i++) {
        fa_status why;
        void *b = fa_try_heap_alloc(a->fa, 100 << 10, 16, &why);
        if (b != NULL) {
            a->ok++;
            fa_heap_free(a->fa, b);
        } else {
            cr_assert_eq(why, FA_ERR_HEAP_LIMIT);
            a->failed++;
        }
        fa_begin_frame(a->fa);
        void *f = fa_frame_alloc(a->fa, 256, 16);
        cr_assert_not_null(f);
        fa_end_frame(a->fa);
    }
    return NULL;
}

Test(recovery, threads, .init = tu_setup) {
    atomic_store(&mt_calls, 0);
    fa_config cfg = tu_config();
    cfg.heap_limit = 300 << 10; /* three of the four threads fit at once */
    cfg.recovery = mt_hook;
    fa_alloc *fa = tu_create(&cfg);
    th_arg args[4];
    memset(args, 0, sizeof args);
    for (int i = 0; i < 4; i++) args[i].fa = fa;
    tu_run_threads(4, mt_worker, args, sizeof args[0]);
    int ok = 0, failed = 0;
    for (int i = 0; i < 4; i++) {
        ok += args[i].ok;
        failed += args[i].failed;
    }
    cr_assert_eq(ok + failed, 800);
    fa_stats st = stats(fa);
    cr_assert_eq(st.recovery_attempts, (uint64_t)atomic_load(&mt_calls));
    cr_assert_eq(st.recovery_attempts, st.recovery_retries);
    cr_assert_eq(st.recovery_attempts - st.recovery_successes, (uint64_t)failed);
    cr_assert_eq(tu_total(), 0);
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0);
}
