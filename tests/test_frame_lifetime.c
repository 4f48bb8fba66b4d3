/* SPDX-License-Identifier: MIT */
/*
 * test_frame_lifetime.c - frames in flight (inflight.c): with frames_in_flight = k the memory
 * of outermost frame N stays valid through the end of frame N + k and is reused after; nested
 * scopes and rollbacks are unchanged; frame channels hand frame N to a consumer thread; bad
 * settings and channel misuse are reported; statistics count the kept frames.
 */
#include "fa_test.h"
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static fa_alloc *make(unsigned k) {
    fa_config cfg = tu_config();
    cfg.frames_in_flight = k;
    fa_alloc *fa = tu_create(&cfg);
    cr_assert_not_null(fa);
    return fa;
}

static fa_thread_stats my_stats(fa_alloc *fa) {
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    return ts;
}

/* ---------------------------------------------------------------------------------------- */
/* Validity windows                                                                           */
/* ---------------------------------------------------------------------------------------- */

Test(frame_lifetime, k0_is_the_default_and_unchanged, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    cr_assert_eq(fa_frames_in_flight(fa), 0);
    fa_config got;
    fa_get_config(fa, &got);
    cr_assert_eq(got.frames_in_flight, 0);
    fa_begin_frame(fa);
    char *p = fa_frame_alloc(fa, 256, 16);
    cr_assert_eq(fa_check_ptr(fa, p), FA_OK);
    fa_end_frame(fa);
    cr_assert_eq(my_stats(fa).frame_retained, 0);
    cr_assert_eq(my_stats(fa).frames_retained, 0);
    cr_assert_eq(fa_check_ptr(fa, p), FA_ERR_USE_AFTER_FRAME);
    fa_begin_frame(fa);
    char *q = fa_frame_alloc(fa, 256, 16);
    fa_end_frame(fa);
    cr_assert_eq(p, q, "k = 0: the next frame starts where the last one did");
    cr_assert_eq(tu_count(FA_ERR_USE_AFTER_FRAME), 1);
    cr_assert_eq(tu_total(), 1);
    fa_destroy(fa);
}

/* Frame 1's data is intact and valid through exactly k more frame ends, then reported stale
 * and its block reused. */
static void window(unsigned k) {
    fa_alloc *fa = make(k);
    fa_begin_frame(fa);
    char *p = fa_frame_alloc(fa, 1000, 16);
    tu_fill(p, 1000, 7);
    fa_end_frame(fa);
    char *later[FA_MAX_FRAMES_IN_FLIGHT + 2] = {0};
    for (unsigned f = 1; f <= k; f++) {
        /* frames 2 .. k + 1: frame 1 is still valid, on this thread too */
        cr_assert_eq(fa_check_ptr(fa, p), FA_OK, "frame %u", f + 1);
        cr_assert_eq(tu_check(p, 1000, 7), SIZE_MAX, "frame 1's data changed by frame %u",
                     f + 1);
        fa_begin_frame(fa);
        cr_assert_eq(tu_check(p, 1000, 7), SIZE_MAX);
        later[f] = fa_frame_alloc(fa, 1000, 16);
        cr_assert(later[f] + 1000 <= p || later[f] >= p + 1000, "frame %u overlaps frame 1",
                  f + 1);
        memset(later[f], 0x5a, 1000); /* builds the next frame while frame 1 is read */
        cr_assert_eq(tu_check(p, 1000, 7), SIZE_MAX);
        fa_end_frame(fa);
    }
    /* frame k + 1 has ended: frame 1's window is over */
    cr_assert_eq(tu_count(FA_ERR_USE_AFTER_FRAME), 0);
    cr_assert_eq(fa_check_ptr(fa, p), FA_ERR_USE_AFTER_FRAME);
    cr_assert_eq(tu_count(FA_ERR_USE_AFTER_FRAME), 1);
    fa_begin_frame(fa);
    char *reuse = fa_frame_alloc(fa, 1000, 16);
    cr_assert_eq(reuse, p, "frame k + 2 reuses frame 1's block");
    fa_end_frame(fa);
    cr_assert_eq(my_stats(fa).frames_retained, k);
    cr_assert_eq(tu_total(), 1);
    fa_destroy(fa);
}

Test(frame_lifetime, k1_window, .init = tu_setup) { window(1); }
Test(frame_lifetime, k2_window, .init = tu_setup) { window(2); }
Test(frame_lifetime, k_max_window, .init = tu_setup) { window(FA_MAX_FRAMES_IN_FLIGHT); }

Test(frame_lifetime, nested_scopes_end_at_their_own_end, .init = tu_setup) {
    fa_alloc *fa = make(1);
    fa_begin_frame(fa);
    char *outer = fa_frame_alloc(fa, 64, 16);
    tu_fill(outer, 64, 1);
    fa_begin_frame(fa);
    char *inner = fa_frame_alloc(fa, 64, 16);
    fa_end_frame(fa);
    cr_assert_eq(fa_check_ptr(fa, inner), FA_ERR_USE_AFTER_FRAME);
    cr_assert_eq(fa_check_ptr(fa, outer), FA_OK);
    fa_end_frame(fa);
    fa_begin_frame(fa);
    cr_assert_eq(fa_check_ptr(fa, outer), FA_OK, "the outermost scope is kept");
    cr_assert_eq(fa_check_ptr(fa, inner), FA_ERR_USE_AFTER_FRAME, "the nested one is not");
    cr_assert_eq(tu_check(outer, 64, 1), SIZE_MAX);
    fa_end_frame(fa);
    cr_assert_eq(tu_count(FA_ERR_USE_AFTER_FRAME), 2);
    fa_destroy(fa);
}

Test(frame_lifetime, rollback_inside_the_frame_is_unchanged, .init = tu_setup) {
    fa_alloc *fa = make(2);
    fa_begin_frame(fa);
    char *a = fa_frame_alloc(fa, 64, 16);
    fa_checkpoint cp = fa_frame_checkpoint(fa);
    char *b = fa_frame_alloc(fa, 64, 16);
    fa_frame_rollback(fa, cp);
    cr_assert_eq(fa_check_ptr(fa, b), FA_ERR_USE_AFTER_FRAME);
    char *c = fa_frame_alloc(fa, 64, 16);
    cr_assert_eq(c, b, "the rolled-back range is reused in the same frame");
    tu_fill(c, 64, 3);
    fa_end_frame(fa);
    fa_begin_frame(fa);
    cr_assert_eq(fa_check_ptr(fa, a), FA_OK);
    cr_assert_eq(tu_check(c, 64, 3), SIZE_MAX);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 1);
    fa_destroy(fa);
}

Test(frame_lifetime, kept_memory_is_not_reallocated, .init = tu_setup) {
    fa_alloc *fa = make(1);
    fa_begin_frame(fa);
    char *p = fa_frame_alloc(fa, 64, 16);
    tu_fill(p, 64, 9);
    fa_end_frame(fa);
    fa_begin_frame(fa);
    cr_assert_null(fa_frame_realloc(fa, p, 64, 128, 16));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    cr_assert_eq(tu_check(p, 64, 9), SIZE_MAX, "nothing was touched");
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 1);
    fa_destroy(fa);
}

Test(frame_lifetime, empty_frames_count_but_keep_nothing, .init = tu_setup) {
    fa_alloc *fa = make(2);
    for (int i = 0; i < 5; i++) {
        fa_begin_frame(fa);
        fa_end_frame(fa);
    }
    fa_thread_stats ts = my_stats(fa);
    cr_assert_eq(ts.frames_retained, 2);
    cr_assert_eq(ts.frame_retained, 0);
    fa_destroy(fa);
}

/* ---------------------------------------------------------------------------------------- */
/* Statistics and settings                                                                    */
/* ---------------------------------------------------------------------------------------- */

Test(frame_lifetime, stats_count_the_kept_frames, .init = tu_setup) {
    fa_alloc *fa = make(2);
    size_t sizes[4] = {100, 300, 50, 4000};
    size_t kept[4] = {TU_G(100), TU_G(100) + TU_G(300), TU_G(300) + TU_G(50),
                      TU_G(50) + TU_G(4000)};
    for (int f = 0; f < 4; f++) {
        fa_begin_frame(fa);
        fa_frame_alloc(fa, sizes[f], 16);
        cr_assert_eq(my_stats(fa).frame_bytes, TU_G(sizes[f]));
        fa_end_frame(fa);
        fa_thread_stats ts = my_stats(fa);
        cr_assert_eq(ts.frame_bytes, 0, "kept frames are not open-frame bytes");
        cr_assert_eq(ts.frame_retained, kept[f], "after frame %d", f + 1);
        cr_assert_eq(ts.frames_retained, f < 1 ? 1u : 2u);
        fa_stats st;
        fa_get_stats(fa, &st);
        cr_assert_eq(st.frame_retained, kept[f]);
    }
    fa_set_frames_in_flight(fa, 0);
    fa_begin_frame(fa);
    fa_end_frame(fa);
    fa_begin_frame(fa);
    fa_end_frame(fa);
    cr_assert_eq(my_stats(fa).frames_retained, 0, "lowered k: the kept frames ran out");
    cr_assert_eq(my_stats(fa).frame_retained, 0);
    cr_assert_eq(tu_total(), 0);
    fa_destroy(fa);
}

static void collect_line(const char *line, void *user) {
    char *buf = user;
    size_t n = strlen(buf);
    snprintf(buf + n, 4096 - n, "%s\n", line);
}

Test(frame_lifetime, stats_print_shows_the_kept_frames, .init = tu_setup) {
    static char buf[4096];
    fa_alloc *plain = tu_create(NULL);
    buf[0] = '\0';
    fa_stats_print(plain, collect_line, buf);
    cr_assert_null(strstr(buf, "in flight"), "no line while frames in flight are off");
    fa_destroy(plain);
    fa_alloc *fa = make(2);
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 100, 16);
    fa_end_frame(fa);
    buf[0] = '\0';
    fa_stats_print(fa, collect_line, buf);
    cr_assert_not_null(strstr(buf, "in flight k = 2, 112 B of ended frames kept, 0 channel"),
                       "%s", buf);
    fa_destroy(fa);
}

Test(frame_lifetime, kept_blocks_are_reserved, .init = tu_setup) {
    fa_alloc *fa = make(2);
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 64, 16);
    fa_end_frame(fa);
    size_t one = my_stats(fa).frame_reserved;
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 64, 16);
    fa_end_frame(fa);
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 64, 16);
    fa_end_frame(fa);
    size_t three = my_stats(fa).frame_reserved;
    cr_assert_gt(three, one, "k = 2 holds more blocks than one frame needs");
    for (int i = 0; i < 20; i++) {
        fa_begin_frame(fa);
        fa_frame_alloc(fa, 64, 16);
        fa_end_frame(fa);
    }
    cr_assert_eq(my_stats(fa).frame_reserved, three, "a steady loop rotates k + 1 chains");
    fa_destroy(fa);
}

Test(frame_lifetime, bad_settings, .init = tu_setup) {
    fa_config cfg = tu_config();
    cfg.frames_in_flight = FA_MAX_FRAMES_IN_FLIGHT + 1;
    cr_assert_null(tu_create(&cfg));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);

    fa_alloc *fa = make(1);
    cr_assert_eq(fa_set_frames_in_flight(fa, FA_MAX_FRAMES_IN_FLIGHT + 1),
                 FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_frames_in_flight(fa), 1);
    fa_begin_frame(fa);
    cr_assert_eq(fa_set_frames_in_flight(fa, 3), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_frames_in_flight(fa), 1, "refused inside a frame");
    fa_end_frame(fa);
    cr_assert_eq(fa_set_frames_in_flight(NULL, 1), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_frames_in_flight(NULL), 0);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 4);
    cr_assert_eq(fa_set_frames_in_flight(fa, FA_MAX_FRAMES_IN_FLIGHT), FA_OK);
    fa_config got;
    fa_get_config(fa, &got);
    cr_assert_eq(got.frames_in_flight, FA_MAX_FRAMES_IN_FLIGHT);
    cr_assert_eq(tu_total(), 4);
    fa_destroy(fa);
}

/* Raising k between frames: frames that ended before keep their own window. */
Test(frame_lifetime, raising_k_applies_from_the_next_end, .init = tu_setup) {
    fa_alloc *fa = make(0);
    fa_begin_frame(fa);
    char *p0 = fa_frame_alloc(fa, 64, 16);
    fa_end_frame(fa);
    cr_assert_eq(fa_set_frames_in_flight(fa, 1), FA_OK);
    fa_begin_frame(fa);
    char *p1 = fa_frame_alloc(fa, 64, 16);
    fa_end_frame(fa);
    cr_assert_eq(p1, p0, "frame 1 (k = 0) died at its end: its block was reused");
    cr_assert_eq(fa_check_ptr(fa, p1), FA_OK, "frame 2 (k = 1) is kept");
    fa_begin_frame(fa);
    char *p2 = fa_frame_alloc(fa, 64, 16);
    cr_assert_neq(p2, p1);
    fa_end_frame(fa);
    cr_assert_eq(fa_check_ptr(fa, p1), FA_ERR_USE_AFTER_FRAME);
    fa_destroy(fa);
}

/* ---------------------------------------------------------------------------------------- */
/* Channels                                                                                   */
/* ---------------------------------------------------------------------------------------- */

Test(frame_lifetime, channel_publish_acquire_release, .init = tu_setup) {
    fa_alloc *fa = make(1);
    fa_frame_channel *ch = fa_frame_channel_create(fa, FA_CHANNEL_CHECK);
    cr_assert_not_null(ch);
    uint64_t f = 99;
    cr_assert_null(fa_frame_channel_acquire(ch, &f), "nothing published yet");
    cr_assert_eq(f, 0);
    fa_begin_frame(fa);
    int *data = fa_frame_alloc(fa, sizeof(int) * 4, 16);
    for (int i = 0; i < 4; i++) data[i] = i * 11;
    cr_assert_eq(fa_frame_channel_publish(ch, data), FA_OK);
    cr_assert_null(fa_frame_channel_acquire(ch, NULL), "visible only once the frame ended");
    uint64_t n = fa_frame_number(fa);
    fa_end_frame(fa);
    const int *got = fa_frame_channel_acquire(ch, &f);
    cr_assert_eq(got, data);
    cr_assert_eq(f, n);
    cr_assert_eq(got[3], 33);
    cr_assert_null(fa_frame_channel_acquire(ch, NULL), "one hold at a time");
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    cr_assert_eq(fa_frame_channel_release(ch), FA_OK);
    cr_assert_eq(fa_frame_channel_release(ch), FA_ERR_INVALID_ARGUMENT);
    /* frame n + 1 ends: frame n's window is over, the publication is withdrawn */
    fa_begin_frame(fa);
    fa_end_frame(fa);
    cr_assert_null(fa_frame_channel_acquire(ch, &f));
    cr_assert_eq(f, 0);
    cr_assert_eq(tu_total(), 2);
    fa_frame_channel_destroy(ch);
    fa_destroy(fa);
}

Test(frame_lifetime, channel_bad_publications, .init = tu_setup) {
    fa_alloc *fa = make(1);
    fa_frame_channel *ch = fa_frame_channel_create(fa, FA_CHANNEL_WAIT);
    int x = 0;
    cr_assert_eq(fa_frame_channel_publish(ch, &x), FA_ERR_NO_FRAME);
    fa_begin_frame(fa);
    void *outer = fa_frame_alloc(fa, 64, 16);
    fa_begin_frame(fa);
    void *inner = fa_frame_alloc(fa, 64, 16);
    cr_assert_eq(fa_frame_channel_publish(ch, inner), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_frame_channel_publish(ch, outer), FA_OK, "outer memory from a nested scope");
    fa_end_frame(fa);
    void *pool = fa_pool_alloc(fa, 32);
    cr_assert_eq(fa_frame_channel_publish(ch, pool), FA_ERR_FOREIGN_POINTER);
    cr_assert_eq(fa_frame_channel_publish(ch, &x), FA_ERR_FOREIGN_POINTER);
    fa_end_frame(fa);
    cr_assert_eq(fa_frame_channel_acquire(ch, NULL), outer, "the refused calls changed nothing");
    cr_assert_eq(fa_frame_channel_release(ch), FA_OK);
    fa_begin_frame(fa);
    cr_assert_eq(fa_frame_channel_publish(ch, outer), FA_ERR_INVALID_ARGUMENT,
                 "an earlier frame's memory");
    fa_end_frame(fa);
    fa_pool_free(fa, pool);
    cr_assert_eq(fa_set_frames_in_flight(fa, 0), FA_OK);
    fa_begin_frame(fa);
    void *p = fa_frame_alloc(fa, 16, 16);
    cr_assert_eq(fa_frame_channel_publish(ch, p), FA_ERR_INVALID_ARGUMENT, "k = 0");
    fa_end_frame(fa);
    cr_assert_null(fa_frame_channel_create(NULL, FA_CHANNEL_WAIT));
    cr_assert_null(fa_frame_channel_create(fa, (fa_channel_mode)7));
    cr_assert_eq(fa_frame_channel_publish(NULL, NULL), FA_ERR_INVALID_ARGUMENT);
    cr_assert_null(fa_frame_channel_acquire(NULL, NULL));
    cr_assert_eq(fa_frame_channel_release(NULL), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(tu_count(FA_ERR_NO_FRAME), 1);
    cr_assert_eq(tu_count(FA_ERR_FOREIGN_POINTER), 2);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 8);
    fa_frame_channel_destroy(ch);
    fa_destroy(fa);
}

Test(frame_lifetime, channel_hold_past_the_window_is_reported, .init = tu_setup) {
    fa_alloc *fa = make(1);
    fa_frame_channel *ch = fa_frame_channel_create(fa, FA_CHANNEL_CHECK);
    fa_begin_frame(fa);
    cr_assert_eq(fa_frame_channel_publish(ch, fa_frame_alloc(fa, 64, 16)), FA_OK);
    fa_end_frame(fa);
    cr_assert_not_null(fa_frame_channel_acquire(ch, NULL));
    fa_frame_channel_destroy(ch); /* refused: held */
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    fa_begin_frame(fa);
    fa_end_frame(fa); /* frame 1's memory is reused now, under the hold */
    cr_assert_eq(tu_count(FA_ERR_USE_AFTER_FRAME), 1);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.channel_violations, 1);
    cr_assert_eq(fa_frame_channel_release(ch), FA_ERR_USE_AFTER_FRAME);
    cr_assert_eq(tu_count(FA_ERR_USE_AFTER_FRAME), 2);
    fa_frame_channel_destroy(ch);
    cr_assert_eq(tu_total(), 3);
    fa_destroy(fa);
}

/* A WAIT channel whose hold is the producer's own cannot block: it is reported instead. */
Test(frame_lifetime, channel_wait_on_itself_does_not_deadlock, .init = tu_setup) {
    fa_alloc *fa = make(1);
    fa_frame_channel *ch = fa_frame_channel_create(fa, FA_CHANNEL_WAIT);
    fa_begin_frame(fa);
    fa_frame_channel_publish(ch, fa_frame_alloc(fa, 64, 16));
    fa_end_frame(fa);
    cr_assert_not_null(fa_frame_channel_acquire(ch, NULL));
    fa_begin_frame(fa);
    fa_end_frame(fa);
    cr_assert_eq(tu_count(FA_ERR_USE_AFTER_FRAME), 1);
    cr_assert_eq(fa_frame_channel_release(ch), FA_ERR_USE_AFTER_FRAME);
    fa_frame_channel_destroy(ch);
    fa_destroy(fa); /* a channel left is freed by fa_destroy too */
}

static void *destroy_elsewhere(void *arg) {
    fa_frame_channel_destroy(arg);
    return NULL;
}

Test(frame_lifetime, channel_destroy_on_another_thread_is_refused, .init = tu_setup) {
    fa_alloc *fa = make(1);
    fa_frame_channel *ch = fa_frame_channel_create(fa, FA_CHANNEL_WAIT);
    fa_begin_frame(fa);
    fa_frame_channel_publish(ch, NULL);
    fa_end_frame(fa);
    pthread_t th;
    pthread_create(&th, NULL, destroy_elsewhere, ch);
    pthread_join(th, NULL);
    cr_assert_eq(tu_count(FA_ERR_WRONG_THREAD), 1);
    cr_assert_null(fa_frame_channel_acquire(ch, NULL), "a NULL publication");
    fa_frame_channel_destroy(ch);
    cr_assert_eq(tu_total(), 1);
    fa_destroy(fa);
}

/* Game thread builds frame N + 1 while the render thread reads frame N. */
enum { FRAMES = 400, WORDS = 512 };

typedef struct pipe_state {
    fa_alloc *fa;
    fa_frame_channel *ch;
    _Atomic int done;
    unsigned bad, checks_failed, seen, backwards;
} pipe_state;

static void *render_thread(void *arg) {
    pipe_state *ps = arg;
    uint64_t last = 0;
    for (;;) {
        int done = atomic_load(&ps->done);
        uint64_t f = 0;
        const uint64_t *d = fa_frame_channel_acquire(ps->ch, &f);
        if (d != NULL) {
            if (f < last) ps->backwards++;
            if (f != last) ps->seen++;
            last = f;
            if (FA_DEBUG && fa_check_ptr(ps->fa, d) != FA_OK) ps->checks_failed++;
            for (unsigned i = 0; i < WORDS; i++)
                if (d[i] != f * 100000 + i) ps->bad++;
            if (fa_frame_channel_release(ps->ch) != FA_OK) ps->bad++;
        }
        if (done) break;
    }
    return NULL;
}

static void pipeline(fa_channel_mode mode, unsigned k) {
    fa_alloc *fa = make(k);
    pipe_state ps = {.fa = fa, .ch = fa_frame_channel_create(fa, mode)};
    pthread_t th;
    pthread_create(&th, NULL, render_thread, &ps);
    for (unsigned n = 0; n < FRAMES; n++) {
        fa_begin_frame(fa);
        uint64_t f = fa_frame_number(fa);
        uint64_t *d = fa_frame_alloc(fa, WORDS * sizeof *d, 16);
        for (unsigned i = 0; i < WORDS; i++) d[i] = f * 100000 + i;
        fa_frame_alloc(fa, 3000, 16); /* scratch the consumer never sees */
        fa_frame_channel_publish(ps.ch, d);
        fa_end_frame(fa);
    }
    atomic_store(&ps.done, 1);
    pthread_join(th, NULL);
    cr_assert_eq(ps.bad, 0, "the render thread read %u wrong words", ps.bad);
    cr_assert_eq(ps.checks_failed, 0);
    cr_assert_eq(ps.backwards, 0);
    cr_assert_gt(ps.seen, 0);
    cr_assert_eq(tu_total(), 0);
    fa_frame_channel_destroy(ps.ch);
    fa_destroy(fa);
}

Test(frame_lifetime, two_threads_wait_k1, .init = tu_setup) { pipeline(FA_CHANNEL_WAIT, 1); }
Test(frame_lifetime, two_threads_wait_k2, .init = tu_setup) { pipeline(FA_CHANNEL_WAIT, 2); }

/* The producer exits with kept frames: they are freed, the channel stays usable. */
static void *short_producer(void *arg) {
    pipe_state *ps = arg;
    for (int n = 0; n < 3; n++) {
        fa_begin_frame(ps->fa);
        fa_frame_channel_publish(ps->ch, fa_frame_alloc(ps->fa, 128, 16));
        fa_end_frame(ps->fa);
    }
    return NULL;
}

Test(frame_lifetime, producer_exit_ends_its_publications, .init = tu_setup) {
    fa_alloc *fa = make(2);
    pipe_state ps = {.fa = fa, .ch = fa_frame_channel_create(fa, FA_CHANNEL_WAIT)};
    pthread_t th;
    pthread_create(&th, NULL, short_producer, &ps);
    pthread_join(th, NULL);
    cr_assert_null(fa_frame_channel_acquire(ps.ch, NULL));
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.frame_retained, 0);
    fa_begin_frame(fa); /* this thread may produce now */
    void *p = fa_frame_alloc(fa, 16, 16);
    cr_assert_eq(fa_frame_channel_publish(ps.ch, p), FA_OK);
    fa_end_frame(fa);
    cr_assert_eq(fa_frame_channel_acquire(ps.ch, NULL), p);
    fa_frame_channel_release(ps.ch);
    fa_frame_channel_destroy(ps.ch);
    cr_assert_eq(tu_total(), 0);
    fa_destroy(fa);
}

/* ---------------------------------------------------------------------------------------- */
/* Debug builds                                                                               */
/* ---------------------------------------------------------------------------------------- */

#if FA_DEBUG
static void *check_from_other_thread(void *arg) {
    void **io = arg;
    io[1] = (void *)(uintptr_t)fa_check_ptr(io[0], io[2]);
    return NULL;
}

/* Another thread may check a kept frame (it may read it); the open frame stays the owner's. */
Test(frame_lifetime, debug_check_ptr_from_the_consumer, .init = tu_setup) {
    fa_alloc *fa = make(1);
    fa_begin_frame(fa);
    void *p = fa_frame_alloc(fa, 64, 16);
    void *io[3] = {fa, NULL, p};
    pthread_t th;
    pthread_create(&th, NULL, check_from_other_thread, io);
    pthread_join(th, NULL);
    cr_assert_eq((fa_status)(uintptr_t)io[1], FA_ERR_WRONG_THREAD, "the frame is still open");
    fa_end_frame(fa);
    pthread_create(&th, NULL, check_from_other_thread, io);
    pthread_join(th, NULL);
    cr_assert_eq((fa_status)(uintptr_t)io[1], FA_OK, "kept: readable by any thread");
    fa_begin_frame(fa);
    fa_end_frame(fa);
    pthread_create(&th, NULL, check_from_other_thread, io);
    pthread_join(th, NULL);
    cr_assert_neq((fa_status)(uintptr_t)io[1], FA_OK, "after the window");
    fa_destroy(fa);
}

#if !TU_ASAN
Test(frame_lifetime, debug_fills_the_frame_when_its_window_ends, .init = tu_setup) {
    fa_alloc *fa = make(2);
    fa_begin_frame(fa);
    unsigned char *p = fa_frame_alloc(fa, 64, 16);
    memset(p, 0x11, 64);
    fa_end_frame(fa);
    for (int f = 0; f < 2; f++) {
        cr_assert_eq(p[10], 0x11, "still frame 1's data");
        fa_begin_frame(fa);
        fa_frame_alloc(fa, 64, 16);
        fa_end_frame(fa);
    }
    cr_assert_eq(p[10], 0xFD, "the freed fill once the window is over");
    fa_destroy(fa);
}
#endif

/* Guard mode protects a kept frame only once its window is over. */
Test(frame_lifetime, debug_guard_protects_after_the_window, .init = tu_setup) {
    fa_config cfg = tu_config();
    cfg.frames_in_flight = 1;
    cfg.guard_frames = 2;
    fa_alloc *fa = tu_create(&cfg);
    fa_begin_frame(fa);
    char *p = fa_frame_alloc(fa, 64, 16);
    memset(p, 1, 64);
    fa_end_frame(fa);
    fa_begin_frame(fa);
    p[0] = 2; /* not protected: inside the window (this would fault otherwise) */
    cr_assert_eq(fa_check_ptr(fa, p), FA_OK);
    fa_end_frame(fa);
    cr_assert_eq(fa_check_ptr(fa, p), FA_ERR_USE_AFTER_FRAME);
    for (int i = 0; i < 6; i++) {
        fa_begin_frame(fa);
        fa_frame_alloc(fa, 64, 16);
        fa_end_frame(fa);
    }
    cr_assert_eq(tu_count(FA_ERR_USE_AFTER_FRAME), 1);
    cr_assert_eq(tu_total(), 1);
    fa_destroy(fa);
}
#endif
