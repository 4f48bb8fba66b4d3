// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s 'framealloc-frame-escape,framealloc-use-after-frame' %t -- -- -std=c++17
//
// Inserting into a long-lived standard container is decided by the
// container's element type: an element that keeps an address (a pointer, a
// std::string_view, a struct holding a pointer) keeps the frame memory it is
// built from, and escapes; an owning element (std::string, a vector of
// values) or a plain value copies it, whether it is built in place
// (`emplace_back(tmp)`) or first (`push_back(std::string(view))`).

#include <framealloc.h>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

struct Span {
  float *data;
  int count;
};

struct Stats {
  int hits;
  float time;
};

class Registry {
public:
  void ok_string_elements(fa_alloc *fa);
  void ok_string_from_view(fa_alloc *fa);
  void ok_value_elements(fa_alloc *fa);
  void ok_map_of_strings(fa_alloc *fa);
  void bad_view_elements(fa_alloc *fa);
  void bad_pointer_elements(fa_alloc *fa);
  void bad_span_elements(fa_alloc *fa);
  void bad_string_after_end(fa_alloc *fa);

private:
  std::vector<std::string> names_;
  std::vector<std::string_view> views_;
  std::vector<const char *> ptrs_;
  std::vector<Span> spans_;
  std::vector<Stats> stats_;
  std::map<int, std::string> by_id_;
};

static char *frame_string(fa_alloc *fa, const char *s) FA_RETURNS_FRAME;
static char *frame_string(fa_alloc *fa, const char *s) {
  char *tmp = static_cast<char *>(fa_frame_alloc(fa, std::strlen(s) + 1, 1));
  std::strcpy(tmp, s);
  return tmp;
}

/* --- Quiet ---------------------------------------------------------------- */

void Registry::ok_string_elements(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *tmp = frame_string(fa, "mesh");
  names_.emplace_back(tmp);
  names_.push_back(tmp);
  names_.emplace_back(tmp, 2);
  names_.insert(names_.begin(), tmp);
  fa_end_frame(fa);
}

void Registry::ok_string_from_view(fa_alloc *fa) {
  fa_begin_frame(fa);
  std::string_view view(frame_string(fa, "texture"), 7);
  names_.push_back(std::string(view));
  names_.emplace_back(view);
  fa_end_frame(fa);
}

void Registry::ok_value_elements(fa_alloc *fa) {
  fa_begin_frame(fa);
  Stats *s = static_cast<Stats *>(fa_frame_alloc(fa, sizeof(Stats), 8));
  s->hits = 1;
  stats_.push_back(*s);
  stats_.emplace_back(*s);
  fa_end_frame(fa);
}

void Registry::ok_map_of_strings(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *tmp = frame_string(fa, "sound");
  by_id_.emplace(1, tmp);
  by_id_.insert_or_assign(2, tmp);
  by_id_[3] = tmp;
  fa_end_frame(fa);
}

/* --- Reported ------------------------------------------------------------- */

void Registry::bad_view_elements(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *tmp = frame_string(fa, "anim");
  views_.emplace_back(tmp);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'this->views_' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void Registry::bad_pointer_elements(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *tmp = frame_string(fa, "font");
  ptrs_.push_back(tmp);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'this->ptrs_' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void Registry::bad_span_elements(fa_alloc *fa) {
  fa_begin_frame(fa);
  float *v = static_cast<float *>(fa_frame_alloc(fa, 16 * sizeof(float), 16));
  spans_.push_back(Span{v, 16});
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'this->spans_' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

/* Copying into an owning element after the end reads the dead memory. */
void Registry::bad_string_after_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *tmp = frame_string(fa, "late");
  fa_end_frame(fa);
  names_.emplace_back(tmp);
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'tmp' passed to 'emplace_back' after its frame ended [framealloc-use-after-frame]
}
