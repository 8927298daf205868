/* setjmp-clock: setjmp/longjmp across frames keep callee-saved values; clocks never go backwards and a sleep
 * lasts at least as long as asked (times are printed as facts, not numbers, so runs compare exactly). */
#include <setjmp.h>
#include <stdio.h>
#include <time.h>
#include <sys/time.h>

/* dive() ends only by longjmp, which gcc counts as endless recursion. */
#pragma GCC diagnostic ignored "-Winfinite-recursion"

static jmp_buf env;
static int depth_reached;

static void dive(int depth) {
  depth_reached = depth;
  if (depth < 50) dive(depth + 1);
  else longjmp(env, depth);
}

static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void) {
  volatile int kept = 1234;
  int r = setjmp(env);
  if (r == 0) dive(0);
  printf("longjmp returned %d from depth %d, kept %d\n", r, depth_reached, kept);

  struct timespec a, b, c;
  clock_gettime(CLOCK_MONOTONIC, &a);
  struct timespec req = {0, 50 * 1000 * 1000};
  nanosleep(&req, NULL);
  clock_gettime(CLOCK_MONOTONIC, &b);
  clock_gettime(CLOCK_MONOTONIC, &c);
  printf("monotonic never decreases: %d\n", ns(b) >= ns(a) && ns(c) >= ns(b));
  printf("slept at least 50 ms: %d\n", ns(b) - ns(a) >= 50000000LL);
  struct timespec real;
  clock_gettime(CLOCK_REALTIME, &real);
  struct timeval tv;
  gettimeofday(&tv, NULL);
  printf("realtime after 2020: %d, gettimeofday agrees within a minute: %d\n", real.tv_sec > 1577836800,
         tv.tv_sec - real.tv_sec < 60 && real.tv_sec - tv.tv_sec < 60);
  struct timespec cpu;
  printf("process cputime readable: %d\n", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0);
  return 0;
}
