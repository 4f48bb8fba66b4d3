/* Function bodies in a (non-system) header: analyzed only with AnalyzeHeaders. */
#ifndef SCENE_H
#define SCENE_H
#include "engine.h"

static inline int *scene_scratch(arena *a) { return arena_alloc(a, 16); }

#endif
