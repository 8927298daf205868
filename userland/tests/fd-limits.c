/*
 * fd-limits: RLIMIT_NOFILE bounds the descriptor table. Opens fail with EMFILE once every descriptor below the
 * soft limit is taken; dup, pipe and F_DUPFD too, and a failed call leaves nothing open behind it (the pipe's
 * read end sees EOF once the last real writer closes); F_DUPFD from the limit up is EINVAL, dup2 to it EBADF,
 * poll of more descriptors than the limit EINVAL; raising the soft limit makes room again. /proc/self/status's
 * FDSize is the table's size (a power of two from 64, inherited from the parent's: only that is printed), not
 * the limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "read-file.h"

#define LIMIT 16

static const char *result(int r) { return r >= 0 ? "ok" : strerror(errno); }

/* Opens /dev/null until it fails; returns how many opened (their descriptors in `fds`). */
static int fill(int *fds, int max) {
  int n = 0;
  while (n < max) {
    int fd = open("/dev/null", O_RDONLY);
    if (fd < 0) {
      printf("open after %d: %s\n", n, strerror(errno));
      break;
    }
    fds[n++] = fd;
  }
  return n;
}

int main(void) {
  // Only stdin, stdout and stderr: whatever else the runner left open would move every number below.
  for (int fd = 3; fd < 1024; fd++) close(fd);
  struct rlimit lim = {LIMIT, 64};
  if (setrlimit(RLIMIT_NOFILE, &lim) != 0) perror("setrlimit");
  int p[2];
  if (pipe(p) != 0) perror("pipe");
  int fds[64];
  int n = fill(fds, 64);
  printf("descriptors opened: %d, the last %d\n", n, n ? fds[n - 1] : -1);

  printf("dup of the write end: %s\n", result(dup(p[1])));
  printf("F_DUPFD from 3: %s\n", result(fcntl(p[1], F_DUPFD, 3)));
  printf("F_DUPFD from the limit: %s\n", result(fcntl(p[1], F_DUPFD, LIMIT)));
  printf("dup2 to the limit: %s\n", result(dup2(p[1], LIMIT)));
  int spare[2];
  printf("pipe with no room: %s\n", result(pipe(spare)));
  struct pollfd many[LIMIT + 1];
  for (int i = 0; i <= LIMIT; i++) many[i] = (struct pollfd){.fd = -1};
  printf("poll of %d: %s\n", LIMIT + 1, result(poll(many, LIMIT + 1, 0)));

  // One descriptor free: a pipe still needs two.
  close(fds[--n]);
  printf("pipe with one free: %s\n", result(pipe(spare)));
  printf("open with one free: %s\n", result(fds[n] = open("/dev/null", O_RDONLY)));
  if (fds[n] >= 0) n++;

  // Nothing a failed call made may hold the pipe open: with the write end closed, the read end is at EOF.
  printf("dup2 below the limit: %s\n", result(dup2(p[1], fds[n - 1])));
  close(fds[n - 1]);
  close(p[1]);
  fcntl(p[0], F_SETFL, O_NONBLOCK);
  char c;
  ssize_t got = read(p[0], &c, 1);
  printf("read after the last writer closed: %zd %s\n", got, got < 0 ? strerror(errno) : "(EOF)");

  lim.rlim_cur = 32;
  if (setrlimit(RLIMIT_NOFILE, &lim) != 0) perror("setrlimit raise");
  int more = fill(fds + n, 64 - n);
  printf("after raising the soft limit to 32: %d more, the last %d\n", more, more ? fds[n + more - 1] : -1);
  close(fds[n]);
  static char status[8192];
  size_t len = read_file("/proc/self/status", status, sizeof status - 1);
  status[len] = 0;
  const char *line = strstr(status, "FDSize:");
  long size = line ? strtol(line + strlen("FDSize:"), NULL, 10) : 0;
  printf("FDSize a power of two from 64: %s\n", size >= 64 && (size & (size - 1)) == 0 ? "yes" : "no");
  return 0;
}
