/*
 * posix-timers: timer_create and friends. A one-shot monotonic timer's signal carries SI_TIMER, the timer
 * id and sigev_value; an interval timer reads back its interval and a remainder within it, and while its
 * signal is blocked expirations count as overruns (si_overrun and timer_getoverrun agree); TIMER_ABSTIME on
 * CLOCK_REALTIME; SIGEV_NONE counts down without a signal; no sigevent means SIGALRM;
 * glibc's SIGEV_THREAD (a helper thread told by SIGEV_THREAD_ID) runs its function; bad clocks, notify kinds,
 * signals and ids are EINVAL; a fork child has no timers and exec deletes them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "guest-time.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static volatile sig_atomic_t caught;
static siginfo_t last;
/* The first timer signal after `overrun_in_handler` was set to -1, and timer_getoverrun asked in its handler. */
static siginfo_t first_timer_signal;
static volatile int overrun_in_handler = -1;

static void on_signal(int signo, siginfo_t *info, void *context) {
  (void)signo;
  (void)context;
  last = *info;
  if (info->si_code == SI_TIMER && overrun_in_handler < 0) {
    first_timer_signal = *info;
    overrun_in_handler = timer_getoverrun((timer_t)(long)info->si_timerid);
  }
  caught++;
}

static void catch_signal(int signo) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO;
  sigaction(signo, &sa, NULL);
}

/* Waits up to a second for `caught` to reach `count`. */
static int wait_caught(int count) {
  for (int i = 0; i < 1000 && caught < count; i++) sleep_ms(1);
  return caught >= count;
}

static void arm(timer_t id, long value_ms, long interval_ms, int flags) {
  struct itimerspec spec = {{interval_ms / 1000, (interval_ms % 1000) * 1000000L},
                            {value_ms / 1000, (value_ms % 1000) * 1000000L}};
  if (timer_settime(id, flags, &spec, NULL) != 0) printf("timer_settime failed: %s\n", strerror(errno));
}

static volatile int thread_calls;
static void thread_function(union sigval value) { thread_calls += value.sival_int; }

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "after-exec") == 0) {
    struct itimerspec spec;
    errno = 0;
    int gone = timer_gettime((timer_t)(long)atoi(argv[2]), &spec) == -1 && errno == EINVAL;
    printf("exec deleted the timer: %s\n", yes(gone));
    return 0;
  }
  catch_signal(SIGUSR1);
  catch_signal(SIGALRM);

  struct sigevent event;
  memset(&event, 0, sizeof event);
  event.sigev_notify = SIGEV_SIGNAL;
  event.sigev_signo = SIGUSR1;
  event.sigev_value.sival_int = 1234;
  timer_t one;
  printf("created: %s\n", yes(timer_create(CLOCK_MONOTONIC, &event, &one) == 0));
  arm(one, 10, 0, 0);
  int fired = wait_caught(1);
  printf("one-shot fired with SI_TIMER, its id and value: %s\n",
         yes(fired && last.si_code == SI_TIMER && last.si_timerid == (int)(long)one &&
             last.si_value.sival_int == 1234 && last.si_overrun == 0));
  struct itimerspec spec;
  printf("disarmed after it fired: %s\n",
         yes(timer_gettime(one, &spec) == 0 && spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0));

  // Blocked, the timer's signal stays pending while it expires about ten times more (not disarmed before the
  // signal is taken: Linux 6.13 and later drop a pending timer signal then).
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigprocmask(SIG_BLOCK, &usr1, NULL);
  arm(one, 20, 20, 0);
  timer_gettime(one, &spec);
  printf("interval reads back, remainder within it: %s\n",
         yes(spec.it_interval.tv_sec == 0 && spec.it_interval.tv_nsec == 20000000 && spec.it_value.tv_sec == 0 &&
             spec.it_value.tv_nsec > 0 && spec.it_value.tv_nsec <= 20000000));
  int before = caught;
  sleep_ms(210);
  overrun_in_handler = -1;
  sigprocmask(SIG_UNBLOCK, &usr1, NULL);
  wait_caught(before + 1);
  siginfo_t taken = first_timer_signal;
  int overrun = overrun_in_handler;
  arm(one, 0, 0, 0);
  printf("blocked expirations became overruns of one signal: %s\n",
         yes(taken.si_code == SI_TIMER && taken.si_overrun >= 3 && overrun == taken.si_overrun));

  struct timespec now = realtime_after_ms(20);
  timer_t absolute;
  timer_create(CLOCK_REALTIME, &event, &absolute);
  struct itimerspec at = {{0, 0}, now};
  before = caught;
  timer_settime(absolute, TIMER_ABSTIME, &at, NULL);
  printf("TIMER_ABSTIME on CLOCK_REALTIME fires: %s\n",
         yes(wait_caught(before + 1) && last.si_timerid == (int)(long)absolute));

  event.sigev_notify = SIGEV_NONE;
  timer_t silent;
  timer_create(CLOCK_MONOTONIC, &event, &silent);
  arm(silent, 1000, 0, 0);
  before = caught;
  sleep_ms(20);
  timer_gettime(silent, &spec);
  printf("SIGEV_NONE counts down without a signal: %s\n",
         yes(caught == before && spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec > 0 &&
             spec.it_value.tv_nsec <= 980000000));

  timer_t plain;
  printf("no sigevent: %s", yes(timer_create(CLOCK_MONOTONIC, NULL, &plain) == 0));
  arm(plain, 5, 0, 0);
  before = caught;
  printf(", SIGALRM: %s\n",
         yes(wait_caught(before + 1) && last.si_signo == SIGALRM && last.si_code == SI_TIMER &&
             last.si_timerid == (int)(long)plain));

  event.sigev_notify = SIGEV_THREAD;
  event.sigev_notify_function = thread_function;
  event.sigev_value.sival_int = 7;
  timer_t threaded;
  int made = timer_create(CLOCK_MONOTONIC, &event, &threaded) == 0;
  arm(threaded, 5, 0, 0);
  for (int i = 0; i < 1000 && thread_calls == 0; i++) sleep_ms(1);
  printf("SIGEV_THREAD runs its function: %s\n", yes(made && thread_calls == 7));

  timer_t bad;
  memset(&event, 0, sizeof event);
  event.sigev_notify = SIGEV_SIGNAL;
  event.sigev_signo = SIGUSR1;
  errno = 0;
  printf("clock 99 is EINVAL: %s\n", yes(timer_create(99, &event, &bad) == -1 && errno == EINVAL));
  event.sigev_notify = 99;
  errno = 0;
  printf("notify 99 is EINVAL: %s\n", yes(timer_create(CLOCK_MONOTONIC, &event, &bad) == -1 && errno == EINVAL));
  event.sigev_notify = SIGEV_SIGNAL;
  event.sigev_signo = 0;
  errno = 0;
  printf("signal 0 is EINVAL: %s\n", yes(timer_create(CLOCK_MONOTONIC, &event, &bad) == -1 && errno == EINVAL));

  pid_t child = fork();
  if (child == 0) {
    errno = 0;
    _exit(timer_gettime(one, &spec) == -1 && errno == EINVAL ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  printf("a fork child has no timers: %s\n", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));

  printf("deleted: %s", yes(timer_delete(silent) == 0));
  errno = 0;
  printf(", then EINVAL: %s\n", yes(timer_gettime(silent, &spec) == -1 && errno == EINVAL));
  fflush(stdout);
  char id[16];
  snprintf(id, sizeof id, "%d", (int)(long)one);
  execl("/proc/self/exe", argv[0], "after-exec", id, (char *)0);
  return 1;
}
