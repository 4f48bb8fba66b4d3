/* SPDX-License-Identifier: MIT */
/*
 * debug.h - data shared by the debug modules (debug.c: frame records, registry, pointer
 * classification; debug_mem.c: pool and heap checks; guard.c: guard quarantine and the fault
 * handler). Never included by the other modules: they see only the hooks in internal.h.
 *
 * What is recorded (debug builds):
 *   frame   every allocation: address, size, site, outermost frame number, scope id (the
 *           generation) and depth. Records live with their block (fai_dblock), sorted by
 *           address, while the allocation is live; when its scope ends they move to the
 *           thread's history ring (bounded), or stay with the block while guard mode keeps it
 *           in quarantine. A process-wide registry maps every frame block to its allocator and
 *           thread, so another thread's frame pointer can be named.
 *   pool    per page (fai_dpage): each object's state, requested size, sites and threads.
 *   heap    a tail canary per block and a ring of recently freed blocks (double free reports).
 *   transfer  freed handles wait in a bounded quarantine, payload filled and poisoned.
 *
 * Locks: registry lock -> a thread's fai_dthread.lock. The owner thread pushes records without
 * a lock (slot first, then the count with release order); it takes its own lock to grow,
 * truncate or move records, which is what other threads' readers (holding both locks) need.
 * No report is made with either lock held.
 */
#ifndef FRAMEALLOC_DEBUG_H
#define FRAMEALLOC_DEBUG_H

#include "internal.h"
#include "track.h"

/* Named fill bytes (debug builds). Distinct values, so a hex dump or a crash address tells what
 * state the memory was in; 0xFDFD.. and 0xBDBD.. are also non-canonical addresses, so a stale
 * pointer loaded from freed memory faults at once. */
#define FAI_FILL_FRAME_ALLOC 0xFA /* frame memory just handed out (uninitialised) */
#define FAI_FILL_FRAME_FREED 0xFD /* frame memory of a scope that has ended */
#define FAI_FILL_POOL_ALLOC 0xBA  /* pool object just handed out */
#define FAI_FILL_POOL_FREED 0xBD  /* freed pool object (after its free-list link word) */
#define FAI_FILL_HEAP_ALLOC 0xEA  /* heap block just handed out */
#define FAI_FILL_HEAP_FREED 0xED  /* heap block about to be returned to the C library */
#define FAI_FILL_CANARY 0xCC      /* pool slack and heap tail after the requested bytes */
#define FAI_FILL_XFER_FREED 0xDF  /* payload of a freed transfer handle (in quarantine) */

/* One frame allocation. */
typedef struct fai_frec {
    uintptr_t addr;
    size_t size;
    const char *site; /* NULL: allocated without a site (release-mode call site) */
    uint64_t frame;   /* outermost frame number when allocated */
    uint64_t scope;   /* scope id: the generation the allocation belongs to */
    uint32_t depth;   /* scope depth when allocated (1 = outermost) */
} fai_frec;

/* fai_block.debug */
typedef struct fai_dblock {
    fai_frec *recs;     /* live allocations in this block, ascending addresses */
    _Atomic size_t n;
    size_t cap;
    uintptr_t hw;       /* end of the highest byte ever handed out; beyond it the block holds
                           untouched zero pages, not the freed fill */
    _Atomic int ended;  /* the records describe a finished frame (guard quarantine) */
    _Atomic int kept;   /* the records describe an ended frame kept for frames in flight */
    uint64_t thread;    /* owner thread */
    const char *fa_name;
    int slot;           /* guard slot while protected, or -1 */
} fai_dblock;

/* fai_tstate.debug */
typedef struct fai_dthread {
    fai_mutex lock;
    fai_frec *hist;     /* ring of records of ended scopes */
    size_t hist_cap, hist_next, hist_n;
    unsigned qcount;    /* blocks in t->quarantine */
} fai_dthread;

/* What is known about a frame address. */
typedef enum fai_fkind { FAI_FK_NONE = 0, FAI_FK_LIVE, FAI_FK_STALE } fai_fkind;
typedef struct fai_finfo {
    fai_fkind kind;
    bool quarantined;   /* in a guard-protected block of a finished frame */
    bool kept;          /* in an ended frame kept for frames in flight (live, read-only) */
    bool have_rec;      /* rec describes the allocation p points into */
    fa_alloc *fa;       /* the allocator whose frame block holds p */
    uint64_t thread;    /* the thread that owns the block */
    fai_frec rec;
} fai_finfo;

/* debug.c */
/* Looks p up in frame blocks: the calling thread's blocks of fa first (no lock), then every
 * thread's and allocator's through the registry. false when p is no frame memory at all. */
bool fai_dbg_frame_lookup(fa_alloc *fa, const void *p, fai_finfo *out);
/* Searches sorted records for the one containing a. */
const fai_frec *fai_dbg_rec_find(const fai_frec *recs, size_t n, uintptr_t a);
/* Offset of the first byte of [p, p+n) that is not `byte`, or n. */
size_t fai_dbg_mismatch(const void *p, size_t n, unsigned char byte);
void fai_dbg_registry_set(fai_block *b, fai_tstate *t, bool add);
void fai_dbg_hist_push(fai_tstate *t, const fai_frec *recs, size_t n);
const char *fai_dbg_site(const char *site);
/* Calls fai_debug_validate at the end of every outermost frame (FA_DEBUG >= 3). */
fa_status fai_dbg_validate_frames(fa_alloc *fa, fai_tstate *t, char *why, size_t cap,
                                  const void **where);

/* debug_mem.c */
/* Pool pointer facts for reports: true when p is inside a tracked pool object of fa (interior
 * or not) and fills in its state (0 never used, 1 live, 2 freed) and record. */
typedef struct fai_pinfo {
    int state;
    uintptr_t obj;
    uint32_t size, block_size;
    const char *alloc_site, *free_site;
    uint64_t alloc_thread, free_thread, alloc_frame;
} fai_pinfo;
bool fai_dbg_pool_lookup(fa_alloc *fa, const void *p, fai_pinfo *out);
/* A recently freed heap block of fa starting at p (for double-free reports). */
bool fai_dbg_heap_recent(fa_alloc *fa, const void *p, fai_pinfo *out);
/* The live allocator (other than fa) whose heap owns p, or NULL. */
fa_alloc *fai_dbg_heap_owner(fa_alloc *fa, const void *p);
fa_status fai_dbg_validate_pools(fa_alloc *fa, fai_tstate *t, char *why, size_t cap,
                                 const void **where);
fa_status fai_dbg_validate_heap(fa_alloc *fa, char *why, size_t cap, const void **where);
fa_status fai_dbg_validate_transfers(fa_alloc *fa, char *why, size_t cap, const void **where);
void fai_dbg_mem_destroy(fa_alloc *fa);
void fai_dbg_allocs_add(fa_alloc *fa, bool add);

/* guard.c */
bool fai_guard_retire(fai_tstate *t, fai_block *b);
fai_block *fai_guard_recycle(fai_tstate *t, size_t size);
void fai_guard_frame_end(fai_tstate *t);
void fai_guard_release(fai_tstate *t);     /* unmaps the thread's quarantine */
void fai_guard_install(void);              /* fault handler (and ASan report hook), once */
bool fai_guard_owns(fai_tstate *t, uintptr_t a, fai_block **blk);

#endif /* FRAMEALLOC_DEBUG_H */
