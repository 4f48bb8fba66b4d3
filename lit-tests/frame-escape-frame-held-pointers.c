/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-c -- -- -x c -std=c11
// RUN: %check_framealloc_tidy %s framealloc-frame-escape %t-cxx -- -- -x c++ -std=c++17
//
// A same-file FA_RETURNS_FRAME function that returns a record whose pointers
// lead to frame memory it filled with frame pointers (a tokenizer's argv,
// each argument a frame string): the caller's copy holds them too, so keeping
// an element in an object that outlives the frame, or returning it from a
// function not declared FA_RETURNS_FRAME, is an escape. An array of pointers
// to memory that is not the frame's is not.

#include <framealloc.h>
#include <stddef.h>
#include <string.h>

typedef struct tokens {
  char **argv;
  int argc;
} tokens;

typedef struct entity {
  int id;
} entity;

typedef struct picks {
  entity **items;
  int count;
} picks;

typedef struct shell {
  const char *last_command;
  entity *selected;
} shell;

static const char *g_last_word;
static entity g_entities[16];
void run_command(const char *word);

tokens tokenize(fa_alloc *fa, const char *line) FA_RETURNS_FRAME;
tokens tokenize(fa_alloc *fa, const char *line) {
  tokens t;
  t.argc = 0;
  t.argv = (char **)fa_frame_alloc(fa, 8 * sizeof(char *), 8);
  for (int i = 0; i < 8 && line[i]; ++i)
    t.argv[t.argc++] = fa_frame_strdup(fa, line + i);
  return t;
}

/* A frame array of pointers to long-lived entities. */
picks pick_entities(fa_alloc *fa, int n) FA_RETURNS_FRAME;
picks pick_entities(fa_alloc *fa, int n) {
  picks p;
  p.count = n < 16 ? n : 16;
  p.items = (entity **)fa_frame_alloc(fa, 16 * sizeof(entity *), 8);
  for (int i = 0; i < p.count; ++i)
    p.items[i] = &g_entities[i];
  return p;
}

void bad_keep_first_word(fa_alloc *fa, shell *sh, const char *line) {
  fa_begin_frame(fa);
  tokens t = tokenize(fa, line);
  if (t.argc > 0)
    sh->last_command = t.argv[0];
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: frame memory stored in 'sh->last_command' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

void bad_global_word(fa_alloc *fa, const char *line) {
  fa_begin_frame(fa);
  tokens t = tokenize(fa, line);
  g_last_word = t.argv[t.argc - 1];
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in global 'g_last_word' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

const char *bad_first_word(fa_alloc *fa, const char *line) {
  // CHECK-FIXES: const char *bad_first_word(fa_alloc *fa, const char *line) FA_RETURNS_FRAME {
  tokens t = tokenize(fa, line);
  return t.argv[0];
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame memory returned from 'bad_first_word', which is not declared FA_RETURNS_FRAME [framealloc-frame-escape]
}

/* --- No escape ------------------------------------------------------------ */

const char *ok_first_word(fa_alloc *fa, const char *line) FA_RETURNS_FRAME;
const char *ok_first_word(fa_alloc *fa, const char *line) {
  tokens t = tokenize(fa, line);
  return t.argv[0];
}

void ok_words_used_in_frame(fa_alloc *fa, const char *line) {
  fa_begin_frame(fa);
  tokens t = tokenize(fa, line);
  for (int i = 0; i < t.argc; ++i)
    run_command(t.argv[i]);
  fa_end_frame(fa);
}

void ok_word_copied(fa_alloc *fa, shell *sh, const char *line) {
  fa_begin_frame(fa);
  tokens t = tokenize(fa, line);
  sh->last_command = t.argc > 0 ? strdup(t.argv[0]) : NULL;
  fa_end_frame(fa);
}

void ok_kept_until_cleared(fa_alloc *fa, shell *sh, const char *line) {
  fa_begin_frame(fa);
  tokens t = tokenize(fa, line);
  sh->last_command = t.argv[0];
  run_command(sh->last_command);
  sh->last_command = NULL;
  fa_end_frame(fa);
}

void ok_selected_entity(fa_alloc *fa, shell *sh, int n) {
  fa_begin_frame(fa);
  picks p = pick_entities(fa, n);
  if (p.count > 0)
    sh->selected = p.items[0];
  fa_end_frame(fa);
}
