/* SPDX-License-Identifier: MIT */
/*
 * test_debug.c - debug-build (FA_DEBUG >= 1) detection of use-after-frame and misuse.
 *
 * Death tests run the scenario in a forked child with the library's default error handler
 * (which, in debug builds, writes the report to stderr and aborts on misuse), capture the
 * child's stderr, and check that it died of SIGABRT with the expected report: status, the
 * allocation site (file:line of the allocating call, recorded by the child in shared memory),
 * frame numbers and threads. Non-death tests use the capturing handler of test_util.
 *
 * Built against framealloc_dbg only (FA_DEBUG=2). Under ASan a stale frame access is reported
 * by ASan itself; the guard-mode tests do their stale access in a function ASan does not
 * instrument, so they test the fault handler in every build.
 */
#include "fa_test.h"
#include "test_util.h"

#include <framealloc.h>

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#if !FA_DEBUG
#error "test_debug.c tests the debug library (framealloc_dbg)"
#endif

/* ---------------------------------------------------------------------------------------- */
/* Death-test harness                                                                         */
/* ---------------------------------------------------------------------------------------- */

typedef struct shared {
    int line[4];          /* source lines the child marks (allocation sites) */
    char env_guard[8];    /* FRAMEALLOC_GUARD_FRAMES for the child ("" = unset) */
} shared;

static shared *sh;
static char out[16384];

/* Records the line of the statement it ends (the allocation call on the same line). */
#define MARK(i) (sh->line[(i)] = __LINE__)

static shared *shared_page(void) {
    if (sh == NULL) {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        cr_assert(p != MAP_FAILED);
        sh = p;
    }
    memset(sh, 0, sizeof *sh);
    return sh;
}

/* Runs fn in a child with stderr captured into `out`; returns the wait status. */
static int run_child(void (*fn)(void), const char *guard_env) {
    shared_page();
    if (guard_env != NULL) snprintf(sh->env_guard, sizeof sh->env_guard, "%s", guard_env);
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        if (sh->env_guard[0] != '\0')
            setenv("FRAMEALLOC_GUARD_FRAMES", sh->env_guard, 1);
        else
            unsetenv("FRAMEALLOC_GUARD_FRAMES");
        fa_set_global_error_handler(NULL, NULL);
        fn();
        _exit(0);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < sizeof out && (r = read(fds[0], out + n, sizeof out - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return st;
}

/* Every NULL-terminated needle must be in the child's stderr. */
static void expect_in_output(const char *first, ...) {
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s != NULL; s = va_arg(ap, const char *))
        cr_assert(strstr(out, s) != NULL, "expected \"%s\" in the report:\n%s", s, out);
    va_end(ap);
}

/* "test_debug.c:<line i>" */
static const char *site_of(int i) {
    static char buf[4][64];
    snprintf(buf[i], sizeof buf[i], "test_debug.c:%d", sh->line[i]);
    return buf[i];
}

static void expect_abort(void (*fn)(void), const char *guard_env) {
    int st = run_child(fn, guard_env);
    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT,
              "expected death by SIGABRT, got status %#x; stderr:\n%s", st, out);
}

static void expect_clean_exit(void (*fn)(void), const char *guard_env) {
    int st = run_child(fn, guard_env);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x; stderr:\n%s", st, out);
    cr_assert_eq(out[0], '\0', "no report expected, got:\n%s", out);
}

/* A store the sanitizer does not see, so it reaches the guard page. */
__attribute__((noinline, no_sanitize_address)) static void raw_store(volatile char *p, char v) {
    *p = v;
}

/* ---------------------------------------------------------------------------------------- */
/* Guard mode                                                                                 */
/* ---------------------------------------------------------------------------------------- */

static void guard_write_after_end(void) {
    fa_config cfg = {.name = "game", .guard_frames = 3};
    fa_alloc *fa = fa_create(&cfg);
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 100, 16);
    char *p = (MARK(0), fa_frame_alloc(fa, 64, 16));
    fa_end_frame(fa);
    fa_begin_frame(fa);
    raw_store(p + 8, 1); /* frame 1 ended: the block is PROT_NONE */
}

Test(debug_guard, write_after_end_frame_is_caught_at_the_access) {
    expect_abort(guard_write_after_end, NULL);
    expect_in_output("FA_ERR_USE_AFTER_FRAME", "caught by guard mode", "allocator:  game",
                     site_of(0), "64 bytes at", "offset 8", "allocated in: frame 1",
                     "now:        frame 2", "protected through frame 4", NULL);
}

static void *stale_reader(void *arg) {
    raw_store(arg, 2);
    return NULL;
}

static void guard_other_thread_touches(void) {
    fa_alloc *fa = fa_create(NULL);
    fa_begin_frame(fa);
    char *p = (MARK(0), fa_frame_alloc(fa, 32, 8));
    fa_end_frame(fa);
    pthread_t th;
    pthread_create(&th, NULL, stale_reader, p);
    pthread_join(th, NULL);
}

Test(debug_guard, another_thread_touching_a_finished_frame) {
    expect_abort(guard_other_thread_touches, NULL);
    expect_in_output("FA_ERR_USE_AFTER_FRAME", site_of(0), "allocated in: frame 1 on thread",
                     NULL);
}

static void guard_env_zero_then_reuse(void) {
    fa_alloc *fa = fa_create(NULL); /* FRAMEALLOC_GUARD_FRAMES=0: no protection */
    fa_begin_frame(fa);
    char *p = (MARK(0), fa_frame_alloc(fa, 48, 16));
    fa_end_frame(fa);
    raw_store(p + 4, 7); /* lands in the freed fill */
    fa_begin_frame(fa);
    MARK(1), fa_frame_alloc(fa, 48, 16);
}

Test(debug_guard, env_zero_disables_guard_and_the_fill_check_catches_the_write) {
    expect_abort(guard_env_zero_then_reuse, "0");
    expect_in_output("FA_ERR_CORRUPTION", "written after its scope ended", site_of(0),
                     "called at:  ", site_of(1), NULL);
}

static void guard_fault_not_ours(void) {
    fa_alloc *fa = fa_create(NULL);
    fa_begin_frame(fa);
    fa_end_frame(fa);
    raw_store((volatile char *)16, 1); /* an ordinary crash must stay one */
}

Test(debug_guard, foreign_faults_chain_to_the_previous_handler) {
    int st = run_child(guard_fault_not_ours, NULL);
    if (TU_SANITIZER) /* the previous handler is the sanitizer's */
        cr_assert(strstr(out, "Sanitizer: SEGV") != NULL, "status %#x:\n%s", st, out);
    else
        cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "status %#x:\n%s", st, out);
    cr_assert_null(strstr(out, "framealloc:"), "%s", out);
}

Test(debug_guard, blocks_rotate_without_new_mappings, .init = tu_setup) {
    fa_config cfg = {.guard_frames = 2};
    fa_alloc *fa = tu_create(&cfg);
    fa_config got;
    fa_get_config(fa, &got);
    if (got.guard_frames != 2) { /* FRAMEALLOC_GUARD_FRAMES set by the caller */
        fa_destroy(fa);
        return;
    }
    void *first[8];
    for (int f = 0; f < 8; f++) {
        fa_begin_frame(fa);
        first[f] = fa_frame_alloc(fa, 256, 16);
        fa_end_frame(fa);
    }
    /* guard_frames + 1 blocks rotate: a block comes back every third frame, never sooner. */
    for (int f = 3; f < 8; f++) {
        cr_assert_eq(first[f], first[f - 3], "frame %d", f);
        cr_assert_neq(first[f], first[f - 1]);
        cr_assert_neq(first[f], first[f - 2]);
    }
    cr_assert_eq(tu_total(), 0);
    fa_destroy(fa);
}

/* ---------------------------------------------------------------------------------------- */
/* Generations: pointers validated by the API                                                 */
/* ---------------------------------------------------------------------------------------- */

static void inner_scope_ptr_checked(void) {
    fa_alloc *fa = fa_create(NULL);
    fa_begin_frame(fa);
    fa_begin_frame(fa);
    void *p = (MARK(0), fa_frame_alloc(fa, 40, 8));
    fa_end_frame(fa);
    MARK(1), fa_check_ptr(fa, p);
}

Test(debug_generation, inner_scope_pointer_after_its_end) {
    expect_abort(inner_scope_ptr_checked, NULL);
    expect_in_output("FA_ERR_USE_AFTER_FRAME", "frame scope that has ended", site_of(0),
                     site_of(1), "allocated in: frame 1", "now:        frame 1", NULL);
}

static void promote_stale(void) {
    fa_alloc *fa = fa_create(NULL);
    fa_begin_frame(fa);
    fa_begin_frame(fa);
    void *p = (MARK(0), fa_frame_alloc(fa, 16, 8));
    fa_end_frame(fa);
    fa_promote_to_heap(fa, p, 16, 8);
}

Test(debug_generation, promotion_of_a_stale_pointer) {
    expect_abort(promote_stale, NULL);
    expect_in_output("FA_ERR_USE_AFTER_FRAME", "fa_promote_to_heap", site_of(0), NULL);
}

static void transfer_from_finished_frame(void) {
    fa_alloc *fa = fa_create(NULL);
    fa_begin_frame(fa);
    void *p = (MARK(0), fa_frame_alloc(fa, 24, 8));
    fa_end_frame(fa);
    fa_begin_frame(fa);
    fa_transfer_create(fa, p, 24);
}

Test(debug_generation, transfer_from_a_finished_frame) {
    expect_abort(transfer_from_finished_frame, NULL);
    expect_in_output("FA_ERR_USE_AFTER_FRAME", "fa_transfer_create", "guard quarantine",
                     site_of(0), "allocated in: frame 1", "now:        frame 2", NULL);
}

typedef struct xthread {
    fa_alloc *fa;
    void *p;
    fa_status st;
    uint64_t id;
} xthread;

static void *check_foreign_frame_ptr(void *arg) {
    xthread *x = arg;
    x->st = fa_check_ptr(x->fa, x->p);
    return NULL;
}

Test(debug_generation, frame_pointer_of_another_thread, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    fa_begin_frame(fa);
    xthread x = {fa, fa_frame_alloc(fa, 32, 8), FA_OK, 0};
    int line = __LINE__ - 1;
    pthread_t th;
    pthread_create(&th, NULL, check_foreign_frame_ptr, &x);
    pthread_join(th, NULL);
    cr_assert_eq(x.st, FA_ERR_WRONG_THREAD);
    cr_assert_eq(tu_cap.last, FA_ERR_WRONG_THREAD);
    cr_assert_eq(tu_cap.alloc_thread, fa_thread_id());
    char site[64];
    snprintf(site, sizeof site, "test_debug.c:%d", line);
    cr_assert(strstr(tu_cap.report, site) != NULL, "%s", tu_cap.report);
    cr_assert(strstr(tu_cap.report, "allocated in: frame 1") != NULL, "%s", tu_cap.report);
    fa_end_frame(fa);
    fa_destroy(fa);
}

Test(debug_generation, frame_pointer_of_another_allocator, .init = tu_setup) {
    fa_config ca = {.name = "render"}, cb = {.name = "audio"};
    fa_alloc *a = tu_create(&ca), *b = tu_create(&cb);
    fa_begin_frame(a);
    void *p = fa_frame_alloc(a, 32, 8);
    cr_assert_eq(fa_check_ptr(b, p), FA_ERR_FOREIGN_POINTER);
    cr_assert(strstr(tu_cap.message, "\"render\"") != NULL, "%s", tu_cap.message);
    cr_assert_eq(fa_check_ptr(a, p), FA_OK);
    fa_end_frame(a);
    fa_destroy(a);
    fa_destroy(b);
}

Test(debug_generation, live_pointers_pass, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    fa_begin_frame(fa);
    char *f = fa_frame_alloc(fa, 64, 8);
    char *pool = fa_pool_alloc(fa, 40);
    char *heap = fa_heap_alloc(fa, 5000, 64);
    cr_assert_eq(fa_check_ptr(fa, f), FA_OK);
    cr_assert_eq(fa_check_ptr(fa, f + 63), FA_OK);
    cr_assert_eq(fa_check_ptr(fa, pool), FA_OK);
    cr_assert_eq(fa_check_ptr(fa, pool + 8), FA_OK, "interior of a live pool object");
    cr_assert_eq(fa_check_ptr(fa, heap), FA_OK);
    cr_assert_eq(fa_validate(fa), FA_OK);
    fa_pool_free(fa, pool);
    cr_assert_eq(fa_check_ptr(fa, pool), FA_ERR_FOREIGN_POINTER, "freed pool object");
    cr_assert(strstr(tu_cap.message, "freed at") != NULL, "%s", tu_cap.message);
    fa_heap_free(fa, heap);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 1);
    fa_destroy(fa);
}

/* ---------------------------------------------------------------------------------------- */
/* Frees                                                                                      */
/* ---------------------------------------------------------------------------------------- */

static void pool_double_free(void) {
    fa_alloc *fa = fa_create(NULL);
    void *p = (MARK(0), fa_pool_alloc(fa, 40));
    MARK(1), fa_pool_free(fa, p);
    MARK(2), fa_pool_free(fa, p);
}

Test(debug_free, pool_double_free_names_both_sites) {
    expect_abort(pool_double_free, NULL);
    expect_in_output("FA_ERR_DOUBLE_FREE", "freed twice", site_of(0), site_of(1), site_of(2),
                     NULL);
}

static void pool_wrong_allocator(void) {
    fa_config ca = {.name = "physics"};
    fa_alloc *a = fa_create(&ca), *b = fa_create(NULL);
    void *p = fa_pool_alloc(a, 40);
    fa_pool_free(b, p);
}

Test(debug_free, pool_object_freed_into_the_wrong_allocator) {
    expect_abort(pool_wrong_allocator, NULL);
    expect_in_output("FA_ERR_FOREIGN_POINTER", "another allocator, \"physics\"", NULL);
}

static void heap_wrong_allocator(void) {
    fa_config ca = {.name = "assets"};
    fa_alloc *a = fa_create(&ca), *b = fa_create(NULL);
    void *p = fa_heap_alloc(a, 100, 16);
    fa_heap_free(b, p);
}

Test(debug_free, heap_block_freed_into_the_wrong_allocator) {
    expect_abort(heap_wrong_allocator, NULL);
    expect_in_output("FA_ERR_FOREIGN_POINTER", "heap block of another allocator, \"assets\"",
                     NULL);
}

static void frame_ptr_to_pool_free(void) {
    fa_alloc *fa = fa_create(NULL);
    fa_begin_frame(fa);
    void *p = (MARK(0), fa_frame_alloc(fa, 40, 8));
    MARK(1), fa_pool_free(fa, p);
}

Test(debug_free, frame_pointer_passed_to_pool_free) {
    expect_abort(frame_ptr_to_pool_free, NULL);
    expect_in_output("FA_ERR_FRAME_POINTER", "live frame memory", site_of(0), site_of(1),
                     "allocated in: frame 1", NULL);
}

static void frame_ptr_to_heap_free(void) {
    fa_alloc *fa = fa_create(NULL);
    fa_begin_frame(fa);
    fa_begin_frame(fa);
    void *p = (MARK(0), fa_frame_alloc(fa, 40, 8));
    fa_end_frame(fa);
    fa_heap_free(fa, p);
}

Test(debug_free, stale_frame_pointer_passed_to_heap_free) {
    expect_abort(frame_ptr_to_heap_free, NULL);
    expect_in_output("FA_ERR_FRAME_POINTER", "frame scope that has ended", site_of(0),
                     "scope depth 2", NULL);
}

static void heap_double_free(void) {
    fa_alloc *fa = fa_create(NULL);
    void *p = (MARK(0), fa_heap_alloc(fa, 1000, 16));
    MARK(1), fa_heap_free(fa, p);
    fa_heap_free(fa, p);
}

Test(debug_free, heap_double_free_names_both_sites) {
    expect_abort(heap_double_free, NULL);
    expect_in_output("FA_ERR_DOUBLE_FREE", "heap block of 1000 bytes freed twice", site_of(0),
                     site_of(1), NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* Poison and canaries                                                                        */
/* ---------------------------------------------------------------------------------------- */

__attribute__((noinline, no_sanitize_address)) static void raw_fill(char *p, int v, size_t n) {
    for (size_t i = 0; i < n; i++) ((volatile char *)p)[i] = (char)v;
}

static void pool_overflow(void) {
    fa_alloc *fa = fa_create(NULL);
    char *p = (MARK(0), fa_pool_alloc(fa, 20)); /* 32-byte class: 12 bytes of canary */
    raw_fill(p, 'x', 21);
    fa_pool_free(fa, p);
}

Test(debug_poison, pool_overflow_into_the_slack) {
    expect_abort(pool_overflow, NULL);
    expect_in_output("FA_ERR_CORRUPTION", "written past its 20 requested bytes", site_of(0),
                     NULL);
}

static void heap_overflow(void) {
    fa_alloc *fa = fa_create(NULL);
    char *p = (MARK(0), fa_heap_alloc(fa, 100, 16));
    raw_fill(p, 'x', 101);
    fa_heap_free(fa, p);
}

Test(debug_poison, heap_overflow_hits_the_tail_canary) {
    expect_abort(heap_overflow, NULL);
    expect_in_output("FA_ERR_CORRUPTION", "written past its end", site_of(0), NULL);
}

static void pool_write_after_free(void) {
    fa_alloc *fa = fa_create(NULL);
    char *p = (MARK(0), fa_pool_alloc(fa, 64));
    MARK(1), fa_pool_free(fa, p);
    raw_fill(p + 16, 0, 4);
    fa_pool_alloc(fa, 64);
}

Test(debug_poison, pool_write_after_free_found_at_reuse) {
    expect_abort(pool_write_after_free, NULL);
    expect_in_output("FA_ERR_CORRUPTION", "written after it was freed", site_of(0), site_of(1),
                     NULL);
}

Test(debug_poison, pool_link_word_smash_is_contained, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    char *a = fa_pool_alloc(fa, 64), *b = fa_pool_alloc(fa, 64);
    fa_pool_free(fa, a);
    fa_pool_free(fa, b); /* free list: b -> a */
    raw_fill(b, 0x41, 8); /* the link word now points at 0x4141... */
    cr_assert_eq(fa_validate(fa), FA_ERR_CORRUPTION);
    tu_capture_reset(&tu_cap);
    void *x = fa_pool_alloc(fa, 64); /* pops b, refuses to follow the link */
    cr_assert_eq(x, b);
    cr_assert_eq(tu_count(FA_ERR_CORRUPTION), 1);
    cr_assert(strstr(tu_cap.message, "free list damaged") != NULL, "%s", tu_cap.message);
    void *y = fa_pool_alloc(fa, 64); /* a new object, not 0x4141... */
    cr_assert_not_null(y);
    cr_assert_neq((uintptr_t)y, (uintptr_t)0x4141414141414141ull);
    fa_pool_free(fa, x);
    fa_pool_free(fa, y);
    fa_destroy(fa);
}

static void frame_gap_overflow(void) {
    fa_alloc *fa = fa_create(NULL);
    fa_begin_frame(fa);
    char *p = (MARK(0), fa_frame_alloc(fa, 20, 16)); /* 12 bytes of alignment gap follow */
    fa_frame_alloc(fa, 16, 16);
    raw_fill(p, 'x', 22);
    fa_end_frame(fa);
}

Test(debug_poison, frame_overflow_into_an_alignment_gap) {
    expect_abort(frame_gap_overflow, NULL);
    expect_in_output("FA_ERR_CORRUPTION", "frame memory overflow", site_of(0), NULL);
}

/* An overflow with no slack to land in hits the redzone debug builds put after every frame
 * allocation, not the next object: reported at the end of the scope. */
static void frame_redzone_overflow(void) {
    fa_alloc *fa = fa_create(NULL);
    fa_begin_frame(fa);
    char *p = (MARK(0), fa_frame_alloc(fa, 32, 16)); /* a multiple of the granule: no slack */
    char *q = fa_frame_alloc(fa, 32, 16);
    memset(q, 'q', 32);
    raw_fill(p, 'x', 40);
    if (q[0] != 'q') abort(); /* the overflow must not reach the next object */
    fa_end_frame(fa);
}

Test(debug_poison, frame_overflow_into_the_redzone) {
    expect_abort(frame_redzone_overflow, NULL);
    expect_in_output("FA_ERR_CORRUPTION", "frame memory overflow", site_of(0), NULL);
}

/* A write through a transfer payload after fa_transfer_free: the handle waits in quarantine
 * with its payload filled, so fa_validate, the quarantine's eviction and fa_destroy find it. */
Test(debug_poison, transfer_write_after_free, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    char src[256];
    memset(src, 7, sizeof src);
    fa_transfer *t = fa_transfer_create(fa, src, sizeof src);
    cr_assert_not_null(t);
    char *payload = fa_transfer_receive(t);
    cr_assert_not_null(payload);
    fa_transfer_free(t);
    cr_assert_eq(fa_validate(fa), FA_OK, "%s", tu_cap.message);
    raw_fill(payload + 100, 'x', 4);
    cr_assert_eq(fa_validate(fa), FA_ERR_CORRUPTION);
    cr_assert(strstr(tu_cap.message, "after fa_transfer_free") != NULL, "%s", tu_cap.message);
    cr_assert_eq(tu_total(), 1);
    /* Enough later frees push it out of the quarantine: reported there too, then freed. */
    for (int i = 0; i < 100; i++) fa_transfer_free(fa_transfer_create(fa, src, 64));
    cr_assert_eq(tu_count(FA_ERR_CORRUPTION), 2, "%s", tu_cap.message);
    cr_assert_eq(fa_validate(fa), FA_OK);
    cr_assert_eq(tu_total(), 2);
    fa_destroy(fa);
}

Test(debug_poison, transfer_write_after_free_found_at_destroy, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    char src[64] = {1};
    fa_transfer *t = fa_transfer_create(fa, src, sizeof src);
    char *payload = fa_transfer_receive(t);
    fa_transfer_free(t);
    raw_fill(payload, 0, 1);
    fa_destroy(fa);
    cr_assert_eq(tu_count(FA_ERR_CORRUPTION), 1);
    cr_assert_eq(tu_total(), 1);
}

#if !TU_ASAN
Test(debug_poison, named_fill_bytes, .init = tu_setup) {
    fa_config cfg = tu_config();
    fa_alloc *fa = tu_create(&cfg);
    fa_begin_frame(fa);
    fa_begin_frame(fa);
    unsigned char *f = fa_frame_alloc(fa, 32, 16);
    cr_assert_eq(f[0], 0xFA);
    cr_assert_eq(f[31], 0xFA);
    fa_end_frame(fa);
    cr_assert_eq(f[0], 0xFD, "an ended scope holds the freed fill");
    unsigned char *p = fa_pool_alloc(fa, 40);
    cr_assert_eq(p[0], 0xBA);
    cr_assert_eq(p[40], 0xCC, "canary in the slack");
    cr_assert_eq(fa_pool_usable_size(fa, p), 48);
    p[47] = 1; /* allowed now: the usable size was asked for */
    fa_pool_free(fa, p);
    cr_assert_eq(p[8], 0xBD);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
    fa_destroy(fa);
}
#endif

/* ---------------------------------------------------------------------------------------- */
/* Frame protocol misuse                                                                      */
/* ---------------------------------------------------------------------------------------- */

static void end_without_begin(void) {
    fa_alloc *fa = fa_create(NULL);
    fa_end_frame(fa);
}

Test(debug_misuse, end_with_no_open_frame) {
    expect_abort(end_without_begin, NULL);
    expect_in_output("FA_ERR_END_WITHOUT_BEGIN", NULL);
}

static void alloc_outside_frame(void) {
    fa_alloc *fa = fa_create(NULL);
    fa_begin_frame(fa);
    fa_end_frame(fa);
    MARK(0), fa_frame_alloc(fa, 8, 8);
}

Test(debug_misuse, frame_allocation_outside_a_frame) {
    expect_abort(alloc_outside_frame, NULL);
    expect_in_output("FA_ERR_NO_FRAME", site_of(0), "now:        frame 1", NULL);
}

static void *exit_in_frame_thread(void *arg) {
    fa_begin_frame(arg);
    fa_frame_alloc(arg, 8, 8);
    return NULL;
}

static void thread_exit_in_frame(void) {
    fa_alloc *fa = fa_create(NULL);
    pthread_t th;
    pthread_create(&th, NULL, exit_in_frame_thread, fa);
    pthread_join(th, NULL);
}

Test(debug_misuse, thread_exits_with_a_frame_open) {
    expect_abort(thread_exit_in_frame, NULL);
    expect_in_output("FA_ERR_THREAD_EXIT_IN_FRAME", "1 frame scope(s) open", NULL);
}

static void destroy_in_frame(void) {
    fa_alloc *fa = fa_create(NULL);
    fa_begin_frame(fa);
    fa_destroy(fa);
}

Test(debug_misuse, destroy_with_a_frame_open) {
    expect_abort(destroy_in_frame, NULL);
    expect_in_output("FA_ERR_DESTROY_IN_FRAME", NULL);
}

static void destroy_with_leaks(void) {
    fa_alloc *fa = fa_create(NULL);
    for (int i = 0; i < 3; i++) {
        MARK(0), fa_pool_alloc(fa, 24);
    }
    MARK(1), fa_heap_alloc(fa, 3000, 16);
    fa_destroy(fa);
}

Test(debug_misuse, destroy_with_objects_outstanding_lists_sites) {
    expect_abort(destroy_with_leaks, NULL);
    expect_in_output("FA_ERR_LEAK", "3 pool object(s), 72 bytes, allocated at", site_of(0),
                     "heap block", site_of(1), NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* Sanitizer                                                                                  */
/* ---------------------------------------------------------------------------------------- */

#if TU_ASAN
static void asan_stale_read(void) {
    fa_alloc *fa = fa_create(NULL);
    fa_begin_frame(fa);
    fa_begin_frame(fa);
    volatile int *p = (MARK(0), fa_frame_alloc(fa, 64, 16));
    p[0] = 1;
    fa_end_frame(fa);
    sh->line[1] = p[3]; /* ASan: use-after-poison, here */
}

Test(debug_asan, stale_read_reported_by_asan_with_the_allocation_site) {
    int st = run_child(asan_stale_read, NULL);
    cr_assert(!(WIFEXITED(st) && WEXITSTATUS(st) == 0), "ASan did not stop it:\n%s", out);
    expect_in_output("AddressSanitizer: use-after-poison", "frame scope that has ended",
                     site_of(0), NULL);
}

static void asan_frame_overflow(void) {
    fa_alloc *fa = fa_create(NULL);
    fa_begin_frame(fa);
    volatile char *p = fa_frame_alloc(fa, 32, 16);
    volatile char *q = fa_frame_alloc(fa, 32, 16);
    q[0] = 1;
    p[32] = 1; /* ASan: the redzone between the two, here */
}

Test(debug_asan, frame_overflow_reported_by_asan_at_the_access) {
    int st = run_child(asan_frame_overflow, NULL);
    cr_assert(!(WIFEXITED(st) && WEXITSTATUS(st) == 0), "ASan did not stop it:\n%s", out);
    expect_in_output("AddressSanitizer: use-after-poison", NULL);
}

static void asan_transfer_write_after_free(void) {
    fa_alloc *fa = fa_create(NULL);
    char src[64] = {1};
    fa_transfer *t = fa_transfer_create(fa, src, sizeof src);
    volatile char *payload = fa_transfer_receive(t);
    fa_transfer_free(t);
    payload[8] = 2; /* ASan: the quarantined payload is poisoned */
}

Test(debug_asan, transfer_write_after_free_reported_by_asan) {
    int st = run_child(asan_transfer_write_after_free, NULL);
    cr_assert(!(WIFEXITED(st) && WEXITSTATUS(st) == 0), "ASan did not stop it:\n%s", out);
    expect_in_output("AddressSanitizer: use-after-poison", NULL);
}
#endif

/* ---------------------------------------------------------------------------------------- */
/* Clean programs: no report in any mode                                                      */
/* ---------------------------------------------------------------------------------------- */

/* The workload of test_debug_clean.c (also run on its own under valgrind). */
#define FA_DEBUG_CLEAN_NO_MAIN 1
#include "test_debug_clean.c"

static void clean_program(void) {
    if (fa_debug_clean_program() != 0) abort();
}

Test(debug_clean, multi_thread_program_guard_on) { expect_clean_exit(clean_program, NULL); }
Test(debug_clean, multi_thread_program_guard_off) { expect_clean_exit(clean_program, "0"); }
