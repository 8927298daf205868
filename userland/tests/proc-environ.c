/*
 * proc-environ: /proc/self/environ holds the environment exec gave the program, each string NUL-terminated
 * (setenv afterwards does not change it); a forked child sees the same; a program exec'd with its own
 * environment sees exactly that. /proc/self/mounts lists what /proc/mounts lists, and /proc/mounts is a
 * symlink to self/mounts.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "read-file.h"

extern char **environ;

/* Whether /proc/self/environ is the strings of `env`, in order, each ending in NUL. */
static int environ_is(char **env) {
  static char buf[1 << 16], want[1 << 16];
  size_t got = read_file("/proc/self/environ", buf, sizeof buf), len = 0;
  for (char **e = env; *e; e++) {
    size_t n = strlen(*e) + 1;
    if (len + n > sizeof want) return 0;
    memcpy(want + len, *e, n);
    len += n;
  }
  return got == len && memcmp(buf, want, len) == 0;
}

int main(int argc, char **argv) {
  if (argc > 1) {
    static char buf[256];
    size_t n = read_file("/proc/self/environ", buf, sizeof buf);
    for (size_t i = 0; i < n; i++) putchar(buf[i] ? buf[i] : '|');
    printf("\n");
    return 0;
  }
  char **original = environ;
  printf("environ as exec gave it: %s\n", environ_is(original) ? "yes" : "no");
  setenv("KMOS_ADDED_LATER", "1", 1);
  printf("after setenv, still as exec gave it: %s\n", environ_is(original) ? "yes" : "no");
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    printf("forked child sees it too: %s\n", environ_is(original) ? "yes" : "no");
    fflush(stdout);
    char *env[] = {"A=1", "EMPTY=", "B=two words", NULL};
    execle("/proc/self/exe", "proc-environ", "show", (char *)0, env);
    _exit(127);
  }
  int status;
  waitpid(pid, &status, 0);
  static char a[1 << 16], b[1 << 16];
  size_t na = read_file("/proc/mounts", a, sizeof a), nb = read_file("/proc/self/mounts", b, sizeof b);
  printf("/proc/self/mounts is /proc/mounts: %s\n", na > 0 && na == nb && memcmp(a, b, na) == 0 ? "yes" : "no");
  struct stat st;
  char target[64] = "";
  ssize_t n = readlink("/proc/mounts", target, sizeof target - 1);
  if (n > 0) target[n] = 0;
  printf("/proc/mounts: symlink %s to %s\n", lstat("/proc/mounts", &st) == 0 && S_ISLNK(st.st_mode) ? "yes" : "no",
         target);
  return WEXITSTATUS(status);
}
