/*
 * /proc/<pid>/smaps, as pmap -x reads it: for a private anonymous mapping of 4 pages with 2 written, its
 * maps line, Size 16 kB, Rss, Private_Dirty and Anonymous 8 kB, Pss 8 kB; after a fork (the child holding
 * the same pages until it writes) the pages are Shared_Dirty and Pss halves; a file mapping read is clean
 * and not anonymous; the field order and widths are Linux's.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "read-file.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static char table[1 << 20];

/* The smaps block of the mapping starting at `start`; NULL when there is none. */
static const char *block_of(void *start) {
  size_t n = read_file("/proc/self/smaps", table, sizeof table - 1);
  table[n] = 0;
  char head[32];
  snprintf(head, sizeof head, "%08lx-", (unsigned long)start);
  char *at = strstr(table, head);
  if (!at) return NULL;
  char *next = strstr(at + 1, "VmFlags:");
  if (next) {
    char *end = strchr(next, '\n');
    if (end) end[1] = 0;
  }
  return at;
}

static long field(const char *block, const char *name) {
  char key[64];
  snprintf(key, sizeof key, "\n%s:", name);
  const char *at = block ? strstr(block, key) : NULL;
  return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

int main(void) {
  /* Guard pages on both sides keep the mapping a VMA of its own (no neighbour to merge with). */
  char *area = mmap(NULL, 6 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *p = area + 4096;
  mprotect(p, 4 * 4096, PROT_READ | PROT_WRITE);
  p[0] = 1;
  p[4096] = 1;
  const char *b = block_of(p);
  printf("a block for the mapping: %s\n", yes(b != NULL));
  printf("Size 16 kB: %s\n", yes(field(b, "Size") == 16));
  printf("Rss 8 kB, Pss 8 kB: %s\n", yes(field(b, "Rss") == 8 && field(b, "Pss") == 8));
  printf("Private_Dirty 8 kB, Anonymous 8 kB: %s\n", yes(field(b, "Private_Dirty") == 8 && field(b, "Anonymous") == 8));
  printf("nothing shared or swapped: %s\n", yes(field(b, "Shared_Dirty") == 0 && field(b, "Shared_Clean") == 0 && field(b, "Swap") == 0));
  printf("page sizes 4 kB: %s\n", yes(field(b, "KernelPageSize") == 4 && field(b, "MMUPageSize") == 4));
  printf("format: %s\n", yes(b && strstr(b, "\nSize:                 16 kB\nKernelPageSize:        4 kB\n") != NULL));
  printf("VmFlags rd wr mr mw me ac: %s\n", yes(b && strstr(b, "VmFlags: rd wr mr mw me ac") != NULL));

  int go[2], done[2];
  pipe(go);
  pipe(done);
  pid_t child = fork();
  if (child == 0) {
    char c;
    write(done[1], "r", 1);
    read(go[0], &c, 1);
    _exit(0);
  }
  char c;
  read(done[0], &c, 1);
  b = block_of(p);
  printf("after fork: Shared_Dirty 8 kB: %s\n", yes(field(b, "Shared_Dirty") == 8 && field(b, "Private_Dirty") == 0));
  printf("after fork: Pss halves to 4 kB: %s\n", yes(field(b, "Pss") == 4 && field(b, "Rss") == 8));
  write(go[1], "g", 1);
  waitpid(child, NULL, 0);

  /* A file nobody wrote lately (the executable's pages may still be dirty in the page cache). */
  int fd = open("/etc/passwd", O_RDONLY);
  char *f = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
  volatile char first = f[0];
  (void)first;
  b = block_of(f);
  printf("a file page read: clean, not anonymous: %s\n", yes(field(b, "Rss") == 4 && field(b, "Anonymous") == 0 && field(b, "Private_Dirty") == 0 && field(b, "Shared_Dirty") == 0));
  return 0;
}
