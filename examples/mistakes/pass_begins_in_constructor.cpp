// SPDX-License-Identifier: MIT
//
// mistakes/pass_begins_in_constructor.cpp - WRONG ON PURPOSE. The correct version:
// tags/scoped_tags.cpp (fa::FrameScope, a guard that stays in the block it was made in).
//
// A render pass object opens a nested frame scope in its constructor and closes it in submit().
// Scopes are LIFO per thread, so the pairing now depends on every caller calling submit() on
// every path: the early-out below skips it, the scope stays open, the game loop's fa_end_frame
// closes the pass's scope instead of the frame's, and open scopes pile up until the nesting
// limit. Fix: open the scope where it is closed (an fa::FrameScope local in the loop body),
// and let the pass allocate in whatever scope is open.
//
// expect-analyzer: framealloc-frame-pairing
// expect-runtime: FA_ERR_NESTING_TOO_DEEP
#include <framealloc.hpp>

#include <cstdio>

class RenderPass {
public:
    explicit RenderPass(fa_alloc *fa) : fa_(fa) {
        fa_begin_frame(fa_); // begun here...
        commands_ = fa::frame_array<int>(fa_, 64);
    }
    void add(int c) { commands_[count_++] = c; }
    void submit() { fa_end_frame(fa_); } // ...ended here, if anyone calls it

private:
    fa_alloc *fa_;
    fa::span<int> commands_;
    std::size_t count_ = 0;
};

int main() {
    fa_alloc *fa = fa_create(nullptr);
    for (int frame = 0; frame < 200; ++frame) {
        fa_begin_frame(fa);
        RenderPass pass(fa);
        pass.add(frame);
        if (frame % 2 == 0) pass.submit(); // odd frames "have nothing to draw" and skip it
        fa_end_frame(fa);
    }
    std::printf("depth %u\n", fa_frame_depth(fa));
    fa_destroy(fa);
    return 0;
}
