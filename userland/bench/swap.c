/* Swap costs for `pnpm bench mm`. Run under kmOS on a machine with RAM_MIB (argv[1]) of RAM and a swap area,
 * it touches twice that much anonymous memory, one byte per page: once RAM is full, each page of the first
 * pass costs a demand-zero fault plus a page written out to make room ("swap-out-fault"); the second pass
 * reads every page again, each costing a page read back in plus one written out ("swap-in-fault"). Natively
 * the same passes are plain faults and memory reads: the baseline. Figures: `name value unit`. */
#include <stdlib.h>
#include <sys/mman.h>
#include "timing.h"

int main(int argc, char **argv) {
  long ramPages = (argc > 1 ? atol(argv[1]) : 16) * 256;
  long pages = 2 * ramPages;
  volatile char *a = mmap(0, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (a == MAP_FAILED) return 1;
  for (long i = 0; i < ramPages; i++) a[i * 4096] = 1;
  long long start = now_ns();
  for (long i = ramPages; i < pages; i++) a[i * 4096] = 1;
  report("swap-out-fault", (double)(now_ns() - start) / (pages - ramPages), "ns");
  long sum = 0;
  start = now_ns();
  for (long i = 0; i < pages; i++) sum += a[i * 4096];
  report("swap-in-fault", (double)(now_ns() - start) / pages, "ns");
  return sum == pages ? 0 : 1;
}
