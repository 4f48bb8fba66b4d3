// SPDX-License-Identifier: MIT
#include "intent.h"
void fai_scratch_thread_release(fai_tstate *t, fai_intent *in) { (void)t; (void)in; }
void fai_group_destroy_all(fa_alloc *fa) { (void)fa; }
