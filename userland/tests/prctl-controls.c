/*
 * prctl's process settings and personality(2), as setpriv, setarch and service managers use them: the
 * parent-death signal (delivered when the parent exits, cleared in a fork's child), keep-capabilities
 * (cleared by exec), no-new-privileges (sticky, strict arguments), the child subreaper (orphans come back
 * to it), securebits, timer slack, THP disable, the bounding set (read, drop), seccomp off, and the
 * personality (any persona kept, old one returned, kept across exec).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static volatile sig_atomic_t got;
static void on_usr1(int sig) { got = sig; }

static int run(char **argv);

/*
 * The checks run in a child: under `kmos run` the first process is pid 1, to which orphans go, and the
 * orphan checks need a process that is not init (as the test is natively).
 */
int main(int argc, char **argv) {
  if (argc > 1) {
    /* After exec: what survived. */
    printf("after exec: personality kept: %s\n", yes(personality(0xffffffff) == PER_LINUX32));
    printf("after exec: keepcaps cleared: %s\n", yes(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0));
    printf("after exec: no_new_privs kept: %s\n", yes(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1));
    return 0;
  }
  pid_t runner = fork();
  if (runner == 0) return run(argv);
  int status, code = 1;
  for (pid_t w; (w = wait(&status)) > 0;)
    if (w == runner) code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  return code;
}

static int run(char **argv) {
  int sig = -1;
  printf("pdeathsig starts 0: %s\n", yes(prctl(PR_GET_PDEATHSIG, &sig) == 0 && sig == 0));
  printf("pdeathsig 65 EINVAL: %s\n", yes(prctl(PR_SET_PDEATHSIG, 65) == -1 && errno == EINVAL));
  printf("keepcaps 2 EINVAL: %s\n", yes(prctl(PR_SET_KEEPCAPS, 2) == -1 && errno == EINVAL));
  printf("keepcaps set: %s\n", yes(prctl(PR_SET_KEEPCAPS, 1) == 0 && prctl(PR_GET_KEEPCAPS) == 1));
  printf("seccomp off: %s\n", yes(prctl(PR_GET_SECCOMP) == 0));
  printf("bounding set has CAP_CHOWN: %s\n", yes(prctl(PR_CAPBSET_READ, 0) == 1));
  printf("capability 63 EINVAL: %s\n", yes(prctl(PR_CAPBSET_READ, 63) == -1 && errno == EINVAL));
  printf("securebits readable: %s\n", yes(prctl(PR_GET_SECUREBITS) >= 0));
  printf("securebits unknown bit EPERM: %s\n", yes(prctl(PR_SET_SECUREBITS, 1 << 20) == -1 && errno == EPERM));
  printf("timer slack 50000: %s\n", yes(prctl(PR_GET_TIMERSLACK) == 50000));
  printf("timer slack set and reset: %s\n", yes(prctl(PR_SET_TIMERSLACK, 1000) == 0 && prctl(PR_GET_TIMERSLACK) == 1000 && prctl(PR_SET_TIMERSLACK, 0) == 0 && prctl(PR_GET_TIMERSLACK) == 50000));
  printf("thp disable: %s\n", yes(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 0 && prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0 && prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1));
  printf("no_new_privs needs exactly 1: %s\n", yes(prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0) == -1 && errno == EINVAL));
  printf("get no_new_privs with an argument EINVAL: %s\n", yes(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 && errno == EINVAL));
  printf("no_new_privs set: %s\n", yes(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1));
  printf("an unknown option EINVAL: %s\n", yes(prctl(1000, 0, 0, 0, 0) == -1 && errno == EINVAL));

  /* The parent-death signal: a grandchild asks for SIGUSR1 when its parent (the child) exits. */
  int p[2];
  pipe(p);
  pid_t child = fork();
  if (child == 0) {
    int cleared = -1;
    prctl(PR_GET_PDEATHSIG, &cleared);
    pid_t grandchild = fork();
    if (grandchild == 0) {
      signal(SIGUSR1, on_usr1);
      prctl(PR_SET_PDEATHSIG, SIGUSR1);
      write(p[1], "r", 1);
      for (int i = 0; i < 200 && !got; i++) usleep(10000);
      char verdict = got == SIGUSR1 ? 'y' : 'n';
      write(p[1], &verdict, 1);
      _exit(0);
    }
    char ready;
    read(p[0], &ready, 1);
    _exit(cleared == 0 ? 0 : 1);
  }
  int status;
  waitpid(child, &status, 0);
  char verdict = '?'; /* the child took the grandchild's "ready" byte */
  read(p[0], &verdict, 1);
  printf("the signal arrives when the parent exits: %s\n", yes(verdict == 'y'));

  /* A child subreaper gets its orphaned grandchildren. */
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  int reaper = 0;
  prctl(PR_GET_CHILD_SUBREAPER, &reaper);
  printf("subreaper set: %s\n", yes(reaper == 1));
  child = fork();
  if (child == 0) {
    if (fork() == 0) {
      usleep(100000);
      _exit(7);
    }
    _exit(0);
  }
  waitpid(child, NULL, 0);
  pid_t orphan = wait(&status);
  printf("the orphan is ours to wait for: %s\n", yes(orphan > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 7));

  printf("personality starts PER_LINUX: %s\n", yes(personality(0xffffffff) == PER_LINUX));
  printf("PER_LINUX32 set, old one returned: %s\n", yes(personality(PER_LINUX32) == PER_LINUX && personality(0xffffffff) == PER_LINUX32));
  fflush(stdout);
  execl("/proc/self/exe", argv[0], "after", (char *)0);
  return 1;
}
