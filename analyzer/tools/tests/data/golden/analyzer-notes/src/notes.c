#include <stdlib.h>
#include <string.h>
int f(int *p) {
  int *q = malloc(4);
  if (p) return *q;  /* leak + garbage */
  free(q);
  free(q);
  return 0;
}
void g(const char *s) {
  char buf[10];
  strcpy(buf, s);
  int x = sizeof(buf) / sizeof(char*);
  (void)x;
}
int h(int a) { return a ? 1 : 1; }
