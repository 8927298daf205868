/*
 * rlimits: resource limits are per process and inherited. A limit lowered with setrlimit reads back the same
 * through getrlimit and prlimit; a forked child and a program it execs start with the parent's limits; a
 * child's change leaves the parent's alone; raising a hard limit without privilege is EPERM (run as root it
 * is allowed, so only the unprivileged case prints), soft above hard is EINVAL. /proc/self/limits shows the
 * table in Linux's columns once every limit is lowered to a known value (the host's own limits differ).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *who) {
  struct rlimit nofile, stack, core;
  getrlimit(RLIMIT_NOFILE, &nofile);
  getrlimit(RLIMIT_STACK, &stack);
  getrlimit(RLIMIT_CORE, &core);
  printf("%s: nofile %lu/%lu stack %lu core %lu/%lu\n", who, (unsigned long)nofile.rlim_cur,
         (unsigned long)nofile.rlim_max, (unsigned long)stack.rlim_cur, (unsigned long)core.rlim_cur,
         (unsigned long)core.rlim_max);
}

/* Every limit lowered to a value of its own (lowering is always allowed), then /proc/self/limits printed. */
static void show_proc_limits(void) {
  static const struct { int resource; rlim_t soft, hard; } known[] = {
      {RLIMIT_CPU, 1000, 2000},          {RLIMIT_FSIZE, 1 << 30, RLIM_INFINITY},
      {RLIMIT_DATA, 1u << 31, 1u << 31}, {RLIMIT_STACK, 4 << 20, 8 << 20},
      {RLIMIT_CORE, 0, 0},               {RLIMIT_RSS, RLIM_INFINITY, RLIM_INFINITY},
      {RLIMIT_NPROC, 100, 200},          {RLIMIT_NOFILE, 64, 128},
      {RLIMIT_MEMLOCK, 65536, 65536},    {RLIMIT_AS, RLIM_INFINITY, RLIM_INFINITY},
      {RLIMIT_LOCKS, 1000, 1000},        {RLIMIT_SIGPENDING, 100, 100},
      {RLIMIT_MSGQUEUE, 8192, 8192},     {RLIMIT_NICE, 0, 0},
      {RLIMIT_RTPRIO, 0, 0},             {RLIMIT_RTTIME, 500000, RLIM_INFINITY},
  };
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    struct rlimit r = {known[i].soft, known[i].hard};
    if (setrlimit(known[i].resource, &r) != 0) printf("setrlimit %d: %s\n", known[i].resource, strerror(errno));
  }
  FILE *f = fopen("/proc/self/limits", "r");
  if (!f) {
    perror("/proc/self/limits");
    return;
  }
  char line[256];
  while (fgets(line, sizeof line, f)) fputs(line, stdout);
  fclose(f);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "exec") == 0) {
    show("exec'd");
    return 0;
  }
  struct rlimit nofile = {200, 1000}, core = {0, 0}, stack = {4 << 20, RLIM_INFINITY};
  if (setrlimit(RLIMIT_NOFILE, &nofile) != 0) perror("setrlimit NOFILE");
  if (setrlimit(RLIMIT_STACK, &stack) != 0) perror("setrlimit STACK");
  if (setrlimit(RLIMIT_CORE, &core) != 0) perror("setrlimit CORE");
  show("parent");

  struct rlimit64 got;
  if (prlimit64(0, RLIMIT_NOFILE, NULL, &got) == 0)
    printf("prlimit64: %llu/%llu\n", (unsigned long long)got.rlim_cur, (unsigned long long)got.rlim_max);

  struct rlimit bad = {2000, 1000};
  int r = setrlimit(RLIMIT_NOFILE, &bad);
  printf("soft above hard: %d %s\n", r, r ? strerror(errno) : "ok");
  if (geteuid() != 0) {
    struct rlimit raise = {200, 2000};
    r = setrlimit(RLIMIT_NOFILE, &raise);
    printf("raise hard: %d %s\n", r, r ? strerror(errno) : "ok");
  }

  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    show("child");
    struct rlimit lower = {100, 500};
    setrlimit(RLIMIT_NOFILE, &lower);
    show("child lowered");
    fflush(stdout);
    execl("/proc/self/exe", argv[0], "exec", (char *)0);
    _exit(127);
  }
  int status;
  waitpid(pid, &status, 0);
  printf("child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  show("parent after");
  fflush(stdout);
  show_proc_limits();
  return 0;
}
