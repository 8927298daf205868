/*
 * file-copy: sendfile and copy_file_range. sendfile from a file at an offset (which advances while the
 * file's position stays) or at the file's position (which advances), into a file and into a pipe, stopping
 * at the end of the input; the 32-bit sendfile of non-LFS programs too; copy_file_range between files at
 * offsets or positions, within one file where the ranges do not overlap (EINVAL where they do); EBADF for an
 * input not open for reading, EINVAL for flags and for an O_APPEND output of sendfile.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static char expected[20000];

/* A fresh file in /tmp (unlinked at once) holding `size` bytes of the pattern. */
static int pattern_file(size_t size) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/kmos-file-copy-%d-%zu", getpid(), size);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  unlink(path);
  if (fd >= 0 && size > 0 && write(fd, expected, size) != (ssize_t)size) return -1;
  lseek(fd, 0, SEEK_SET);
  return fd;
}

static int holds(int fd, off_t at, const char *data, size_t size) {
  char got[20000];
  return pread(fd, got, size, at) == (ssize_t)size && memcmp(got, data, size) == 0;
}

int main(void) {
  for (size_t i = 0; i < sizeof expected; i++) expected[i] = (char)(i * 31 + 7);
  int in = pattern_file(sizeof expected);
  int out = pattern_file(0);
  off_t offset = 1000;
  ssize_t n = sendfile(out, in, &offset, 5000);
  printf("sendfile at an offset: %s\n",
         yes(n == 5000 && offset == 6000 && lseek(in, 0, SEEK_CUR) == 0 && holds(out, 0, expected + 1000, 5000)));
  lseek(in, 18000, SEEK_SET);
  n = sendfile(out, in, NULL, 5000);
  printf("sendfile at the position stops at the end: %s\n",
         yes(n == 2000 && lseek(in, 0, SEEK_CUR) == 20000 && lseek(out, 0, SEEK_CUR) == 7000 &&
             holds(out, 5000, expected + 18000, 2000)));
  int p[2];
  pipe(p);
  offset = 0;
  n = sendfile(p[1], in, &offset, 3000);
  char piped[3000];
  printf("sendfile into a pipe: %s\n",
         yes(n == 3000 && read(p[0], piped, sizeof piped) == 3000 && memcmp(piped, expected, 3000) == 0));
  long offset32 = 10000;
  n = syscall(SYS_sendfile, out, in, &offset32, 100);
  printf("the 32-bit sendfile: %s\n", yes(n == 100 && offset32 == 10100 && holds(out, 7000, expected + 10000, 100)));

  int copy = pattern_file(0);
  loff_t from = 2000, to = 50;
  n = copy_file_range(in, &from, copy, &to, 4000, 0);
  printf("copy_file_range at offsets: %s\n",
         yes(n == 4000 && from == 6000 && to == 4050 && lseek(copy, 0, SEEK_CUR) == 0 &&
             holds(copy, 50, expected + 2000, 4000)));
  lseek(in, 100, SEEK_SET);
  lseek(copy, 0, SEEK_SET);
  n = copy_file_range(in, NULL, copy, NULL, 10, 0);
  printf("copy_file_range at the positions: %s\n",
         yes(n == 10 && lseek(in, 0, SEEK_CUR) == 110 && lseek(copy, 0, SEEK_CUR) == 10 &&
             holds(copy, 0, expected + 100, 10)));
  from = 0;
  to = 10000;
  n = copy_file_range(in, &from, in, &to, 1000, 0);
  printf("within one file, apart: %s\n", yes(n == 1000 && holds(in, 10000, expected, 1000)));
  from = 0;
  to = 500;
  errno = 0;
  printf("within one file, overlapping, is EINVAL: %s\n",
         yes(copy_file_range(in, &from, in, &to, 1000, 0) == -1 && errno == EINVAL));
  errno = 0;
  printf("flags are EINVAL: %s\n", yes(copy_file_range(in, NULL, copy, NULL, 10, 1) == -1 && errno == EINVAL));
  errno = 0;
  printf("an input not open for reading is EBADF: %s\n",
         yes(sendfile(out, p[1], NULL, 10) == -1 && errno == EBADF));
  int append = pattern_file(0);
  fcntl(append, F_SETFL, O_APPEND);
  offset = 0;
  errno = 0;
  printf("sendfile to an O_APPEND file is EINVAL: %s\n", yes(sendfile(append, in, &offset, 10) == -1 && errno == EINVAL));
  return 0;
}
