/* SPDX-License-Identifier: MIT */
/*
 * transfer.c - transfer handles: the sanctioned way for frame data to reach another thread.
 *
 * fa_transfer_create copies the data into one malloc'd block (handle header + payload), so the
 * producer may end its frame at once. fa_transfer_alloc makes the same block without a copy:
 * the producer writes the payload in place and fa_transfer_send seals it (a handle is
 * receivable only once sent). The handle moves to any thread; fa_transfer_receive hands out
 * the payload once; fa_transfer_free releases it. Receive and free take no
 * allocator, so live handles are kept in a process-wide set and checked before a handle's
 * memory is read: receiving or freeing twice, or a pointer that is no handle, is reported
 * (FA_ERR_TRANSFER_MISUSE) instead of touching freed memory.
 *
 * Debug builds do not free a handle at once: debug_mem.c keeps it in a quarantine with its
 * payload filled and poisoned, so a write through a stale payload pointer is reported.
 *
 * Threading: the set and the per-allocator handle lists are guarded by one mutex; the
 * received flag is an atomic exchange, so two threads racing to receive get one payload. The
 * sent flag is stored with release and read with acquire by receive, so the producer's
 * writes before fa_transfer_send are visible to whoever receives it.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

#define TRANSFER_MAGIC 0x4641584645524844ull /* "FAXFERHD" */

struct fa_transfer {
    uint64_t magic;
    fa_alloc *fa;
    size_t size;
    _Atomic int received;
    _Atomic int sent;          /* receivable: created by copy, or sealed by fa_transfer_send */
    uint64_t producer_thread, producer_frame;
    struct fa_transfer *prev, *next; /* live handles of fa */
    _Alignas(16) unsigned char payload[];
};

static fai_mutex lock = FAI_MUTEX_INIT;
static fai_ptrset live; /* every live handle of every allocator */
static fa_transfer *lists_head; /* all live handles (per-allocator walk filters by fa) */

static fa_alloc *live_owner(const fa_transfer *t, const char *what);

/* Fills in and registers the handle t (malloc'd, size payload bytes); NULL (reported, t freed)
 * when the set cannot grow. */
static fa_transfer *handle_adopt(fa_alloc *fa, fa_transfer *t, size_t size, bool sent) {
    t->magic = TRANSFER_MAGIC;
    t->fa = fa;
    t->size = size;
    atomic_init(&t->received, 0);
    atomic_init(&t->sent, sent);
    t->producer_thread = fai_thread_id();
    t->producer_frame = fa_frame_number(fa);
    fai_mutex_lock(&lock);
    bool ok = fai_ptrset_add(&live, (uintptr_t)t);
    if (ok) {
        t->prev = NULL;
        t->next = lists_head;
        if (lists_head != NULL) lists_head->prev = t;
        lists_head = t;
    }
    fai_mutex_unlock(&lock);
    if (!ok) {
        free(t);
        fai_error(fa, FA_ERR_OUT_OF_MEMORY, NULL, size, NULL, "out of memory for a transfer");
        return NULL;
    }
    atomic_fetch_add(&fa->transfer_bytes, size);
    atomic_fetch_add(&fa->transfer_count, 1);
    return t;
}

static fa_transfer *handle_new(fa_alloc *fa, size_t size, bool sent) {
    fa_transfer *t = malloc(sizeof *t + size);
    if (t == NULL) {
        fai_error(fa, FA_ERR_OUT_OF_MEMORY, NULL, size, NULL,
                  "out of memory for a transfer of %zu bytes", size);
        return NULL;
    }
    return handle_adopt(fa, t, size, sent);
}

fa_transfer *fa_transfer_create(fa_alloc *fa, const void *frame_data, size_t size) {
    if (fa == NULL || frame_data == NULL) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, frame_data, size, NULL,
                  "fa_transfer_create: NULL %s", fa == NULL ? "allocator" : "data");
        return NULL;
    }
    if (!fai_check_request(fa, size, 16, FA_MAX_ALLOC_SIZE, "fa_transfer_create", NULL) ||
        !fai_check_source(fa, frame_data, size, "fa_transfer_create", NULL))
        return NULL;
    if (FAI_DEBUG && fai_debug_check_ptr(fa, frame_data, NULL, "fa_transfer_create", true) != FA_OK)
        return NULL;
    /* Copied before the handle is published: the set holds only complete handles. */
    fa_transfer *t = malloc(sizeof *t + size);
    if (t == NULL) {
        fai_error(fa, FA_ERR_OUT_OF_MEMORY, NULL, size, NULL,
                  "out of memory for a transfer of %zu bytes", size);
        return NULL;
    }
    memcpy(t->payload, frame_data, size);
    return handle_adopt(fa, t, size, true);
}

fa_transfer *fa_transfer_alloc(fa_alloc *fa, size_t size, void **payload) {
    if (payload != NULL) *payload = NULL;
    if (fa == NULL || payload == NULL) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, NULL, size, NULL, "fa_transfer_alloc: NULL %s",
                  fa == NULL ? "allocator" : "payload pointer");
        return NULL;
    }
    if (!fai_check_request(fa, size, 16, FA_MAX_ALLOC_SIZE, "fa_transfer_alloc", NULL))
        return NULL;
    fa_transfer *t = handle_new(fa, size, false);
    if (t != NULL) *payload = t->payload;
    return t;
}

fa_status fa_transfer_send(fa_transfer *t) {
    fa_alloc *fa = live_owner(t, "fa_transfer_send");
    if (fa == NULL) return FA_ERR_TRANSFER_MISUSE;
    if (atomic_exchange_explicit(&t->sent, 1, memory_order_release) != 0) {
        fai_report r = {.status = FA_ERR_TRANSFER_MISUSE, .fa = fa, .ptr = t, .size = t->size,
                        .alloc_thread = t->producer_thread, .alloc_frame = t->producer_frame};
        fai_report_error(&r, "fa_transfer_send of %p, which was already sent (or made by "
                             "fa_transfer_create, which sends)", (void *)t);
        return FA_ERR_TRANSFER_MISUSE;
    }
    return FA_OK;
}

/* The allocator of a live handle, or NULL (reported) when t is not one. */
static fa_alloc *live_owner(const fa_transfer *t, const char *what) {
    fa_alloc *fa = NULL;
    fai_mutex_lock(&lock);
    if (t != NULL && fai_ptrset_has(&live, (uintptr_t)t)) fa = t->fa;
    fai_mutex_unlock(&lock);
    if (fa == NULL)
        fai_error(NULL, FA_ERR_TRANSFER_MISUSE, t, 0, NULL,
                  "%s of %p, which is not a live transfer handle (already freed, or never "
                  "created by fa_transfer_create)",
                  what, (const void *)t);
    return fa;
}

void *fa_transfer_receive(fa_transfer *t) {
    fa_alloc *fa = live_owner(t, "fa_transfer_receive");
    if (fa == NULL) return NULL;
    if (atomic_load_explicit(&t->sent, memory_order_acquire) == 0) {
        fai_report r = {.status = FA_ERR_TRANSFER_MISUSE, .fa = fa, .ptr = t, .size = t->size,
                        .alloc_thread = t->producer_thread, .alloc_frame = t->producer_frame};
        fai_report_error(&r, "transfer handle %p received before fa_transfer_send: the producer "
                             "may still be writing it", (void *)t);
        return NULL;
    }
    if (atomic_exchange(&t->received, 1) != 0) {
        fai_report r = {.status = FA_ERR_TRANSFER_MISUSE, .fa = fa, .ptr = t, .size = t->size,
                        .alloc_thread = t->producer_thread, .alloc_frame = t->producer_frame};
        fai_report_error(&r, "transfer handle %p received twice", (void *)t);
        return NULL;
    }
    return t->payload;
}

size_t fa_transfer_size(const fa_transfer *t) {
    fai_mutex_lock(&lock);
    size_t size = t != NULL && fai_ptrset_has(&live, (uintptr_t)t) ? t->size : 0;
    fai_mutex_unlock(&lock);
    return size;
}

void fa_transfer_free(fa_transfer *t) {
    fai_mutex_lock(&lock);
    bool ok = t != NULL && fai_ptrset_remove(&live, (uintptr_t)t);
    if (ok) {
        if (t->prev != NULL)
            t->prev->next = t->next;
        else
            lists_head = t->next;
        if (t->next != NULL) t->next->prev = t->prev;
    }
    fai_mutex_unlock(&lock);
    if (!ok) {
        if (t == NULL) return; /* like free(NULL) */
        fai_error(NULL, FA_ERR_TRANSFER_MISUSE, t, 0, NULL,
                  "fa_transfer_free of %p, which is not a live transfer handle (freed twice?)",
                  (void *)t);
        return;
    }
    fa_alloc *fa = t->fa;
    atomic_fetch_sub(&fa->transfer_bytes, t->size);
    atomic_fetch_sub(&fa->transfer_count, 1);
    t->magic = 0;
    /* Debug builds keep it in quarantine, payload poisoned, to catch writes after the free. */
    if (!fai_debug_transfer_free(fa, t, t->payload, t->size)) free(t);
}

size_t fai_transfer_leaks(fa_alloc *fa, char *buf, size_t cap, size_t *bytes) {
    size_t n = 0, b = 0, at = strlen(buf);
    fai_mutex_lock(&lock);
    for (fa_transfer *t = lists_head; t != NULL; t = t->next) {
        if (t->fa != fa) continue;
        if (n < 4 && at + 96 < cap) {
            int w = snprintf(buf + at, cap - at,
                             "\n  transfer %p, %zu bytes, created on thread %llu in frame %llu%s",
                             (void *)t, t->size, (unsigned long long)t->producer_thread,
                             (unsigned long long)t->producer_frame,
                             atomic_load(&t->received) ? " (received)" : " (never received)");
            if (w > 0) at = FAI_MIN(at + (size_t)w, cap - 1);
        }
        n++;
        b += t->size;
    }
    fai_mutex_unlock(&lock);
    if (bytes != NULL) *bytes = b;
    return n;
}

void fai_transfer_destroy(fa_alloc *fa) {
    fai_mutex_lock(&lock);
    fa_transfer *t = lists_head;
    while (t != NULL) {
        fa_transfer *next = t->next;
        if (t->fa == fa) {
            fai_ptrset_remove(&live, (uintptr_t)t);
            if (t->prev != NULL)
                t->prev->next = t->next;
            else
                lists_head = t->next;
            if (t->next != NULL) t->next->prev = t->prev;
            t->magic = 0;
            free(t);
        }
        t = next;
    }
    fai_mutex_unlock(&lock);
    fai_debug_transfer_drain(fa);
}
