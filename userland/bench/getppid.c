/* getppid round trip: the cheapest syscall, so the cost of entering and leaving the kernel. */
#include <sys/syscall.h>
#include <unistd.h>
#include "timing.h"

int main(void) {
  const int n = 200000;
  long sum = 0;
  for (int i = 0; i < 1000; i++) sum ^= syscall(SYS_getppid);
  long long start = now_ns();
  for (int i = 0; i < n; i++) sum ^= syscall(SYS_getppid);
  long long end = now_ns();
  report("getppid", (double)(end - start) / n, "ns");
  return sum == -1; /* getppid never fails; folding the results keeps the calls from being optimised away */
}
