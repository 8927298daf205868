/*
 * proc-statm: /proc/self/statm agrees with /proc/self/status (size with VmSize, resident with VmRSS, data
 * with VmData + VmStk, text with VmExe; lib and dt are 0), RssAnon + RssFile + RssShmem is VmRSS, a touched
 * shared anonymous page is RssShmem, VmPeak and VmHWM keep 8 MiB mapped, touched and unmapped again,
 * /proc/self/stat's startcode and endcode hold main, and its startstack is argc's slot, just below argv.
 * (The figures themselves differ between kernels and runs: only agreement is printed.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "read-file.h"

static char status[8192], statm[256], stat[1024];

/* The kB figure of `name:` in status, -1 when absent. */
static long status_kb(const char *name) {
  char key[32];
  snprintf(key, sizeof key, "\n%s:", name);
  const char *at = strstr(status, key);
  return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

/* Reads statm and status until two rounds agree (a page fault between the reads changes VmRSS). */
static void read_both(void) {
  static char before[256];
  for (int i = 0; i < 10; i++) {
    memset(statm, 0, sizeof statm);
    memset(status, 0, sizeof status);
    read_file("/proc/self/statm", statm, sizeof statm - 1);
    read_file("/proc/self/status", status + 1, sizeof status - 2);
    status[0] = '\n';
    memset(before, 0, sizeof before);
    read_file("/proc/self/statm", before, sizeof before - 1);
    if (strcmp(before, statm) == 0) return;
  }
}

int main(int argc, char **argv) {
  (void)argc;
  read_both();
  long page_kb = sysconf(_SC_PAGESIZE) / 1024;
  unsigned long size, resident, shared, text, lib, data, dt;
  int n = sscanf(statm, "%lu %lu %lu %lu %lu %lu %lu", &size, &resident, &shared, &text, &lib, &data, &dt);
  printf("statm has 7 fields: %s\n", n == 7 ? "yes" : "no");
  printf("size is VmSize: %s\n", (long)size * page_kb == status_kb("VmSize") ? "yes" : "no");
  printf("resident is VmRSS: %s\n", (long)resident * page_kb == status_kb("VmRSS") ? "yes" : "no");
  printf("shared is at most resident: %s\n", shared <= resident ? "yes" : "no");
  printf("data is VmData + VmStk: %s\n",
         (long)data * page_kb == status_kb("VmData") + status_kb("VmStk") ? "yes" : "no");
  printf("text is VmExe: %s; lib and dt are 0: %s\n", (long)text * page_kb == status_kb("VmExe") ? "yes" : "no",
         lib == 0 && dt == 0 ? "yes" : "no");
  printf("VmLib is there: %s\n", status_kb("VmLib") >= 0 ? "yes" : "no");

  char *shared_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  shared_page[0] = 1;
  enum { BIG = 8 << 20 };
  char *big = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (size_t i = 0; i < BIG; i += 4096) big[i] = 1;
  read_both();
  printf("RssAnon + RssFile + RssShmem is VmRSS: %s\n",
         status_kb("RssAnon") + status_kb("RssFile") + status_kb("RssShmem") == status_kb("VmRSS") ? "yes"
                                                                                                 : "no");
  printf("the shared page is RssShmem: %s\n", status_kb("RssShmem") >= 4 ? "yes" : "no");
  long touched_rss = status_kb("VmRSS");
  munmap(big, BIG);
  read_both();
  printf("VmSize fell, VmPeak kept the 8 MiB: %s\n",
         status_kb("VmPeak") >= status_kb("VmSize") + (BIG >> 10) ? "yes" : "no");
  // Linux's RSS counters lag a little (per-task deltas, folded in every 64 events): most of the 8 MiB, then.
  long most = (BIG >> 10) * 3 / 4;
  printf("VmRSS fell, VmHWM kept most of it: %s\n",
         status_kb("VmRSS") <= touched_rss - most && status_kb("VmHWM") >= status_kb("VmRSS") + most ? "yes" : "no");

  read_file("/proc/self/stat", stat, sizeof stat - 1);
  // Fields after the command (which may hold spaces and parentheses): the state is field 3; startcode and
  // endcode are fields 26 and 27.
  unsigned long field[64] = {0};
  char *rest = strrchr(stat, ')');
  int number = 3;
  for (char *token = rest ? strtok(rest + 1, " ") : NULL; token && number < 64; token = strtok(NULL, " "))
    field[number++] = strtoul(token, NULL, 10);
  uintptr_t start = field[26], end = field[27], at = (uintptr_t)&main;
  printf("stat's startcode <= main < endcode: %s\n", start <= at && at < end ? "yes" : "no");
  printf("stat's startstack is argc's slot: %s\n", field[28] == (uintptr_t)argv - sizeof(long) ? "yes" : "no");
  printf("endcode - startcode within text pages: %s\n",
         end > start && end - start <= text * (unsigned long)sysconf(_SC_PAGESIZE) ? "yes" : "no");
  return 0;
}
