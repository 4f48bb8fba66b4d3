// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s 'framealloc-frame-escape,framealloc-thread-crossing' %t
//
// std::atomic<T *>: store, exchange, compare_exchange_* and operator= into
// shared state publish the pointer like an assignment.

#include <atomic>
#include <framealloc.h>

struct FrameStats {
  int draws = 0;
};

static std::atomic<FrameStats *> g_latest{nullptr};

struct FA_LONG_LIVED Telemetry {
  std::atomic<const char *> status{nullptr};
};

void bad_store(fa_alloc *fa) {
  fa_begin_frame(fa);
  auto *s = FA_FRAME_NEW(fa, FrameStats);
  g_latest.store(s, std::memory_order_release);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_latest' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void bad_exchange(Telemetry &t, fa_alloc *fa) {
  fa_begin_frame(fa);
  char *line = fa_frame_strdup(fa, "streaming");
  const char *old = t.status.exchange(line);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: frame memory stored in long-lived 't.status' outlives its frame [framealloc-frame-escape]
  (void)old;
  fa_end_frame(fa);
}

void bad_compare_exchange(fa_alloc *fa) {
  fa_begin_frame(fa);
  auto *s = FA_FRAME_NEW(fa, FrameStats);
  FrameStats *expected = nullptr;
  g_latest.compare_exchange_weak(expected, s);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_latest' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void bad_assign(fa_alloc *fa) {
  fa_begin_frame(fa);
  auto *s = FA_FRAME_NEW(fa, FrameStats);
  g_latest = s;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_latest' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void ok_reset_before_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  auto *s = FA_FRAME_NEW(fa, FrameStats);
  g_latest.store(s);
  s->draws = 1;
  g_latest.store(nullptr);
  fa_end_frame(fa);
}

void ok_load_only(fa_alloc *fa) {
  fa_begin_frame(fa);
  FrameStats *seen = g_latest.load();
  auto *copy = FA_FRAME_NEW(fa, FrameStats);
  if (seen)
    copy->draws = seen->draws;
  fa_end_frame(fa);
}
