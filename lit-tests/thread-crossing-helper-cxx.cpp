// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s 'framealloc-thread-crossing,framealloc-frame-escape' %t
//
// C++ helpers: a std::thread started with the parameter (as an argument or
// captured by a lambda) hands it to another thread; a member storing it in a
// long-lived object keeps it past the frame.

#include <framealloc.h>
#include <thread>

void upload_texels(const unsigned char *texels);

static std::thread start_upload(const unsigned char *texels) {
  return std::thread(upload_texels, texels);
}

static void upload_detached(unsigned char *texels) {
  std::thread([texels] { upload_texels(texels); }).detach();
}

struct FA_LONG_LIVED TextureCache {
  const unsigned char *pending = nullptr;
  void defer(const unsigned char *texels) { pending = texels; }
  void upload_now(const unsigned char *texels) { upload_texels(texels); }
};

void bad_thread_arg(fa_alloc *fa) {
  fa_begin_frame(fa);
  auto *texels = static_cast<unsigned char *>(fa_frame_alloc(fa, 4096, 16));
  std::thread t = start_upload(texels);
  // CHECK-MESSAGES: :[[@LINE-1]]:32: warning: frame memory 'texels' passed to 'start_upload' is handed to another thread (through 'thread') [framealloc-thread-crossing]
  t.join();
  fa_end_frame(fa);
}

void bad_lambda_capture(fa_alloc *fa) {
  fa_begin_frame(fa);
  auto *texels = static_cast<unsigned char *>(fa_frame_alloc(fa, 4096, 16));
  upload_detached(texels);
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: frame memory 'texels' passed to 'upload_detached' is handed to another thread (through 'thread') [framealloc-thread-crossing]
  fa_end_frame(fa);
}

void bad_long_lived_member(TextureCache &cache, fa_alloc *fa) {
  fa_begin_frame(fa);
  auto *texels = static_cast<unsigned char *>(fa_frame_alloc(fa, 4096, 16));
  cache.defer(texels);
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: frame memory 'texels' passed to 'defer' outlives its frame: 'defer' stores it in long-lived 'this->pending' [framealloc-frame-escape]
  fa_end_frame(fa);
}

void ok_same_thread(TextureCache &cache, fa_alloc *fa) {
  fa_begin_frame(fa);
  auto *texels = static_cast<unsigned char *>(fa_frame_alloc(fa, 4096, 16));
  cache.upload_now(texels);
  upload_texels(texels);
  fa_end_frame(fa);
}
