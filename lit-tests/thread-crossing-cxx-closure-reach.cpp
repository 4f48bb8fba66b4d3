// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s framealloc-thread-crossing %t -- -- -std=c++17
//
// A closure hands over what its captures reach: a captured pointer to an
// object whose field holds frame memory takes that memory to the other
// thread, through a std::function job queue or std::thread alike. A closure
// whose captures reach only long-lived memory, or whose object was cleared
// first, is quiet.

#include <framealloc.h>
#include <cstddef>
#include <functional>
#include <thread>

struct Request {
  int id;
  char *scratch;
  std::size_t len;
};

void hand_to_loader(std::function<void()> job FA_CROSSES_THREAD);
void decode_into(char *dst, std::size_t n);

void bad_captured_object_holds_frame(fa_alloc *fa, Request *req) {
  fa_begin_frame(fa);
  req->scratch = static_cast<char *>(fa_frame_alloc(fa, 256, 16));
  req->len = 256;
  hand_to_loader([req] { decode_into(req->scratch, req->len); });
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: a closure whose captures reach frame memory ('req->scratch') is handed to another thread through argument 1 of 'hand_to_loader' [framealloc-thread-crossing]
  req->scratch = nullptr;
  fa_end_frame(fa);
}

void bad_pool_object_to_thread(fa_alloc *fa) {
  fa_begin_frame(fa);
  Request *req = static_cast<Request *>(fa_pool_alloc(fa, sizeof(Request)));
  req->scratch = static_cast<char *>(fa_frame_alloc(fa, 64, 16));
  std::thread t([req] { decode_into(req->scratch, 64); });
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: a closure whose captures reach frame memory ('req->scratch') is handed to another thread through argument 1 of 'thread' [framealloc-thread-crossing]
  t.join();
  fa_end_frame(fa);
}

void ok_captured_object_holds_heap(fa_alloc *fa, Request *req) {
  fa_begin_frame(fa);
  char *tmp = static_cast<char *>(fa_frame_alloc(fa, 256, 16));
  decode_into(tmp, 256);
  req->scratch = static_cast<char *>(fa_heap_alloc(fa, 256, 16));
  hand_to_loader([req] { decode_into(req->scratch, 256); });
  fa_end_frame(fa);
}

void ok_cleared_before_hand_off(fa_alloc *fa, Request *req) {
  fa_begin_frame(fa);
  req->scratch = static_cast<char *>(fa_frame_alloc(fa, 256, 16));
  decode_into(req->scratch, 256);
  req->scratch = nullptr;
  hand_to_loader([req] { decode_into(req->scratch, 0); });
  fa_end_frame(fa);
}
