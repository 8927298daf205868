/* Shared by the test programs: whether the process has a capability, as rules that depend on it need. */
#ifndef KMOS_TESTS_CAPABILITY_H
#define KMOS_TESTS_CAPABILITY_H
#include <stdio.h>
#include <unistd.h>

/*
 * Root with capability `bit` in CapEff (a container's root may lack some). kmOS's /proc/<pid>/status has no
 * capability lines: there root has them all.
 */
static int has_capability(int bit) {
  if (geteuid() != 0) return 0;
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  unsigned long long caps = ~0ULL;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "CapEff: %llx", &caps) == 1) break;
  if (f) fclose(f);
  return (caps >> bit) & 1;
}
#endif
