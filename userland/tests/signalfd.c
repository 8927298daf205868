/*
 * signalfd: blocked signals read from a file. Made close-on-exec and non-blocking as asked, named
 * anon_inode:[signalfd]; EAGAIN with nothing pending; a kill() to the process and a tgkill() to the thread
 * read back as signalfd_siginfo records (signal, SI_USER/SI_TKILL, sender pid and uid); several in one read,
 * lowest first; poll and epoll see it readable while one is pending; signals outside the set stay pending
 * (sigpending); a new set through the same descriptor; a POSIX timer's signal carries its id and value;
 * a child's exit reads as SIGCHLD with its pid and status; a short buffer, bad flags, a bad size and a
 * descriptor that is not a signalfd are EINVAL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "read-file.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

int main(void) {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGUSR1);
  sigaddset(&mask, SIGUSR2);
  sigaddset(&mask, SIGRTMIN + 1);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  sigdelset(&mask, SIGTERM);  // blocked, but not the signalfd's

  int fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  printf("created close-on-exec, non-blocking: %s\n",
         yes(fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC && (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0));
  printf("named anon_inode:[signalfd]: %s\n", yes(fd_link_is(fd, "anon_inode:[signalfd]")));
  struct signalfd_siginfo info[4];
  errno = 0;
  printf("EAGAIN with nothing pending: %s\n", yes(read(fd, info, sizeof info) == -1 && errno == EAGAIN));

  kill(getpid(), SIGUSR2);
  syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
  kill(getpid(), SIGTERM);
  struct pollfd p = {fd, POLLIN, 0};
  printf("poll sees it readable: %s\n", yes(poll(&p, 1, 0) == 1 && (p.revents & POLLIN)));
  ssize_t n = read(fd, info, sizeof info);
  printf("two records in one read, lowest signal first: %s\n",
         yes(n == 2 * (ssize_t)sizeof info[0] && info[0].ssi_signo == SIGUSR1 && info[1].ssi_signo == SIGUSR2));
  printf("tgkill: SI_TKILL from this pid and uid: %s\n",
         yes(info[0].ssi_code == SI_TKILL && info[0].ssi_pid == (unsigned)getpid() &&
             info[0].ssi_uid == (unsigned)getuid()));
  printf("kill: SI_USER from this pid: %s\n",
         yes(info[1].ssi_code == SI_USER && info[1].ssi_pid == (unsigned)getpid()));
  sigset_t pending;
  sigpending(&pending);
  printf("SIGTERM, outside the set, stays pending: %s\n",
         yes(sigismember(&pending, SIGTERM) && !sigismember(&pending, SIGUSR1)));
  errno = 0;
  printf("then EAGAIN: %s\n", yes(read(fd, info, sizeof info) == -1 && errno == EAGAIN));

  int epoll = epoll_create1(0);
  struct epoll_event event = {EPOLLIN, {.u64 = 7}};
  epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_SIGNAL;
  sev.sigev_signo = SIGRTMIN + 1;
  sev.sigev_value.sival_int = 99;
  timer_t timer;
  timer_create(CLOCK_MONOTONIC, &sev, &timer);
  struct itimerspec once = {{0, 0}, {0, 10000000}};
  timer_settime(timer, 0, &once, NULL);
  struct epoll_event ready;
  int woke = epoll_wait(epoll, &ready, 1, 1000) == 1 && ready.data.u64 == 7;
  n = read(fd, info, sizeof info);
  printf("a timer's signal wakes epoll, with its id and value: %s\n",
         yes(woke && n == sizeof info[0] && info[0].ssi_signo == (unsigned)SIGRTMIN + 1 &&
             info[0].ssi_code == SI_TIMER && info[0].ssi_tid == (unsigned)(long)timer && info[0].ssi_int == 99));

  pid_t child = fork();
  if (child == 0) _exit(3);
  struct pollfd wait_child = {fd, POLLIN, 0};
  poll(&wait_child, 1, 1000);
  n = read(fd, info, sizeof info);
  printf("a child's exit: SIGCHLD, CLD_EXITED, its pid and status: %s\n",
         yes(n == sizeof info[0] && info[0].ssi_signo == SIGCHLD && info[0].ssi_code == CLD_EXITED &&
             info[0].ssi_pid == (unsigned)child && info[0].ssi_status == 3));
  waitpid(child, NULL, 0);

  sigset_t usr2;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  printf("a new set through the descriptor: %s", yes(signalfd(fd, &usr2, 0) == fd));
  kill(getpid(), SIGUSR1);
  kill(getpid(), SIGUSR2);
  n = read(fd, info, sizeof info);
  sigpending(&pending);
  printf(", reads only it: %s\n",
         yes(n == sizeof info[0] && info[0].ssi_signo == SIGUSR2 && sigismember(&pending, SIGUSR1)));

  int blocking = signalfd(-1, &mask, 0);
  printf("a blocking read takes what is pending: %s\n",
         yes(read(blocking, info, sizeof info) == sizeof info[0] && info[0].ssi_signo == SIGUSR1));
  errno = 0;
  printf("a 64-byte read is EINVAL: %s\n", yes(read(fd, info, 64) == -1 && errno == EINVAL));
  errno = 0;
  printf("unknown flags are EINVAL: %s\n", yes(signalfd(-1, &mask, 0x10) == -1 && errno == EINVAL));
  errno = 0;
  printf("a size other than 8 is EINVAL: %s\n",
         yes(syscall(SYS_signalfd4, -1, &mask, 4, 0) == -1 && errno == EINVAL));
  int pipefd[2];
  pipe(pipefd);
  errno = 0;
  printf("a pipe is not a signalfd (EINVAL): %s\n", yes(signalfd(pipefd[0], &mask, 0) == -1 && errno == EINVAL));
  return 0;
}
