/* SPDX-License-Identifier: MIT */
/*
 * pool.h - page operations shared by pool.c (allocation, free) and pool_release.c (trim,
 * thread exit, destroy, statistics). Never installed; everything here runs on the page
 * owner's thread unless said otherwise.
 */
#ifndef FRAMEALLOC_POOL_H
#define FRAMEALLOC_POOL_H

#include "internal.h"

/* Intrusive page lists (owner's queues, or fa lists under fa->pool_lock). */
void fai_page_list_push(fai_page **head, fai_page *pg);
void fai_page_list_remove(fai_page **head, fai_page *pg);
/* Moves a page between the lists of its queue q (FAI_ON_NONE: off every list). */
void fai_page_move_to(fai_tstate *t, fai_page_queue *q, fai_page *pg, fai_page_where where);
/* Puts a page that left the full list right behind the hot page. */
void fai_page_move_behind_cur(fai_tstate *t, fai_page_queue *q, fai_page *pg);
/* Objects freed by other threads and not yet collected (any thread). */
uint32_t fai_page_remote_pending(fai_page *pg);
/* Takes the remote frees of a page onto its local free list. */
void fai_page_collect_remote(fai_page *pg);
/* Returns an empty page to the allocator and its memory to the OS. */
void fai_page_release(fa_alloc *fa, fai_page *pg);
/* Marks a 4 MiB region as a segment of ours (or not) in the process-wide map. */
void fai_segmap_set(uintptr_t seg, bool on);

#endif /* FRAMEALLOC_POOL_H */
