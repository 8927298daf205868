/*
 * proc-fd-reopen: /proc/self/fd/N and /dev/fd/N are "magic links": opening one opens the file behind the
 * descriptor itself, even a pipe (bash's process substitution hands out /dev/fd/63) or a file already
 * unlinked; stat follows to that file, lstat sees the link. Prints what each step sees.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind(mode_t m) {
  return S_ISFIFO(m) ? "fifo" : S_ISLNK(m) ? "symlink" : S_ISREG(m) ? "regular" : "other";
}

static void show_read(const char *what, int fd) {
  char buf[64];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = '\0';
  printf("%s: %zd \"%s\"\n", what, n, buf);
}

int main(void) {
  int p[2];
  if (pipe(p) != 0) return 1;
  char path[64];

  snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
  int w2 = open(path, O_WRONLY);
  printf("open write end via /proc: %s\n", w2 >= 0 ? "ok" : "failed");
  if (w2 >= 0 && write(w2, "via proc", 8) != 8) return 1;
  if (w2 >= 0) close(w2);
  show_read("read end after the reopened write end wrote", p[0]);

  snprintf(path, sizeof path, "/dev/fd/%d", p[0]);
  int r2 = open(path, O_RDONLY);
  printf("open read end via /dev/fd: %s\n", r2 >= 0 ? "ok" : "failed");
  if (write(p[1], "to the copy", 11) != 11) return 1;
  if (r2 >= 0) show_read("reopened read end", r2);

  struct stat st, lst;
  printf("stat: %s, lstat: %s\n", stat(path, &st) == 0 ? kind(st.st_mode) : "failed",
         lstat(path, &lst) == 0 ? kind(lst.st_mode) : "failed");
  char link[64];
  ssize_t n = readlink(path, link, sizeof link - 1);
  link[n > 0 ? n : 0] = '\0';
  printf("readlink starts with pipe:[ %s\n", strncmp(link, "pipe:[", 6) == 0 ? "yes" : link);

  /* bash's > >(cmd): O_CREAT | O_TRUNC through the link reaches the pipe, creating nothing. */
  snprintf(path, sizeof path, "/dev/fd/%d", p[1]);
  int w3 = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  printf("open write end with O_CREAT: %s\n", w3 >= 0 ? "ok" : "failed");
  if (w3 >= 0 && write(w3, "created nothing", 15) != 15) return 1;
  if (r2 >= 0) show_read("reopened read end", r2);

  /* An unlinked file is still reachable through its descriptor's link. */
  char name[] = "/tmp/kmos-proc-fd-XXXXXX";
  int f = mkstemp(name);
  if (f < 0 || write(f, "still here", 10) != 10) return 1;
  unlink(name);
  snprintf(path, sizeof path, "/proc/self/fd/%d", f);
  int f2 = open(path, O_RDONLY);
  printf("open of an unlinked file via /proc: %s\n", f2 >= 0 ? "ok" : "failed");
  if (f2 >= 0) show_read("its contents", f2);
  return 0;
}
