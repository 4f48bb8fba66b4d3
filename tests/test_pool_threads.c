/* SPDX-License-Identifier: MIT */
/*
 * test_pool_threads.c - pools across threads (pool.c): frees from a thread that does not own
 * the page, producer/consumer pipelines, all-to-all exchange, threads that exit with live
 * objects (abandoned pages, adopted or trimmed later). Public API only.
 *
 * Worker threads never assert (Criterion's assertions are not thread-safe); they count
 * problems and the test thread asserts on the counts.
 */
#include "fa_test.h"
#include "test_util.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* A bounded MPMC queue of pointers guarded by a mutex: the hand-off between threads (the
 * mutex also orders the object's bytes for TSan). */
typedef struct queue {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    void **items;
    size_t cap, head, count;
    bool closed;
} queue;

static void q_init(queue *q, size_t cap) {
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->cond, NULL);
    q->items = calloc(cap, sizeof *q->items);
    q->cap = cap;
    q->head = q->count = 0;
    q->closed = false;
}
static void q_free(queue *q) {
    free(q->items);
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->cond);
}
static void q_push(queue *q, void *p) {
    pthread_mutex_lock(&q->lock);
    while (q->count == q->cap) pthread_cond_wait(&q->cond, &q->lock);
    q->items[(q->head + q->count++) % q->cap] = p;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}
static void q_close(queue *q) {
    pthread_mutex_lock(&q->lock);
    q->closed = true;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}
/* NULL once closed and drained. */
static void *q_pop(queue *q) {
    pthread_mutex_lock(&q->lock);
    while (q->count == 0 && !q->closed) pthread_cond_wait(&q->cond, &q->lock);
    void *p = NULL;
    if (q->count > 0) {
        p = q->items[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
        pthread_cond_broadcast(&q->cond);
    }
    pthread_mutex_unlock(&q->lock);
    return p;
}

/* Objects carry their own size and seed, so a consumer can check them. */
typedef struct obj_hdr {
    uint32_t size, seed;
} obj_hdr;

static void *make_obj(fa_alloc *fa, uint32_t size, uint32_t seed) {
    obj_hdr *h = fa_pool_alloc(fa, size);
    if (h == NULL) return NULL;
    h->size = size;
    h->seed = seed;
    tu_fill(h + 1, size - sizeof *h, seed);
    return h;
}
static bool obj_ok(const void *p) {
    const obj_hdr *h = p;
    return tu_check(h + 1, h->size - sizeof *h, h->seed) == SIZE_MAX;
}

typedef struct pc_job {
    fa_alloc *fa;
    queue *q;
    uint32_t id, n;
    _Atomic unsigned *bad;
    unsigned consumed;
} pc_job;

static void *producer(void *arg) {
    pc_job *j = arg;
    for (uint32_t i = 0; i < j->n; i++) {
        uint32_t size = 16 + (i * 37 + j->id * 101) % 2000;
        void *p = make_obj(j->fa, size, j->id * 1000000u + i);
        if (p == NULL) {
            atomic_fetch_add(j->bad, 1);
            continue;
        }
        q_push(j->q, p);
    }
    return NULL;
}

static void *consumer(void *arg) {
    pc_job *j = arg;
    void *p;
    while ((p = q_pop(j->q)) != NULL) {
        if (!obj_ok(p)) atomic_fetch_add(j->bad, 1);
        fa_pool_free(j->fa, p);
        j->consumed++;
    }
    return NULL;
}

/* Producers allocate, consumers on other threads check and free. Remote frees reach the
 * owners' pages: memory stays bounded although every object is freed remotely. */
Test(pool_threads, producers_and_consumers, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    enum { P = 2, C = 2, N = 5000 };
    queue q;
    q_init(&q, 256);
    _Atomic unsigned bad = 0;
    pc_job pj[P], cj[C];
    pthread_t pt[P], ct[C];
    for (uint32_t i = 0; i < C; i++) {
        cj[i] = (pc_job){.fa = fa, .q = &q, .id = 100 + i, .bad = &bad};
        pthread_create(&ct[i], NULL, consumer, &cj[i]);
    }
    for (uint32_t i = 0; i < P; i++) {
        pj[i] = (pc_job){.fa = fa, .q = &q, .id = i + 1, .n = N, .bad = &bad};
        pthread_create(&pt[i], NULL, producer, &pj[i]);
    }
    for (int i = 0; i < P; i++) pthread_join(pt[i], NULL);
    q_close(&q);
    for (int i = 0; i < C; i++) pthread_join(ct[i], NULL);
    cr_assert_eq(atomic_load(&bad), 0, "%u corrupted or failed objects", atomic_load(&bad));
    cr_assert_eq(cj[0].consumed + cj[1].consumed, P * N);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 0);
    cr_assert_eq(st.pool_bytes, 0);
    cr_assert_eq(tu_total(), 0);
    q_free(&q);
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0, "no leak report");
}

typedef struct cycle_job {
    fa_alloc *fa;
    queue *to_owner; /* freed objects come back here only to be counted */
    queue *q;
    uint32_t n;
    size_t max_reserved;
    _Atomic unsigned *bad;
} cycle_job;

/* The owner allocates continuously while another thread frees everything it gets: with at
 * most 256 objects in flight, the owner must keep reusing remotely freed slots. */
static void *cycling_owner(void *arg) {
    cycle_job *j = arg;
    for (uint32_t i = 0; i < j->n; i++) {
        void *p = make_obj(j->fa, 64, i);
        if (p == NULL) {
            atomic_fetch_add(j->bad, 1);
            break;
        }
        q_push(j->q, p);
        if (i % 1000 == 0) {
            fa_stats st;
            fa_get_stats(j->fa, &st);
            if (st.pool_reserved > j->max_reserved) j->max_reserved = st.pool_reserved;
        }
    }
    q_close(j->q);
    return NULL;
}

Test(pool_threads, remote_frees_are_reused_by_the_owner, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    queue q;
    q_init(&q, 256);
    _Atomic unsigned bad = 0;
    cycle_job oj = {.fa = fa, .q = &q, .n = 60000, .bad = &bad};
    pc_job cj = {.fa = fa, .q = &q, .bad = &bad};
    pthread_t o, c;
    pthread_create(&c, NULL, consumer, &cj);
    pthread_create(&o, NULL, cycling_owner, &oj);
    pthread_join(o, NULL);
    pthread_join(c, NULL);
    cr_assert_eq(atomic_load(&bad), 0);
    cr_assert_eq(cj.consumed, 60000);
    /* 60000 objects of 64 bytes would need 59 pages without reuse. */
    cr_assert_leq(oj.max_reserved, (size_t)16 * 65536, "%zu bytes of pages", oj.max_reserved);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 0);
    q_free(&q);
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0);
}

/* Every thread allocates objects and sends each to a random other thread, which checks and
 * frees it: frees land on pages owned by all threads at once. */
typedef struct a2a_job {
    fa_alloc *fa;
    queue *qs;
    uint32_t id, threads, n;
    _Atomic unsigned *bad, *done_producing;
    unsigned freed;
} a2a_job;

static void *all_to_all(void *arg) {
    a2a_job *j = arg;
    uint32_t rng = j->id * 7919u + 1;
    for (uint32_t i = 0; i < j->n; i++) {
        void *p = make_obj(j->fa, 16 + tu_rand(&rng) % 500, j->id << 20 | i);
        if (p == NULL) {
            atomic_fetch_add(j->bad, 1);
            continue;
        }
        q_push(&j->qs[(j->id + 1 + tu_rand(&rng) % (j->threads - 1)) % j->threads], p);
        /* drain our own queue without blocking */
        pthread_mutex_lock(&j->qs[j->id].lock);
        size_t pending = j->qs[j->id].count;
        pthread_mutex_unlock(&j->qs[j->id].lock);
        while (pending-- > 0) {
            void *r = q_pop(&j->qs[j->id]);
            if (!obj_ok(r)) atomic_fetch_add(j->bad, 1);
            fa_pool_free(j->fa, r);
            j->freed++;
        }
    }
    /* The last producer closes every queue; then drain ours. */
    if (atomic_fetch_add(j->done_producing, 1) + 1 == j->threads)
        for (uint32_t k = 0; k < j->threads; k++) q_close(&j->qs[k]);
    void *r;
    while ((r = q_pop(&j->qs[j->id])) != NULL) {
        if (!obj_ok(r)) atomic_fetch_add(j->bad, 1);
        fa_pool_free(j->fa, r);
        j->freed++;
    }
    return NULL;
}

Test(pool_threads, all_to_all_exchange, .init = tu_setup) {
    enum { T = 4, N = 5000 };
    fa_alloc *fa = tu_create(NULL);
    queue qs[T];
    for (int i = 0; i < T; i++) q_init(&qs[i], T * N); /* never full: pushes never block */
    _Atomic unsigned bad = 0, done = 0;
    a2a_job jobs[T];
    for (uint32_t i = 0; i < T; i++)
        jobs[i] = (a2a_job){.fa = fa, .qs = qs, .id = i, .threads = T, .n = N, .bad = &bad,
                            .done_producing = &done};
    tu_run_threads(T, all_to_all, jobs, sizeof jobs[0]);
    unsigned freed = 0;
    for (int i = 0; i < T; i++) freed += jobs[i].freed;
    cr_assert_eq(atomic_load(&bad), 0);
    cr_assert_eq(freed, T * N);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 0);
    for (int i = 0; i < T; i++) q_free(&qs[i]);
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0);
}

typedef struct exit_job {
    fa_alloc *fa;
    void *objs[300];
    uint32_t n, size;
} exit_job;

static void *alloc_and_exit(void *arg) {
    exit_job *j = arg;
    for (uint32_t i = 0; i < j->n; i++) j->objs[i] = make_obj(j->fa, j->size, 5000 + i);
    return NULL; /* exits with every object live */
}

/* A thread exits with live pool objects; another thread checks and frees them later, and
 * fa_pool_trim then returns the abandoned pages. */
Test(pool_threads, objects_outlive_their_thread, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    exit_job j = {.fa = fa, .n = 300, .size = 200};
    tu_run_threads(1, alloc_and_exit, &j, 0);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 300, "objects live on after their thread");
    cr_assert_eq(st.threads, 0);
    size_t reserved = st.pool_reserved;
    cr_assert_gt(reserved, 0);
    for (uint32_t i = 0; i < j.n; i++) {
        cr_assert(j.objs[i] != NULL && obj_ok(j.objs[i]), "object %u", i);
        fa_pool_free(fa, j.objs[i]);
    }
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 0);
    fa_pool_trim(fa);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_reserved, 0, "abandoned pages whose objects are all freed go back");
    cr_assert_eq(tu_total(), 0);
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0);
}

/* The next thread that needs a page of the same class adopts an abandoned page: its free
 * slots are used, and its remaining live objects are intact. */
Test(pool_threads, abandoned_pages_are_adopted, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    exit_job j = {.fa = fa, .n = 100, .size = 48};
    tu_run_threads(1, alloc_and_exit, &j, 0);
    for (uint32_t i = 0; i < 50; i++) fa_pool_free(fa, j.objs[i]); /* remote: no owner */
    void *mine[50];
    for (uint32_t i = 0; i < 50; i++) mine[i] = make_obj(fa, 48, 9000 + i);
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    cr_assert_eq(ts.pool_pages, 1, "the abandoned page was adopted, no new page taken");
    cr_assert_eq(ts.pool_count, 100);
    for (uint32_t i = 50; i < 100; i++) {
        cr_assert(obj_ok(j.objs[i]));
        fa_pool_free(fa, j.objs[i]);
    }
    for (uint32_t i = 0; i < 50; i++) {
        cr_assert(obj_ok(mine[i]));
        fa_pool_free(fa, mine[i]);
    }
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 0);
    cr_assert_eq(tu_total(), 0);
    fa_destroy(fa);
}

/* Thread stats count objects by the page owner, not by who allocated them last. */
static void *free_half(void *arg) {
    exit_job *j = arg;
    for (uint32_t i = 0; i < j->n / 2; i++) fa_pool_free(j->fa, j->objs[i]);
    return NULL;
}

Test(pool_threads, remote_frees_show_in_stats_at_once, .init = tu_setup) {
    fa_alloc *fa = tu_create(NULL);
    exit_job j = {.fa = fa, .n = 200, .size = 100};
    for (uint32_t i = 0; i < j.n; i++) j.objs[i] = make_obj(fa, 100, i);
    tu_run_threads(1, free_half, &j, 0);
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    cr_assert_eq(ts.pool_count, 100, "remote frees count before the owner collects them");
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 100);
    for (uint32_t i = 100; i < 200; i++) fa_pool_free(fa, j.objs[i]);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 0);
    fa_destroy(fa);
    cr_assert_eq(tu_total(), 0);
}

/* Remote frees racing the owner's collection, page release and reuse, owners exiting with live
 * objects, and fa_pool_trim on another thread. A remote free that became visible before it was
 * counted once let a reused page carry a phantom count, and trim then released a page holding a
 * live object: every kept object's bytes and the exact live count are checked. */
enum { RR_ROUNDS = 60, RR_OWNERS = 2, RR_BURSTS = 16, RR_BURST = 48, RR_KEEP = 4 };
enum { RR_KEPT_MAX = RR_ROUNDS * RR_OWNERS * RR_BURSTS * RR_KEEP };

typedef struct rr_shared {
    fa_alloc *fa;
    queue to_free;
    void **kept;
    _Atomic unsigned nkept, bad;
    _Atomic bool stop;
} rr_shared;

typedef struct rr_owner {
    rr_shared *s;
    uint32_t id;
} rr_owner;

static void *rr_owner_main(void *arg) {
    rr_owner *o = arg;
    rr_shared *s = o->s;
    for (uint32_t b = 0; b < RR_BURSTS; b++) {
        void *objs[RR_BURST];
        for (uint32_t i = 0; i < RR_BURST; i++) {
            objs[i] = make_obj(s->fa, 48, (o->id * RR_BURSTS + b) * RR_BURST + i);
            if (objs[i] == NULL) atomic_fetch_add(&s->bad, 1);
        }
        for (uint32_t i = 0; i < RR_BURST; i++) {
            if (objs[i] == NULL) continue;
            if (i < RR_KEEP)
                s->kept[atomic_fetch_add(&s->nkept, 1)] = objs[i];
            else if (i % 2)
                q_push(&s->to_free, objs[i]); /* freed remotely */
            else
                fa_pool_free(s->fa, objs[i]); /* freed locally: pages empty out and go back */
        }
    }
    return NULL; /* exits with the kept objects live: their pages are abandoned */
}

static void *rr_freer(void *arg) {
    rr_shared *s = arg;
    void *p;
    while ((p = q_pop(&s->to_free)) != NULL) {
        if (!obj_ok(p)) atomic_fetch_add(&s->bad, 1);
        fa_pool_free(s->fa, p);
    }
    return NULL;
}

static void *rr_trimmer(void *arg) {
    rr_shared *s = arg;
    while (!atomic_load(&s->stop)) fa_pool_trim(s->fa);
    return NULL;
}

Test(pool_threads, remote_frees_race_page_release_and_reuse, .init = tu_setup) {
    rr_shared s = {.fa = tu_create(NULL)};
    s.kept = calloc(RR_KEPT_MAX, sizeof *s.kept);
    q_init(&s.to_free, 256);
    pthread_t freers[2], trimmer;
    for (int i = 0; i < 2; i++) pthread_create(&freers[i], NULL, rr_freer, &s);
    pthread_create(&trimmer, NULL, rr_trimmer, &s);
    for (uint32_t r = 0; r < RR_ROUNDS; r++) {
        pthread_t th[RR_OWNERS];
        rr_owner o[RR_OWNERS];
        for (uint32_t k = 0; k < RR_OWNERS; k++) {
            o[k] = (rr_owner){.s = &s, .id = r * RR_OWNERS + k};
            pthread_create(&th[k], NULL, rr_owner_main, &o[k]);
        }
        for (uint32_t k = 0; k < RR_OWNERS; k++) pthread_join(th[k], NULL);
    }
    q_close(&s.to_free);
    for (int i = 0; i < 2; i++) pthread_join(freers[i], NULL);
    atomic_store(&s.stop, true);
    pthread_join(trimmer, NULL);

    unsigned n = atomic_load(&s.nkept);
    cr_assert_eq(atomic_load(&s.bad), 0, "objects lost or damaged in flight");
    cr_assert_eq(n, RR_KEPT_MAX);
    fa_pool_trim(s.fa);
    fa_stats st;
    fa_get_stats(s.fa, &st);
    cr_assert_eq(st.pool_count, n, "live objects counted exactly");
    for (unsigned i = 0; i < n; i++) cr_assert(obj_ok(s.kept[i]), "kept object %u damaged", i);
    for (unsigned i = 0; i < n; i++) {
        void *again = make_obj(s.fa, 48, 777);
        for (unsigned j = 0; j < 8 && again != NULL; j++)
            cr_assert_neq(again, s.kept[(i * 31 + j) % n]);
        fa_pool_free(s.fa, again);
    }
    for (unsigned i = 0; i < n; i++) fa_pool_free(s.fa, s.kept[i]);
    fa_get_stats(s.fa, &st);
    cr_assert_eq(st.pool_count, 0);
    fa_pool_trim(s.fa);
    fa_get_stats(s.fa, &st);
    cr_assert_eq(st.pool_reserved, 0);
    cr_assert_eq(tu_total(), 0);
    q_free(&s.to_free);
    free(s.kept);
    fa_destroy(s.fa);
}
