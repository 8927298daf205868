/* epoll-eventfd: an eventfd's counter (plain and semaphore), and epoll over a pipe and an eventfd:
 * level-triggered repeats, edge-triggered reports once per change, one-shot until re-armed, timeouts, and
 * the refusal of regular files. Prints facts only. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

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
  return 0;
}
