/* SPDX-License-Identifier: MIT */
/*
 * test_tags.c - tags and budgets (tags.c): registration and its limit, the per-thread tag
 * stack, frame charges per tag, soft budgets (one warning per crossing), hard budgets on heap
 * and on pool-page acquisition, tag statistics, FA_TAG_SCOPE on every way out of a block.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdio.h>
#include <string.h>

static fa_alloc *fa;
static void setup(void) {
    tu_setup();
    fa = tu_create(NULL);
}
static void teardown(void) { fa_destroy(fa); }

#define TAG_TEST(name, ...) Test(tags, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static fa_tag_stats tag_stats(fa_tag t) {
    fa_tag_stats s;
    cr_assert_eq(fa_get_tag_stats(fa, t, &s), FA_OK);
    return s;
}

TAG_TEST(register_and_find) {
    fa_tag phys = fa_tag_register(fa, "physics");
    fa_tag rend = fa_tag_register(fa, "render");
    cr_assert(phys != 0 && rend != 0 && phys != rend);
    cr_assert_eq(fa_tag_register(fa, "physics"), phys, "registering again finds the tag");
    cr_assert_str_eq(fa_tag_name(fa, phys), "physics");
    cr_assert_str_eq(fa_tag_name(fa, 0), "untagged");
    cr_assert_null(fa_tag_name(fa, 200));
    char name[32];
    snprintf(name, sizeof name, "%s", "render");
    name[0] = 'R';
    cr_assert_neq(fa_tag_register(fa, name), rend, "names are case-sensitive");
    cr_assert_eq(tu_total(), 0);
}

TAG_TEST(register_up_to_the_limit) {
    fa_tag tags[FA_MAX_TAGS];
    char name[32];
    for (int i = 1; i < FA_MAX_TAGS; i++) {
        snprintf(name, sizeof name, "tag%d", i);
        tags[i] = fa_tag_register(fa, name);
        cr_assert_neq(tags[i], 0, "tag %d", i);
        for (int k = 1; k < i; k++) cr_assert_neq(tags[i], tags[k]);
    }
    cr_assert_eq(fa_tag_register(fa, "one too many"), 0);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    cr_assert_eq(fa_tag_register(fa, "tag5"), tags[5], "existing names are still found");
    cr_assert_eq(fa_tag_register(fa, ""), 0);
    cr_assert_eq(fa_tag_register(fa, NULL), 0);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 3);
    cr_assert_eq(tu_total(), 3);
}

TAG_TEST(push_pop_nesting) {
    fa_tag a = fa_tag_register(fa, "a"), b = fa_tag_register(fa, "b");
    cr_assert_eq(fa_tag_current(fa), 0);
    fa_tag_push(fa, a);
    cr_assert_eq(fa_tag_current(fa), a);
    fa_tag_push(fa, b);
    cr_assert_eq(fa_tag_current(fa), b);
    fa_tag_push(fa, a);
    cr_assert_eq(fa_tag_current(fa), a);
    fa_tag_pop(fa);
    cr_assert_eq(fa_tag_current(fa), b);
    fa_tag_pop(fa);
    cr_assert_eq(fa_tag_current(fa), a);
    fa_tag_pop(fa);
    cr_assert_eq(fa_tag_current(fa), 0);
    fa_tag_pop(fa);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1, "pop with nothing pushed");
    fa_tag_push(fa, 99);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 2, "unknown tag");
    cr_assert_eq(fa_tag_current(fa), 0);
    cr_assert_eq(tu_total(), 2);
}

/* Beyond 16 levels a push is reported and its pop absorbed: the stack stays paired. */
TAG_TEST(push_too_deep) {
    fa_tag a = fa_tag_register(fa, "a"), b = fa_tag_register(fa, "b");
    for (int i = 0; i < 16; i++) fa_tag_push(fa, a);
    fa_tag_push(fa, b);
    cr_assert_eq(tu_count(FA_ERR_NESTING_TOO_DEEP), 1);
    cr_assert_eq(fa_tag_current(fa), a);
    fa_tag_pop(fa); /* absorbed */
    for (int i = 0; i < 16; i++) {
        cr_assert_eq(fa_tag_current(fa), a);
        fa_tag_pop(fa);
    }
    cr_assert_eq(fa_tag_current(fa), 0);
    cr_assert_eq(tu_total(), 1);
}

static void *tag_on_other_thread(void *arg) {
    *(fa_tag *)arg = fa_tag_current(fa);
    return NULL;
}

TAG_TEST(tag_stack_is_per_thread) {
    fa_tag a = fa_tag_register(fa, "a");
    fa_tag_push(fa, a);
    fa_tag seen = 77;
    tu_run_threads(1, tag_on_other_thread, &seen, 0);
    cr_assert_eq(seen, 0);
    fa_tag_pop(fa);
}

/* Frame bytes are charged to the tag current when they were allocated. */
TAG_TEST(frame_charges_per_tag) {
    fa_tag a = fa_tag_register(fa, "a"), b = fa_tag_register(fa, "b");
    fa_begin_frame(fa);
    cr_assert_not_null(fa_frame_alloc(fa, 100, 1));
    fa_tag_push(fa, a);
    cr_assert_not_null(fa_frame_alloc(fa, 200, 1));
    fa_begin_frame(fa);
    fa_tag_push(fa, b);
    cr_assert_not_null(fa_frame_alloc(fa, 400, 1));
    fa_tag_pop(fa);
    cr_assert_not_null(fa_frame_alloc(fa, 50, 1)); /* a again */
    fa_end_frame(fa);
    fa_tag_pop(fa);
    cr_assert_not_null(fa_frame_alloc(fa, 8, 1)); /* untagged */
    fa_end_frame(fa);
    cr_assert_eq(tag_stats(a).frame_bytes_last, TU_G(200) + TU_G(50));
    cr_assert_eq(tag_stats(b).frame_bytes_last, TU_G(400));
    cr_assert_eq(tag_stats(0).frame_bytes_last, TU_G(100) + TU_G(8));
    /* The next frame replaces "last"; the peak keeps the largest. */
    fa_begin_frame(fa);
    fa_tag_push(fa, a);
    cr_assert_not_null(fa_frame_alloc(fa, 10, 1));
    fa_tag_pop(fa);
    fa_end_frame(fa);
    cr_assert_eq(tag_stats(a).frame_bytes_last, TU_G(10));
    cr_assert_eq(tag_stats(a).frame_bytes_peak, TU_G(200) + TU_G(50));
    cr_assert_eq(tag_stats(b).frame_bytes_last, 0);
    cr_assert_eq(tu_total(), 0);
}

typedef struct charge_job {
    fa_tag tag;
    size_t bytes;
    pthread_barrier_t *sync;
} charge_job;

/* One tagged frame, then stay alive (with its per-thread counters) until the test read them. */
static void *charge_frame(void *arg) {
    charge_job *j = arg;
    fa_begin_frame(fa);
    fa_tag_push(fa, j->tag);
    fa_frame_alloc(fa, j->bytes, 1);
    fa_tag_pop(fa);
    fa_end_frame(fa);
    pthread_barrier_wait(j->sync);
    pthread_barrier_wait(j->sync);
    return NULL;
}

TAG_TEST(frame_charges_summed_over_threads) {
    fa_tag a = fa_tag_register(fa, "a");
    pthread_barrier_t sync;
    pthread_barrier_init(&sync, NULL, 4);
    charge_job jobs[3] = {{a, 1008, &sync}, {a, 3008, &sync}, {a, 512, &sync}};
    pthread_t th[3];
    for (int i = 0; i < 3; i++) pthread_create(&th[i], NULL, charge_frame, &jobs[i]);
    pthread_barrier_wait(&sync);
    fa_tag_stats s = tag_stats(a);
    pthread_barrier_wait(&sync);
    for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&sync);
    cr_assert_eq(s.frame_bytes_last, 1008 + 3008 + 512, "summed over threads");
    cr_assert_eq(s.frame_bytes_peak, 3008, "the largest per-thread frame charge");
    cr_assert_eq(tu_total(), 0);
}

/* Soft budget: the allocation succeeds, FA_WARN_BUDGET once per crossing. */
TAG_TEST(soft_budget_warns_once_per_crossing) {
    fa_tag a = fa_tag_register(fa, "a");
    cr_assert_eq(fa_tag_set_budget(fa, a, 10000, 0), FA_OK);
    fa_tag_push(fa, a);
    void *p = fa_heap_alloc(fa, 8000, 16);
    cr_assert_eq(tu_total(), 0);
    void *q = fa_heap_alloc(fa, 4000, 16);
    cr_assert_not_null(q, "soft budgets never fail an allocation");
    cr_assert_eq(tu_count(FA_WARN_BUDGET), 1);
    void *r = fa_heap_alloc(fa, 4000, 16);
    cr_assert_not_null(r);
    cr_assert_eq(tu_count(FA_WARN_BUDGET), 1, "still above: no second warning");
    fa_heap_free(fa, q);
    fa_heap_free(fa, r); /* back below */
    void *s = fa_heap_alloc(fa, 5000, 16);
    cr_assert_eq(tu_count(FA_WARN_BUDGET), 2, "a new crossing warns again");
    cr_assert_eq(tag_stats(a).soft_exceeded, 2);
    cr_assert_eq(tag_stats(a).heap_bytes, 13000);
    fa_tag_pop(fa);
    fa_heap_free(fa, p);
    fa_heap_free(fa, s);
    cr_assert_eq(tag_stats(a).heap_bytes, 0);
    cr_assert_eq(tu_total(), 2);
}

TAG_TEST(hard_budget_fails_heap_allocations) {
    fa_tag a = fa_tag_register(fa, "a");
    cr_assert_eq(fa_tag_set_budget(fa, a, 0, 10000), FA_OK);
    fa_tag_push(fa, a);
    void *p = fa_heap_alloc(fa, 9000, 16);
    cr_assert_not_null(p);
    cr_assert_null(fa_heap_alloc(fa, 2000, 16));
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 1);
    fa_tag_stats s = tag_stats(a);
    cr_assert_eq(s.hard_exceeded, 1);
    cr_assert_eq(s.heap_bytes, 9000, "the failed request is not charged");
    fa_tag_pop(fa);
    void *u = fa_heap_alloc(fa, 2000, 16); /* untagged: not limited */
    cr_assert_not_null(u);
    fa_heap_free(fa, p);
    fa_tag_push(fa, a);
    void *q = fa_heap_alloc(fa, 2000, 16);
    cr_assert_not_null(q, "room again after a free");
    fa_heap_free(fa, q);
    fa_tag_pop(fa);
    fa_heap_free(fa, u);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.heap_count, 0);
    cr_assert_eq(tu_total(), 1);
}

/* Pool budgets count object bytes (size classes): an 8 KiB hard budget takes four 2 KiB
 * objects, refuses the fifth, and takes it again once one is freed. */
TAG_TEST(hard_budget_counts_pool_object_bytes) {
    fa_tag a = fa_tag_register(fa, "a");
    cr_assert_eq(fa_tag_set_budget(fa, a, 0, 8 << 10), FA_OK);
    fa_tag_push(fa, a);
    void *objs[4];
    for (int i = 0; i < 4; i++) {
        objs[i] = fa_pool_alloc(fa, 2048);
        cr_assert_not_null(objs[i], "object %d", i);
    }
    cr_assert_null(fa_pool_alloc(fa, 2048), "a fifth object would exceed the budget");
    cr_assert_null(fa_pool_alloc(fa, 1), "so would a 16-byte one");
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 2);
    fa_tag_stats s = tag_stats(a);
    cr_assert_eq(s.pool_bytes, 8 << 10);
    cr_assert_eq(s.hard_exceeded, 2);
    cr_assert_eq(s.peak_bytes, 8 << 10);
    fa_pool_free(fa, objs[0]);
    objs[0] = fa_pool_alloc(fa, 2000); /* the 2048 class: charged 2048 */
    cr_assert_not_null(objs[0], "a free gives the bytes back");
    cr_assert_eq(fa_pool_usable_size(fa, objs[0]), 2048);
    fa_tag_pop(fa);
    void *u = fa_pool_alloc(fa, 2048);
    cr_assert_not_null(u, "untagged pools are not limited");
    cr_assert_eq(tag_stats(0).pool_bytes, 2048);
    for (int i = 0; i < 4; i++) fa_pool_free(fa, objs[i]);
    fa_pool_free(fa, u);
    cr_assert_eq(tag_stats(a).pool_bytes, 0);
    fa_budget_info bi;
    cr_assert_eq(fa_get_budget(fa, a, &bi), FA_OK);
    cr_assert_eq(bi.bytes, 0);
    cr_assert_eq(bi.peak, 8 << 10);
    cr_assert_eq(tu_total(), 2);
}

/* Heap and pool share a tag's budget, byte for byte. */
TAG_TEST(heap_and_pool_share_the_budget) {
    fa_tag a = fa_tag_register(fa, "a");
    cr_assert_eq(fa_tag_set_budget(fa, a, 0, 4096), FA_OK);
    fa_tag_push(fa, a);
    void *h = fa_heap_alloc(fa, 3000, 16);
    cr_assert_not_null(h);
    void *p = fa_pool_alloc(fa, 1000); /* 1024: 4024 */
    cr_assert_not_null(p);
    cr_assert_null(fa_heap_alloc(fa, 73, 16), "4097 bytes");
    void *q = fa_heap_alloc(fa, 72, 16);
    cr_assert_not_null(q, "exactly 4096 bytes is within the budget");
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 1);
    fa_heap_free(fa, q);
    fa_heap_free(fa, h);
    fa_pool_free(fa, p);
    fa_tag_pop(fa);
    cr_assert_eq(tag_stats(a).heap_bytes + tag_stats(a).pool_bytes, 0);
    cr_assert_eq(tu_total(), 1);
}

/* A frame allocation that needs a new block is checked against the tag's hard budget and
 * refused; bytes that fit the current block are not checked until the frame ends. */
TAG_TEST(frame_budget_checked_at_refill) {
    fa_tag a = fa_tag_register(fa, "a");
    fa_begin_frame(fa);
    cr_assert_not_null(fa_frame_alloc(fa, 16, 16)); /* the thread's first block */
    fa_end_frame(fa);
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    size_t block = ts.frame_reserved, budget = block + (64 << 10);
    cr_assert_gt(block, 0);
    cr_assert_eq(fa_tag_set_budget(fa, a, 0, budget), FA_OK);
    fa_begin_frame(fa);
    fa_tag_push(fa, a);
    cr_assert_not_null(fa_frame_alloc(fa, block / 2, 16), "fits the first block: not checked");
    cr_assert_null(fa_frame_alloc(fa, budget - block / 2 + 16, 16), "a new block, over it");
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 1);
    cr_assert_not_null(fa_frame_alloc(fa, budget - block / 2, 16), "exactly at the budget");
    fa_tag_pop(fa);
    cr_assert_not_null(fa_frame_alloc(fa, 2 * budget, 16), "untagged frame bytes are not");
    fa_end_frame(fa);
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 1, "the frame ended within the budget");
    cr_assert_eq(tag_stats(a).hard_exceeded, 1);
    cr_assert_eq(tu_total(), 1);
}

/* Frame bytes over a hard budget within the current block do not fail (frame allocations are
 * checked at refills only); the excess is reported when the frame ends. */
TAG_TEST(frame_budget_reported_at_frame_end) {
    fa_tag a = fa_tag_register(fa, "a");
    fa_begin_frame(fa);
    cr_assert_not_null(fa_frame_alloc(fa, 16, 16)); /* the thread's first block */
    fa_end_frame(fa);
    cr_assert_eq(fa_tag_set_budget(fa, a, 0, 1000), FA_OK);
    fa_begin_frame(fa);
    fa_tag_push(fa, a);
    cr_assert_not_null(fa_frame_alloc(fa, 3000, 1));
    fa_tag_pop(fa);
    cr_assert_eq(tu_total(), 0);
    fa_end_frame(fa);
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 1);
    cr_assert_eq(tag_stats(a).hard_exceeded, 1);
    cr_assert_eq(tu_total(), 1);
}

TAG_TEST(set_budget_bad_inputs) {
    fa_tag a = fa_tag_register(fa, "a");
    cr_assert_eq(fa_tag_set_budget(fa, a, 2000, 1000), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_tag_set_budget(fa, 40, 0, 1000), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 2);
    fa_tag_stats s;
    cr_assert_eq(fa_get_tag_stats(fa, 40, &s), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_get_tag_stats(fa, a, NULL), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 4);
    cr_assert_eq(fa_tag_set_budget(fa, a, 500, 1000), FA_OK);
    s = tag_stats(a);
    cr_assert_eq(s.soft_limit, 500);
    cr_assert_eq(s.hard_limit, 1000);
    cr_assert_str_eq(s.name, "a");
    cr_assert_eq(tu_total(), 4);
}

/* Leaves a tag scope by the way the caller asks: falling off the end, return, break, continue
 * or goto. Each scope charges one allocation of `bytes` frame bytes to its tag. */
enum scope_exit { EXIT_END, EXIT_RETURN, EXIT_BREAK, EXIT_CONTINUE, EXIT_GOTO };

static int scoped_work(fa_tag tag, enum scope_exit how, size_t bytes) {
    int passes = 0;
    for (int i = 0; i < 2; i++) {
        FA_TAG_SCOPE(fa, tag);
        passes++;
        cr_assert_eq(fa_tag_current(fa), tag);
        if (i == 1) continue; /* the second pass only checks the tag came back */
        cr_assert_not_null(fa_frame_alloc(fa, bytes, 1));
        if (how == EXIT_RETURN) return passes;
        if (how == EXIT_BREAK) break;
        if (how == EXIT_CONTINUE) continue;
        if (how == EXIT_GOTO) goto out;
    }
out:
    return passes;
}

TAG_TEST(scope_pops_on_every_exit) {
    fa_tag outer = fa_tag_register(fa, "outer"), inner = fa_tag_register(fa, "inner");
    fa_begin_frame(fa);
    fa_tag_push(fa, outer);
    const enum scope_exit exits[] = {EXIT_END, EXIT_RETURN, EXIT_BREAK, EXIT_CONTINUE, EXIT_GOTO};
    const int passes[] = {2, 1, 1, 2, 1};
    for (int k = 0; k < 5; k++) {
        cr_assert_eq(scoped_work(inner, exits[k], 96), passes[k], "exit %d", k);
        cr_assert_eq(fa_tag_current(fa), outer, "exit %d popped exactly its own tag", k);
    }
    fa_tag_pop(fa);
    cr_assert_eq(fa_tag_current(fa), 0);
    fa_end_frame(fa);
    cr_assert_eq(tag_stats(inner).frame_bytes_last, 5 * TU_G(96), "each scope charged its bytes");
    cr_assert_eq(tag_stats(outer).frame_bytes_last, 0);
    cr_assert_eq(tu_total(), 0);
}

TAG_TEST(scope_nests_and_charges_the_innermost) {
    fa_tag a = fa_tag_register(fa, "a"), b = fa_tag_register(fa, "b");
    fa_begin_frame(fa);
    {
        FA_TAG_SCOPE(fa, a);
        fa_frame_alloc(fa, 100, 1);
        {
            FA_TAG_SCOPE(fa, b);
            fa_frame_alloc(fa, 300, 1);
            cr_assert_eq(fa_tag_current(fa), b);
        }
        cr_assert_eq(fa_tag_current(fa), a);
        fa_frame_alloc(fa, 50, 1);
    }
    cr_assert_eq(fa_tag_current(fa), 0);
    fa_end_frame(fa);
    cr_assert_eq(tag_stats(a).frame_bytes_last, TU_G(100) + TU_G(50));
    cr_assert_eq(tag_stats(b).frame_bytes_last, TU_G(300));
    cr_assert_eq(tu_total(), 0);
}

/* An unknown tag is reported and pushes nothing, so the scope must pop nothing: the enclosing
 * tag stays current inside and after it. */
TAG_TEST(scope_with_a_refused_push_pops_nothing) {
    fa_tag a = fa_tag_register(fa, "a");
    fa_tag_push(fa, a);
    {
        FA_TAG_SCOPE(fa, 999);
        cr_assert_eq(fa_tag_current(fa), a);
    }
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    cr_assert_eq(fa_tag_current(fa), a, "the enclosing push survived");
    fa_tag_pop(fa);
    cr_assert_eq(fa_tag_current(fa), 0);
    cr_assert_eq(tu_total(), 1, "no 'pop with no tag pushed' report");
    {
        FA_TAG_SCOPE(NULL, a);
    }
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 2, "a NULL allocator is reported once");
}

/* Scopes past the 16-deep stack are reported, keep the deepest tag current, and unwind to
 * exactly the state before them. */
static void nest(fa_tag *tags, int depth, int n) {
    if (depth == n) {
        cr_assert_eq(fa_tag_current(fa), tags[15], "overflowing pushes keep the deepest tag");
        return;
    }
    FA_TAG_SCOPE(fa, tags[depth < 16 ? depth : 15]);
    nest(tags, depth + 1, n);
}

TAG_TEST(scope_overflow_unwinds_exactly) {
    fa_tag tags[16];
    char name[8];
    for (int i = 0; i < 16; i++) {
        snprintf(name, sizeof name, "t%d", i);
        tags[i] = fa_tag_register(fa, name);
    }
    nest(tags, 0, 19);
    cr_assert_eq(tu_count(FA_ERR_NESTING_TOO_DEEP), 3);
    cr_assert_eq(fa_tag_current(fa), 0);
    fa_tag_push(fa, tags[3]); /* the stack works normally afterwards */
    cr_assert_eq(fa_tag_current(fa), tags[3]);
    fa_tag_pop(fa);
    cr_assert_eq(tu_total(), 3);
}

TAG_TEST(path_names_the_stack_outermost_first) {
    fa_tag ai = fa_tag_register(fa, "ai"), pathing = fa_tag_register(fa, "pathing");
    char buf[64];
    cr_assert_eq(fa_tag_path(fa, buf, sizeof buf), 0);
    cr_assert_str_eq(buf, "", "nothing pushed (and no thread state yet)");
    fa_tag_push(fa, ai);
    fa_tag_push(fa, pathing);
    cr_assert_eq(fa_tag_path(fa, buf, sizeof buf), 10);
    cr_assert_str_eq(buf, "ai/pathing");
    /* truncation keeps a terminated prefix and still returns the whole length */
    char small[5];
    memset(small, 'x', sizeof small);
    cr_assert_eq(fa_tag_path(fa, small, sizeof small), 10);
    cr_assert_str_eq(small, "ai/p");
    char two[3];
    cr_assert_eq(fa_tag_path(fa, two, sizeof two), 10);
    cr_assert_str_eq(two, "ai");
    char one[1] = {'x'};
    cr_assert_eq(fa_tag_path(fa, one, 1), 10);
    cr_assert_eq(one[0], '\0');
    cr_assert_eq(fa_tag_path(fa, NULL, 0), 10, "a size query");
    fa_tag_pop(fa);
    cr_assert_eq(fa_tag_path(fa, buf, sizeof buf), 2);
    cr_assert_str_eq(buf, "ai");
    fa_tag_pop(fa);
    cr_assert_eq(tu_total(), 0);
    cr_assert_eq(fa_tag_path(fa, NULL, 8), 0);
    cr_assert_eq(fa_tag_path(NULL, buf, sizeof buf), 0);
    cr_assert_str_eq(buf, "");
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 2);
}
