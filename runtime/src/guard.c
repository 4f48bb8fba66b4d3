/* SPDX-License-Identifier: MIT */
/*
 * guard.c - guard mode: finished frames stay PROT_NONE for a while, and the fault a stale
 * access takes is turned into a use-after-frame report.
 *
 * When an outermost frame ends with guard_frames > 0, frame_finish hands every block of the
 * thread's chain to fai_guard_retire: the block (already filled with FAI_FILL_FRAME_FREED and
 * still holding the records of the frame's allocations) is mprotect'ed PROT_NONE and appended
 * to the thread's quarantine, a FIFO. A block retired at the end of frame F stays protected
 * through frame F + guard_frames; after that fai_block_new takes it back (fai_guard_recycle:
 * unprotect, reset its records) instead of mapping a new block, so a steady game loop rotates
 * guard_frames + 1 blocks and calls mprotect twice per frame, without mmap or page faults.
 *
 * The fault handler (installed once, chaining to the previous SIGSEGV/SIGBUS disposition, or
 * on Windows continuing the exception search, for every fault that is not ours) finds the
 * block in a lock-free table of protected ranges, looks the address up in the block's records
 * and writes the report with its own formatter: no malloc, no stdio, no locks. Then it aborts.
 * Records of a block are only reset after its slot is cleared and the block unprotected, so a
 * handler can read them while the block is guarded.
 *
 * Under ASan the same lookup describes the address after an ASan report (ASan only says
 * "poisoned by user"), so a stale frame access names its allocation site there too.
 *
 * Threading: the quarantine belongs to its thread; the slot table is shared (atomics).
 */
#include "debug.h"

#include <stdlib.h>

#define GUARD_SLOTS 4096

typedef struct guard_slot {
    _Atomic uintptr_t start; /* 0 free, 1 being claimed, else the block's start */
    uintptr_t end;
    fai_block *b;
    fa_alloc *fa;
    uint64_t thread, retire_frame, until_frame;
} guard_slot;

static guard_slot slots[GUARD_SLOTS];

static int slot_claim(fai_tstate *t, fai_block *b) {
    for (int i = 0; i < GUARD_SLOTS; i++) {
        uintptr_t expect = 0;
        if (atomic_load_explicit(&slots[i].start, memory_order_relaxed) != 0 ||
            !atomic_compare_exchange_strong(&slots[i].start, &expect, 1))
            continue;
        slots[i].end = b->end;
        slots[i].b = b;
        slots[i].fa = t->fa;
        slots[i].thread = t->thread_id;
        slots[i].retire_frame = b->retire_frame;
        slots[i].until_frame = b->retire_frame + (uint64_t)t->fa->guard_frames;
        atomic_store_explicit(&slots[i].start, b->start, memory_order_release);
        return i;
    }
    return -1; /* table full: the block is quarantined unprotected */
}

static int slot_of(fai_block *b) {
    fai_dblock *d = b->debug;
    if (d != NULL) return d->slot;
    for (int i = 0; i < GUARD_SLOTS; i++)
        if (atomic_load(&slots[i].start) == b->start && slots[i].b == b) return i;
    return -1;
}

bool fai_guard_retire(fai_tstate *t, fai_block *b) {
    fai_dblock *d = b->debug;
    b->next = NULL;
    b->retire_frame = t->frame_number;
    int s = slot_claim(t, b);
    if (s >= 0 && fai_prim_protect_none((void *)b->start, b->end - b->start) != 0) {
        atomic_store_explicit(&slots[s].start, 0, memory_order_release);
        s = -1;
    }
    if (d != NULL) {
        d->slot = s;
        atomic_store(&d->ended, 1);
    }
    fai_block **pp = &t->quarantine;
    while (*pp != NULL) pp = &(*pp)->next;
    *pp = b;
    if (t->debug != NULL) ((fai_dthread *)t->debug)->qcount++;
    return true;
}

/* Takes b out of the slot table and makes it accessible (to the runtime: the checkers still
 * see it as freed memory). */
static void unguard(fai_tstate *t, fai_block *b) {
    int s = slot_of(b);
    if (s >= 0) {
        atomic_store_explicit(&slots[s].start, 0, memory_order_release);
        fai_prim_protect_rw((void *)b->start, b->end - b->start);
    }
    fai_dblock *d = b->debug;
    if (d != NULL) d->slot = -1;
    if (t->debug != NULL) ((fai_dthread *)t->debug)->qcount--;
}

static void unmap_block(fai_tstate *t, fai_block *b) {
    fai_dbg_block_free(t, b);
    fai_block_unmap(b);
}

/* The frame in which a block taken now would next be used. */
static uint64_t next_use_frame(const fai_tstate *t) { return t->frame_number + (t->depth == 0); }

fai_block *fai_guard_recycle(fai_tstate *t, size_t size) {
    uint64_t now = next_use_frame(t);
    uint64_t g = (uint64_t)FAI_MAX(t->fa->guard_frames, 0);
    while (t->quarantine != NULL) {
        fai_block *b = t->quarantine;
        if (now <= b->retire_frame + g) break; /* FIFO: everything after is younger */
        t->quarantine = b->next;
        b->next = NULL;
        unguard(t, b);
        if (b->end - b->start < size || (b->end - b->start) / 2 > size) {
            unmap_block(t, b); /* the frame outgrew it, or shrank to well under half of it */
            continue;
        }
        fai_dblock *d = b->debug;
        if (d != NULL) {
            fai_dthread *dt = t->debug;
            if (dt != NULL) fai_mutex_lock(&dt->lock);
            /* What the records described is over for good: keep them findable as history. */
            fai_dbg_hist_push(t, d->recs, atomic_load(&d->n));
            atomic_store(&d->n, 0);
            atomic_store(&d->ended, 0);
            atomic_store(&d->kept, 0);
            if (dt != NULL) fai_mutex_unlock(&dt->lock);
        }
        b->used_end = b->start;
        b->retire_frame = 0;
        t->reserved += b->end - b->start;
        return b;
    }
    return NULL;
}

void fai_guard_frame_end(fai_tstate *t) {
    /* Expired blocks beyond one spare go back to the OS (the frame shrank, or guard_frames
     * was lowered): the quarantine stays bounded by guard_frames + 1 frames of blocks. */
    uint64_t now = next_use_frame(t);
    uint64_t g = (uint64_t)FAI_MAX(t->fa->guard_frames, 0);
    while (t->quarantine != NULL && t->quarantine->next != NULL &&
           now > t->quarantine->next->retire_frame + g) {
        fai_block *b = t->quarantine;
        t->quarantine = b->next;
        unguard(t, b);
        unmap_block(t, b);
    }
}

void fai_guard_release(fai_tstate *t) {
    while (t->quarantine != NULL) {
        fai_block *b = t->quarantine;
        t->quarantine = b->next;
        unguard(t, b);
        unmap_block(t, b);
    }
}

bool fai_guard_owns(fai_tstate *t, uintptr_t a, fai_block **blk) {
    for (fai_block *b = t->quarantine; b != NULL; b = b->next) {
        if (a >= b->start && a < b->end) {
            *blk = b;
            return true;
        }
    }
    return false;
}

/* ---------------------------------------------------------------------------------------- */
/* Async-signal-safe report                                                                   */
/* ---------------------------------------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void put(sbuf *b, const char *s) {
    while (*s != '\0' && b->n + 1 < b->cap) b->p[b->n++] = *s++;
    b->p[b->n] = '\0';
}

static void put_u(sbuf *b, uint64_t v) {
    char tmp[24];
    int i = 0;
    do {
        tmp[i++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    char out[24];
    for (int k = 0; k < i; k++) out[k] = tmp[i - 1 - k];
    out[i] = '\0';
    put(b, out);
}

static void put_x(sbuf *b, uintptr_t v) {
    char out[20] = "0x";
    int i = 2;
    bool started = false;
    for (int shift = (int)sizeof v * 8 - 4; shift >= 0; shift -= 4) {
        unsigned d = (unsigned)(v >> shift) & 15u;
        if (d != 0 || started || shift == 0) {
            out[i++] = "0123456789abcdef"[d];
            started = true;
        }
    }
    out[i] = '\0';
    put(b, out);
}

/* Appends what the records of block b say about address a. */
static void describe_rec(sbuf *sb, const fai_block *b, uintptr_t a, uint64_t thread) {
    const fai_dblock *d = b->debug;
    const fai_frec *r = NULL;
    if (d != NULL) r = fai_dbg_rec_find(d->recs, atomic_load_explicit(&d->n, memory_order_acquire), a);
    if (r == NULL) {
        put(sb, "\n  allocated at: (no record: not inside an allocation of that frame)");
        put(sb, "\n  allocated in: thread ");
        put_u(sb, thread);
        return;
    }
    put(sb, "\n  allocated at: ");
    put(sb, fai_dbg_site(r->site));
    put(sb, " (");
    put_u(sb, r->size);
    put(sb, " bytes at ");
    put_x(sb, r->addr);
    put(sb, ", offset ");
    put_u(sb, a - r->addr);
    put(sb, ")\n  allocated in: frame ");
    put_u(sb, r->frame);
    put(sb, " on thread ");
    put_u(sb, thread);
    put(sb, " (scope depth ");
    put_u(sb, r->depth);
    put(sb, ")");
}

static void put_now(sbuf *sb, fa_alloc *fa) {
    fai_tstate *me = fai_cursor.tstate;
    put(sb, "\n  now:        frame ");
    put_u(sb, me != NULL && me->fa == fa ? me->frame_number : 0);
    put(sb, " on thread ");
    put_u(sb, fai_thread_id());
}

static char fault_buf[2048];

static int on_fault(void *addr) {
    uintptr_t a = (uintptr_t)addr;
    for (int i = 0; i < GUARD_SLOTS; i++) {
        uintptr_t s = atomic_load_explicit(&slots[i].start, memory_order_acquire);
        if (s <= 1 || a < s || a >= slots[i].end) continue;
        guard_slot *g = &slots[i];
        sbuf sb = {fault_buf, 0, sizeof fault_buf};
        put(&sb, "framealloc: FA_ERR_USE_AFTER_FRAME: access to frame memory of frame ");
        put_u(&sb, g->retire_frame);
        put(&sb, ", which has ended (caught by guard mode: the block stays protected through "
                 "frame ");
        put_u(&sb, g->until_frame);
        put(&sb, ")");
        if (g->fa->cfg.name != NULL) {
            put(&sb, "\n  allocator:  ");
            put(&sb, g->fa->cfg.name);
        }
        put(&sb, "\n  address:    ");
        put_x(&sb, a);
        describe_rec(&sb, g->b, a, g->thread);
        put_now(&sb, g->fa);
        put(&sb, "\n");
        fa_error_handler fn = atomic_load(&g->fa->handler);
        if (fn == NULL || fn == fa_default_error_handler) {
            fai_prim_write_stderr(fault_buf);
        } else {
            /* A program's own handler (a crash reporter) gets the report; it runs in the
             * signal handler, so it must be async-signal-safe. */
            fa_error e = {.status = FA_ERR_USE_AFTER_FRAME, .message = fault_buf,
                          .report = fault_buf, .alloc = g->fa, .ptr = addr,
                          .alloc_frame = g->retire_frame, .alloc_thread = g->thread,
                          .thread = fai_thread_id()};
            fn(&e, atomic_load(&g->fa->handler_user));
        }
        abort();
    }
    return 0;
}

#if FAI_ASAN
/* Called by ASan at the end of its report: say what framealloc knows about the address. */
static void on_asan_report(const char *report) {
    (void)report;
    void *addr = __asan_get_report_address();
    fai_tstate *me = fai_cursor.tstate;
    if (addr == NULL || me == NULL || me->dead) return;
    fai_finfo f;
    if (!fai_dbg_frame_lookup(me->fa, addr, &f)) return;
    sbuf sb = {fault_buf, 0, sizeof fault_buf};
    put(&sb, "framealloc: the address is ");
    put(&sb, f.kind == FAI_FK_STALE ? "frame memory of a frame scope that has ended"
                                    : "live frame memory");
    if (f.have_rec) {
        put(&sb, "\n  allocated at: ");
        put(&sb, fai_dbg_site(f.rec.site));
        put(&sb, " (");
        put_u(&sb, f.rec.size);
        put(&sb, " bytes at ");
        put_x(&sb, f.rec.addr);
        put(&sb, ")\n  allocated in: frame ");
        put_u(&sb, f.rec.frame);
        put(&sb, " (scope depth ");
        put_u(&sb, f.rec.depth);
        put(&sb, ")");
    }
    put(&sb, " on thread ");
    put_u(&sb, f.thread);
    put_now(&sb, f.fa);
    put(&sb, "\n");
    fai_prim_write_stderr(fault_buf);
}
#endif

static fai_once install_once = FAI_ONCE_INIT;

static void install(void) {
    if (FAI_DEBUG) fai_prim_install_fault_handler(on_fault);
#if FAI_ASAN
    __asan_set_error_report_callback(on_asan_report);
#endif
}

void fai_guard_install(void) { fai_once_run(&install_once, install); }
