// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t
//
// A method of this file that clears a member of its object
// (`void forget() { text_ = nullptr; }`) clears that member of the object it
// is called on: a member object, an object reached through a reference or a
// pointer. Frame memory stored there (directly or through another method)
// and forgotten before the function returns does not escape; forgetting
// another object's member does not help.

#include <framealloc.h>
#include <stddef.h>

class Tooltip {
public:
  void set(const char *text) { text_ = text; }
  void forget() { text_ = nullptr; }
  void hide() { visible_ = false; }
  const char *text_ = nullptr;

private:
  bool visible_ = true;
};

struct Panel {
  Tooltip tip;
};

class Widget {
public:
  void ok_direct(fa_alloc *fa);
  void ok_through_set(fa_alloc *fa);
  void ok_forgotten_after_end(fa_alloc *fa);
  void bad_hidden_only(fa_alloc *fa);
  void bad_wrong_tip(fa_alloc *fa);

private:
  Tooltip hover_tip_;
  Tooltip status_tip_;
  Panel panel_;
};

void Widget::ok_direct(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *frame_chars = (char *)fa_frame_alloc(fa, 32, 1);
  hover_tip_.text_ = frame_chars;
  hover_tip_.forget();
  fa_end_frame(fa);
}

void Widget::ok_through_set(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *frame_chars = (char *)fa_frame_alloc(fa, 32, 1);
  hover_tip_.set(frame_chars);
  panel_.tip.set(frame_chars);
  panel_.tip.forget();
  hover_tip_.forget();
  fa_end_frame(fa);
}

void Widget::ok_forgotten_after_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *frame_chars = (char *)fa_frame_alloc(fa, 32, 1);
  this->hover_tip_.set(frame_chars);
  fa_end_frame(fa);
  this->hover_tip_.forget();
}

void ok_through_reference(fa_alloc *fa, Panel &p) {
  fa_begin_frame(fa);
  char *frame_chars = (char *)fa_frame_alloc(fa, 32, 1);
  p.tip.set(frame_chars);
  p.tip.forget();
  fa_end_frame(fa);
}

void ok_through_pointer(fa_alloc *fa, Tooltip *t, Panel *p) {
  fa_begin_frame(fa);
  char *frame_chars = (char *)fa_frame_alloc(fa, 32, 1);
  t->set(frame_chars);
  p->tip.text_ = frame_chars;
  fa_end_frame(fa);
  t->forget();
  p->tip.forget();
}

/* --- Still set ------------------------------------------------------------ */

void Widget::bad_hidden_only(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *frame_chars = (char *)fa_frame_alloc(fa, 32, 1);
  hover_tip_.set(frame_chars);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'this->hover_tip_.text_' outlives its frame [framealloc-frame-escape]
  hover_tip_.hide();
  fa_end_frame(fa);
}

void Widget::bad_wrong_tip(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *frame_chars = (char *)fa_frame_alloc(fa, 32, 1);
  hover_tip_.text_ = frame_chars;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'this->hover_tip_.text_' outlives its frame [framealloc-frame-escape]
  status_tip_.forget();
  fa_end_frame(fa);
}

void bad_other_panel(fa_alloc *fa, Panel &a, Panel &b) {
  fa_begin_frame(fa);
  char *frame_chars = (char *)fa_frame_alloc(fa, 32, 1);
  a.tip.set(frame_chars);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'a.tip.text_' outlives its frame [framealloc-frame-escape]
  b.tip.forget();
  fa_end_frame(fa);
}
