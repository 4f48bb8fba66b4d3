// SPDX-License-Identifier: MIT
/*
 * test_win_debug.c - the debug library's checks on Windows: guard mode through the vectored
 * exception handler (use after frame caught at the access, on the owning and on another
 * thread, with the report's details), faults that are not ours staying ordinary crashes, the
 * fill, redzone and canary checks, and the default handler's abort.
 *
 * A report that ends the process is checked inside it: the allocator's handler (report_or_die)
 * compares the report with what the test expects and exits with OK_CODE or BAD_CODE; the test
 * expects .exit_code = OK_CODE, so a missing report (the access went through) fails as well.
 */
#include "fa_test.h"
#include "test_util.h"
#include "tw_thread.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if FA_DEBUG

#define OK_CODE 42
#define BAD_CODE 43

static fa_status want;
static const void *want_ptr;
static const char *needles[12];

static void report_or_die(const fa_error *e, void *user) {
    (void)user;
    int ok = e->status == want && (want_ptr == NULL || e->ptr == want_ptr);
    for (int i = 0; ok && needles[i] != NULL; i++) ok = strstr(e->report, needles[i]) != NULL;
    if (!ok) fprintf(stderr, "unexpected report (%s):\n%s\n", fa_status_name(e->status), e->report);
    fflush(stderr);
    _exit(ok ? OK_CODE : BAD_CODE);
}

static void expect(fa_status st, const void *ptr, const char *n0, const char *n1, const char *n2,
                   const char *n3, const char *n4, const char *n5) {
    want = st;
    want_ptr = ptr;
    const char *n[] = {n0, n1, n2, n3, n4, n5};
    memset(needles, 0, sizeof needles);
    for (int i = 0; i < 6; i++) needles[i] = n[i];
}

static fa_alloc *dying_alloc(const char *name, int guard_frames) {
    fa_config cfg = {.name = name, .guard_frames = guard_frames, .error_handler = report_or_die};
    fa_set_global_error_handler(report_or_die, NULL);
    fa_alloc *fa = fa_create(&cfg);
    if (fa == NULL) abort();
    return fa;
}

/* Accesses the compiler cannot drop. */
__attribute__((noinline)) static void raw_store(volatile char *p, char v) { *p = v; }
__attribute__((noinline)) static char raw_load(const volatile char *p) { return *p; }
__attribute__((noinline)) static void raw_fill(void *p, int c, size_t n) {
    volatile char *v = p;
    for (size_t i = 0; i < n; i++) v[i] = (char)c;
}

/* ---- guard mode: the vectored exception handler -------------------------------------------- */

Test(win_guard, write_after_end_frame_caught_at_the_access, .exit_code = OK_CODE) {
    fa_alloc *fa = dying_alloc("game", 3);
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 100, 16);
    char *p = fa_frame_alloc(fa, 64, 16);
    fa_end_frame(fa);
    fa_begin_frame(fa);
    expect(FA_ERR_USE_AFTER_FRAME, p + 8, "caught by guard mode", "allocator:  game",
           "test_win_debug.c:", "64 bytes at", "offset 8", "protected through frame 4");
    raw_store(p + 8, 1);
    cr_assert_fail("the store to a finished frame went through");
}

Test(win_guard, read_after_end_frame_names_frames_and_thread, .exit_code = OK_CODE) {
    fa_alloc *fa = dying_alloc(NULL, 2);
    fa_begin_frame(fa);
    char *p = fa_frame_alloc(fa, 256, 16);
    fa_end_frame(fa);
    expect(FA_ERR_USE_AFTER_FRAME, p + 200, "allocated in: frame 1 on thread",
           "now:        frame 1", "offset 200", NULL, NULL, NULL);
    char c = raw_load(p + 200);
    cr_assert_fail("the load from a finished frame went through (%d)", c);
}

static char *stale;
static DWORD WINAPI stale_toucher(LPVOID arg) {
    (void)arg;
    raw_store(stale + 4, 2);
    return 0;
}

Test(win_guard, another_thread_touching_a_finished_frame, .exit_code = OK_CODE) {
    fa_alloc *fa = dying_alloc(NULL, 4);
    fa_begin_frame(fa);
    stale = fa_frame_alloc(fa, 32, 16);
    fa_end_frame(fa);
    expect(FA_ERR_USE_AFTER_FRAME, stale + 4, "caught by guard mode", "allocated in: frame 1",
           NULL, NULL, NULL, NULL);
    tw_join(tw_start(stale_toucher, NULL));
    cr_assert_fail("the other thread's store went through");
}

static void default_handler_guard_abort(void) {
    fa_config cfg = {.guard_frames = 2};
    fa_alloc *fa = fa_create(&cfg);
    fa_begin_frame(fa);
    char *p = fa_frame_alloc(fa, 16, 16);
    fa_end_frame(fa);
    raw_store(p, 1);
}

Test(win_guard, default_handler_reports_and_aborts, .signal = SIGABRT) {
    default_handler_guard_abort();
    cr_assert_fail("no abort");
}

Test(win_guard, faults_that_are_not_ours_stay_crashes, .signal = SIGSEGV) {
    fa_alloc *fa = fa_create(NULL); /* installs the handler */
    fa_begin_frame(fa);
    fa_end_frame(fa);
    char *own = VirtualAlloc(NULL, 65536, MEM_RESERVE | MEM_COMMIT, PAGE_NOACCESS);
    cr_assert_not_null(own);
    raw_store(own + 10, 1);
    cr_assert_fail("no access violation");
}

Test(win_guard, retired_blocks_are_no_access_until_recycled, .init = tu_setup) {
    fa_config cfg = {.guard_frames = 2};
    fa_alloc *fa = tu_create(&cfg);
    fa_config got;
    fa_get_config(fa, &got);
    cr_assert_eq(got.guard_frames, 2);
    fa_begin_frame(fa);
    char *p = fa_frame_alloc(fa, 64, 16);
    fa_end_frame(fa);
    MEMORY_BASIC_INFORMATION m;
    cr_assert_neq(VirtualQuery(p, &m, sizeof m), 0);
    cr_assert_eq(m.Protect, (DWORD)PAGE_NOACCESS, "frame 1's block is guarded");
    cr_assert_eq(fa_check_ptr(fa, p), FA_ERR_USE_AFTER_FRAME);
    cr_assert_eq(tu_count(FA_ERR_USE_AFTER_FRAME), 1);
    /* Through frame 1 + guard_frames it stays protected; then it is taken back. */
    bool recycled = false;
    for (int f = 2; f <= 6 && !recycled; f++) {
        fa_begin_frame(fa);
        char *q = fa_frame_alloc(fa, 64, 16);
        cr_assert_not_null(q);
        cr_assert_neq(VirtualQuery(p, &m, sizeof m), 0);
        if (f <= 3) cr_assert_eq(m.Protect, (DWORD)PAGE_NOACCESS, "frame %d", f);
        recycled = m.Protect == PAGE_READWRITE;
        fa_end_frame(fa);
    }
    cr_assert(recycled, "the block came back into use");
    fa_destroy(fa);
}

/* ---- fills, redzones, canaries (no guard: the checks run at the next use) ----------------- */

Test(win_poison, write_after_scope_end_found_at_reuse, .exit_code = OK_CODE) {
    fa_alloc *fa = dying_alloc(NULL, -1);
    fa_begin_frame(fa);
    char *p = fa_frame_alloc(fa, 48, 16);
    fa_end_frame(fa);
    raw_store(p + 4, 7); /* not protected: lands in the freed fill */
    expect(FA_ERR_CORRUPTION, NULL, "written after its scope ended", "test_win_debug.c:", NULL,
           NULL, NULL, NULL);
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 48, 16);
    fa_end_frame(fa);
    cr_assert_fail("not reported");
}

Test(win_poison, frame_overflow_into_the_redzone, .exit_code = OK_CODE) {
    fa_alloc *fa = dying_alloc(NULL, -1);
    fa_begin_frame(fa);
    char *p = fa_frame_alloc(fa, 32, 16);
    char *q = fa_frame_alloc(fa, 32, 16);
    memset(q, 'q', 32);
    raw_fill(p, 'x', 40);
    cr_assert_eq(q[0], 'q', "the overflow reached the next object");
    expect(FA_ERR_CORRUPTION, NULL, "frame memory overflow", "test_win_debug.c:", NULL, NULL,
           NULL, NULL);
    fa_end_frame(fa);
    cr_assert_fail("not reported");
}

Test(win_poison, pool_overflow_into_the_slack, .exit_code = OK_CODE) {
    fa_alloc *fa = dying_alloc(NULL, -1);
    char *p = fa_pool_alloc(fa, 20);
    raw_fill(p, 'x', 21);
    expect(FA_ERR_CORRUPTION, NULL, "written past its 20 requested bytes", NULL, NULL, NULL, NULL,
           NULL);
    fa_pool_free(fa, p);
    cr_assert_fail("not reported");
}

Test(win_poison, heap_overflow_hits_the_tail_canary, .exit_code = OK_CODE) {
    fa_alloc *fa = dying_alloc(NULL, -1);
    char *p = fa_heap_alloc(fa, 100, 16);
    raw_fill(p, 'x', 101);
    expect(FA_ERR_CORRUPTION, NULL, "written past its end", NULL, NULL, NULL, NULL, NULL);
    fa_heap_free(fa, p);
    cr_assert_fail("not reported");
}

Test(win_poison, pool_write_after_free_found_at_reuse, .exit_code = OK_CODE) {
    fa_alloc *fa = dying_alloc(NULL, -1);
    char *p = fa_pool_alloc(fa, 64);
    fa_pool_free(fa, p);
    raw_fill(p + 16, 0, 4);
    expect(FA_ERR_CORRUPTION, NULL, "written after it was freed", NULL, NULL, NULL, NULL, NULL);
    fa_pool_alloc(fa, 64);
    cr_assert_fail("not reported");
}

Test(win_poison, pool_double_free_names_the_first_free, .exit_code = OK_CODE) {
    fa_alloc *fa = dying_alloc(NULL, -1);
    char *p = fa_pool_alloc(fa, 64);
    fa_pool_free(fa, p);
    expect(FA_ERR_DOUBLE_FREE, p, "freed twice", "test_win_debug.c:", NULL, NULL, NULL, NULL);
    fa_pool_free(fa, p);
    cr_assert_fail("not reported");
}

Test(win_poison, named_fill_bytes, .init = tu_setup) {
    fa_config cfg = tu_config();
    fa_alloc *fa = tu_create(&cfg);
    fa_begin_frame(fa);
    unsigned char *f = fa_frame_alloc(fa, 32, 16);
    cr_assert_eq(f[0], 0xFA);
    cr_assert_eq(f[31], 0xFA);
    fa_end_frame(fa);
    cr_assert_eq(f[0], 0xFD, "an ended scope holds the freed fill");
    unsigned char *p = fa_pool_alloc(fa, 40);
    cr_assert_eq(p[0], 0xBA);
    fa_pool_free(fa, p);
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0, "%s", tu_cap.message);
}

#endif /* FA_DEBUG */
