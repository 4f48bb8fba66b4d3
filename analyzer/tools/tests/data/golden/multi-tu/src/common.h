/* 😀 emoji: 4 UTF-8 bytes, 2 UTF-16 units */
static inline int pick(int a) {
	return a ? 7 : /* é */ 7;
}
