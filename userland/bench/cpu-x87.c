/* x87-bound numeric work for `pnpm bench cpu`: series in long double whose checksum depends on the 64-bit
 * significand (a double-only FPU gives a different answer). Prints the checksum bits. Sized like cpu-int
 * (about 200 M instructions): at a tenth of that, kmOS's start-up (boot and exec, ~0.1 s) was a third of its
 * time and capped the MIPS it could show. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  long double sum = 0.0L, term = 1.0L, x = 0.999999L;
  for (int i = 1; i <= 20000000; i++) {
    term *= x;
    sum += term / (long double)i;
    if ((i & 1023) == 0) sum = sum * 0.5L + 1.0L / 3.0L;
  }
  uint64_t bits;
  uint16_t exp;
  memcpy(&bits, &sum, 8);
  memcpy(&exp, (char *)&sum + 8, 2);
  printf("checksum %04x:%016llx\n", exp, (unsigned long long)bits);
  return 0;
}
