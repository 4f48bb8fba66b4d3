/* SPDX-License-Identifier: MIT */
/* Uses the installed headers and library: frames, pools, heap, transfer, annotations. */
#include <framealloc.h>
#include <framealloc/annotations.h>

#include <stdio.h>
#include <string.h>

/* FA_EXPECT_DEBUG (set by the consumer build, 0 or 1): which installed library this build must
 * have linked, the debug one (FA_DEBUG >= 1) or the release one. Checked three ways: the
 * compile-time FA_DEBUG the package handed out, the library's own fa_debug_level(), and a
 * behaviour only a debug library has (it names a pointer into an ended frame; a release
 * library keeps no generations and sees the bytes live again in the next frame). */

static int *make_scratch(fa_alloc *fa, int n) FA_RETURNS_FRAME;
static int *make_scratch(fa_alloc *fa, int n) { return FA_FRAME_ARRAY(fa, int, n); }

#ifdef FA_EXPECT_DEBUG
static int g_use_after_frame_reports;

static void count_reports(const fa_error *err, void *user) {
    (void)user;
    if (err->status == FA_ERR_USE_AFTER_FRAME) g_use_after_frame_reports++;
}

static int check_variant(void) {
    int ok = 1;
    if ((FA_DEBUG >= 1) != FA_EXPECT_DEBUG) {
        printf("consumer: compiled with FA_DEBUG=%d, expected a %s build\n", FA_DEBUG,
               FA_EXPECT_DEBUG ? "debug" : "release");
        ok = 0;
    }
    if (fa_debug_level() != FA_DEBUG) {
        printf("consumer: linked a library of debug level %d but compiled with FA_DEBUG=%d\n",
               fa_debug_level(), FA_DEBUG);
        ok = 0;
    }
    fa_config cfg = {0};
    cfg.error_handler = count_reports;
    cfg.name = "consumer";
    fa_alloc *fa = fa_create(&cfg);
    if (fa == NULL) return 0;
    fa_begin_frame(fa);
    char *stale = fa_frame_alloc(fa, 64, 16);
    fa_end_frame(fa);
    fa_begin_frame(fa);
    char *fresh = fa_frame_alloc(fa, 64, 16);
    fa_status st = fa_check_ptr(fa, stale);
    fa_end_frame(fa);
    fa_destroy(fa);
    int reported = st == FA_ERR_USE_AFTER_FRAME && g_use_after_frame_reports == 1;
    if (fresh == NULL || reported != FA_EXPECT_DEBUG || (!FA_EXPECT_DEBUG && st != FA_OK)) {
        printf("consumer: use after frame gave %s (%d reports); a %s library %s\n",
               fa_status_name(st), g_use_after_frame_reports,
               FA_EXPECT_DEBUG ? "debug" : "release",
               FA_EXPECT_DEBUG ? "reports it" : "cannot see it");
        ok = 0;
    }
    return ok;
}
#else
static int check_variant(void) { return 1; }
#endif

int main(void) {
    int variant_ok = check_variant();
    fa_alloc *fa = fa_create(NULL);
    if (fa == NULL) return 1;
    fa_begin_frame(fa);
    int *a = make_scratch(fa, 100);
    for (int i = 0; i < 100; i++) a[i] = i;
    fa_transfer *t = fa_transfer_create(fa, a, 100 * sizeof *a);
    fa_end_frame(fa);
    int *copy = fa_transfer_receive(t);
    int ok = copy != NULL && copy[99] == 99;
    fa_transfer_free(t);
    void *p = fa_pool_alloc(fa, 48);
    void *h = fa_heap_alloc(fa, 1 << 16, 64);
    ok = ok && p != NULL && h != NULL && ((uintptr_t)h & 63) == 0;
    fa_pool_free(fa, p);
    fa_heap_free(fa, h);
    fa_destroy(fa);
    ok = ok && variant_ok;
    printf("consumer: %s (FA_DEBUG=%d, library debug level %d)\n", ok ? "ok" : "FAILED", FA_DEBUG,
           fa_debug_level());
    return ok ? 0 : 1;
}
