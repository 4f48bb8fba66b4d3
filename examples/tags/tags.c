/* SPDX-License-Identifier: MIT */
/*
 * tags/tags.c - charging allocations to subsystems, per-subsystem budgets, scoped tags.
 *
 * Each subsystem registers a tag once and pushes it around its work (FA_TAG_SCOPE pops it on
 * every way out of the block, break included), so its frame, pool and heap bytes are charged to
 * it. Budgets
 * are per tag: "particles" has a soft budget (a warning when a frame crosses it - the effect
 * still runs, the designer gets told) and "ai" a hard one on its pool and heap memory, in
 * bytes (the allocation is refused; the AI drops its oldest plan). The whole allocator has a
 * count-only budget: its figures, no reports.
 *
 * Checked against fa_get_tag_stats: each tag was charged exactly the frame bytes its system
 * allocated, untagged work stayed untagged, the soft warning fired once per crossing (the
 * handler records it; no other error may occur), hard refusals happened only above the budget,
 * and tags nest (a nested scope's bytes go to the inner tag).
 */
#include "../common/example.h"

#define PARTICLE_SOFT (48u << 10)
/* pool charges are object bytes: 32 plans of 2 KiB fit, the 33rd is refused */
#define AI_HARD (64u << 10)
#define PLAN_BYTES 2048u

typedef struct Tags { fa_tag physics, particles, ai, pathing; } Tags;

int main(int argc, char **argv) {
    unsigned frames = example_frames(argc, argv, 300);
    static ExampleErrors errors;
    fa_alloc *fa = fa_create(&(fa_config){.name = "tags", .error_handler = example_log_error,
                                          .error_user = &errors});
    CHECK(fa != NULL);
    Tags t = {fa_tag_register(fa, "physics"), fa_tag_register(fa, "particles"),
              fa_tag_register(fa, "ai"), fa_tag_register(fa, "ai/pathing")};
    CHECK(t.physics && t.particles && t.ai && t.pathing);
    CHECK(fa_tag_register(fa, "physics") == t.physics); /* registering again finds it */
    CHECK(fa_tag_set_budget(fa, t.particles, PARTICLE_SOFT, 0) == FA_OK);
    CHECK(fa_tag_set_budget(fa, t.ai, 0, AI_HARD) == FA_OK);
    CHECK(fa_set_budget(fa, FA_BUDGET_GLOBAL, 0, FA_BUDGET_NONE) == FA_OK);

    void *plans[64] = {0};
    size_t nplans = 0;
    uint64_t refused = 0, crossings = 0;
    int over_last = 0;
    for (unsigned f = 0; f < frames; f++) {
        fa_begin_frame(fa);
        size_t phys = 0, part = 0, path = 0, untagged = 0;
        {
            FA_TAG_SCOPE(fa, t.physics);
            CHECK(fa_tag_current(fa) == t.physics);
            CHECK(fa_frame_alloc(fa, 4096, 16) != NULL);
            phys += 4096;
        }
        /* particles: a burst every 40 frames crosses the soft budget */
        size_t burst = f % 40 < 3 ? (64u << 10) : (8u << 10);
        {
            FA_TAG_SCOPE(fa, t.particles);
            CHECK(FA_FRAME_ARRAY(fa, float, burst / sizeof(float)) != NULL);
            part += burst;
        }
        int over = burst > PARTICLE_SOFT;
        if (over && !over_last) crossings++; /* the warning is per crossing, not per frame */
        over_last = over;
        {
            FA_TAG_SCOPE(fa, t.ai);
            /* long-lived plans in the pool under a hard budget: refuse, then fall back */
            fa_status why;
            void *plan = fa_try_pool_alloc(fa, PLAN_BYTES, &why);
            if (plan) {
                if (nplans == 64) { fa_pool_free(fa, plans[0]); memmove(plans, plans + 1, 63 * sizeof *plans); nplans--; }
                plans[nplans++] = plan;
            } else {
                CHECK(why == FA_ERR_BUDGET);
                refused++;
                CHECK(nplans == AI_HARD / PLAN_BYTES); /* refused only when it is all used */
                fa_pool_free(fa, plans[0]); /* drop the oldest plan and go on */
                memmove(plans, plans + 1, --nplans * sizeof *plans);
            }
            for (int step = 0;; step++) { /* nested: these bytes belong to ai/pathing */
                FA_TAG_SCOPE(fa, t.pathing);
                CHECK(fa_frame_alloc(fa, 512, 16) != NULL);
                path += 512;
                if (step == 1) break; /* leaves the scope: the tag is popped */
            }
            CHECK(fa_tag_current(fa) == t.ai);
        }
        CHECK(fa_tag_current(fa) == 0);
        CHECK(fa_frame_alloc(fa, 512, 16) != NULL);
        untagged += 512;
        fa_end_frame(fa);

        fa_tag_stats ts;
        CHECK(fa_get_tag_stats(fa, t.physics, &ts) == FA_OK && ts.frame_bytes_last == phys);
        CHECK(fa_get_tag_stats(fa, t.particles, &ts) == FA_OK && ts.frame_bytes_last == part);
        CHECK(ts.soft_exceeded == crossings);
        CHECK(fa_get_tag_stats(fa, t.pathing, &ts) == FA_OK && ts.frame_bytes_last == path);
        CHECK(fa_get_tag_stats(fa, t.ai, &ts) == FA_OK && ts.frame_bytes_last == 0);
        CHECK(ts.pool_bytes == nplans * PLAN_BYTES && ts.pool_bytes <= AI_HARD);
        CHECK(fa_get_tag_stats(fa, 0, &ts) == FA_OK && ts.frame_bytes_last == untagged);
    }
    CHECK(refused > 0 && crossings > 0);
    fa_budget_info all;
    CHECK(fa_get_budget(fa, FA_BUDGET_GLOBAL, &all) == FA_OK);
    CHECK(all.bytes == nplans * PLAN_BYTES && all.peak == AI_HARD && all.warnings == 0);
    /* the handler saw the soft-budget warnings and nothing else */
    CHECK(errors.by_status[FA_WARN_BUDGET] == crossings && errors.count == crossings);
    printf("tags: %llu soft-budget crossings reported, %llu hard refusals handled, "
           "pool + heap peak %zu bytes\n",
           (unsigned long long)crossings, (unsigned long long)refused, all.peak);
    for (size_t i = 0; i < nplans; i++) fa_pool_free(fa, plans[i]);
    example_finish(fa);
    return 0;
}
