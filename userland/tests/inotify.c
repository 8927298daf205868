/*
 * inotify: the events a watched directory and a watched file report for each everyday operation — create,
 * open, write, read, close, chmod, truncate, link, rename within and out of the directory, unlink, mkdir
 * and rmdir, an open file unlinked then closed — in Linux's order, with the entries' names, IN_ISDIR for directories, matching cookies on the
 * two halves of a rename, IN_DELETE_SELF and IN_IGNORED when a watched inode goes, IN_ONESHOT, IN_MASK_ADD
 * and IN_MASK_CREATE, merging of repeated events, inotify_rm_watch, FIONREAD, non-blocking reads, poll,
 * EINVAL for a short buffer and for bad arguments, ENOTDIR for IN_ONLYDIR on a file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }
static int in_fd, dir_wd = -2, file_wd = -2, other_wd = -2;

static const char *who(int wd) {
  if (wd == dir_wd) return "dir";
  if (wd == file_wd) return "file";
  if (wd == other_wd) return "other";
  return "?";
}

/* Prints every queued event, one line per operation; cookies only as "same" or "none". */
static void drain(const char *op) {
  char buf[8192] __attribute__((aligned(8)));
  printf("%s:", op);
  unsigned cookie = 0;
  for (;;) {
    ssize_t n = read(in_fd, buf, sizeof buf);
    if (n <= 0) break;
    for (char *p = buf; p < buf + n;) {
      struct inotify_event *e = (struct inotify_event *)p;
      static const char *names[] = {"ACCESS", "MODIFY", "ATTRIB", "CLOSE_WRITE", "CLOSE_NOWRITE", "OPEN",
                                    "MOVED_FROM", "MOVED_TO", "CREATE", "DELETE", "DELETE_SELF", "MOVE_SELF"};
      printf(" %s:", who(e->wd));
      for (int b = 0; b < 12; b++)
        if (e->mask & (1u << b)) printf("%s", names[b]);
      if (e->mask & IN_IGNORED) printf("IGNORED");
      if (e->mask & IN_ISDIR) printf("|ISDIR");
      if (e->len) printf("(%s)", e->name);
      if (e->cookie) {
        printf("[%s]", cookie == 0 ? "cookie" : e->cookie == cookie ? "same" : "other");
        cookie = e->cookie;
      }
      p += sizeof *e + e->len;
    }
  }
  printf("\n");
}

int main(void) {
  char dir[] = "/tmp/kmos-inotify-XXXXXX", out[] = "/tmp/kmos-inotify-out-XXXXXX";
  mkdtemp(dir);
  mkdtemp(out);
  char f[128], g[128], h[128], sub[128], moved[128];
  snprintf(f, sizeof f, "%s/f", dir);
  snprintf(g, sizeof g, "%s/g", dir);
  snprintf(h, sizeof h, "%s/h", dir);
  snprintf(sub, sizeof sub, "%s/sub", dir);
  snprintf(moved, sizeof moved, "%s/moved", out);

  in_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  printf("init1: %s\n", yes(in_fd >= 0 && fcntl(in_fd, F_GETFD) == FD_CLOEXEC));
  dir_wd = inotify_add_watch(in_fd, dir, IN_ALL_EVENTS);
  printf("watch dir: %s\n", yes(dir_wd > 0));
  char buf[64];
  printf("nothing yet is EAGAIN: %s\n", yes(read(in_fd, buf, sizeof buf) < 0 && errno == EAGAIN));

  int fd = open(f, O_CREAT | O_WRONLY, 0644);
  drain("create");
  file_wd = inotify_add_watch(in_fd, f, IN_ALL_EVENTS);
  printf("same inode, same wd: %s\n", yes(inotify_add_watch(in_fd, f, IN_ALL_EVENTS) == file_wd));
  write(fd, "hello", 5);
  write(fd, "hello", 5);
  drain("two writes");
  struct pollfd p = {in_fd, POLLIN, 0};
  printf("poll before close: %d\n", poll(&p, 1, 0));
  close(fd);
  int queued = -1;
  ioctl(in_fd, FIONREAD, &queued);
  printf("FIONREAD: %d\n", queued);
  printf("a short buffer is EINVAL: %s\n", yes(read(in_fd, buf, 8) < 0 && errno == EINVAL));
  drain("close after write");
  fd = open(f, O_RDONLY);
  read(fd, buf, sizeof buf);
  close(fd);
  drain("open read close");
  chmod(f, 0600);
  drain("chmod");
  truncate(f, 2);
  drain("truncate");
  fd = open(f, O_WRONLY | O_TRUNC);
  close(fd);
  drain("open with O_TRUNC");
  link(f, g);
  drain("link");
  unlink(g);
  drain("unlink one link");
  rename(f, h);
  drain("rename within");
  rename(h, moved);
  drain("rename out");
  unlink(moved);
  drain("unlink last link");
  // An open file unlinked goes for inotify when it is closed.
  int held = open(g, O_CREAT | O_WRONLY, 0644);
  file_wd = inotify_add_watch(in_fd, g, IN_ALL_EVENTS);
  drain("create and watch g");
  unlink(g);
  drain("unlink of an open file");
  close(held);
  drain("its close");
  mkdir(sub, 0755);
  drain("mkdir");
  other_wd = inotify_add_watch(in_fd, sub, IN_ALL_EVENTS | IN_ONLYDIR);
  rmdir(sub);
  drain("rmdir");

  // Flags and errors.
  int fd2 = open(f, O_CREAT | O_WRONLY, 0644);
  close(fd2);
  drain("create again");
  file_wd = inotify_add_watch(in_fd, f, IN_MODIFY | IN_ONESHOT);
  write(fd2 = open(f, O_WRONLY), "a", 1);
  write(fd2, "b", 1);
  close(fd2);
  drain("one-shot");
  printf("IN_MASK_CREATE on a watched inode is EEXIST: %s\n",
         yes(inotify_add_watch(in_fd, dir, IN_ATTRIB | IN_MASK_CREATE) < 0 && errno == EEXIST));
  printf("IN_MASK_ADD keeps the wd: %s\n", yes(inotify_add_watch(in_fd, dir, IN_ATTRIB | IN_MASK_ADD) == dir_wd));
  printf("IN_ONLYDIR on a file is ENOTDIR: %s\n", yes(inotify_add_watch(in_fd, f, IN_ALL_EVENTS | IN_ONLYDIR) < 0 && errno == ENOTDIR));
  printf("no events is EINVAL: %s\n", yes(inotify_add_watch(in_fd, f, 0) < 0 && errno == EINVAL));
  printf("a missing path is ENOENT: %s\n", yes(inotify_add_watch(in_fd, "/nonexistent-kmos", IN_ALL_EVENTS) < 0 && errno == ENOENT));
  printf("not an inotify fd is EINVAL: %s\n", yes(inotify_add_watch(0, dir, IN_ALL_EVENTS) < 0 && errno == EINVAL));
  printf("bad init1 flags are EINVAL: %s\n", yes(inotify_init1(1) < 0 && errno == EINVAL));
  printf("rm_watch: %s\n", yes(inotify_rm_watch(in_fd, dir_wd) == 0));
  drain("after rm_watch");
  printf("rm_watch again is EINVAL: %s\n", yes(inotify_rm_watch(in_fd, dir_wd) < 0 && errno == EINVAL));
  unlink(f);
  drain("unwatched unlink");
  rmdir(dir);
  rmdir(out);
  return 0;
}
