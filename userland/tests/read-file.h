/* Shared by the test programs: a whole (small) file into a buffer, as /proc files are read; what a
 * /proc/self/fd link names. */
#ifndef KMOS_TESTS_READ_FILE_H
#define KMOS_TESTS_READ_FILE_H
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Reads `path` into `buf` (at most `size` bytes); returns the bytes read, 0 when it cannot be opened. */
static size_t read_file(const char *path, void *buf, size_t size) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return 0;
  size_t got = 0;
  for (ssize_t n; got < size && (n = read(fd, (char *)buf + got, size - got)) > 0;) got += (size_t)n;
  close(fd);
  return got;
}

/* Whether /proc/self/fd/<fd> reads `expected`. */
static inline int fd_link_is(int fd, const char *expected) {
  char path[64], target[512];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(path, target, sizeof target - 1);
  if (n < 0) return 0;
  target[n] = '\0';
  return strcmp(target, expected) == 0;
}
#endif
