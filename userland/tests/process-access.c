/*
 * Looking into other processes, and unsharing: process_vm_readv reads a child's memory into several
 * buffers and process_vm_writev writes into it; a bad remote address is EFAULT and flags are EINVAL; kcmp
 * says a forked child shares its parent's open file but not its address space, and a CLONE_FILES child its
 * descriptor table; unshare(CLONE_FILES) gives such a child a table of its own, unshare(CLONE_FS) its own
 * working directory; a new namespace without privilege is EPERM (or, for root, what the kernel has).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "capability.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static char secret[32] = "the child's secret";
static int unshare_fs_child(void *arg) {
  (void)arg;
  if (unshare(CLONE_FS) != 0) return 2;
  return chdir("/") == 0 ? 0 : 1;
}

static long kcmp_call(pid_t a, pid_t b, int type, long x, long y) { return syscall(SYS_kcmp, a, b, type, x, y); }

/* Two pipes: the parent says "go" on the first, the child answers on the second. */
static int to_child[2], to_parent[2];

static int shared_files_child(void *arg) {
  (void)arg;
  char c;
  read(to_child[0], &c, 1);  // the parent has compared the shared tables
  unshare(CLONE_FILES);
  write(to_parent[1], "u", 1);
  read(to_child[0], &c, 1);  // the parent has compared them again
  return 0;
}

int main(void) {
  int ready[2];
  pipe(ready);
  int fd = open("/proc/self/status", O_RDONLY);
  pid_t child = fork();
  if (child == 0) {
    strcpy(secret, "changed by the child");
    write(ready[1], "r", 1);
    pause();
    _exit(0);
  }
  char c;
  read(ready[0], &c, 1);
  char a[10] = {0}, b[20] = {0};
  struct iovec local[2] = {{a, 9}, {b, 11}};
  struct iovec remote = {secret, 20};
  ssize_t n = process_vm_readv(child, local, 2, &remote, 1, 0);
  printf("process_vm_readv: %s\n", yes(n == 20 && memcmp(a, "changed b", 9) == 0 && memcmp(b, "y the child", 11) == 0));
  struct iovec src = {"written in", 10};
  struct iovec dst = {secret, 10};
  n = process_vm_writev(child, &src, 1, &dst, 1, 0);
  n = n == 10 ? process_vm_readv(child, local, 1, &remote, 1, 0) : -1;
  printf("process_vm_writev: %s\n", yes(n == 9 && memcmp(a, "written i", 9) == 0));
  struct iovec bad = {(void *)16, 4};
  printf("a bad remote address is EFAULT: %s\n", yes(process_vm_readv(child, local, 1, &bad, 1, 0) < 0 && errno == EFAULT));
  printf("flags are EINVAL: %s\n", yes(process_vm_readv(child, local, 1, &remote, 1, 1) < 0 && errno == EINVAL));

  printf("kcmp: the child shares the open file: %s\n", yes(kcmp_call(getpid(), child, KCMP_FILE, fd, fd) == 0));
  long vm = kcmp_call(getpid(), child, KCMP_VM, 0, 0);
  printf("but not the address space: %s\n", yes(vm == 1 || vm == 2));
  printf("a process shares its own: %s\n", yes(kcmp_call(getpid(), getpid(), KCMP_VM, 0, 0) == 0));
  printf("a bad descriptor is EBADF: %s\n", yes(kcmp_call(getpid(), child, KCMP_FILE, 999, fd) < 0 && errno == EBADF));
  printf("a bad type is EINVAL: %s\n", yes(kcmp_call(getpid(), child, 99, 0, 0) < 0 && errno == EINVAL));
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  printf("a gone process is ESRCH: %s\n", yes(kcmp_call(getpid(), child, KCMP_VM, 0, 0) < 0 && errno == ESRCH));

  // A CLONE_FILES child shares the table until it unshares it.
  pipe(to_child);
  pipe(to_parent);
  static char stack[65536];
  pid_t sharer = clone(shared_files_child, stack + sizeof stack, CLONE_FILES | SIGCHLD, NULL);
  printf("CLONE_FILES shares the table: %s\n", yes(kcmp_call(getpid(), sharer, KCMP_FILES, 0, 0) == 0));
  write(to_child[1], "g", 1);
  read(to_parent[0], &c, 1);
  long files = kcmp_call(getpid(), sharer, KCMP_FILES, 0, 0);
  printf("unshare(CLONE_FILES) gives it its own: %s\n", yes(files == 1 || files == 2));
  printf("with the same files in it: %s\n", yes(kcmp_call(getpid(), sharer, KCMP_FILE, fd, fd) == 0));
  write(to_child[1], "g", 1);
  waitpid(sharer, NULL, 0);

  // A CLONE_FS child shares the working directory until it unshares it.
  char before[256], after[256];
  getcwd(before, sizeof before);
  pid_t fs_child = clone(unshare_fs_child, stack + sizeof stack, CLONE_FS | SIGCHLD, NULL);
  int status;
  waitpid(fs_child, &status, 0);
  getcwd(after, sizeof after);
  printf("unshare(CLONE_FS): %s\n", yes(WEXITSTATUS(status) == 0 && strcmp(before, after) == 0));
  int r = unshare(CLONE_NEWUTS);
  printf("a new namespace needs privilege: %s\n", yes(has_capability(21) ? 1 : (r < 0 && errno == EPERM)));
  printf("unknown unshare flags are EINVAL: %s\n", yes(unshare(CLONE_VFORK) < 0 && errno == EINVAL));
  return 0;
}
