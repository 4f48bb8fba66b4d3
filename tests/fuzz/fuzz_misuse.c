/* SPDX-License-Identifier: MIT */
/*
 * fuzz_misuse.c - the fuzzer's misuse operations (garbage, wrong kind, double free, bad
 * arguments, stale and NULL pointers: each must be reported with the right status and change
 * nothing) and its worker-thread operations (remote frees and allocations, frame memory checked
 * on the wrong thread, transfers received there). See fuzz_ops.c.
 */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------- */
/* Misuse                                                                                     */
/* ---------------------------------------------------------------------------------------- */

static unsigned char global_bytes[256] __attribute__((aligned(64)));

/* Addresses that are nobody's block. [0] is (void *)1, switchable on its own. */
static void *garbage(uint8_t sel, bool *is_one, void *stack_bytes) {
    void *table[] = {
        (void *)1, (void *)8, (void *)16, (void *)0x1000, (void *)(uintptr_t)-16,
        (void *)(uintptr_t)0x500000000000ull, global_bytes + 32, global_bytes + 5,
    };
    unsigned n = sizeof table / sizeof *table + 1;
    unsigned i = sel % n;
    *is_one = i == 0;
    /* The stack address is only compared, never dereferenced by a correct library. */
    return i == n - 1 ? stack_bytes : table[i];
}

static void misuse_garbage(uint8_t what, uint8_t sel) {
    bool one;
    unsigned char stack_bytes[64] __attribute__((aligned(16)));
    void *g = garbage(sel, &one, stack_bytes);
    if (!class_on[one ? MC_PTR_ONE : MC_GARBAGE]) return;
    logf_(" %p", g);
    switch (what % 9) {
    case 0: fa_pool_free(m.fa, g); EXPECT_ONLY(FA_ERR_FOREIGN_POINTER); break;
    case 1: fa_heap_free(m.fa, g); EXPECT_ONLY(FA_ERR_FOREIGN_POINTER); break;
    case 2:
        CHECK(fa_heap_realloc(m.fa, g, 64) == NULL);
        EXPECT_ONLY(FA_ERR_FOREIGN_POINTER);
        break;
    case 3: CHECK(fa_heap_size(m.fa, g) == 0); EXPECT_NONE(); break;
    case 4: CHECK(fa_pool_usable_size(m.fa, g) == 0); EXPECT_NONE(); break;
    case 5: CHECK(fa_check_ptr(m.fa, g) == FA_ERR_FOREIGN_POINTER); EXPECT_ONLY(FA_ERR_FOREIGN_POINTER); break;
    case 6:
        CHECK(fa_transfer_receive((fa_transfer *)g) == NULL);
        EXPECT_ONLY(FA_ERR_TRANSFER_MISUSE);
        break;
    case 7: fa_transfer_free((fa_transfer *)g); EXPECT_ONLY(FA_ERR_TRANSFER_MISUSE); break;
    default: CHECK(fa_transfer_size((fa_transfer *)g) == 0); EXPECT_NONE(); break;
    }
}

static void misuse_wrong_kind(uint8_t what, uint8_t sel, uint8_t off) {
    blk *b = pick((1u << K_FRAME) | (1u << K_POOL) | (1u << K_HEAP), sel);
    if (b == NULL) return;
    unsigned char *p = b->p;
    bool interior = (what & 4) != 0 && b->kind != K_FRAME;
    if (interior) {
        size_t lim = b->kind == K_POOL ? b->cls : b->size;
        if (lim < 2) return;
        p += 1 + off % (lim - 1); /* inside the object, never the next one's start */
    }
    unsigned want = b->kind == K_FRAME ? BIT(FA_ERR_FRAME_POINTER) : BIT(FA_ERR_FOREIGN_POINTER);
    /* Debug builds look a heap pointer up among recently freed blocks: an interior address
     * can be where an earlier block started (named a double free; nothing is freed). */
    if (interior && b->kind == K_HEAP) want |= BIT(FA_ERR_DOUBLE_FREE);
    logf_(" %s%s", kind_names[b->kind], interior ? "+interior" : "");
    switch (what & 3) {
    case 0:
        if (b->kind == K_POOL && !interior) return; /* a correct free */
        fa_pool_free(m.fa, p);
        EXPECT(0, want);
        break;
    case 1:
        if (b->kind == K_HEAP && !interior) return;
        fa_heap_free(m.fa, p);
        EXPECT(0, want);
        break;
    case 2:
        if (b->kind == K_HEAP && !interior) return;
        CHECK(fa_heap_realloc(m.fa, p, 32) == NULL);
        EXPECT(0, want);
        break;
    default:
        /* A block handed over as a transfer handle. */
        CHECK(fa_transfer_receive((fa_transfer *)p) == NULL);
        EXPECT_ONLY(FA_ERR_TRANSFER_MISUSE);
        break;
    }
    check_blk(b);
}

static void misuse_double_free(uint8_t sel, bool pool) {
    unsigned kind = pool ? K_POOL : (sel & 1) ? K_HEAP : 3;
    for (unsigned k = 0; k < m.nfr; k++) {
        freed *f = &m.fr[(sel + k) % m.nfr];
        if (f->kind != kind || addr_live(f->p)) continue;
        logf_(" %p", f->p);
        if (kind == K_POOL) {
            fa_pool_free(m.fa, f->p);
            /* Debug builds know the slot was freed; a page since reused for another class
             * sees a slot never allocated. */
            EXPECT(0, BIT(FA_ERR_DOUBLE_FREE) | BIT(FA_ERR_FOREIGN_POINTER));
        } else if (kind == K_HEAP) {
            fa_heap_free(m.fa, f->p);
            EXPECT(0, BIT(FA_ERR_DOUBLE_FREE) | BIT(FA_ERR_FOREIGN_POINTER));
        } else {
            fa_transfer_free((fa_transfer *)f->p);
            EXPECT_ONLY(FA_ERR_TRANSFER_MISUSE);
        }
        return;
    }
}

static void misuse_bad_args(uint8_t what, uint8_t c) {
    static const size_t bad_align[] = {0, 3, 24, (size_t)1 << 17};
    size_t ba = bad_align[c & 3];
    switch (what % 14) {
    case 0:
        if (m.depth == 0) return;
        CHECK(fa_frame_alloc(m.fa, 16, ba) == NULL);
        EXPECT_ONLY(FA_ERR_BAD_ALIGN);
        break;
    case 1: CHECK(fa_pool_alloc_aligned(m.fa, 16, ba) == NULL); EXPECT_ONLY(FA_ERR_BAD_ALIGN); break;
    case 2: CHECK(fa_pool_alloc_aligned(m.fa, 16, 8192) == NULL); EXPECT_ONLY(FA_ERR_BAD_ALIGN); break;
    case 3: CHECK(fa_heap_alloc(m.fa, 16, ba) == NULL); EXPECT_ONLY(FA_ERR_BAD_ALIGN); break;
    case 4:
        if (m.depth == 0) return;
        CHECK(fa_frame_alloc(m.fa, 0, 16) == NULL);
        EXPECT_ONLY(FA_ERR_ZERO_SIZE);
        break;
    case 5: CHECK(fa_pool_alloc(m.fa, 0) == NULL); EXPECT_ONLY(FA_ERR_ZERO_SIZE); break;
    case 6: CHECK(fa_heap_alloc(m.fa, 0, 16) == NULL); EXPECT_ONLY(FA_ERR_ZERO_SIZE); break;
    case 7: {
        blk *b = pick(1u << K_HEAP, c);
        if (b == NULL) return;
        CHECK(fa_heap_realloc(m.fa, b->p, 0) == NULL);
        EXPECT_ONLY(FA_ERR_ZERO_SIZE);
        CHECK(fa_heap_size(m.fa, b->p) == b->size);
        check_blk(b);
        break;
    }
    case 8: CHECK(fa_pool_alloc(m.fa, FA_POOL_MAX_SIZE + 1 + c) == NULL); EXPECT_ONLY(FA_ERR_TOO_LARGE); break;
    case 9:
        CHECK(fa_heap_alloc(m.fa, FA_MAX_ALLOC_SIZE + 1, 16) == NULL);
        EXPECT_ONLY(FA_ERR_TOO_LARGE);
        break;
    case 10:
        if (m.depth == 0) return;
        if (c & 1) {
            CHECK(fa_frame_alloc(m.fa, FA_MAX_ALLOC_SIZE + 1, 16) == NULL);
            EXPECT_ONLY(FA_ERR_TOO_LARGE);
        } else {
            CHECK(fa_frame_alloc_array(m.fa, (size_t)1 << 40, (size_t)1 << 30, 16) == NULL);
            EXPECT_ONLY(FA_ERR_OVERFLOW);
        }
        break;
    case 11:
        CHECK(fa_pool_calloc(m.fa, (size_t)1 << 40, (size_t)1 << 30) == NULL);
        EXPECT_ONLY(FA_ERR_OVERFLOW);
        break;
    case 12: {
        /* Retain: bad policy, NULL slot, a pool copy too large. */
        if (m.depth == 0) return;
        void *tmp = global_bytes;
        if (c % 3 == 0) {
            CHECK(fa_frame_retain(m.fa, &tmp, 16, (fa_retain_policy)7) == FA_ERR_INVALID_ARGUMENT);
            EXPECT_ONLY(FA_ERR_INVALID_ARGUMENT);
        } else if (c % 3 == 1) {
            CHECK(fa_frame_retain(m.fa, NULL, 16, FA_RETAIN_TO_HEAP) == FA_ERR_INVALID_ARGUMENT);
            EXPECT_ONLY(FA_ERR_INVALID_ARGUMENT);
        } else {
            /* A bad size for a new slot, or as the update of a slot registered in this scope:
             * refused, and the registration stays as it was. */
            void **slot = &tmp;
            for (unsigned i = 0; i < MAX_SLOTS; i++)
                if (m.slots[i].scope == m.depth && (c & 4)) slot = &m.slots[i].value;
            void *before = *slot;
            if (c & 8) {
                CHECK(fa_frame_retain(m.fa, slot, 0, FA_RETAIN_TO_HEAP) == FA_ERR_ZERO_SIZE);
                EXPECT_ONLY(FA_ERR_ZERO_SIZE);
            } else {
                /* (above FA_POOL_MAX_SIZE a pool retain is copied to the heap: not an error) */
                CHECK(fa_frame_retain(m.fa, slot, FA_MAX_ALLOC_SIZE + 1, FA_RETAIN_TO_POOL) ==
                      FA_ERR_TOO_LARGE);
                EXPECT_ONLY(FA_ERR_TOO_LARGE);
            }
            CHECK(*slot == before);
        }
        break;
    }
    default:
        /* Tags: an unknown one pushed, budgeted, asked about. */
        fa_tag_push(m.fa, 1000 + c);
        EXPECT_ONLY(FA_ERR_INVALID_ARGUMENT);
        CHECK(fa_tag_set_budget(m.fa, 1000 + c, 0, 0) == FA_ERR_INVALID_ARGUMENT);
        EXPECT_ONLY(FA_ERR_INVALID_ARGUMENT);
        fa_tag_stats ts;
        CHECK(fa_get_tag_stats(m.fa, 1000 + c, &ts) == FA_ERR_INVALID_ARGUMENT);
        EXPECT_ONLY(FA_ERR_INVALID_ARGUMENT);
        CHECK(fa_tag_name(m.fa, 1000 + c) == NULL);
        CHECK(fa_tag_current(m.fa) == cur_tag());
        break;
    }
}

static void misuse_stale(uint8_t what, uint8_t sel) {
    if (m.nst == 0) return;
    stale *s = &m.st[sel % m.nst];
    logf_(" %p%s", s->p, s->mapped ? " mapped" : "");
    bool live = false;
    for (unsigned i = 0; i < m.nb; i++)
        if (m.b[i].kind == K_FRAME && s->p >= (void *)m.b[i].p &&
            (unsigned char *)s->p < m.b[i].p + m.b[i].size)
            live = true;
    if ((what & 1) == 0 || !s->mapped || fa_debug_level() == 0) {
        /* Classification only: reads none of the memory. The address may be frame memory
         * again (reused by a later allocation: fine), a stale scope, or nothing of ours. */
        fa_status st = fa_check_ptr(m.fa, s->p);
        if (live) {
            CHECK(st == FA_OK);
            EXPECT_NONE();
        } else if (st == FA_OK) {
            EXPECT_NONE(); /* live frame bytes past every model block (padding) */
        } else {
            CHECK(st == FA_ERR_USE_AFTER_FRAME || st == FA_ERR_FOREIGN_POINTER);
            EXPECT_ONLY(st);
        }
        return;
    }
    /* Debug builds check a transfer or promotion source before copying it. The address may
     * be live again (a later allocation of unknown size): only a stale one is handed over. */
    if (m.nx >= MAX_XFERS || !room()) return;
    fa_status st = fa_check_ptr(m.fa, s->p);
    if (st == FA_OK) {
        EXPECT_NONE();
        return;
    }
    CHECK(st == FA_ERR_USE_AFTER_FRAME);
    EXPECT_ONLY(st);
    if (what & 2) {
        CHECK(fa_transfer_create(m.fa, s->p, 16) == NULL);
    } else if (what & 4) {
        CHECK(fa_promote_to_pool(m.fa, s->p, 16) == NULL);
    } else {
        CHECK(fa_promote_to_heap(m.fa, s->p, 16, 16) == NULL);
    }
    EXPECT_ONLY(FA_ERR_USE_AFTER_FRAME);
}

static void misuse_null(uint8_t what) {
    switch (what % 10) {
    case 0: fa_begin_frame(NULL); break;
    case 1: fa_end_frame(NULL); break;
    case 2: CHECK(fa_pool_alloc(NULL, 16) == NULL); break;
    case 3: CHECK(fa_heap_alloc(NULL, 16, 16) == NULL); break;
    case 4: CHECK(fa_frame_alloc_at(NULL, 16, 16, NULL) == NULL); break;
    case 5: CHECK(fa_transfer_create(NULL, global_bytes, 8) == NULL); break;
    case 6: CHECK(fa_transfer_create(m.fa, NULL, 8) == NULL); break;
    case 7: CHECK(fa_validate(NULL) == FA_ERR_INVALID_ARGUMENT); break;
    case 8: CHECK(fa_transfer_receive(NULL) == NULL); EXPECT_ONLY(FA_ERR_TRANSFER_MISUSE); return;
    default: {
        fa_stats s;
        fa_get_stats(NULL, &s);
        CHECK(s.pool_count == 0 && s.errors == 0);
        break;
    }
    }
    EXPECT_ONLY(FA_ERR_INVALID_ARGUMENT);
}

void op_misuse(uint8_t kind, uint8_t a, uint8_t b, uint8_t c) {
    switch (kind % 8) {
    case 0: misuse_garbage(a, b); break;
    case 1: if (class_on[MC_WRONG_KIND]) misuse_wrong_kind(a, b, c); break;
    case 2: if (class_on[MC_DOUBLE_FREE]) misuse_double_free(a, false); break;
    case 3: if (class_on[MC_POOL_DOUBLE_FREE]) misuse_double_free(a, true); break;
    case 4:
    case 5: if (class_on[MC_BAD_ARGS]) misuse_bad_args(a, b); break;
    case 6: if (class_on[MC_STALE]) misuse_stale(a, b); break;
    default: if (class_on[MC_NULL_ARGS]) misuse_null(a); break;
    }
}

typedef struct wk_req {
    int what;
    void *p;
    size_t size;
    void *result;
    fa_status st;
    fa_status last; /* fa_last_error on the worker */
} wk_req;

static void worker_job(void *arg) {
    wk_req *r = arg;
    switch (r->what) {
    case 0: fa_pool_free(m.fa, r->p); break;
    case 1: r->result = fa_pool_alloc(m.fa, r->size); break;
    case 2: fa_heap_free(m.fa, r->p); break;
    case 3: r->st = fa_check_ptr(m.fa, r->p); break;
    case 4: r->result = fa_transfer_receive(r->p); break;
    default: break;
    }
    r->last = fa_last_error();
}

/* ---------------------------------------------------------------------------------------- */
/* Remote operations (worker thread)                                                          */
/* ---------------------------------------------------------------------------------------- */

void op_remote(uint8_t what, uint8_t sel, uint8_t a, uint8_t b) {
    if (!class_on[MC_REMOTE]) return;
    wk_req r = {0};
    switch (what % 5) {
    case 0: { /* a pool object freed by another thread */
        blk *blk_ = pick(1u << K_POOL, sel);
        if (blk_ == NULL) return;
        check_blk(blk_);
        r.what = 0;
        r.p = blk_->p;
        run_on_worker(worker_job, &r);
        EXPECT_NONE();
        CHECK(r.last == FA_OK);
        model_pool_gone(blk_);
        break;
    }
    case 1: { /* a pool object of the worker's pages; the main thread frees it later */
        if (!room()) return;
        r.what = 1;
        r.size = pool_size(a, b);
        run_on_worker(worker_job, &r);
        EXPECT_NONE();
        CHECK(r.result != NULL && aligned(r.result, 16));
        blk *nb = model_pool_new(r.result, r.size, 16, true);
        pat_fill(nb->p, nb->size, nb->seed);
        break;
    }
    case 2: { /* a heap block freed by another thread */
        blk *blk_ = pick(1u << K_HEAP, sel);
        if (blk_ == NULL) return;
        check_blk(blk_);
        r.what = 2;
        r.p = blk_->p;
        run_on_worker(worker_job, &r);
        EXPECT_NONE();
        model_heap_gone(blk_, false);
        break;
    }
    case 3: { /* this thread's frame memory checked on another thread */
        blk *blk_ = pick(1u << K_FRAME, sel);
        if (blk_ == NULL) return;
        r.what = 3;
        r.p = blk_->p;
        run_on_worker(worker_job, &r);
        /* Debug builds find the block in the registry; release builds know only the calling
         * thread's own blocks. */
        fa_status want = fa_debug_level() > 0 ? FA_ERR_WRONG_THREAD : FA_ERR_FOREIGN_POINTER;
        CHECK(r.st == want && r.last == want);
        EXPECT_ONLY(want);
        break;
    }
    default: { /* a transfer received on another thread */
        if (m.nx == 0) return;
        xfer *x = &m.x[sel % m.nx];
        r.what = 4;
        r.p = x->h;
        run_on_worker(worker_job, &r);
        if (x->payload != NULL) {
            CHECK(r.result == NULL);
            EXPECT_ONLY(FA_ERR_TRANSFER_MISUSE);
        } else {
            EXPECT_NONE();
            CHECK(r.result != NULL);
            x->payload = r.result;
            CHECK(pat_ok(x->payload, x->size, x->seed));
        }
        break;
    }
    }
}
