/* 64 MiB touched page by page (demand-zero faults), then copied to another 64 MiB. Rounds (timing.h), each
 * mapping, touching, copying and unmapping both: the steady figure and the first round's. */
#include <string.h>
#include <sys/mman.h>
#include "timing.h"

#define SIZE (64 * 1024 * 1024)

static int round_of_touch_copy(void) {
  char *a = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *b = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (a == MAP_FAILED || b == MAP_FAILED) return 1;
  for (long i = 0; i < SIZE; i += 4096) a[i] = (char)i;
  memcpy(b, a, SIZE);
  int wrong = b[4096 * 7] != (char)(4096 * 7);
  munmap(a, SIZE);
  munmap(b, SIZE);
  return wrong;
}

int main(void) {
  struct rounds r;
  if (time_rounds(round_of_touch_copy, &r) != 0) return 1;
  report_rounds("touch-copy-64m", &r, 1, 1e6, "ms");
  return 0;
}
