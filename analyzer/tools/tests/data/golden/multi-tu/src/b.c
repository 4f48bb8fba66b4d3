#include "common.h"
int fb(void) { return pick(1); }
