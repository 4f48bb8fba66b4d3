/* SPDX-License-Identifier: MIT */
/*
 * test_alloc.c - allocator lifetime (alloc.c): configuration, create/destroy, NULL allocator
 * on every entry point, thread states (creation, exit with frames open, exit with nothing
 * open), destroy with frames open or objects outstanding, several allocators per thread.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

Test(alloc, create_with_defaults, .init = tu_setup) {
    fa_alloc *fa = fa_create(NULL);
    cr_assert_not_null(fa);
    fa_config c;
    fa_get_config(fa, &c);
    cr_assert_eq(c.frame_block_size, (size_t)256 << 10);
    cr_assert_eq(c.frame_limit, 0);
    cr_assert_eq(c.max_frame_depth, 64);
    cr_assert_eq(c.pool_keep_empty_pages, 2);
    cr_assert_eq(c.heap_limit, 0);
#if FA_DEBUG
    cr_assert_eq(c.guard_frames, 4, "debug builds guard 4 frames by default");
#else
    cr_assert_lt(c.guard_frames, 0, "no guard mode in release builds");
#endif
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0);
}

Test(alloc, config_is_resolved_and_read_back, .init = tu_setup) {
    fa_config cfg = tu_config();
    cfg.frame_block_size = 5000;
    cfg.frame_limit = 1 << 20;
    cfg.max_frame_depth = 7;
    cfg.pool_keep_empty_pages = 5;
    cfg.heap_limit = 1 << 24;
    cfg.name = "renderer";
    fa_alloc *fa = tu_create(&cfg);
    fa_config c;
    fa_get_config(fa, &c);
#ifdef _WIN32
    cr_assert_eq(c.frame_block_size, 65536, "rounded up to whole 64 KiB allocation granules");
#else
    cr_assert_eq(c.frame_block_size, 8192, "rounded up to whole pages");
#endif
    cr_assert_eq(c.frame_limit, (size_t)1 << 20);
    cr_assert_eq(c.max_frame_depth, 7);
    cr_assert_eq(c.pool_keep_empty_pages, 5);
    cr_assert_eq(c.heap_limit, (size_t)1 << 24);
    cr_assert_str_eq(c.name, "renderer");
    cr_assert_eq(c.error_handler, tu_capture_handler);
    cr_assert_eq(c.error_user, &tu_cap);
    cr_assert_lt(c.guard_frames, 0);
    /* The name appears in reports. */
    fa_pool_free(fa, &c);
    cr_assert_not_null(strstr(tu_cap.report, "renderer"));
    fa_destroy(fa);
}

Test(alloc, bad_config_fails_and_reports_globally, .init = tu_setup) {
    fa_config cfg = tu_config();
    cfg.max_frame_depth = 5000;
    cfg.error_handler = tu_capture_handler; /* not used: there is no allocator yet */
    cr_assert_null(fa_create(&cfg));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    cr_assert_null(tu_cap.alloc);
    cfg = tu_config();
    cfg.frame_block_size = FA_MAX_ALLOC_SIZE + 1;
    cr_assert_null(fa_create(&cfg));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 2);
    cr_assert_eq(tu_total(), 2);
    fa_destroy(NULL); /* ignored */
    cr_assert_eq(tu_total(), 2);
}

/* The library reports the FA_DEBUG level it was built with, which the test variant also sees. */
Test(alloc, debug_level_matches_build) {
    cr_assert_eq(fa_debug_level(), FA_DEBUG);
}

Test(alloc, thread_ids_are_unique_and_stable) {
    uint64_t me = fa_thread_id();
    cr_assert_neq(me, 0);
    cr_assert_eq(fa_thread_id(), me);
}

static void *record_id(void *arg) {
    *(uint64_t *)arg = fa_thread_id();
    return NULL;
}

Test(alloc, thread_ids_differ_between_threads) {
    uint64_t ids[4];
    tu_run_threads(4, record_id, ids, sizeof ids[0]);
    for (int i = 0; i < 4; i++) {
        cr_assert_neq(ids[i], 0);
        cr_assert_neq(ids[i], fa_thread_id());
        for (int k = 0; k < i; k++) cr_assert_neq(ids[i], ids[k]);
    }
}

/* Every entry point that takes an allocator reports a NULL one (global handler) and fails
 * cleanly; queries just answer 0. */
Test(alloc, null_allocator_everywhere, .init = tu_setup) {
    int x = 0;
    unsigned n = 0;
#define EXPECT_INVALID(call)                                                                   \
    do {                                                                                       \
        call;                                                                                  \
        n++;                                                                                   \
        cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), n, "%s", #call);                       \
        cr_assert_eq(tu_total(), n, "%s", #call);                                              \
    } while (0)
    EXPECT_INVALID(fa_begin_frame(NULL));
    EXPECT_INVALID(fa_end_frame(NULL));
    EXPECT_INVALID(cr_assert_null(fa_frame_realloc(NULL, &x, 4, 8, 4)));
    EXPECT_INVALID(cr_assert_eq(fa_frame_retain(NULL, (void **)&x, 4, FA_RETAIN_TO_HEAP),
                                FA_ERR_INVALID_ARGUMENT));
    EXPECT_INVALID(cr_assert_null(fa_pool_alloc(NULL, 16)));
    EXPECT_INVALID(cr_assert_null(fa_pool_alloc_aligned(NULL, 16, 64)));
    EXPECT_INVALID(cr_assert_null(fa_pool_calloc(NULL, 2, 16)));
    EXPECT_INVALID(fa_pool_free(NULL, &x));
    EXPECT_INVALID(cr_assert_null(fa_heap_alloc(NULL, 16, 16)));
    EXPECT_INVALID(cr_assert_null(fa_heap_realloc(NULL, &x, 16)));
    EXPECT_INVALID(fa_heap_free(NULL, &x));
    EXPECT_INVALID(cr_assert_null(fa_promote_to_pool(NULL, &x, 4)));
    EXPECT_INVALID(cr_assert_null(fa_promote_to_heap(NULL, &x, 4, 4)));
    EXPECT_INVALID(cr_assert_null(fa_transfer_create(NULL, &x, 4)));
    EXPECT_INVALID(cr_assert_eq(fa_tag_register(NULL, "physics"), 0));
    EXPECT_INVALID(fa_tag_push(NULL, 0));
    EXPECT_INVALID(fa_tag_pop(NULL));
    EXPECT_INVALID(cr_assert_eq(fa_tag_set_budget(NULL, 0, 1, 2), FA_ERR_INVALID_ARGUMENT));
    EXPECT_INVALID(fa_set_error_handler(NULL, tu_capture_handler, NULL));
    fa_stats st;
    EXPECT_INVALID(fa_get_stats(NULL, &st));
    EXPECT_INVALID(cr_assert_eq(fa_get_thread_stats(NULL, NULL, 0), 0));
    EXPECT_INVALID(cr_assert_eq(fa_validate(NULL), FA_ERR_INVALID_ARGUMENT));
    EXPECT_INVALID(cr_assert_eq(fa_check_ptr(NULL, &x), FA_ERR_INVALID_ARGUMENT));
#undef EXPECT_INVALID
    /* Queries: no report, zero answers. */
    cr_assert_eq(fa_frame_depth(NULL), 0);
    cr_assert_eq(fa_frame_number(NULL), 0);
    cr_assert_eq(fa_pool_usable_size(NULL, &x), 0);
    cr_assert_eq(fa_heap_size(NULL, &x), 0);
    cr_assert_eq(fa_tag_current(NULL), 0);
    cr_assert_null(fa_tag_name(NULL, 0));
    fa_pool_trim(NULL);
    fa_config c;
    memset(&c, 0x7f, sizeof c);
    fa_get_config(NULL, &c);
    fa_thread_stats ts;
    fa_get_my_thread_stats(NULL, &ts);
    cr_assert_eq(ts.frame_bytes, 0);
    cr_assert_eq(tu_total(), n);
}

/* The exported, non-inline frame functions report a NULL allocator (FA_ERR_INVALID_ARGUMENT)
 * instead of dereferencing it; only the release inline fast path trusts its argument. */
Test(alloc, null_allocator_exported_frame_functions, .init = tu_setup) {
    cr_assert_null(fa_frame_alloc_zeroed(NULL, 16, 8));
    cr_assert_null(fa_frame_strdup(NULL, "x"));
    cr_assert_null(fa_frame_realloc(NULL, NULL, 0, 16, 8));
    cr_assert_null(fa_frame_alloc_at(NULL, 16, 8, "here"));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 4);
}

/* Debug builds route fa_frame_alloc through the checked, site-taking path. */
#if FA_DEBUG
Test(alloc, null_allocator_frame_alloc_debug, .init = tu_setup) {
    cr_assert_null(fa_frame_alloc(NULL, 16, 8));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
}
#endif

Test(alloc, set_error_handler_switches_handlers, .init = tu_setup) {
    tu_capture other;
    tu_capture_reset(&other);
    fa_alloc *fa = tu_create(NULL);
    fa_set_error_handler(fa, tu_capture_handler, &other);
    cr_assert_null(fa_pool_alloc(fa, 0));
    cr_assert_eq(other.count, 1);
    cr_assert_eq(tu_total(), 0);
    fa_set_error_handler(fa, tu_capture_handler, &tu_cap);
    cr_assert_null(fa_pool_alloc(fa, 0));
    cr_assert_eq(other.count, 1);
    cr_assert_eq(tu_total(), 1);
    fa_destroy(fa);
}

/* Many allocators created and destroyed on one thread, each used for frames, pools and heap:
 * serials never collide with a stale cursor, and nothing leaks (the valgrind leg checks). */
Test(alloc, create_destroy_cycles, .init = tu_setup) {
    for (int i = 0; i < 50; i++) {
        fa_alloc *fa = tu_create(NULL);
        fa_begin_frame(fa);
        unsigned char *p = fa_frame_alloc(fa, 1000, 16);
        cr_assert_not_null(p);
        tu_fill(p, 1000, (uint32_t)i);
        void *q = fa_pool_alloc(fa, 48);
        void *h = fa_heap_alloc(fa, 5000, 64);
        cr_assert(q != NULL && h != NULL);
        cr_assert_eq(tu_check(p, 1000, (uint32_t)i), SIZE_MAX);
        fa_end_frame(fa);
        fa_pool_free(fa, q);
        fa_heap_free(fa, h);
        fa_destroy(fa);
    }
    cr_assert_eq(tu_total(), 0);
}

Test(alloc, destroy_with_frames_open_on_this_thread, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    fa_alloc *other = tu_create(NULL);
    fa_begin_frame(other);
    unsigned char *keep = fa_frame_alloc(other, 300, 8);
    tu_fill(keep, 300, 1);
    fa_begin_frame(fa);
    fa_begin_frame(fa);
    cr_assert_not_null(fa_frame_alloc(fa, 100, 8));
    fa_destroy(fa);
    cr_assert_eq(tu_count(FA_ERR_DESTROY_IN_FRAME), 1);
    cr_assert_eq(tu_cap.alloc_thread, fa_thread_id());
    cr_assert_eq(tu_total(), 1);
    /* The other allocator's frame on this thread is untouched and keeps working. */
    cr_assert_eq(fa_frame_depth(other), 1);
    cr_assert_eq(tu_check(keep, 300, 1), SIZE_MAX);
    cr_assert_not_null(fa_frame_alloc(other, 100, 8));
    fa_end_frame(other);
    fa_destroy(other);
    cr_assert_eq(tu_total(), 1);
}

typedef struct parked {
    fa_alloc *fa;
    pthread_barrier_t *sync;
    uint64_t id;
} parked;

/* Opens a frame, lets the main thread destroy the allocator, exits without touching it. */
static void *park_in_frame(void *arg) {
    parked *p = arg;
    p->id = fa_thread_id();
    fa_begin_frame(p->fa);
    memset(fa_frame_alloc(p->fa, 1000, 8), 1, 1000);
    pthread_barrier_wait(p->sync); /* frame open */
    pthread_barrier_wait(p->sync); /* destroyed */
    return NULL;
}

Test(alloc, destroy_with_frames_open_on_another_thread, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    pthread_barrier_t sync;
    pthread_barrier_init(&sync, NULL, 2);
    parked p = {fa, &sync, 0};
    pthread_t th;
    pthread_create(&th, NULL, park_in_frame, &p);
    pthread_barrier_wait(&sync);
    fa_destroy(fa);
    pthread_barrier_wait(&sync);
    pthread_join(th, NULL);
    pthread_barrier_destroy(&sync);
    cr_assert_eq(tu_count(FA_ERR_DESTROY_IN_FRAME), 1);
    cr_assert_eq(tu_cap.alloc_thread, p.id, "the report names the thread with the open frame");
    cr_assert_eq(tu_count(FA_ERR_THREAD_EXIT_IN_FRAME), 0,
                 "the thread's state died with the allocator: its exit reports nothing");
    cr_assert_eq(tu_total(), 1);
}

static void *exit_in_frame(void *arg) {
    parked *p = arg;
    p->id = fa_thread_id();
    fa_begin_frame(p->fa);
    fa_begin_frame(p->fa);
    memset(fa_frame_alloc(p->fa, 5000, 8), 1, 5000);
    return NULL; /* exits with two scopes open */
}

Test(alloc, thread_exit_with_frame_open, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    parked p = {fa, NULL, 0};
    tu_run_threads(1, exit_in_frame, &p, 0);
    cr_assert_eq(tu_count(FA_ERR_THREAD_EXIT_IN_FRAME), 1);
    cr_assert_eq(tu_cap.alloc, fa, "delivered to the allocator's handler");
    cr_assert_eq(tu_cap.thread, p.id, "reported on the exiting thread");
    cr_assert_eq(tu_total(), 1);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.threads, 0, "the exited thread's state is gone");
    cr_assert_eq(st.frame_reserved, 0, "and so are its frame blocks");
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 1);
}

static void *clean_worker(void *arg) {
    parked *p = arg;
    for (int i = 0; i < 10; i++) {
        fa_begin_frame(p->fa);
        memset(fa_frame_alloc(p->fa, 10000, 8), 2, 10000);
        fa_end_frame(p->fa);
    }
    return NULL;
}

Test(alloc, thread_exit_without_frames_reports_nothing, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    parked p[3] = {{fa, NULL, 0}, {fa, NULL, 0}, {fa, NULL, 0}};
    tu_run_threads(3, clean_worker, p, sizeof p[0]);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.threads, 0);
    cr_assert_eq(st.frames_completed, 30, "exited threads' frames stay counted");
    cr_assert_geq(st.frame_peak, 10000);
    cr_assert_eq(tu_total(), 0);
    fa_destroy(fa);
}

/* Destroy reports outstanding pool, heap and transfer objects once, then frees them all. */
Test(alloc, destroy_reports_leaks, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    void *p = fa_pool_alloc(fa, 100);
    void *h = fa_heap_alloc(fa, 1000, 16);
    int data[4] = {1, 2, 3, 4};
    fa_transfer *t = fa_transfer_create(fa, data, sizeof data);
    cr_assert(p != NULL && h != NULL && t != NULL);
    size_t pool_bytes = fa_pool_usable_size(fa, p);
    fa_destroy(fa);
    cr_assert_eq(tu_count(FA_ERR_LEAK), 1);
    cr_assert_eq(tu_cap.size, pool_bytes + 1000 + sizeof data);
    cr_assert_not_null(strstr(tu_cap.message, "1 pool objects"), "%s", tu_cap.message);
    cr_assert_not_null(strstr(tu_cap.message, "1 heap blocks"), "%s", tu_cap.message);
    cr_assert_not_null(strstr(tu_cap.message, "1 transfer handles"), "%s", tu_cap.message);
    cr_assert_eq(tu_total(), 1);
    /* The handle died with the allocator: freeing it now is misuse, not a crash. */
    fa_transfer_free(t);
    cr_assert_eq(tu_count(FA_ERR_TRANSFER_MISUSE), 1);
}

Test(alloc, destroy_after_everything_freed_reports_nothing, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    void *p = fa_pool_alloc(fa, 100);
    void *h = fa_heap_alloc(fa, 1000, 16);
    fa_pool_free(fa, p);
    fa_heap_free(fa, h);
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0);
}
