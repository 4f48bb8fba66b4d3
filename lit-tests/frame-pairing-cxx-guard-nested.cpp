// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s framealloc-frame-pairing %t -- -- -std=c++17
//
// A frame begun inside a scope guard's scope and still open where that scope
// is left (a return, the end of the function, the end of a block) is the
// frame left open: it is reported at its begin with a note where the scope
// is left, as in plain C, whether the guard is the arena-keyed fa::FrameScope
// or an unkeyed guard, in free functions and in methods.

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

int load(fa_alloc *fa);

class Renderer {
public:
  int bad_keyed_return(int n);
  int bad_unkeyed_return(int n);
  void bad_keyed_end_of_body();
  int ok_nested_closed(int n);
  int ok_nested_closed_on_every_path(int n);

private:
  fa_alloc *fa_;
};

int Renderer::bad_keyed_return(int n) {
  fa::FrameScope frame(fa_);
  fa_begin_frame(fa_);
  if (n < 0)
    return -1;
  fa_end_frame(fa_);
  return 0;
}
// CHECK-NOTES: :[[@LINE-6]]:3: warning: frame begun here is not ended before 'bad_keyed_return' returns [framealloc-frame-pairing]
// CHECK-NOTES: :[[@LINE-5]]:5: note: 'bad_keyed_return' returns here with the frame still open

int Renderer::bad_unkeyed_return(int n) {
  game::FrameGuard frame(fa_);
  fa_begin_frame(fa_);
  if (load(fa_) != 0)
    return -1;
  fa_end_frame(fa_);
  return n;
}
// CHECK-NOTES: :[[@LINE-6]]:3: warning: frame begun here is not ended before 'bad_unkeyed_return' returns [framealloc-frame-pairing]
// CHECK-NOTES: :[[@LINE-5]]:5: note: 'bad_unkeyed_return' returns here with the frame still open

void Renderer::bad_keyed_end_of_body() {
  fa::FrameScope frame(fa_);
  fa_begin_frame(fa_);
  load(fa_);
}
// CHECK-NOTES: :[[@LINE-3]]:3: warning: frame begun here is not ended before 'bad_keyed_end_of_body' returns [framealloc-frame-pairing]
// CHECK-NOTES: :[[@LINE-2]]:1: note: 'bad_keyed_end_of_body' reaches its end here with the frame still open

int Renderer::ok_nested_closed(int n) {
  fa::FrameScope frame(fa_);
  fa_begin_frame(fa_);
  int rc = load(fa_);
  fa_end_frame(fa_);
  if (rc != 0)
    return rc;
  return n;
}

int Renderer::ok_nested_closed_on_every_path(int n) {
  game::FrameGuard frame(fa_);
  fa_begin_frame(fa_);
  if (n < 0) {
    fa_end_frame(fa_);
    return -1;
  }
  fa_end_frame(fa_);
  return 0;
}

// A free function and a block scope: the guard's block ends with the frame
// begun inside it still open.
int bad_free_function(fa_alloc *fa, int n) {
  fa::FrameScope frame(fa);
  fa_begin_frame(fa);
  if (n > 8)
    return 1;
  fa_end_frame(fa);
  return 0;
}
// CHECK-NOTES: :[[@LINE-6]]:3: warning: frame begun here is not ended before 'bad_free_function' returns [framealloc-frame-pairing]
// CHECK-NOTES: :[[@LINE-5]]:5: note: 'bad_free_function' returns here with the frame still open

void bad_block_scope(fa_alloc *fa) {
  {
    game::FrameGuard frame(fa);
    fa_begin_frame(fa);
    load(fa);
  }
}
// CHECK-NOTES: :[[@LINE-4]]:5: warning: frame begun here is not ended before the scope of 'frame' ends [framealloc-frame-pairing]
// CHECK-NOTES: :[[@LINE-3]]:3: note: the scope of 'frame' ends here with the frame still open

void ok_guards_nested(fa_alloc *fa) {
  fa::FrameScope outer(fa);
  {
    game::FrameGuard inner(fa);
    load(fa);
  }
  load(fa);
}
