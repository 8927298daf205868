/*
 * /proc/<pid>/oom_score and oom_score_adj, as choom reads them: the adjustment 0, and the score as Linux's
 * proc_oom_score computes it — the badness (VmRSS + VmSwap + VmPTE pages) as a share of MemTotal +
 * SwapTotal, in the exported scale (1000 + share) * 2 / 3 — before and after holding 40 MiB more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "read-file.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static char text[1 << 14];

static long number(const char *path) {
  memset(text, 0, sizeof text);
  read_file(path, text, sizeof text - 1);
  return strtol(text, NULL, 10);
}

/* The kB value of `field` in `path` (a "Name:   123 kB" line), 0 when absent. */
static long long kb(const char *path, const char *field) {
  memset(text, 0, sizeof text);
  read_file(path, text, sizeof text - 1);
  char *at = strstr(text, field);
  return at ? strtoll(at + strlen(field), NULL, 10) : 0;
}

static int matches_formula(void) {
  long long badness = (kb("/proc/self/status", "VmRSS:") + kb("/proc/self/status", "VmSwap:") +
                       kb("/proc/self/status", "VmPTE:")) / 4;
  long long total = (kb("/proc/meminfo", "MemTotal:") + kb("/proc/meminfo", "SwapTotal:")) / 4;
  long long expected = (1000 + badness * 1000 / total) * 2 / 3;
  long score = number("/proc/self/oom_score");
  return score >= expected - 1 && score <= expected + 1;
}

int main(void) {
  printf("oom_score_adj 0: %s\n", yes(number("/proc/self/oom_score_adj") == 0));
  printf("score as the badness formula says: %s\n", yes(matches_formula()));
  size_t big = 40u << 20;
  volatile char *p = malloc(big); /* volatile: the compiler may not drop the stores as dead */
  for (size_t i = 0; i < big; i += 4096) p[i] = 1;
  printf("and holding 40 MiB more: %s\n", yes(matches_formula()));
  free((void *)p);
  return 0;
}
