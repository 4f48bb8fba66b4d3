// SPDX-License-Identifier: MIT
// The public header must compile as C++ (extern "C", no C-only syntax) and its inline fast path
// and macros must work from C++ code.
#include <framealloc.h>

#include <cstdio>
#include <new>

struct Particle {
    float pos[3];
    double mass;
};

struct alignas(64) CacheLine {
    char bytes[64];
};

static Particle *spawn(fa_alloc *fa, int n) FA_RETURNS_FRAME;
static Particle *spawn(fa_alloc *fa, int n) { return FA_FRAME_ARRAY(fa, Particle, n); }

int main() {
    fa_alloc *fa = fa_create(nullptr);
    if (fa == nullptr) return 1;
    fa_begin_frame(fa);
    Particle *ps = spawn(fa, 100);
    CacheLine *line = FA_FRAME_NEW(fa, CacheLine);
    bool ok = ps != nullptr && line != nullptr && reinterpret_cast<uintptr_t>(line) % 64 == 0;
    for (int i = 0; ok && i < 100; i++) new (&ps[i]) Particle{{1, 2, 3}, 4.0};
    ok = ok && ps[99].mass == 4.0;
    fa_end_frame(fa);
    Particle *pooled = FA_POOL_NEW(fa, Particle);
    ok = ok && pooled != nullptr;
    fa_pool_free(fa, pooled);
    fa_destroy(fa);
    std::printf("c++ header test: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
