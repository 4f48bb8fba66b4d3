// SPDX-License-Identifier: MIT
/*
 * observe_export.c - formatting of statistics and history: fa_stats_print, Chrome trace-event
 * JSON, CSV and the self-contained HTML memory report.
 *
 * Nothing here runs on an allocation path. Exports take a snapshot of the history first
 * (fa_history_threads / fa_history_read: whole records, consecutive per thread) and format it
 * without any runtime lock held, so a slow sink never stalls a frame. The library never
 * prints: output goes to the caller's callback; the *_file forms write to a FILE * the caller
 * chose.
 *
 * Threading: any thread, any time (frames may run meanwhile; they are not in the snapshot).
 */
#include "internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* ---------------------------------------------------------------------------------------- */
/* Buffered sink                                                                              */
/* ---------------------------------------------------------------------------------------- */

typedef struct sink {
    fa_write_fn fn;
    void *user;
    bool failed;
    size_t len;
    char buf[8192];
} sink;

static void flush(sink *s) {
    if (!s->failed && s->len != 0 && s->fn(s->buf, s->len, s->user) != 0) s->failed = true;
    s->len = 0;
}

static void put(sink *s, const char *p, size_t n) {
    while (n != 0 && !s->failed) {
        size_t room = sizeof s->buf - s->len;
        size_t k = n < room ? n : room;
        memcpy(s->buf + s->len, p, k);
        s->len += k;
        p += k;
        n -= k;
        if (s->len == sizeof s->buf) flush(s);
    }
}

static void puts_(sink *s, const char *p) { put(s, p, strlen(p)); }

static FAI_PRINTF(2, 3) void putf(sink *s, const char *fmt, ...) {
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) put(s, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p) {
    unsigned c = p[0];
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                                                 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || (n == 2 && c < 0xC2) || (n == 4 && c > 0xF4)) return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    if (n == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))) return 0;
    if (n == 4 && ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))) return 0;
    return n;
}

/* A JSON string literal; invalid UTF-8 becomes U+FFFD so the output always parses. */
static void json_str(sink *s, const char *str) {
    put(s, "\"", 1);
    const unsigned char *p = (const unsigned char *)(str != NULL ? str : "");
    while (*p != 0) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            put(s, e, 2);
            p++;
        } else if (*p < 0x20 || *p == 0x7F) {
            putf(s, "\\u%04x", *p);
            p++;
        } else {
            size_t n = utf8_len(p);
            if (n == 0) {
                puts_(s, "\\ufffd");
                p++;
            } else {
                put(s, (const char *)p, n);
                p += n;
            }
        }
    }
    put(s, "\"", 1);
}

/* Text for HTML/SVG: &, <, >, " escaped; control bytes dropped; invalid UTF-8 as U+FFFD. */
static void html_str(sink *s, const char *str) {
    const unsigned char *p = (const unsigned char *)(str != NULL ? str : "");
    while (*p != 0) {
        if (*p == '&') puts_(s, "&amp;");
        else if (*p == '<') puts_(s, "&lt;");
        else if (*p == '>') puts_(s, "&gt;");
        else if (*p == '"') puts_(s, "&quot;");
        else if (*p < 0x20 || *p == 0x7F) { /* dropped */ }
        else {
            size_t n = utf8_len(p);
            if (n == 0) puts_(s, "&#xFFFD;");
            else put(s, (const char *)p, n);
            p += n != 0 ? n : 1;
            continue;
        }
        p++;
    }
}

/* A CSV field: quoted when it holds a comma, quote or line break; quotes doubled. */
static void csv_str(sink *s, const char *str) {
    if (strpbrk(str, ",\"\r\n") == NULL) {
        puts_(s, str);
        return;
    }
    put(s, "\"", 1);
    for (const char *p = str; *p != 0; p++) {
        if (*p == '"') put(s, "\"", 1);
        put(s, p, 1);
    }
    put(s, "\"", 1);
}

static int file_write(const void *data, size_t len, void *user) {
    return fwrite(data, 1, len, (FILE *)user) == len ? 0 : -1;
}

/* ---------------------------------------------------------------------------------------- */
/* Snapshot                                                                                   */
/* ---------------------------------------------------------------------------------------- */

typedef struct thread_hist {
    uint64_t id;
    size_t n, n_ev;
    fa_frame_record *rec;
    fa_obs_event ev[64];
} thread_hist;

typedef struct snapshot {
    size_t n;
    thread_hist *th;
    unsigned tags;
    char names[FA_MAX_TAGS][32];
    size_t soft[FA_MAX_TAGS], hard[FA_MAX_TAGS];
    uint64_t t0;                /* earliest begin, the trace's time origin */
} snapshot;

static void snapshot_free(snapshot *sn) {
    for (size_t i = 0; i < sn->n; i++) free(sn->th[i].rec);
    free(sn->th);
}

static fa_status snapshot_take(fa_alloc *fa, snapshot *sn, const char *what) {
    memset(sn, 0, sizeof *sn);
    size_t cap = fa_history_capacity(fa);
    if (cap == 0) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "%s: frame history is off (fa_config.history_frames < 0)", what);
        return FA_ERR_INVALID_ARGUMENT;
    }
    size_t want = fa_history_threads(fa, NULL, 0);
    uint64_t *ids = calloc(want + 1, sizeof *ids);
    if (ids == NULL) return FA_ERR_OUT_OF_MEMORY;
    size_t n = fa_history_threads(fa, ids, want + 1);
    if (n > want + 1) n = want + 1; /* threads that appeared meanwhile are left out */
    sn->th = calloc(n + 1, sizeof *sn->th);
    if (sn->th == NULL) {
        free(ids);
        return FA_ERR_OUT_OF_MEMORY;
    }
    sn->t0 = UINT64_MAX;
    for (size_t i = 0; i < n; i++) {
        thread_hist *h = &sn->th[sn->n];
        h->rec = malloc(cap * sizeof *h->rec);
        if (h->rec == NULL) {
            free(ids);
            snapshot_free(sn);
            return FA_ERR_OUT_OF_MEMORY;
        }
        h->id = ids[i];
        h->n = fa_history_read(fa, ids[i], h->rec, cap);
        h->n_ev = fa_history_events(fa, ids[i], h->ev, 64);
        sn->n++;
        if (h->n != 0 && h->rec[0].begin_ns < sn->t0) sn->t0 = h->rec[0].begin_ns;
        for (size_t e = 0; e < h->n_ev; e++)
            if (h->ev[e].time_ns < sn->t0) sn->t0 = h->ev[e].time_ns;
    }
    free(ids);
    if (sn->t0 == UINT64_MAX) sn->t0 = 0;
    unsigned tags = atomic_load(&fa->tag_count);
    sn->tags = tags > FA_MAX_TAGS ? FA_MAX_TAGS : tags;
    for (unsigned i = 0; i < sn->tags; i++) {
        fai_mutex_lock(&fa->lock); /* names are written under fa->lock at registration */
        memcpy(sn->names[i], fa->tags[i].name, sizeof sn->names[i]);
        fai_mutex_unlock(&fa->lock);
        sn->names[i][31] = '\0';
        sn->soft[i] = atomic_load(&fa->tags[i].budget.warn);
        sn->hard[i] = atomic_load(&fa->tags[i].budget.fail);
    }
    return FA_OK;
}

static double us(const snapshot *sn, uint64_t ns) { return (double)(ns - sn->t0) / 1000.0; }

/* ---------------------------------------------------------------------------------------- */
/* fa_stats_print                                                                             */
/* ---------------------------------------------------------------------------------------- */

static FAI_PRINTF(3, 4) void line(fa_line_fn out, void *user, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    out(buf, user);
}

void fa_stats_print(fa_alloc *fa, fa_line_fn out, void *user) {
    if (fa == NULL || out == NULL) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_stats_print: NULL %s", fa == NULL ? "allocator" : "output callback");
        return;
    }
    fa_stats st;
    fa_get_stats(fa, &st);
    line(out, user, "framealloc \"%s\": %zu threads, %" PRIu64 " frames completed, %" PRIu64
         " errors reported", fa->cfg.name != NULL ? fa->cfg.name : "", st.threads,
         st.frames_completed, st.errors);
    line(out, user, "  frame     open %zu B, reserved %zu B, peak frame %zu B", st.frame_bytes,
         st.frame_reserved, st.frame_peak);
    unsigned k = fa_frames_in_flight(fa);
    if (k != 0 || st.frame_retained != 0 || st.channel_violations != 0)
        line(out, user, "  in flight k = %u, %zu B of ended frames kept, %" PRIu64
             " channel violations", k, st.frame_retained, st.channel_violations);
    line(out, user, "  pool      %zu objects, %zu B live, %zu B reserved", st.pool_count,
         st.pool_bytes, st.pool_reserved);
    line(out, user, "  heap      %zu blocks, %zu B live, peak %zu B", st.heap_count,
         st.heap_bytes, st.heap_peak);
    line(out, user, "  transfer  %zu handles, %zu B", st.transfer_count, st.transfer_bytes);
    line(out, user, "  groups    %zu groups, %zu B allocated, %zu B reserved", st.group_count,
         st.group_bytes, st.group_reserved);
    line(out, user, "  handles   %zu blocks, %zu B live, %zu B reserved", st.handle_count,
         st.handle_bytes, st.handle_reserved);
    line(out, user, "  streams   %zu entries, %zu B live, %zu B reserved", st.stream_count,
         st.stream_bytes, st.stream_reserved);
    fa_budget_info g;
    if (fa_get_budget(fa, FA_BUDGET_GLOBAL, &g) == FA_OK)
        line(out, user, "  budgets   %" PRIu64 " warnings, %" PRIu64 " failures; allocator %zu B "
             "(peak %zu B), warn at %zu B, fail at %zu B", st.budget_warnings,
             st.budget_failures, g.bytes, g.peak, g.warn_limit, g.fail_limit);
    fa_thread_stats local[16];
    fa_thread_stats *ts = local;
    size_t n = fa_get_thread_stats(fa, local, 16), shown = n < 16 ? n : 16;
    if (n > 16) {
        fa_thread_stats *big = malloc(n * sizeof *big);
        if (big != NULL) {
            size_t again = fa_get_thread_stats(fa, big, n);
            ts = big;
            shown = again < n ? again : n;
        }
    }
    for (size_t i = 0; i < shown; i++)
        line(out, user,
             "  thread %" PRIu64 ": depth %u, frame %" PRIu64 ", open %zu B, last frame %zu B, "
             "peak %zu B, reserved %zu B; pool %zu objects %zu B %zu pages; heap %" PRIu64
             " allocs %" PRIu64 " frees",
             ts[i].thread_id, ts[i].frame_depth, ts[i].frame_number, ts[i].frame_bytes,
             ts[i].frame_high_water_last, ts[i].frame_peak, ts[i].frame_reserved,
             ts[i].pool_count, ts[i].pool_bytes, ts[i].pool_pages, ts[i].heap_allocs,
             ts[i].heap_frees);
    if (n > shown) line(out, user, "  (%zu more threads not shown: out of memory)", n - shown);
    if (ts != local) free(ts);
    unsigned tags = atomic_load(&fa->tag_count);
    for (unsigned i = 0; i < tags && i < FA_MAX_TAGS; i++) {
        fa_tag_stats tg;
        if (fa_get_tag_stats(fa, (fa_tag)i, &tg) != FA_OK) continue;
        char budget[96] = "no budget";
        if (tg.soft_limit != 0 || tg.hard_limit != 0)
            snprintf(budget, sizeof budget, "budget soft %zu B hard %zu B, crossed %" PRIu64
                     "/%" PRIu64, tg.soft_limit, tg.hard_limit, tg.soft_exceeded,
                     tg.hard_exceeded);
        line(out, user,
             "  tag %-16s frame last %zu B peak %zu B; pool %zu B; heap %zu B; peak %zu B; %s",
             tg.name != NULL && tg.name[0] != '\0' ? tg.name : "(untagged)",
             tg.frame_bytes_last, tg.frame_bytes_peak, tg.pool_bytes, tg.heap_bytes,
             tg.peak_bytes, budget);
    }
}

static void file_line(const char *l, void *user) {
    fputs(l, (FILE *)user);
    fputc('\n', (FILE *)user);
}

void fa_stats_fprint(fa_alloc *fa, void *f) {
    if (f == NULL) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_stats_fprint: NULL FILE");
        return;
    }
    fa_stats_print(fa, file_line, f);
}

/* ---------------------------------------------------------------------------------------- */
/* Chrome trace-event JSON                                                                    */
/* ---------------------------------------------------------------------------------------- */

static const char *tag_label(const snapshot *sn, unsigned i) {
    return sn->names[i][0] != '\0' ? sn->names[i] : "(untagged)";
}

static void trace_body(sink *s, fa_alloc *fa, const snapshot *sn) {
    puts_(s, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
    puts_(s, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"tid\":0,\"args\":{\"name\":");
    char pname[128];
    snprintf(pname, sizeof pname, "framealloc %s", fa->cfg.name != NULL ? fa->cfg.name : "");
    json_str(s, pname);
    puts_(s, "}}");
    for (size_t t = 0; t < sn->n; t++) {
        const thread_hist *h = &sn->th[t];
        putf(s, ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":%" PRIu64
             ",\"args\":{\"name\":\"thread %" PRIu64 "\"}}", h->id, h->id);
        for (size_t i = 0; i < h->n; i++) {
            const fa_frame_record *r = &h->rec[i];
            putf(s, ",\n{\"ph\":\"X\",\"cat\":\"frame\",\"name\":\"frame %" PRIu64 "\",\"pid\":1,"
                 "\"tid\":%" PRIu64 ",\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"frame\":%" PRIu64
                 ",\"frame_bytes\":%zu,\"heap_allocs\":%u,\"heap_frees\":%u,\"errors\":%u}}",
                 r->frame_number, h->id, us(sn, r->begin_ns),
                 (double)(r->end_ns - r->begin_ns) / 1000.0, r->frame_number, r->frame_bytes,
                 r->heap_allocs, r->heap_frees, r->errors);
            double ts = us(sn, r->end_ns);
            putf(s, ",\n{\"ph\":\"C\",\"name\":\"frame bytes (thread %" PRIu64 ")\",\"pid\":1,"
                 "\"tid\":%" PRIu64 ",\"ts\":%.3f,\"args\":{\"bytes\":%zu}}",
                 h->id, h->id, ts, r->frame_bytes);
            putf(s, ",\n{\"ph\":\"C\",\"name\":\"pool reserved\",\"pid\":1,\"tid\":%" PRIu64
                 ",\"ts\":%.3f,\"args\":{\"bytes\":%zu}}", h->id, ts, r->pool_reserved);
            putf(s, ",\n{\"ph\":\"C\",\"name\":\"heap\",\"pid\":1,\"tid\":%" PRIu64
                 ",\"ts\":%.3f,\"args\":{\"bytes\":%zu,\"blocks\":%zu}}", h->id, ts,
                 r->heap_bytes, r->heap_count);
            for (unsigned g = 0; g < r->tag_count && g < sn->tags; g++) {
                char name[64];
                snprintf(name, sizeof name, "tag %s", tag_label(sn, g));
                putf(s, ",\n{\"ph\":\"C\",\"name\":");
                json_str(s, name);
                putf(s, ",\"pid\":1,\"tid\":%" PRIu64 ",\"ts\":%.3f,\"args\":{\"frame (thread %"
                     PRIu64 ")\":%zu,\"heap+pool\":%zu}}", h->id, ts, h->id,
                     r->tag_frame_bytes[g], r->tag_mem[g]);
            }
        }
        for (size_t e = 0; e < h->n_ev; e++) {
            const fa_obs_event *ev = &h->ev[e];
            putf(s, ",\n{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"%s\",\"name\":\"%s\",\"pid\":1,\"tid\":%"
                 PRIu64 ",\"ts\":%.3f,\"args\":{\"frame\":%" PRIu64 ",\"size\":%zu,\"message\":",
                 ev->status == FA_WARN_BUDGET || ev->status == FA_ERR_BUDGET ? "budget" : "error",
                 fa_status_name(ev->status), h->id, us(sn, ev->time_ns), ev->frame_number,
                 ev->size);
            json_str(s, ev->message);
            puts_(s, "}}");
        }
    }
    puts_(s, "\n]}\n");
}

/* ---------------------------------------------------------------------------------------- */
/* CSV                                                                                        */
/* ---------------------------------------------------------------------------------------- */

static void csv_body(sink *s, const snapshot *sn) {
    puts_(s, "thread_id,frame_number,begin_ns,end_ns,duration_ns,frame_bytes,frame_peak,"
             "frame_reserved,pool_reserved,pool_reserved_delta,heap_bytes,heap_bytes_delta,"
             "heap_count,heap_count_delta,heap_allocs,heap_frees,budget_warnings,budget_errors,"
             "errors");
    for (unsigned g = 0; g < sn->tags; g++) {
        char col[64];
        put(s, ",", 1);
        snprintf(col, sizeof col, "frame:%s", tag_label(sn, g));
        csv_str(s, col);
        put(s, ",", 1);
        snprintf(col, sizeof col, "mem:%s", tag_label(sn, g));
        csv_str(s, col);
    }
    puts_(s, "\n");
    for (size_t t = 0; t < sn->n; t++)
        for (size_t i = 0; i < sn->th[t].n; i++) {
            const fa_frame_record *r = &sn->th[t].rec[i];
            putf(s, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                 ",%zu,%zu,%zu,%zu,%" PRId64 ",%zu,%" PRId64 ",%zu,%" PRId64 ",%u,%u,%u,%u,%u",
                 r->thread_id, r->frame_number, r->begin_ns, r->end_ns, r->end_ns - r->begin_ns,
                 r->frame_bytes, r->frame_peak, r->frame_reserved, r->pool_reserved,
                 r->pool_reserved_delta, r->heap_bytes, r->heap_bytes_delta, r->heap_count,
                 r->heap_count_delta, r->heap_allocs, r->heap_frees, r->budget_warnings,
                 r->budget_errors, r->errors);
            for (unsigned g = 0; g < sn->tags; g++)
                putf(s, ",%zu,%zu", g < r->tag_count ? r->tag_frame_bytes[g] : 0,
                     g < r->tag_count ? r->tag_mem[g] : 0);
            puts_(s, "\n");
        }
}

/* ---------------------------------------------------------------------------------------- */
/* Entry points                                                                               */
/* ---------------------------------------------------------------------------------------- */

static void html_body(sink *s, fa_alloc *fa, const snapshot *sn);

typedef enum { EXPORT_TRACE, EXPORT_CSV, EXPORT_HTML } export_kind;

static fa_status export_to(fa_alloc *fa, fa_write_fn out, void *user, export_kind kind,
                           const char *what) {
    if (fa == NULL || out == NULL) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "%s: NULL %s", what,
                  fa == NULL ? "allocator" : "output");
        return FA_ERR_INVALID_ARGUMENT;
    }
    snapshot sn;
    fa_status st = snapshot_take(fa, &sn, what);
    if (st == FA_ERR_OUT_OF_MEMORY)
        fai_error(fa, st, NULL, 0, NULL, "%s: out of memory for the history snapshot", what);
    if (st != FA_OK) return st;
    sink *s = malloc(sizeof *s);
    if (s == NULL) {
        snapshot_free(&sn);
        fai_error(fa, FA_ERR_OUT_OF_MEMORY, NULL, 0, NULL, "%s: out of memory", what);
        return FA_ERR_OUT_OF_MEMORY;
    }
    s->fn = out;
    s->user = user;
    s->failed = false;
    s->len = 0;
    if (kind == EXPORT_TRACE) trace_body(s, fa, &sn);
    else if (kind == EXPORT_CSV) csv_body(s, &sn);
    else html_body(s, fa, &sn);
    flush(s);
    bool failed = s->failed;
    free(s);
    snapshot_free(&sn);
    return failed ? FA_ERR_INVALID_ARGUMENT : FA_OK;
}

fa_status fa_export_trace(fa_alloc *fa, fa_write_fn out, void *user) {
    return export_to(fa, out, user, EXPORT_TRACE, "fa_export_trace");
}
fa_status fa_export_csv(fa_alloc *fa, fa_write_fn out, void *user) {
    return export_to(fa, out, user, EXPORT_CSV, "fa_export_csv");
}
fa_status fa_export_html(fa_alloc *fa, fa_write_fn out, void *user) {
    return export_to(fa, out, user, EXPORT_HTML, "fa_export_html");
}
fa_status fa_export_trace_file(fa_alloc *fa, void *f) {
    return export_to(fa, f != NULL ? file_write : NULL, f, EXPORT_TRACE, "fa_export_trace_file");
}
fa_status fa_export_csv_file(fa_alloc *fa, void *f) {
    return export_to(fa, f != NULL ? file_write : NULL, f, EXPORT_CSV, "fa_export_csv_file");
}
fa_status fa_export_html_file(fa_alloc *fa, void *f) {
    return export_to(fa, f != NULL ? file_write : NULL, f, EXPORT_HTML, "fa_export_html_file");
}

/* ---------------------------------------------------------------------------------------- */
/* HTML memory report                                                                         */
/* ---------------------------------------------------------------------------------------- */

/* Frames are aligned across threads by frame number (engines that run their threads in
 * lockstep number them alike); the report shows the newest HTML_FRAMES of them. */
#define HTML_FRAMES 600
#define CH_W 900.0
#define CH_H 280.0
#define CH_L 70.0 /* left margin for axis labels */

typedef struct frame_agg {
    uint64_t number;
    uint64_t dur_ns;          /* longest thread's frame */
    size_t frame_bytes;       /* summed over threads */
    size_t heap_bytes, pool_reserved;
    unsigned events;
    double tag[FA_MAX_TAGS];  /* frame bytes (all threads) + heap/pool bytes of the tag */
    double mem[FA_MAX_TAGS];  /* heap/pool bytes of the tag (allocator-wide, largest sample) */
} frame_agg;

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static const char *color(unsigned i) {
    static const char *pal[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
                                "#1f77b4", "#2ca02c"};
    return pal[i % (sizeof pal / sizeof pal[0])];
}

static void fmt_bytes(char *buf, size_t cap, double b) {
    if (b >= 1048576.0) snprintf(buf, cap, "%.2f MiB", b / 1048576.0);
    else if (b >= 1024.0) snprintf(buf, cap, "%.1f KiB", b / 1024.0);
    else snprintf(buf, cap, "%.0f B", b);
}

static size_t frame_index(const frame_agg *f, size_t nf, uint64_t number) {
    size_t lo = 0, hi = nf;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (f[mid].number < number) lo = mid + 1;
        else hi = mid;
    }
    return lo < nf && f[lo].number == number ? lo : SIZE_MAX;
}

static double xpos(size_t i, size_t nf) {
    return CH_L + (nf > 1 ? (double)i * (CH_W - CH_L - 10) / (double)(nf - 1) : 0.0);
}

static void axis(sink *s, double ymax, bool bytes) {
    for (int k = 0; k <= 4; k++) {
        double v = ymax * k / 4.0, y = CH_H - 20 - (CH_H - 40) * k / 4.0;
        char lbl[32];
        if (bytes) fmt_bytes(lbl, sizeof lbl, v);
        else snprintf(lbl, sizeof lbl, "%.2f ms", v);
        putf(s, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
             "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%s</text>\n",
             CH_L, y, CH_W - 10, y, CH_L - 4, y + 3, lbl);
    }
}

static void html_body(sink *s, fa_alloc *fa, const snapshot *sn) {
    size_t total = 0;
    for (size_t t = 0; t < sn->n; t++) total += sn->th[t].n;
    uint64_t *nums = malloc((total + 1) * sizeof *nums);
    frame_agg *f = calloc(HTML_FRAMES, sizeof *f);
    size_t nf = 0;
    if (nums != NULL && f != NULL) {
        size_t k = 0;
        for (size_t t = 0; t < sn->n; t++)
            for (size_t i = 0; i < sn->th[t].n; i++) nums[k++] = sn->th[t].rec[i].frame_number;
        qsort(nums, k, sizeof *nums, cmp_u64);
        size_t uniq = 0;
        for (size_t i = 0; i < k; i++)
            if (uniq == 0 || nums[uniq - 1] != nums[i]) nums[uniq++] = nums[i];
        size_t from = uniq > HTML_FRAMES ? uniq - HTML_FRAMES : 0;
        for (size_t i = from; i < uniq; i++) f[nf++].number = nums[i];
        for (size_t t = 0; t < sn->n; t++)
            for (size_t i = 0; i < sn->th[t].n; i++) {
                const fa_frame_record *r = &sn->th[t].rec[i];
                size_t x = frame_index(f, nf, r->frame_number);
                if (x == SIZE_MAX) continue;
                frame_agg *a = &f[x];
                uint64_t d = r->end_ns - r->begin_ns;
                if (d > a->dur_ns) a->dur_ns = d;
                a->frame_bytes += r->frame_bytes;
                a->heap_bytes = FAI_MAX(a->heap_bytes, r->heap_bytes);
                a->pool_reserved = FAI_MAX(a->pool_reserved, r->pool_reserved);
                a->events += r->errors;
                for (unsigned g = 0; g < r->tag_count && g < sn->tags; g++) {
                    a->tag[g] += (double)r->tag_frame_bytes[g];
                    a->mem[g] = FAI_MAX(a->mem[g], (double)r->tag_mem[g]);
                }
            }
        for (size_t i = 0; i < nf; i++)
            for (unsigned g = 0; g < sn->tags; g++) f[i].tag[g] += f[i].mem[g];
    }
    free(nums);

    puts_(s, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
             "<title>framealloc memory report</title>\n<style>body{font-family:sans-serif;"
             "margin:20px;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
             "padding:3px 8px;text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}"
             ".sw{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px}</style>"
             "</head>\n<body>\n<h1>framealloc memory report: ");
    html_str(s, fa->cfg.name != NULL && fa->cfg.name[0] != '\0' ? fa->cfg.name : "allocator");
    putf(s, "</h1>\n<p>%zu threads with history, %zu frame records, %zu frame numbers shown "
         "(newest; threads aligned by frame number).</p>\n", sn->n, total, nf);
    if (nf == 0) {
        puts_(s, "<p id=\"empty\">No frames recorded yet.</p>\n</body></html>\n");
        free(f);
        return;
    }

    /* Chart 1: stacked memory per tag, with budget lines and the peak. */
    double ymax = 1.0, peak = 0.0;
    size_t peak_i = 0;
    for (size_t i = 0; i < nf; i++) {
        double sum = 0;
        for (unsigned g = 0; g < sn->tags; g++) sum += f[i].tag[g];
        if (sum > peak) { peak = sum; peak_i = i; }
    }
    ymax = FAI_MAX(ymax, peak);
    for (unsigned g = 0; g < sn->tags; g++) {
        double lim = (double)FAI_MAX(sn->soft[g], sn->hard[g]);
        if (lim > ymax && lim < peak * 4 + 1) ymax = lim;
    }
    ymax *= 1.1;
    puts_(s, "<h2>Memory per tag (frame bytes of all threads + heap and pool bytes)</h2>\n");
    putf(s, "<svg id=\"memory\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
         "viewBox=\"0 0 %.0f %.0f\">\n", CH_W, CH_H, CH_W, CH_H);
    axis(s, ymax, true);
    double *base = calloc(nf, sizeof *base);
    if (base != NULL) {
        for (unsigned g = 0; g < sn->tags; g++) {
            bool any = false;
            for (size_t i = 0; i < nf && !any; i++) any = f[i].tag[g] > 0;
            if (!any) continue;
            putf(s, "<polygon class=\"tag\" fill=\"%s\" fill-opacity=\"0.85\" points=\"", color(g));
            for (size_t i = 0; i < nf; i++)
                putf(s, "%.1f,%.1f ", xpos(i, nf),
                     CH_H - 20 - (CH_H - 40) * (base[i] + f[i].tag[g]) / ymax);
            for (size_t i = nf; i-- > 0;)
                putf(s, "%.1f,%.1f ", xpos(i, nf), CH_H - 20 - (CH_H - 40) * base[i] / ymax);
            puts_(s, "\"><title>");
            html_str(s, tag_label(sn, g));
            puts_(s, "</title></polygon>\n");
            for (size_t i = 0; i < nf; i++) base[i] += f[i].tag[g];
        }
        free(base);
    }
    for (unsigned g = 0; g < sn->tags; g++)
        for (int hard = 0; hard < 2; hard++) {
            double lim = (double)(hard ? sn->hard[g] : sn->soft[g]);
            if (lim == 0 || lim > ymax) continue;
            double y = CH_H - 20 - (CH_H - 40) * lim / ymax;
            putf(s, "<line class=\"budget\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                 "stroke=\"%s\" stroke-dasharray=\"%s\"/><text x=\"%.1f\" y=\"%.1f\" "
                 "font-size=\"10\" text-anchor=\"end\">", CH_L, y, CH_W - 10, y, color(g),
                 hard ? "2,2" : "6,3", CH_W - 12, y - 2);
            html_str(s, tag_label(sn, g));
            puts_(s, hard ? " hard budget</text>\n" : " soft budget</text>\n");
        }
    char pk[32];
    fmt_bytes(pk, sizeof pk, peak);
    putf(s, "<circle class=\"peak\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#000\"/><text x=\"%.1f\" "
         "y=\"%.1f\" font-size=\"11\">peak %s (frame %" PRIu64 ")</text>\n", xpos(peak_i, nf),
         CH_H - 20 - (CH_H - 40) * peak / ymax, FAI_MIN(xpos(peak_i, nf) + 6, CH_W - 180),
         FAI_MAX(CH_H - 20 - (CH_H - 40) * peak / ymax - 6, 12.0), pk, f[peak_i].number);
    putf(s, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">frame %" PRIu64 "</text><text x=\"%.1f\" "
         "y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">frame %" PRIu64 "</text>\n</svg>\n",
         CH_L, CH_H - 5, f[0].number, CH_W - 10, CH_H - 5, f[nf - 1].number);
    puts_(s, "<p class=\"legend\">");
    for (unsigned g = 0; g < sn->tags; g++) {
        putf(s, "<span class=\"sw\" style=\"background:%s\"></span>", color(g));
        html_str(s, tag_label(sn, g));
    }
    puts_(s, "</p>\n");

    /* Chart 2: frame time (longest thread per frame number). */
    double tmax = 0.001;
    for (size_t i = 0; i < nf; i++) tmax = FAI_MAX(tmax, (double)f[i].dur_ns / 1e6);
    tmax *= 1.1;
    puts_(s, "<h2>Frame time (longest thread)</h2>\n");
    putf(s, "<svg id=\"frametime\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
         "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n", CH_W, CH_H, CH_W, CH_H);
    axis(s, tmax, false);
    double bw = FAI_MAX((CH_W - CH_L - 10) / (double)nf - 1.0, 1.0);
    for (size_t i = 0; i < nf; i++) {
        double ms = (double)f[i].dur_ns / 1e6, hgt = (CH_H - 40) * ms / tmax;
        putf(s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>"
             "frame %" PRIu64 ": %.3f ms</title></rect>\n", xpos(i, nf) - bw / 2,
             CH_H - 20 - hgt, bw, hgt, f[i].events != 0 ? "#e15759" : "#4e79a7", f[i].number, ms);
    }
    puts_(s, "</svg>\n<p>Red bars: frames in which a status (budget warning, error) was "
             "reported.</p>\n");

    /* Worst frames by time. */
    puts_(s, "<h2>Worst frames</h2>\n<table id=\"worst\"><tr><th>frame</th><th>time (ms)</th>"
             "<th>frame bytes (all threads)</th><th>heap bytes</th><th>pool reserved</th>"
             "<th class=\"l\">largest tag</th><th>events</th></tr>\n");
    bool used[HTML_FRAMES] = {false};
    for (int k = 0; k < 10 && (size_t)k < nf; k++) {
        size_t w = SIZE_MAX;
        for (size_t i = 0; i < nf; i++)
            if (!used[i] && (w == SIZE_MAX || f[i].dur_ns > f[w].dur_ns)) w = i;
        used[w] = true;
        unsigned big = 0;
        for (unsigned g = 1; g < sn->tags; g++)
            if (f[w].tag[g] > f[w].tag[big]) big = g;
        char fb[32], hb[32], pb[32], tb[32];
        fmt_bytes(fb, sizeof fb, (double)f[w].frame_bytes);
        fmt_bytes(hb, sizeof hb, (double)f[w].heap_bytes);
        fmt_bytes(pb, sizeof pb, (double)f[w].pool_reserved);
        fmt_bytes(tb, sizeof tb, f[w].tag[big]);
        putf(s, "<tr><td>%" PRIu64 "</td><td>%.3f</td><td>%s</td><td>%s</td><td>%s</td>"
             "<td class=\"l\">", f[w].number, (double)f[w].dur_ns / 1e6, fb, hb, pb);
        html_str(s, sn->tags != 0 ? tag_label(sn, big) : "");
        putf(s, " (%s)</td><td>%u</td></tr>\n", tb, f[w].events);
    }
    puts_(s, "</table>\n");

    /* Tags with their peaks and budgets. */
    puts_(s, "<h2>Tags</h2>\n<table id=\"tags\"><tr><th class=\"l\">tag</th><th>peak</th>"
             "<th>soft budget</th><th>hard budget</th></tr>\n");
    for (unsigned g = 0; g < sn->tags; g++) {
        double tp = 0;
        for (size_t i = 0; i < nf; i++) tp = FAI_MAX(tp, f[i].tag[g]);
        char a[32], b[32] = "-", c[32] = "-";
        fmt_bytes(a, sizeof a, tp);
        if (sn->soft[g] != 0) fmt_bytes(b, sizeof b, (double)sn->soft[g]);
        if (sn->hard[g] != 0) fmt_bytes(c, sizeof c, (double)sn->hard[g]);
        puts_(s, "<tr><td class=\"l\">");
        html_str(s, tag_label(sn, g));
        putf(s, "</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", a, b, c);
    }
    puts_(s, "</table>\n</body></html>\n");
    free(f);
}
