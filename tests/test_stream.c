// SPDX-License-Identifier: MIT
/*
 * test_stream.c - the streaming allocator (stream.c): lifecycle, eviction order, no partial
 * eviction, a random operation sequence against a model, tag budgets, bad input, a loader
 * thread feeding the game thread, and cancels in every state and racing with the loader.
 */
#include "fa_test.h"
#include "test_util.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static fa_alloc *fa;
static void setup(void) {
    tu_setup();
    fa = tu_create(NULL);
}
static void teardown(void) { fa_destroy(fa); }

#define STREAM_TEST(name, ...) Test(stream, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static fa_stream_stats sstats(fa_stream *s) {
    fa_stream_stats st;
    fa_stream_get_stats(s, &st);
    return st;
}

typedef struct evict_log {
    fa_stream *s;
    fa_stream_id ids[256];
    size_t n, bytes;
    int bad;
} evict_log;

static void on_evict(fa_stream_id id, void *data, size_t size, int priority, void *user) {
    evict_log *log = user;
    if (log->n < 256) log->ids[log->n] = id;
    log->n++;
    log->bytes += size;
    if (log->s == NULL) return;
    /* the id is already gone, the data still readable, the stream usable from here */
    if (fa_stream_get_state(log->s, id, NULL) != FA_STREAM_NONE) log->bad++;
    if (tu_check(data, size < 4096 ? size : 4096, (uint32_t)id) != SIZE_MAX) log->bad++;
    (void)priority;
}

/* reserve + load with a pattern seeded by the id */
static fa_stream_id load(fa_stream *s, size_t size, int prio) {
    fa_status why;
    fa_stream_id id = fa_stream_reserve(s, size, prio, &why);
    if (id == 0) return 0;
    unsigned char *p = fa_stream_begin_load(s, id);
    tu_fill(p, size, (uint32_t)id);
    fa_stream_finish_load(s, id);
    return id;
}

static void next_frame(void) {
    fa_begin_frame(fa);
    fa_end_frame(fa);
}

STREAM_TEST(lifecycle) {
    fa_stream_config c = {.budget = 1 << 20};
    fa_stream *s = fa_stream_create(fa, &c);
    cr_assert_not_null(s);
    fa_status why = FA_ERR_CORRUPTION;
    fa_stream_id id = fa_stream_reserve(s, 300000, 5, &why);
    cr_assert_neq(id, 0);
    cr_assert_eq(why, FA_OK);
    size_t loaded = 1;
    cr_assert_eq(fa_stream_get_state(s, id, &loaded), FA_STREAM_RESERVED);
    cr_assert_eq(loaded, 0);
    cr_assert_null(fa_stream_access(s, id), "not loaded yet");
    unsigned char *p = fa_stream_begin_load(s, id);
    cr_assert_not_null(p);
    cr_assert_eq(fa_stream_get_state(s, id, NULL), FA_STREAM_LOADING);
    tu_fill(p, 100000, 1);
    cr_assert_eq(fa_stream_progress(s, id, 100000), FA_OK);
    fa_stream_get_state(s, id, &loaded);
    cr_assert_eq(loaded, 100000);
    tu_fill(p + 100000, 200000, 2);
    cr_assert_eq(fa_stream_finish_load(s, id), FA_OK);
    cr_assert_eq(fa_stream_get_state(s, id, &loaded), FA_STREAM_READY);
    cr_assert_eq(loaded, 300000);
    unsigned char *q = fa_stream_access(s, id);
    cr_assert_eq(q, p);
    cr_assert_eq(tu_check(q, 100000, 1), SIZE_MAX);
    cr_assert_eq(tu_check(q + 100000, 200000, 2), SIZE_MAX);
    fa_stream_stats st = sstats(s);
    cr_assert_eq(st.used_bytes, 300000);
    cr_assert_eq(st.ready, 1);
    cr_assert_eq(st.entries, 1);
    cr_assert_eq(fa_stream_release(s, id), FA_OK);
    cr_assert_eq(fa_stream_get_state(s, id, NULL), FA_STREAM_NONE);
    cr_assert_null(fa_stream_access(s, id));
    cr_assert_eq(sstats(s).used_bytes, 0);
    cr_assert_eq(tu_total(), 0);
    fa_stream_destroy(s);
}

STREAM_TEST(bad_input) {
    fa_stream_config c = {.budget = 1 << 20, .max_entries = 4};
    cr_assert_null(fa_stream_create(NULL, &c));
    cr_assert_null(fa_stream_create(fa, NULL), "budget 0");
    fa_stream_config badtag = {.budget = 1 << 20, .tag = 33};
    cr_assert_null(fa_stream_create(fa, &badtag));
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 3);
    tu_capture_reset(&tu_cap);
    fa_stream *s = fa_stream_create(fa, &c);
    fa_status why;
    cr_assert_eq(fa_stream_reserve(NULL, 10, 0, &why), 0);
    cr_assert_eq(why, FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_stream_reserve(s, 0, 0, &why), 0);
    cr_assert_eq(why, FA_ERR_ZERO_SIZE);
    cr_assert_eq(fa_stream_reserve(s, (1 << 20) + 1, 0, &why), 0);
    cr_assert_eq(why, FA_ERR_TOO_LARGE);
    cr_assert_eq(fa_stream_reserve(s, SIZE_MAX, 0, &why), 0);
    cr_assert_eq(why, FA_ERR_TOO_LARGE);
    cr_assert_eq(tu_count(FA_ERR_ZERO_SIZE) + tu_count(FA_ERR_TOO_LARGE), 0, "quiet with why");
    cr_assert_eq(fa_stream_reserve(s, 0, 0, NULL), 0);
    cr_assert_eq(tu_count(FA_ERR_ZERO_SIZE), 1, "reported without why");
    fa_stream_id id = fa_stream_reserve(s, 1000, 0, &why);
    /* wrong state transitions */
    cr_assert_eq(fa_stream_progress(s, id, 10), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_stream_finish_load(s, id), FA_ERR_INVALID_ARGUMENT);
    cr_assert_not_null(fa_stream_begin_load(s, id));
    cr_assert_null(fa_stream_begin_load(s, id), "twice");
    cr_assert_eq(fa_stream_progress(s, id, 1001), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_stream_progress(s, id, 500), FA_OK);
    cr_assert_eq(fa_stream_progress(s, id, 400), FA_ERR_INVALID_ARGUMENT, "going back");
    cr_assert_eq(fa_stream_release(s, id), FA_ERR_INVALID_ARGUMENT, "still loading");
    cr_assert_eq(fa_stream_finish_load(s, id), FA_OK);
    cr_assert_eq(fa_stream_unpin(s, id), FA_ERR_INVALID_ARGUMENT, "not pinned");
    cr_assert_not_null(fa_stream_pin(s, id));
    cr_assert_eq(fa_stream_release(s, id), FA_ERR_INVALID_ARGUMENT, "pinned");
    cr_assert_eq(fa_stream_unpin(s, id), FA_OK);
    /* unknown, stale and garbage ids */
    static const fa_stream_id garbage[] = {0, 1, UINT64_MAX, (fa_stream_id)1 << 32,
                                           ((fa_stream_id)7 << 32) | 1, 0x123456789abcdefull};
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        fa_stream_id g = garbage[i];
        if (g == id) continue;
        cr_assert_null(fa_stream_access(s, g));
        cr_assert_null(fa_stream_pin(s, g));
        cr_assert_null(fa_stream_begin_load(s, g));
        cr_assert_eq(fa_stream_get_state(s, g, NULL), FA_STREAM_NONE);
        cr_assert_eq(fa_stream_release(s, g), FA_ERR_INVALID_ARGUMENT);
        cr_assert_eq(fa_stream_unpin(s, g), FA_ERR_INVALID_ARGUMENT);
    }
    cr_assert_eq(fa_stream_get_state(s, id, NULL), FA_STREAM_READY, "nothing lost");
    cr_assert_eq(fa_stream_release(s, id), FA_OK);
    cr_assert_eq(fa_stream_release(s, id), FA_ERR_INVALID_ARGUMENT, "stale");
    fa_stream_id again = fa_stream_reserve(s, 1000, 0, &why);
    cr_assert_eq((uint32_t)again, (uint32_t)id, "slot reused");
    cr_assert_null(fa_stream_begin_load(s, id), "the stale id does not reach the new entry");
    cr_assert_eq(fa_stream_get_state(s, again, NULL), FA_STREAM_RESERVED);
    /* table full */
    for (int i = 0; i < 3; i++) cr_assert_neq(fa_stream_reserve(s, 10, 0, &why), 0);
    cr_assert_eq(fa_stream_reserve(s, 10, 0, &why), 0);
    cr_assert_eq(why, FA_ERR_OUT_OF_MEMORY);
    cr_assert_null(fa_stream_access(NULL, 1));
    cr_assert_null(fa_stream_access((fa_stream *)(void *)fa, 1), "not a stream");
    fa_stream_destroy(s);
    fa_stream_destroy(NULL);
}

/* Lowest priority first, then the oldest last-use frame, then the oldest reservation. */
STREAM_TEST(eviction_order) {
    evict_log log = {0};
    fa_stream_config c = {.budget = 8 * 4096, .on_evict = on_evict, .user = &log};
    fa_stream *s = fa_stream_create(fa, &c);
    log.s = s;
    next_frame(); /* frame 1 */
    fa_stream_id hi_old = load(s, 4096, 9);  /* frame 1, high priority */
    fa_stream_id a = load(s, 4096, 1);       /* frame 1 */
    fa_stream_id b = load(s, 4096, 1);       /* frame 1, reserved after a */
    fa_stream_id low = load(s, 4096, 0);     /* lowest priority */
    next_frame();
    next_frame(); /* frame 3 */
    fa_stream_id d = load(s, 4096, 1);
    fa_stream_id e = load(s, 4096, 1);
    fa_stream_id f = load(s, 4096, 1);
    fa_stream_id g = load(s, 4096, 1);
    next_frame(); /* frame 4: touching a makes it the most recent of priority 1 */
    cr_assert_not_null(fa_stream_access(s, a));
    cr_assert_not_null(fa_stream_access(s, low), "access does not save a lower priority");
    cr_assert_eq(sstats(s).used_bytes, 8 * 4096);
    cr_assert_eq(sstats(s).clock, 4);
    fa_stream_id expect[] = {low, b, d, e, f, g, a, hi_old};
    fa_status why;
    fa_stream_id big = fa_stream_reserve(s, 3 * 4096, 5, &why);
    cr_assert_neq(big, 0);
    cr_assert_eq(log.n, 3);
    for (size_t i = 0; i < 3; i++) cr_assert_eq(log.ids[i], expect[i], "victim %zu", i);
    cr_assert_eq(log.bad, 0);
    fa_stream_release(s, big);
    log.n = 0;
    fa_stream_id all = fa_stream_reserve(s, 8 * 4096, 5, &why);
    cr_assert_neq(all, 0);
    cr_assert_eq(log.n, 5);
    for (size_t i = 0; i < 5; i++) cr_assert_eq(log.ids[i], expect[3 + i], "victim %zu", i);
    cr_assert_eq(sstats(s).evictions, 8);
    cr_assert_eq(sstats(s).used_bytes, 8 * 4096);
    fa_stream_destroy(s);
}

/* A request that cannot be satisfied evicts nothing; loading, reserved and pinned entries
 * are never evicted. */
STREAM_TEST(no_half_eviction) {
    evict_log log = {0};
    fa_stream_config c = {.budget = 10 * 4096, .on_evict = on_evict, .user = &log};
    fa_stream *s = fa_stream_create(fa, &c);
    log.s = s;
    fa_stream_id ready[4];
    for (int i = 0; i < 4; i++) ready[i] = load(s, 4096, 0);
    fa_stream_id pinned = load(s, 2 * 4096, 0);
    cr_assert_not_null(fa_stream_pin(s, pinned));
    fa_status why;
    fa_stream_id loading = fa_stream_reserve(s, 2 * 4096, 0, &why);
    cr_assert_not_null(fa_stream_begin_load(s, loading));
    fa_stream_id reserved = fa_stream_reserve(s, 2 * 4096, 0, &why);
    cr_assert_eq(sstats(s).used_bytes, 10 * 4096);
    /* 5 pages needed, 4 evictable */
    cr_assert_eq(fa_stream_reserve(s, 5 * 4096, 100, &why), 0);
    cr_assert_eq(why, FA_ERR_BUDGET);
    cr_assert_eq(log.n, 0, "nothing evicted");
    for (int i = 0; i < 4; i++) cr_assert_eq(fa_stream_get_state(s, ready[i], NULL), FA_STREAM_READY);
    cr_assert_eq(sstats(s).used_bytes, 10 * 4096);
    cr_assert_eq(sstats(s).refused, 1);
    cr_assert_eq(tu_total(), 0, "quiet with why");
    /* 4 pages fit: exactly the four ready ones go */
    cr_assert_neq(fa_stream_reserve(s, 4 * 4096, 100, &why), 0);
    cr_assert_eq(log.n, 4);
    cr_assert_eq(fa_stream_get_state(s, pinned, NULL), FA_STREAM_READY);
    cr_assert_eq(fa_stream_get_state(s, loading, NULL), FA_STREAM_LOADING);
    cr_assert_eq(fa_stream_get_state(s, reserved, NULL), FA_STREAM_RESERVED);
    cr_assert_eq(fa_stream_reserve(s, 4096, 100, &why), 0);
    cr_assert_eq(why, FA_ERR_BUDGET);
    cr_assert_eq(fa_stream_unpin(s, pinned), FA_OK);
    cr_assert_neq(fa_stream_reserve(s, 4096, 100, &why), 0, "unpinned, it may go");
    cr_assert_eq(fa_stream_get_state(s, pinned, NULL), FA_STREAM_NONE);
    fa_stream_destroy(s);
}

STREAM_TEST(charges_the_tag) {
    fa_tag tag = fa_tag_register(fa, "textures");
    fa_tag_set_budget(fa, tag, 0, 6 * 4096);
    evict_log log = {0};
    fa_stream_config c = {.budget = 10 * 4096, .tag = tag, .on_evict = on_evict, .user = &log};
    fa_stream *s = fa_stream_create(fa, &c);
    log.s = s;
    fa_stream_id a = load(s, 3 * 4096, 0);
    fa_stream_id b = load(s, 3 * 4096, 0);
    fa_tag_stats ts;
    fa_get_tag_stats(fa, tag, &ts);
    cr_assert_eq(ts.heap_bytes, 6 * 4096);
    fa_status why;
    cr_assert_eq(fa_stream_reserve(s, 4096, 0, &why), 0, "the tag's hard budget is lower");
    cr_assert_eq(why, FA_ERR_BUDGET);
    cr_assert_eq(log.n, 0);
    cr_assert_eq(fa_stream_get_state(s, a, NULL), FA_STREAM_READY);
    fa_stream_release(s, b);
    fa_get_tag_stats(fa, tag, &ts);
    cr_assert_eq(ts.heap_bytes, 3 * 4096);
    fa_stream_destroy(s);
    fa_get_tag_stats(fa, tag, &ts);
    cr_assert_eq(ts.heap_bytes, 0);
}

/* Random operations against a model that predicts every eviction. */
typedef struct mentry {
    fa_stream_id id;
    size_t size;
    int prio, state, pins; /* state: 1 reserved, 2 loading, 3 ready */
    uint64_t frame, seq;
} mentry;

static uint64_t rs = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void) {
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

static int mcmp(const mentry *x, const mentry *y) {
    if (x->prio != y->prio) return x->prio < y->prio ? -1 : 1;
    if (x->frame != y->frame) return x->frame < y->frame ? -1 : 1;
    return x->seq < y->seq ? -1 : 1;
}

STREAM_TEST(random_ops_match_model, .timeout = 120) {
    enum { M = 200 };
    evict_log log = {0};
    const size_t budget = 64 * 4096;
    fa_stream_config c = {.budget = budget, .on_evict = on_evict, .user = &log, .max_entries = M};
    fa_stream *s = fa_stream_create(fa, &c);
    log.s = s;
    static mentry m[M];
    size_t n = 0, used = 0;
    uint64_t seq = 0, frame = 0, evicted_total = 0;
    for (int op = 0; op < 20000 * (int)tu_scale(); op++) {
        unsigned r = (unsigned)(rnd() % 100);
        if (r < 10) {
            next_frame();
            frame = fa_frame_number(fa);
        } else if (r < 40) { /* reserve: predict the victims */
            size_t size = 1 + rnd() % (12 * 4096);
            int prio = (int)(rnd() % 4);
            size_t need = used + size > budget ? used + size - budget : 0, avail = 0;
            size_t order[M], no = 0;
            for (size_t i = 0; i < n; i++)
                if (m[i].state == 3 && m[i].pins == 0) {
                    avail += m[i].size;
                    size_t j = no++;
                    while (j > 0 && mcmp(&m[order[j - 1]], &m[i]) > 0) {
                        order[j] = order[j - 1];
                        j--;
                    }
                    order[j] = i;
                }
            bool ok = avail >= need && n < M;
            size_t nv = 0, freed = 0;
            while (ok && freed < need) freed += m[order[nv++]].size;
            fa_stream_id expect[M];
            for (size_t k = 0; k < nv; k++) expect[k] = m[order[k]].id;
            log.n = 0;
            fa_status why;
            fa_stream_id id = fa_stream_reserve(s, size, prio, &why);
            cr_assert_eq(id != 0, ok, "op %d: reserve %zu (need %zu, avail %zu): %s", op, size,
                         need, avail, fa_status_name(why));
            cr_assert_eq(log.n, nv, "op %d", op);
            for (size_t k = 0; k < nv; k++) cr_assert_eq(log.ids[k], expect[k], "op %d victim %zu", op, k);
            evicted_total += nv;
            if (ok) {
                for (size_t k = 0; k < nv; k++) /* drop victims from the model */
                    for (size_t i = 0; i < n; i++)
                        if (m[i].id == expect[k]) {
                            used -= m[i].size;
                            m[i] = m[--n];
                            break;
                        }
                m[n++] = (mentry){id, size, prio, 1, 0, frame, ++seq};
                used += size;
            } else {
                cr_assert(why == FA_ERR_BUDGET || why == FA_ERR_OUT_OF_MEMORY);
            }
        } else if (n > 0) {
            size_t i = rnd() % n;
            mentry *e = &m[i];
            if (r < 55) {
                if (e->state == 1) {
                    unsigned char *p = fa_stream_begin_load(s, e->id);
                    cr_assert_not_null(p);
                    tu_fill(p, e->size < 4096 ? e->size : 4096, (uint32_t)e->id);
                    e->state = 2;
                } else if (e->state == 2) {
                    cr_assert_eq(fa_stream_finish_load(s, e->id), FA_OK);
                    e->state = 3;
                    e->frame = frame;
                }
            } else if (r < 75) {
                void *p = fa_stream_access(s, e->id);
                cr_assert_eq(p != NULL, e->state == 3);
                if (p) {
                    cr_assert_eq(tu_check(p, e->size < 4096 ? e->size : 4096, (uint32_t)e->id), SIZE_MAX);
                    e->frame = frame;
                }
            } else if (r < 82) {
                if (e->state == 3 && e->pins < 2) {
                    cr_assert_not_null(fa_stream_pin(s, e->id));
                    e->pins++;
                    e->frame = frame;
                } else if (e->pins > 0) {
                    cr_assert_eq(fa_stream_unpin(s, e->id), FA_OK);
                    e->pins--;
                }
            } else if (r < 90 && e->state != 2 && e->pins == 0) {
                cr_assert_eq(fa_stream_release(s, e->id), FA_OK);
                used -= e->size;
                m[i] = m[--n];
            }
        }
        fa_stream_stats st = sstats(s);
        cr_assert_leq(st.used_bytes, budget, "op %d", op);
        cr_assert_eq(st.used_bytes, used, "op %d", op);
        cr_assert_eq(st.entries, n, "op %d", op);
    }
    cr_assert_gt(evicted_total, 100, "the sequence exercised eviction");
    cr_assert_eq(log.bad, 0);
    cr_assert_eq(tu_total(), 0);
    fa_stream_destroy(s);
}

/* A loader thread loads what the game thread requests, in chunks with progress; the game
 * thread runs frames, uses what is ready (checking contents), pins some while it "renders",
 * releases some, and the budget makes evictions happen throughout. */
typedef struct job_queue {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    fa_stream_id q[1024];
    size_t qsize[1024];
    size_t head, tail, finished;
    bool done;
} job_queue;

typedef struct loader_ctx {
    fa_stream *s;
    job_queue *jq;
    unsigned loaded;
    int bad;
} loader_ctx;

static void *loader_main(void *arg) {
    loader_ctx *lc = arg;
    job_queue *jq = lc->jq;
    for (;;) {
        pthread_mutex_lock(&jq->lock);
        while (jq->head == jq->tail && !jq->done) pthread_cond_wait(&jq->cond, &jq->lock);
        if (jq->head == jq->tail) {
            pthread_mutex_unlock(&jq->lock);
            return NULL;
        }
        size_t size = jq->qsize[jq->head % 1024];
        fa_stream_id id = jq->q[jq->head++ % 1024];
        pthread_mutex_unlock(&jq->lock);
        unsigned char *p = fa_stream_begin_load(lc->s, id);
        if (p == NULL) {
            lc->bad++;
            continue;
        }
        for (size_t off = 0; off < size; off += 4096) {
            tu_fill(p + off, 4096, (uint32_t)id + (uint32_t)off);
            if (fa_stream_progress(lc->s, id, off + 4096) != FA_OK) lc->bad++;
        }
        if (fa_stream_finish_load(lc->s, id) != FA_OK) lc->bad++;
        lc->loaded++;
        pthread_mutex_lock(&jq->lock);
        jq->finished++;
        pthread_cond_broadcast(&jq->cond);
        pthread_mutex_unlock(&jq->lock);
    }
}

STREAM_TEST(loader_thread_and_game_thread, .timeout = 120) {
    evict_log log = {0};
    fa_stream_config c = {.budget = 256 * 4096, .on_evict = on_evict, .user = &log};
    fa_stream *s = fa_stream_create(fa, &c);
    log.s = NULL; /* on_evict's pattern check assumes load(); here only count */
    job_queue jq = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    loader_ctx lc = {.s = s, .jq = &jq};
    pthread_t th;
    pthread_create(&th, NULL, loader_main, &lc);
    enum { W = 64 };
    fa_stream_id want[W] = {0};
    size_t want_size[W] = {0};
    unsigned checked = 0, refused = 0;
    for (int frame = 0; frame < 400; frame++) {
        fa_begin_frame(fa);
        for (int k = 0; k < 4; k++) { /* request a few assets */
            int slot = (int)(rnd() % W);
            if (want[slot] != 0) {
                fa_stream_state st = fa_stream_get_state(s, want[slot], NULL);
                if (st == FA_STREAM_LOADING || st == FA_STREAM_RESERVED) continue;
                if (st == FA_STREAM_READY) fa_stream_release(s, want[slot]);
            }
            fa_status why;
            size_t size = (rnd() % 16 + 1) * 4096;
            fa_stream_id id = fa_stream_reserve(s, size, (int)(rnd() % 3), &why);
            want[slot] = id;
            want_size[slot] = size;
            if (id == 0) {
                cr_assert(why == FA_ERR_BUDGET, "%s", fa_status_name(why));
                refused++;
                continue;
            }
            pthread_mutex_lock(&jq.lock);
            jq.qsize[jq.tail % 1024] = size;
            jq.q[jq.tail++ % 1024] = id;
            pthread_cond_signal(&jq.cond);
            pthread_mutex_unlock(&jq.lock);
        }
        for (int slot = 0; slot < W; slot++) { /* use what is ready */
            if (want[slot] == 0) continue;
            unsigned char *p = fa_stream_pin(s, want[slot]);
            if (p == NULL) continue;
            size_t size = want_size[slot];
            for (size_t off = 0; off < size; off += 4096)
                cr_assert_eq(tu_check(p + off, 4096, (uint32_t)want[slot] + (uint32_t)off),
                             SIZE_MAX, "frame %d", frame);
            checked++;
            cr_assert_eq(fa_stream_unpin(s, want[slot]), FA_OK);
        }
        fa_stream_stats st = sstats(s);
        cr_assert_leq(st.used_bytes, st.budget);
        fa_end_frame(fa);
        /* frame pacing: the loader may lag by at most two jobs, so both threads overlap */
        pthread_mutex_lock(&jq.lock);
        while (jq.finished + 2 < jq.tail) pthread_cond_wait(&jq.cond, &jq.lock);
        pthread_mutex_unlock(&jq.lock);
    }
    pthread_mutex_lock(&jq.lock);
    jq.done = true;
    pthread_cond_signal(&jq.cond);
    pthread_mutex_unlock(&jq.lock);
    pthread_join(th, NULL);
    cr_log_info("loaded %u, checked %u, evicted %zu, refused %u", lc.loaded, checked, log.n,
                refused);
    cr_assert_eq(lc.bad, 0);
    cr_assert_gt(lc.loaded, 100);
    cr_assert_gt(checked, 100);
    cr_assert_gt(log.n, 0, "the budget forced evictions");
    fa_stream_destroy(s);
}

STREAM_TEST(cancel_in_every_state) {
    fa_stream_config c = {.budget = 64 * 4096};
    fa_stream *s = fa_stream_create(fa, &c);
    fa_status why;
    /* reserved: freed at once */
    fa_stream_id r = fa_stream_reserve(s, 8 * 4096, 0, &why);
    cr_assert_eq(fa_stream_cancel(s, r), FA_OK);
    cr_assert_eq(fa_stream_get_state(s, r, NULL), FA_STREAM_NONE);
    cr_assert_eq(sstats(s).used_bytes, 0);
    /* ready: freed at once */
    fa_stream_id ready = load(s, 4 * 4096, 1);
    cr_assert_eq(fa_stream_cancel(s, ready), FA_OK);
    cr_assert_null(fa_stream_access(s, ready));
    cr_assert_eq(sstats(s).used_bytes, 0);
    /* loading: the loader keeps its buffer until it next reports */
    fa_stream_id l = fa_stream_reserve(s, 16 * 4096, 0, &why);
    unsigned char *buf = fa_stream_begin_load(s, l);
    memset(buf, 0x11, 4096);
    cr_assert_eq(fa_stream_progress(s, l, 4096), FA_OK);
    cr_assert_eq(fa_stream_cancel(s, l), FA_OK);
    cr_assert_eq(fa_stream_cancel(s, l), FA_OK, "cancelling twice is fine");
    cr_assert_eq(fa_stream_get_state(s, l, NULL), FA_STREAM_CANCELLED);
    memset(buf + 4096, 0x22, 4096); /* the loader may still be writing: the buffer is there */
    fa_stream_stats st = sstats(s);
    cr_assert_eq(st.used_bytes, 16 * 4096, "its bytes count until the loader stops");
    cr_assert_eq(st.cancelled, 1);
    cr_assert_eq(st.entries, 1);
    cr_assert_null(fa_stream_access(s, l), "never readable");
    cr_assert_null(fa_stream_pin(s, l));
    cr_assert_eq(fa_stream_release(s, l), FA_ERR_INVALID_ARGUMENT, "nor released under the loader");
    cr_assert_eq(tu_total(), 1);
    cr_assert_eq(fa_stream_progress(s, l, 8192), FA_ERR_INVALID_ARGUMENT, "the loader learns");
    cr_assert_eq(tu_total(), 1, "quietly");
    cr_assert_eq(fa_stream_get_state(s, l, NULL), FA_STREAM_NONE);
    st = sstats(s);
    cr_assert_eq(st.used_bytes, 0);
    cr_assert_eq(st.cancelled, 0);
    cr_assert_eq(st.cancels, 3);
    /* the same through finish_load */
    fa_stream_id l2 = fa_stream_reserve(s, 4096, 0, &why);
    cr_assert_not_null(fa_stream_begin_load(s, l2));
    cr_assert_eq(fa_stream_cancel(s, l2), FA_OK);
    cr_assert_eq(fa_stream_finish_load(s, l2), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_stream_get_state(s, l2, NULL), FA_STREAM_NONE);
    /* pinned: refused and reported; stale: quiet */
    fa_stream_id p = load(s, 4096, 0);
    cr_assert_not_null(fa_stream_pin(s, p));
    cr_assert_eq(fa_stream_cancel(s, p), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(tu_total(), 2);
    cr_assert_not_null(fa_stream_access(s, p), "the pinned entry is untouched");
    fa_stream_unpin(s, p);
    cr_assert_eq(fa_stream_cancel(s, p), FA_OK);
    cr_assert_eq(fa_stream_cancel(s, p), FA_ERR_INVALID_ARGUMENT, "stale id");
    cr_assert_eq(fa_stream_cancel(s, 0), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_stream_cancel(s, 12345), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(tu_total(), 2, "stale ids are an expected race, not an error");
    cr_assert_eq(fa_stream_cancel(NULL, p), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(tu_total(), 3, "a NULL stream is");
    cr_assert_eq(sstats(s).used_bytes, 0);
    cr_assert_neq(fa_stream_reserve(s, 64 * 4096, 0, &why), 0, "the whole budget is free again");
    fa_stream_destroy(s);
}

/* A loader thread writes in chunks while the game thread cancels some entries at random
 * moments (run under TSan): the loader stops at the first refused progress, nothing leaks,
 * the budget holds, and entries that were not cancelled load intact. */
typedef struct cancel_loader {
    fa_stream *s;
    fa_stream_id ids[64];
    _Atomic unsigned published;
    unsigned stopped, finished, bad;
} cancel_loader;

static void *cancel_loader_main(void *arg) {
    cancel_loader *c = arg;
    for (unsigned i = 0; i < 64; i++) {
        while (atomic_load(&c->published) <= i) sched_yield();
        fa_stream_id id = c->ids[i];
        unsigned char *p = fa_stream_begin_load(c->s, id);
        if (p == NULL) { /* cancelled while still reserved */
            c->stopped++;
            continue;
        }
        bool stopped = false;
        for (size_t off = 0; off < 8 * 4096 && !stopped; off += 4096) {
            tu_fill(p + off, 4096, (uint32_t)id + (uint32_t)off);
            stopped = fa_stream_progress(c->s, id, off + 4096) != FA_OK;
        }
        if (stopped) c->stopped++;
        else if (fa_stream_finish_load(c->s, id) == FA_OK) c->finished++;
        else c->stopped++;
    }
    return NULL;
}

STREAM_TEST(cancel_races_with_the_loader, .timeout = 120) {
    fa_stream_config cfg = {.budget = 64 * 8 * 4096};
    fa_stream *s = fa_stream_create(fa, &cfg);
    cancel_loader c = {.s = s};
    pthread_t th;
    pthread_create(&th, NULL, cancel_loader_main, &c);
    bool cancelled[64] = {false};
    for (unsigned i = 0; i < 64; i++) {
        fa_status why;
        c.ids[i] = fa_stream_reserve(s, 8 * 4096, 0, &why);
        cr_assert_neq(c.ids[i], 0);
        atomic_store(&c.published, i + 1);
        if (rnd() % 2 == 0) {
            for (unsigned spin = rnd() % 2000; spin > 0; spin--) sched_yield();
            fa_status st = fa_stream_cancel(s, c.ids[i]);
            cancelled[i] = st == FA_OK; /* it may have finished loading first: then freed */
        }
    }
    pthread_join(th, NULL);
    unsigned intact = 0;
    for (unsigned i = 0; i < 64; i++) {
        fa_stream_state st = fa_stream_get_state(s, c.ids[i], NULL);
        if (cancelled[i]) {
            cr_assert_eq(st, FA_STREAM_NONE, "entry %u: cancelled entries are gone", i);
            continue;
        }
        cr_assert_eq(st, FA_STREAM_READY, "entry %u", i);
        unsigned char *p = fa_stream_access(s, c.ids[i]);
        for (size_t off = 0; off < 8 * 4096; off += 4096)
            cr_assert_eq(tu_check(p + off, 4096, (uint32_t)c.ids[i] + (uint32_t)off), SIZE_MAX);
        intact++;
    }
    fa_stream_stats st = sstats(s);
    cr_assert_eq(st.cancelled, 0, "the loader acknowledged every cancel");
    cr_assert_eq(st.entries, intact);
    cr_assert_eq(st.used_bytes, (size_t)intact * 8 * 4096);
    cr_assert_eq(c.finished + c.stopped, 64);
    cr_assert_eq(tu_total(), 0);
    fa_stream_destroy(s);
}

/* Asset memory is part of the allocator's own figures through every way an entry ends:
 * release, eviction, cancel acknowledged by the loader, destroy. */
STREAM_TEST(entries_appear_in_the_allocator_stats) {
    fa_stream_config c = {.budget = 1 << 20};
    fa_stream *s = fa_stream_create(fa, &c);
    fa_stream_id a = load(s, 300000, 0), b = load(s, 100, 1);
    cr_assert(a != 0 && b != 0);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.stream_count, 2);
    cr_assert_eq(st.stream_bytes, 300100);
    /* mappings are whole OS pages (64 KiB at most, the Windows allocation granularity) */
    cr_assert_geq(st.stream_reserved, 300100 + 4095);
    cr_assert_leq(st.stream_reserved, 300100 + 2 * 65536);
    fa_stream_id l = fa_stream_reserve(s, 200000, 2, NULL);
    cr_assert_not_null(fa_stream_begin_load(s, l));
    cr_assert_eq(fa_stream_cancel(s, l), FA_OK);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.stream_count, 3, "a cancelled load holds its buffer until acknowledged");
    cr_assert_eq(fa_stream_progress(s, l, 10), FA_ERR_INVALID_ARGUMENT);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.stream_count, 2);
    cr_assert_eq(st.stream_bytes, 300100);
    /* 800000 bytes do not fit beside both: the priority-0 entry is evicted */
    fa_stream_id big = fa_stream_reserve(s, 800000, 3, NULL);
    cr_assert_neq(big, 0);
    cr_assert_eq(fa_stream_get_state(s, a, NULL), FA_STREAM_NONE);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.stream_count, 2);
    cr_assert_eq(st.stream_bytes, 800100);
    cr_assert_eq(fa_stream_release(s, b), FA_OK);
    cr_assert_eq(fa_stream_release(s, b), FA_ERR_INVALID_ARGUMENT, "released twice");
    fa_get_stats(fa, &st);
    cr_assert_eq(st.stream_count, 1);
    cr_assert_eq(st.stream_bytes, 800000);
    cr_assert_geq(st.stream_reserved, 800000);
    cr_assert_lt(st.stream_reserved, 800000 + 65536);
    fa_stream_destroy(s);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.stream_count, 0);
    cr_assert_eq(st.stream_bytes, 0);
    cr_assert_eq(st.stream_reserved, 0);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1);
}
