/* SPDX-License-Identifier: MIT */
/*
 * test_pool_race.c - pool races forced deterministically through the test hooks
 * (FAI_TEST_HOOKS, internal.h), against a release library built with them.
 *
 * A remote free makes the object visible to the page's owner at one instant. From then on the
 * owner may collect it, release the now-empty page and hand the page out again, all before the
 * freeing thread runs its next instruction. The hook parks the freeing thread at exactly that
 * instant while the owner does all of that, so anything the free still does to the page
 * afterwards (a late count, a late read of the descriptor) lands on the reused page; the test
 * then checks the live count and that a later trim keeps the live object of the reused page.
 *
 * Worker threads never assert (Criterion's assertions are not thread-safe).
 */
#include "fa_test.h"
#include "test_util.h"

#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

enum { OBJ_SIZE = 48 };

typedef enum step { ST_START, ST_X_READY, ST_PUBLISHED, ST_REUSED, ST_FREED } step;

typedef struct race {
    fa_alloc *fa;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    step at;
    void *x, *y;
    unsigned hook_calls;
    size_t owner_live; /* the owner's own view of its live objects, before it exits */
    bool same_page;
} race;

static race *g_race;

static void wait_for(race *r, step s) {
    pthread_mutex_lock(&r->lock);
    while (r->at < s) pthread_cond_wait(&r->cond, &r->lock);
    pthread_mutex_unlock(&r->lock);
}

static void advance(race *r, step s) {
    pthread_mutex_lock(&r->lock);
    r->at = s;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

/* Runs on the freeing thread right after the object became the owner's. */
static void park_after_publish(void *p) {
    race *r = g_race;
    pthread_mutex_lock(&r->lock);
    bool first = r->hook_calls++ == 0 && p == r->x;
    pthread_mutex_unlock(&r->lock);
    if (!first) return;
    advance(r, ST_PUBLISHED);
    wait_for(r, ST_REUSED);
}

static void *owner_main(void *arg) {
    race *r = arg;
    void *x = fa_pool_alloc(r->fa, OBJ_SIZE);
    if (x != NULL) tu_fill(x, OBJ_SIZE, 1);
    r->x = x;
    advance(r, ST_X_READY);
    if (x == NULL) return NULL;
    wait_for(r, ST_PUBLISHED);
    /* The page holds only x, which is now on its remote list: trim collects it and releases
     * the empty page; the next allocation of the class takes the page again. */
    fa_pool_trim(r->fa);
    void *y = fa_pool_alloc(r->fa, OBJ_SIZE);
    if (y != NULL) tu_fill(y, OBJ_SIZE, 2);
    r->y = y;
    r->same_page = y != NULL && ((uintptr_t)x & ~(uintptr_t)(FAI_POOL_PAGE_SIZE - 1)) ==
                                    ((uintptr_t)y & ~(uintptr_t)(FAI_POOL_PAGE_SIZE - 1));
    advance(r, ST_REUSED);
    wait_for(r, ST_FREED);
    fa_thread_stats ts;
    fa_get_my_thread_stats(r->fa, &ts);
    r->owner_live = ts.pool_count;
    return NULL; /* exits with y live: its page is abandoned */
}

static void *freer_main(void *arg) {
    race *r = arg;
    wait_for(r, ST_X_READY);
    if (r->x != NULL) fa_pool_free(r->fa, r->x);
    advance(r, ST_FREED);
    return NULL;
}

Test(pool_race, remote_free_parked_after_publish_while_its_page_is_reused, .init = tu_setup) {
    race r = {.fa = tu_create(NULL), .at = ST_START};
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.cond, NULL);
    g_race = &r;
    fai_test_hook_remote_published = park_after_publish;

    pthread_t owner, freer;
    pthread_create(&owner, NULL, owner_main, &r);
    pthread_create(&freer, NULL, freer_main, &r);
    pthread_join(freer, NULL);
    pthread_join(owner, NULL);
    fai_test_hook_remote_published = NULL;

    cr_assert_not_null(r.x);
    cr_assert_not_null(r.y);
    cr_assert_eq(r.hook_calls, 1, "the remote free went through the hook once");
    /* Without this the interleaving below was not the one under test. */
    cr_assert(r.same_page, "the released page was reused for the next object");
    cr_assert_eq(r.owner_live, 1, "the owner counts its one live object on the reused page");

    fa_stats st;
    fa_get_stats(r.fa, &st);
    cr_assert_eq(st.pool_count, 1, "one live pool object");
    /* The owner has exited: its page with y is abandoned. Trim must keep it. */
    fa_pool_trim(r.fa);
    fa_get_stats(r.fa, &st);
    cr_assert_eq(st.pool_count, 1, "trim kept the live object");
    cr_assert_eq(tu_check(r.y, OBJ_SIZE, 2), SIZE_MAX, "the live object's bytes are intact");
    cr_assert_eq(fa_check_ptr(r.fa, r.y), FA_OK);
    void *z = fa_pool_alloc(r.fa, OBJ_SIZE);
    cr_assert_not_null(z);
    cr_assert_neq(z, r.y, "a live object is never handed out again");
    fa_pool_free(r.fa, z);
    fa_pool_free(r.fa, r.y);
    fa_get_stats(r.fa, &st);
    cr_assert_eq(st.pool_count, 0);
    cr_assert_eq(tu_total(), 0, "no error reported on the way");
    fa_destroy(r.fa);
    pthread_mutex_destroy(&r.lock);
    pthread_cond_destroy(&r.cond);
}
