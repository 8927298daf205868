/*
 * Setting file times through every call: utime (seconds), utimes and futimesat (microseconds, a NULL
 * path meaning the descriptor), utimensat (nanoseconds, UTIME_OMIT and UTIME_NOW), and
 * utimensat_time64, the 64-bit-time form glibc calls first; out-of-range microseconds are EINVAL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <utime.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static int times_are(const char *path, long atime, long mtime) {
  struct stat st;
  return stat(path, &st) == 0 && st.st_atime == atime && st.st_mtime == mtime;
}

int main(void) {
  char path[] = "/tmp/kmos-times-XXXXXX";
  int fd = mkstemp(path);
  struct utimbuf ub = {1000000, 2000000};
  printf("utime sets seconds: %s\n", yes(syscall(SYS_utime, path, &ub) == 0 && times_are(path, 1000000, 2000000)));
  struct timeval tv[2] = {{3000000, 500000}, {4000000, 250000}};
  printf("utimes sets microseconds: %s\n", yes(syscall(SYS_utimes, path, tv) == 0 && times_are(path, 3000000, 4000000)));
  struct stat st;
  stat(path, &st);
  printf("with their fractions: %s\n", yes(st.st_atim.tv_nsec == 500000000 && st.st_mtim.tv_nsec == 250000000));
  tv[0].tv_usec = 1000000;
  printf("a million microseconds is EINVAL: %s\n", yes(syscall(SYS_utimes, path, tv) < 0 && errno == EINVAL));
  tv[0] = (struct timeval){5000000, 0};
  tv[1] = (struct timeval){6000000, 0};
  printf("futimesat with a NULL path sets the descriptor's file: %s\n",
         yes(syscall(SYS_futimesat, fd, NULL, tv) == 0 && times_are(path, 5000000, 6000000)));
  struct {
    int64_t sec;
    int64_t nsec;
  } ts64[2] = {{7000000, 0}, {0, UTIME_OMIT}};
  printf("utimensat_time64 sets one and omits the other: %s\n",
         yes(syscall(SYS_utimensat_time64, AT_FDCWD, path, ts64, 0) == 0 && times_are(path, 7000000, 6000000)));
  ts64[1].sec = 8000000;
  ts64[1].nsec = 0;
  ts64[0].nsec = UTIME_OMIT;
  printf("and the other way: %s\n",
         yes(syscall(SYS_utimensat_time64, AT_FDCWD, path, ts64, 0) == 0 && times_are(path, 7000000, 8000000)));
  printf("utimes(NULL) is now: %s\n", yes(syscall(SYS_utimes, path, NULL) == 0 && stat(path, &st) == 0 && st.st_mtime > 8000000));
  close(fd);
  unlink(path);
  return 0;
}
