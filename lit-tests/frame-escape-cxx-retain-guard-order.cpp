// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t -- -- -std=c++17
//
// Locals are destroyed in reverse order of declaration: a retain slot
// declared after the scope guard dies before the guard's destructor ends the
// frame scope and writes the retained copy into it. A slot declared before
// the guard, or in an enclosing block, is alive then.

#include <framealloc.hpp>

struct Bone {
  float m[16];
};
void apply(const Bone *b);

void bad_slot_after_guard(fa_alloc *fa) {
  fa::FrameScope frame(fa);
  Bone *slot = FA_FRAME_ARRAY(fa, Bone, 4);
  fa_frame_retain(fa, reinterpret_cast<void **>(&slot), 4 * sizeof(Bone),
                  FA_RETAIN_TO_POOL);
  // CHECK-MESSAGES: :[[@LINE-2]]:3: warning: retain slot 'slot' is declared after the scope guard 'frame' and dies before its destructor ends the frame scope, when the retained copy is written into it [framealloc-frame-escape]
  apply(slot);
}

Bone *ok_slot_before_guard(fa_alloc *fa) {
  Bone *slot = nullptr;
  {
    fa::FrameScope frame(fa);
    slot = FA_FRAME_ARRAY(fa, Bone, 4);
    fa_frame_retain(fa, reinterpret_cast<void **>(&slot), 4 * sizeof(Bone),
                    FA_RETAIN_TO_POOL);
  }
  return slot;
}

void ok_slot_declared_first(fa_alloc *fa) {
  Bone *slot;
  fa::FrameScope frame(fa);
  slot = FA_FRAME_ARRAY(fa, Bone, 4);
  fa_frame_retain(fa, reinterpret_cast<void **>(&slot), 4 * sizeof(Bone),
                  FA_RETAIN_TO_POOL);
}
