/*
 * clone3: a fork-like clone3 (exit signal in its own field) whose child's exit status the parent reaps;
 * CLONE_PIDFD writes a close-on-exec pidfd that waitid(P_PIDFD) reaps; CLONE_CLEAR_SIGHAND gives the child
 * default handlers but keeps ignored signals ignored; posix_spawn (glibc runs it on clone3 with a stack
 * and CLONE_CLEAR_SIGHAND | CLONE_VM | CLONE_VFORK) runs this program again; a short struct is EINVAL, a longer one
 * with a nonzero tail E2BIG, an exit signal among the flags EINVAL, and a stack without a size EINVAL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static long clone3_call(struct clone_args *args, size_t size) { return syscall(SYS_clone3, args, size); }

static void on_usr1(int signo) { (void)signo; }

extern char **environ;

int main(int argc, char **argv) {
  if (argc > 1) return atoi(argv[1]);
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.exit_signal = SIGCHLD;
  long pid = clone3_call(&args, sizeof args);
  if (pid == 0) _exit(5);
  int status = 0;
  printf("fork-like clone3: %s\n", yes(pid > 0 && waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 5));

  int pidfd = -1;
  memset(&args, 0, sizeof args);
  args.flags = CLONE_PIDFD;
  args.pidfd = (uintptr_t)&pidfd;
  args.exit_signal = SIGCHLD;
  pid = clone3_call(&args, sizeof args);
  if (pid == 0) _exit(6);
  siginfo_t info;
  memset(&info, 0, sizeof info);
  int waited = (int)syscall(SYS_waitid, P_PIDFD, pidfd, &info, WEXITED, NULL);
  printf("CLONE_PIDFD: %s\n", yes(pidfd >= 0 && fcntl(pidfd, F_GETFD) == FD_CLOEXEC && waited == 0 &&
                                  info.si_pid == pid && info.si_status == 6));
  close(pidfd);

  signal(SIGUSR1, on_usr1);
  signal(SIGUSR2, SIG_IGN);
  memset(&args, 0, sizeof args);
  args.flags = CLONE_CLEAR_SIGHAND;
  args.exit_signal = SIGCHLD;
  pid = clone3_call(&args, sizeof args);
  if (pid == 0) {
    struct sigaction a1, a2;
    sigaction(SIGUSR1, NULL, &a1);
    sigaction(SIGUSR2, NULL, &a2);
    _exit(a1.sa_handler == SIG_DFL && a2.sa_handler == SIG_IGN ? 0 : 1);
  }
  waitpid(pid, &status, 0);
  printf("CLONE_CLEAR_SIGHAND: %s\n", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));
  struct sigaction mine;
  sigaction(SIGUSR1, NULL, &mine);
  printf("the parent keeps its handler: %s\n", yes(mine.sa_handler == on_usr1));

  pid_t spawned;
  char *child_argv[] = {argv[0], "7", NULL};
  int r = posix_spawn(&spawned, "/proc/self/exe", NULL, NULL, child_argv, environ);
  printf("posix_spawn: %s\n", yes(r == 0 && waitpid(spawned, &status, 0) == spawned && WEXITSTATUS(status) == 7));

  memset(&args, 0, sizeof args);
  args.exit_signal = SIGCHLD;
  printf("a short struct is EINVAL: %s\n", yes(clone3_call(&args, 32) < 0 && errno == EINVAL));
  struct {
    struct clone_args args;
    uint64_t extra;
  } longer;
  memset(&longer, 0, sizeof longer);
  longer.args.exit_signal = SIGCHLD;
  longer.extra = 1;
  printf("a longer one with a nonzero tail is E2BIG: %s\n", yes(clone3_call(&longer.args, sizeof longer) < 0 && errno == E2BIG));
  args.flags = SIGCHLD;
  args.exit_signal = 0;
  printf("an exit signal among the flags is EINVAL: %s\n", yes(clone3_call(&args, sizeof args) < 0 && errno == EINVAL));
  memset(&args, 0, sizeof args);
  args.stack = (uintptr_t)&args;
  printf("a stack without a size is EINVAL: %s\n", yes(clone3_call(&args, sizeof args) < 0 && errno == EINVAL));
  return 0;
}
