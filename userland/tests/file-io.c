/* file-io: files in a fresh directory — create, write, seek, read back, stat, rename, hard and symbolic
 * links, directory listing (sorted, since order is the filesystem's), truncate, and the errors for the
 * usual mistakes; the ioctls every descriptor takes (FIONREAD on a file: the bytes after the offset;
 * FIONBIO; FIOCLEX and FIONCLEX). The directory is taken from argv[1]. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static char path_buf[4096];
static const char *at(const char *dir, const char *name) { snprintf(path_buf, sizeof path_buf, "%s/%s", dir, name); return path_buf; }
static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: file-io DIR\n"); return 2; }
  const char *dir = argv[1];
  int fd = open(at(dir, "a.txt"), O_CREAT | O_EXCL | O_RDWR, 0640);
  if (fd < 0) { perror("open"); return 1; }
  printf("write %zd\n", write(fd, "hello, world\n", 13));
  printf("lseek %ld\n", (long)lseek(fd, 7, SEEK_SET));
  char buf[64] = {0};
  printf("read %zd: %s", read(fd, buf, sizeof buf - 1), buf);
  printf("lseek end %ld\n", (long)lseek(fd, 0, SEEK_END));
  printf("pwrite %zd\n", pwrite(fd, "HELLO", 5, 0));
  memset(buf, 0, sizeof buf);
  printf("pread %zd: %s", pread(fd, buf, sizeof buf - 1, 0), buf);
  struct stat st;
  fstat(fd, &st);
  printf("size %ld mode %o nlink %ld regular %d\n", (long)st.st_size, st.st_mode & 07777, (long)st.st_nlink, S_ISREG(st.st_mode));
  close(fd);
  printf("O_EXCL again: %s\n", open(at(dir, "a.txt"), O_CREAT | O_EXCL | O_RDWR, 0640) < 0 ? strerror(errno) : "opened");
  char from[4096];
  strcpy(from, at(dir, "a.txt"));
  printf("link %d\n", link(from, at(dir, "b.txt")));
  stat(from, &st);
  printf("nlink now %ld\n", (long)st.st_nlink);
  printf("symlink %d\n", symlink("a.txt", at(dir, "c.lnk")));
  char target[64] = {0};
  printf("readlink %zd %s\n", readlink(at(dir, "c.lnk"), target, sizeof target - 1), target);
  strcpy(from, at(dir, "b.txt"));
  printf("rename %d\n", rename(from, at(dir, "d.txt")));
  printf("mkdir %d\n", mkdir(at(dir, "sub"), 0755));
  printf("rmdir non-empty dir's parent: %s\n", rmdir(dir) < 0 ? strerror(errno) : "removed");
  printf("truncate %d\n", truncate(at(dir, "d.txt"), 3));
  stat(at(dir, "d.txt"), &st);
  printf("truncated size %ld\n", (long)st.st_size);
  printf("open missing: %s\n", open(at(dir, "missing"), O_RDONLY) < 0 ? strerror(errno) : "opened");
  printf("unlink dir: %s\n", unlink(at(dir, "sub")) < 0 ? strerror(errno) : "unlinked");
  DIR *d = opendir(dir);
  char *names[32];
  int n = 0;
  for (struct dirent *e; (e = readdir(d)) && n < 32;) names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof *names, cmp);
  printf("listing:");
  for (int i = 0; i < n; i++) printf(" %s", names[i]);
  printf("\n");
  int io = open(at(dir, "io.txt"), O_CREAT | O_RDWR, 0600);
  write(io, "0123456789", 10);
  lseek(io, 4, SEEK_SET);
  int left = -1;
  int asked = ioctl(io, FIONREAD, &left);
  printf("FIONREAD on a file: %d %d\n", asked, left);
  int on = 1, off = 0;
  ioctl(io, FIONBIO, &on);
  printf("FIONBIO sets O_NONBLOCK: %d\n", (fcntl(io, F_GETFL) & O_NONBLOCK) != 0);
  ioctl(io, FIONBIO, &off);
  printf("and clears it: %d\n", (fcntl(io, F_GETFL) & O_NONBLOCK) != 0);
  ioctl(io, FIOCLEX);
  printf("FIOCLEX: %d\n", fcntl(io, F_GETFD));
  ioctl(io, FIONCLEX);
  printf("FIONCLEX: %d\n", fcntl(io, F_GETFD));
  close(io);
  unlink(at(dir, "io.txt"));
  unlink(at(dir, "a.txt")); unlink(at(dir, "d.txt")); unlink(at(dir, "c.lnk")); rmdir(at(dir, "sub"));
  return 0;
}
