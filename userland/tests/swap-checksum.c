/* swap-checksum: fills MIB mebibytes (argv[1], default 4) with a pseudo-random pattern, page by page, then
 * reads it back in a shuffled page order and prints a checksum and how many pages are wrong. Then it forks:
 * the child checks the same memory, rewrites every other page with another pattern and checks again; the
 * parent waits and checks that its own copy did not change. On a kmOS machine with less RAM than that and a
 * swap area, pages go out to swap and come back (shared after fork, then copied on write); natively it is
 * just memory. The output must be the same either way. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE_WORDS 1024u

static uint32_t *mem;
static uint32_t pages;

/* xorshift32, seeded per page: the page's expected contents can be rebuilt at any time. */
static uint32_t next(uint32_t *s) {
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

static uint32_t seed(uint32_t page, uint32_t salt) {
  return (page * 2654435761u) ^ (salt * 40503u) ^ 0x9e3779b9u;
}

static void fill(uint32_t page, uint32_t salt) {
  uint32_t s = seed(page, salt), *w = mem + (size_t)page * PAGE_WORDS;
  for (uint32_t i = 0; i < PAGE_WORDS; i++) w[i] = next(&s);
}

/* Adds the page to the checksum; returns 1 if it differs from what `salt` wrote. */
static int check(uint32_t page, uint32_t salt, uint64_t *sum) {
  uint32_t s = seed(page, salt), *w = mem + (size_t)page * PAGE_WORDS;
  int bad = 0;
  for (uint32_t i = 0; i < PAGE_WORDS; i++) {
    bad |= w[i] != next(&s);
    *sum = *sum * 1099511628211u + w[i];
  }
  return bad;
}

/* Every page in a fixed shuffled order (Fisher-Yates over an LCG), so accesses jump around memory. */
static uint32_t *shuffled(void) {
  uint32_t *order = malloc(pages * sizeof *order), r = 12345;
  for (uint32_t i = 0; i < pages; i++) order[i] = i;
  for (uint32_t i = pages - 1; i > 0; i--) {
    r = r * 1103515245u + 12345u;
    uint32_t j = (r >> 8) % (i + 1), t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/* Checks every page in `order`; page p is expected to hold salt 2 if `even2` and p is even, else salt 1. */
static void report(const char *who, const uint32_t *order, int even2) {
  uint64_t sum = 0;
  uint32_t bad = 0;
  for (uint32_t i = 0; i < pages; i++) {
    uint32_t p = order[i];
    bad += check(p, even2 && p % 2 == 0 ? 2 : 1, &sum);
  }
  printf("%s: checksum %016llx, %u of %u pages wrong\n", who, (unsigned long long)sum, bad, pages);
}

int main(int argc, char **argv) {
  uint32_t mib = argc > 1 ? (uint32_t)atoi(argv[1]) : 4;
  pages = mib * 256;
  mem = mmap(0, (size_t)pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return perror("mmap"), 1;
  uint32_t *order = shuffled();
  for (uint32_t p = 0; p < pages; p++) fill(p, 1);
  report("filled", order, 0);
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) return perror("fork"), 1;
  if (pid == 0) {
    report("child before writing", order, 0);
    for (uint32_t p = 0; p < pages; p += 2) fill(p, 2);
    report("child after writing", order, 1);
    fflush(stdout);
    _exit(0);
  }
  int status;
  if (waitpid(pid, &status, 0) != pid) return perror("waitpid"), 1;
  printf("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  report("parent", order, 0);
  return 0;
}
