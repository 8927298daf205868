/*
 * rt-queue: real-time signals queue, standard ones do not. With both blocked, three sigqueue()s of SIGRTMIN+1
 * (values 1, 2, 3), one of SIGRTMIN+2 and two of SIGUSR1: sigwaitinfo takes SIGUSR1 once (lowest number
 * first), then SIGRTMIN+1 three times in the order sent, then SIGRTMIN+2, and nothing is left pending. A
 * handler sees each queued instance too, and tgkill'ed instances to a thread queue as well.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static volatile int values[8];
static volatile int handled;
static void on_signal(int signo, siginfo_t *info, void *context) {
  (void)signo;
  (void)context;
  if (handled < 8) values[handled] = info->si_value.sival_int;
  handled++;
}

int main(void) {
  int rt1 = SIGRTMIN + 1;
  int rt2 = SIGRTMIN + 2;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, rt1);
  sigaddset(&set, rt2);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);
  for (int v = 1; v <= 3; v++) sigqueue(getpid(), rt1, (union sigval){.sival_int = v});
  sigqueue(getpid(), rt2, (union sigval){.sival_int = 9});
  kill(getpid(), SIGUSR1);
  kill(getpid(), SIGUSR1);

  siginfo_t info;
  int order[6], value[6], n = 0;
  struct timespec none = {0, 0};
  while (n < 6 && sigtimedwait(&set, &info, &none) > 0) {
    order[n] = info.si_signo;
    value[n] = info.si_value.sival_int;
    n++;
  }
  printf("five instances taken: %s\n", yes(n == 5));
  printf("SIGUSR1 once, first: %s\n", yes(n > 0 && order[0] == SIGUSR1 && (n < 5 || order[4] != SIGUSR1)));
  printf("SIGRTMIN+1 three times, in the order sent: %s\n",
         yes(n >= 4 && order[1] == rt1 && order[2] == rt1 && order[3] == rt1 && value[1] == 1 && value[2] == 2 &&
             value[3] == 3));
  printf("then SIGRTMIN+2: %s\n", yes(n == 5 && order[4] == rt2 && value[4] == 9));
  sigset_t pending;
  sigpending(&pending);
  printf("nothing left pending: %s\n", yes(!sigismember(&pending, rt1) && !sigismember(&pending, rt2)));

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO;
  sigaction(rt1, &sa, NULL);
  for (int v = 4; v <= 6; v++) sigqueue(getpid(), rt1, (union sigval){.sival_int = v});
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  printf("a handler sees each queued instance in order: %s\n",
         yes(handled == 3 && values[0] == 4 && values[1] == 5 && values[2] == 6));
  sigprocmask(SIG_BLOCK, &set, NULL);
  for (int i = 0; i < 2; i++) syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), rt2);
  int taken = 0;
  while (sigtimedwait(&set, &info, &none) == rt2) taken++;
  printf("instances tgkill'ed to the thread queue too: %s\n", yes(taken == 2));
  return 0;
}
