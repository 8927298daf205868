/* select-poll: readiness of pipe ends through select and poll — empty, readable, writer closed — and timeouts
 * that expire with nothing ready. */
#include <poll.h>
#include <stdio.h>
#include <sys/select.h>
#include <unistd.h>

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
  return 0;
}
