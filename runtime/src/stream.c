// SPDX-License-Identifier: MIT
/*
 * stream.c - the streaming allocator: large asset buffers under a byte budget, evicted by
 * priority and recency.
 *
 * Owns: a fixed entry table (cfg.max_entries, ids are generation << 32 | index like handles),
 * one OS mapping per entry's buffer (prim.h), the budget accounting and the tag charge.
 *
 * Invariants (all under s->lock):
 *   - used_bytes = sum of the sizes of live entries <= budget, always; the tag is charged
 *     exactly used_bytes.
 *   - Only READY entries with no pins are ever evicted. A cancelled LOADING entry keeps its
 *     buffer and its bytes until the loader's next progress or finish_load retires it: the
 *     loader may be writing the buffer without the lock. Eviction order: lowest priority first,
 *     then the oldest last-use frame, then the oldest reservation.
 *   - A reservation decides its whole set of victims before changing anything; if the victims
 *     cannot make room, or the tag budget, the OS or the entry table refuses, nothing is evicted.
 *   - The recency clock is the highest fa_frame_number(fa) seen by any call that stamps an
 *     entry (access, pin, finish_load): it advances with the frames of the threads that use the
 *     stream and costs one lookup per call, no manual tick.
 *
 * Threading: every call takes s->lock, so a loader thread and the game thread (or any number
 * of threads) may use one stream. The buffer of a LOADING entry is written by the loader
 * without the lock; it becomes visible to other threads through the lock taken by
 * fa_stream_finish_load and fa_stream_access. Eviction callbacks and error reports run after
 * the lock is released, on the thread whose call caused them.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define S_MAGIC 0x4641535452454d21ull /* "FASTREM!" */

typedef struct sentry {
    void *data;
    size_t size, map_size, loaded;
    uint64_t last_frame, seq;
    int priority;
    uint32_t gen;       /* generation of the live id, or of the next one when free */
    uint32_t pins;
    uint32_t next_free;
    uint8_t state;      /* fa_stream_state */
} sentry;

typedef struct scand {
    int priority;
    uint32_t idx;
    uint64_t last_frame, seq;
} scand;

typedef struct svictim {
    fa_stream_id id;
    void *data;
    size_t size, map_size;
    int priority;
} svictim;

struct fa_stream {
    uint64_t magic;
    fa_alloc *fa;
    fa_stream_config cfg;
    fai_mutex lock;
    sentry *e;
    scand *cand;        /* scratch for sorting eviction candidates */
    uint32_t hwm, free_head;
    uint64_t clock, seq;
    size_t used, peak;
    uint64_t evictions, evicted_bytes, refused, cancels;
};

/* A report prepared under the lock, delivered after it. */
typedef struct serr {
    fa_status st;
    char msg[160];
} serr;

FAI_PRINTF(3, 4) static void set_err(serr *e, fa_status st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    e->st = st;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
}

static void deliver(fa_stream *s, const serr *e) {
    if (e->st != FA_OK) fai_error(s->fa, e->st, NULL, 0, NULL, "%s", e->msg);
}

static bool stream_ok(const fa_stream *s, const char *what) {
    if (s != NULL && s->magic == S_MAGIC) return true;
    fai_error(NULL, FA_ERR_INVALID_ARGUMENT, s, 0, NULL, "%s: not a live stream", what);
    return false;
}

static fa_stream_id id_of(const fa_stream *s, uint32_t idx) {
    return ((uint64_t)s->e[idx].gen << 32) | idx;
}

/* The live entry of id, or NULL (never created, released or evicted). */
static sentry *find(fa_stream *s, fa_stream_id id) {
    uint32_t idx = (uint32_t)id, gen = (uint32_t)(id >> 32);
    if (idx == 0 || idx >= s->hwm || gen == 0) return NULL;
    sentry *en = &s->e[idx];
    return en->state != FA_STREAM_NONE && en->gen == gen ? en : NULL;
}

/* id named an entry of this stream that has since gone (its slot's generation moved on), as
 * opposed to an id that never existed. */
static bool was_live(const fa_stream *s, fa_stream_id id) {
    uint32_t idx = (uint32_t)id, gen = (uint32_t)(id >> 32);
    return idx != 0 && idx < s->hwm && gen != 0 && gen < s->e[idx].gen;
}

static uint64_t clock_now(fa_stream *s) {
    uint64_t f = fa_frame_number(s->fa);
    if (f > s->clock) s->clock = f;
    return s->clock;
}

/* Retires an entry's slot (under the lock). The caller frees its memory after unlocking. */
/* The allocator-wide asset figures (fa_stats.stream_*): deltas of this stream's own. */
static void account(fa_stream *s, ptrdiff_t count, ptrdiff_t bytes, ptrdiff_t mapped) {
    atomic_fetch_add_explicit(&s->fa->stream_count, (size_t)count, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->fa->stream_bytes, (size_t)bytes, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->fa->stream_reserved, (size_t)mapped, memory_order_relaxed);
}

/* Retires a live entry (under the lock); its mapping is the caller's to unmap. */
static void entry_free(fa_stream *s, uint32_t idx) {
    sentry *en = &s->e[idx];
    s->used -= en->size;
    account(s, -1, -(ptrdiff_t)en->size, -(ptrdiff_t)en->map_size);
    en->state = FA_STREAM_NONE;
    en->data = NULL;
    en->pins = 0;
    if (++en->gen != 0) { /* a wrapped generation retires the slot */
        en->next_free = s->free_head;
        s->free_head = idx;
    }
}

static int cand_cmp(const void *a, const void *b) {
    const scand *x = a, *y = b;
    if (x->priority != y->priority) return x->priority < y->priority ? -1 : 1;
    if (x->last_frame != y->last_frame) return x->last_frame < y->last_frame ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---------------------------------------------------------------------------------------- */
/* Lifetime                                                                                   */
/* ---------------------------------------------------------------------------------------- */

fa_stream *fa_stream_create(fa_alloc *fa, const fa_stream_config *cfg) {
    fa_stream_config c = cfg ? *cfg : (fa_stream_config){0};
    if (c.max_entries == 0) c.max_entries = 4096;
    if (fa == NULL || c.budget == 0 || c.budget > FA_MAX_ALLOC_SIZE ||
        c.max_entries >= (1u << 30) || c.tag >= FA_MAX_TAGS ||
        (c.tag != 0 && fa_tag_name(fa, c.tag) == NULL)) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, c.budget, NULL,
                  "fa_stream_create: NULL allocator, budget 0 or above FA_MAX_ALLOC_SIZE, too "
                  "many entries or unknown tag");
        return NULL;
    }
    fa_stream *s = calloc(1, sizeof *s);
    sentry *e = s ? calloc((size_t)c.max_entries + 1, sizeof *e) : NULL;
    scand *cand = e ? malloc((size_t)c.max_entries * sizeof *cand) : NULL;
    if (cand == NULL) {
        free(e);
        free(s);
        fai_error(fa, FA_ERR_OUT_OF_MEMORY, NULL, 0, NULL, "fa_stream_create: out of memory");
        return NULL;
    }
    s->magic = S_MAGIC;
    s->fa = fa;
    s->cfg = c;
    s->e = e;
    s->cand = cand;
    s->hwm = 1;
    fai_mutex_init(&s->lock);
    return s;
}

void fa_stream_destroy(fa_stream *s) {
    if (s == NULL) return;
    if (!stream_ok(s, "fa_stream_destroy")) return;
    for (uint32_t i = 1; i < s->hwm; i++)
        if (s->e[i].state != FA_STREAM_NONE && s->e[i].data != NULL) {
            account(s, -1, -(ptrdiff_t)s->e[i].size, -(ptrdiff_t)s->e[i].map_size);
            fai_prim_unmap(s->e[i].data, s->e[i].map_size);
        }
    fai_tag_heap_charge(s->fa, s->cfg.tag, -(int64_t)s->used, NULL);
    fai_mutex_destroy(&s->lock);
    s->magic = 0;
    free(s->cand);
    free(s->e);
    free(s);
}

/* ---------------------------------------------------------------------------------------- */
/* Reservation and eviction                                                                   */
/* ---------------------------------------------------------------------------------------- */

static void sift_down(scand *h, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && cand_cmp(&h[l], &h[m]) < 0) m = l;
        if (l + 1 < n && cand_cmp(&h[l + 1], &h[m]) < 0) m = l + 1;
        if (m == i) return;
        scand tmp = h[i];
        h[i] = h[m];
        h[m] = tmp;
        i = m;
    }
}

/* Orders the first victims of the nc candidates in s->cand (eviction order, until need bytes
 * are freed) into s->cand[0, nv) and returns nv. A heap, not a sort: a reservation usually
 * evicts a few entries out of thousands, O(nc + nv log nc). The caller checked that the
 * candidates hold at least need bytes. */
static size_t pick_victims(fa_stream *s, size_t nc, size_t need, size_t *freed) {
    scand *h = s->cand;
    for (size_t i = nc / 2; i-- > 0;) sift_down(h, nc, i);
    size_t n = nc, nv = 0;
    while (*freed < need) { /* pop the minimum to the end: victims gather at h[n, nc) */
        scand top = h[0];
        h[0] = h[--n];
        h[n] = top;
        sift_down(h, n, 0);
        *freed += s->e[top.idx].size;
        nv++;
    }
    /* h[nc - 1] is the first victim: reverse the tail into the front */
    for (size_t k = 0; k < nv && k < nc - 1 - k; k++) {
        scand tmp = h[k];
        h[k] = h[nc - 1 - k];
        h[nc - 1 - k] = tmp;
    }
    return nv;
}

fa_stream_id fa_stream_reserve(fa_stream *s, size_t size, int priority, fa_status *why) {
    if (why) *why = FA_OK;
    if (!stream_ok(s, "fa_stream_reserve")) {
        if (why) *why = FA_ERR_INVALID_ARGUMENT;
        return 0;
    }
    serr err = {FA_OK, ""};
    svictim *victims = NULL;
    size_t nv = 0;
    fa_stream_id id = 0;
    size_t ps = fai_prim_page_size();

    fai_mutex_lock(&s->lock);
    if (size == 0) {
        set_err(&err, FA_ERR_ZERO_SIZE, "fa_stream_reserve: size 0");
        goto out;
    }
    if (size > s->cfg.budget) {
        set_err(&err, FA_ERR_TOO_LARGE, "fa_stream_reserve: %zu bytes exceed the whole budget "
                "(%zu bytes)", size, s->cfg.budget);
        goto out;
    }
    if (s->free_head == 0 && s->hwm > s->cfg.max_entries) {
        set_err(&err, FA_ERR_OUT_OF_MEMORY, "fa_stream_reserve: all %u entries in use",
                s->cfg.max_entries);
        goto out;
    }
    /* 1. Decide the victims; change nothing yet. */
    size_t freed = 0;
    if (s->used + size > s->cfg.budget) {
        size_t need = s->used + size - s->cfg.budget, nc = 0, avail = 0;
        for (uint32_t i = 1; i < s->hwm; i++) {
            const sentry *en = &s->e[i];
            if (en->state != FA_STREAM_READY || en->pins != 0) continue;
            s->cand[nc++] = (scand){en->priority, i, en->last_frame, en->seq};
            avail += en->size;
        }
        if (avail < need) {
            set_err(&err, FA_ERR_BUDGET,
                    "fa_stream_reserve: %zu bytes need %zu bytes evicted, only %zu are "
                    "evictable (ready and unpinned); nothing was evicted", size, need, avail);
            goto out;
        }
        nv = pick_victims(s, nc, need, &freed);
        victims = malloc(nv * sizeof *victims);
        if (victims == NULL) {
            nv = 0;
            set_err(&err, FA_ERR_OUT_OF_MEMORY, "fa_stream_reserve: out of memory");
            goto out;
        }
    }
    /* 2. Everything that can refuse: the tag budget (net of the victims), the OS. */
    int64_t net = (int64_t)size - (int64_t)freed;
    fai_quiet q = fai_quiet_begin();
    bool charged = fai_tag_heap_charge(s->fa, s->cfg.tag, net, NULL);
    fa_status tag_st = fai_quiet_end(q);
    if (!charged) {
        free(victims);
        victims = NULL;
        nv = 0;
        set_err(&err, tag_st != FA_OK ? tag_st : FA_ERR_BUDGET,
                "fa_stream_reserve: %zu bytes would exceed the budget of tag %u", size,
                s->cfg.tag);
        goto out;
    }
    size_t map_size = fai_align_up(size, ps);
    void *data = fai_prim_map(map_size, ps);
    if (data == NULL) {
        fai_tag_heap_charge(s->fa, s->cfg.tag, -net, NULL);
        free(victims);
        victims = NULL;
        nv = 0;
        set_err(&err, FA_ERR_OUT_OF_MEMORY, "fa_stream_reserve: the OS refused %zu bytes", size);
        goto out;
    }
    /* 3. Commit: evict the victims, create the entry. */
    for (size_t k = 0; k < nv; k++) {
        uint32_t vi = s->cand[k].idx;
        sentry *en = &s->e[vi];
        victims[k] = (svictim){id_of(s, vi), en->data, en->size, en->map_size, en->priority};
        s->evictions++;
        s->evicted_bytes += en->size;
        entry_free(s, vi);
    }
    uint32_t idx = s->free_head;
    if (idx != 0) s->free_head = s->e[idx].next_free;
    else idx = s->hwm++;
    sentry *en = &s->e[idx];
    if (en->gen == 0) en->gen = 1;
    en->data = data;
    en->size = size;
    en->map_size = map_size;
    en->loaded = 0;
    en->priority = priority;
    en->pins = 0;
    en->seq = ++s->seq;
    en->last_frame = clock_now(s);
    en->state = FA_STREAM_RESERVED;
    s->used += size;
    account(s, 1, (ptrdiff_t)size, (ptrdiff_t)map_size);
    if (s->used > s->peak) s->peak = s->used;
    id = id_of(s, idx);
out:
    if (err.st != FA_OK) s->refused++;
    fai_mutex_unlock(&s->lock);

    for (size_t k = 0; k < nv; k++) {
        if (s->cfg.on_evict != NULL)
            s->cfg.on_evict(victims[k].id, victims[k].data, victims[k].size,
                            victims[k].priority, s->cfg.user);
        fai_prim_unmap(victims[k].data, victims[k].map_size);
    }
    free(victims);
    if (why) *why = err.st;
    else deliver(s, &err);
    return id;
}

/* ---------------------------------------------------------------------------------------- */
/* Loading                                                                                    */
/* ---------------------------------------------------------------------------------------- */

static const char *state_name(unsigned st) {
    static const char *const names[] = {"gone", "reserved", "loading", "ready", "cancelled"};
    return st < 5 ? names[st] : "?";
}

void *fa_stream_begin_load(fa_stream *s, fa_stream_id id) {
    if (!stream_ok(s, "fa_stream_begin_load")) return NULL;
    serr err = {FA_OK, ""};
    void *p = NULL;
    fai_mutex_lock(&s->lock);
    sentry *en = find(s, id);
    if (en == NULL && was_live(s, id))
        ; /* cancelled (or evicted) before the loader got to it: an expected race, quiet */
    else if (en == NULL || en->state != FA_STREAM_RESERVED)
        set_err(&err, FA_ERR_INVALID_ARGUMENT, "fa_stream_begin_load: id %#llx is %s, not reserved",
                (unsigned long long)id, state_name(en ? en->state : 0));
    else {
        en->state = FA_STREAM_LOADING;
        p = en->data;
    }
    fai_mutex_unlock(&s->lock);
    deliver(s, &err);
    return p;
}

/* The loader's acknowledgement of a cancel (under the lock): retires the entry and returns
 * its mapping, which the caller unmaps after unlocking. */
static void *acknowledge_cancel(fa_stream *s, fa_stream_id id, size_t *map_size) {
    sentry *en = &s->e[(uint32_t)id];
    void *data = en->data;
    *map_size = en->map_size;
    fai_tag_heap_charge(s->fa, s->cfg.tag, -(int64_t)en->size, NULL);
    entry_free(s, (uint32_t)id);
    return data;
}

fa_status fa_stream_cancel(fa_stream *s, fa_stream_id id) {
    if (!stream_ok(s, "fa_stream_cancel")) return FA_ERR_INVALID_ARGUMENT;
    serr err = {FA_OK, ""};
    fa_status st = FA_OK;
    void *data = NULL;
    size_t map_size = 0;
    fai_mutex_lock(&s->lock);
    sentry *en = find(s, id);
    if (en == NULL) {
        st = FA_ERR_INVALID_ARGUMENT; /* evicted or released meanwhile: not an error */
    } else if (en->pins != 0) {
        set_err(&err, FA_ERR_INVALID_ARGUMENT,
                "fa_stream_cancel: id %#llx is pinned: cancel it after unpin",
                (unsigned long long)id);
    } else if (en->state == FA_STREAM_LOADING) {
        en->state = FA_STREAM_CANCELLED;
        s->cancels++;
    } else if (en->state != FA_STREAM_CANCELLED) {
        data = acknowledge_cancel(s, id, &map_size);
        s->cancels++;
    }
    fai_mutex_unlock(&s->lock);
    if (data != NULL) fai_prim_unmap(data, map_size);
    deliver(s, &err);
    return err.st != FA_OK ? err.st : st;
}

fa_status fa_stream_progress(fa_stream *s, fa_stream_id id, size_t bytes_loaded) {
    if (!stream_ok(s, "fa_stream_progress")) return FA_ERR_INVALID_ARGUMENT;
    serr err = {FA_OK, ""};
    void *gone = NULL;
    size_t gone_size = 0;
    fai_mutex_lock(&s->lock);
    sentry *en = find(s, id);
    if (en != NULL && en->state == FA_STREAM_CANCELLED)
        gone = acknowledge_cancel(s, id, &gone_size);
    else if (en == NULL || en->state != FA_STREAM_LOADING)
        set_err(&err, FA_ERR_INVALID_ARGUMENT, "fa_stream_progress: id %#llx is %s, not loading",
                (unsigned long long)id, state_name(en ? en->state : 0));
    else if (bytes_loaded > en->size || bytes_loaded < en->loaded)
        set_err(&err, FA_ERR_INVALID_ARGUMENT,
                "fa_stream_progress: %zu bytes loaded of %zu (previously %zu): progress must "
                "grow and stay within the size", bytes_loaded, en->size, en->loaded);
    else
        en->loaded = bytes_loaded;
    fai_mutex_unlock(&s->lock);
    if (gone != NULL) {
        fai_prim_unmap(gone, gone_size);
        return FA_ERR_INVALID_ARGUMENT; /* cancelled: quiet, the loader stops */
    }
    deliver(s, &err);
    return err.st;
}

fa_status fa_stream_finish_load(fa_stream *s, fa_stream_id id) {
    if (!stream_ok(s, "fa_stream_finish_load")) return FA_ERR_INVALID_ARGUMENT;
    serr err = {FA_OK, ""};
    void *gone = NULL;
    size_t gone_size = 0;
    fai_mutex_lock(&s->lock);
    sentry *en = find(s, id);
    if (en != NULL && en->state == FA_STREAM_CANCELLED)
        gone = acknowledge_cancel(s, id, &gone_size);
    else if (en == NULL || en->state != FA_STREAM_LOADING)
        set_err(&err, FA_ERR_INVALID_ARGUMENT, "fa_stream_finish_load: id %#llx is %s, not loading",
                (unsigned long long)id, state_name(en ? en->state : 0));
    else {
        en->state = FA_STREAM_READY;
        en->loaded = en->size;
        en->last_frame = clock_now(s);
    }
    fai_mutex_unlock(&s->lock);
    if (gone != NULL) {
        fai_prim_unmap(gone, gone_size);
        return FA_ERR_INVALID_ARGUMENT; /* cancelled: quiet */
    }
    deliver(s, &err);
    return err.st;
}

/* ---------------------------------------------------------------------------------------- */
/* Use                                                                                        */
/* ---------------------------------------------------------------------------------------- */

void *fa_stream_access(fa_stream *s, fa_stream_id id) {
    if (!stream_ok(s, "fa_stream_access")) return NULL;
    void *p = NULL;
    fai_mutex_lock(&s->lock);
    sentry *en = find(s, id);
    if (en != NULL && en->state == FA_STREAM_READY) {
        en->last_frame = clock_now(s);
        p = en->data;
    }
    fai_mutex_unlock(&s->lock);
    return p;
}

void *fa_stream_pin(fa_stream *s, fa_stream_id id) {
    if (!stream_ok(s, "fa_stream_pin")) return NULL;
    void *p = NULL;
    fai_mutex_lock(&s->lock);
    sentry *en = find(s, id);
    if (en != NULL && en->state == FA_STREAM_READY && en->pins != UINT32_MAX) {
        en->pins++;
        en->last_frame = clock_now(s);
        p = en->data;
    }
    fai_mutex_unlock(&s->lock);
    return p;
}

fa_status fa_stream_unpin(fa_stream *s, fa_stream_id id) {
    if (!stream_ok(s, "fa_stream_unpin")) return FA_ERR_INVALID_ARGUMENT;
    serr err = {FA_OK, ""};
    fai_mutex_lock(&s->lock);
    sentry *en = find(s, id);
    if (en == NULL || en->pins == 0)
        set_err(&err, FA_ERR_INVALID_ARGUMENT, "fa_stream_unpin: id %#llx is %s and not pinned",
                (unsigned long long)id, state_name(en ? en->state : 0));
    else
        en->pins--;
    fai_mutex_unlock(&s->lock);
    deliver(s, &err);
    return err.st;
}

fa_status fa_stream_release(fa_stream *s, fa_stream_id id) {
    if (!stream_ok(s, "fa_stream_release")) return FA_ERR_INVALID_ARGUMENT;
    serr err = {FA_OK, ""};
    void *data = NULL;
    size_t map_size = 0, size = 0;
    fai_mutex_lock(&s->lock);
    sentry *en = find(s, id);
    if (en == NULL)
        set_err(&err, FA_ERR_INVALID_ARGUMENT,
                "fa_stream_release: id %#llx is not live (released, evicted or never reserved)",
                (unsigned long long)id);
    else if (en->state == FA_STREAM_LOADING || en->state == FA_STREAM_CANCELLED || en->pins != 0)
        set_err(&err, FA_ERR_INVALID_ARGUMENT,
                "fa_stream_release: id %#llx is %s: release it after finish_load / unpin",
                (unsigned long long)id, en->pins ? "pinned" : state_name(en->state));
    else {
        data = en->data;
        map_size = en->map_size;
        size = en->size;
        entry_free(s, (uint32_t)id);
        fai_tag_heap_charge(s->fa, s->cfg.tag, -(int64_t)size, NULL);
    }
    fai_mutex_unlock(&s->lock);
    if (data != NULL) fai_prim_unmap(data, map_size);
    deliver(s, &err);
    return err.st;
}

fa_stream_state fa_stream_get_state(fa_stream *s, fa_stream_id id, size_t *loaded) {
    if (loaded) *loaded = 0;
    if (!stream_ok(s, "fa_stream_get_state")) return FA_STREAM_NONE;
    fai_mutex_lock(&s->lock);
    sentry *en = find(s, id);
    fa_stream_state st = en ? (fa_stream_state)en->state : FA_STREAM_NONE;
    if (en && loaded) *loaded = en->loaded;
    fai_mutex_unlock(&s->lock);
    return st;
}

void fa_stream_get_stats(fa_stream *s, fa_stream_stats *out) {
    if (out == NULL) return;
    memset(out, 0, sizeof *out);
    if (!stream_ok(s, "fa_stream_get_stats")) return;
    fai_mutex_lock(&s->lock);
    out->budget = s->cfg.budget;
    out->used_bytes = s->used;
    out->peak_bytes = s->peak;
    for (uint32_t i = 1; i < s->hwm; i++) {
        const sentry *en = &s->e[i];
        if (en->state == FA_STREAM_RESERVED) out->reserved++;
        else if (en->state == FA_STREAM_LOADING) out->loading++;
        else if (en->state == FA_STREAM_READY) out->ready++;
        else if (en->state == FA_STREAM_CANCELLED) out->cancelled++;
        if (en->state != FA_STREAM_NONE && en->pins) out->pinned++;
    }
    out->entries = out->reserved + out->loading + out->ready + out->cancelled;
    out->cancels = s->cancels;
    out->evictions = s->evictions;
    out->evicted_bytes = s->evicted_bytes;
    out->refused = s->refused;
    out->clock = s->clock;
    fai_mutex_unlock(&s->lock);
}
