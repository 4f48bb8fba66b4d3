/* SPDX-License-Identifier: MIT */
/*
 * tags.c - allocation tags (per subsystem: "physics", "render"...) and their budgets.
 *
 * A thread's current tag is the top of its tag stack (fa_tag_push/pop). Charging costs nothing
 * per allocation:
 *   frame  bytes are charged at tag boundaries (push, pop, end of a frame scope) as the growth
 *          of the frame since the previous boundary;
 *   pool   each tag has its own pages, so a pool object's tag is its page's;
 *   heap   each block records its tag.
 * Budgets and their checks are budget.c's; the end of an outermost frame hands it each tag's
 * frame bytes.
 *
 * Threading: registration takes fa->lock; limits and per-tag totals are atomics; per-thread
 * charges have one writer (the thread) and are read with relaxed loads.
 */
#include "internal.h"

#include <stdio.h>

void fai_tags_init(fa_alloc *fa) {
    strcpy(fa->tags[0].name, "untagged");
    atomic_store(&fa->tag_count, 1);
}

static bool valid_tag(fa_alloc *fa, fa_tag tag) {
    return fa != NULL && tag < atomic_load(&fa->tag_count);
}

fa_tag fa_tag_register(fa_alloc *fa, const char *name) {
    if (fa == NULL || name == NULL || name[0] == '\0') {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_tag_register: NULL allocator or empty name");
        return 0;
    }
    fai_mutex_lock(&fa->lock);
    unsigned n = atomic_load(&fa->tag_count);
    for (unsigned i = 1; i < n; i++) {
        if (strncmp(fa->tags[i].name, name, sizeof fa->tags[i].name - 1) == 0) {
            fai_mutex_unlock(&fa->lock);
            return (fa_tag)i;
        }
    }
    fa_tag tag = 0;
    if (n < FA_MAX_TAGS) {
        snprintf(fa->tags[n].name, sizeof fa->tags[n].name, "%s", name);
        atomic_store(&fa->tag_count, n + 1);
        tag = (fa_tag)n;
    }
    fai_mutex_unlock(&fa->lock);
    if (tag == 0)
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                  "fa_tag_register(\"%s\"): all %d tags are in use", name, FA_MAX_TAGS);
    return tag;
}

const char *fa_tag_name(fa_alloc *fa, fa_tag tag) {
    return valid_tag(fa, tag) ? fa->tags[tag].name : NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Frame charges                                                                              */
/* ---------------------------------------------------------------------------------------- */

void fai_tag_charge_frame(fai_tstate *t) {
    if (t->depth == 0) return;
    size_t now = fai_frame_bytes_now(t);
    if (now > t->tag_mark) {
        t->tag_frame_bytes[t->cur_tag] += now - t->tag_mark;
        t->tag_charged |= (uint64_t)1 << t->cur_tag;
    }
    t->tag_mark = now;
}

static void set_current(fai_tstate *t, fa_tag tag) {
    t->cur_tag = tag;
    fai_pool_switch_tag(t, tag);
}

void fai_tag_switch(fai_tstate *t, fa_tag tag) {
    fai_tag_charge_frame(t);
    set_current(t, tag);
}

/* Pushes tag; true when the push is owed a pop (it took effect, or it overflowed the stack and
 * was counted so that its pop is absorbed). */
static bool tag_push(fa_alloc *fa, fa_tag tag) {
    if (!valid_tag(fa, tag)) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_tag_push: unknown tag %u", tag);
        return false;
    }
    fai_tstate *t = fai_bind(fa);
    if (t == NULL) return false;
    if (t->tag_depth == FAI_TAG_STACK) {
        t->tag_overflow++;
        fai_error(fa, FA_ERR_NESTING_TOO_DEEP, NULL, 0, NULL,
                  "fa_tag_push: tags nested deeper than %d; allocations stay charged to \"%s\"",
                  FAI_TAG_STACK, fa->tags[t->cur_tag].name);
        return true;
    }
    fai_tag_charge_frame(t);
    t->tag_stack[t->tag_depth++] = tag;
    set_current(t, tag);
    return true;
}

void fa_tag_push(fa_alloc *fa, fa_tag tag) { (void)tag_push(fa, tag); }

/* FA_TAG_SCOPE: the scope remembers whether its push is owed a pop, so a refused push (unknown
 * tag, no thread state) pops nothing that an enclosing scope pushed. */
fai_tag_scope fai_tag_scope_enter(fa_alloc *fa, fa_tag tag) {
    fai_tag_scope s = {tag_push(fa, tag) ? fa : NULL};
    return s;
}

void fai_tag_scope_leave(fai_tag_scope *s) {
    if (s != NULL && s->fa != NULL) fa_tag_pop(s->fa);
}

void fa_tag_pop(fa_alloc *fa) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_tag_pop: NULL allocator");
        return;
    }
    fai_tstate *t = fai_bind(fa);
    if (t == NULL) return;
    if (t->tag_overflow > 0) {
        t->tag_overflow--;
        return;
    }
    if (t->tag_depth == 0) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_tag_pop with no tag pushed");
        return;
    }
    fai_tag_charge_frame(t);
    t->tag_depth--;
    set_current(t, t->tag_depth > 0 ? t->tag_stack[t->tag_depth - 1] : 0);
}

/* Copies the part of s[0, n) that lands below buf[cap - 1] when written at buf + at. */
static void put_part(char *buf, size_t cap, size_t at, const char *s, size_t n) {
    if (at + 1 >= cap) return;
    size_t room = cap - 1 - at;
    memcpy(buf + at, s, n < room ? n : room);
}

size_t fa_tag_path(fa_alloc *fa, char *buf, size_t cap) {
    if (fa == NULL || (buf == NULL && cap != 0)) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, cap, NULL,
                  "fa_tag_path: NULL allocator, or NULL buffer with a capacity");
        if (buf != NULL && cap != 0) buf[0] = '\0';
        return 0;
    }
    fai_tstate *t = fai_find_tstate(fa);
    size_t len = 0;
    for (unsigned i = 0; t != NULL && i < t->tag_depth; i++) {
        if (i > 0) put_part(buf, cap, len++, "/", 1);
        const char *name = fa->tags[t->tag_stack[i]].name;
        size_t n = strlen(name);
        put_part(buf, cap, len, name, n);
        len += n;
    }
    if (cap != 0) buf[FAI_MIN(len, cap - 1)] = '\0';
    return len;
}

fa_tag fa_tag_current(fa_alloc *fa) {
    fai_tstate *t = fai_find_tstate(fa);
    return t != NULL ? t->cur_tag : 0;
}

/* Publishes the frame's charges. Only tags charged in this frame or the last one can have
 * changed, so the walk is over their bits, not over every registered tag. */
void fai_tag_frame_end(fai_tstate *t) {
    uint64_t todo = t->tag_charged | t->tag_charged_last;
    t->tag_charged_last = t->tag_charged;
    t->tag_charged = 0;
    while (todo != 0) {
        unsigned i = (unsigned)__builtin_ctzll(todo);
        todo &= todo - 1;
        size_t bytes = t->tag_frame_bytes[i];
        FAI_STORE(t->ctr[i].frame_last, bytes);
        if (bytes > FAI_LOAD(t->ctr[i].frame_peak)) FAI_STORE(t->ctr[i].frame_peak, bytes);
        t->tag_frame_bytes[i] = 0;
        if (i != 0 && bytes != 0) fai_budget_frame_end(t, (fa_tag)i, bytes);
    }
    fai_budget_thread_frame_end(t);
}

/* ---------------------------------------------------------------------------------------- */
/* Statistics                                                                                 */
/* ---------------------------------------------------------------------------------------- */

fa_status fa_get_tag_stats(fa_alloc *fa, fa_tag tag, fa_tag_stats *out) {
    if (!valid_tag(fa, tag) || out == NULL) {
        if (fa != NULL)
            fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL,
                      "fa_get_tag_stats: unknown tag %u or NULL output", tag);
        return FA_ERR_INVALID_ARGUMENT;
    }
    fai_tag_info *ti = &fa->tags[tag];
    memset(out, 0, sizeof *out);
    out->name = ti->name;
    out->soft_limit = atomic_load(&ti->budget.warn);
    out->hard_limit = atomic_load(&ti->budget.fail);
    out->soft_exceeded = atomic_load(&ti->budget.warnings);
    out->hard_exceeded = atomic_load(&ti->budget.failures);
    int64_t heap = atomic_load(&ti->heap_bytes);
    out->heap_bytes = heap > 0 ? (size_t)heap : 0;
    fai_pool_count(fa, NULL, (int)tag, NULL, &out->pool_bytes, NULL);
    out->peak_bytes = FAI_MAX(atomic_load(&ti->budget.peak), out->heap_bytes + out->pool_bytes);
    fai_mutex_lock(&fa->lock);
    for (fai_tstate *t = fa->threads; t != NULL; t = t->next_in_fa) {
        size_t last = FAI_LOAD(t->ctr[tag].frame_last), peak = FAI_LOAD(t->ctr[tag].frame_peak);
        out->frame_bytes_last += last;
        if (peak > out->frame_bytes_peak) out->frame_bytes_peak = peak;
    }
    fai_mutex_unlock(&fa->lock);
    return FA_OK;
}
