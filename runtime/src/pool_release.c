/* SPDX-License-Identifier: MIT */
/*
 * pool_release.c - pool pages going back: aging of empty pages, fa_pool_trim, thread exit
 * (abandoning pages with live objects), fa_destroy, the statistics walk, and collecting the
 * remote frees of a thread's counted pages (budget.c).
 *
 * Threading: as pool.c. Queue walks run on the owning thread (fa_destroy: on a quiescent
 * allocator); abandoned pages and the segment list are under fa->pool_lock.
 */
#include "internal.h"
#include "pool.h"

#include <stdlib.h>

void fai_pool_age_empty(fai_tstate *t) {
    uint32_t now = t->pool_epoch;
    uint32_t keep = t->fa->cfg.pool_keep_empty_pages;
    for (unsigned i = 0; i < 2 * FA_MAX_TAGS && t->pool_excess != 0; i++) {
        fai_pool_set *set = t->pool_sets[i];
        if (set == NULL) continue;
        for (unsigned c = 0; c < FAI_POOL_CLASSES; c++) {
            fai_page_queue *q = &set->q[c];
            for (fai_page *pg = q->empty; pg != NULL && q->empty_count > keep;) {
                fai_page *next = pg->next;
                if (now - pg->empty_epoch >= FAI_EMPTY_IDLE_FRAMES) {
                    fai_page_move_to(t, q, pg, FAI_ON_NONE);
                    fai_page_release(t->fa, pg);
                }
                pg = next;
            }
        }
    }
}

static void release_list(fai_tstate *t, fai_page_queue *q, fai_page **head, bool keep_live) {
    fa_alloc *fa = t->fa;
    while (*head != NULL) {
        fai_page *pg = *head;
        if (keep_live) {
            fai_page_collect_remote(pg);
            if (FAI_USED(pg) != 0) {
                /* Still in use: stop here (pages before it were released). */
                return;
            }
        }
        fai_page_move_to(t, q, pg, FAI_ON_NONE);
        fai_page_release(fa, pg);
    }
}

void fa_pool_trim(fa_alloc *fa) {
    fai_tstate *t = fai_find_tstate(fa);
    if (t != NULL) {
        for (unsigned i = 0; i < 2 * FA_MAX_TAGS; i++) {
            fai_pool_set *set = t->pool_sets[i];
            if (set == NULL) continue;
            for (unsigned c = 0; c < FAI_POOL_CLASSES; c++) {
                fai_page_queue *q = &set->q[c];
                release_list(t, q, &q->empty, false);
                /* Every empty available page, the hot one included: trimming asks for the
                 * memory back now, and the next allocation takes a fresh page if needed. */
                for (fai_page *pg = q->cur; pg != NULL;) {
                    fai_page *next = pg->next;
                    fai_page_collect_remote(pg);
                    if (FAI_USED(pg) == 0) {
                        fai_page_move_to(t, q, pg, FAI_ON_NONE);
                        fai_page_release(fa, pg);
                    }
                    pg = next;
                }
            }
        }
    }
    if (fa == NULL) return;
    /* Abandoned pages whose objects have all been freed by now. */
    for (unsigned c = 0; c < FAI_POOL_CLASSES; c++) {
        fai_page *empty = NULL;
        fai_mutex_lock(&fa->pool_lock);
        for (fai_page *pg = fa->abandoned[c]; pg != NULL;) {
            fai_page *next = pg->next;
            if (FAI_USED(pg) == fai_page_remote_pending(pg)) {
                fai_page_list_remove(&fa->abandoned[c], pg);
                pg->next = empty;
                empty = pg;
            }
            pg = next;
        }
        fai_mutex_unlock(&fa->pool_lock);
        while (empty != NULL) {
            fai_page *pg = empty;
            empty = pg->next;
            atomic_store(&pg->thread_free, 0);
            FAI_SET_USED(pg, 0);
            fai_page_release(fa, pg);
        }
    }
}

void fai_pool_thread_release(fai_tstate *t) {
    fa_alloc *fa = t->fa;
    for (unsigned i = 0; i < 2 * FA_MAX_TAGS; i++) {
        fai_pool_set *set = t->pool_sets[i];
        if (set == NULL) continue;
        for (unsigned c = 0; c < FAI_POOL_CLASSES; c++) {
            fai_page_queue *q = &set->q[c];
            fai_page **lists[3] = {&q->cur, &q->full, &q->empty};
            for (int l = 0; l < 3; l++) {
                while (*lists[l] != NULL) {
                    fai_page *pg = *lists[l];
                    fai_page_collect_remote(pg);
                    fai_page_move_to(t, q, pg, FAI_ON_NONE);
                    if (FAI_USED(pg) == 0) {
                        fai_page_release(fa, pg);
                        continue;
                    }
                    fai_mutex_lock(&fa->pool_lock);
                    atomic_store_explicit(&pg->owner, NULL, memory_order_relaxed);
                    atomic_store_explicit(&pg->state, FAI_PAGE_ABANDONED, memory_order_relaxed);
                    fai_page_list_push(&fa->abandoned[c], pg);
                    fai_mutex_unlock(&fa->pool_lock);
                }
            }
        }
        if (set != &t->pool_set0) free(set);
        t->pool_sets[i] = NULL;
    }
    t->pool_cur = NULL;
    if (fai_cursor.tstate == t) fai_cursor_pool_load(t);
}

void fai_pool_collect_counted(fai_tstate *t) {
    for (unsigned i = FA_MAX_TAGS; i < 2 * FA_MAX_TAGS; i++) {
        fai_pool_set *set = t->pool_sets[i];
        if (set == NULL) continue;
        for (unsigned c = 0; c < FAI_POOL_CLASSES; c++) {
            fai_page_queue *q = &set->q[c];
            for (fai_page *pg = q->cur; pg != NULL; pg = pg->next) fai_page_collect_remote(pg);
            for (fai_page *pg = q->full; pg != NULL;) {
                fai_page *next = pg->next;
                fai_page_collect_remote(pg);
                if (pg->h.free != NULL) fai_page_move_behind_cur(t, q, pg);
                pg = next;
            }
        }
    }
}

void fai_pool_destroy(fa_alloc *fa) {
    fai_segment *seg = fa->segments;
    while (seg != NULL) {
        fai_segment *next = seg->next;
        for (uint32_t i = 1; i <= seg->pages_handed; i++)
            if (atomic_load(&seg->pages[i].state) != FAI_PAGE_FREE)
                fai_debug_pool_page_release(&seg->pages[i]);
        fai_segmap_set((uintptr_t)seg, false);
        fai_prim_unmap(seg, FAI_SEGMENT_SIZE);
        seg = next;
    }
    fa->segments = NULL;
    fa->free_pages = NULL;
    memset(fa->abandoned, 0, sizeof fa->abandoned);
}

void fai_pool_count(fa_alloc *fa, const fai_tstate *owner, int tag, size_t *count, size_t *bytes,
                    size_t *pages) {
    size_t n = 0, b = 0, np = 0;
    fai_mutex_lock(&fa->pool_lock);
    for (fai_segment *seg = fa->segments; seg != NULL; seg = seg->next) {
        for (uint32_t i = 1; i <= seg->pages_handed; i++) {
            fai_page *pg = &seg->pages[i];
            if (atomic_load_explicit(&pg->state, memory_order_relaxed) == FAI_PAGE_FREE) continue;
            if (owner != NULL && atomic_load_explicit(&pg->owner, memory_order_relaxed) != owner)
                continue;
            if (tag >= 0 && pg->tag != tag) continue;
            uint32_t used = FAI_USED(pg);
            uint32_t remote = fai_page_remote_pending(pg);
            size_t live = used > remote ? used - remote : 0;
            n += live;
            b += live * pg->block_size;
            np++;
        }
    }
    fai_mutex_unlock(&fa->pool_lock);
    if (count != NULL) *count = n;
    if (bytes != NULL) *bytes = b;
    if (pages != NULL) *pages = np;
}
