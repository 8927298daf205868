/*
 * File times come from the same clock as time(2): a file written, a file touched (utimensat with NULL),
 * a directory made and a directory whose entries change all read "now" (within a second) and in the order
 * the changes happened, so make and `find -newer` decide right. (kmOS's guest clock counts instructions; a
 * host filesystem stamps what the guest changes with it.)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static long long mtime_ns(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return -1;
  return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

static int near_now(long long ns) {
  long long now = (long long)time(NULL) * 1000000000LL;
  long long d = ns - now;
  return d > -2000000000LL && d < 2000000000LL;
}

int main(void) {
  char dir[] = "/tmp/kmos-times-XXXXXX";
  mkdtemp(dir);
  char f[64], g[64], sub[64];
  snprintf(f, sizeof f, "%s/f", dir);
  snprintf(g, sizeof g, "%s/g", dir);
  snprintf(sub, sizeof sub, "%s/sub", dir);
  int fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write(fd, "x", 1);
  close(fd);
  printf("a written file's mtime is now: %s\n", yes(near_now(mtime_ns(f))));
  usleep(20000);
  int gd = open(g, O_WRONLY | O_CREAT, 0644);
  close(gd);
  utimensat(AT_FDCWD, g, NULL, 0);
  printf("a touched file is newer than one written before: %s\n", yes(mtime_ns(g) > mtime_ns(f)));
  mkdir(sub, 0755);
  printf("a new directory's mtime is now: %s\n", yes(near_now(mtime_ns(sub))));
  printf("its parent changed after the files: %s\n", yes(mtime_ns(dir) >= mtime_ns(g)));
  usleep(20000);
  fd = open(f, O_WRONLY | O_APPEND);
  write(fd, "y", 1);
  printf("written again, newer than the touched one (while open): %s\n", yes(mtime_ns(f) > mtime_ns(g)));
  close(fd);
  printf("and after close: %s\n", yes(mtime_ns(f) > mtime_ns(g)));
  usleep(20000);
  truncate(g, 10);
  printf("a truncate that changes the size stamps too: %s\n", yes(mtime_ns(g) > mtime_ns(f)));
  unlink(f);
  unlink(g);
  rmdir(sub);
  rmdir(dir);
  return 0;
}
