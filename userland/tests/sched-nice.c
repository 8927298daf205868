/*
 * sched-nice: nice values and scheduling attributes as Linux keeps them. setpriority/getpriority of the
 * process (its thread) and of a tid, nice(), the clamp at 19, lowering the value (allowed to root, EACCES and
 * nice()'s EPERM to others), /proc/self/stat's priority (20 + nice), nice and policy fields, inheritance by a
 * fork child and a thread, ESRCH and EINVAL; the policy calls (SCHED_BATCH and back, priority ranges, bad
 * policies and priorities), sched_getparam, sched_rr_get_interval, affinity down to one CPU and getcpu in
 * the affinity set. Values relative to the starting nice, so a niced test runner changes nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "capability.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

/* Field `n` (1-based) of /proc/self/stat, or -999. */
static long stat_field(int n) {
  static char text[1024];
  FILE *f = fopen("/proc/self/stat", "r");
  size_t len = f ? fread(text, 1, sizeof text - 1, f) : 0;
  if (f) fclose(f);
  text[len] = '\0';
  char *p = strrchr(text, ')');
  if (!p) return -999;
  p += 2;  // field 3
  for (int field = 3; field < n; field++) {
    p = strchr(p, ' ');
    if (!p) return -999;
    p++;
  }
  return strtol(p, NULL, 10);
}

static int get_nice(void) {
  errno = 0;
  return getpriority(PRIO_PROCESS, 0);
}

static int thread_nice = -999;
static void *thread_main(void *arg) {
  (void)arg;
  thread_nice = getpriority(PRIO_PROCESS, 0);
  return NULL;
}

int main(void) {
  int root = has_capability(23 /* CAP_SYS_NICE */);
  int start = get_nice();
  printf("getpriority works: %s\n", yes(errno == 0 && start >= -20 && start <= 19));
  int base = start < 10 ? start : 10;  // room to go up
  printf("set to base + 5: %s\n", yes(setpriority(PRIO_PROCESS, 0, base + 5) == 0 && get_nice() == base + 5));
  printf("stat priority is 20 + nice, nice field the value: %s\n",
         yes(stat_field(18) == 20 + base + 5 && stat_field(19) == base + 5));
  printf("setpriority by tid: %s\n",
         yes(setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), base + 6) == 0 && get_nice() == base + 6));
  errno = 0;
  int r = nice(1);
  printf("nice(1) returns the new value: %s\n", yes(r == base + 7 && errno == 0 && get_nice() == base + 7));
  printf("clamped at 19: %s\n", yes(setpriority(PRIO_PROCESS, 0, 100) == 0 && get_nice() == 19));
  errno = 0;
  int lowered = setpriority(PRIO_PROCESS, 0, base + 5) == 0;
  printf("lowering it as the rules say (root may, others EACCES): %s\n",
         yes(root ? lowered && get_nice() == base + 5 : !lowered && errno == EACCES));
  errno = 0;
  r = nice(-1);
  printf("nice(-1) as the rules say (root may, others EPERM): %s\n",
         yes(root ? r != -1 : r == -1 && errno == EPERM));
  int now = get_nice();

  pid_t child = fork();
  if (child == 0) _exit(get_nice() == now ? 0 : 1);
  int status = 0;
  waitpid(child, &status, 0);
  printf("a fork child inherits it: %s\n", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));
  pthread_t thread;
  pthread_create(&thread, NULL, thread_main, NULL);
  pthread_join(thread, NULL);
  printf("a new thread inherits it: %s\n", yes(thread_nice == now));

  errno = 0;
  printf("ESRCH for no such process: %s\n", yes(getpriority(PRIO_PROCESS, 999999) == -1 && errno == ESRCH));
  errno = 0;
  printf("EINVAL for a bad which: %s\n", yes(setpriority(99, 0, 0) == -1 && errno == EINVAL));

  printf("policy is SCHED_OTHER: %s\n", yes(sched_getscheduler(0) == SCHED_OTHER && stat_field(41) == 0));
  struct sched_param param = {0};
  printf("SCHED_BATCH set and read back, in stat: %s\n",
         yes(sched_setscheduler(0, SCHED_BATCH, &param) == 0 && sched_getscheduler(0) == SCHED_BATCH &&
             stat_field(41) == SCHED_BATCH));
  printf("back to SCHED_OTHER: %s\n",
         yes(sched_setscheduler(0, SCHED_OTHER, &param) == 0 && sched_getscheduler(0) == SCHED_OTHER));
  param.sched_priority = 5;
  errno = 0;
  printf("SCHED_OTHER with priority 5 is EINVAL: %s\n",
         yes(sched_setscheduler(0, SCHED_OTHER, &param) == -1 && errno == EINVAL));
  errno = 0;
  printf("policy 77 is EINVAL: %s\n", yes(sched_setscheduler(0, 77, &param) == -1 && errno == EINVAL));
  param.sched_priority = 100;
  errno = 0;
  printf("SCHED_FIFO priority 100 is EINVAL: %s\n",
         yes(sched_setscheduler(0, SCHED_FIFO, &param) == -1 && errno == EINVAL));
  printf("priority ranges: %s\n",
         yes(sched_get_priority_max(SCHED_FIFO) == 99 && sched_get_priority_min(SCHED_FIFO) == 1 &&
             sched_get_priority_max(SCHED_RR) == 99 && sched_get_priority_min(SCHED_RR) == 1 &&
             sched_get_priority_max(SCHED_OTHER) == 0 && sched_get_priority_min(SCHED_BATCH) == 0));
  errno = 0;
  printf("range of policy 77 is EINVAL: %s\n", yes(sched_get_priority_max(77) == -1 && errno == EINVAL));
  param.sched_priority = 42;
  printf("sched_getparam: priority 0: %s\n", yes(sched_getparam(0, &param) == 0 && param.sched_priority == 0));
  errno = 0;
  printf("sched_getparam of no such process is ESRCH: %s\n",
         yes(sched_getparam(999999, &param) == -1 && errno == ESRCH));
  struct timespec slice;
  printf("sched_rr_get_interval works: %s\n", yes(sched_rr_get_interval(0, &slice) == 0 && slice.tv_sec >= 0));

  // Down to the first CPU the process may use.
  cpu_set_t set;
  int first = 0;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  while (first < CPU_SETSIZE - 1 && !CPU_ISSET(first, &set)) first++;
  CPU_ZERO(&set);
  CPU_SET(first, &set);
  printf("affinity set to one CPU: %s\n",
         yes(sched_setaffinity(0, sizeof set, &set) == 0 && sched_getaffinity(0, sizeof set, &set) == 0 &&
             CPU_ISSET(first, &set) && CPU_COUNT(&set) == 1));
  printf("getcpu is in the affinity set: %s\n", yes(CPU_ISSET(sched_getcpu(), &set)));
  CPU_ZERO(&set);
  errno = 0;
  printf("an empty affinity mask is EINVAL: %s\n",
         yes(sched_setaffinity(0, sizeof set, &set) == -1 && errno == EINVAL));
  return 0;
}
