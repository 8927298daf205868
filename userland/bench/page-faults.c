/* Page-fault costs for `pnpm bench mm`: a demand-zero fault (first touch of fresh anonymous memory), a
 * copy-on-write fault (a forked child writing pages it shares with its parent), and forking a process with
 * 64 MiB touched. Each figure is printed as `name value unit`.
 *
 * The demand-zero fault is measured twice. Cold: the first 64 MiB a fresh process touches, which under kmOS
 * also pays the JIT warming up the kernel's fault path and the host committing the pages of the emulated
 * RAM on their first use. Warm: the best of ROUNDS more rounds (map, touch, unmap), as a long-running
 * system sees it, where freed frames are reused. */
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "timing.h"

#define SIZE (64 * 1024 * 1024)
#define PAGES (SIZE / 4096)
#define ROUNDS 8

/* Nanoseconds per page to touch every page of a fresh anonymous mapping of SIZE bytes at `a`. */
static double touch_all(char *a, char value) {
  long long start = now_ns();
  for (long i = 0; i < SIZE; i += 4096) a[i] = value;
  return (double)(now_ns() - start) / PAGES;
}

int main(void) {
  char *a = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (a == MAP_FAILED) return 1;
  double cold = touch_all(a, 1);
  double warm = 0;
  for (int r = 0; r < ROUNDS; r++) {
    char *b = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED) return 1;
    double ns = touch_all(b, 1);
    if (r == 0 || ns < warm) warm = ns;
    munmap(b, SIZE);
  }
  report("demand-zero-fault", warm, "ns");
  report("demand-zero-fault-cold", cold, "ns");

  int fds[2];
  pipe(fds);
  long long start = now_ns();
  pid_t pid = fork();
  if (pid == 0) {
    long long forked = now_ns();
    for (long i = 0; i < SIZE; i += 4096) a[i] = 2;
    long long cow = now_ns() - forked;
    write(fds[1], &cow, sizeof cow);
    _exit(0);
  }
  long long forkNs = now_ns() - start;
  long long cowNs = 0;
  read(fds[0], &cowNs, sizeof cowNs);
  waitpid(pid, NULL, 0);
  report("fork-64m-touched", forkNs / 1000.0, "us");
  report("cow-fault", (double)cowNs / PAGES, "ns");
  return a[4096] == 1 ? 0 : 1;
}
