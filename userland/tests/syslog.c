/*
 * syslog(2) (klogctl), as dmesg reads the kernel's messages: SIZE_BUFFER gives the buffer's size; READ_ALL
 * gives whole lines, each "<level>[seconds] text", no more than asked for (0 bytes for 0); an unknown action
 * is EINVAL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

/* Every line of `text` (n bytes) looks like "<N>[ seconds.micros] ...". */
static int lines_look_right(const char *text, int n) {
  if (n == 0 || text[n - 1] != '\n') return 0;
  for (const char *line = text; line < text + n;) {
    const char *end = memchr(line, '\n', text + n - line);
    if (!end || line[0] != '<' || line[2] != '>' || line[3] != '[' || !memchr(line, ']', end - line)) return 0;
    line = end + 1;
  }
  return 1;
}

int main(void) {
  int size = klogctl(10, NULL, 0);
  printf("SIZE_BUFFER: %s\n", yes(size >= 4096));
  char *buf = malloc(size);
  int n = klogctl(3, buf, size);
  printf("READ_ALL gives whole lines: %s\n", yes(n > 0 && lines_look_right(buf, n)));
  int small = klogctl(3, buf, 200);
  printf("no more than asked for: %s\n", yes(small >= 0 && small <= 200 && (small == 0 || lines_look_right(buf, small))));
  printf("0 bytes for 0: %s\n", yes(klogctl(3, buf, 0) == 0));
  printf("an unknown action is EINVAL: %s\n", yes(klogctl(99, buf, size) < 0 && errno == EINVAL));
  return 0;
}
