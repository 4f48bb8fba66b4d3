// SPDX-License-Identifier: MIT
/*
 * test_frame_vec.c - fa_frame_vec: contents through growth, in-place growth while newest, the
 * frame bytes several vectors filled in turn take (measured against their final bytes), reserve,
 * growth while a nested scope is open (heap-backed, freed at the vector's scope end), rollbacks,
 * alignment, every bad input (reported, nothing lost), use after the scope ended and from another
 * thread, and threads filling their own vectors.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static fa_alloc *fa;

static void setup(void) {
    tu_setup();
    fa_config cfg = tu_config();
    cfg.frame_block_size = 64 << 10;
    fa = tu_create(&cfg);
}
static void teardown(void) { fa_destroy(fa); }

#define VEC_TEST(name, ...) Test(frame_vec, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

/* Release builds without a checker grow in place and merge spare ranges. */
static bool plain_release(void) { return fa_debug_level() == 0 && !TU_SANITIZER; }

static size_t frame_bytes(void) {
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    return ts.frame_bytes;
}

static size_t heap_bytes(void) {
    fa_stats st;
    fa_get_stats(fa, &st);
    return st.heap_bytes;
}

VEC_TEST(push_keeps_contents) {
    fa_begin_frame(fa);
    fa_frame_vec v;
    fa_frame_vec_init(&v, fa, sizeof(uint32_t), _Alignof(uint32_t));
    cr_assert_null(v.data);
    cr_assert_eq(v.len, 0);
    for (uint32_t i = 0; i < 20000; i++) FA_FRAME_VEC_PUSH(&v, uint32_t, i * 7u);
    cr_assert_eq(v.len, 20000);
    cr_assert_geq(v.cap, v.len);
    const uint32_t *d = v.data;
    for (uint32_t i = 0; i < 20000; i++) cr_assert_eq(d[i], i * 7u, "element %u", i);
    /* The function form returns the new slot. */
    uint32_t *slot = fa_frame_vec_push(&v);
    cr_assert_not_null(slot);
    *slot = 99;
    cr_assert_eq(((uint32_t *)v.data)[20000], 99);
    cr_assert_eq(v.len, 20001);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

/* Alone (the scope's newest allocation) a vector grows where it is and wastes little. */
VEC_TEST(grows_in_place_while_newest) {
    fa_begin_frame(fa);
    fa_frame_vec v;
    fa_frame_vec_init(&v, fa, 8, 8);
    size_t before = frame_bytes();
    FA_FRAME_VEC_PUSH(&v, uint64_t, 1);
    void *first = v.data;
    for (uint64_t i = 1; i < 5000; i++) FA_FRAME_VEC_PUSH(&v, uint64_t, i + 1);
    size_t used = frame_bytes() - before;
    if (plain_release()) {
        cr_assert_eq(v.data, first, "grown in place");
        cr_assert_leq(used, TU_G(v.cap * 8));
        cr_assert_leq(v.cap * 4, v.len * 5 + 4, "in-place steps leave at most 25%% slack");
    }
    for (uint64_t i = 0; i < 5000; i++) cr_assert_eq(((uint64_t *)v.data)[i], i + 1);
    fa_end_frame(fa);
}

/* Frame bytes taken by nv vectors filled in turn until each holds `count` elements of `elem`
 * bytes (vector i gets i+1 elements per round when uneven), over their final bytes. */
static double interleaved_once(unsigned nv, size_t elem, size_t count, bool uneven) {
    fa_begin_frame(fa);
    fa_frame_vec v[4];
    size_t want[4];
    for (unsigned i = 0; i < nv; i++) {
        fa_frame_vec_init(&v[i], fa, elem, elem % 16 == 0 ? 16 : elem % 8 == 0 ? 8 : 4);
        want[i] = uneven ? count * (i + 1) / nv : count;
    }
    size_t before = frame_bytes();
    for (bool more = true; more;) {
        more = false;
        for (unsigned i = 0; i < nv; i++) {
            for (unsigned k = 0; k < (uneven ? i + 1 : 1) && v[i].len < want[i]; k++) {
                unsigned char *p = fa_frame_vec_push(&v[i]);
                cr_assert_not_null(p);
                memset(p, (int)(v[i].len * 31 + i), elem);
            }
            if (v[i].len < want[i]) more = true;
        }
    }
    size_t used = frame_bytes() - before, final = 0;
    for (unsigned i = 0; i < nv; i++) {
        final += v[i].len * elem;
        const unsigned char *d = v[i].data;
        for (size_t j = 0; j < v[i].len; j++)
            cr_assert_eq(d[j * elem], (unsigned char)((j + 1) * 31 + i), "vec %u element %zu", i, j);
    }
    fa_end_frame(fa);
    return (double)used / (double)final;
}

/* The second of two identical frames: by then the arena has settled on one block that holds
 * the frame (as every frame after the first does), so block boundaries do not count. */
static double interleaved_ratio(unsigned nv, size_t elem, size_t count, bool uneven) {
    (void)interleaved_once(nv, elem, count, uneven);
    return interleaved_once(nv, elem, count, uneven);
}

VEC_TEST(interleaved_vectors_stay_within_twice_their_bytes) {
    static const size_t elems[] = {4, 12, 16, 24, 64, 200};
    double worst = 0, sum = 0;
    unsigned n = 0;
    char worst_case[96] = "";
    for (unsigned nv = 2; nv <= 4; nv++) {
        for (size_t e = 0; e < sizeof elems / sizeof elems[0]; e++) {
            /* From 1 KiB per vector up to 512 KiB (several frame blocks), between powers of
             * two too. */
            for (size_t bytes = 1024; bytes <= (512u << 10); bytes = bytes * 3 / 2) {
                for (int uneven = 0; uneven < 2; uneven++) {
                    size_t count = bytes / elems[e];
                    double r = interleaved_ratio(nv, elems[e], count, uneven);
                    sum += r;
                    n++;
                    if (r > worst) {
                        worst = r;
                        snprintf(worst_case, sizeof worst_case, "%u vectors of %zu x %zu B%s",
                                 nv, count, elems[e], uneven ? " (uneven)" : "");
                    }
                }
            }
        }
    }
    fprintf(stderr, "frame_vec interleaved: frame bytes / final bytes worst %.3f (%s), mean %.3f "
                    "over %u cases (FA_DEBUG=%d%s)\n",
            worst, worst_case, sum / n, n, fa_debug_level(), TU_SANITIZER ? ", sanitizer" : "");
    /* Release builds: the bound the vector is designed for (waste at most the final bytes
     * plus an eighth; on average well under half). Debug and checker builds track every
     * allocation's exact extent (no in-place growth, no merged spares) and pay for it. */
    double bound = plain_release() ? 2.125 : 4.0, mean_bound = plain_release() ? 1.5 : 3.0;
    cr_assert_leq(worst, bound, "worst %.3f for %s", worst, worst_case);
    cr_assert_leq(sum / n, mean_bound);
    cr_assert_eq(tu_total(), 0);
}

VEC_TEST(reserve_and_sizes) {
    fa_begin_frame(fa);
    fa_frame_vec v;
    fa_frame_vec_init(&v, fa, 24, 8);
    cr_assert_eq(fa_frame_vec_reserve(&v, 100), FA_OK);
    cr_assert_eq(v.cap, 100);
    void *d = v.data;
    for (int i = 0; i < 100; i++) cr_assert_not_null(fa_frame_vec_push(&v));
    cr_assert_eq(v.data, d, "no growth within the reservation");
    cr_assert_eq(fa_frame_vec_reserve(&v, 10), FA_OK, "smaller than cap: nothing to do");
    cr_assert_eq(v.cap, 100);
    size_t cap = v.cap;
    cr_assert_eq(fa_frame_vec_reserve(&v, SIZE_MAX), FA_ERR_OVERFLOW);
    cr_assert_eq(tu_count(FA_ERR_OVERFLOW), 1);
    cr_assert_eq(fa_frame_vec_reserve(&v, FA_MAX_ALLOC_SIZE / 24 + 1), FA_ERR_TOO_LARGE);
    cr_assert_eq(tu_count(FA_ERR_TOO_LARGE), 1);
    cr_assert_eq(v.cap, cap);
    cr_assert_eq(v.data, d);
    cr_assert_eq(v.len, 100);
    fa_end_frame(fa);
}

VEC_TEST(frame_limit_keeps_vector) {
    fa_config cfg = tu_config();
    cfg.frame_limit = 4096;
    fa_alloc *lim = tu_create(&cfg);
    fa_begin_frame(lim);
    fa_frame_vec v;
    fa_frame_vec_init(&v, lim, 4, 4);
    uint32_t i = 0;
    for (;; i++) {
        uint32_t *p = fa_frame_vec_push(&v);
        if (p == NULL) break;
        *p = i;
    }
    cr_assert_eq(tu_count(FA_ERR_FRAME_LIMIT), 1);
    cr_assert_eq(v.len, i);
    cr_assert_gt(i, 500);
    for (uint32_t j = 0; j < i; j++) cr_assert_eq(((uint32_t *)v.data)[j], j);
    fa_end_frame(lim);
    fa_destroy(lim);
}

/* Grown while a nested scope is open: the data survives the nested scope's end, and the heap
 * block it needed goes at the end of the vector's own scope. */
VEC_TEST(growth_inside_nested_scope) {
    fa_begin_frame(fa);
    fa_frame_vec v;
    fa_frame_vec_init(&v, fa, 4, 4);
    for (uint32_t i = 0; i < 10; i++) FA_FRAME_VEC_PUSH(&v, uint32_t, i);
    fa_begin_frame(fa);
    char *inner = fa_frame_alloc(fa, 100, 16);
    tu_fill(inner, 100, 3);
    for (uint32_t i = 10; i < 50000; i++) FA_FRAME_VEC_PUSH(&v, uint32_t, i);
    cr_assert_gt(heap_bytes(), 0, "grown into a heap block");
    cr_assert_eq(tu_check(inner, 100, 3), SIZE_MAX);
    fa_end_frame(fa);
    for (uint32_t i = 0; i < 50000; i++) cr_assert_eq(((uint32_t *)v.data)[i], i);
    for (uint32_t i = 50000; i < 60000; i++) FA_FRAME_VEC_PUSH(&v, uint32_t, i);
    for (uint32_t i = 0; i < 60000; i++) cr_assert_eq(((uint32_t *)v.data)[i], i);
    cr_assert_eq(fa_validate(fa), FA_OK);
    fa_end_frame(fa);
    cr_assert_eq(heap_bytes(), 0, "freed with the vector's scope");
    cr_assert_eq(tu_total(), 0);
}

/* A vector of an outer scope grown in a nested scope and never used again: the thread's exit
 * (here fa_destroy) frees its block too. */
VEC_TEST(destroy_with_open_scopes_frees_vector_blocks) {
    fa_alloc *other = tu_create(NULL);
    fa_begin_frame(other);
    fa_frame_vec v;
    fa_frame_vec_init(&v, other, 8, 8);
    fa_begin_frame(other);
    fa_frame_alloc(other, 64, 16);
    cr_assert_eq(fa_frame_vec_reserve(&v, 10000), FA_OK);
    fa_destroy(other); /* reports the open scopes, not a leak */
    cr_assert_eq(tu_count(FA_ERR_DESTROY_IN_FRAME), 1);
    cr_assert_eq(tu_count(FA_ERR_LEAK), 0);
}

/* A rollback releases the spare ranges vectors left; they are not handed out again. */
VEC_TEST(rollback_drops_spares) {
    fa_begin_frame(fa);
    fa_frame_vec keep;
    fa_frame_vec_init(&keep, fa, 4, 4);
    for (uint32_t i = 0; i < 16; i++) FA_FRAME_VEC_PUSH(&keep, uint32_t, i);
    fa_checkpoint cp = fa_frame_checkpoint(fa);
    fa_frame_vec tmp;
    fa_frame_vec_init(&tmp, fa, 4, 4);
    for (uint32_t i = 0; i < 2000; i++) {
        FA_FRAME_VEC_PUSH(&tmp, uint32_t, i);
        if (i % 50 == 0) fa_frame_alloc(fa, 16, 16); /* tmp moves, leaving spares */
    }
    fa_frame_rollback(fa, cp);
    char *fresh = fa_frame_alloc(fa, 16000, 16);
    tu_fill(fresh, 16000, 11);
    for (uint32_t i = 16; i < 4000; i++) FA_FRAME_VEC_PUSH(&keep, uint32_t, i);
    cr_assert_eq(tu_check(fresh, 16000, 11), SIZE_MAX, "no stale spare reused");
    for (uint32_t i = 0; i < 4000; i++) cr_assert_eq(((uint32_t *)keep.data)[i], i);
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

/* Debug builds: a vector whose storage a rollback released is reported when it grows. */
VEC_TEST(debug_rolled_back_storage) {
    if (fa_debug_level() < 1) return;
    fa_begin_frame(fa);
    fa_checkpoint cp = fa_frame_checkpoint(fa);
    fa_frame_vec v;
    fa_frame_vec_init(&v, fa, 4, 4);
    for (uint32_t i = 0; i < 10; i++) FA_FRAME_VEC_PUSH(&v, uint32_t, i);
    fa_frame_rollback(fa, cp);
    cr_assert_eq(fa_frame_vec_reserve(&v, 1000), FA_ERR_USE_AFTER_FRAME);
    cr_assert_eq(tu_count(FA_ERR_USE_AFTER_FRAME), 1);
    fa_end_frame(fa);
}

typedef struct {
    _Alignas(64) unsigned char b[64];
} line_t;

VEC_TEST(alignment_kept_through_moves) {
    fa_begin_frame(fa);
    fa_frame_vec a, b;
    fa_frame_vec_init(&a, fa, sizeof(line_t), _Alignof(line_t));
    fa_frame_vec_init(&b, fa, 16, 16);
    for (int i = 0; i < 3000; i++) {
        line_t *p = fa_frame_vec_push(&a);
        cr_assert_not_null(p);
        cr_assert_eq((uintptr_t)a.data % 64, 0);
        memset(p->b, i & 0xff, 64);
        cr_assert_not_null(fa_frame_vec_push(&b));
    }
    for (int i = 0; i < 3000; i++) cr_assert_eq(((line_t *)a.data)[i].b[63], (unsigned char)(i & 0xff));
    fa_end_frame(fa);
    cr_assert_eq(tu_total(), 0);
}

VEC_TEST(bad_input) {
    fa_frame_vec v;
    fa_frame_vec_init(NULL, fa, 4, 4);
    fa_frame_vec_init((fa_frame_vec *)1, fa, 4, 4);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 2);
    fa_frame_vec_init(&v, fa, 4, 4);
    cr_assert_eq(tu_count(FA_ERR_NO_FRAME), 1, "outside a frame");
    cr_assert_null(fa_frame_vec_push(&v));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 3, "unusable after a failed init");
    fa_begin_frame(fa);
    fa_frame_vec_init(&v, NULL, 4, 4);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 4);
    fa_frame_vec_init(&v, fa, 0, 4);
    cr_assert_eq(tu_count(FA_ERR_ZERO_SIZE), 1);
    fa_frame_vec_init(&v, fa, 12, 3);
    fa_frame_vec_init(&v, fa, 12, 8);
    fa_frame_vec_init(&v, fa, 16, FA_MAX_ALIGN * 2);
    cr_assert_eq(tu_count(FA_ERR_BAD_ALIGN), 3);
    fa_frame_vec_init(&v, fa, FA_MAX_ALLOC_SIZE + 1, 1);
    cr_assert_eq(tu_count(FA_ERR_TOO_LARGE), 1);
    cr_assert_null(fa_frame_vec_push(&v));
    cr_assert_eq(fa_frame_vec_reserve(&v, 4), FA_ERR_INVALID_ARGUMENT);
    cr_assert_null(fa_frame_vec_push(NULL));
    cr_assert_null(fa_frame_vec_push((fa_frame_vec *)1));
    cr_assert_eq(fa_frame_vec_reserve(NULL, 4), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_frame_vec_reserve((fa_frame_vec *)8, 4), FA_ERR_INVALID_ARGUMENT);
    /* Garbage contents (never initialised). */
    fa_frame_vec junk;
    memset(&junk, 0xA5, sizeof junk);
    cr_assert_null(fa_frame_vec_push(&junk));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 11);
    /* A size mismatch of the typed push. */
    fa_frame_vec_init(&v, fa, 4, 4);
    FA_FRAME_VEC_PUSH(&v, uint64_t, 1);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 12);
    cr_assert_eq(v.len, 0);
    /* A copy is not the vector (caught whenever the function form runs). */
    FA_FRAME_VEC_PUSH(&v, uint32_t, 5);
    fa_frame_vec copy = v;
    cr_assert_null(fa_frame_vec_push(&copy));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 13);
    cr_assert_eq(v.len, 1);
    cr_assert_eq(((uint32_t *)v.data)[0], 5);
    fa_end_frame(fa);
}

/* Use after the vector's scope ended: growth is refused in every build; debug builds refuse
 * every push. */
VEC_TEST(use_after_scope) {
    fa_begin_frame(fa);
    fa_begin_frame(fa);
    fa_frame_vec v;
    fa_frame_vec_init(&v, fa, 4, 4);
    FA_FRAME_VEC_PUSH(&v, uint32_t, 1);
    fa_end_frame(fa);
    cr_assert_eq(fa_frame_vec_reserve(&v, v.cap + 100), FA_ERR_USE_AFTER_FRAME);
    cr_assert_eq(tu_count(FA_ERR_USE_AFTER_FRAME), 1);
    fa_begin_frame(fa); /* same depth, another scope */
    cr_assert_eq(fa_frame_vec_reserve(&v, v.cap + 100), FA_ERR_USE_AFTER_FRAME);
    if (fa_debug_level() >= 1) {
        cr_assert_null(fa_frame_vec_push(&v));
        cr_assert_eq(tu_count(FA_ERR_USE_AFTER_FRAME), 3);
    }
    fa_end_frame(fa);
    fa_end_frame(fa);
}

typedef struct {
    fa_frame_vec *v;
    fa_status reserve;
    void *push;
} xvec;

static void *foreign_use(void *arg) {
    xvec *x = arg;
    fa_begin_frame(fa);
    x->reserve = fa_frame_vec_reserve(x->v, x->v->cap + 1);
    if (fa_debug_level() >= 1) x->push = fa_frame_vec_push(x->v);
    fa_end_frame(fa);
    return NULL;
}

VEC_TEST(other_thread_is_misuse) {
    fa_begin_frame(fa);
    fa_frame_vec v;
    fa_frame_vec_init(&v, fa, 4, 4);
    FA_FRAME_VEC_PUSH(&v, uint32_t, 42);
    xvec x = {&v, FA_OK, &x};
    tu_run_threads(1, foreign_use, &x, sizeof x);
    cr_assert_eq(x.reserve, FA_ERR_WRONG_THREAD);
    if (fa_debug_level() >= 1) {
        cr_assert_null(x.push);
        cr_assert_eq(tu_count(FA_ERR_WRONG_THREAD), 2);
    }
    cr_assert_eq(v.len, 1);
    cr_assert_eq(((uint32_t *)v.data)[0], 42);
    fa_end_frame(fa);
}

static void *vec_worker(void *arg) {
    int *ok = arg;
    *ok = 1;
    for (int f = 0; f < 30; f++) {
        fa_begin_frame(fa);
        fa_frame_vec a, b;
        fa_frame_vec_init(&a, fa, 4, 4);
        fa_frame_vec_init(&b, fa, 8, 8);
        for (uint32_t i = 0; i < 3000; i++) {
            FA_FRAME_VEC_PUSH(&a, uint32_t, i ^ (uint32_t)f);
            FA_FRAME_VEC_PUSH(&b, uint64_t, (uint64_t)i * 3);
        }
        for (uint32_t i = 0; i < 3000; i++)
            if (((uint32_t *)a.data)[i] != (i ^ (uint32_t)f) || ((uint64_t *)b.data)[i] != (uint64_t)i * 3)
                *ok = 0;
        fa_end_frame(fa);
    }
    return NULL;
}

VEC_TEST(threads_fill_their_own) {
    int ok[4] = {0};
    tu_run_threads(4, vec_worker, ok, sizeof ok[0]);
    for (int i = 0; i < 4; i++) cr_assert(ok[i], "thread %d", i);
    cr_assert_eq(tu_total(), 0);
}
