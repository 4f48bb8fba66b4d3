// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s 'framealloc-frame-escape,framealloc-use-after-frame' %t -- -- -std=c++17
//
// Objects that hold frame memory only while the frame is open: a
// std::optional of a pointer or of a struct holding one, local to the frame
// (its value is stored inside it: reading the pointer after the end is no
// use, dereferencing it is);
// a reference bound to an element of a frame-backed container; a pmr
// container over fa::frame_resource. A map's emplace builds the key and the
// mapped value separately: a std::string key is an owning copy of frame
// characters, a mapped pointer keeps what it is given.

#include <framealloc.h>
#include <framealloc.hpp>
#include <memory_resource>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

struct Texture {
  int id;
};

struct Mesh {
  float *verts;
  int count;
};

static std::unordered_map<std::string, Texture *> g_textures;
static std::unordered_map<std::string, int> g_ids;
static Texture g_default_texture;
static float *g_kept;

/* --- Quiet ---------------------------------------------------------------- */

void ok_optional_pointer(fa_alloc *fa) {
  fa_begin_frame(fa);
  std::optional<float *> o = static_cast<float *>(fa_frame_alloc(fa, 64, 16));
  if (o)
    (*o)[0] = 1;
  fa_end_frame(fa);
}

void ok_optional_struct(fa_alloc *fa) {
  fa::FrameScope scope(fa);
  std::optional<Mesh> m;
  m = Mesh{static_cast<float *>(fa_frame_alloc(fa, 64, 16)), 16};
  m->verts[0] = 1;
  m.emplace(Mesh{static_cast<float *>(fa_frame_alloc(fa, 64, 16)), 16});
  if (m.has_value())
    m.value().verts[1] = 2;
}

void ok_optional_reset_after_end(fa_alloc *fa) {
  std::optional<Mesh> m;
  fa_begin_frame(fa);
  m = Mesh{static_cast<float *>(fa_frame_alloc(fa, 64, 16)), 16};
  m->verts[0] = 1;
  fa_end_frame(fa);
  m.reset();
}

void ok_optional_compared_after_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  std::optional<float *> o = static_cast<float *>(fa_frame_alloc(fa, 64, 16));
  std::optional<Mesh> m =
      Mesh{static_cast<float *>(fa_frame_alloc(fa, 64, 16)), 16};
  fa_end_frame(fa);
  if (o && *o != nullptr && m && m->count > 0 && m->verts != nullptr)
    g_kept = nullptr;
}

void ok_owning_key_long_lived_value(fa_alloc *fa, const char *name) {
  fa_begin_frame(fa);
  char *tmp = fa_frame_strdup(fa, name);
  g_textures.emplace(std::string(tmp), &g_default_texture);
  g_textures.emplace(tmp, &g_default_texture);
  g_textures.try_emplace(tmp, &g_default_texture);
  g_textures.insert_or_assign(std::string(tmp), &g_default_texture);
  g_ids.emplace(tmp, 3);
  fa_end_frame(fa);
}

void ok_reference_to_element(fa_alloc *fa) {
  fa_begin_frame(fa);
  std::vector<float, fa::frame_allocator<float>> v{
      fa::frame_allocator<float>(fa)};
  v.resize(16);
  float &first = v[0];
  first = 2;
  float &last = v.back();
  last += first;
  fa_end_frame(fa);
}

void ok_pmr_local(fa_alloc *fa) {
  fa_begin_frame(fa);
  fa::frame_resource res(fa);
  std::pmr::vector<float> v(&res);
  v.push_back(1);
  v[0] += 1;
  float *p = v.data();
  p[0] = 2;
  fa_end_frame(fa);
}

// A pmr container over the default resource holds heap memory.
void ok_pmr_default_resource(fa_alloc *fa) {
  fa_begin_frame(fa);
  std::pmr::vector<float> v;
  v.push_back(1);
  g_kept = v.data();
  fa_end_frame(fa);
  g_kept = nullptr;
}

/* --- Reported ------------------------------------------------------------- */

void bad_frame_value_in_map(fa_alloc *fa, const char *name) {
  fa_begin_frame(fa);
  Texture *t = static_cast<Texture *>(fa_frame_alloc(fa, sizeof(Texture), 8));
  g_textures.emplace(std::string(name), t);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_textures' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void bad_frame_value_try_emplace(fa_alloc *fa, const char *name) {
  fa_begin_frame(fa);
  Texture *t = static_cast<Texture *>(fa_frame_alloc(fa, sizeof(Texture), 8));
  g_textures.try_emplace(name, t);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_textures' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

// The key is copied from the frame characters after the end.
void bad_key_after_end(fa_alloc *fa, const char *name) {
  fa_begin_frame(fa);
  char *tmp = fa_frame_strdup(fa, name);
  fa_end_frame(fa);
  g_textures.emplace(tmp, &g_default_texture);
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: 'tmp' passed to 'emplace' after its frame ended [framealloc-use-after-frame]
}

void bad_pmr_data_kept(fa_alloc *fa) {
  fa_begin_frame(fa);
  fa::frame_resource res(fa);
  std::pmr::vector<float> v(&res);
  v.push_back(1);
  g_kept = v.data();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_kept' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void bad_optional_dereferenced_after_end(fa_alloc *fa) {
  fa_begin_frame(fa);
  std::optional<Mesh> m =
      Mesh{static_cast<float *>(fa_frame_alloc(fa, 64, 16)), 16};
  std::optional<float *> o = static_cast<float *>(fa_frame_alloc(fa, 64, 16));
  fa_end_frame(fa);
  m->verts[0] = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'm->verts' used after its frame ended [framealloc-use-after-frame]
  o.value()[0] = 2;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'o.value()' used after its frame ended [framealloc-use-after-frame]
}

void bad_optional_value_kept(fa_alloc *fa) {
  fa_begin_frame(fa);
  std::optional<float *> o = static_cast<float *>(fa_frame_alloc(fa, 64, 16));
  g_kept = *o;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_kept' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

static std::optional<Mesh> g_last_mesh;

void bad_optional_global(fa_alloc *fa) {
  fa_begin_frame(fa);
  g_last_mesh = Mesh{static_cast<float *>(fa_frame_alloc(fa, 64, 16)), 16};
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_last_mesh' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}
