/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ops.c - libFuzzer harness: the input is a sequence of operations on one allocator,
 * checked against a shadow model.
 *
 * Input: two configuration bytes, then operations of five bytes each (opcode + 4 argument
 * bytes; a short tail reads as zeros). Every input gets a fresh allocator (configured from the
 * first bytes, with a counting error handler) and ends with everything released, the model's
 * totals compared with the statistics and fa_destroy expected to report nothing, or, when the
 * configuration asks for it, with objects left to fa_destroy, which must report exactly the
 * leak and the open frames.
 *
 * The model: every live block (frame, pool, heap, transfer payload) is filled with a pattern
 * derived from its seed and checked before it is freed, reallocated or its frame scope ends,
 * and by the CHECK_ALL operation; copies (realloc, retain, promote, transfer) must carry the
 * source's pattern. Alignment, usable sizes, statistics (counts, bytes, peaks, frame bytes
 * within the bounds of alignment padding), frame depth and number, current tag, the error
 * counter and fa_last_error are checked against the model. Every error report must be one the
 * operation could cause; operations that must fail are checked to report exactly that status
 * and to change nothing.
 *
 * Misuse operations (and alignments above the page size, "huge_align") come in classes (see
 * misuse_names) that can be switched off or on by name:
 *   FA_FUZZ_OFF=ptr_one,stale   FA_FUZZ_ON=remote
 * so fuzzing can go on past a known defect. One worker thread (class "remote") frees and
 * allocates on request, synchronously, so runs stay deterministic.
 *
 * A failed check prints the operation log of the input and aborts (libFuzzer saves the input).
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const op_names[OP_COUNT] = {
    "begin", "end", "frame_alloc", "frame_zeroed", "frame_array", "frame_realloc",
    "frame_strdup", "frame_retain", "promote_pool", "promote_heap", "pool_alloc",
    "pool_aligned", "pool_calloc", "pool_free", "pool_usable", "pool_trim", "heap_alloc",
    "heap_realloc", "heap_free", "heap_size", "xfer_create", "xfer_receive", "xfer_free",
    "tag_push", "tag_pop", "tag_budget", "stats", "check_ptr", "validate", "check_all",
    "misuse", "remote", "frame_trim",
};

const char *const misuse_names[MC_COUNT] = {
    "garbage", "ptr_one", "wrong_kind", "double_free", "pool_double_free", "bad_args", "stale",
    "null_args", "remote", "huge_align",
};

bool class_on[MC_COUNT];
static uint64_t total_ops, total_inputs;

/* ---------------------------------------------------------------------------------------- */
/* Frames                                                                                     */
/* ---------------------------------------------------------------------------------------- */

/* The frame's peak lies between the largest granule total and that plus the padding bound. */
static void note_peak(void) {
    m.peak_lo = max_sz(m.peak_lo, m.fsum);
    m.peak_hi = max_sz(m.peak_hi, m.fsum + m.fpad);
}

static void frame_new(void *p, size_t size, size_t align, bool fill) {
    blk *b = add_blk(K_FRAME, p, size, align);
    b->scope = m.depth;
    b->pad = max_sz(align, 16) - 16;
    m.fsum += granule(size);
    m.fpad += b->pad;
    note_peak();
    if (fill) pat_fill(b->p, b->size, b->seed);
}

/* A frame allocation returned NULL with FA_ERR_FRAME_LIMIT: only legitimate when even the
 * least padding-friendly layout of the live allocations leaves no room. */
static bool frame_limit_hit_ok(size_t size, size_t align) {
    if (m.cfg.frame_limit == 0) return false;
    return m.fsum + m.fpad + granule(size) + (max_sz(align, 16) - 16) > m.cfg.frame_limit;
}

/* A frame allocation that takes a new block is checked against the current tag's hard budget
 * (block granularity: not modelled). True when p == NULL was that refusal (reported once). */
static bool frame_budget_refused(void) {
    unsigned ti = tag_index(cur_tag());
    if (ti == 0 || m.tag_hard[ti] == 0 || fa_last_error() != FA_ERR_BUDGET) return false;
    EXPECT_ONLY(FA_ERR_BUDGET);
    return true;
}

/* Checks the outcome of a frame allocation expected to succeed unless the frame limit or the
 * tag's hard budget refuses. */
static bool frame_outcome(void *p, size_t size, size_t align) {
    if (p == NULL) {
        if (frame_budget_refused()) return false;
        EXPECT(0, BIT(FA_ERR_FRAME_LIMIT));
        if (!frame_limit_hit_ok(size, align)) {
            logf_(" [fsum %zu fpad %zu limit %zu]", m.fsum, m.fpad, m.cfg.frame_limit);
            fail(__FILE__, __LINE__, "frame allocation failed with room under frame_limit");
        }
        return false;
    }
    EXPECT_NONE();
    CHECK(aligned(p, max_sz(align, 16)));
    return true;
}

static void op_begin(void) {
    fa_begin_frame(m.fa);
    if (m.depth >= m.max_depth) {
        m.overflow++;
        EXPECT_ONLY(FA_ERR_NESTING_TOO_DEEP);
        return;
    }
    EXPECT_NONE();
    if (m.depth == 0) {
        m.frame_number++;
        m.peak_lo = m.peak_hi = 0;
    }
    m.depth++;
}

typedef struct pending_copy {
    uint32_t order;
    unsigned slot;
    uint64_t seed;
    size_t size;
    fa_retain_policy policy;
} pending_copy;

static void op_end(void) {
    if (m.overflow > 0) {
        fa_end_frame(m.fa);
        m.overflow--;
        EXPECT_NONE();
        return;
    }
    if (m.depth == 0) {
        if (!class_on[MC_BAD_ARGS]) return;
        fa_end_frame(m.fa);
        EXPECT_ONLY(FA_ERR_END_WITHOUT_BEGIN);
        return;
    }
    /* Retains of this scope, in the order the runtime runs them (first registration): the
     * order decides which copy a heap limit or budget refuses. */
    pending_copy pc[MAX_SLOTS];
    unsigned npc = 0;
    for (unsigned i = 0; i < MAX_SLOTS; i++) {
        retain_slot *s = &m.slots[i];
        if (s->scope != m.depth) continue;
        if (s->policy != FA_RETAIN_DISCARD && s->value != NULL) {
            blk *src = find_blk(s->value);
            CHECK(src != NULL && src->kind == K_FRAME && s->size <= src->size);
            unsigned k = npc++;
            while (k > 0 && pc[k - 1].order > s->order) {
                pc[k] = pc[k - 1];
                k--;
            }
            pc[k] = (pending_copy){s->order, i, src->seed, s->size, s->policy};
        }
        s->scope = 0;
    }
    /* Every block of the ending scope must be intact; then it is gone. */
    for (unsigned i = 0; i < m.nb;) {
        blk *b = &m.b[i];
        if (b->kind == K_FRAME && b->scope == m.depth) {
            check_blk(b);
            m.fsum -= granule(b->size);
            m.fpad -= b->pad;
            remember_stale(b->p, m.depth > 1);
            del_blk(b);
        } else {
            i++;
        }
    }
    /* What the retains must produce, and whether each may fail. */
    unsigned allowed = budgets_on() ? NOISE_BUDGET : 0;
    void *before[MAX_SLOTS];
    for (unsigned k = 0; k < npc; k++) before[k] = m.slots[pc[k].slot].value;
    fa_end_frame(m.fa);
    m.depth--;
    if (m.depth == 0) {
        m.frames_completed++;
        m.last_lo = m.peak_lo;
        m.last_hi = m.peak_hi;
        for (unsigned i = 0; i < m.nst; i++) m.st[i].mapped = false;
    }
    unsigned failures = 0;
    for (unsigned k = 0; k < npc; k++) {
        void *v = m.slots[pc[k].slot].value;
        CHECK(v != before[k]);
        if (v == NULL) {
            /* A pool retain the pool refuses falls back to the heap: NULL means both refused. */
            bool must;
            bool may = pc[k].policy == FA_RETAIN_TO_HEAP ? heap_may_fail(pc[k].size, 0, 0, &must)
                                                         : pool_may_fail() &&
                                                               heap_may_fail(pc[k].size, 0, 0, &must);
            CHECK(may);
            failures++;
            continue;
        }
        blk *b;
        if (pc[k].policy == FA_RETAIN_TO_POOL && fa_heap_size(m.fa, v) == 0) {
            pool_may_fail();
            CHECK(aligned(v, 16));
            b = model_pool_new(v, pc[k].size, 16, false);
        } else {
            /* a heap retain, or a pool retain the pool refused (only a budget can) */
            if (pc[k].policy == FA_RETAIN_TO_POOL) CHECK(pool_may_fail());
            CHECK(aligned(v, 16));
            b = model_heap_new(v, pc[k].size, 16);
        }
        b->seed = pc[k].seed;
        check_blk(b);
    }
    if (failures != 0) allowed |= BIT(FA_ERR_HEAP_LIMIT) | BIT(FA_ERR_BUDGET);
    EXPECT(allowed, 0);
}

static void op_frame_alloc(int how, uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    size_t size = frame_size(a, b);
    size_t align = dec_align(c);
    if (m.depth == 0) {
        if (!class_on[MC_BAD_ARGS]) return;
        void *p = fa_frame_alloc(m.fa, size, align);
        CHECK(p == NULL);
        EXPECT_ONLY(FA_ERR_NO_FRAME);
        return;
    }
    if (!room()) return;
    void *p;
    if (how == 0) {
        p = fa_frame_alloc(m.fa, size, align);
    } else if (how == 1) {
        p = fa_frame_alloc_zeroed(m.fa, size, align);
    } else {
        size_t n = 1 + (d & 7), elem = (size + n - 1) / n;
        size = n * elem;
        p = fa_frame_alloc_array(m.fa, n, elem, align);
    }
    logf_(" %zu@%zu", size, align);
    if (!frame_outcome(p, size, align)) return;
    if (how == 1) {
        for (size_t i = 0; i < size; i++) CHECK(((unsigned char *)p)[i] == 0);
    }
    frame_new(p, size, align, true);
}

static void op_frame_strdup(uint8_t a) {
    if (m.depth == 0 || !room()) return;
    char s[300];
    size_t n = a;
    for (size_t i = 0; i < n; i++) s[i] = (char)('a' + (i * 7 + a) % 26);
    s[n] = '\0';
    char *p = fa_frame_strdup(m.fa, s);
    if (!frame_outcome(p, n + 1, 1)) return;
    CHECK(memcmp(p, s, n + 1) == 0);
    frame_new(p, n + 1, 1, true);
}

static bool slot_refers(const void *p) {
    for (unsigned i = 0; i < MAX_SLOTS; i++)
        if (m.slots[i].scope != 0 && m.slots[i].value == p) return true;
    return false;
}

static void op_frame_realloc(uint8_t sel, uint8_t a, uint8_t b) {
    blk *ob = pick(1u << K_FRAME, sel);
    if (ob == NULL || !room() || slot_refers(ob->p)) return;
    size_t nsize = frame_size(a, b);
    check_blk(ob);
    unsigned char *old = ob->p;
    size_t osize = ob->size, oalign = ob->align;
    void *q = fa_frame_realloc(m.fa, old, osize, nsize, oalign);
    logf_(" %zu->%zu", osize, nsize);
    if (q == NULL) {
        if (frame_budget_refused()) {
            check_blk(ob);
            return;
        }
        EXPECT(0, BIT(FA_ERR_FRAME_LIMIT));
        /* An in-place attempt that does not fit moves: that needs the whole new size. */
        CHECK(frame_limit_hit_ok(nsize, oalign));
        check_blk(ob);
        return;
    }
    EXPECT_NONE();
    CHECK(aligned(q, max_sz(oalign, 16)));
    size_t keep = min_sz(osize, nsize);
    CHECK(pat_ok(q, keep, ob->seed));
    if (q == (void *)old) {
        /* In place: only the innermost scope's last allocation may move its end. */
        CHECK(ob->scope == m.depth);
        m.fsum = m.fsum - granule(osize) + granule(nsize);
        note_peak();
        ob->size = nsize;
        ob->seed = new_seed();
        pat_fill(ob->p, ob->size, ob->seed);
        return;
    }
    /* Moved: a new allocation in the innermost scope; the old one stays valid. */
    check_blk(ob);
    frame_new(q, nsize, oalign, true);
}

static void op_frame_retain(uint8_t sel, uint8_t slotsel, uint8_t pol, uint8_t szsel) {
    unsigned si = slotsel % MAX_SLOTS;
    retain_slot *s = &m.slots[si];
    if (m.depth == 0) {
        if (!class_on[MC_BAD_ARGS]) return;
        void *tmp = NULL;
        CHECK(fa_frame_retain(m.fa, &tmp, 16, FA_RETAIN_TO_POOL) == FA_ERR_NO_FRAME);
        EXPECT_ONLY(FA_ERR_NO_FRAME);
        return;
    }
    if (s->scope != 0 && s->scope != m.depth) return; /* registered in another open scope */
    blk *src = pick(1u << K_FRAME, sel);
    if (src == NULL) return;
    fa_retain_policy policy = (fa_retain_policy)(pol % 3);
    size_t size = 1 + (src->size - 1) * szsel / 255;
    if (policy == FA_RETAIN_TO_POOL && size > FA_POOL_MAX_SIZE) size = FA_POOL_MAX_SIZE;
    s->value = src->p;
    fa_status st = fa_frame_retain(m.fa, &s->value, size, policy);
    logf_(" slot%u %zu pol%d", si, size, (int)policy);
    CHECK(st == FA_OK);
    EXPECT_NONE();
    if (s->scope == 0 && policy == FA_RETAIN_DISCARD) return; /* nothing registered */
    if (s->scope == 0) s->order = ++m.retain_seq;
    s->scope = m.depth;
    s->size = size;
    s->policy = policy;
}

/* Spare frame blocks go back to the OS: live blocks stay, stale addresses may be unmapped. */
static void op_frame_trim(void) {
    fa_frame_trim(m.fa);
    EXPECT_NONE();
    for (unsigned i = 0; i < m.nst; i++) m.st[i].mapped = false;
}

/* ---------------------------------------------------------------------------------------- */
/* Promotion, pools, heap                                                                     */
/* ---------------------------------------------------------------------------------------- */

static void op_promote(bool to_heap, uint8_t sel, uint8_t szsel, uint8_t c) {
    blk *src = pick((1u << K_FRAME) | (1u << K_POOL) | (1u << K_HEAP), sel);
    if (src == NULL || !room()) return;
    size_t size = 1 + (src->size - 1) * szsel / 255;
    if (!to_heap && size > FA_POOL_MAX_SIZE) size = FA_POOL_MAX_SIZE;
    size_t align = to_heap ? dec_align(c) : 16;
    uint64_t seed = src->seed;
    bool must = false, may = to_heap ? heap_may_fail(size, 0, 0, &must) : pool_may_fail();
    void *p = to_heap ? fa_promote_to_heap(m.fa, src->p, size, align)
                      : fa_promote_to_pool(m.fa, src->p, size);
    logf_(" %zu", size);
    if (p == NULL) {
        CHECK(may);
        EXPECT(BIT(FA_WARN_BUDGET), BIT(FA_ERR_BUDGET) | BIT(FA_ERR_HEAP_LIMIT));
        return;
    }
    CHECK(!must);
    EXPECT(alloc_noise(), 0);
    CHECK(aligned(p, max_sz(align, 16)));
    blk *b = to_heap ? model_heap_new(p, size, align) : model_pool_new(p, size, 16, false);
    b->seed = seed;
    check_blk(b);
}

static void op_pool_alloc(int how, uint8_t a, uint8_t b, uint8_t c) {
    if (!room()) return;
    size_t size = pool_size(a, b), align = 16;
    void *p;
    bool may = pool_may_fail();
    if (how == 0) {
        p = fa_pool_alloc(m.fa, size);
    } else if (how == 1) {
        align = dec_align(c);
        if (align > 4096) align = 4096;
        p = fa_pool_alloc_aligned(m.fa, size, align);
    } else {
        size_t n = 1 + (c & 15), elem = (size + n - 1) / n;
        if (n * elem > FA_POOL_MAX_SIZE) elem = FA_POOL_MAX_SIZE / n;
        size = n * elem;
        p = fa_pool_calloc(m.fa, n, elem);
    }
    logf_(" %zu@%zu", size, align);
    if (p == NULL) {
        CHECK(may);
        EXPECT(BIT(FA_WARN_BUDGET), BIT(FA_ERR_BUDGET));
        return;
    }
    EXPECT(alloc_noise(), 0);
    CHECK(aligned(p, max_sz(align, 16)));
    CHECK(pool_class(size, align) != 0);
    if (how == 2) {
        for (size_t i = 0; i < size; i++) CHECK(((unsigned char *)p)[i] == 0);
    }
    blk *nb = model_pool_new(p, size, align, false);
    pat_fill(nb->p, nb->size, nb->seed);
}

static void op_pool_free(uint8_t sel) {
    blk *b = pick(1u << K_POOL, sel);
    if (b == NULL) return;
    check_blk(b);
    fa_pool_free(m.fa, b->p);
    EXPECT_NONE();
    model_pool_gone(b);
}

static void op_pool_usable(uint8_t sel) {
    blk *b = pick(1u << K_POOL, sel);
    if (b == NULL) return;
    size_t u = fa_pool_usable_size(m.fa, b->p);
    EXPECT_NONE();
    logf_(" %zu->%zu", b->size, u);
    CHECK(u == b->cls);
    /* The whole class is the caller's now (debug builds drop the canary). */
    check_blk(b);
    b->size = u;
    b->seed = new_seed();
    pat_fill(b->p, b->size, b->seed);
}

static void op_heap_alloc(uint8_t a, uint8_t b, uint8_t c) {
    if (!room()) return;
    size_t size = heap_size(a, b), align = dec_align(c);
    bool must, may = heap_may_fail(size, 0, 0, &must);
    void *p = fa_heap_alloc(m.fa, size, align);
    logf_(" %zu@%zu", size, align);
    if (p == NULL) {
        CHECK(may);
        EXPECT(BIT(FA_WARN_BUDGET), BIT(FA_ERR_BUDGET) | BIT(FA_ERR_HEAP_LIMIT));
        return;
    }
    CHECK(!must);
    EXPECT(alloc_noise(), 0);
    CHECK(aligned(p, max_sz(align, 16)));
    blk *nb = model_heap_new(p, size, align);
    pat_fill(nb->p, nb->size, nb->seed);
}

static void op_heap_realloc(uint8_t sel, uint8_t a, uint8_t b) {
    blk *ob = pick(1u << K_HEAP, sel);
    if (ob == NULL) return;
    size_t nsize = heap_size(a, b);
    check_blk(ob);
    bool must, may = heap_may_fail(nsize, ob->size, ob->tag, &must);
    size_t bytes_before = m.heap_bytes;
    void *q = fa_heap_realloc(m.fa, ob->p, nsize);
    logf_(" %zu->%zu", ob->size, nsize);
    if (q == NULL) {
        CHECK(may);
        EXPECT(BIT(FA_WARN_BUDGET), BIT(FA_ERR_BUDGET) | BIT(FA_ERR_HEAP_LIMIT));
        check_blk(ob);
        CHECK(fa_heap_size(m.fa, ob->p) == ob->size);
        return;
    }
    CHECK(!must);
    EXPECT(alloc_noise(), 0);
    size_t align = ob->align;
    CHECK(aligned(q, max_sz(align, 16)));
    CHECK(pat_ok(q, min_sz(ob->size, nsize), ob->seed));
    /* Both blocks are live for a moment: the peak counts both. */
    m.heap_peak = max_sz(m.heap_peak, bytes_before + nsize);
    model_heap_gone(ob, true);
    blk *nb = model_heap_new(q, nsize, align);
    pat_fill(nb->p, nb->size, nb->seed);
}

static void op_heap_free(uint8_t sel) {
    blk *b = pick(1u << K_HEAP, sel);
    if (b == NULL) return;
    check_blk(b);
    fa_heap_free(m.fa, b->p);
    EXPECT_NONE();
    model_heap_gone(b, true);
}

static void op_heap_size(uint8_t sel) {
    blk *b = pick(1u << K_HEAP, sel);
    if (b == NULL) return;
    CHECK(fa_heap_size(m.fa, b->p) == b->size);
    EXPECT_NONE();
}

/* ---------------------------------------------------------------------------------------- */
/* Transfers                                                                                  */
/* ---------------------------------------------------------------------------------------- */

static void op_xfer_create(uint8_t sel, uint8_t szsel) {
    blk *src = pick((1u << K_FRAME) | (1u << K_POOL) | (1u << K_HEAP), sel);
    if (src == NULL || m.nx >= MAX_XFERS) return;
    size_t size = 1 + (src->size - 1) * szsel / 255;
    fa_transfer *h = fa_transfer_create(m.fa, src->p, size);
    EXPECT_NONE();
    CHECK(h != NULL);
    CHECK(fa_transfer_size(h) == size);
    m.x[m.nx++] = (xfer){h, size, src->seed, NULL};
    m.xfer_bytes += size;
    m.xfer_count++;
}

static void op_xfer_receive(uint8_t sel) {
    if (m.nx == 0) return;
    xfer *x = &m.x[sel % m.nx];
    if (x->payload != NULL) {
        if (!class_on[MC_DOUBLE_FREE]) return;
        CHECK(fa_transfer_receive(x->h) == NULL);
        EXPECT_ONLY(FA_ERR_TRANSFER_MISUSE);
        CHECK(pat_ok(x->payload, x->size, x->seed));
        return;
    }
    x->payload = fa_transfer_receive(x->h);
    EXPECT_NONE();
    CHECK(x->payload != NULL && aligned(x->payload, 16));
    CHECK(pat_ok(x->payload, x->size, x->seed));
}

static void op_xfer_free(uint8_t sel) {
    if (m.nx == 0) return;
    xfer *x = &m.x[sel % m.nx];
    if (x->payload != NULL) CHECK(pat_ok(x->payload, x->size, x->seed));
    fa_transfer_free(x->h);
    EXPECT_NONE();
    CHECK(fa_transfer_size(x->h) == 0);
    EXPECT_NONE();
    remember_freed(x->h, 3);
    m.xfer_bytes -= x->size;
    m.xfer_count--;
    *x = m.x[--m.nx];
}

/* ---------------------------------------------------------------------------------------- */
/* Tags and budgets                                                                           */
/* ---------------------------------------------------------------------------------------- */

static fa_tag tag_of(uint8_t sel) {
    unsigned i = sel % (MAX_TAGNAMES + 1);
    if (i == 0) return 0;
    if (m.tags[i] == 0) {
        char name[16];
        snprintf(name, sizeof name, "tag%u", i);
        fa_tag t = fa_tag_register(m.fa, name);
        EXPECT_NONE();
        CHECK(t != 0 && t == m.ntags);
        CHECK(strcmp(fa_tag_name(m.fa, t), name) == 0);
        CHECK(fa_tag_register(m.fa, name) == t);
        m.tags[i] = t;
        m.ntags++;
    }
    return m.tags[i];
}

static void op_tag_push(uint8_t sel) {
    fa_tag t = tag_of(sel);
    fa_tag_push(m.fa, t);
    if (m.tag_depth == 16) {
        m.tag_overflow++;
        EXPECT_ONLY(FA_ERR_NESTING_TOO_DEEP);
    } else {
        m.tag_stack[m.tag_depth++] = t;
        EXPECT_NONE();
    }
    CHECK(fa_tag_current(m.fa) == cur_tag());
}

static void op_tag_pop(void) {
    if (m.tag_depth == 0 && m.tag_overflow == 0) {
        if (!class_on[MC_BAD_ARGS]) return;
        fa_tag_pop(m.fa);
        EXPECT_ONLY(FA_ERR_INVALID_ARGUMENT);
        return;
    }
    fa_tag_pop(m.fa);
    EXPECT_NONE();
    if (m.tag_overflow > 0)
        m.tag_overflow--;
    else
        m.tag_depth--;
    CHECK(fa_tag_current(m.fa) == cur_tag());
}

static void op_tag_budget(uint8_t sel, uint8_t lim) {
    fa_tag t = tag_of(sel);
    unsigned ti = tag_index(t);
    size_t soft = budget_table[lim & 7], hard = budget_table[(lim >> 3) & 7];
    if (t == 0 || (hard != 0 && soft > hard)) { /* untagged memory has FA_BUDGET_GLOBAL */
        if (!class_on[MC_BAD_ARGS]) return;
        CHECK(fa_tag_set_budget(m.fa, t, soft, hard) == FA_ERR_INVALID_ARGUMENT);
        EXPECT_ONLY(FA_ERR_INVALID_ARGUMENT);
        return;
    }
    CHECK(fa_tag_set_budget(m.fa, t, soft, hard) == FA_OK);
    EXPECT_NONE();
    m.tag_soft[ti] = soft;
    m.tag_hard[ti] = hard;
}

/* ---------------------------------------------------------------------------------------- */
/* Statistics, checks                                                                         */
/* ---------------------------------------------------------------------------------------- */

static void op_stats(void) {
    fa_stats s;
    fa_get_stats(m.fa, &s);
    EXPECT_NONE();
    logf_(" [pool %zu/%zu heap %zu/%zu peak %zu xfer %zu/%zu frame %zu]", s.pool_count,
          s.pool_bytes, s.heap_count, s.heap_bytes, s.heap_peak, s.transfer_count,
          s.transfer_bytes, s.frame_bytes);
    CHECK(s.pool_count == m.pool_count);
    CHECK(s.pool_bytes == m.pool_bytes);
    CHECK(s.heap_count == m.heap_count);
    CHECK(s.heap_bytes == m.heap_bytes);
    CHECK(s.heap_peak == m.heap_peak);
    CHECK(s.transfer_count == m.xfer_count);
    CHECK(s.transfer_bytes == m.xfer_bytes);
    CHECK(s.frames_completed == m.frames_completed);
    CHECK(s.errors == errors_with_alloc);
    CHECK(s.threads <= 2);
    CHECK(s.pool_reserved >= s.pool_bytes);
    fa_thread_stats ts;
    fa_get_my_thread_stats(m.fa, &ts);
    EXPECT_NONE();
    CHECK(ts.thread_id == fa_thread_id());
    CHECK(ts.frame_depth == m.depth);
    CHECK(ts.frame_number == m.frame_number);
    CHECK(ts.pool_count == m.pool_count_main);
    CHECK(ts.pool_bytes == m.pool_bytes_main);
    CHECK(ts.heap_allocs == m.heap_allocs_main);
    CHECK(ts.heap_frees == m.heap_frees_main);
    size_t fb = m.depth > 0 ? ts.frame_bytes : 0;
    CHECK(ts.frame_bytes == fb);
    if (fb < m.fsum || fb > m.fsum + m.fpad) {
        logf_(" [frame_bytes %zu, model %zu + pad <= %zu]", fb, m.fsum, m.fpad);
        fail(__FILE__, __LINE__, "frame_bytes outside the model's bounds");
    }
    if (m.cfg.frame_limit != 0 && fb > m.cfg.frame_limit) {
        logf_(" [frame_bytes %zu > frame_limit %zu]", fb, m.cfg.frame_limit);
        fail(__FILE__, __LINE__, "frame bytes above frame_limit");
    }
    CHECK(s.frame_bytes == fb || m.worker_used);
    /* Peaks: the last completed frame's high water within the model's bounds (an in-place
     * shrink must not lose it), and no peak below it. */
    if (ts.frame_high_water_last < m.last_lo || ts.frame_high_water_last > m.last_hi) {
        logf_(" [high water %zu, model %zu..%zu]", ts.frame_high_water_last, m.last_lo, m.last_hi);
        fail(__FILE__, __LINE__, "frame_high_water_last outside the model's bounds");
    }
    CHECK(ts.frame_peak >= ts.frame_high_water_last && s.frame_peak >= ts.frame_peak);
    fa_thread_stats all[4];
    size_t n = fa_get_thread_stats(m.fa, all, 4);
    EXPECT_NONE();
    CHECK(n == s.threads);
    CHECK(fa_frame_depth(m.fa) == m.depth);
    CHECK(fa_frame_number(m.fa) == m.frame_number);
    CHECK(fa_tag_current(m.fa) == cur_tag());
    for (unsigned i = 0; i <= MAX_TAGNAMES; i++) {
        if (i != 0 && m.tags[i] == 0) continue;
        fa_tag_stats tsx;
        CHECK(fa_get_tag_stats(m.fa, m.tags[i], &tsx) == FA_OK);
        EXPECT_NONE();
        CHECK(tsx.heap_bytes == m.tag_heap[i]);
        CHECK(tsx.pool_bytes == m.tag_pool[i]);
        CHECK(tsx.soft_limit == m.tag_soft[i] && tsx.hard_limit == m.tag_hard[i]);
    }
    fa_config cfg;
    fa_get_config(m.fa, &cfg);
    CHECK(cfg.frame_limit == m.cfg.frame_limit && cfg.heap_limit == m.cfg.heap_limit);
    CHECK(cfg.error_handler == handler);
}

static void op_check_ptr(uint8_t sel) {
    blk *b = pick((1u << K_FRAME) | (1u << K_POOL) | (1u << K_HEAP), sel);
    if (b == NULL) return;
    fa_status st = fa_check_ptr(m.fa, b->p);
    logf_(" %s", kind_names[b->kind]);
    EXPECT_NONE();
    CHECK(st == FA_OK);
}

static void op_validate(void) {
    CHECK(fa_validate(m.fa) == FA_OK);
    EXPECT_NONE();
}

void op_check_all(void) {
    for (unsigned i = 0; i < m.nb; i++) check_blk(&m.b[i]);
    for (unsigned i = 0; i < m.nx; i++) {
        CHECK(fa_transfer_size(m.x[i].h) == m.x[i].size);
        if (m.x[i].payload != NULL) CHECK(pat_ok(m.x[i].payload, m.x[i].size, m.x[i].seed));
    }
    EXPECT_NONE();
}

/* ---------------------------------------------------------------------------------------- */
/* One input                                                                                  */
/* ---------------------------------------------------------------------------------------- */

static void setup(uint8_t c0, uint8_t c1) {
    static const size_t frame_limits[4] = {0, 65536, 300000, 1 << 20};
    static const size_t heap_limits[4] = {0, 0, 200000, 1 << 20};
    static const unsigned depths[4] = {0, 3, 8, 16};
    static const size_t block_sizes[4] = {4096, 16384, 65536, 0};
    static const int guards[4] = {-1, 1, 0, 2};
    memset(&m, 0, sizeof m);
    m.cfg.frame_limit = frame_limits[c0 & 3];
    m.cfg.heap_limit = heap_limits[(c0 >> 2) & 3];
    m.cfg.max_frame_depth = depths[(c0 >> 4) & 3];
    m.cfg.pool_keep_empty_pages = (c0 >> 6) & 1;
    m.cfg.no_prefault = (c0 & 0x80) ? 0 : 1;
    m.cfg.frame_block_size = block_sizes[c1 & 3];
    m.cfg.guard_frames = guards[(c1 >> 2) & 3];
    m.cfg.error_handler = handler;
    m.cfg.name = "fuzz";
    if (m.cfg.no_prefault == 0 && m.cfg.frame_block_size == 0) m.cfg.frame_block_size = 4096;
    m.max_depth = m.cfg.max_frame_depth != 0 ? m.cfg.max_frame_depth : 64;
    m.ntags = 1;
    n_events = 0;
    errors_with_alloc = 0;
    fa_clear_error();
    m.fa = fa_create(&m.cfg);
    CHECK(m.fa != NULL);
    cur_fa = m.fa;
    EXPECT_NONE();
    logf_("config frame_limit=%zu heap_limit=%zu depth=%u keep=%u prefault=%d block=%zu "
          "guard=%d leave=%d\n",
          m.cfg.frame_limit, m.cfg.heap_limit, m.cfg.max_frame_depth,
          m.cfg.pool_keep_empty_pages, !m.cfg.no_prefault, m.cfg.frame_block_size,
          m.cfg.guard_frames, (c1 >> 4) & 1);
}

/* Releases everything the model holds, checking it on the way; then nothing may be left. */
static void teardown(bool leave) {
    op_index++;
    logf_("#%u teardown%s:", op_index, leave ? " (leaving objects to fa_destroy)" : "");
    op_check_all();
    if (leave) {
        bool objects = m.pool_count + m.heap_count + m.xfer_count != 0;
        bool frames = m.depth > 0;
        fa_destroy(m.fa);
        /* Retains of open scopes never run; nothing else may be reported. */
        unsigned req = 0;
        log_events();
        unsigned leak = 0, open = 0;
        for (unsigned i = 0; i < n_events; i++) {
            if (events[i].status == FA_ERR_LEAK) leak++;
            else if (events[i].status == FA_ERR_DESTROY_IN_FRAME) open++;
            else fail(__FILE__, __LINE__, "unexpected report from fa_destroy");
        }
        (void)req;
        CHECK(leak == (objects ? 1u : 0u));
        CHECK(open == (frames ? 1u : 0u));
        n_events = 0;
        fa_clear_error();
        cur_fa = NULL;
        return;
    }
    while (m.depth > 0 || m.overflow > 0) op_end();
    while (m.tag_depth > 0 || m.tag_overflow > 0) op_tag_pop();
    while (m.nx > 0) op_xfer_free(0);
    while (m.nb > 0) {
        blk *b = &m.b[m.nb - 1];
        if (b->kind == K_POOL) op_pool_free((uint8_t)(m.nb - 1));
        else op_heap_free(0);
    }
    op_stats();
    CHECK(m.pool_count == 0 && m.heap_count == 0 && m.xfer_count == 0 && m.fsum == 0);
    op_validate();
    fa_destroy(m.fa);
    EXPECT_NONE();
    cur_fa = NULL;
}

static void run_op(const uint8_t *op) {
    uint8_t code = op[0] % OP_COUNT, a = op[1], b = op[2], c = op[3], d = op[4];
    op_index++;
    total_ops++;
    logf_("#%u %s %02x %02x %02x %02x:", op_index, op_names[code], a, b, c, d);
    fa_clear_error();
    switch (code) {
    case OP_BEGIN: op_begin(); break;
    case OP_END: op_end(); break;
    case OP_FRAME_ALLOC: op_frame_alloc(0, a, b, c, d); break;
    case OP_FRAME_ZEROED: op_frame_alloc(1, a, b, c, d); break;
    case OP_FRAME_ARRAY: op_frame_alloc(2, a, b, c, d); break;
    case OP_FRAME_REALLOC: op_frame_realloc(a, b, c); break;
    case OP_FRAME_STRDUP: op_frame_strdup(a); break;
    case OP_FRAME_RETAIN: op_frame_retain(a, b, c, d); break;
    case OP_PROMOTE_POOL: op_promote(false, a, b, c); break;
    case OP_PROMOTE_HEAP: op_promote(true, a, b, c); break;
    case OP_POOL_ALLOC: op_pool_alloc(0, a, b, c); break;
    case OP_POOL_ALIGNED: op_pool_alloc(1, a, b, c); break;
    case OP_POOL_CALLOC: op_pool_alloc(2, a, b, c); break;
    case OP_POOL_FREE: op_pool_free(a); break;
    case OP_POOL_USABLE: op_pool_usable(a); break;
    case OP_POOL_TRIM: fa_pool_trim(m.fa); EXPECT_NONE(); break;
    case OP_HEAP_ALLOC: op_heap_alloc(a, b, c); break;
    case OP_HEAP_REALLOC: op_heap_realloc(a, b, c); break;
    case OP_HEAP_FREE: op_heap_free(a); break;
    case OP_HEAP_SIZE: op_heap_size(a); break;
    case OP_XFER_CREATE: op_xfer_create(a, b); break;
    case OP_XFER_RECEIVE: op_xfer_receive(a); break;
    case OP_XFER_FREE: op_xfer_free(a); break;
    case OP_TAG_PUSH: op_tag_push(a); break;
    case OP_TAG_POP: op_tag_pop(); break;
    case OP_TAG_BUDGET: op_tag_budget(a, b); break;
    case OP_STATS: op_stats(); break;
    case OP_CHECK_PTR: op_check_ptr(a); break;
    case OP_VALIDATE: op_validate(); break;
    case OP_CHECK_ALL: op_check_all(); break;
    case OP_MISUSE: op_misuse(a, b, c, d); break;
    case OP_REMOTE: op_remote(a, b, c, d); break;
    default: op_frame_trim(); break;
    }
    logf_("\n");
}

/* A long run stopped by a signal never reaches the atexit report, so the count is also
 * printed every ten million operations. */
static void report_progress(void) {
    static uint64_t next = 10000000;
    if (total_ops < next) return;
    next = (total_ops / 10000000 + 1) * 10000000;
    fprintf(stderr, "fuzz_ops: progress: %llu inputs, %llu operations\n",
            (unsigned long long)total_inputs, (unsigned long long)total_ops);
}

static void report_totals(void) {
    fprintf(stderr, "fuzz_ops: FA_DEBUG=%d: %llu inputs, %llu operations\n", fa_debug_level(),
            (unsigned long long)total_inputs, (unsigned long long)total_ops);
}

static void set_classes(const char *list, bool on) {
    if (list == NULL) return;
    for (unsigned i = 0; i < MC_COUNT; i++) {
        size_t n = strlen(misuse_names[i]);
        for (const char *s = list; (s = strstr(s, misuse_names[i])) != NULL; s += n) {
            bool start = s == list || s[-1] == ',';
            bool end = s[n] == '\0' || s[n] == ',';
            if (start && end) class_on[i] = on;
        }
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    for (unsigned i = 0; i < MC_COUNT; i++) class_on[i] = true;
    set_classes(getenv("FA_FUZZ_OFF"), false);
    set_classes(getenv("FA_FUZZ_ON"), true);
    fa_set_global_error_handler(handler, NULL);
    fprintf(stderr, "fuzz_ops: FA_DEBUG=%d, misuse classes:", fa_debug_level());
    for (unsigned i = 0; i < MC_COUNT; i++)
        fprintf(stderr, " %s%s", class_on[i] ? "+" : "-", misuse_names[i]);
    fprintf(stderr, "\n");
    atexit(report_totals);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    total_inputs++;
    log_reset();
    setup(data[0], data[1]);
    bool leave = (data[1] >> 4) & 1;
    size_t i = 2;
    for (; i + 5 <= size; i += 5) run_op(data + i);
    if (i < size) {
        uint8_t tail[5] = {0};
        memcpy(tail, data + i, size - i);
        run_op(tail);
    }
    teardown(leave);
    report_progress();
    return 0;
}
