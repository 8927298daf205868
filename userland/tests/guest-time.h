/* Shared by the timer test programs: sleeping and a realtime deadline, in milliseconds. */
#ifndef KMOS_TESTS_GUEST_TIME_H
#define KMOS_TESTS_GUEST_TIME_H
#include <errno.h>
#include <time.h>

/* Sleeps `ms` milliseconds, through interrupting signals. */
static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

/* CLOCK_REALTIME `ms` milliseconds from now. */
static struct timespec realtime_after_ms(long ms) {
  struct timespec at;
  clock_gettime(CLOCK_REALTIME, &at);
  at.tv_sec += ms / 1000;
  at.tv_nsec += (ms % 1000) * 1000000L;
  if (at.tv_nsec >= 1000000000) {
    at.tv_sec++;
    at.tv_nsec -= 1000000000;
  }
  return at;
}
#endif
