/* getppid round trip: the cheapest syscall, so the cost of entering and leaving the kernel. Rounds of 200,000
 * calls (timing.h): the steady figure and the first round's. */
#include <sys/syscall.h>
#include <unistd.h>
#include "timing.h"

#define CALLS 200000

static long sum;

static int round_of_calls(void) {
  for (int i = 0; i < CALLS; i++) sum ^= syscall(SYS_getppid);
  return 0;
}

int main(void) {
  struct rounds r;
  if (time_rounds(round_of_calls, &r) != 0) return 1;
  report_rounds("getppid", &r, CALLS, 1, "ns");
  return sum == -1; /* getppid never fails; folding the results keeps the calls from being optimised away */
}
