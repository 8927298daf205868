/*
 * ioprio_get/ioprio_set (what ionice calls) and syncfs: a thread starts with no I/O class (0), keeps what it
 * sets, passes it to a forked child; an unknown class, a level with the "none" class and an unknown `which`
 * are EINVAL, a missing process ESRCH; syncfs checks its descriptor (EBADF).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }
#define PRIO(cls, data) ((cls) << 13 | (data))

int main(void) {
  printf("no class at first: %s\n", yes(syscall(SYS_ioprio_get, 1, 0) == 0));
  printf("set best-effort 7: %s\n", yes(syscall(SYS_ioprio_set, 1, 0, PRIO(2, 7)) == 0 && syscall(SYS_ioprio_get, 1, 0) == PRIO(2, 7)));
  pid_t child = fork();
  if (child == 0) _exit(syscall(SYS_ioprio_get, 1, 0) == PRIO(2, 7) ? 0 : 1);
  int status;
  waitpid(child, &status, 0);
  printf("a child inherits it: %s\n", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));
  printf("set idle: %s\n", yes(syscall(SYS_ioprio_set, 1, getpid(), PRIO(3, 0)) == 0 && syscall(SYS_ioprio_get, 1, getpid()) == PRIO(3, 0)));
  printf("an unknown class is EINVAL: %s\n", yes(syscall(SYS_ioprio_set, 1, 0, PRIO(5, 0)) < 0 && errno == EINVAL));
  printf("a level with no class is EINVAL: %s\n", yes(syscall(SYS_ioprio_set, 1, 0, PRIO(0, 3)) < 0 && errno == EINVAL));
  printf("an unknown which is EINVAL: %s\n", yes(syscall(SYS_ioprio_get, 9, 0) < 0 && errno == EINVAL));
  printf("a missing process is ESRCH: %s\n", yes(syscall(SYS_ioprio_get, 1, 0x3fffff00) < 0 && errno == ESRCH));
  printf("syncfs: %s\n", yes(syscall(SYS_syncfs, 1) == 0 && syscall(SYS_syncfs, 999) < 0 && errno == EBADF));
  return 0;
}
