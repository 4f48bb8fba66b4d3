/* SPDX-License-Identifier: MIT */
/*
 * test_transfer.c - transfer handles (transfer.c): frame data copied into a handle, received
 * on another thread after the producer's frame ended, misuse (double receive, double free,
 * stale handles), bad inputs, statistics, racing receivers.
 */
#include "fa_test.h"
#include "test_util.h"

#include <sched.h>
#include <stdatomic.h>
#include <string.h>

static fa_alloc *fa;
static void setup(void) {
    tu_setup();
    fa = tu_create(NULL);
}
static void teardown(void) { fa_destroy(fa); }

#define XFER_TEST(name, ...) Test(transfer, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

typedef struct recv_job {
    fa_transfer *t;
    size_t size;
    uint32_t seed;
    int ok;
    uint64_t thread;
} recv_job;

static void *receive_and_check(void *arg) {
    recv_job *j = arg;
    j->thread = fa_thread_id();
    unsigned char *p = fa_transfer_receive(j->t);
    j->ok = p != NULL && ((uintptr_t)p % 16) == 0 && fa_transfer_size(j->t) == j->size &&
            tu_check(p, j->size, j->seed) == SIZE_MAX;
    fa_transfer_free(j->t);
    return NULL;
}

/* The producer ends its frame (and overwrites the frame memory) before the consumer runs. */
XFER_TEST(producer_ends_frame_before_receive) {
    fa_begin_frame(fa);
    unsigned char *data = fa_frame_alloc(fa, 10000, 16);
    tu_fill(data, 10000, 11);
    fa_transfer *t = fa_transfer_create(fa, data, 10000);
    cr_assert_not_null(t);
    fa_end_frame(fa);
    fa_begin_frame(fa);
    memset(fa_frame_alloc(fa, 10000, 16), 0, 10000); /* reuses the old frame memory */
    fa_end_frame(fa);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.transfer_count, 1);
    cr_assert_eq(st.transfer_bytes, 10000);
    recv_job j = {t, 10000, 11, 0, 0};
    tu_run_threads(1, receive_and_check, &j, 0);
    cr_assert(j.ok, "payload intact on the receiving thread");
    cr_assert_neq(j.thread, fa_thread_id());
    fa_get_stats(fa, &st);
    cr_assert_eq(st.transfer_count, 0);
    cr_assert_eq(st.transfer_bytes, 0);
    cr_assert_eq(tu_total(), 0);
}

/* Many handles between threads, one per message, through a shared array. */
typedef struct batch {
    fa_transfer *t[64];
    int ok;
} batch;

static void *receive_batch(void *arg) {
    batch *b = arg;
    b->ok = 1;
    for (uint32_t i = 0; i < 64; i++) {
        unsigned char *p = fa_transfer_receive(b->t[i]);
        if (p == NULL || tu_check(p, 100 + i, i) != SIZE_MAX) b->ok = 0;
        fa_transfer_free(b->t[i]);
    }
    return NULL;
}

XFER_TEST(many_handles) {
    batch b;
    fa_begin_frame(fa);
    for (uint32_t i = 0; i < 64; i++) {
        void *d = fa_frame_alloc(fa, 100 + i, 1);
        tu_fill(d, 100 + i, i);
        b.t[i] = fa_transfer_create(fa, d, 100 + i);
        cr_assert_not_null(b.t[i]);
    }
    fa_end_frame(fa);
    tu_run_threads(1, receive_batch, &b, 0);
    cr_assert(b.ok);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.transfer_count, 0);
}

XFER_TEST(any_memory_may_be_sent) {
    char stack[32] = "from the stack";
    fa_transfer *t = fa_transfer_create(fa, stack, sizeof stack);
    cr_assert_not_null(t);
    cr_assert_str_eq(fa_transfer_receive(t), "from the stack");
    fa_transfer_free(t);
    cr_assert_eq(tu_total(), 0);
}

XFER_TEST(double_receive_is_misuse) {
    int v = 42;
    fa_transfer *t = fa_transfer_create(fa, &v, sizeof v);
    int *p = fa_transfer_receive(t);
    cr_assert(p != NULL && *p == 42);
    cr_assert_null(fa_transfer_receive(t));
    cr_assert_eq(tu_count(FA_ERR_TRANSFER_MISUSE), 1);
    cr_assert_eq(tu_cap.alloc, fa, "reported to the allocator of the handle");
    cr_assert_eq(tu_cap.ptr, t);
    cr_assert_eq(*p, 42, "the payload stays valid until the free");
    cr_assert_eq(fa_transfer_size(t), sizeof v);
    fa_transfer_free(t);
    cr_assert_eq(tu_total(), 1);
}

/* Freeing twice or receiving a freed handle goes to the global handler (no allocator can be
 * read from a dead handle). */
XFER_TEST(double_free_and_stale_receive) {
    tu_capture global;
    tu_capture_reset(&global);
    fa_set_global_error_handler(tu_capture_handler, &global);
    int v = 7;
    fa_transfer *t = fa_transfer_create(fa, &v, sizeof v);
    fa_transfer_free(t);
    fa_transfer_free(t);
    cr_assert_eq(global.count, 1);
    cr_assert_eq(global.last, FA_ERR_TRANSFER_MISUSE);
    cr_assert_eq(global.ptr, t);
    cr_assert_null(fa_transfer_receive(t));
    cr_assert_eq(global.count, 2);
    cr_assert_eq(global.last, FA_ERR_TRANSFER_MISUSE);
    cr_assert_eq(fa_transfer_size(t), 0);
    cr_assert_null(fa_transfer_receive(NULL));
    cr_assert_eq(global.count, 3);
    fa_transfer_free(NULL); /* like free(NULL) */
    cr_assert_eq(global.count, 3);
    cr_assert_eq(fa_transfer_size(NULL), 0);
    cr_assert_eq(tu_total(), 0, "nothing went to the allocator's handler");
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.transfer_count, 0);
}

/* A pointer that never was a handle is rejected without being read. */
XFER_TEST(foreign_handle) {
    uint64_t junk[8] = {0};
    cr_assert_null(fa_transfer_receive((fa_transfer *)junk));
    fa_transfer_free((fa_transfer *)junk);
    cr_assert_eq(tu_count(FA_ERR_TRANSFER_MISUSE), 2);
}

XFER_TEST(bad_inputs) {
    int v = 1;
    cr_assert_null(fa_transfer_create(fa, &v, 0));
    cr_assert_eq(tu_cap.last, FA_ERR_ZERO_SIZE);
    cr_assert_null(fa_transfer_create(fa, NULL, 16));
    cr_assert_eq(tu_cap.last, FA_ERR_INVALID_ARGUMENT);
    cr_assert_null(fa_transfer_create(fa, &v, FA_MAX_ALLOC_SIZE + 1));
    cr_assert_eq(tu_cap.last, FA_ERR_TOO_LARGE);
    cr_assert_eq(tu_total(), 3);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.transfer_count, 0);
}

/* Two threads race to receive one handle: exactly one gets the payload. */
typedef struct race {
    fa_transfer *t;
    pthread_barrier_t *go;
    void *got;
} race;

static void *racer(void *arg) {
    race *r = arg;
    pthread_barrier_wait(r->go);
    r->got = fa_transfer_receive(r->t);
    return NULL;
}

XFER_TEST(racing_receivers_get_one_payload) {
    for (int round = 0; round < 50; round++) {
        int v = round;
        fa_transfer *t = fa_transfer_create(fa, &v, sizeof v);
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, 2);
        race r[2] = {{t, &go, NULL}, {t, &go, NULL}};
        tu_run_threads(2, racer, r, sizeof r[0]);
        pthread_barrier_destroy(&go);
        cr_assert((r[0].got == NULL) != (r[1].got == NULL), "round %d", round);
        void *got = r[0].got ? r[0].got : r[1].got;
        cr_assert_eq(*(int *)got, round);
        fa_transfer_free(t);
    }
    cr_assert_eq(tu_count(FA_ERR_TRANSFER_MISUSE), 50);
    cr_assert_eq(tu_total(), 50);
}

/* Handles of several allocators are independent; destroying one allocator frees its handles
 * only (and reports them as leaks). */
XFER_TEST(handles_of_a_destroyed_allocator) {
    fa_alloc *other = tu_create(NULL);
    int v = 5;
    fa_transfer *mine = fa_transfer_create(fa, &v, sizeof v);
    fa_transfer *theirs = fa_transfer_create(other, &v, sizeof v);
    fa_destroy(other);
    cr_assert_eq(tu_count(FA_ERR_LEAK), 1);
    cr_assert_eq(fa_transfer_size(theirs), 0);
    cr_assert_eq(fa_transfer_size(mine), sizeof v);
    cr_assert_eq(*(int *)fa_transfer_receive(mine), 5);
    fa_transfer_free(mine);
    cr_assert_eq(tu_total(), 1);
}

/* ---- zero-copy: fa_transfer_alloc + fill in place + fa_transfer_send ---------------------- */

XFER_TEST(zero_copy_is_filled_in_place_and_received_elsewhere) {
    void *payload = (void *)1;
    fa_transfer *t = fa_transfer_alloc(fa, 10000, &payload);
    cr_assert_not_null(t);
    cr_assert_not_null(payload);
    cr_assert_eq((uintptr_t)payload % 16, 0);
    tu_fill(payload, 10000, 29);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.transfer_count, 1);
    cr_assert_eq(st.transfer_bytes, 10000);
    cr_assert_eq(fa_transfer_size(t), 10000);
    cr_assert_eq(fa_transfer_send(t), FA_OK);
    recv_job j = {t, 10000, 29, 0, 0};
    tu_run_threads(1, receive_and_check, &j, 0);
    cr_assert(j.ok, "the bytes written in place arrive, at the address they were written to");
    fa_get_stats(fa, &st);
    cr_assert_eq(st.transfer_count, 0);
    cr_assert_eq(st.transfer_bytes, 0);
    cr_assert_eq(tu_total(), 0);
}

XFER_TEST(zero_copy_misuse_is_reported_and_loses_nothing) {
    void *payload;
    fa_transfer *t = fa_transfer_alloc(fa, 64, &payload);
    cr_assert_not_null(t);
    memset(payload, 7, 64);
    cr_assert_null(fa_transfer_receive(t), "not sent yet: the producer may still write");
    cr_assert_eq(tu_count(FA_ERR_TRANSFER_MISUSE), 1);
    cr_assert_eq(fa_transfer_send(t), FA_OK);
    cr_assert_eq(fa_transfer_send(t), FA_ERR_TRANSFER_MISUSE, "sent twice");
    unsigned char *got = fa_transfer_receive(t);
    cr_assert_eq(got, payload, "the refused calls left it receivable, once");
    cr_assert_eq(got[63], 7);
    fa_transfer_free(t);

    char frame_like[16] = "copied";
    fa_transfer *c = fa_transfer_create(fa, frame_like, sizeof frame_like);
    cr_assert_eq(fa_transfer_send(c), FA_ERR_TRANSFER_MISUSE, "a copied handle is sent already");
    fa_transfer_free(c);
    cr_assert_eq(fa_transfer_send(NULL), FA_ERR_TRANSFER_MISUSE);
    cr_assert_eq(fa_transfer_send((fa_transfer *)1), FA_ERR_TRANSFER_MISUSE, "garbage pointer");
    cr_assert_eq(fa_transfer_send(t), FA_ERR_TRANSFER_MISUSE, "freed");
    cr_assert_eq(tu_count(FA_ERR_TRANSFER_MISUSE), 6);

    payload = (void *)1;
    cr_assert_null(fa_transfer_alloc(fa, 0, &payload));
    cr_assert_null(payload, "a refused allocation clears the payload pointer");
    cr_assert_eq(tu_count(FA_ERR_ZERO_SIZE), 1);
    cr_assert_null(fa_transfer_alloc(fa, (size_t)1 << 62, &payload));
    cr_assert_eq(tu_count(FA_ERR_TOO_LARGE), 1);
    cr_assert_null(fa_transfer_alloc(fa, 64, NULL));
    cr_assert_null(fa_transfer_alloc(NULL, 64, &payload));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 2);

    /* freeing an unsent handle cancels the send: not an error */
    fa_transfer *cancel = fa_transfer_alloc(fa, 4096, &payload);
    cr_assert_not_null(cancel);
    fa_transfer_free(cancel);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.transfer_count, 0);
    cr_assert_eq(st.transfer_bytes, 0);
    cr_assert_eq(tu_total(), 6 + 1 + 1 + 2);
}

/* A producer thread fills and sends while the consumer receives: the consumer sees every
 * byte written before the send (the test that matters under ThreadSanitizer). */
enum { ZC_N = 256 };
typedef struct zc_pipe {
    fa_alloc *fa;
    fa_transfer *_Atomic slot[ZC_N];
    atomic_uint bad;
} zc_pipe;

static void *zc_producer(void *arg) {
    zc_pipe *z = arg;
    for (uint32_t i = 0; i < ZC_N; i++) {
        void *p;
        size_t n = 16 + (i * 97) % 5000;
        fa_transfer *t = fa_transfer_alloc(z->fa, n, &p);
        if (t == NULL) {
            atomic_fetch_add(&z->bad, 1);
            continue;
        }
        tu_fill(p, n, i);
        if (fa_transfer_send(t) != FA_OK) atomic_fetch_add(&z->bad, 1);
        atomic_store_explicit(&z->slot[i], t, memory_order_relaxed); /* the send publishes */
    }
    return NULL;
}

static void *zc_consumer(void *arg) {
    zc_pipe *z = arg;
    for (uint32_t i = 0; i < ZC_N; i++) {
        fa_transfer *t;
        while ((t = atomic_load_explicit(&z->slot[i], memory_order_relaxed)) == NULL) {
            if (atomic_load(&z->bad) != 0) return NULL;
            sched_yield();
        }
        size_t n = 16 + (i * 97) % 5000;
        unsigned char *p = fa_transfer_receive(t);
        if (p == NULL || fa_transfer_size(t) != n || tu_check(p, n, i) != SIZE_MAX)
            atomic_fetch_add(&z->bad, 1);
        fa_transfer_free(t);
    }
    return NULL;
}

static void *zc_role(void *arg) {
    void **a = arg;
    return a[1] == NULL ? zc_producer(a[0]) : zc_consumer(a[0]);
}

XFER_TEST(zero_copy_between_running_threads) {
    static zc_pipe z;
    memset(&z, 0, sizeof z);
    z.fa = fa;
    void *roles[2][2] = {{&z, NULL}, {&z, &z}};
    tu_run_threads(2, zc_role, roles, sizeof roles[0]);
    cr_assert_eq(atomic_load(&z.bad), 0);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.transfer_count, 0);
    cr_assert_eq(tu_total(), 0, "%s", tu_cap.message);
}
