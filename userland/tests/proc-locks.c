/*
 * /proc/locks, as lslocks reads it: a line per lock held — POSIX record locks (with their range, EOF for
 * "to the end"), OFD locks (pid -1) and flock locks (0 EOF) — with the type, the holder's pid, the file's
 * device (major:minor in hex, as st_dev) and inode; a lock released leaves no line.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "read-file.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static char table[1 << 16];

/* Whether /proc/locks has a line for the file (dev, ino) whose text after "N: " starts `kind type pid`
 * and ends with `range`. */
static int has_lock(struct stat *st, const char *kind, const char *type, long pid, const char *range) {
  size_t n = read_file("/proc/locks", table, sizeof table - 1);
  table[n] = 0;
  char want[256];
  snprintf(want, sizeof want, "%s ADVISORY  %s%ld %02x:%02x:%lu %s", kind, type, pid, major(st->st_dev), minor(st->st_dev),
           (unsigned long)st->st_ino, range);
  for (char *line = strtok(table, "\n"); line; line = strtok(NULL, "\n")) {
    char *text = strstr(line, ": ");
    if (text && strcmp(text + 2, want) == 0) return 1;
  }
  return 0;
}

int main(void) {
  char path[] = "/tmp/kmos-locks-XXXXXX";
  int fd = mkstemp(path);
  struct stat st;
  fstat(fd, &st);
  struct flock whole = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  fcntl(fd, F_SETLK, &whole);
  printf("a POSIX write lock to EOF: %s\n", yes(has_lock(&st, "POSIX ", "WRITE ", getpid(), "0 EOF")));
  struct flock part = {.l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  fcntl(fd, F_SETLK, &part);
  printf("released, gone: %s\n", yes(!has_lock(&st, "POSIX ", "WRITE ", getpid(), "0 EOF")));
  struct flock range = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 20};
  int rd = open(path, O_RDONLY);
  fcntl(rd, F_SETLK, &range);
  printf("a POSIX read lock on 10-29: %s\n", yes(has_lock(&st, "POSIX ", "READ ", getpid(), "10 29")));
  struct flock ofd = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 100, .l_len = 1, .l_pid = 0};
  fcntl(rd, F_OFD_SETLK, &ofd);
  printf("an OFD lock, pid -1: %s\n", yes(has_lock(&st, "OFDLCK", "READ ", -1, "100 100")));
  char other[] = "/tmp/kmos-flock-XXXXXX";
  int ff = mkstemp(other);
  struct stat fst;
  fstat(ff, &fst);
  flock(ff, LOCK_EX);
  printf("a flock, 0 EOF: %s\n", yes(has_lock(&fst, "FLOCK ", "WRITE ", getpid(), "0 EOF")));
  flock(ff, LOCK_UN);
  printf("unlocked, gone: %s\n", yes(!has_lock(&fst, "FLOCK ", "WRITE ", getpid(), "0 EOF")));
  close(ff);
  close(rd);
  close(fd);
  unlink(path);
  unlink(other);
  return 0;
}
