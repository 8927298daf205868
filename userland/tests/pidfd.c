/*
 * pidfd: processes as descriptors. pidfd_open of a child gives a close-on-exec anon_inode:[pidfd]; it polls
 * not readable while the child runs and readable once it has exited; pidfd_send_signal delivers a signal
 * (SI_USER from this pid) or a queued one with a value; waitid(P_PIDFD) reaps the child with its status, and
 * with a non-blocking pidfd says EAGAIN while it runs; pidfd_getfd takes a copy of a child's descriptor;
 * ESRCH for no such process and a signal to an exited one, EINVAL for bad flags, EBADF for a descriptor that
 * is not a pidfd, and reading a pidfd is EINVAL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "queued-signal.h"
#include "read-file.h"

#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif

static const char *yes(int ok) { return ok ? "yes" : "no"; }
static int pidfd_open(pid_t pid, unsigned flags) { return (int)syscall(SYS_pidfd_open, pid, flags); }
static int send_signal(int fd, int signo, siginfo_t *info) {
  return (int)syscall(SYS_pidfd_send_signal, fd, signo, info, 0);
}

static volatile siginfo_t got;
static volatile int caught;
static void on_signal(int signo, siginfo_t *info, void *context) {
  (void)context;
  if (signo == SIGUSR2) got = *info;  // the queued one (handlers of signals pending together nest)
  caught++;
}

int main(void) {
  int ready[2];
  pipe(ready);
  pid_t child = fork();
  if (child == 0) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    int kept = open("/proc/self/status", O_RDONLY);
    write(ready[1], &kept, sizeof kept);
    while (caught < 2) pause();
    // Exit 40 + what the two signals carried agreed on.
    int ok = got.si_code == SI_QUEUE && got.si_value.sival_int == 5;
    _exit(40 + ok);
  }
  int kept = -1;
  read(ready[0], &kept, sizeof kept);
  int fd = pidfd_open(child, 0);
  printf("pidfd_open: close-on-exec anon_inode:[pidfd]: %s\n",
         yes(fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC && fd_link_is(fd, "anon_inode:[pidfd]")));
  struct pollfd p = {fd, POLLIN, 0};
  printf("not readable while it runs: %s\n", yes(poll(&p, 1, 0) == 0));
  int nonblocking = pidfd_open(child, PIDFD_NONBLOCK);
  siginfo_t info;
  errno = 0;
  printf("waitid on a non-blocking pidfd while it runs is EAGAIN: %s\n",
         yes(waitid(P_PIDFD, nonblocking, &info, WEXITED) == -1 && errno == EAGAIN));
  int copy = (int)syscall(SYS_pidfd_getfd, fd, kept, 0);
  char head[5] = {0};
  printf("pidfd_getfd copies the child's descriptor: %s\n",
         yes(copy >= 0 && pread(copy, head, 4, 0) == 4 && strcmp(head, "Name") == 0));
  char byte;
  errno = 0;
  printf("reading a pidfd is EINVAL: %s\n", yes(read(fd, &byte, 1) == -1 && errno == EINVAL));

  printf("pidfd_send_signal: %s", yes(send_signal(fd, SIGUSR1, NULL) == 0));
  info = queued_siginfo(SIGUSR2, 5);
  printf(", with a queued value: %s\n", yes(send_signal(fd, SIGUSR2, &info) == 0));
  p.revents = 0;
  printf("readable once it has exited: %s\n", yes(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN)));
  memset(&info, 0, sizeof info);
  printf("waitid(P_PIDFD) reaps it with its status: %s\n",
         yes(waitid(P_PIDFD, fd, &info, WEXITED) == 0 && info.si_pid == child && info.si_code == CLD_EXITED &&
             info.si_status == 41));
  errno = 0;
  printf("a signal to it now is ESRCH: %s\n", yes(send_signal(fd, SIGUSR1, NULL) == -1 && errno == ESRCH));

  errno = 0;
  printf("no such process is ESRCH: %s\n", yes(pidfd_open(999999, 0) == -1 && errno == ESRCH));
  errno = 0;
  printf("bad flags are EINVAL: %s\n", yes(pidfd_open(getpid(), 0x1) == -1 && errno == EINVAL));
  errno = 0;
  printf("a pipe is not a pidfd (EBADF): %s\n", yes(send_signal(ready[0], SIGUSR1, NULL) == -1 && errno == EBADF));
  return 0;
}
