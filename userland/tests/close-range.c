/*
 * close-range: close_range closes a range of descriptors (those in it, none around it; ~0U as the end); with
 * CLOSE_RANGE_CLOEXEC it marks them close-on-exec instead; first > last and unknown flags are EINVAL;
 * CLOSE_RANGE_UNSHARE in a child that shares its parent's table (clone CLONE_FILES) closes the child's copy
 * only. sigqueue: a signal with a value (SI_QUEUE, pid, uid, value) to this process; a queued signal to a
 * thread (rt_tgsigqueueinfo); claiming SI_USER toward another process is EPERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "queued-signal.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static const char *yes(int ok) { return ok ? "yes" : "no"; }
static int is_open(int fd) { return fcntl(fd, F_GETFD) >= 0; }

static siginfo_t last;
static void on_signal(int signo, siginfo_t *info, void *context) {
  (void)signo;
  (void)context;
  last = *info;
}

static char stack[65536];
static int shared_fd;
static int child_closes(void *arg) {
  (void)arg;
  return syscall(SYS_close_range, shared_fd, shared_fd, CLOSE_RANGE_UNSHARE) == 0 && !is_open(shared_fd) ? 0 : 1;
}

int main(void) {
  int fds[6];
  for (int i = 0; i < 6; i++) fds[i] = open("/dev/null", O_RDONLY);
  printf("closes the range, not around it: %s\n",
         yes(syscall(SYS_close_range, fds[1], fds[3], 0) == 0 && is_open(fds[0]) && !is_open(fds[1]) &&
             !is_open(fds[2]) && !is_open(fds[3]) && is_open(fds[4])));
  printf("CLOSE_RANGE_CLOEXEC marks, to ~0U: %s\n",
         yes(syscall(SYS_close_range, fds[4], ~0U, CLOSE_RANGE_CLOEXEC) == 0 && fcntl(fds[4], F_GETFD) == FD_CLOEXEC &&
             fcntl(fds[5], F_GETFD) == FD_CLOEXEC && fcntl(fds[0], F_GETFD) == 0));
  errno = 0;
  printf("first > last is EINVAL: %s\n", yes(syscall(SYS_close_range, 5, 4, 0) == -1 && errno == EINVAL));
  errno = 0;
  printf("unknown flags are EINVAL: %s\n", yes(syscall(SYS_close_range, 5, 6, 1) == -1 && errno == EINVAL));

  shared_fd = fds[0];
  pid_t child = clone(child_closes, stack + sizeof stack, CLONE_FILES | SIGCHLD, NULL);
  int status = 0;
  waitpid(child, &status, 0);
  printf("CLOSE_RANGE_UNSHARE closes the child's copy only: %s\n",
         yes(WIFEXITED(status) && WEXITSTATUS(status) == 0 && is_open(fds[0])));

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, NULL);
  union sigval value = {.sival_int = 4242};
  printf("sigqueue carries SI_QUEUE, pid, uid and value: %s\n",
         yes(sigqueue(getpid(), SIGUSR1, value) == 0 && last.si_code == SI_QUEUE && last.si_pid == getpid() &&
             last.si_uid == getuid() && last.si_value.sival_int == 4242));
  siginfo_t info = queued_siginfo(SIGUSR1, 77);
  memset(&last, 0, sizeof last);
  printf("rt_tgsigqueueinfo to this thread: %s\n",
         yes(syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), SIGUSR1, &info) == 0 &&
             last.si_value.sival_int == 77));
  child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  info.si_code = SI_USER;
  errno = 0;
  printf("claiming SI_USER toward another process is EPERM: %s\n",
         yes(syscall(SYS_rt_sigqueueinfo, child, SIGUSR1, &info) == -1 && errno == EPERM));
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  return 0;
}
