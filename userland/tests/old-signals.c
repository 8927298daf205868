/*
 * The signal calls from before real-time signals, as old binaries make them (through syscall(2) here):
 * signal installs a one-shot handler that does not block its own signal and returns the old one;
 * sigaction with the old struct (a 32-bit mask) sets and reads back a handler; sigprocmask with a 32-bit
 * set blocks and unblocks and keeps the real-time signals' mask alone; sigpending shows a blocked pending
 * signal; sigsuspend waits with a temporary mask; sgetmask and ssetmask read and set the mask.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

struct old_sigaction {
  void (*handler)(int);
  unsigned long mask;
  unsigned long flags;
  void (*restorer)(void);
};

static volatile int caught;
static volatile int blocked_inside;
static void on_signal(int signo) {
  caught++;
  sigset_t now;
  sigprocmask(SIG_BLOCK, NULL, &now);
  blocked_inside = sigismember(&now, signo);
}

int main(void) {
  long old = syscall(SYS_signal, SIGUSR1, on_signal);
  printf("signal returns the old handler: %s\n", yes(old == (long)SIG_DFL));
  kill(getpid(), SIGUSR1);
  printf("its handler runs unblocked: %s\n", yes(caught == 1 && blocked_inside == 0));
  struct sigaction now;
  sigaction(SIGUSR1, NULL, &now);
  printf("and was reset to SIG_DFL: %s\n", yes(now.sa_handler == SIG_DFL));

  struct old_sigaction act = {on_signal, 1UL << (SIGUSR2 - 1), 0, NULL}, got;
  memset(&got, 0, sizeof got);
  printf("old sigaction sets a handler: %s\n", yes(syscall(SYS_sigaction, SIGUSR1, &act, NULL) == 0));
  syscall(SYS_sigaction, SIGUSR1, NULL, &got);
  printf("and reads it back: %s\n", yes(got.handler == on_signal && got.mask == act.mask));
  printf("SIGKILL is EINVAL: %s\n", yes(syscall(SYS_sigaction, SIGKILL, &act, NULL) < 0 && errno == EINVAL));

  // A real-time signal blocked through the new call stays blocked through the old ones.
  sigset_t rt;
  sigemptyset(&rt);
  sigaddset(&rt, SIGRTMIN + 2);
  sigprocmask(SIG_BLOCK, &rt, NULL);
  unsigned long set = 1UL << (SIGUSR1 - 1), oldset = 0;
  printf("old sigprocmask blocks: %s\n", yes(syscall(SYS_sigprocmask, SIG_BLOCK, &set, &oldset) == 0));
  kill(getpid(), SIGUSR1);
  unsigned long pending = 0;
  syscall(SYS_sigpending, &pending);
  printf("sigpending shows it: %s\n", yes(pending == (1UL << (SIGUSR1 - 1))));
  printf("sgetmask agrees: %s\n", yes((unsigned long)syscall(SYS_sgetmask) == set));
  unsigned long none = 0;
  syscall(SYS_sigprocmask, SIG_SETMASK, &none, NULL);
  printf("unblocking delivers it: %s\n", yes(caught == 2));
  sigset_t full;
  sigprocmask(SIG_BLOCK, NULL, &full);
  printf("the real-time mask is untouched: %s\n", yes(sigismember(&full, SIGRTMIN + 2)));

  long before = syscall(SYS_ssetmask, set);
  printf("ssetmask returns the old mask: %s\n", yes(before == 0 && (unsigned long)syscall(SYS_sgetmask) == set));
  syscall(SYS_ssetmask, 0);

  // sigsuspend: wait with SIGUSR1 unblocked while it is blocked outside.
  syscall(SYS_sigprocmask, SIG_BLOCK, &set, NULL);
  pid_t child = fork();
  if (child == 0) {
    kill(getppid(), SIGUSR1);
    _exit(0);
  }
  long r = syscall(SYS_sigsuspend, 0, 0, 0UL);
  printf("sigsuspend returns EINTR after the handler: %s\n", yes(r < 0 && errno == EINTR && caught == 3));
  printf("and the mask is back: %s\n", yes((unsigned long)syscall(SYS_sgetmask) == set));
  return 0;
}
