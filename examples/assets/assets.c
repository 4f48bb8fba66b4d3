/* SPDX-License-Identifier: MIT */
/*
 * assets/assets.c - asset loading under per-type memory budgets.
 *
 * Each asset type has a tag with a hard budget: texture pixels and mesh data are heap blocks
 * charged to "textures" / "meshes", small sound headers are pool objects charged to "audio".
 * Loads use fa_try_heap_alloc: a refusal for the budget is expected, not a bug, so it is quiet,
 * and the loader answers it by evicting the least recently used asset of that type and trying
 * again. A request that could never fit its budget is rejected. The per-frame lookup table the
 * game reads ("what is resident this frame") is frame memory of the caller's frame.
 *
 * Checked: every tag's heap bytes stay within its hard budget every frame (fa_get_tag_stats),
 * the loader's own byte counts equal the tag statistics, resident assets keep their contents,
 * oversize requests are rejected with FA_ERR_BUDGET, and nothing leaks.
 */
#include "../common/example.h"

#define ASSETS 96
#define TYPES 3

typedef enum AssetType { TEXTURE, MESH, SOUND } AssetType;
static const char *const type_names[TYPES] = {"textures", "meshes", "audio"};
/* Pool budgets count whole 64 KiB pages per size class, so the audio budget leaves room for a
 * page in each class the headers use; the heap budgets are exact byte counts. */
static const size_t hard_budget[TYPES] = {1u << 20, 512u << 10, 1u << 20};

typedef struct Asset {
    AssetType type;
    size_t size;
    unsigned char *data; /* NULL when not resident */
    uint64_t last_used;
    unsigned loads;
} Asset;

typedef struct Loader {
    fa_alloc *fa;
    fa_tag tags[TYPES];
    Asset assets[ASSETS];
    size_t resident_bytes[TYPES];
    uint64_t evictions, rejected, budget_refusals;
} Loader;

static void *alloc_for(Loader *l, const Asset *a, fa_status *why) {
    fa_tag_push(l->fa, l->tags[a->type]); /* the allocation is charged to the asset's type */
    void *p = a->type == SOUND ? fa_try_pool_alloc(l->fa, a->size, why)
                               : fa_try_heap_alloc(l->fa, a->size, 64, why);
    fa_tag_pop(l->fa);
    return p;
}

static void unload(Loader *l, Asset *a) {
    if (a->type == SOUND) fa_pool_free(l->fa, a->data);
    else fa_heap_free(l->fa, a->data);
    l->resident_bytes[a->type] -= a->size;
    a->data = NULL;
}

static int evict_lru(Loader *l, AssetType type, const Asset *keep) {
    Asset *victim = NULL;
    for (int i = 0; i < ASSETS; i++) {
        Asset *a = &l->assets[i];
        if (a->type == type && a->data && a != keep && (!victim || a->last_used < victim->last_used))
            victim = a;
    }
    if (!victim) return 0;
    unload(l, victim);
    l->evictions++;
    return 1;
}

/* Makes an asset resident; returns 0 when it can never fit its budget. */
static int request(Loader *l, int id, uint64_t now) {
    Asset *a = &l->assets[id];
    a->last_used = now;
    if (a->data) return 1;
    for (;;) {
        fa_status why;
        void *p = alloc_for(l, a, &why);
        if (p) {
            a->data = p;
            memset(a->data, id & 0xFF, a->size); /* "decode" */
            l->resident_bytes[a->type] += a->size;
            a->loads++;
            return 1;
        }
        CHECK(why == FA_ERR_BUDGET);
        l->budget_refusals++;
        /* evicting cannot help an asset larger than the whole budget */
        if (a->size > hard_budget[a->type] || !evict_lru(l, a->type, a)) {
            l->rejected++;
            return 0;
        }
    }
}

int main(int argc, char **argv) {
    unsigned frames = example_frames(argc, argv, 400);
    fa_alloc *fa = fa_create(&(fa_config){.name = "assets"});
    CHECK(fa != NULL);
    static Loader l;
    l.fa = fa;
    ExampleRng rng = {0xA55E7u};
    for (int t = 0; t < TYPES; t++) {
        l.tags[t] = fa_tag_register(fa, type_names[t]);
        CHECK(l.tags[t] != 0);
        CHECK(fa_tag_set_budget(fa, l.tags[t], 0, hard_budget[t]) == FA_OK);
    }
    for (int i = 0; i < ASSETS; i++) {
        AssetType t = (AssetType)(i % TYPES);
        size_t size = t == TEXTURE ? (64u << 10) + (example_rand(&rng) % (192u << 10))
                    : t == MESH    ? (16u << 10) + (example_rand(&rng) % (96u << 10))
                                   : 256u + (example_rand(&rng) % 3840u);
        l.assets[i] = (Asset){t, size, NULL, 0, 0};
    }
    l.assets[0].size = hard_budget[TEXTURE] + 1; /* a texture that can never fit */

    unsigned oversize_rejected = 0;
    for (unsigned f = 0; f < frames; f++) {
        fa_begin_frame(fa);
        /* this frame's requests: a moving window of assets around the "camera" */
        for (int r = 0; r < 6; r++) {
            int id = (int)((f / 4 + (unsigned)r * 5 + example_rand(&rng) % 3) % ASSETS);
            int ok = request(&l, id, f);
            if (id == 0) { CHECK(!ok); oversize_rejected++; }
            else CHECK(ok);
        }
        /* the frame's lookup table: resident asset pointers by id */
        const unsigned char **table = FA_FRAME_ARRAY(fa, const unsigned char *, ASSETS);
        CHECK(table != NULL);
        for (int i = 0; i < ASSETS; i++) table[i] = l.assets[i].data;
        for (int i = 1; i < ASSETS; i++)
            if (table[i]) CHECK(table[i][0] == (i & 0xFF) && table[i][l.assets[i].size - 1] == (i & 0xFF));

        for (int t = 0; t < TYPES; t++) {
            fa_tag_stats ts;
            CHECK(fa_get_tag_stats(fa, l.tags[t], &ts) == FA_OK);
            size_t used = t == SOUND ? ts.pool_bytes : ts.heap_bytes;
            if (t != SOUND) {
                CHECK(used == l.resident_bytes[t]); /* heap bytes are the requested sizes */
                CHECK(used <= hard_budget[t]);
            } else {
                CHECK(used >= l.resident_bytes[t] && used <= hard_budget[t]); /* whole pages */
            }
        }
        fa_end_frame(fa);
    }
    CHECK(l.evictions > 0 && l.budget_refusals >= l.evictions);
    CHECK(l.rejected == oversize_rejected);
    fa_tag_stats tex;
    CHECK(fa_get_tag_stats(fa, l.tags[TEXTURE], &tex) == FA_OK);
    CHECK(tex.hard_exceeded > 0); /* quiet refusals still count as budget hits */
    fa_stats st;
    fa_get_stats(fa, &st);
    CHECK(st.errors == 0); /* quiet refusals are not errors */
    printf("assets: %llu evictions, %llu budget refusals, %llu oversize rejects\n",
           (unsigned long long)l.evictions, (unsigned long long)l.budget_refusals,
           (unsigned long long)l.rejected);
    for (int i = 0; i < ASSETS; i++)
        if (l.assets[i].data) unload(&l, &l.assets[i]);
    example_finish(fa);
    return 0;
}
