/*
 * timerfd: a timer as a file. Made close-on-exec and non-blocking as asked, named anon_inode:[timerfd]; read
 * is EAGAIN before it expires and gives the 64-bit count after (8 bytes; a shorter buffer is EINVAL); poll and
 * epoll see it readable; an interval timer counts each expiration, about ten in ten intervals; gettime and the
 * old value settime returns; TFD_TIMER_ABSTIME on CLOCK_REALTIME; a blocking read waits for the expiration;
 * disarming; bad clocks, flags and descriptors are EINVAL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include "read-file.h"
#include "guest-time.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static int set_ms(int fd, int flags, long value_ms, long interval_ms, struct itimerspec *old) {
  struct itimerspec spec = {{interval_ms / 1000, (interval_ms % 1000) * 1000000L},
                            {value_ms / 1000, (value_ms % 1000) * 1000000L}};
  return timerfd_settime(fd, flags, &spec, old);
}

int main(void) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  printf("created close-on-exec, non-blocking: %s\n",
         yes(fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC && (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0));
  printf("named anon_inode:[timerfd]: %s\n", yes(fd_link_is(fd, "anon_inode:[timerfd]")));
  uint64_t count = 0;
  errno = 0;
  printf("read before it expires is EAGAIN: %s\n", yes(read(fd, &count, 8) == -1 && errno == EAGAIN));

  set_ms(fd, 0, 10, 0, NULL);
  struct pollfd p = {fd, POLLIN, 0};
  printf("poll sees it expire: %s\n", yes(poll(&p, 1, 1000) == 1 && (p.revents & POLLIN)));
  printf("read gives one expiration: %s\n", yes(read(fd, &count, 8) == 8 && count == 1));
  errno = 0;
  printf("then EAGAIN again: %s\n", yes(read(fd, &count, 8) == -1 && errno == EAGAIN));

  set_ms(fd, 0, 5, 5, NULL);
  struct itimerspec spec;
  timerfd_gettime(fd, &spec);
  printf("gettime: the interval, a remainder within it: %s\n",
         yes(spec.it_interval.tv_sec == 0 && spec.it_interval.tv_nsec == 5000000 && spec.it_value.tv_sec == 0 &&
             spec.it_value.tv_nsec > 0 && spec.it_value.tv_nsec <= 5000000));
  sleep_ms(52);
  count = 0;
  int got = read(fd, &count, 8) == 8;
  printf("an interval timer counts each expiration (ten or more): %s\n", yes(got && count >= 10 && count <= 100));
  struct itimerspec old;
  printf("settime returns the old setting: %s\n",
         yes(set_ms(fd, 0, 0, 0, &old) == 0 && old.it_interval.tv_nsec == 5000000 && old.it_value.tv_sec == 0 &&
             old.it_value.tv_nsec > 0));
  timerfd_gettime(fd, &spec);
  printf("disarmed reads as zero: %s\n",
         yes(spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0 && spec.it_interval.tv_nsec == 0));
  errno = 0;
  printf("a 4-byte read is EINVAL: %s\n", yes(read(fd, &count, 4) == -1 && errno == EINVAL));

  int real = timerfd_create(CLOCK_REALTIME, 0);
  struct timespec now = realtime_after_ms(20);
  struct itimerspec at = {{0, 0}, now};
  int armed = timerfd_settime(real, TFD_TIMER_ABSTIME, &at, NULL) == 0;
  int epoll = epoll_create1(0);
  struct epoll_event event = {EPOLLIN, {.u64 = 42}};
  epoll_ctl(epoll, EPOLL_CTL_ADD, real, &event);
  struct epoll_event ready;
  int woke = epoll_wait(epoll, &ready, 1, 1000) == 1 && ready.data.u64 == 42;
  printf("TFD_TIMER_ABSTIME on CLOCK_REALTIME wakes epoll: %s\n", yes(armed && woke));
  printf("a blocking read takes it: %s\n", yes(read(real, &count, 8) == 8 && count == 1));
  set_ms(real, 0, 20, 0, NULL);
  printf("a blocking read waits for the expiration: %s\n", yes(read(real, &count, 8) == 8 && count == 1));

  errno = 0;
  printf("clock 99 is EINVAL: %s\n", yes(timerfd_create(99, 0) == -1 && errno == EINVAL));
  errno = 0;
  printf("unknown create flags are EINVAL: %s\n", yes(timerfd_create(CLOCK_MONOTONIC, 0x10) == -1 && errno == EINVAL));
  errno = 0;
  printf("unknown settime flags are EINVAL: %s\n", yes(set_ms(fd, 0x100, 5, 0, NULL) == -1 && errno == EINVAL));
  int pipefd[2];
  pipe(pipefd);
  errno = 0;
  printf("settime on a pipe is EINVAL: %s\n", yes(set_ms(pipefd[0], 0, 5, 0, NULL) == -1 && errno == EINVAL));
  return 0;
}
