/*
 * The 16-bit id calls of i386's first ABI (getuid, setresuid, getgroups, chown, ... without the 32 suffix),
 * as programs built against old headers make them: they agree with the 32-bit calls for ids that fit;
 * 0xffff means "leave it" (setresuid, setfsuid, chown); getresuid and getgroups write 16-bit arrays;
 * root may set groups through the 16-bit setgroups.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "capability.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

int main(void) {
  printf("getuid: %s\n", yes(syscall(SYS_getuid) == (long)(getuid() & 0xffff)));
  printf("geteuid, getgid, getegid: %s\n", yes(syscall(SYS_geteuid) == (long)(geteuid() & 0xffff) &&
                                              syscall(SYS_getgid) == (long)(getgid() & 0xffff) &&
                                              syscall(SYS_getegid) == (long)(getegid() & 0xffff)));
  unsigned short r = 1, e = 1, s = 1;
  printf("getresuid writes 16-bit ids: %s\n",
         yes(syscall(SYS_getresuid, &r, &e, &s) == 0 && r == (getuid() & 0xffff) && e == (geteuid() & 0xffff)));
  printf("setresuid with 0xffff keeps them: %s\n",
         yes(syscall(SYS_setresuid, 0xffff, 0xffff, 0xffff) == 0 && getuid() == r && geteuid() == e));
  printf("setfsuid(0xffff) answers the fs id: %s\n", yes(syscall(SYS_setfsuid, 0xffff) == (long)(geteuid() & 0xffff)));

  if (has_capability(6)) setgroups(2, (gid_t[]){4, 5});  // CAP_SETGID
  gid_t wide[64];
  int n = getgroups(64, wide);
  unsigned short narrow[64];
  long m = syscall(SYS_getgroups, 64, narrow);
  int same = m == n;
  for (int i = 0; same && i < n; i++) same = narrow[i] == (wide[i] & 0xffff);
  printf("getgroups writes 16-bit groups: %s\n", yes(same));
  printf("a short getgroups buffer is EINVAL: %s\n", yes(n == 0 || (syscall(SYS_getgroups, n - 1, narrow) < 0 && errno == EINVAL)));
  if (has_capability(6)) {
    unsigned short set[2] = {7, 8};
    long ok = syscall(SYS_setgroups, 2, set);
    n = getgroups(64, wide);
    printf("16-bit setgroups: %s\n", yes(ok == 0 && n == 2 && wide[0] == 7 && wide[1] == 8));
  } else {
    printf("16-bit setgroups: %s\n", yes(syscall(SYS_setgroups, 0, NULL) < 0 && errno == EPERM));
  }

  char path[] = "/tmp/kmos-legacy-ids-XXXXXX";
  int fd = mkstemp(path);
  struct stat before, after;
  fstat(fd, &before);
  printf("chown(0xffff, 0xffff) changes nothing: %s\n",
         yes(syscall(SYS_chown, path, 0xffff, 0xffff) == 0 && syscall(SYS_fchown, fd, 0xffff, 0xffff) == 0 &&
             syscall(SYS_lchown, path, 0xffff, 0xffff) == 0 && fstat(fd, &after) == 0 &&
             after.st_uid == before.st_uid && after.st_gid == before.st_gid));
  unlink(path);
  return 0;
}
