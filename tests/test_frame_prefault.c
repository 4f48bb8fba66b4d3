/* SPDX-License-Identifier: MIT */
/*
 * test_frame_prefault.c - the prefault fallback of kernels without MADV_POPULATE_WRITE
 * (< 5.14). This executable defines madvise itself, refusing that advice the way an old kernel
 * does (EINVAL) and passing everything else to the system call, so the runtime takes its
 * fallback. The fallback must leave memory as it is: debug builds recycle guard blocks that
 * hold the freed fill, and checkers (ASan, valgrind) watch the bytes it touches.
 */
#include "fa_test.h"
#include "test_util.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static atomic_uint refused;

int madvise(void *addr, size_t len, int advice) {
    if (advice == MADV_POPULATE_WRITE) {
        atomic_fetch_add(&refused, 1);
        errno = EINVAL;
        return -1;
    }
    return (int)syscall(SYS_madvise, addr, len, advice);
}

/* Frames that outgrow their first block (so the arena settles, or in guard mode rotates
 * through recycled blocks), every byte written and checked. */
static void run_frames(fa_alloc *fa, int frames) {
    for (int f = 0; f < frames; f++) {
        fa_begin_frame(fa);
        unsigned char *p[12];
        size_t n = (size_t)(24 + f % 5) << 10;
        for (uint32_t i = 0; i < 12; i++) {
            p[i] = fa_frame_alloc(fa, n, 16);
            cr_assert_not_null(p[i]);
            tu_fill(p[i], n, i + (uint32_t)f);
        }
        for (uint32_t i = 0; i < 12; i++)
            cr_assert_eq(tu_check(p[i], n, i + (uint32_t)f), SIZE_MAX, "frame %d", f);
        fa_end_frame(fa);
    }
}

Test(frame_prefault, fallback_settles_cleanly, .init = tu_setup) {
    fa_config cfg = tu_config();
    cfg.frame_block_size = 64 << 10;
    fa_alloc *fa = tu_create(&cfg);
    run_frames(fa, 20);
    cr_assert_gt(atomic_load(&refused), 0, "the settled block was prefaulted via the fallback");
    cr_assert_eq(fa_validate(fa), FA_OK);
    cr_assert_eq(tu_total(), 0, "%s", tu_cap.message);
    fa_destroy(fa);
}

/* Guard mode (debug builds): every frame end retires the chain and the next settle recycles a
 * quarantined block that still holds the freed fill. */
Test(frame_prefault, fallback_with_recycled_guard_blocks, .init = tu_setup) {
    fa_config cfg = tu_config();
    cfg.frame_block_size = 64 << 10;
    cfg.guard_frames = 1;
    fa_alloc *fa = tu_create(&cfg);
    run_frames(fa, 30);
    cr_assert_eq(fa_validate(fa), FA_OK);
    cr_assert_eq(tu_total(), 0, "%s", tu_cap.message);
    fa_destroy(fa);
}
