/*
 * RLIMIT_AS bounds the address space: with a 64 MiB soft limit a 128 MiB mmap is ENOMEM and malloc
 * returns NULL, a small one still works; the limit holds in the program exec runs next (the shell's
 * `ulimit -v` then exec), and raising it back up lets the big mapping through.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

#define BIG (128u << 20)

static void check(const char *when) {
  void *big = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("%s: a 128 MiB mmap ENOMEM: %s\n", when, yes(big == MAP_FAILED && errno == ENOMEM));
  printf("%s: malloc of 128 MiB fails: %s\n", when, yes(malloc(BIG) == NULL));
  void *small = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("%s: a 1 MiB mmap works: %s\n", when, yes(small != MAP_FAILED));
}

int main(int argc, char **argv) {
  if (argc > 1) {
    check("after exec");
    struct rlimit up = {RLIM_INFINITY, RLIM_INFINITY};
    setrlimit(RLIMIT_AS, &up);
    void *big = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("raised again, the big mmap works: %s\n", yes(big != MAP_FAILED));
    return 0;
  }
  struct rlimit lim = {64u << 20, RLIM_INFINITY};
  printf("setrlimit: %s\n", yes(setrlimit(RLIMIT_AS, &lim) == 0));
  check("before exec");
  fflush(stdout);
  execl("/proc/self/exe", argv[0], "again", (char *)0);
  return 1;
}
