int f(int x) { return x ? 1 : 1; }
int größe(int *p) { if (p) return 1; return 0; }
void g(void) { char s[] = "a\tb'c\"d\\"; int y = sizeof(s) / sizeof(char*); (void)y; }
int h(int *p) {
  if (p) return *p;
  return 0;
}
