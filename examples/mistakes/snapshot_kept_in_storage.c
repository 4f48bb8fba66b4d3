/* SPDX-License-Identifier: MIT */
/*
 * mistakes/snapshot_kept_in_storage.c - WRONG ON PURPOSE. The correct version: ecs/ecs.c.
 *
 * The component storage caches a per-frame snapshot of its components in a field and hands
 * the cached pointer out again on later calls. The snapshot is frame memory: fa_end_frame
 * releases it, and the next frame's movement system iterates through a dangling pointer
 * (it reads whatever that frame has put there since - or, with guard mode, faults).
 * Fix: build the snapshot in the caller's frame each time and never store it in the storage.
 *
 * expect-analyzer: framealloc-frame-escape
 * expect-runtime: FA_ERR_USE_AFTER_FRAME
 */
#include <framealloc.h>

#include <stdio.h>
#include <string.h>

typedef struct Vec3 { float x, y, z; } Vec3;

typedef struct Storage {
    Vec3 components[256];
    size_t count;
    Vec3 *frame_snapshot; /* the mistake: frame memory cached in a long-lived object */
} Storage;

static const Vec3 *snapshot(Storage *s, fa_alloc *fa) {
    if (!s->frame_snapshot) {
        s->frame_snapshot = FA_FRAME_ARRAY(fa, Vec3, s->count);
        memcpy(s->frame_snapshot, s->components, s->count * sizeof(Vec3));
    }
    return s->frame_snapshot;
}

int main(void) {
    fa_alloc *fa = fa_create(NULL);
    static Storage velocities, positions;
    velocities.count = positions.count = 256;
    for (int i = 0; i < 256; i++) velocities.components[i] = (Vec3){1, 0, 0};
    float sum = 0;
    for (int frame = 0; frame < 3; frame++) {
        fa_begin_frame(fa);
        const Vec3 *v = snapshot(&velocities, fa); /* frame 2 gets frame 1's dead snapshot */
        for (size_t i = 0; i < positions.count; i++) positions.components[i].x += v[i].x;
        sum += positions.components[0].x;
        fa_end_frame(fa);
    }
    printf("sum %f\n", (double)sum);
    fa_destroy(fa);
    return 0;
}
