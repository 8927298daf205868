/* pipes: a producer and a consumer process move 8 MiB through a pipe in odd-sized writes; the consumer checks
 * every byte against the pattern and both report byte counts and a checksum. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define TOTAL (8 * 1024 * 1024)

static uint8_t pattern(uint32_t i) { return (uint8_t)(i * 2654435761u >> 24); }

int main(void) {
  int fds[2];
  if (pipe(fds) != 0) { perror("pipe"); return 1; }
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    static uint8_t buf[70000];
    uint32_t sent = 0, chunk = 1;
    while (sent < TOTAL) {
      uint32_t n = chunk % sizeof buf + 1;
      if (n > TOTAL - sent) n = TOTAL - sent;
      for (uint32_t i = 0; i < n; i++) buf[i] = pattern(sent + i);
      ssize_t w = write(fds[1], buf, n);
      if (w <= 0) { perror("write"); _exit(1); }
      sent += (uint32_t)w;
      chunk = chunk * 1103515245u + 12345u;
    }
    _exit(0);
  }
  close(fds[1]);
  static uint8_t buf[65536];
  uint32_t got = 0, sum = 0, bad = 0;
  for (;;) {
    ssize_t r = read(fds[0], buf, sizeof buf);
    if (r < 0) { perror("read"); return 1; }
    if (r == 0) break;
    for (ssize_t i = 0; i < r; i++) {
      if (buf[i] != pattern(got + (uint32_t)i)) bad++;
      sum = sum * 31 + buf[i];
    }
    got += (uint32_t)r;
  }
  int status;
  waitpid(pid, &status, 0);
  printf("received %u bytes, %u wrong, checksum %08x, writer status %d\n", got, bad, sum, WEXITSTATUS(status));
  return 0;
}
