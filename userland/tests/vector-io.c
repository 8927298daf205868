/*
 * Positioned and vectored I/O and file space: preadv and pwritev move several buffers at an offset and
 * leave the file offset alone; preadv2 and pwritev2 with offset -1 use and move the file offset, and take
 * RWF_SYNC but refuse unknown flags (EOPNOTSUPP); a negative offset is EINVAL, and a pipe ESPIPE.
 * fallocate extends a file (mode 0), keeps its size with FALLOC_FL_KEEP_SIZE, zeroes a punched hole, and
 * checks its arguments (EINVAL, EBADF, ESPIPE, EOPNOTSUPP) as Linux does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

int main(void) {
  char path[] = "/tmp/kmos-vector-io-XXXXXX";
  int fd = mkstemp(path);
  char a[] = "hello ", b[] = "vector", c[] = " world";
  struct iovec out[3] = {{a, 6}, {b, 6}, {c, 6}};
  printf("pwritev writes all buffers: %s\n", yes(pwritev(fd, out, 3, 10) == 18));
  printf("and leaves the offset: %s\n", yes(lseek(fd, 0, SEEK_CUR) == 0));
  char x[7] = {0}, y[13] = {0};
  struct iovec in[2] = {{x, 6}, {y, 12}};
  printf("preadv reads at the offset: %s\n",
         yes(preadv(fd, in, 2, 10) == 18 && strcmp(x, "hello ") == 0 && strcmp(y, "vector world") == 0));
  char head[10];
  printf("the gap before is zeros: %s\n", yes(pread(fd, head, 10, 0) == 10 && memcmp(head, "\0\0\0\0\0\0\0\0\0\0", 10) == 0));
  lseek(fd, 16, SEEK_SET);
  memset(x, 0, sizeof x);
  struct iovec one = {x, 6};
  printf("preadv2 at -1 reads at the file offset: %s\n", yes(preadv2(fd, &one, 1, -1, 0) == 6 && strcmp(x, "vector") == 0));
  printf("and moves it: %s\n", yes(lseek(fd, 0, SEEK_CUR) == 22));
  struct iovec tail = {"!", 1};
  printf("pwritev2 with RWF_SYNC: %s\n", yes(pwritev2(fd, &tail, 1, 28, RWF_SYNC) == 1));
  printf("unknown RWF flag is EOPNOTSUPP: %s\n", yes(pwritev2(fd, &tail, 1, 28, 0x100000) < 0 && errno == EOPNOTSUPP));
  printf("negative preadv offset is EINVAL: %s\n", yes(preadv(fd, &one, 1, -5) < 0 && errno == EINVAL));
  printf("negative pread offset is EINVAL: %s\n", yes(pread(fd, x, 1, -5) < 0 && errno == EINVAL));
  int p[2];
  pipe(p);
  printf("preadv on a pipe is ESPIPE: %s\n", yes(preadv(p[0], &one, 1, 0) < 0 && errno == ESPIPE));

  // fallocate.
  struct stat st;
  printf("fallocate extends: %s\n", yes(fallocate(fd, 0, 100, 50) == 0 && fstat(fd, &st) == 0 && st.st_size == 150));
  printf("KEEP_SIZE keeps the size: %s\n",
         yes(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 4096) == 0 && fstat(fd, &st) == 0 && st.st_size == 150));
  printf("a range inside changes nothing: %s\n", yes(fallocate(fd, 0, 0, 10) == 0 && fstat(fd, &st) == 0 && st.st_size == 150));
  printf("punching a hole zeroes it: %s\n",
         yes(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 16, 6) == 0 && pread(fd, x, 6, 16) == 6 &&
             memcmp(x, "\0\0\0\0\0\0", 6) == 0 && fstat(fd, &st) == 0 && st.st_size == 150));
  printf("a hole without KEEP_SIZE is EOPNOTSUPP: %s\n", yes(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 1) < 0 && errno == EOPNOTSUPP));
  printf("zero length is EINVAL: %s\n", yes(fallocate(fd, 0, 0, 0) < 0 && errno == EINVAL));
  printf("negative offset is EINVAL: %s\n", yes(fallocate(fd, 0, -1, 10) < 0 && errno == EINVAL));
  int ro = open(path, O_RDONLY);
  printf("read-only is EBADF: %s\n", yes(fallocate(ro, 0, 0, 10) < 0 && errno == EBADF));
  printf("a pipe is ESPIPE: %s\n", yes(fallocate(p[1], 0, 0, 10) < 0 && errno == ESPIPE));
  close(ro);
  close(fd);
  unlink(path);
  return 0;
}
