// SPDX-License-Identifier: MIT
/*
 * test_handles.c - relocatable handles (handles.c): generations, stale and garbage handles,
 * pins, the relocation callback, bounded defragmentation under load, budgets, bad input.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

/* handles.c: lets a test reach the generation wrap without 2^32 frees. */
void fai_handles_test_set_generation(fa_handles *t, fa_handle h, uint32_t gen);

static fa_alloc *fa;
static void setup(void) {
    tu_setup();
    fa = tu_create(NULL);
}
static void teardown(void) { fa_destroy(fa); }

#define HANDLES_TEST(name, ...) Test(handles, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static fa_handles_stats hstats(fa_handles *t) {
    fa_handles_stats st;
    fa_handles_get_stats(t, &st);
    return st;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

HANDLES_TEST(create_resolve_free) {
    fa_handles *t = fa_handles_create(fa, NULL);
    cr_assert_not_null(t);
    fa_handle h = fa_handle_create(t, 100, 64, FA_HANDLE_ZERO);
    cr_assert_neq(h, 0);
    unsigned char *p = fa_handle_resolve(t, h);
    cr_assert_not_null(p);
    cr_assert_eq((uintptr_t)p & 63, 0);
    for (int i = 0; i < 100; i++) cr_assert_eq(p[i], 0);
    cr_assert_eq(fa_handle_size(t, h), 100);
    cr_assert_eq(hstats(t).live_count, 1);
    cr_assert_eq(hstats(t).live_bytes, 100);
    cr_assert_eq(fa_handle_free(t, h), FA_OK);
    cr_assert_null(fa_handle_resolve(t, h));
    cr_assert_eq(fa_handle_size(t, h), 0);
    cr_assert_null(fa_handle_resolve(t, 0));
    cr_assert_eq(tu_total(), 0);
    fa_handles_destroy(t);
}

HANDLES_TEST(stale_after_free_and_reuse) {
    fa_handles *t = fa_handles_create(fa, NULL);
    fa_handle a = fa_handle_create(t, 32, 16, 0);
    cr_assert_eq(fa_handle_free(t, a), FA_OK);
    fa_handle b = fa_handle_create(t, 32, 16, 0);
    cr_assert_eq((uint32_t)a, (uint32_t)b, "the slot is reused");
    cr_assert_neq(a, b, "with a new generation");
    cr_assert_null(fa_handle_resolve(t, a), "the stale handle never reaches the new block");
    cr_assert_not_null(fa_handle_resolve(t, b));
    /* freeing the stale handle is reported and frees nothing */
    cr_assert_eq(fa_handle_free(t, a), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
    cr_assert_not_null(fa_handle_resolve(t, b));
    cr_assert_eq(fa_handle_pin(t, a), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_handle_unpin(t, a), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_handle_free(t, b), FA_OK);
    cr_assert_eq(fa_handle_free(t, b), FA_ERR_INVALID_ARGUMENT, "double free reported");
    fa_handles_destroy(t);
}

HANDLES_TEST(generation_wrap_retires_slot) {
    fa_handles *t = fa_handles_create(fa, NULL);
    fa_handle a = fa_handle_create(t, 32, 16, 0);
    fai_handles_test_set_generation(t, a, UINT32_MAX);
    fa_handle last = ((uint64_t)UINT32_MAX << 32) | (uint32_t)a;
    cr_assert_not_null(fa_handle_resolve(t, last));
    cr_assert_eq(fa_handle_free(t, last), FA_OK);
    /* generation 0 is never valid: the slot is retired, the next block gets another slot */
    fa_handle b = fa_handle_create(t, 32, 16, 0);
    cr_assert_neq((uint32_t)b, (uint32_t)a);
    cr_assert_null(fa_handle_resolve(t, last));
    cr_assert_null(fa_handle_resolve(t, (uint32_t)a)); /* generation 0 */
    for (uint64_t g = 1; g < 4; g++) cr_assert_null(fa_handle_resolve(t, (g << 32) | (uint32_t)a));
    fa_handles_destroy(t);
}

HANDLES_TEST(garbage_handles_resolve_to_null) {
    fa_handles *t = fa_handles_create(fa, NULL);
    enum { N = 64 };
    fa_handle live[N];
    for (int i = 0; i < N; i++) {
        live[i] = fa_handle_create(t, 48, 16, 0);
        tu_fill(fa_handle_resolve(t, live[i]), 48, (uint32_t)i);
    }
    cr_assert_null(fa_handle_resolve(t, (fa_handle)1));
    cr_assert_null(fa_handle_resolve(t, UINT64_MAX));
    cr_assert_null(fa_handle_resolve(t, (fa_handle)1 << 32));
    cr_assert_null(fa_handle_resolve(t, ((fa_handle)2 << 32) | (uint32_t)live[0]));
    for (int i = 0; i < 100000; i++) {
        fa_handle g = rnd();
        void *p = fa_handle_resolve(t, g);
        if (p == NULL) continue;
        int hit = 0;
        for (int j = 0; j < N; j++) hit |= live[j] == g;
        cr_assert(hit, "a garbage value %#llx resolved", (unsigned long long)g);
    }
    /* small indexes with garbage generations (the likeliest corruption) */
    for (uint64_t idx = 0; idx < N + 4; idx++)
        for (uint64_t g = 0; g < 64; g++) {
            fa_handle h = (g << 32) | idx;
            int hit = 0;
            for (int j = 0; j < N; j++) hit |= live[j] == h;
            cr_assert_eq(fa_handle_resolve(t, h) != NULL, hit);
        }
    cr_assert_eq(fa_handle_free(t, (fa_handle)1), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_handle_free(t, 0), FA_ERR_INVALID_ARGUMENT);
    cr_assert_null(fa_handle_resolve(NULL, live[0]));
    cr_assert_null(fa_handle_resolve((fa_handles *)(void *)fa, live[0]), "not a table");
    for (int i = 0; i < N; i++)
        cr_assert_eq(tu_check(fa_handle_resolve(t, live[i]), 48, (uint32_t)i), SIZE_MAX);
    cr_assert_eq(hstats(t).live_count, N, "nothing lost");
    fa_handles_destroy(t);
}

HANDLES_TEST(bad_input) {
    fa_handles_config bad = {.page_size = 100000};
    cr_assert_null(fa_handles_create(fa, &bad));
    bad.page_size = 4096;
    cr_assert_null(fa_handles_create(fa, &bad));
    cr_assert_null(fa_handles_create(NULL, NULL));
    fa_handles_config badtag = {.tag = 40};
    cr_assert_null(fa_handles_create(fa, &badtag));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 4);
    fa_handles *t = fa_handles_create(fa, NULL);
    tu_capture_reset(&tu_cap);
    cr_assert_eq(fa_handle_create(t, 0, 16, 0), 0);
    cr_assert_eq(tu_count(FA_ERR_ZERO_SIZE), 1);
    cr_assert_eq(fa_handle_create(t, 16, 3, 0), 0);
    cr_assert_eq(fa_handle_create(t, 16, 8192, 0), 0);
    cr_assert_eq(tu_count(FA_ERR_BAD_ALIGN), 2);
    cr_assert_eq(fa_handle_create(t, SIZE_MAX, 16, 0), 0);
    cr_assert_eq(tu_count(FA_ERR_TOO_LARGE), 1);
    cr_assert_eq(fa_handle_create(t, 16, 16, 0x80), 0);
    cr_assert_eq(fa_handle_create(NULL, 16, 16, 0), 0);
    cr_assert_eq(fa_handle_pin(NULL, 1), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_handles_defrag(NULL, 0, 0), 0);
    fa_handle h = fa_handle_create(t, 16, 16, 0);
    cr_assert_eq(fa_handle_unpin(t, h), FA_ERR_INVALID_ARGUMENT, "unpin of an unpinned block");
    cr_assert_eq(hstats(t).live_count, 1);
    fa_handles_destroy(t);
    fa_handles_destroy(NULL);
}

HANDLES_TEST(table_full) {
    fa_handles_config c = {.max_handles = 100};
    fa_handles *t = fa_handles_create(fa, &c);
    fa_handle hs[100];
    for (int i = 0; i < 100; i++) cr_assert_neq(hs[i] = fa_handle_create(t, 16, 16, 0), 0);
    cr_assert_eq(fa_handle_create(t, 16, 16, 0), 0);
    cr_assert_eq(tu_count(FA_ERR_OUT_OF_MEMORY), 1);
    cr_assert_eq(fa_handle_free(t, hs[7]), FA_OK);
    cr_assert_neq(fa_handle_create(t, 16, 16, 0), 0, "a freed slot is reused");
    fa_handles_destroy(t);
}

static void *owner_thread(void *arg) {
    fa_handles *t = arg;
    fa_handle h = fa_handle_create(t, 16, 16, 0);
    return (void *)(uintptr_t)(h == 0 && fa_handles_defrag(t, 0, 0) == 0);
}

HANDLES_TEST(other_threads_are_refused) {
    fa_handles *t = fa_handles_create(fa, NULL);
    fa_handle h = fa_handle_create(t, 16, 16, 0);
    pthread_t th;
    void *ok = NULL;
    pthread_create(&th, NULL, owner_thread, t);
    pthread_join(th, &ok);
    cr_assert(ok != NULL);
    cr_assert_eq(tu_count(FA_ERR_WRONG_THREAD), 2);
    cr_assert_eq(hstats(t).live_count, 1);
    cr_assert_not_null(fa_handle_resolve(t, h));
    fa_handles_destroy(t);
}

HANDLES_TEST(large_blocks_get_dedicated_pages) {
    fa_handles *t = fa_handles_create(fa, NULL);
    fa_handle big = fa_handle_create(t, 1 << 20, 4096, 0);
    void *p = fa_handle_resolve(t, big);
    cr_assert_eq((uintptr_t)p & 4095, 0);
    tu_fill(p, 1 << 20, 5);
    cr_assert_eq(hstats(t).pages, 1);
    cr_assert_geq(hstats(t).reserved_bytes, (size_t)1 << 20);
    fa_handles_defrag(t, 0, 0);
    cr_assert_eq(fa_handle_resolve(t, big), p, "dedicated blocks never move");
    fa_handle_free(t, big);
    cr_assert_eq(hstats(t).pages, 0);
    cr_assert_eq(hstats(t).reserved_bytes, 0);
    fa_handles_destroy(t);
}

typedef struct reloc_log {
    fa_handles *t;
    size_t calls, bytes;
    int bad;
} reloc_log;

static void on_reloc(fa_handle h, void *old_ptr, void *new_ptr, size_t size, void *user) {
    reloc_log *log = user;
    log->calls++;
    log->bytes += size;
    if (memcmp(old_ptr, new_ptr, size) != 0 || fa_handle_size(log->t, h) != size) log->bad++;
    if (fa_handle_resolve(log->t, h) != old_ptr) log->bad++; /* table updated after the call */
}

/* Fills pages, frees most blocks of every page but keeps some pinned: pinned blocks never
 * move, everything else compacts, the callback sees every move. */
HANDLES_TEST(pinned_blocks_never_move) {
    reloc_log log = {0};
    fa_handles_config c = {.page_size = 64 << 10, .on_relocate = on_reloc, .user = &log};
    fa_handles *t = fa_handles_create(fa, &c);
    log.t = t;
    enum { N = 4000 };
    static fa_handle hs[N];
    static void *pinned_at[N];
    for (int i = 0; i < N; i++) {
        hs[i] = fa_handle_create(t, 200, 16, 0);
        tu_fill(fa_handle_resolve(t, hs[i]), 200, (uint32_t)i);
    }
    size_t pages_full = hstats(t).pages;
    for (int i = 0; i < N; i++) {
        if (i % 97 == 0 && i < 1000) { /* the first pages hold pinned blocks */
            cr_assert_eq(fa_handle_pin(t, hs[i]), FA_OK);
            cr_assert_eq(fa_handle_pin(t, hs[i]), FA_OK, "pins are counted");
            pinned_at[i] = fa_handle_resolve(t, hs[i]);
        } else if (i % 4 != 0) {
            fa_handle_free(t, hs[i]);
            hs[i] = 0;
        }
    }
    for (int round = 0; round < 200; round++) {
        fa_handles_defrag(t, 4096, 8);
        if (round == 100) /* one unpin of two: still pinned */
            for (int i = 0; i < 1000; i += 97) fa_handle_unpin(t, hs[i]);
        for (int i = 0; i < N; i++) {
            if (hs[i] == 0) continue;
            void *p = fa_handle_resolve(t, hs[i]);
            if (pinned_at[i]) cr_assert_eq(p, pinned_at[i], "pinned block %d moved", i);
            cr_assert_eq(tu_check(p, 200, (uint32_t)i), SIZE_MAX, "block %d", i);
        }
    }
    fa_handles_stats st = hstats(t);
    cr_assert_gt(st.moves, 0);
    cr_assert_eq(log.calls, st.moves);
    cr_assert_eq(log.bytes, st.moved_bytes);
    cr_assert_eq(log.bad, 0);
    cr_assert_lt(st.pages, pages_full);
    cr_assert_eq(st.pinned_count, (1000 + 96) / 97);
    for (int i = 0; i < 1000; i += 97) cr_assert_eq(fa_handle_unpin(t, hs[i]), FA_OK);
    cr_assert_eq(hstats(t).pinned_count, 0);
    fa_handles_destroy(t);
}

/* Thousands of blocks of random sizes created and freed every "frame", a small defrag step
 * per frame, every live block's contents checked after every step, pages shrinking. */
HANDLES_TEST(defrag_under_load, .timeout = 120) {
    fa_handles_config c = {.page_size = 64 << 10, .max_handles = 1 << 16};
    fa_handles *t = fa_handles_create(fa, &c);
    enum { N = 6000 };
    static fa_handle hs[N];
    static uint32_t sizes[N];
    memset(hs, 0, sizeof hs);
    for (int i = 0; i < N; i++) {
        sizes[i] = 16 + (uint32_t)(rnd() % 3000);
        hs[i] = fa_handle_create(t, sizes[i], (size_t)16 << (rnd() % 3), 0);
        cr_assert_neq(hs[i], 0);
        tu_fill(fa_handle_resolve(t, hs[i]), sizes[i], (uint32_t)i);
    }
    size_t peak_pages = hstats(t).pages;
    for (int frame = 0; frame < 300; frame++) {
        /* churn: free many, recreate fewer (the live set shrinks, leaving holes) */
        for (int k = 0; k < 60; k++) {
            int i = (int)(rnd() % N);
            if (hs[i] != 0) {
                cr_assert_eq(fa_handle_free(t, hs[i]), FA_OK);
                hs[i] = 0;
            }
        }
        for (int k = 0; k < 20; k++) {
            int i = (int)(rnd() % N);
            if (hs[i] != 0) continue;
            sizes[i] = 16 + (uint32_t)(rnd() % 3000);
            hs[i] = fa_handle_create(t, sizes[i], 16, 0);
            cr_assert_neq(hs[i], 0);
            tu_fill(fa_handle_resolve(t, hs[i]), sizes[i], (uint32_t)i);
        }
        fa_handles_stats pre = hstats(t);
        size_t moved = fa_handles_defrag(t, 32 << 10, 16);
        cr_assert_leq(moved, 16);
        cr_assert_leq(hstats(t).moved_bytes - pre.moved_bytes, 32 << 10);
        if (frame == 0) { /* a byte limit below one block still moves one block per call */
            pre = hstats(t);
            cr_assert_leq(fa_handles_defrag(t, 1, 0), 1);
            cr_assert_leq(hstats(t).moves - pre.moves, 1);
        }
        for (int i = 0; i < N; i++)
            if (hs[i] != 0)
                cr_assert_eq(tu_check(fa_handle_resolve(t, hs[i]), sizes[i], (uint32_t)i),
                             SIZE_MAX, "frame %d block %d", frame, i);
    }
    fa_handles_stats before = hstats(t);
    while (fa_handles_defrag(t, 32 << 10, 16) != 0) {}
    fa_handles_stats after = hstats(t);
    for (int i = 0; i < N; i++)
        if (hs[i] != 0)
            cr_assert_eq(tu_check(fa_handle_resolve(t, hs[i]), sizes[i], (uint32_t)i), SIZE_MAX);
    cr_log_info("pages %zu peak, %zu before final pass, %zu after; fragmentation %.3f -> %.3f",
                peak_pages, before.pages, after.pages, before.fragmentation,
                after.fragmentation);
    cr_assert_lt(after.pages, peak_pages, "emptied pages went back to the OS");
    cr_assert_leq(after.pages, before.pages);
    cr_assert_gt(after.pages_released, 0);
    cr_assert_lt(after.fragmentation, 0.5);
    cr_assert_eq(after.live_bytes, before.live_bytes);
    /* packed: reserved bytes within two pages per half-full page of the live data */
    cr_assert_leq(after.reserved_bytes, 2 * after.live_bytes + 2 * c.page_size);
    cr_assert_eq(tu_total(), 0);
    fa_handles_destroy(t);
}

HANDLES_TEST(pages_charge_the_tag_budget) {
    fa_tag tag = fa_tag_register(fa, "assets");
    cr_assert_eq(fa_tag_set_budget(fa, tag, 0, 256 << 10), FA_OK);
    fa_handles_config c = {.page_size = 64 << 10, .tag = tag};
    fa_handles *t = fa_handles_create(fa, &c);
    int made = 0;
    while (fa_handle_create(t, 8000, 16, 0) != 0) made++;
    cr_assert_eq(tu_count(FA_ERR_BUDGET), 1);
    cr_assert_eq(made, 4 * 8, "four 64 KiB pages of eight 8000-byte blocks");
    fa_tag_stats ts;
    fa_get_tag_stats(fa, tag, &ts);
    cr_assert_eq(ts.heap_bytes, 256 << 10);
    fa_handles_destroy(t);
    fa_get_tag_stats(fa, tag, &ts);
    cr_assert_eq(ts.heap_bytes, 0, "destroy returns the charge");
}

/* Asset memory is part of the allocator's own figures: two tables summed, defrag moves do
 * not change the live bytes, frees and destroy return them to zero. */
HANDLES_TEST(tables_appear_in_the_allocator_stats) {
    fa_handles_config c = {.page_size = 64 << 10};
    fa_handles *a = fa_handles_create(fa, &c), *b = fa_handles_create(fa, &c);
    fa_handle ha[40], hb[3];
    for (int i = 0; i < 40; i++) cr_assert_neq(ha[i] = fa_handle_create(a, 1000, 16, 0), 0);
    for (int i = 0; i < 3; i++) cr_assert_neq(hb[i] = fa_handle_create(b, 5000, 64, 0), 0);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.handle_count, 43);
    cr_assert_eq(st.handle_bytes, 40 * 1000 + 3 * 5000);
    fa_handles_stats sa, sb;
    fa_handles_get_stats(a, &sa);
    fa_handles_get_stats(b, &sb);
    cr_assert_eq(st.handle_reserved, sa.reserved_bytes + sb.reserved_bytes);
    cr_assert_geq(st.handle_reserved, 2 * (64u << 10));
    for (int i = 0; i < 40; i += 2) cr_assert_eq(fa_handle_free(a, ha[i]), FA_OK);
    while (fa_handles_defrag(a, 0, 0) != 0) {
    }
    fa_get_stats(fa, &st);
    cr_assert_eq(st.handle_count, 23);
    cr_assert_eq(st.handle_bytes, 20 * 1000 + 3 * 5000);
    fa_handles_get_stats(a, &sa);
    cr_assert_eq(st.handle_reserved, sa.reserved_bytes + sb.reserved_bytes);
    cr_assert_eq(fa_handle_free(a, 12345), FA_ERR_INVALID_ARGUMENT, "a garbage handle");
    fa_get_stats(fa, &st);
    cr_assert_eq(st.handle_count, 23, "a refused free changes nothing");
    fa_handles_destroy(a);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.handle_count, 3, "destroy drops the table's live blocks");
    cr_assert_eq(st.handle_bytes, 3 * 5000);
    cr_assert_eq(st.handle_reserved, sb.reserved_bytes);
    fa_handles_destroy(b);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.handle_count, 0);
    cr_assert_eq(st.handle_bytes, 0);
    cr_assert_eq(st.handle_reserved, 0);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
}
