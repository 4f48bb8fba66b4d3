// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t
//
// A method of this file that stores its argument into a member of its object
// (`last_ = p;`, `items_.push_back(p)`): the call stores the argument into
// that member of the object it is called on. Frame memory passed to it
// escapes when that object outlives the frame (a global, a long-lived object,
// the caller's object when the caller ends the frame); a local object is
// quiet.

#include <framealloc.h>
#include <vector>

struct Particle {
  float life;
};

class Recorder {
public:
  void remember(Particle *p) { last_ = p; }
  void add(Particle *p) { items_.push_back(p); }
  void peek(const Particle *p) { life_ = p->life; }
  void scoped(Particle *p) {
    last_ = p;
    flush();
    last_ = nullptr;
  }
  void flush();

private:
  Particle *last_ = nullptr;
  std::vector<Particle *> items_;
  float life_ = 0;
};

struct FA_LONG_LIVED World {
  Recorder recorder;
};

Recorder g_recorder;

void bad_global_object(fa_alloc *fa) {
  fa_begin_frame(fa);
  Particle *p = FA_FRAME_NEW(fa, Particle);
  g_recorder.remember(p);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'g_recorder.last_' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void bad_long_lived_object(World *w, fa_alloc *fa) {
  Particle *p = FA_FRAME_NEW(fa, Particle);
  w->recorder.add(p);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in long-lived 'w->recorder.items_' outlives its frame [framealloc-frame-escape]
}

void bad_callers_object(Recorder *r, fa_alloc *fa) {
  fa_begin_frame(fa);
  Particle *p = FA_FRAME_NEW(fa, Particle);
  r->remember(p);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'r->last_' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

// Negative cases.
void ok_local_object(fa_alloc *fa) {
  fa_begin_frame(fa);
  Recorder local;
  Particle *p = FA_FRAME_NEW(fa, Particle);
  local.remember(p);
  fa_end_frame(fa);
}

void ok_reads_only(fa_alloc *fa) {
  fa_begin_frame(fa);
  Particle *p = FA_FRAME_NEW(fa, Particle);
  g_recorder.peek(p);
  fa_end_frame(fa);
}

void ok_taken_back(fa_alloc *fa) {
  fa_begin_frame(fa);
  Particle *p = FA_FRAME_NEW(fa, Particle);
  g_recorder.scoped(p);
  fa_end_frame(fa);
}

void ok_heap(Recorder *r) {
  r->remember(new Particle());
}
