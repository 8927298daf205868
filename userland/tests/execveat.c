/*
 * execveat: a program run from a directory descriptor and a name, and by its own descriptor with
 * AT_EMPTY_PATH (glibc's fexecve, also from an O_PATH descriptor); a #! script run by descriptor gets
 * "/dev/fd/N" as its path, and is ENOENT when that descriptor is close-on-exec; AT_SYMLINK_NOFOLLOW on a
 * symlink is ELOOP, an empty path without AT_EMPTY_PATH ENOENT, unknown flags EINVAL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }
extern char **environ;

static int execveat_call(int dirfd, const char *path, char **argv, int flags) {
  return (int)syscall(SYS_execveat, dirfd, path, argv, environ, flags);
}

/* Runs `body` in a child; returns its exit status (or 100 + the errno its exec failed with). */
static int in_child(int (*body)(void *), void *arg) {
  pid_t pid = fork();
  if (pid == 0) {
    body(arg);
    _exit(100 + errno);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char self[PATH_MAX];
static char *child_argv[] = {self, "exit", "7", NULL};

static int by_dir(void *arg) {
  (void)arg;
  char copy[PATH_MAX];
  strcpy(copy, self);
  int dir = open(dirname(copy), O_RDONLY | O_DIRECTORY);
  strcpy(copy, self);
  return execveat_call(dir, basename(copy), child_argv, 0);
}

static int by_fd(void *arg) {
  int fd = open(self, *(int *)arg);
  return execveat_call(fd, "", child_argv, AT_EMPTY_PATH);
}

static int by_fexecve(void *arg) {
  (void)arg;
  int fd = open(self, O_RDONLY);
  return fexecve(fd, child_argv, environ);
}

static char script[64];
static int script_by_fd(void *arg) {
  int fd = open(script, O_RDONLY | *(int *)arg);
  char *argv[] = {script, NULL};
  return execveat_call(fd, "", argv, AT_EMPTY_PATH);
}

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[1], "exit") == 0) return atoi(argv[2]);
  // As a script's interpreter: argv is [self, "script", path of the script].
  if (argc > 2 && strcmp(argv[1], "script") == 0) return strncmp(argv[2], "/dev/fd/", 8) == 0 ? 9 : 8;
  if (!realpath("/proc/self/exe", self)) return 1;

  printf("from a directory and a name: %s\n", yes(in_child(by_dir, NULL) == 7));
  int plain = O_RDONLY, path_only = O_PATH;
  printf("by descriptor: %s\n", yes(in_child(by_fd, &plain) == 7));
  printf("by an O_PATH descriptor: %s\n", yes(in_child(by_fd, &path_only) == 7));
  printf("fexecve: %s\n", yes(in_child(by_fexecve, NULL) == 7));

  strcpy(script, "/tmp/kmos-execveat-XXXXXX");
  int sfd = mkstemp(script);
  dprintf(sfd, "#!%s script\n", self);
  fchmod(sfd, 0755);
  close(sfd);
  int keep = 0, cloexec = O_CLOEXEC;
  printf("a script by descriptor is named /dev/fd/N: %s\n", yes(in_child(script_by_fd, &keep) == 9));
  printf("through a close-on-exec descriptor it is ENOENT: %s\n", yes(in_child(script_by_fd, &cloexec) == 100 + ENOENT));

  char link[64];
  snprintf(link, sizeof link, "%s.lnk", script);
  symlink(self, link);
  printf("AT_SYMLINK_NOFOLLOW on a symlink is ELOOP: %s\n",
         yes(execveat_call(AT_FDCWD, link, child_argv, AT_SYMLINK_NOFOLLOW) < 0 && errno == ELOOP));
  printf("an empty path without AT_EMPTY_PATH is ENOENT: %s\n",
         yes(execveat_call(AT_FDCWD, "", child_argv, 0) < 0 && errno == ENOENT));
  printf("unknown flags are EINVAL: %s\n", yes(execveat_call(AT_FDCWD, self, child_argv, 1) < 0 && errno == EINVAL));
  unlink(link);
  unlink(script);
  return 0;
}
