// SPDX-License-Identifier: MIT
/*
 * test_observe.c - frame history (one record per outermost frame, per-tag and heap figures,
 * budget events, exited threads kept, reads from another thread while frames run), profiler
 * hooks, fa_stats_print and the exports' error paths and escaping. The exports' formats are
 * validated by observe_export (tests/observe/check_observe.py, Python's json/csv/html.parser).
 */
#include "fa_test.h"
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static fa_alloc *fa;
static void setup(void) { tu_setup(); }
static void teardown(void) { fa_destroy(fa); }

#define OBS_TEST(name, ...) Test(observe, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static fa_alloc *make(int history) {
    fa_config cfg = tu_config();
    cfg.history_frames = history;
    return tu_create(&cfg);
}

static fa_frame_record recs[64];

OBS_TEST(one_record_per_outermost_frame_newest_kept) {
    fa = make(8);
    cr_assert_eq(fa_history_capacity(fa), 8);
    for (unsigned i = 1; i <= 12; i++) {
        fa_begin_frame(fa);
        fa_frame_alloc(fa, 100 * i, 16);
        fa_begin_frame(fa); /* nested scopes are part of the outermost frame's record */
        fa_frame_alloc(fa, 64, 16);
        fa_end_frame(fa);
        fa_end_frame(fa);
    }
    size_t n = fa_history_read(fa, 0, recs, 64);
    cr_assert_eq(n, 8);
    for (size_t i = 0; i < n; i++) {
        unsigned frame = (unsigned)(5 + i);
        cr_assert_eq(recs[i].frame_number, frame, "oldest first, consecutive");
        cr_assert_eq(recs[i].thread_id, fa_thread_id());
        cr_assert_eq(recs[i].frame_bytes, TU_G(100 * frame) + TU_G(64));
        cr_assert_geq(recs[i].end_ns, recs[i].begin_ns);
        cr_assert_geq(recs[i].frame_peak, recs[i].frame_bytes);
        if (i > 0) cr_assert_geq(recs[i].begin_ns, recs[i - 1].end_ns);
    }
    /* max smaller than kept: the newest max records */
    cr_assert_eq(fa_history_read(fa, fa_thread_id(), recs, 3), 3);
    cr_assert_eq(recs[0].frame_number, 10);
    cr_assert_eq(recs[2].frame_number, 12);
    cr_assert_eq(tu_total(), 0);
}

OBS_TEST(default_capacity_and_off) {
    fa = make(0);
    cr_assert_eq(fa_history_capacity(fa), 0, "history is off by default");
    fa_config got;
    fa_get_config(fa, &got);
    cr_assert_eq(got.history_frames, -1);
    fa_destroy(fa);
    fa = make(120);
    cr_assert_eq(fa_history_capacity(fa), 120);
    fa_get_config(fa, &got);
    cr_assert_eq(got.history_frames, 120);
    fa_destroy(fa);
    fa = make(-1);
    cr_assert_eq(fa_history_capacity(fa), 0);
    fa_begin_frame(fa);
    fa_end_frame(fa);
    cr_assert_eq(fa_history_read(fa, 0, recs, 64), 0);
    cr_assert_eq(fa_history_threads(fa, NULL, 0), 0);
    cr_assert_eq(fa_export_trace_file(fa, stdout), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 1, "history off is reported by exports");
}

OBS_TEST(bad_input_reads_nothing) {
    fa = make(4);
    fa_begin_frame(fa);
    fa_end_frame(fa);
    cr_assert_eq(fa_history_read(NULL, 0, recs, 64), 0);
    cr_assert_eq(fa_history_read(fa, 0, NULL, 64), 0);
    cr_assert_eq(fa_history_read(fa, 0, recs, 0), 0);
    cr_assert_eq(fa_history_read(fa, 987654321, recs, 64), 0, "unknown thread");
    cr_assert_eq(fa_history_events(NULL, 0, NULL, 0), 0);
    cr_assert_eq(fa_history_threads(NULL, NULL, 0), 0);
    cr_assert_eq(fa_history_capacity(NULL), 0);
    uint64_t id = 0;
    cr_assert_eq(fa_history_threads(fa, &id, 0), 1, "count even with max 0");
    cr_assert_eq(id, 0, "nothing written beyond max");
    cr_assert_eq(fa_export_csv(NULL, NULL, NULL), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_export_html(fa, NULL, NULL), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(fa_export_trace_file(fa, NULL), FA_ERR_INVALID_ARGUMENT);
    fa_stats_print(NULL, NULL, NULL);
    fa_stats_fprint(fa, NULL);
    fa_set_profiler_hooks(NULL, NULL);
    cr_assert_eq(tu_count(FA_ERR_INVALID_ARGUMENT), 6);
}

OBS_TEST(tags_heap_and_budget_events) {
    fa = make(16);
    fa_tag render = fa_tag_register(fa, "render");
    fa_tag audio = fa_tag_register(fa, "audio");
    cr_assert_eq(fa_tag_set_budget(fa, audio, 100, 0), FA_OK);
    fa_begin_frame(fa);
    fa_tag_push(fa, render);
    fa_frame_alloc(fa, 1000, 16);
    fa_tag_pop(fa);
    fa_frame_alloc(fa, 100, 16);
    fa_tag_push(fa, audio);
    void *h = fa_heap_alloc(fa, 200, 16); /* above audio's soft budget: one warning */
    fa_tag_pop(fa);
    fa_end_frame(fa);
    fa_begin_frame(fa);
    fa_heap_free(fa, h);
    fa_end_frame(fa);
    size_t n = fa_history_read(fa, 0, recs, 64);
    cr_assert_eq(n, 2);
    cr_assert_eq(recs[0].tag_count, 3);
    cr_assert_eq(recs[0].tag_frame_bytes[render], TU_G(1000));
    cr_assert_eq(recs[0].tag_frame_bytes[0], TU_G(100));
    cr_assert_eq(recs[0].tag_mem[audio], 200);
    cr_assert_eq(recs[0].heap_allocs, 1);
    cr_assert_eq(recs[0].heap_frees, 0);
    cr_assert_eq(recs[0].budget_warnings, 1);
    cr_assert_eq(recs[0].errors, 1);
    cr_assert_eq(recs[1].tag_frame_bytes[render], 0, "the frame after charges nothing");
    cr_assert_eq(recs[1].tag_mem[audio], 0);
    cr_assert_eq(recs[1].heap_bytes_delta, -200);
    cr_assert_eq(recs[1].heap_count_delta, -1);
    cr_assert_eq(recs[1].heap_frees, 1);
    cr_assert_eq(recs[1].budget_warnings, 0);
    fa_obs_event ev[4];
    cr_assert_eq(fa_history_events(fa, 0, ev, 4), 1);
    cr_assert_eq(ev[0].status, FA_WARN_BUDGET);
    cr_assert_eq(ev[0].frame_number, 1);
    cr_assert(strstr(ev[0].message, "audio") != NULL, "%s", ev[0].message);
}

static void *worker_frames(void *arg) {
    for (int i = 0; i < 5; i++) {
        fa_begin_frame(fa);
        fa_frame_alloc(fa, 32, 16);
        fa_end_frame(fa);
    }
    *(uint64_t *)arg = fa_thread_id();
    return NULL;
}

OBS_TEST(exited_threads_keep_their_history) {
    fa = make(16);
    uint64_t id = 0;
    tu_run_threads(1, worker_frames, &id, 0);
    uint64_t ids[4];
    cr_assert_eq(fa_history_threads(fa, ids, 4), 1);
    cr_assert_eq(ids[0], id);
    cr_assert_eq(fa_history_read(fa, id, recs, 64), 5);
    cr_assert_eq(recs[4].frame_number, 5);
    cr_assert_eq(recs[4].frame_bytes, TU_G(32));
}

typedef struct reader_arg {
    uint64_t target;
    atomic_int stop;
    atomic_uint reads;
    unsigned bad;
} reader_arg;

static void *reader(void *p) {
    reader_arg *a = p;
    fa_frame_record *buf = malloc(32 * sizeof *buf);
    while (!atomic_load(&a->stop)) {
        size_t n = fa_history_read(fa, a->target, buf, 32);
        for (size_t i = 0; i < n; i++) {
            if (buf[i].end_ns < buf[i].begin_ns || buf[i].thread_id != a->target ||
                buf[i].frame_bytes != TU_G(48) * (1 + buf[i].frame_number % 3))
                a->bad++;
            if (i > 0 && buf[i].frame_number != buf[i - 1].frame_number + 1) a->bad++;
        }
        atomic_fetch_add(&a->reads, 1);
    }
    free(buf);
    return NULL;
}

OBS_TEST(read_from_another_thread_while_frames_run) {
    fa = make(32);
    reader_arg a = {.target = fa_thread_id()};
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, reader, &a), 0);
    for (unsigned f = 1; f <= 3000 || atomic_load(&a.reads) < 50; f++) {
        fa_begin_frame(fa);
        for (unsigned k = 0; k < 1 + f % 3; k++) fa_frame_alloc(fa, 48, 16);
        fa_end_frame(fa);
    }
    atomic_store(&a.stop, 1);
    pthread_join(th, NULL);
    cr_assert_eq(a.bad, 0, "every record copied whole and in order");
    cr_assert_gt(a.reads, 0);
}

typedef struct hook_log {
    unsigned begins, ends, allocs, frees, events;
    size_t alloc_bytes, free_bytes, last_end_bytes;
    fa_tag last_tag;
    fa_status last_status;
} hook_log;

static void h_alloc(void *u, const void *p, size_t size, fa_tag tag) {
    hook_log *l = u;
    l->allocs++;
    l->alloc_bytes += size;
    l->last_tag = tag;
    cr_assert(p != NULL);
}
static void h_free(void *u, const void *p, size_t size) {
    ((hook_log *)u)->frees++;
    ((hook_log *)u)->free_bytes += size;
}
static void h_begin(void *u, uint64_t thread, uint64_t frame) {
    hook_log *l = u;
    l->begins++;
    cr_assert_eq(thread, fa_thread_id());
    cr_assert_eq(frame, l->begins);
}
static void h_end(void *u, const fa_frame_record *r) {
    ((hook_log *)u)->ends++;
    ((hook_log *)u)->last_end_bytes = r->frame_bytes;
}
static void h_event(void *u, const fa_error *e) {
    ((hook_log *)u)->events++;
    ((hook_log *)u)->last_status = e->status;
}

OBS_TEST(profiler_hooks_fire_and_can_be_removed) {
    fa = make(-1); /* hooks work with history off */
    hook_log log;
    memset(&log, 0, sizeof log);
    fa_profiler_hooks hk = {h_alloc, h_free, h_begin, h_end, h_event, &log};
    fa_set_profiler_hooks(fa, &hk);
    fa_tag t = fa_tag_register(fa, "physics");
    fa_begin_frame(fa);
    fa_begin_frame(fa);
    fa_frame_alloc(fa, 300, 16);
    fa_end_frame(fa);
    fa_tag_push(fa, t);
    void *a = fa_heap_alloc(fa, 1000, 16);
    cr_assert_eq(log.last_tag, t);
    fa_tag_pop(fa);
    void *b = fa_heap_realloc(fa, a, 3000);
    fa_end_frame(fa);
    fa_heap_free(fa, b);
    fa_heap_free(fa, (void *)1); /* reported: the event hook sees it */
    cr_assert_eq(log.begins, 1, "outermost frames only");
    cr_assert_eq(log.ends, 1);
    cr_assert_eq(log.last_end_bytes, TU_G(300));
    cr_assert_eq(log.allocs, 2);
    cr_assert_eq(log.alloc_bytes, 4000);
    cr_assert_eq(log.last_tag, 0, "realloc charges the tag current at the call");
    cr_assert_eq(log.frees, 2);
    cr_assert_eq(log.free_bytes, 4000);
    cr_assert_eq(log.events, 1);
    cr_assert_eq(log.last_status, tu_cap.last);
    fa_set_profiler_hooks(fa, NULL);
    fa_begin_frame(fa);
    fa_end_frame(fa);
    fa_heap_free(fa, fa_heap_alloc(fa, 10, 16));
    cr_assert_eq(log.begins + log.ends + log.allocs, 4, "removed hooks are not called");
}

typedef struct lines {
    char text[8192];
    unsigned n;
} lines;

static void collect(const char *l, void *u) {
    lines *c = u;
    cr_assert(strchr(l, '\n') == NULL, "a line has no newline");
    strncat(c->text, l, sizeof c->text - strlen(c->text) - 2);
    strcat(c->text, "\n");
    c->n++;
}

OBS_TEST(stats_print_lines) {
    fa = make(4);
    fa_tag t = fa_tag_register(fa, "ui");
    cr_assert_eq(fa_tag_set_budget(fa, t, 1 << 20, 2 << 20), FA_OK);
    fa_begin_frame(fa);
    fa_tag_push(fa, t);
    fa_frame_alloc(fa, 512, 16);
    void *p = fa_pool_alloc(fa, 64);
    fa_tag_pop(fa);
    fa_end_frame(fa);
    lines c;
    memset(&c, 0, sizeof c);
    fa_stats_print(fa, collect, &c);
    cr_assert_geq(c.n, 9, "%s", c.text);
    cr_assert(strstr(c.text, "1 threads, 1 frames completed") != NULL, "%s", c.text);
    cr_assert(strstr(c.text, "pool      1 objects, 64 B live") != NULL, "%s", c.text);
    cr_assert(strstr(c.text, "tag ui") != NULL, "%s", c.text);
    cr_assert(strstr(c.text, "frame last 512 B") != NULL, "%s", c.text);
    cr_assert(strstr(c.text, "budget soft 1048576 B hard 2097152 B") != NULL, "%s", c.text);
    cr_assert(strstr(c.text, "pool 64 B; heap 0 B; peak 64 B") != NULL, "%s", c.text);
    cr_assert(strstr(c.text, "budgets   0 warnings, 0 failures") != NULL, "%s", c.text);
    fa_pool_free(fa, p);
}

typedef struct buf_sink {
    char *data;
    size_t len, cap;
    unsigned calls, fail_after;
} buf_sink;

static int to_buf(const void *d, size_t n, void *u) {
    buf_sink *b = u;
    if (b->fail_after != 0 && b->calls >= b->fail_after) return -1;
    b->calls++;
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->data = realloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, d, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

OBS_TEST(exports_escape_names_and_stop_on_sink_failure) {
    fa = make(64);
    fa_tag weird = fa_tag_register(fa, "a,\"b\\c\x01\xff");
    for (int i = 0; i < 40; i++) {
        fa_begin_frame(fa);
        fa_tag_push(fa, weird);
        fa_frame_alloc(fa, 4096, 16);
        fa_tag_pop(fa);
        fa_end_frame(fa);
    }
    buf_sink b = {0};
    cr_assert_eq(fa_export_trace(fa, to_buf, &b), FA_OK);
    cr_assert(strstr(b.data, "\"tag a,\\\"b\\\\c\\u0001\\ufffd\"") != NULL, "JSON escaping");
    cr_assert_gt(b.calls, 1, "written in chunks");
    free(b.data);
    buf_sink c = {0};
    cr_assert_eq(fa_export_csv(fa, to_buf, &c), FA_OK);
    cr_assert(strstr(c.data, ",\"frame:a,\"\"b\\c\x01\xff\",") != NULL, "CSV quoting");
    /* every row has the header's field count (commas outside quotes) */
    unsigned fields = 0, row_fields = 1, rows = 0;
    bool q = false;
    for (const char *p = c.data; *p; p++) {
        if (*p == '"') q = !q;
        else if (*p == ',' && !q) row_fields++;
        else if (*p == '\n' && !q) {
            if (fields == 0) fields = row_fields;
            cr_assert_eq(row_fields, fields, "row %u", rows);
            rows++;
            row_fields = 1;
        }
    }
    cr_assert_eq(rows, 41);
    cr_assert_eq(fields, 19 + 2 * 2);
    free(c.data);
    buf_sink h = {0};
    cr_assert_eq(fa_export_html(fa, to_buf, &h), FA_OK);
    cr_assert(strstr(h.data, "a,&quot;b\\c&#xFFFD;") != NULL, "HTML escaping");
    free(h.data);
    unsigned before = tu_total();
    buf_sink f = {.fail_after = 1};
    cr_assert_eq(fa_export_trace(fa, to_buf, &f), FA_ERR_INVALID_ARGUMENT);
    cr_assert_eq(f.calls, 1, "no write after the sink failed");
    cr_assert_eq(tu_total(), before, "a sink failure is the caller's, not reported");
    free(f.data);
}
