// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s framealloc-frame-pairing %t -- -- -std=c++17
//
// An explicit end of the frame a scope guard owns, inside the guard's block:
// the guard's destructor ends it again when the block is left. It is
// reported at the explicit end, whether the guard is fa::FrameScope or an
// unkeyed guard of the project, on every path or on one branch. Ending a
// frame begun after the guard, inside its block, is correct.

#include <framealloc.hpp>

namespace game {
class FrameGuard {
public:
  explicit FrameGuard(fa_alloc *fa) FA_BEGINS_FRAME : fa_(fa) {
    fa_begin_frame(fa);
  }
  ~FrameGuard() FA_ENDS_FRAME { fa_end_frame(fa_); }
  FrameGuard(const FrameGuard &) = delete;
  FrameGuard &operator=(const FrameGuard &) = delete;

private:
  fa_alloc *fa_;
};
} // namespace game

void render(fa_alloc *fa);

void bad_keyed_explicit_end(fa_alloc *fa) {
  fa::FrameScope scope(fa);
  render(fa);
  fa_end_frame(fa);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame owned by the scope guard 'scope' ended here; the guard ends it again when its scope is left [framealloc-frame-pairing]
}

void bad_unkeyed_explicit_end(fa_alloc *fa) {
  game::FrameGuard guard(fa);
  render(fa);
  fa_end_frame(fa);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame owned by the scope guard 'guard' ended here; the guard ends it again when its scope is left [framealloc-frame-pairing]
}

int bad_end_on_one_branch(fa_alloc *fa, int n) {
  fa::FrameScope scope(fa);
  if (n < 0) {
    fa_end_frame(fa);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame owned by the scope guard 'scope' ended here; the guard ends it again when its scope is left [framealloc-frame-pairing]
    return -1;
  }
  render(fa);
  return 0;
}

// Negative cases.
void ok_inner_frame(fa_alloc *fa) {
  fa::FrameScope scope(fa);
  fa_begin_frame(fa);
  render(fa);
  fa_end_frame(fa);
}

void ok_guard_in_inner_block(fa_alloc *fa) {
  fa_begin_frame(fa);
  {
    game::FrameGuard guard(fa);
    render(fa);
  }
  fa_end_frame(fa);
}

void ok_guard_only(fa_alloc *fa) {
  fa::FrameScope scope(fa);
  render(fa);
}
