// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s framealloc-use-after-frame %t -- -- -std=c++20
//
// A range-for reads the range's elements through its implicit begin() and
// iterator dereference. After the end, each element of a container or array
// that points into the frame dangles in the loop variable, and iterating a
// view (std::span, fa::span, std::string_view) over frame memory reads the
// memory itself. Before the end, or over containers of values, it is quiet.

#include <framealloc.hpp>
#include <span>
#include <string_view>
#include <vector>

struct Particle {
  float pos[3];
  float life;
};

void draw(float life);
void draw_all(const Particle *p);

void bad_vector_of_pointers(fa_alloc *fa) {
  std::vector<Particle *> live;
  fa_begin_frame(fa);
  live.push_back(FA_FRAME_NEW(fa, Particle));
  fa_end_frame(fa);
  for (Particle *p : live)
    draw(p->life);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'p' used after its frame ended [framealloc-use-after-frame]
}

void bad_array_of_pointers(fa_alloc *fa) {
  Particle *slots[4];
  fa_begin_frame(fa);
  for (int i = 0; i < 4; ++i)
    slots[i] = FA_FRAME_NEW(fa, Particle);
  fa_end_frame(fa);
  for (Particle *p : slots)
    draw_all(p);
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'p' passed to 'draw_all' after its frame ended [framealloc-use-after-frame]
}

void bad_reference_to_pointer(fa_alloc *fa) {
  std::vector<Particle *> live;
  fa_begin_frame(fa);
  live.push_back(FA_FRAME_NEW(fa, Particle));
  fa_end_frame(fa);
  for (Particle *const &p : live)
    draw(p->life);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'p' used after its frame ended [framealloc-use-after-frame]
}

float bad_std_span(fa_alloc *fa, int n) {
  fa_begin_frame(fa);
  Particle *frame = FA_FRAME_ARRAY(fa, Particle, 16);
  std::span<Particle> view(frame, 16);
  fa_end_frame(fa);
  float sum = 0;
  for (const Particle &p : view)
    // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: 'view' iterated after its frame ended [framealloc-use-after-frame]
    sum += p.life;
  return sum + n;
}

int bad_string_view(fa_alloc *fa) {
  fa_begin_frame(fa);
  char *text = FA_FRAME_ARRAY(fa, char, 8);
  text[0] = 'a';
  std::string_view name(text, 1);
  fa_end_frame(fa);
  int h = 0;
  for (char c : name)
    // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'name' iterated after its frame ended [framealloc-use-after-frame]
    h = h * 31 + c;
  return h;
}

/* --- Quiet ---------------------------------------------------------------- */

void ok_before_end(fa_alloc *fa) {
  std::vector<Particle *> live;
  fa_begin_frame(fa);
  live.push_back(FA_FRAME_NEW(fa, Particle));
  for (Particle *p : live)
    draw(p->life);
  std::span<Particle> view(FA_FRAME_ARRAY(fa, Particle, 4), 4);
  for (Particle &p : view)
    p.life = 0;
  fa_end_frame(fa);
}

/* Values copied out of the frame before the end. */
float ok_vector_of_values(fa_alloc *fa) {
  std::vector<Particle> kept;
  fa_begin_frame(fa);
  Particle *frame = FA_FRAME_ARRAY(fa, Particle, 4);
  kept.assign(frame, frame + 4);
  fa_end_frame(fa);
  float sum = 0;
  for (const Particle &p : kept)
    sum += p.life;
  return sum;
}

/* Pointers to heap memory, and a container cleared after the end. */
void ok_heap_and_cleared(fa_alloc *fa, Particle *heap) {
  std::vector<Particle *> live;
  live.push_back(heap);
  fa_begin_frame(fa);
  fa_end_frame(fa);
  for (Particle *p : live)
    draw(p->life);
  std::vector<Particle *> tmp;
  fa_begin_frame(fa);
  tmp.push_back(FA_FRAME_NEW(fa, Particle));
  fa_end_frame(fa);
  tmp = std::vector<Particle *>();
  for (Particle *p : tmp)
    draw(p->life);
}

/* A loop variable reassigned in the body is not the element any more. */
void ok_loop_var_reassigned(fa_alloc *fa, Particle *fallback) {
  std::vector<Particle *> live;
  fa_begin_frame(fa);
  live.push_back(FA_FRAME_NEW(fa, Particle));
  fa_end_frame(fa);
  for (Particle *p : live) {
    p = fallback;
    draw(p->life);
  }
}
