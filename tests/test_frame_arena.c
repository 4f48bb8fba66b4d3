/* SPDX-License-Identifier: MIT */
/*
 * test_frame_arena.c - white-box tests of the frame arena (frame.c) through internal.h: block
 * chaining when a frame outgrows its block, settling to one block sized for the high-water
 * mark, reuse of spare blocks by nested scopes, the TLS cursor's fast-path window, and the
 * behavioural claim that a warmed-up frame takes no page faults.
 */
#include "internal.h" /* first: it sets FA_NO_SITE_MACROS before including framealloc.h */

#include "fa_test.h"
#include "test_util.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static fa_alloc *fa;

static void setup(void) { tu_setup(); }
static void teardown(void) { fa_destroy(fa); }

static fa_alloc *make(size_t block, int no_prefault) {
    fa_config cfg = tu_config();
    cfg.frame_block_size = block;
    cfg.no_prefault = no_prefault;
    fa = tu_create(&cfg);
    return fa;
}

static fai_tstate *tstate(void) { return fai_find_tstate(fa); }
static size_t bsize(const fai_block *b) { return (size_t)(b->end - b->start); }
static unsigned chain_len(const fai_tstate *t) {
    unsigned n = 0;
    for (const fai_block *b = t->blocks; b != NULL; b = b->next) n++;
    return n;
}
static size_t chain_bytes(const fai_tstate *t) {
    size_t n = 0;
    for (const fai_block *b = t->blocks; b != NULL; b = b->next) n += bsize(b);
    return n;
}
static const fai_block *block_of(const fai_tstate *t, const void *p) {
    for (const fai_block *b = t->blocks; b != NULL; b = b->next)
        if ((uintptr_t)p >= b->start && (uintptr_t)p < b->end) return b;
    return NULL;
}
/* Pages of [p, p + n) that are resident. */
static size_t resident_pages(uintptr_t p, size_t n) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = n / page, res = 0;
    unsigned char *vec = malloc(pages);
    cr_assert_eq(mincore((void *)p, n, vec), 0);
    for (size_t i = 0; i < pages; i++) res += vec[i] & 1;
    free(vec);
    return res;
}

/* One frame of ten 32 KiB page-aligned allocations (320 KiB), each filled and checked. */
static void big_frame(unsigned char **out) {
    unsigned char *p[10];
    for (uint32_t i = 0; i < 10; i++) {
        p[i] = fa_frame_alloc(fa, 32 << 10, 4096);
        cr_assert_not_null(p[i]);
        tu_fill(p[i], 32 << 10, i);
    }
    for (uint32_t i = 0; i < 10; i++) cr_assert_eq(tu_check(p[i], 32 << 10, i), SIZE_MAX);
    if (out != NULL) memcpy(out, p, sizeof p);
}

Test(frame_arena, chains_then_settles_to_one_block, .init = setup, .fini = teardown) {
    make(64 << 10, 0);
    fa_begin_frame(fa);
    fai_tstate *t = tstate();
    cr_assert_not_null(t);
    big_frame(NULL);
    cr_assert_geq(chain_len(t), 2, "a frame that outgrows its block chains further blocks");
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    cr_assert_eq(ts.frame_bytes, (size_t)320 << 10);
    cr_assert_eq(ts.frame_reserved, chain_bytes(t));
    fa_end_frame(fa);

    cr_assert_eq(chain_len(t), 1, "the arena settles to one block");
    const fai_block *settled = t->blocks;
    cr_assert_geq(bsize(settled), (size_t)320 << 10, "sized for the high-water mark");
    fa_get_my_thread_stats(fa, &ts);
    cr_assert_eq(ts.frame_high_water_last, (size_t)320 << 10);
    cr_assert_eq(ts.frame_reserved, bsize(settled));

    /* The same frame again fits the settled block: no chaining, no new mapping. */
    for (int f = 0; f < 3; f++) {
        fa_begin_frame(fa);
        unsigned char *p[10];
        big_frame(p);
        for (int i = 0; i < 10; i++) cr_assert_eq(block_of(t, p[i]), settled);
        cr_assert_eq(t->cur_block, settled);
        cr_assert_eq(chain_len(t), 1);
        fa_end_frame(fa);
        cr_assert_eq(t->blocks, settled, "the settled block is kept across frames");
    }
    cr_assert_eq(tu_total(), 0);
}

/* The settled block stays sized for the largest frame seen; a bigger frame re-settles. */
Test(frame_arena, resettles_for_a_bigger_frame, .init = setup, .fini = teardown) {
    make(64 << 10, 0);
    fa_begin_frame(fa);
    big_frame(NULL);
    fa_end_frame(fa);
    fai_tstate *t = tstate();
    size_t first = bsize(t->blocks);
    fa_begin_frame(fa);
    cr_assert_not_null(fa_frame_alloc(fa, 100, 16)); /* a small frame changes nothing */
    fa_end_frame(fa);
    cr_assert_eq(bsize(t->blocks), first);
    fa_begin_frame(fa);
    size_t big = first * 3;
    unsigned char *p = fa_frame_alloc(fa, big, 64);
    cr_assert_not_null(p);
    memset(p, 0x5A, big);
    fa_end_frame(fa);
    cr_assert_eq(chain_len(t), 1);
    cr_assert_geq(bsize(t->blocks), big);
}

/* An inner scope that spills into a new block gives it back at its end: the outer scope
 * continues in its own block, and the next inner scope reuses the spare block. */
Test(frame_arena, nested_scopes_across_blocks, .init = setup, .fini = teardown) {
    make(16 << 10, 0);
    fa_begin_frame(fa);
    fai_tstate *t = tstate();
    unsigned char *a = fa_frame_alloc(fa, 6 << 10, 16);
    tu_fill(a, 6 << 10, 1);
    const fai_block *first = t->cur_block;
    fa_begin_frame(fa);
    unsigned char *b = fa_frame_alloc(fa, 12 << 10, 16);
    tu_fill(b, 12 << 10, 2);
    cr_assert_neq(t->cur_block, first, "12 KiB does not fit the 10 KiB left: next block");
    size_t reserved = t->reserved;
    fa_end_frame(fa);
    cr_assert_eq(t->cur_block, first, "the inner end returns to the outer scope's block");
    cr_assert_eq(tu_check(a, 6 << 10, 1), SIZE_MAX);
    unsigned char *c = fa_frame_alloc(fa, 6 << 10, 16);
    cr_assert_eq(block_of(t, c), first, "the outer scope continues where it was");
    tu_fill(c, 6 << 10, 3);
    fa_begin_frame(fa);
    unsigned char *d = fa_frame_alloc(fa, 12 << 10, 16);
    cr_assert_eq(d, b, "the spare block of the chain is reused");
    cr_assert_eq(t->reserved, reserved, "no new block was mapped");
    tu_fill(d, 12 << 10, 4);
    fa_end_frame(fa);
    cr_assert_eq(tu_check(a, 6 << 10, 1), SIZE_MAX);
    cr_assert_eq(tu_check(c, 6 << 10, 3), SIZE_MAX);
    fa_end_frame(fa);
    cr_assert_eq(chain_len(t), 1);
    cr_assert_geq(bsize(t->blocks), (size_t)28 << 10);
}

/* Requests bigger than a block, or aligned beyond a page, get a block that fits them. */
Test(frame_arena, oversized_and_overaligned_requests, .init = setup, .fini = teardown) {
    make(64 << 10, 0);
    fa_begin_frame(fa);
    fai_tstate *t = tstate();
    cr_assert_not_null(fa_frame_alloc(fa, 1, 1));
    unsigned char *big = fa_frame_alloc(fa, (size_t)1 << 20, 16);
    cr_assert_not_null(big);
    const fai_block *bb = block_of(t, big);
    cr_assert(bb != NULL && (uintptr_t)big + ((size_t)1 << 20) <= bb->end);
    memset(big, 1, (size_t)1 << 20);
    unsigned char *al = fa_frame_alloc(fa, 64 << 10, FA_MAX_ALIGN);
    cr_assert_not_null(al);
    cr_assert_eq((uintptr_t)al & (FA_MAX_ALIGN - 1), 0);
    memset(al, 2, 64 << 10);
    cr_assert_eq(big[0], 1);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

/* The inline fast path is open exactly while a frame is open (release, no ASan); debug and
 * ASan builds send every allocation through the slow path; outside a frame nothing is fast. */
Test(frame_arena, cursor_fast_path_window, .init = setup, .fini = teardown) {
    make(0, 0);
    cr_assert_null(fa_frame_alloc(fa, 8, 8)); /* outside a frame: slow path, reported */
    fa_begin_frame(fa);
    fai_tstate *t = tstate();
    cr_assert_not_null(fa_frame_alloc(fa, 8, 8));
    cr_assert_eq(fai_cursor.serial, fa->head.serial);
    cr_assert_eq(fai_cursor.tstate, (void *)t);
#if FA_DEBUG || TU_ASAN
    cr_assert(t->force_slow);
    cr_assert_eq(fai_cursor.end, fai_cursor.cur);
#else
    cr_assert_not(t->force_slow);
    cr_assert_eq(fai_cursor.end, t->cur_block->end);
#endif
    fa_end_frame(fa);
    cr_assert_eq(fai_cursor.end, 0, "outside a frame every allocation takes the slow path");
    cr_assert_eq(tu_count(FA_ERR_NO_FRAME), 1);
}

/* Two allocators on one thread: separate tstates and blocks; the cursor follows the one used
 * last and parks the other's position. */
Test(frame_arena, two_allocators_have_separate_arenas, .init = setup, .fini = teardown) {
    make(0, 0);
    fa_alloc *b = tu_create(NULL);
    fa_begin_frame(fa);
    fa_begin_frame(b);
    void *pa = fa_frame_alloc(fa, 100, 16);
    void *pb = fa_frame_alloc(b, 100, 16);
    fai_tstate *ta = fai_find_tstate(fa), *tb = fai_find_tstate(b);
    cr_assert(ta != NULL && tb != NULL && ta != tb);
    cr_assert_not_null(block_of(ta, pa));
    cr_assert_null(block_of(ta, pb));
    cr_assert_not_null(block_of(tb, pb));
    cr_assert_eq(fai_cursor.tstate, (void *)tb);
    cr_assert_eq(ta->saved_cur, (uintptr_t)pa + TU_G(100) + FAI_FRAME_REDZONE,
                 "fa's cursor was parked in its tstate");
    void *pa2 = fa_frame_alloc(fa, 16, 16);
    cr_assert_eq(pa2, (void *)((((uintptr_t)pa + 100 + 15) & ~(uintptr_t)15) + FAI_FRAME_REDZONE));
    fa_end_frame(b);
    fa_end_frame(fa);
    fa_destroy(b);
}

/* After warm-up a frame takes zero page faults: settled blocks are pre-faulted as far as the
 * frames touched them (the ten 32 KiB allocations: 320 KiB), and kept. */
Test(frame_arena, settled_block_is_prefaulted, .init = setup, .fini = teardown) {
    make(64 << 10, 0);
    fa_begin_frame(fa);
    big_frame(NULL);
    fa_end_frame(fa);
    fai_tstate *t = tstate();
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    cr_assert_geq(resident_pages(t->blocks->start, bsize(t->blocks)), (size_t)(320 << 10) / page);
}

Test(frame_arena, no_prefault_leaves_settled_block_untouched, .init = setup, .fini = teardown) {
    make(64 << 10, 1);
    fa_begin_frame(fa);
    big_frame(NULL);
    fa_end_frame(fa);
    fai_tstate *t = tstate();
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    cr_assert_lt(resident_pages(t->blocks->start, bsize(t->blocks)), bsize(t->blocks) / page);
}

/* Counted with getrusage: sanitizers and valgrind fault in their own shadow memory on this
 * thread, and debug builds keep per-allocation records, so the count is only the runtime's own
 * in a plain release build (it is compiled out elsewhere, not reported as passed). The
 * residency tests above cover the other builds. */
#if !TU_SANITIZER && !FA_DEBUG && !defined(FA_TEST_VALGRIND)
static void work_frame(void) {
    fa_begin_frame(fa);
    for (int i = 0; i < 40; i++) {
        size_t n = 1000 + (size_t)i * 700;
        unsigned char *p = fa_frame_alloc(fa, n, 16);
        memset(p, i, n);
        if (i % 10 == 0) {
            fa_begin_frame(fa);
            memset(fa_frame_alloc(fa, 20000, 64), 1, 20000);
            fa_end_frame(fa);
        }
    }
    fa_end_frame(fa);
}

Test(frame_arena, zero_page_faults_after_warm_up, .init = setup, .fini = teardown) {
    make(64 << 10, 0); /* small first block: the warm-up must chain and settle */
    for (int i = 0; i < 3; i++) work_frame();
    long before = tu_minor_faults();
    for (int i = 0; i < 100; i++) work_frame();
    long faults = tu_minor_faults() - before;
    cr_assert_eq(faults, 0, "%ld minor page faults in 100 warmed-up frames", faults);
}
#endif

/* Bytes of the thread's frame chain that are resident. */
static FAI_UNUSED size_t chain_resident(const fai_tstate *t) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE), n = 0;
    for (const fai_block *b = t->blocks; b != NULL; b = b->next)
        n += resident_pages(b->start, bsize(b)) * page;
    return n;
}

/* One frame that reserves 256 MiB and touches one page of it. */
static void spike_frame(void) {
    fa_begin_frame(fa);
    unsigned char *small = fa_frame_alloc(fa, 1000, 16);
    memset(small, 1, 1000);
    unsigned char *p = fa_frame_alloc(fa, (size_t)256 << 20, 16);
    cr_assert_not_null(p);
    p[0] = 1;
    fa_end_frame(fa);
}

static void small_frame(void) {
    fa_begin_frame(fa);
    unsigned char *p = fa_frame_alloc(fa, 32 << 10, 16);
    memset(p, 2, 32 << 10);
    fa_end_frame(fa);
}

/* A spiky frame is not turned into resident memory: the settled block is pre-faulted only as
 * far as frames touched their blocks, and the arena shrinks back as the mark decays. */
Test(frame_arena, spike_is_not_prefaulted_and_decays, .init = setup, .fini = teardown) {
    make(0, 0);
    small_frame();
    spike_frame();
    fai_tstate *t = tstate();
    /* Debug builds fill every allocation, so there the runtime itself touched it all. */
#if !FA_DEBUG && !defined(FA_TEST_VALGRIND)
    cr_assert_lt(chain_resident(t), (size_t)16 << 20, "%zu bytes resident after the spike",
                 chain_resident(t));
#endif
    for (int i = 0; i < 400; i++) small_frame();
    cr_assert_leq(chain_bytes(t), (size_t)1 << 20, "%zu bytes of blocks 400 frames later",
                  chain_bytes(t));
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    cr_assert_eq(ts.frame_reserved, chain_bytes(t));
    cr_assert_geq(ts.frame_peak, (size_t)256 << 20, "the peak statistic is kept");
    cr_assert_eq(tu_total(), 0);
}

/* fa_frame_trim returns the spike's blocks at once; frames keep working after it. */
Test(frame_arena, trim_returns_frame_blocks, .init = setup, .fini = teardown) {
    make(0, 0);
    spike_frame();
    fai_tstate *t = tstate();
    cr_assert_gt(chain_bytes(t), (size_t)256 << 20);
    fa_frame_trim(fa);
    cr_assert_leq(chain_bytes(t), (size_t)256 << 10, "%zu bytes after trim", chain_bytes(t));
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    cr_assert_eq(ts.frame_reserved, chain_bytes(t));
    small_frame();
    cr_assert_leq(chain_bytes(t), (size_t)256 << 10, "the next frame starts small");
    /* Inside a frame only the spare blocks past the one in use go. */
    fa_begin_frame(fa);
    fa_begin_frame(fa);
    unsigned char *big = fa_frame_alloc(fa, 1 << 20, 16);
    memset(big, 3, 1 << 20);
    fa_end_frame(fa);
    unsigned char *keep = fa_frame_alloc(fa, 4096, 16);
    tu_fill(keep, 4096, 5);
    size_t before = chain_bytes(t);
    fa_frame_trim(fa);
    cr_assert_lt(chain_bytes(t), before, "the spare 1 MiB block was released");
    cr_assert_eq(tu_check(keep, 4096, 5), SIZE_MAX);
    cr_assert_not_null(fa_frame_alloc(fa, 100 << 10, 16));
    fa_end_frame(fa);
    fa_frame_trim(NULL);
    cr_assert_eq(tu_cap.last, FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(tu_total(), 1);
    cr_assert_eq(fa_validate(fa), FA_OK);
}
