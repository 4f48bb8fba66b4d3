// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t -- -- -std=c++17
//
// References to the elements of a long-lived container: a range-for's
// `Particle &p : particles_` and `Body &b = bodies_[i]` name the elements,
// so frame memory stored through them is in the member container, and a loop
// that clears the field in every element (by range-for or by index) clears
// it.

#include <framealloc.h>
#include <cstddef>
#include <vector>

struct Particle {
  float x, y;
  float *scratch;
  int n;
};

void consume(const float *p);

class ParticleSystem {
public:
  void ok_range_store_range_clear(fa_alloc *fa);
  void ok_index_store_index_clear(fa_alloc *fa);
  void ok_ref_store_range_clear(fa_alloc *fa);
  void bad_range_store_kept(fa_alloc *fa);
  void bad_ref_store_kept(fa_alloc *fa);
  void bad_read_after_end(fa_alloc *fa);

private:
  std::vector<Particle> particles_;
  Particle pinned_[4];
};

void ParticleSystem::ok_range_store_range_clear(fa_alloc *fa) {
  fa_begin_frame(fa);
  for (Particle &p : particles_) {
    p.scratch = static_cast<float *>(fa_frame_alloc(fa, 64, 16));
    p.n = 16;
  }
  for (Particle &p : particles_)
    consume(p.scratch);
  for (auto &p : particles_)
    p.scratch = nullptr;
  fa_end_frame(fa);
}

void ParticleSystem::ok_index_store_index_clear(fa_alloc *fa) {
  fa_begin_frame(fa);
  for (std::size_t i = 0; i < particles_.size(); ++i)
    particles_[i].scratch = static_cast<float *>(fa_frame_alloc(fa, 64, 16));
  for (std::size_t i = 0; i < particles_.size(); ++i)
    particles_[i].scratch = nullptr;
  fa_end_frame(fa);
}

void ParticleSystem::ok_ref_store_range_clear(fa_alloc *fa) {
  fa_begin_frame(fa);
  for (std::size_t i = 0; i < 4; ++i) {
    Particle &p = pinned_[i];
    p.scratch = static_cast<float *>(fa_frame_alloc(fa, 64, 16));
  }
  for (Particle &p : pinned_)
    p.scratch = nullptr;
  fa_end_frame(fa);
}

void ParticleSystem::bad_range_store_kept(fa_alloc *fa) {
  fa_begin_frame(fa);
  for (Particle &p : particles_)
    p.scratch = static_cast<float *>(fa_frame_alloc(fa, 64, 16));
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame memory stored in 'this->particles_.scratch' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void ParticleSystem::bad_ref_store_kept(fa_alloc *fa) {
  fa_begin_frame(fa);
  Particle &first = particles_[0];
  first.scratch = static_cast<float *>(fa_frame_alloc(fa, 64, 16));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'this->particles_.scratch' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void ParticleSystem::bad_read_after_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  for (Particle &p : particles_)
    p.scratch = static_cast<float *>(fa_frame_alloc(fa, 64, 16));
  fa_end_frame(fa);
  for (const Particle &p : particles_)
    consume(p.scratch);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'p.scratch' passed to 'consume' after its frame ended [framealloc-use-after-frame]
  for (Particle &p : particles_)
    p.scratch = nullptr;
}
