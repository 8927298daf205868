/*
 * mlock: memory locks as /proc/self/status's VmLck counts them. mlock of three pages faults them in and adds
 * 12 kB; munlock takes it off; an unmapped range is ENOMEM; mlock2's MLOCK_ONFAULT locks without faulting
 * in; unknown mlock2 flags are EINVAL; mlockall(MCL_CURRENT) locks everything (but the vDSO) and munlockall
 * undoes it;
 * MCL_FUTURE locks new mappings; mlockall's bad flags are EINVAL; a fork child has no locks; and with
 * RLIMIT_MEMLOCK at one page, locking three is allowed to root (CAP_IPC_LOCK) and ENOMEM to others.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "capability.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static long status_kb(const char *name) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long value = -1;
  size_t len = strlen(name);
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, name, len) == 0 && line[len] == ':') value = strtol(line + len + 1, NULL, 10);
  if (f) fclose(f);
  return value;
}

static int resident_pages(void *at, int pages) {
  unsigned char vec[16];
  if (mincore(at, (size_t)pages * 4096, vec) != 0) return -1;
  int n = 0;
  for (int i = 0; i < pages; i++) n += vec[i] & 1;
  return n;
}

int main(void) {
  long base = status_kb("VmLck");
  printf("VmLck is there: %s\n", yes(base >= 0));
  char *area = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("mlock of three pages: %s\n", yes(mlock(area, 3 * 4096) == 0 && status_kb("VmLck") == base + 12));
  printf("faulted them in: %s\n", yes(resident_pages(area, 4) == 3));
  printf("munlock: %s\n", yes(munlock(area, 3 * 4096) == 0 && status_kb("VmLck") == base));
  munmap(area + 3 * 4096, 4096);
  errno = 0;
  printf("a range reaching unmapped memory is ENOMEM: %s\n", yes(mlock(area, 4 * 4096) == -1 && errno == ENOMEM));
  munlock(area, 3 * 4096);

  char *lazy = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("MLOCK_ONFAULT locks without faulting in: %s\n",
         yes(mlock2(lazy, 2 * 4096, MLOCK_ONFAULT) == 0 && status_kb("VmLck") == base + 8 &&
             resident_pages(lazy, 2) == 0));
  munlock(lazy, 2 * 4096);
  errno = 0;
  printf("unknown mlock2 flags are EINVAL: %s\n", yes(mlock2(lazy, 4096, 2) == -1 && errno == EINVAL));

  // All but the vDSO's pages, which Linux does not lock (kmOS has none).
  int all = mlockall(MCL_CURRENT) == 0;
  long locked_kb = status_kb("VmLck");
  printf("mlockall(MCL_CURRENT) locks it all: %s\n",
         yes(all && locked_kb > 12 && status_kb("VmSize") - locked_kb <= 64));
  printf("munlockall: %s\n", yes(munlockall() == 0 && status_kb("VmLck") == 0));
  printf("MCL_FUTURE locks new mappings: %s",
         yes(mlockall(MCL_FUTURE) == 0 && status_kb("VmLck") == 0));
  char *later = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf(", faulted in: %s\n", yes(status_kb("VmLck") == 16 && resident_pages(later, 4) == 4));
  munlockall();
  errno = 0;
  printf("mlockall(0) is EINVAL: %s", yes(mlockall(0) == -1 && errno == EINVAL));
  errno = 0;
  printf(", MCL_ONFAULT alone too: %s\n", yes(mlockall(MCL_ONFAULT) == -1 && errno == EINVAL));

  mlock(area, 3 * 4096);
  pid_t child = fork();
  if (child == 0) _exit(status_kb("VmLck") == 0 ? 0 : 1);
  int status = 0;
  waitpid(child, &status, 0);
  printf("a fork child has no locks: %s\n", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));
  munlock(area, 3 * 4096);

  struct rlimit one = {4096, 4096};
  setrlimit(RLIMIT_MEMLOCK, &one);
  errno = 0;
  int locked = mlock(area, 3 * 4096) == 0;
  printf("past RLIMIT_MEMLOCK as the rules say (root may, others ENOMEM): %s\n",
         yes(has_capability(14 /* CAP_IPC_LOCK */) ? locked : !locked && errno == ENOMEM));
  return 0;
}
