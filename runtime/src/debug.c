/*
 * debug.c - pointer validation and misuse classification; the hooks the other modules call.
 *
 * Release builds keep only what costs nothing on the hot paths: classifying a pointer that
 * already failed an ownership test (which kind of memory it is, for the report) and the
 * explicit fa_check_ptr. Frame classification there covers the calling thread's own blocks.
 * Every other hook is empty.
 *
 * Threading: all functions run on the calling thread and read only its own tstate plus the
 * locked pool/heap registries.
 */
#include "internal.h"

/* ---------------------------------------------------------------------------------------- */
/* Hooks (empty in this build mode)                                                           */
/* ---------------------------------------------------------------------------------------- */

void fai_debug_alloc_init(fa_alloc *fa) { (void)fa; }
void fai_debug_alloc_destroy(fa_alloc *fa) { (void)fa; }
void fai_debug_thread_init(fai_tstate *t) { (void)t; }
void fai_debug_thread_release(fai_tstate *t) { (void)t; }
void fai_debug_frame_alloc(fai_tstate *t, void *p, size_t size, const char *site) {
    (void)t, (void)p, (void)size, (void)site;
}
void fai_debug_scope_end(fai_tstate *t, const fai_scope *s, uintptr_t from_cur,
                         fai_block *from_block) {
    (void)t, (void)s, (void)from_cur, (void)from_block;
}
void fai_debug_block_new(fai_tstate *t, fai_block *b) { (void)t, (void)b; }
bool fai_debug_block_retire(fai_tstate *t, fai_block *b) {
    (void)t, (void)b;
    return false;
}
void fai_debug_frame_begin(fai_tstate *t) { (void)t; }
void fai_debug_frame_end(fai_tstate *t) { (void)t; }
void fai_debug_block_free(fai_tstate *t, fai_block *b) { (void)t, (void)b; }
void fai_debug_pool_alloc(fai_page *pg, void *p, const char *site) { (void)pg, (void)p, (void)site; }
bool fai_debug_pool_free(fa_alloc *fa, fai_page *pg, void *p) {
    (void)fa, (void)pg, (void)p;
    return true;
}
void fai_debug_pool_page_init(fai_page *pg) { (void)pg; }
void fai_debug_pool_page_release(fai_page *pg) { (void)pg; }
void fai_debug_pool_leaks(fa_alloc *fa, char *buf, size_t cap) { (void)fa, (void)buf, (void)cap; }
fa_status fai_debug_validate(fa_alloc *fa, fai_tstate *t) {
    (void)fa, (void)t;
    return FA_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Classification                                                                             */
/* ---------------------------------------------------------------------------------------- */

typedef enum ptr_kind {
    PTR_UNKNOWN,
    PTR_FRAME_LIVE,
    PTR_FRAME_STALE,
    PTR_POOL,
    PTR_POOL_OTHER_ALLOC,
    PTR_POOL_NOT_OBJECT,
    PTR_HEAP,
} ptr_kind;

static ptr_kind classify(fa_alloc *fa, const void *p) {
    fai_tstate *t = fai_find_tstate(fa);
    bool live = false;
    if (t != NULL && fai_frame_owns(t, p, &live)) return live ? PTR_FRAME_LIVE : PTR_FRAME_STALE;
    fa_alloc *owner = NULL;
    if (fai_pool_in_any_segment(p, &owner)) {
        if (owner != fa) return PTR_POOL_OTHER_ALLOC;
        return fai_pool_owns(fa, p) ? PTR_POOL : PTR_POOL_NOT_OBJECT;
    }
    if (fai_heap_owns(fa, p)) return PTR_HEAP;
    return PTR_UNKNOWN;
}

void fai_debug_report_bad_free(fa_alloc *fa, const void *p, const char *what, const char *site) {
    bool heap_call = what[3] == 'h'; /* "fa_heap_..." */
    fa_status st = FA_ERR_FOREIGN_POINTER;
    const char *why;
    switch (classify(fa, p)) {
    case PTR_FRAME_LIVE:
    case PTR_FRAME_STALE:
        st = FA_ERR_FRAME_POINTER;
        why = "is frame memory (it is released by fa_end_frame, never freed)";
        break;
    case PTR_POOL_OTHER_ALLOC: why = "is a pool object of another allocator"; break;
    case PTR_POOL_NOT_OBJECT:
        why = "is inside a pool page but not a live object's start (interior pointer or "
              "already freed)";
        break;
    case PTR_POOL: why = "is a pool object (free it with fa_pool_free)"; break;
    case PTR_HEAP: why = "is a heap block (free it with fa_heap_free)"; break;
    case PTR_UNKNOWN:
    default:
        why = heap_call ? "is not a live heap block of this allocator (already freed, or never "
                          "allocated by it)"
                        : "was not allocated by this allocator's pools";
        break;
    }
    fai_report r = {.status = st, .fa = fa, .ptr = p, .site = site};
    fai_report_error(&r, "%s(%p): the pointer %s; nothing was freed", what, p, why);
}

fa_status fai_debug_check_ptr(fa_alloc *fa, const void *p, const char *site, const char *purpose,
                              bool frame_only) {
    if (fa == NULL || p == NULL) {
        fai_error(fa, FA_ERR_INVALID_ARGUMENT, p, 0, site, "%s: NULL %s", purpose,
                  fa == NULL ? "allocator" : "pointer");
        return FA_ERR_INVALID_ARGUMENT;
    }
    ptr_kind k = classify(fa, p);
    if (k == PTR_FRAME_LIVE || k == PTR_POOL || k == PTR_HEAP) return FA_OK;
    if (k == PTR_FRAME_STALE) {
        fai_tstate *t = fai_find_tstate(fa);
        fai_report r = {.status = FA_ERR_USE_AFTER_FRAME, .fa = fa, .ptr = p, .site = site,
                        .current_frame = t != NULL ? t->frame_number : 0};
        fai_report_error(&r, "%s: %p is frame memory of a frame scope that has ended", purpose, p);
        return FA_ERR_USE_AFTER_FRAME;
    }
    if (frame_only) return FA_OK;
    fai_report r = {.status = FA_ERR_FOREIGN_POINTER, .fa = fa, .ptr = p, .site = site};
    fai_report_error(&r, "%s: %p is not live memory of this allocator on this thread", purpose, p);
    return FA_ERR_FOREIGN_POINTER;
}

fa_status fa_check_ptr_at(fa_alloc *fa, const void *p, const char *site) {
    return fai_debug_check_ptr(fa, p, site, "fa_check_ptr", false);
}

fa_status fa_check_ptr(fa_alloc *fa, const void *p) { return fa_check_ptr_at(fa, p, NULL); }

fa_status fa_validate(fa_alloc *fa) {
    if (fa == NULL) {
        fai_error(NULL, FA_ERR_INVALID_ARGUMENT, NULL, 0, NULL, "fa_validate: NULL allocator");
        return FA_ERR_INVALID_ARGUMENT;
    }
    return fai_debug_validate(fa, fai_find_tstate(fa));
}
