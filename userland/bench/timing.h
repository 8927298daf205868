/* Shared by the syscall benchmarks: a monotonic clock in nanoseconds (under `kmos run --realtime` the guest's
 * monotonic clock is the host's, so the same binary measures the same thing natively and on kmOS). */
#include <stdio.h>
#include <time.h>

static inline long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* One result line the bench tool parses: `name value unit`. */
static inline void report(const char *name, double value, const char *unit) { printf("%s %.3f %s\n", name, value, unit); }
