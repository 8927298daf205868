/*
 * A program built without large-file support (32-bit off_t: glibc's open passes no O_LARGEFILE) cannot
 * open a file over 2 GiB: EOVERFLOW, even with O_TRUNC, which then truncates nothing; open64 (O_LARGEFILE)
 * can, and stat64 sees the whole size. A file of exactly 2 GiB - 1 opens either way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

int main(void) {
  char path[] = "/tmp/kmos-large-XXXXXX";
  int fd = mkstemp64(path);
  long long big = 3LL << 30;
  int grown = ftruncate64(fd, big) == 0;
  close(fd);
  printf("a sparse 3 GiB file: %s\n", yes(grown));
  printf("open without O_LARGEFILE EOVERFLOW: %s\n", yes(open(path, O_RDONLY) == -1 && errno == EOVERFLOW));
  printf("with O_TRUNC too: %s\n", yes(open(path, O_WRONLY | O_TRUNC) == -1 && errno == EOVERFLOW));
  struct stat64 st;
  printf("nothing was truncated: %s\n", yes(stat64(path, &st) == 0 && st.st_size == big));
  int large = open64(path, O_RDONLY);
  printf("open64 opens it: %s\n", yes(large >= 0));
  printf("and F_GETFL shows O_LARGEFILE: %s\n", yes((fcntl(large, F_GETFL) & O_LARGEFILE) != 0));
  close(large);
  truncate64(path, 0x7fffffffLL);
  int edge = open(path, O_RDONLY);
  printf("2 GiB - 1 opens without it: %s\n", yes(edge >= 0));
  close(edge);
  unlink(path);
  return 0;
}
