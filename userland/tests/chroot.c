/*
 * chroot: with CAP_SYS_CHROOT (root), a directory becomes "/": absolute paths and ".." from it stay inside,
 * "/" is the directory's inode, the working directory is not moved; ENOENT and ENOTDIR for bad paths (looked
 * up before the capability counts); without the capability, EPERM. A fork child does the chroot, so the
 * program's own view is unchanged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "capability.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

int main(void) {
  char dir[64], file[80], sub[80];
  snprintf(dir, sizeof dir, "/tmp/kmos-chroot-%d", getpid());
  snprintf(sub, sizeof sub, "%s/sub", dir);
  snprintf(file, sizeof file, "%s/marker", dir);
  mkdir(dir, 0755);
  mkdir(sub, 0755);
  close(open(file, O_WRONLY | O_CREAT, 0644));
  struct stat dir_st;
  stat(dir, &dir_st);

  errno = 0;
  printf("a missing directory is ENOENT: %s\n", yes(chroot("/tmp/kmos-no-such-dir") == -1 && errno == ENOENT));
  errno = 0;
  printf("a file is ENOTDIR: %s\n", yes(chroot(file) == -1 && errno == ENOTDIR));
  int may = has_capability(18 /* CAP_SYS_CHROOT */);
  pid_t child = fork();
  if (child == 0) {
    if (!may) _exit(chroot(dir) == -1 && errno == EPERM ? 0 : 1);
    if (chroot(dir) != 0) _exit(2);
    struct stat root, up, marker;
    int ok = stat("/", &root) == 0 && root.st_ino == dir_st.st_ino && root.st_dev == dir_st.st_dev;
    ok = ok && stat("/..", &up) == 0 && up.st_ino == root.st_ino;
    ok = ok && stat("/marker", &marker) == 0 && stat("/sub/../marker", &marker) == 0;
    ok = ok && stat("/tmp", &marker) == -1 && errno == ENOENT;
    // The working directory did not move: "." is still what it was (outside the new root).
    struct stat here;
    ok = ok && stat(".", &here) == 0 && here.st_ino != root.st_ino;
    _exit(ok ? 0 : 3);
  }
  int status = 0;
  waitpid(child, &status, 0);
  printf("chroot as the rules say (root: / is the directory, .. stays, cwd stays; others EPERM): %s\n",
         yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));
  unlink(file);
  rmdir(sub);
  rmdir(dir);
  return 0;
}
