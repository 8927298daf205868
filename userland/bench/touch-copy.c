/* 64 MiB touched page by page (demand-zero faults), then copied to another 64 MiB. */
#include <string.h>
#include <sys/mman.h>
#include "timing.h"

#define SIZE (64 * 1024 * 1024)

int main(void) {
  long long start = now_ns();
  char *a = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *b = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (a == MAP_FAILED || b == MAP_FAILED) return 1;
  for (long i = 0; i < SIZE; i += 4096) a[i] = (char)i;
  memcpy(b, a, SIZE);
  report("touch-copy-64m", (now_ns() - start) / 1e6, "ms");
  return b[4096 * 7] == (char)(4096 * 7) ? 0 : 1;
}
