#include "common.h"
int fa(int x) {
  int y;
  if (y = x) return pick(y);
  return 0;
}
