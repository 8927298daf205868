/* Page-fault costs for `pnpm bench mm`: a demand-zero fault (first touch of fresh anonymous memory), a
 * copy-on-write fault (a forked child writing pages it shares with its parent), and forking a process with
 * 64 MiB touched. Each figure is printed as `name value unit`. */
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "timing.h"

#define SIZE (64 * 1024 * 1024)
#define PAGES (SIZE / 4096)

int main(void) {
  char *a = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (a == MAP_FAILED) return 1;
  long long start = now_ns();
  for (long i = 0; i < SIZE; i += 4096) a[i] = 1;
  report("demand-zero-fault", (double)(now_ns() - start) / PAGES, "ns");

  int fds[2];
  pipe(fds);
  start = now_ns();
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
