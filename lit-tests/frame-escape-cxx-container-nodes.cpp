// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t -- -- -std=c++17
//
// A pool or heap node pushed into a long-lived container of pointers
// publishes what it points to: frame memory left in the node's fields when
// the frame ends dangles in the container, like a node linked into a list.
// Clearing the field first, or keeping the node local, is quiet.

#include <framealloc.h>
#include <vector>

struct Contact {
  float p[3];
};
struct Manifold {
  Contact *points;
  int count;
};

class Solver {
public:
  void bad_node_pushed(fa_alloc *fa);
  void bad_node_filled_after_push(fa_alloc *fa);
  void ok_field_cleared(fa_alloc *fa);
  void ok_local_list(fa_alloc *fa);

private:
  std::vector<Manifold *> pooled_;
};

void Solver::bad_node_pushed(fa_alloc *fa) {
  fa_begin_frame(fa);
  Manifold *m = static_cast<Manifold *>(fa_pool_alloc(fa, sizeof(Manifold)));
  m->points = FA_FRAME_ARRAY(fa, Contact, 2);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'm->points' outlives its frame [framealloc-frame-escape]
  m->count = 2;
  pooled_.push_back(m);
  fa_end_frame(fa);
}

void Solver::bad_node_filled_after_push(fa_alloc *fa) {
  fa_begin_frame(fa);
  Manifold *m = static_cast<Manifold *>(fa_pool_alloc(fa, sizeof(Manifold)));
  pooled_.push_back(m);
  m->points = FA_FRAME_ARRAY(fa, Contact, 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'm->points' outlives its frame [framealloc-frame-escape]
  m->count = 4;
  fa_end_frame(fa);
}

void Solver::ok_field_cleared(fa_alloc *fa) {
  fa_begin_frame(fa);
  Manifold *m = static_cast<Manifold *>(fa_pool_alloc(fa, sizeof(Manifold)));
  m->points = FA_FRAME_ARRAY(fa, Contact, 2);
  m->count = 2;
  pooled_.push_back(m);
  m->points = nullptr;
  m->count = 0;
  fa_end_frame(fa);
}

void consume(std::vector<Manifold *> &list);

void Solver::ok_local_list(fa_alloc *fa) {
  fa_begin_frame(fa);
  std::vector<Manifold *> local;
  Manifold *m = static_cast<Manifold *>(fa_pool_alloc(fa, sizeof(Manifold)));
  m->points = FA_FRAME_ARRAY(fa, Contact, 2);
  local.push_back(m);
  consume(local);
  fa_pool_free(fa, m);
  fa_end_frame(fa);
}
