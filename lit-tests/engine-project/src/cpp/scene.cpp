// scene.cpp - scene update with RAII frame scopes.
#include <engine/scope.hpp>
#include <cstdint>
#include <cstring>
#include <vector>

namespace scene {

struct Node {
    float x, y;
    uint32_t parent;
};

struct Visible {
    uint32_t *ids = nullptr;
    std::size_t count = 0;
};

struct FA_LONG_LIVED SceneCache {
    uint32_t *last_visible = nullptr;
    std::size_t last_count = 0;
    std::vector<uint32_t> kept; // values survive frames
};

Visible cull(Engine *e, const std::vector<Node> &nodes) FA_RETURNS_FRAME;
Visible cull(Engine *e, const std::vector<Node> &nodes) {
    Visible v;
    v.ids = engine::scratch_array<uint32_t>(e, nodes.size() + 1);
    for (std::size_t i = 0; v.ids && i < nodes.size(); ++i)
        if (nodes[i].x >= 0.0f)
            v.ids[v.count++] = static_cast<uint32_t>(i);
    return v;
}

std::size_t update(Engine *e, const std::vector<Node> &nodes, SceneCache &cache) {
    engine::FrameScope frame(e);
    Visible v = cull(e, nodes);
    if (!v.ids)
        return 0;
    cache.kept.assign(v.ids, v.ids + v.count);
    return cache.kept.size();
}

void update_and_keep(Engine *e, const std::vector<Node> &nodes, SceneCache &cache) {
    engine::FrameScope frame(e);
    Visible v = cull(e, nodes);
    cache.last_visible = v.ids; // FINDING: frame-escape
    cache.last_count = v.count;
}

uint32_t first_visible(Engine *e, const std::vector<Node> &nodes) {
    Visible v;
    {
        engine::FrameScope frame(e);
        v = cull(e, nodes);
    }
    return v.count ? v.ids[0] : 0; // FINDING: use-after-frame
}

uint32_t first_visible_ok(Engine *e, const std::vector<Node> &nodes) {
    uint32_t first = 0;
    {
        engine::FrameScope frame(e);
        Visible v = cull(e, nodes);
        if (v.count)
            first = v.ids[0];
    }
    return first;
}

std::size_t nested(Engine *e, const std::vector<Node> &nodes) {
    engine::FrameScope outer(e);
    Visible keep = cull(e, nodes);
    for (int pass = 0; pass < 2; ++pass) {
        engine::FrameScope inner(e);
        Visible tmp = cull(e, nodes);
        if (tmp.count == 0)
            break;
    }
    return keep.count ? keep.ids[0] : 0;
}

void manual_inside_guard(Engine *e) {
    engine::FrameScope frame(e);
    eng_frame_begin(e); // FINDING: frame-pairing (still open when the guard's scope ends)
    float *f = engine::scratch_array<float>(e, 4);
    if (f)
        f[0] = 1.0f;
}

} // namespace scene
