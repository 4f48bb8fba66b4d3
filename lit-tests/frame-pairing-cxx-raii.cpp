// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
//
// RAII frame scopes: a guard whose constructor is FA_BEGINS_FRAME and whose
// destructor is FA_ENDS_FRAME ends its frame on every way out of its scope
// (return, break, continue, nested guards), through the CFG's implicit
// destructors. Member functions may begin and end frames too.

#include <framealloc.h>

namespace fa {
class FrameScope {
public:
  explicit FrameScope(fa_alloc *fa) FA_BEGINS_FRAME : fa_(fa) {
    fa_begin_frame(fa);
  }
  ~FrameScope() FA_ENDS_FRAME { fa_end_frame(fa_); }
  FrameScope(const FrameScope &) = delete;
  FrameScope &operator=(const FrameScope &) = delete;

private:
  fa_alloc *fa_;
};
} // namespace fa

struct Engine {
  fa_alloc *fa;
  void begin() FA_BEGINS_FRAME;
  void end() FA_ENDS_FRAME;
};

float *g_keep;

int ok_early_return(fa_alloc *fa, int n) {
  fa::FrameScope scope(fa);
  int *p = static_cast<int *>(fa_frame_alloc(fa, 4, 4));
  if (n < 0)
    return -1;
  *p = n;
  return *p;
}

void ok_break_continue(fa_alloc *fa, int n) {
  for (int i = 0; i < n; ++i) {
    fa::FrameScope scope(fa);
    int *p = static_cast<int *>(fa_frame_alloc(fa, 4, 4));
    if (i == 3)
      continue;
    if (i == 7)
      break;
    *p = i;
  }
}

void ok_nested(fa_alloc *fa) {
  fa::FrameScope outer(fa);
  float *keep = static_cast<float *>(fa_frame_alloc(fa, 4, 4));
  {
    fa::FrameScope inner(fa);
    float *tmp = static_cast<float *>(fa_frame_alloc(fa, 4, 4));
    *tmp = 1;
  }
  *keep = 2;
}

void ok_members(Engine &e) {
  e.begin();
  float *p = static_cast<float *>(fa_frame_alloc(e.fa, 4, 4));
  *p = 1;
  e.end();
}

float bad_use_after_inner_scope(fa_alloc *fa) {
  fa::FrameScope outer(fa);
  float *tmp;
  {
    fa::FrameScope inner(fa);
    tmp = static_cast<float *>(fa_frame_alloc(fa, 4, 4));
    *tmp = 1;
  }
  return *tmp;
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'tmp' used after its frame ended [framealloc-use-after-frame]
}

void bad_escape_from_scope(fa_alloc *fa) {
  fa::FrameScope scope(fa);
  g_keep = static_cast<float *>(fa_frame_alloc(fa, 4, 4));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_keep' outlives its frame [framealloc-frame-escape]
}

void bad_member_end_missing(Engine &e, int c) {
  e.begin();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame begun here is not ended before 'bad_member_end_missing' returns [framealloc-frame-pairing]
  if (c)
    return;
  e.end();
}
