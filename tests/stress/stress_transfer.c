/*
 * stress_transfer.c - transfer handles under thread pressure, every byte verified.
 *
 * Producers build a payload of random size in frame memory, copy it into a transfer handle and
 * end the frame at once (the payload dies with it, the handle must not); consumers on other
 * threads take the handles from a shared queue, check the advertised size, receive and verify
 * every byte, and free them (some without receiving). At the end no handle is left and nothing
 * was reported. Scaled by FA_TEST_SCALE.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { PRODUCERS = 3, CONSUMERS = 3, QCAP = 256 };

typedef struct item {
    fa_transfer *t;
    uint32_t seed;
    size_t size;
} item;

typedef struct queue {
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
    item items[QCAP];
    size_t head, n;
    unsigned producers_left;
} queue;

static fa_alloc *fa;
static queue q = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER};
static atomic_uint bad, received, freed_unreceived;

static void push(item it) {
    pthread_mutex_lock(&q.lock);
    while (q.n == QCAP) pthread_cond_wait(&q.not_full, &q.lock);
    q.items[(q.head + q.n++) % QCAP] = it;
    pthread_cond_signal(&q.not_empty);
    pthread_mutex_unlock(&q.lock);
}

static bool pop(item *out) {
    pthread_mutex_lock(&q.lock);
    while (q.n == 0 && q.producers_left > 0) pthread_cond_wait(&q.not_empty, &q.lock);
    bool ok = q.n > 0;
    if (ok) {
        *out = q.items[q.head];
        q.head = (q.head + 1) % QCAP;
        q.n--;
        pthread_cond_signal(&q.not_full);
    }
    pthread_mutex_unlock(&q.lock);
    return ok;
}

static unsigned per_producer(void) { return 1500 * tu_scale(); }

static void *producer(void *arg) {
    uint32_t id = *(uint32_t *)arg, rng = 1000 + id;
    for (unsigned i = 0; i < per_producer(); i++) {
        fa_begin_frame(fa);
        size_t size = 1 + tu_rand(&rng) % (tu_rand(&rng) % 8 == 0 ? 65536 : 512);
        uint32_t seed = id * 1000003u + i;
        unsigned char *p = fa_frame_alloc(fa, size, 16);
        if (p == NULL) {
            atomic_fetch_add(&bad, 1);
            fa_end_frame(fa);
            continue;
        }
        tu_fill(p, size, seed);
        fa_transfer *t = fa_transfer_create(fa, p, size);
        /* Overwrite the source before the frame ends: the handle holds its own copy. */
        memset(p, 0xAB, size);
        fa_end_frame(fa);
        if (t == NULL) {
            atomic_fetch_add(&bad, 1);
            continue;
        }
        push((item){t, seed, size});
    }
    pthread_mutex_lock(&q.lock);
    q.producers_left--;
    pthread_cond_broadcast(&q.not_empty);
    pthread_mutex_unlock(&q.lock);
    return NULL;
}

static void *consumer(void *arg) {
    uint32_t rng = 77 + *(uint32_t *)arg;
    item it;
    while (pop(&it)) {
        if (fa_transfer_size(it.t) != it.size) atomic_fetch_add(&bad, 1);
        if (tu_rand(&rng) % 16 == 0) { /* freed without being received */
            fa_transfer_free(it.t);
            atomic_fetch_add(&freed_unreceived, 1);
            continue;
        }
        const unsigned char *p = fa_transfer_receive(it.t);
        if (p == NULL || tu_check(p, it.size, it.seed) != SIZE_MAX) atomic_fetch_add(&bad, 1);
        atomic_fetch_add(&received, 1);
        fa_transfer_free(it.t);
    }
    return NULL;
}

static void *run(void *arg) {
    uint32_t id = *(uint32_t *)arg;
    return id < PRODUCERS ? producer(arg) : consumer(arg);
}

Test(stress_transfer, every_byte_across_threads, .init = tu_setup, .timeout = 280) {
    fa = tu_create(NULL);
    q.producers_left = PRODUCERS;
    uint32_t ids[PRODUCERS + CONSUMERS];
    for (uint32_t i = 0; i < PRODUCERS + CONSUMERS; i++) ids[i] = i;
    tu_run_threads(PRODUCERS + CONSUMERS, run, ids, sizeof ids[0]);
    unsigned total = PRODUCERS * per_producer();
    cr_assert_eq(atomic_load(&bad), 0, "%u bad transfers: %s", atomic_load(&bad), tu_cap.message);
    cr_assert_eq(atomic_load(&received) + atomic_load(&freed_unreceived), total);
    cr_assert_gt(atomic_load(&freed_unreceived), 0);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.transfer_count, 0);
    cr_assert_eq(st.transfer_bytes, 0);
    cr_assert_eq(fa_validate(fa), FA_OK);
    cr_assert_eq(tu_total(), 0, "%s", tu_cap.message);
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0, "%s", tu_cap.message);
}
