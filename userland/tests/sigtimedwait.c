/* sigtimedwait: blocked signals wait pending until sigwaitinfo/sigtimedwait takes them, with their siginfo;
 * a timeout gives EAGAIN; a blocked SIGCHLD stays pending though its default action is to ignore it. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, NULL);

  kill(getpid(), SIGUSR2);
  kill(getpid(), SIGUSR1);
  siginfo_t info;
  int sig = sigwaitinfo(&set, &info);
  printf("first: %d (SIGUSR1 %d) code %d from self %d\n", sig, SIGUSR1, info.si_code, info.si_pid == getpid());
  sig = sigwaitinfo(&set, &info);
  printf("second: %d (SIGUSR2 %d)\n", sig, SIGUSR2);

  struct timespec short_wait = {0, 30 * 1000 * 1000};
  sig = sigtimedwait(&set, &info, &short_wait);
  printf("nothing pending: %d %s\n", sig, sig < 0 ? strerror(errno) : "");

  pid_t child = fork();
  if (child == 0) _exit(4);
  sig = sigwaitinfo(&set, &info);
  printf("child: %d (SIGCHLD %d) code %d status %d pid-matches %d\n", sig, SIGCHLD, info.si_code, info.si_status,
         info.si_pid == child);
  waitpid(child, NULL, 0);
  return 0;
}
