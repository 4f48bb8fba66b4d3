// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s 'framealloc-frame-escape,framealloc-use-after-frame' %t -- -- -std=c++17
//
// An object of an owning class (a non-trivial destructor: std::string,
// std::vector of values, a project's own string) built or assigned from frame
// memory copies the bytes: `name_ = tmp;`, `std::string s(tmp)`,
// `s.assign(tmp)` are no escape. A view (std::string_view, a raw pointer, a
// reference, a trivially destructible struct holding the pointer) keeps the
// address and escapes. Copying from frame memory after the end reads it.

#include <framealloc.h>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

std::string g_title;
std::string_view g_title_view;
const char *g_title_ptr;

struct NameView {
  const char *data;
  std::size_t size;
};

class Entity {
public:
  void ok_assign_member(fa_alloc *fa);
  void ok_construct_and_copy(fa_alloc *fa);
  void ok_assign_method(fa_alloc *fa);
  void ok_from_view(fa_alloc *fa);
  void bad_view_member(fa_alloc *fa);
  void bad_pointer_member(fa_alloc *fa);
  void bad_struct_view_member(fa_alloc *fa);
  void bad_copy_after_end(fa_alloc *fa);

private:
  std::string name_;
  std::string_view name_view_;
  const char *name_ptr_ = nullptr;
  NameView view_{};
  std::vector<int> ids_;
};

static char *frame_string(fa_alloc *fa, const char *s) FA_RETURNS_FRAME;
static char *frame_string(fa_alloc *fa, const char *s) {
  char *tmp = static_cast<char *>(fa_frame_alloc(fa, std::strlen(s) + 1, 1));
  std::strcpy(tmp, s);
  return tmp;
}

/* --- Quiet ---------------------------------------------------------------- */

void Entity::ok_assign_member(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *tmp = frame_string(fa, "player");
  name_ = tmp;
  g_title = tmp;
  fa_end_frame(fa);
}

void Entity::ok_construct_and_copy(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *tmp = frame_string(fa, "level-1");
  std::string s(tmp);
  std::string t = tmp;
  name_ = s;
  g_title = std::move(t);
  g_title = std::string(tmp, 3);
  fa_end_frame(fa);
}

void Entity::ok_assign_method(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *tmp = frame_string(fa, "hud");
  name_.assign(tmp);
  g_title.assign(tmp, 2);
  name_.append(tmp);
  int *ids = static_cast<int *>(fa_frame_alloc(fa, 4 * sizeof(int), 4));
  ids_.assign(ids, ids + 4);
  fa_end_frame(fa);
}

void Entity::ok_from_view(fa_alloc *fa) {
  fa_begin_frame(fa);
  std::string_view v(frame_string(fa, "enemy"), 5);
  name_ = std::string(v);
  name_ = v;
  g_title.assign(v);
  fa_end_frame(fa);
}

/* --- Reported ------------------------------------------------------------- */

void Entity::bad_view_member(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *tmp = frame_string(fa, "boss");
  name_view_ = tmp;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'this->name_view_' outlives its frame [framealloc-frame-escape]
  g_title_view = std::string_view(tmp, 2);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_title_view' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void Entity::bad_pointer_member(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *tmp = frame_string(fa, "npc");
  name_ptr_ = tmp;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'this->name_ptr_' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void Entity::bad_struct_view_member(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *tmp = frame_string(fa, "door");
  view_ = NameView{tmp, 4};
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'this->view_' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void Entity::bad_copy_after_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *tmp = frame_string(fa, "late");
  fa_end_frame(fa);
  name_ = tmp;
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'tmp' used after its frame ended [framealloc-use-after-frame]
}

std::string bad_construct_after_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *tmp = frame_string(fa, "late");
  fa_end_frame(fa);
  std::string s(tmp);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'tmp' used after its frame ended [framealloc-use-after-frame]
  return s;
}
