/* The smallest CPU-bound loop: measures raw dispatch (inc, dec, jnz). */
void _start(void) {
  unsigned n = 30000000, a = 0;
  __asm__ volatile("1: inc %0\n dec %1\n jnz 1b" : "+r"(a), "+r"(n));
  __asm__ volatile("int $0x80" : : "a"(1), "b"(a & 0xff));
  for (;;) {}
}
