// SPDX-License-Identifier: MIT
//
// tags/scoped_tags.cpp - the C++ layer: RAII frame scopes and tag scopes, frame-backed
// std::pmr containers, typed frame vectors and maps, typed pool objects.
//
// fa::FrameScope opens the frame for the body of the loop, fa::TagScope charges a subsystem's
// allocations to its tag until the end of its block (also when it leaves by return or by an
// exception), and a std::pmr::vector on fa::frame_resource grows in frame memory, so the
// per-frame visible list needs no free at all. Long-lived entities are fa::pool_new objects.
//
// Checked: each tag was charged the frame bytes its subsystem allocated (measured around the
// block with the thread's stats), the exception path popped its tag, the vectors saw the right
// elements, and no pool object leaked.
#include <framealloc.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory_resource>
#include <stdexcept>
#include <vector>

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            std::exit(1);                                                                  \
        }                                                                                  \
    } while (0)

namespace {

struct Entity {
    float x = 0, y = 0;
    unsigned id = 0;
    Entity(float px, float py, unsigned i) : x(px), y(py), id(i) {}
};

size_t frame_bytes(fa_alloc *fa) {
    fa_thread_stats ts;
    fa_get_my_thread_stats(fa, &ts);
    return ts.frame_bytes;
}

// Culling: the visible ids in a frame-backed vector that dies with the frame.
size_t cull(fa_alloc *fa, fa::frame_resource &frame_mem, const std::vector<Entity *> &world,
            float limit) {
    fa::TagScope tag(fa, "render");
    std::pmr::vector<unsigned> visible(&frame_mem);
    for (const Entity *e : world)
        if (e->x < limit) visible.push_back(e->id);
    for (size_t i = 1; i < visible.size(); ++i) CHECK(visible[i] > visible[i - 1]);
    // Batching: the same ids bucketed by 16-unit cell, in a typed frame vector and map (the
    // vector grows in place; both die with the frame like the pmr vector).
    fa::frame_vector<unsigned> ids(fa, visible.size());
    fa::frame_map<unsigned> per_cell(fa);
    for (const Entity *e : world) {
        if (e->x >= limit) continue;
        CHECK(ids.push_back(e->id));
        unsigned *count = per_cell.try_emplace(static_cast<std::uint64_t>(e->x) / 16);
        CHECK(count != nullptr);
        ++*count;
    }
    size_t bucketed = 0;
    per_cell.for_each([&](std::uint64_t, unsigned &count) { bucketed += count; });
    CHECK(ids.size() == visible.size() && bucketed == visible.size());
    return visible.size();
}

// An AI step that may throw; the tag scope is popped on the way out either way.
void think(fa_alloc *fa, unsigned frame) {
    fa::TagScope tag(fa, "ai");
    auto plan = fa::frame_array<int>(fa, 100);
    CHECK(plan.size() == 100);
    if (frame % 10 == 0) throw std::runtime_error("no path");
}

} // namespace

int main(int argc, char **argv) {
    unsigned frames = 300;
    if (const char *env = std::getenv("FRAMEALLOC_EXAMPLE_FRAMES")) frames = unsigned(std::atoi(env));
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--frames") == 0) frames = unsigned(std::atoi(argv[i + 1]));
    if (frames < 2) frames = 2;

    fa_config cfg{};
    cfg.name = "scoped-tags";
    fa_alloc *fa = fa_create(&cfg);
    CHECK(fa != nullptr);
    fa::frame_resource frame_mem(fa);
    const fa_tag render = fa_tag_register(fa, "render"), ai = fa_tag_register(fa, "ai");

    std::vector<Entity *> world;
    for (unsigned i = 0; i < 200; ++i) {
        Entity *e = fa::pool_new<Entity>(fa, float(i), 0.0f, i);
        CHECK(e != nullptr);
        world.push_back(e);
    }

    unsigned failures = 0;
    size_t visible_total = 0;
    for (unsigned f = 0; f < frames; ++f) {
        size_t render_bytes = 0, ai_bytes = 0;
        {
            fa::FrameScope frame(fa);
            size_t before = frame_bytes(fa);
            visible_total += cull(fa, frame_mem, world, float(f % 200));
            render_bytes = frame_bytes(fa) - before;
            before = frame_bytes(fa);
            try {
                think(fa, f);
            } catch (const std::runtime_error &) {
                ++failures;
            }
            ai_bytes = frame_bytes(fa) - before;
            CHECK(fa_tag_current(fa) == 0); // popped on the exception path too
        } // frame ends: vectors and plans are gone
        fa_tag_stats ts;
        CHECK(fa_get_tag_stats(fa, render, &ts) == FA_OK && ts.frame_bytes_last == render_bytes);
        CHECK(fa_get_tag_stats(fa, ai, &ts) == FA_OK && ts.frame_bytes_last == ai_bytes);
        CHECK(ai_bytes >= 100 * sizeof(int));
        CHECK(fa_frame_depth(fa) == 0);
    }
    size_t want = 0;
    for (unsigned f = 0; f < frames; ++f) want += f % 200;
    CHECK(visible_total == want);
    CHECK(failures == (frames + 9) / 10);
    std::printf("scoped_tags: %u frames, %u AI failures unwound cleanly\n", frames, failures);
    for (Entity *e : world) fa::pool_delete(fa, e);
    fa_stats st;
    fa_get_stats(fa, &st);
    CHECK(st.pool_count == 0 && st.heap_count == 0);
    fa_destroy(fa);
    return 0;
}
