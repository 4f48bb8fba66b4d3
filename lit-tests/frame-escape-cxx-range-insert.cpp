// SPDX-License-Identifier: MIT
// RUN: %check_framealloc_tidy %s 'framealloc-frame-escape,framealloc-use-after-frame' %t -- -- -std=c++17
//
// A range insertion (`insert(end, first, last)`, `assign(first, last)`, the
// range constructor) copies the elements of a frame array into the
// container: the container keeps the values, not the array. Only what those
// values point to can escape: elements that are pointers into the frame
// (or structs holding such pointers) still do.

#include <framealloc.h>
#include <vector>

struct Contact {
  int a, b;
  float depth;
};

struct Hit {
  float *normal;
  float t;
};

std::vector<Contact> g_contacts;

class Physics {
public:
  void ok_insert_values(fa_alloc *fa, int n);
  void ok_assign_values(fa_alloc *fa, int n);
  void ok_construct_from_range(fa_alloc *fa, int n);
  void ok_pointer_elements_to_heap(fa_alloc *fa, float **heap, int n);
  void bad_pointer_elements(fa_alloc *fa, int n);
  void bad_struct_with_frame_pointer(fa_alloc *fa);
  void bad_read_after_end(fa_alloc *fa, int n);

private:
  std::vector<Contact> contacts_;
  std::vector<float *> normals_;
  std::vector<Hit> hits_;
};

/* --- Quiet ---------------------------------------------------------------- */

void Physics::ok_insert_values(fa_alloc *fa, int n) {
  fa_begin_frame(fa);
  Contact *tmp = static_cast<Contact *>(fa_frame_alloc(fa, n * sizeof(Contact), 8));
  contacts_.insert(contacts_.end(), tmp, tmp + n);
  g_contacts.insert(g_contacts.begin(), tmp, tmp + n);
  fa_end_frame(fa);
}

void Physics::ok_assign_values(fa_alloc *fa, int n) {
  fa_begin_frame(fa);
  Contact *tmp = static_cast<Contact *>(fa_frame_alloc(fa, n * sizeof(Contact), 8));
  contacts_.assign(tmp, tmp + n);
  fa_end_frame(fa);
}

void Physics::ok_construct_from_range(fa_alloc *fa, int n) {
  fa_begin_frame(fa);
  Contact *tmp = static_cast<Contact *>(fa_frame_alloc(fa, n * sizeof(Contact), 8));
  std::vector<Contact> copy(tmp, tmp + n);
  contacts_ = copy;
  g_contacts = std::vector<Contact>(tmp, tmp + n);
  fa_end_frame(fa);
}

/* A frame array of pointers to heap memory: the pointers are not frame
   memory. */
void Physics::ok_pointer_elements_to_heap(fa_alloc *fa, float **heap, int n) {
  fa_begin_frame(fa);
  float **tmp = static_cast<float **>(fa_frame_alloc(fa, n * sizeof(float *), 8));
  for (int i = 0; i < n; ++i)
    tmp[i] = heap[i];
  normals_.insert(normals_.end(), tmp, tmp + n);
  fa_end_frame(fa);
}

/* --- Reported ------------------------------------------------------------- */

void Physics::bad_pointer_elements(fa_alloc *fa, int n) {
  fa_begin_frame(fa);
  float **tmp = static_cast<float **>(fa_frame_alloc(fa, n * sizeof(float *), 8));
  for (int i = 0; i < n; ++i)
    tmp[i] = static_cast<float *>(fa_frame_alloc(fa, 3 * sizeof(float), 4));
  normals_.insert(normals_.end(), tmp, tmp + n);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'this->normals_' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void Physics::bad_struct_with_frame_pointer(fa_alloc *fa) {
  fa_begin_frame(fa);
  Hit *tmp = static_cast<Hit *>(fa_frame_alloc(fa, 4 * sizeof(Hit), 8));
  tmp->normal = static_cast<float *>(fa_frame_alloc(fa, 3 * sizeof(float), 4));
  hits_.assign(tmp, tmp + 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'this->hits_' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

/* Copying the values after the end reads the dead array. */
void Physics::bad_read_after_end(fa_alloc *fa, int n) {
  fa_begin_frame(fa);
  Contact *tmp = static_cast<Contact *>(fa_frame_alloc(fa, n * sizeof(Contact), 8));
  fa_end_frame(fa);
  contacts_.insert(contacts_.end(), tmp, tmp + n);
  // CHECK-MESSAGES: :[[@LINE-1]]:37: warning: 'tmp' passed to 'insert' after its frame ended [framealloc-use-after-frame]
}
