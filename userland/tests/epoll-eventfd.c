/* epoll-eventfd: an eventfd's counter (plain and semaphore), and epoll over a pipe and an eventfd:
 * level-triggered repeats, edge-triggered reports once per change, one-shot until re-armed, timeouts, and
 * the refusal of regular files; epoll_pwait waits with its own signal mask (a blocked signal interrupts
 * it, and is blocked again after) and epoll_pwait2 takes a timespec timeout. Prints facts only. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

static volatile int caught;
static void on_usr1(int signo) { (void)signo; caught++; }

static int wait_ids(int ep, int timeout, char *out) {
  struct epoll_event ev[8];
  int n = epoll_wait(ep, ev, 8, timeout);
  out[0] = 0;
  for (int i = 0; i < n; i++) sprintf(out + strlen(out), "%s%llu:%x", i ? "," : "", (unsigned long long)ev[i].data.u64, ev[i].events);
  return n;
}

int main(void) {
  int efd = eventfd(3, EFD_NONBLOCK);
  uint64_t v = 0;
  ssize_t got = read(efd, &v, 8);
  printf("eventfd read %zd value %llu\n", got, (unsigned long long)v);
  printf("empty read: %s\n", read(efd, &v, 8) < 0 ? strerror(errno) : "data");
  v = 5;
  write(efd, &v, 8);
  int sem = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
  read(sem, &v, 8);
  printf("semaphore read gives %llu\n", (unsigned long long)v);

  int ep = epoll_create1(EPOLL_CLOEXEC);
  int fds[2];
  pipe(fds);
  struct epoll_event e = {.events = EPOLLIN, .data.u64 = 7};
  epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &e);
  e.events = EPOLLIN | EPOLLET;
  e.data.u64 = 9;
  epoll_ctl(ep, EPOLL_CTL_ADD, efd, &e);
  printf("add twice: %s\n", epoll_ctl(ep, EPOLL_CTL_ADD, efd, &e) < 0 ? strerror(errno) : "ok");
  char buf[128];
  int n = wait_ids(ep, 0, buf);
  printf("ready now: %d [%s]\n", n, buf);
  n = wait_ids(ep, 0, buf);
  printf("edge reported once: %d [%s]\n", n, buf);
  write(fds[1], "x", 1);
  n = wait_ids(ep, 1000, buf);
  printf("pipe readable: %d [%s]\n", n, buf);
  n = wait_ids(ep, 0, buf);
  printf("level repeats: %d [%s]\n", n, buf);
  e.events = EPOLLIN | EPOLLONESHOT;
  e.data.u64 = 7;
  epoll_ctl(ep, EPOLL_CTL_MOD, fds[0], &e);
  n = wait_ids(ep, 0, buf);
  printf("one-shot: %d [%s]\n", n, buf);
  n = wait_ids(ep, 20, buf);
  printf("after one-shot, timeout: %d\n", n);
  epoll_ctl(ep, EPOLL_CTL_DEL, fds[0], NULL);
  printf("del again: %s\n", epoll_ctl(ep, EPOLL_CTL_DEL, fds[0], NULL) < 0 ? strerror(errno) : "ok");
  int reg = open("/proc/self/exe", O_RDONLY);
  printf("regular file: %s\n", epoll_ctl(ep, EPOLL_CTL_ADD, reg, &e) < 0 ? strerror(errno) : "ok");

  // epoll_pwait: SIGUSR1 blocked outside, let in during the wait.
  signal(SIGUSR1, on_usr1);
  sigset_t usr1, empty;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigemptyset(&empty);
  sigprocmask(SIG_BLOCK, &usr1, NULL);
  kill(getpid(), SIGUSR1);
  struct epoll_event evs[2];
  int r = epoll_pwait(ep, evs, 2, 1000, &empty);
  printf("epoll_pwait lets a blocked signal in: %s\n", r < 0 && errno == EINTR && caught == 1 ? "yes" : "no");
  sigset_t after;
  sigprocmask(SIG_BLOCK, NULL, &after);
  printf("and blocks it again after: %s\n", sigismember(&after, SIGUSR1) ? "yes" : "no");
  struct timespec zero = {0, 0};
  r = (int)syscall(SYS_epoll_pwait2, ep, evs, 2, &zero, NULL, 8);
  printf("epoll_pwait2 with a zero timeout: %d\n", r);
  struct timespec bad = {0, 1000000000};
  r = (int)syscall(SYS_epoll_pwait2, ep, evs, 2, &bad, NULL, 8);
  printf("epoll_pwait2 with a bad timeout: %s\n", r < 0 ? strerror(errno) : "ok");
  return 0;
}
