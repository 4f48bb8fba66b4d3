/* SPDX-License-Identifier: MIT */
/*
 * test_pool.c - pools on one thread (pool.c): size classes and boundaries, alignment, usable
 * size, lifetime across frames, churn in several orders with content checks, every bad free,
 * bad sizes, calloc overflow, empty pages going back to the OS (white-box: page states and
 * residency), statistics. Cross-thread behaviour is in test_pool_threads.c.
 */
#include "internal.h" /* first: it sets FA_NO_SITE_MACROS before including framealloc.h */

#include "fa_test.h"
#include "test_util.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static fa_alloc *fa;
static void setup(void) {
    tu_setup();
    fa = tu_create(NULL);
}
static void teardown(void) { fa_destroy(fa); }

#define POOL_TEST(name, ...) Test(pool, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static size_t live_count(void) {
    fa_stats st;
    fa_get_stats(fa, &st);
    return st.pool_count;
}

/* The descriptor of the pool page holding p (white-box: segment layout). */
static fai_page *page_desc(const void *p) {
    uintptr_t seg = (uintptr_t)p & ~(uintptr_t)(FAI_SEGMENT_SIZE - 1);
    return &((fai_segment *)seg)->pages[((uintptr_t)p - seg) >> FAI_POOL_PAGE_SHIFT];
}

static bool resident(const void *p) {
    unsigned char v = 0;
    uintptr_t page = (uintptr_t)p & ~(uintptr_t)(sysconf(_SC_PAGESIZE) - 1);
    cr_assert_eq(mincore((void *)page, 1, &v), 0);
    return v & 1;
}

POOL_TEST(every_size_up_to_the_maximum) {
    size_t prev_usable = 0, classes = 0;
    for (size_t size = 1; size <= FA_POOL_MAX_SIZE; size++) {
        unsigned char *p = fa_pool_alloc(fa, size);
        cr_assert_not_null(p, "size %zu", size);
        cr_assert_eq((uintptr_t)p % 16, 0, "size %zu: 16-byte alignment", size);
        size_t u = fa_pool_usable_size(fa, p);
        cr_assert_geq(u, size);
        cr_assert_leq(u, size + size / 4 + 16, "size %zu: class %zu wastes too much", size, u);
        cr_assert_geq(u, prev_usable, "classes grow with the size");
        if (u != prev_usable) classes++;
        prev_usable = u;
        memset(p, 0xC3, u); /* the whole usable size is ours */
        fa_pool_free(fa, p);
    }
    cr_assert_eq(classes, FAI_POOL_CLASSES);
    cr_assert_eq(prev_usable, FA_POOL_MAX_SIZE);
    cr_assert_eq(live_count(), 0);
    cr_assert_eq(tu_total(), 0);
}

/* Objects at class boundaries, all live at once: no two overlap. */
POOL_TEST(boundary_sizes_do_not_overlap) {
    static const size_t sizes[] = {1, 15, 16, 17, 31, 32, 33, 127, 128, 129, 160, 161, 255, 256,
                                   257, 1023, 1024, 1025, 4095, 4096, 4097, 8191, 8192};
    enum { N = sizeof sizes / sizeof sizes[0], REP = 40 };
    unsigned char *p[N * REP];
    for (uint32_t i = 0; i < N * REP; i++) {
        p[i] = fa_pool_alloc(fa, sizes[i % N]);
        cr_assert_not_null(p[i]);
        tu_fill(p[i], sizes[i % N], i);
    }
    cr_assert_eq(live_count(), (size_t)N * REP);
    for (uint32_t i = 0; i < N * REP; i++) {
        cr_assert_eq(tu_check(p[i], sizes[i % N], i), SIZE_MAX, "object %u damaged", i);
        fa_pool_free(fa, p[i]);
    }
    cr_assert_eq(live_count(), 0);
}

POOL_TEST(aligned_allocations) {
    static const size_t sizes[] = {1, 17, 100, 1000, 4000, 4096, 5000, 8192};
    for (size_t align = 1; align <= 4096; align <<= 1) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            void *p[3];
            for (int k = 0; k < 3; k++) {
                p[k] = fa_pool_alloc_aligned(fa, sizes[i], align);
                cr_assert_not_null(p[k], "size %zu align %zu", sizes[i], align);
                cr_assert_eq((uintptr_t)p[k] & (align - 1), 0, "size %zu align %zu", sizes[i],
                             align);
                cr_assert_geq(fa_pool_usable_size(fa, p[k]), sizes[i]);
                memset(p[k], (int)k, sizes[i]);
            }
            for (int k = 0; k < 3; k++) fa_pool_free(fa, p[k]);
        }
    }
    typedef struct {
        _Alignas(64) char c[80];
    } line;
    line *l = FA_POOL_NEW(fa, line);
    cr_assert(l != NULL && (uintptr_t)l % 64 == 0);
    fa_pool_free(fa, l);
    cr_assert_eq(live_count(), 0);
    cr_assert_eq(tu_total(), 0);
}

POOL_TEST(bad_sizes_and_alignments) {
    static const struct {
        size_t size, align;
        fa_status st;
    } bad[] = {
        {0, 16, FA_ERR_ZERO_SIZE},
        {FA_POOL_MAX_SIZE + 1, 16, FA_ERR_TOO_LARGE},
        {FA_MAX_ALLOC_SIZE + 1, 16, FA_ERR_TOO_LARGE},
        {SIZE_MAX, 16, FA_ERR_TOO_LARGE},
        {64, 0, FA_ERR_BAD_ALIGN},
        {64, 3, FA_ERR_BAD_ALIGN},
        {64, 48, FA_ERR_BAD_ALIGN},
        {64, 8192, FA_ERR_BAD_ALIGN},
        {64, FA_MAX_ALIGN * 2, FA_ERR_BAD_ALIGN},
        {8192, 4096, FA_OK},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned before = tu_total();
        void *p = bad[i].align == 16 ? fa_pool_alloc(fa, bad[i].size)
                                     : fa_pool_alloc_aligned(fa, bad[i].size, bad[i].align);
        if (bad[i].st == FA_OK) {
            cr_assert_not_null(p);
            fa_pool_free(fa, p);
            cr_assert_eq(tu_total(), before);
            continue;
        }
        cr_assert_null(p, "case %zu", i);
        cr_assert_eq(tu_total(), before + 1, "case %zu reported %u times", i, tu_total() - before);
        cr_assert_eq(tu_cap.last, bad[i].st, "case %zu: %s", i, fa_status_name(tu_cap.last));
        cr_assert_eq(fa_last_error(), bad[i].st);
    }
    cr_assert_eq(live_count(), 0);
}

POOL_TEST(calloc_zeroes_and_checks_overflow) {
    unsigned char *p = fa_pool_alloc(fa, 200);
    memset(p, 0xFF, 200);
    fa_pool_free(fa, p);
    unsigned char *z = fa_pool_calloc(fa, 25, 8);
    cr_assert_not_null(z);
    cr_assert_eq(z, p, "the freed slot is reused first (LIFO)");
    for (int i = 0; i < 200; i++) cr_assert_eq(z[i], 0);
    fa_pool_free(fa, z);
    cr_assert_null(fa_pool_calloc(fa, SIZE_MAX / 2, 4));
    cr_assert_eq(tu_count(FA_ERR_OVERFLOW), 1);
    cr_assert_null(fa_pool_calloc(fa, 1000, 1000));
    cr_assert_eq(tu_count(FA_ERR_TOO_LARGE), 1);
    cr_assert_null(fa_pool_calloc(fa, 0, 8));
    cr_assert_eq(tu_count(FA_ERR_ZERO_SIZE), 1);
    cr_assert_eq(tu_total(), 3);
}

POOL_TEST(objects_survive_frames) {
    unsigned char *p[100];
    for (uint32_t i = 0; i < 100; i++) {
        fa_begin_frame(fa);
        p[i] = fa_pool_alloc(fa, 24 + i);
        tu_fill(p[i], 24 + i, i);
        tu_fill(fa_frame_alloc(fa, 5000, 16), 5000, 77);
        fa_end_frame(fa);
    }
    fa_begin_frame(fa);
    memset(fa_frame_alloc(fa, 200000, 16), 0, 200000);
    fa_end_frame(fa);
    for (uint32_t i = 0; i < 100; i++) {
        cr_assert_eq(tu_check(p[i], 24 + i, i), SIZE_MAX);
        fa_pool_free(fa, p[i]);
    }
}

/* Churn: allocate, free in LIFO, FIFO and shuffled order, checking every object's content
 * before it is freed and refilling the holes with new objects. */
static void churn(int order) {
    enum { N = 3000 };
    unsigned char **p = calloc(N, sizeof *p);
    size_t *n = calloc(N, sizeof *n);
    uint32_t *idx = calloc(N, sizeof *idx);
    uint32_t rng = 12345u + (uint32_t)order;
    for (int round = 0; round < 3; round++) {
        for (uint32_t i = 0; i < N; i++) {
            n[i] = 1 + tu_rand(&rng) % (round == 2 ? FA_POOL_MAX_SIZE : 256);
            p[i] = fa_pool_alloc(fa, n[i]);
            cr_assert_not_null(p[i]);
            tu_fill(p[i], n[i], i * 7 + (uint32_t)round);
            idx[i] = i;
        }
        if (order == 1)
            for (uint32_t i = 0; i < N / 2; i++) {
                uint32_t t = idx[i];
                idx[i] = idx[N - 1 - i];
                idx[N - 1 - i] = t;
            }
        if (order == 2)
            for (uint32_t i = N - 1; i > 0; i--) {
                uint32_t j = tu_rand(&rng) % (i + 1), t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
        /* Free half, reallocate, then free all. */
        for (uint32_t k = 0; k < N / 2; k++) {
            uint32_t i = idx[k];
            cr_assert_eq(tu_check(p[i], n[i], i * 7 + (uint32_t)round), SIZE_MAX, "obj %u", i);
            fa_pool_free(fa, p[i]);
            p[i] = fa_pool_alloc(fa, n[i]);
            tu_fill(p[i], n[i], i * 7 + (uint32_t)round);
        }
        cr_assert_eq(live_count(), N);
        for (uint32_t k = 0; k < N; k++) {
            uint32_t i = idx[k];
            cr_assert_eq(tu_check(p[i], n[i], i * 7 + (uint32_t)round), SIZE_MAX, "obj %u", i);
            fa_pool_free(fa, p[i]);
        }
        cr_assert_eq(live_count(), 0);
    }
    free(p);
    free(n);
    free(idx);
    cr_assert_eq(tu_total(), 0);
}

POOL_TEST(churn_lifo) { churn(1); }
POOL_TEST(churn_fifo) { churn(0); }
POOL_TEST(churn_shuffled) { churn(2); }

/* A bad free is reported with the right status and pointer; nothing is freed or lost: the
 * victim object stays intact and is never handed out again while live. */
static void expect_bad_free(void *bad, fa_status st, unsigned char *victim, size_t vsize) {
    unsigned before = tu_total();
    size_t live = live_count();
    fa_pool_free(fa, bad);
    cr_assert_eq(tu_total(), before + 1);
    cr_assert_eq(tu_cap.last, st, "got %s", fa_status_name(tu_cap.last));
    cr_assert_eq(tu_cap.ptr, bad);
    cr_assert_eq(tu_cap.alloc, fa);
    cr_assert_eq(live_count(), live, "the live count did not change");
    void *more[300];
    for (int i = 0; i < 300; i++) {
        more[i] = fa_pool_alloc(fa, vsize);
        cr_assert_neq(more[i], (void *)victim, "a live object was handed out again");
        memset(more[i], 0x11, vsize);
    }
    cr_assert_eq(tu_check(victim, vsize, 42), SIZE_MAX);
    for (int i = 0; i < 300; i++) fa_pool_free(fa, more[i]);
}

POOL_TEST(bad_frees_are_reported_and_harmless) {
    unsigned char *v = fa_pool_alloc(fa, 64);
    tu_fill(v, 64, 42);
    int on_stack = 0;
    void *mallocd = malloc(64);
    fa_alloc *other = tu_create(NULL);
    void *theirs = fa_pool_alloc(other, 64);
    void *heap = fa_heap_alloc(fa, 64, 16);
    fa_begin_frame(fa);
    void *frame = fa_frame_alloc(fa, 64, 16);

    expect_bad_free(mallocd, FA_ERR_FOREIGN_POINTER, v, 64);
    expect_bad_free(&on_stack, FA_ERR_FOREIGN_POINTER, v, 64);
    expect_bad_free(v + 16, FA_ERR_FOREIGN_POINTER, v, 64);  /* interior */
    expect_bad_free(v + 1, FA_ERR_FOREIGN_POINTER, v, 64);   /* misaligned interior */
    expect_bad_free(theirs, FA_ERR_FOREIGN_POINTER, v, 64);  /* another allocator's */
    expect_bad_free(heap, FA_ERR_FOREIGN_POINTER, v, 64);    /* heap block */
    expect_bad_free(frame, FA_ERR_FRAME_POINTER, v, 64);     /* live frame memory */
    /* the segment's metadata page */
    expect_bad_free((void *)((uintptr_t)v & ~(uintptr_t)(FAI_SEGMENT_SIZE - 1)),
                    FA_ERR_FOREIGN_POINTER, v, 64);
    fa_end_frame(fa);
    expect_bad_free(frame, FA_ERR_FRAME_POINTER, v, 64);     /* ended frame memory */

    fa_pool_free(fa, NULL); /* ignored */
    cr_assert_eq(tu_total(), 9);
    cr_assert_eq(fa_pool_usable_size(fa, v + 16), 0);
    cr_assert_eq(fa_pool_usable_size(fa, theirs), 0);
    cr_assert_eq(fa_pool_usable_size(fa, mallocd), 0);
    cr_assert_eq(fa_pool_usable_size(fa, NULL), 0);
    fa_pool_free(fa, v);
    fa_pool_free(other, theirs);
    fa_heap_free(fa, heap);
    free(mallocd);
    cr_assert_eq(live_count(), 0);
    cr_assert_eq(tu_total(), 9);
    fa_destroy(other);
}

/* A pointer into a page that went back to the allocator is not an object any more: freeing
 * it again is reported (debug builds know it as a double free) and changes nothing. */
POOL_TEST(free_into_released_page_is_reported) {
    void *p = fa_pool_alloc(fa, 2048);
    fa_pool_free(fa, p);
    fa_pool_trim(fa);
    cr_assert_eq(atomic_load(&page_desc(p)->state), FAI_PAGE_FREE);
    fa_pool_free(fa, p);
    cr_assert_eq(tu_total(), 1);
#if FA_DEBUG
    cr_assert(tu_cap.last == FA_ERR_DOUBLE_FREE || tu_cap.last == FA_ERR_FOREIGN_POINTER, "%s",
              fa_status_name(tu_cap.last));
#else
    cr_assert_eq(tu_cap.last, FA_ERR_FOREIGN_POINTER);
#endif
    cr_assert_eq(atomic_load(&page_desc(p)->state), FAI_PAGE_FREE);
    cr_assert_eq(fa_pool_usable_size(fa, p), 0);
}

/* A double free is reported in every build (release builds mark objects on a free list) and
 * leaves the free list alone: the object is never handed out twice and the count stays right. */
POOL_TEST(double_free_is_reported) {
    unsigned char *p = fa_pool_alloc(fa, 64);
    unsigned char *q = fa_pool_alloc(fa, 64);
    fa_pool_free(fa, p);
    fa_pool_free(fa, p);
    cr_assert_eq(tu_count(FA_ERR_DOUBLE_FREE), 1, "got %s", fa_status_name(tu_cap.last));
    cr_assert_eq(tu_cap.ptr, p);
    cr_assert_eq(live_count(), 1);
    void *a = fa_pool_alloc(fa, 64), *b = fa_pool_alloc(fa, 64);
    cr_assert_neq(a, b, "the free list holds p once");
    cr_assert_eq(live_count(), 3);
    fa_pool_free(fa, a);
    fa_pool_free(fa, b);
    fa_pool_free(fa, q);
    cr_assert_eq(live_count(), 0);
    cr_assert_eq(fa_validate(fa), FA_OK);
}

/* The same through a deeper free list: p freed, others freed after it, then p again. */
POOL_TEST(double_free_under_later_frees_is_reported) {
    void *obj[8];
    for (int i = 0; i < 8; i++) obj[i] = fa_pool_alloc(fa, 96);
    for (int i = 0; i < 8; i++) fa_pool_free(fa, obj[i]);
    fa_pool_free(fa, obj[3]);
    cr_assert_eq(tu_count(FA_ERR_DOUBLE_FREE), 1, "got %s", fa_status_name(tu_cap.last));
    void *again[9];
    for (int i = 0; i < 9; i++) {
        again[i] = fa_pool_alloc(fa, 96);
        for (int j = 0; j < i; j++) cr_assert_neq(again[i], again[j], "handed out twice");
    }
    for (int i = 0; i < 9; i++) fa_pool_free(fa, again[i]);
    cr_assert_eq(live_count(), 0);
}

/* A free of a slot of a live page that was never handed out (above the page's carved part) is
 * reported and does not put the slot on the free list. */
POOL_TEST(free_of_slot_never_handed_out_is_reported) {
    unsigned char *p = fa_pool_alloc(fa, 128);
    unsigned char *never = p + 128 * 20;
    fa_pool_free(fa, never);
    cr_assert_eq(tu_total(), 1);
    cr_assert_neq(tu_cap.last, FA_OK);
    cr_assert_eq(live_count(), 1);
    void *seen[24];
    for (int i = 0; i < 24; i++) {
        seen[i] = fa_pool_alloc(fa, 128);
        for (int j = 0; j < i; j++) cr_assert_neq(seen[i], seen[j], "handed out twice");
    }
    for (int i = 0; i < 24; i++) fa_pool_free(fa, seen[i]);
    fa_pool_free(fa, p);
    cr_assert_eq(live_count(), 0);
    cr_assert_eq(tu_total(), 1);
}

/* fa_check_ptr: a pointer inside a live pool object is live memory (OK) in every build; the
 * same pointer after the object is freed, or into a slot never handed out, is not. */
POOL_TEST(check_ptr_interior_of_live_object_agrees_across_builds) {
    unsigned char *p = fa_pool_alloc(fa, 256);
    cr_assert_eq(fa_check_ptr(fa, p), FA_OK);
    cr_assert_eq(fa_check_ptr(fa, p + 8), FA_OK);
    cr_assert_eq(fa_check_ptr(fa, p + 255), FA_OK);
    cr_assert_eq(tu_total(), 0);
    cr_assert_neq(fa_check_ptr(fa, p + 256 * 10 + 4), FA_OK, "slot never handed out");
    fa_pool_free(fa, p);
    cr_assert_neq(fa_check_ptr(fa, p), FA_OK);
    cr_assert_neq(fa_check_ptr(fa, p + 8), FA_OK);
    cr_assert_eq(tu_total(), 3);
}

/* Pages left empty beyond pool_keep_empty_pages are returned to the OS at once; fa_pool_trim
 * returns the kept ones. White-box: page states and residency of the page memory. */
POOL_TEST(empty_pages_return_to_the_os) {
    enum { PER_PAGE = FAI_POOL_PAGE_SIZE / 1024, PAGES = 6, N = PER_PAGE * PAGES };
    unsigned char **p = calloc(N, sizeof *p);
    for (int i = 0; i < N; i++) {
        p[i] = fa_pool_alloc(fa, 1024);
        memset(p[i], 0xAB, 1024);
    }
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_reserved, (size_t)PAGES * FAI_POOL_PAGE_SIZE);
    fai_page *pages[PAGES];
    for (int k = 0; k < PAGES; k++) pages[k] = page_desc(p[k * PER_PAGE]);
    for (int i = 0; i < N; i++) fa_pool_free(fa, p[i]);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 0);
    /* The free path never decommits: a burst that frees pages and takes them again must not
     * fault them back in. Every page is still owned and mapped. */
    cr_assert_eq(st.pool_reserved, (size_t)PAGES * FAI_POOL_PAGE_SIZE);
    for (int k = 0; k < PAGES; k++) cr_assert_eq(atomic_load(&pages[k]->state), FAI_PAGE_OWNED);
    /* Empty pages beyond the kept ones go back to the OS once idle for FAI_EMPTY_IDLE_FRAMES
     * of this thread's frames, not before. */
    for (int f = 0; f < FAI_EMPTY_IDLE_FRAMES - 1; f++) {
        fa_begin_frame(fa);
        fa_end_frame(fa);
    }
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_reserved, (size_t)PAGES * FAI_POOL_PAGE_SIZE, "released too early");
    fa_begin_frame(fa);
    fa_end_frame(fa);
    fa_get_stats(fa, &st);
    int owned = 0, freed = 0;
    for (int k = 0; k < PAGES; k++) {
        int s = atomic_load(&pages[k]->state);
        owned += s == FAI_PAGE_OWNED;
        if (s == FAI_PAGE_FREE) {
            freed++;
            cr_assert_not(resident((void *)pages[k]->start), "a released page was decommitted");
        }
    }
    /* kept: the hot page plus pool_keep_empty_pages (2) */
    cr_assert_leq(owned, 3);
    cr_assert_eq(owned + freed, PAGES);
    cr_assert_eq(st.pool_reserved, (size_t)owned * FAI_POOL_PAGE_SIZE);
    fa_pool_trim(fa);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_reserved, 0, "trim returns every empty page");
    for (int k = 0; k < PAGES; k++) {
        cr_assert_eq(atomic_load(&pages[k]->state), FAI_PAGE_FREE);
        cr_assert_not(resident((void *)pages[k]->start));
    }
    /* Pages are reused after a trim, and read back as fresh memory. */
    unsigned char *again = fa_pool_alloc(fa, 1024);
    cr_assert_not_null(again);
    tu_fill(again, 1024, 5);
    cr_assert_eq(tu_check(again, 1024, 5), SIZE_MAX);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_reserved, FAI_POOL_PAGE_SIZE);
    fa_pool_free(fa, again);
    free(p);
}

Test(pool, keep_empty_pages_config, .init = tu_setup) {
    fa_config cfg = tu_config();
    cfg.pool_keep_empty_pages = 4;
    fa = tu_create(&cfg);
    enum { PER_PAGE = FAI_POOL_PAGE_SIZE / 4096, N = PER_PAGE * 8 };
    void *p[N];
    for (int i = 0; i < N; i++) p[i] = fa_pool_alloc(fa, 4096);
    for (int i = 0; i < N; i++) fa_pool_free(fa, p[i]);
    for (int f = 0; f < FAI_EMPTY_IDLE_FRAMES; f++) {
        fa_begin_frame(fa);
        fa_end_frame(fa);
    }
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_leq(st.pool_reserved, (size_t)5 * FAI_POOL_PAGE_SIZE);
    cr_assert_geq(st.pool_reserved, (size_t)4 * FAI_POOL_PAGE_SIZE, "4 empty pages are kept");
    fa_destroy(fa);
}

/* A thread that never ends a frame still holds at most FAI_EMPTY_HARD_CAP empty pages per
 * class (plus the hot one): the rest go back to the OS on the free path. */
POOL_TEST(empty_pages_are_capped_without_frames) {
    enum { PER_PAGE = FAI_POOL_PAGE_SIZE / 8192, PAGES = FAI_EMPTY_HARD_CAP + 8,
           N = PER_PAGE * PAGES };
    void **p = calloc(N, sizeof *p);
    for (int i = 0; i < N; i++) cr_assert_not_null(p[i] = fa_pool_alloc(fa, 8192));
    for (int i = 0; i < N; i++) fa_pool_free(fa, p[i]);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 0);
    cr_assert_leq(st.pool_reserved, (size_t)(FAI_EMPTY_HARD_CAP + 1) * FAI_POOL_PAGE_SIZE);
    cr_assert_geq(st.pool_reserved, (size_t)FAI_EMPTY_HARD_CAP * FAI_POOL_PAGE_SIZE);
    free(p);
}

POOL_TEST(stats_count_objects_and_class_bytes) {
    void *p[10], *q[5];
    size_t bytes = 0;
    for (int i = 0; i < 10; i++) {
        p[i] = fa_pool_alloc(fa, 100);
        bytes += fa_pool_usable_size(fa, p[i]);
    }
    for (int i = 0; i < 5; i++) {
        q[i] = fa_pool_alloc(fa, 3000);
        bytes += fa_pool_usable_size(fa, q[i]);
    }
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 15);
    cr_assert_eq(st.pool_bytes, bytes);
    cr_assert_eq(st.pool_reserved, 2 * FAI_POOL_PAGE_SIZE, "one page per size class");
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    cr_assert_eq(ts.pool_count, 15);
    cr_assert_eq(ts.pool_bytes, bytes);
    cr_assert_eq(ts.pool_pages, 2);
    for (int i = 0; i < 10; i++) fa_pool_free(fa, p[i]);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 5);
    for (int i = 0; i < 5; i++) fa_pool_free(fa, q[i]);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 0);
    cr_assert_eq(st.pool_bytes, 0);
}

POOL_TEST(promote_to_pool_copies) {
    fa_begin_frame(fa);
    unsigned char *f = fa_frame_alloc(fa, 500, 16);
    tu_fill(f, 500, 3);
    unsigned char *p = fa_promote_to_pool(fa, f, 500);
    fa_end_frame(fa);
    cr_assert_not_null(p);
    cr_assert_geq(fa_pool_usable_size(fa, p), 500);
    cr_assert_eq(tu_check(p, 500, 3), SIZE_MAX);
    fa_pool_free(fa, p);
    cr_assert_null(fa_promote_to_pool(fa, NULL, 10));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    cr_assert_eq(tu_total(), 1);
}
