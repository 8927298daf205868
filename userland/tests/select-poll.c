/* select-poll: readiness of pipe ends through select and poll — empty, readable, writer closed — and timeouts
 * that expire with nothing ready; ppoll and pselect let a blocked signal in for the wait and fail with EINTR
 * after its handler even under SA_RESTART (they are never restarted after a handler). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <stdio.h>
#include <sys/select.h>
#include <unistd.h>

static volatile int caught;
static void on_usr1(int signo) {
  (void)signo;
  caught++;
}

int main(void) {
  int fds[2];
  pipe(fds);
  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(fds[0], &rd);
  struct timeval tv = {0, 20000};
  printf("select on empty pipe: %d\n", select(fds[0] + 1, &rd, NULL, NULL, &tv));
  write(fds[1], "x", 1);
  FD_ZERO(&rd);
  FD_SET(fds[0], &rd);
  tv.tv_sec = 1; tv.tv_usec = 0;
  int n = select(fds[0] + 1, &rd, NULL, NULL, &tv);
  printf("select with data: %d readable %d\n", n, FD_ISSET(fds[0], &rd) != 0);
  struct pollfd p[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLOUT, 0}};
  n = poll(p, 2, 1000);
  printf("poll: %d in %d out %d\n", n, (p[0].revents & POLLIN) != 0, (p[1].revents & POLLOUT) != 0);
  char c;
  read(fds[0], &c, 1);
  p[0].revents = 0;
  printf("poll timeout: %d\n", poll(p, 1, 30));
  close(fds[1]);
  n = poll(p, 1, 1000);
  printf("poll after writer closed: %d hup %d\n", n, (p[0].revents & POLLHUP) != 0);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, NULL);
  sigset_t usr1, empty;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigemptyset(&empty);
  sigprocmask(SIG_BLOCK, &usr1, NULL);
  int idle[2];
  pipe(idle);
  struct pollfd q = {idle[0], POLLIN, 0};
  struct timespec second = {1, 0};
  kill(getpid(), SIGUSR1);
  n = ppoll(&q, 1, &second, &empty);
  printf("ppoll with a pending signal let in: %d %s caught %d\n", n, n < 0 ? strerror(errno) : "", caught);
  kill(getpid(), SIGUSR1);
  fd_set idle_rd;
  FD_ZERO(&idle_rd);
  FD_SET(idle[0], &idle_rd);
  n = pselect(idle[0] + 1, &idle_rd, NULL, NULL, &second, &empty);
  printf("pselect with a pending signal let in: %d %s caught %d\n", n, n < 0 ? strerror(errno) : "", caught);
  return 0;
}
