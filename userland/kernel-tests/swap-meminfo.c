/* swap-meminfo: the swap figures /proc shows move as memory goes to swap and comes back. Prints SwapTotal,
 * then touches MIB mebibytes (argv[1]) and reports whether SwapFree fell and VmSwap rose (and whether
 * /proc/vmstat counted pages out and back in once it reads them again), then unmaps it and
 * reports whether the slots still in use are exactly this process's other swapped pages, and ends with
 * /proc/swaps. kmOS only: the host's swap figures are its own (tests/userland/swap.test.ts runs it on a
 * small machine with a swap area). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* The value of `key` (e.g. "SwapFree:") in a /proc file of "Key: value kB" lines, or -1. */
static long field(const char *file, const char *key) {
  FILE *f = fopen(file, "r");
  char line[256];
  long v = -1;
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, key, strlen(key)) == 0) v = atol(line + strlen(key));
  fclose(f);
  return v;
}

static void cat(const char *file) {
  FILE *f = fopen(file, "r");
  int c;
  if (!f) return;
  while ((c = fgetc(f)) != EOF) putchar(c);
  fclose(f);
}

int main(int argc, char **argv) {
  size_t size = (size_t)(argc > 1 ? atoi(argv[1]) : 16) << 20;
  long total = field("/proc/meminfo", "SwapTotal:"), free0 = field("/proc/meminfo", "SwapFree:");
  printf("SwapTotal: %ld kB, SwapFree at start: %s\n", total, free0 == total ? "all" : "not all");
  char *p = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return perror("mmap"), 1;
  for (size_t i = 0; i < size; i += 4096) p[i] = (char)(i >> 12);
  long free1 = field("/proc/meminfo", "SwapFree:"), vmswap = field("/proc/self/status", "VmSwap:");
  printf("SwapFree fell: %s\n", free1 < free0 ? "yes" : "no");
  printf("VmSwap rose: %s\n", vmswap > 0 ? "yes" : "no");
  printf("SwapFree + VmSwap <= SwapTotal: %s\n", free1 + vmswap <= total ? "yes" : "no");
  long bad = 0;
  for (size_t i = 0; i < size; i += 4096) bad += p[i] != (char)(i >> 12);
  printf("pages wrong: %ld\n", bad);
  printf("pswpout and pswpin counted: %s\n",
         field("/proc/vmstat", "pswpout ") > 0 && field("/proc/vmstat", "pswpin ") > 0 ? "yes" : "no");
  munmap(p, size);
  /* Other pages of this process (stack, libc's data) may be out too: every slot in use must be one of them. */
  long free2 = field("/proc/meminfo", "SwapFree:"), vmswap2 = field("/proc/self/status", "VmSwap:");
  printf("slots freed by munmap: %s\n", free2 > free1 ? "yes" : "no");
  printf("SwapTotal - SwapFree == VmSwap after munmap: %s\n", total - free2 == vmswap2 ? "yes" : "no");
  fflush(stdout);
  cat("/proc/swaps");
  return 0;
}
