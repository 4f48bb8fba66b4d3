/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-thread-crossing %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-thread-crossing %t-cxx -- -- -x c++ -std=c++17
//
// A same-file helper that hands its parameter to another thread
// (pthread_create, an FA_CROSSES_THREAD parameter, a job table's function
// pointer): frame memory passed to it crosses at the call.

#include "engine.h"
#include <pthread.h>

typedef struct job_table {
  void (*push)(job_fn fn, void *arg FA_CROSSES_THREAD);
} job_table;

static void *stream_main(void *arg) {
  consume(arg);
  return NULL;
}

static pthread_t start_streaming(void *chunk) {
  pthread_t t;
  pthread_create(&t, NULL, stream_main, chunk);
  return t;
}

static void async_decode(void *packet) { job_submit(worker, packet); }

static void table_submit(job_table *jt, void *payload) {
  jt->push(worker, payload);
}

/* Two levels: the audio mixer queues through the decode helper. */
static void mix_later(void *voice) { async_decode(voice); }

void bad_pthread_helper(arena *a) {
  arena_begin(a);
  char *chunk = (char *)arena_alloc(a, 4096);
  pthread_join(start_streaming(chunk), NULL);
  // CHECK-NOTES: :[[@LINE-1]]:32: warning: frame memory 'chunk' passed to 'start_streaming' is handed to another thread (through 'pthread_create') [framealloc-thread-crossing]
  // CHECK-NOTES: :[[@LINE-3]]:25: note: frame memory allocated here
  // CHECK-NOTES: :23:41: note: 'start_streaming' hands 'chunk' to another thread here
  // CHECK-NOTES: :[[@LINE-4]]:32: note: frame memory belongs to the thread that allocated it; copy the data into a transfer handle to hand it over
  arena_end(a);
}

void bad_job_helper(arena *a) {
  arena_begin(a);
  void *packet = arena_alloc(a, 256);
  async_decode(packet);
  // CHECK-NOTES: :[[@LINE-1]]:16: warning: frame memory 'packet' passed to 'async_decode' is handed to another thread (through 'job_submit') [framealloc-thread-crossing]
  // CHECK-NOTES: :[[@LINE-3]]:18: note: frame memory allocated here
  // CHECK-NOTES: :27:61: note: 'async_decode' hands 'packet' to another thread here
  // CHECK-NOTES: :[[@LINE-4]]:16: note: frame memory belongs to the thread that allocated it
  arena_end(a);
}

void bad_table_helper(job_table *jt, arena *a) {
  arena_begin(a);
  void *payload = arena_alloc(a, 64);
  table_submit(jt, payload);
  // CHECK-NOTES: :[[@LINE-1]]:20: warning: frame memory 'payload' passed to 'table_submit' is handed to another thread (through 'jt->push') [framealloc-thread-crossing]
  // CHECK-NOTES: :[[@LINE-3]]:19: note: frame memory allocated here
  // CHECK-NOTES: :30:20: note: 'table_submit' hands 'payload' to another thread here
  // CHECK-NOTES: :[[@LINE-4]]:20: note: frame memory belongs to the thread that allocated it
  arena_end(a);
}

void bad_two_levels(arena *a) {
  arena_begin(a);
  void *voice = arena_alloc(a, 128);
  mix_later(voice);
  // CHECK-NOTES: :[[@LINE-1]]:13: warning: frame memory 'voice' passed to 'mix_later' is handed to another thread (through 'job_submit') [framealloc-thread-crossing]
  // CHECK-NOTES: :[[@LINE-3]]:17: note: frame memory allocated here
  // CHECK-NOTES: :34:51: note: 'mix_later' passes 'voice' to 'async_decode' here
  // CHECK-NOTES: :27:61: note: 'async_decode' hands 'packet' to another thread here
  // CHECK-NOTES: :[[@LINE-5]]:13: note: frame memory belongs to the thread that allocated it; copy the data into a transfer handle to hand it over
  arena_end(a);
}

/* --- No crossing ------------------------------------------------------------ */

/* Runs the work on the calling thread. */
static void decode_now(void *packet) { worker(packet); }

/* Copies the data into a transfer handle and sends the handle. */
static void send_copy(arena *a, const void *data, size_t n) {
  handle *h = handle_create(a, data, n);
  job_submit(worker, h);
}

/* Hands a heap copy, not the parameter, to the worker. */
static void decode_copy(const void *packet, size_t n) {
  job_submit(worker, heap_copy(packet, n));
}

void ok_helpers(arena *a) {
  arena_begin(a);
  void *packet = arena_alloc(a, 256);
  decode_now(packet);
  send_copy(a, packet, 256);
  decode_copy(packet, 256);
  arena_end(a);
}

void ok_heap_memory(void) {
  void *packet = heap_alloc(256);
  async_decode(packet);
}
