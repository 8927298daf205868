/* pipes: a producer and a consumer process move 8 MiB through a pipe in odd-sized writes; the consumer checks
 * every byte against the pattern and both report byte counts and a checksum. Then one blocking write far
 * larger than the pipe, drained by a slow reader: it returns only when every byte is in (pipe(7)); and one
 * that nobody reads, cut short by a signal handler: it returns the bytes that went in. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define TOTAL (8 * 1024 * 1024)

static uint8_t pattern(uint32_t i) { return (uint8_t)(i * 2654435761u >> 24); }

#define BIG (300 * 1000)

/* One write(2) of BIG bytes while a child reads 1000 bytes at a time. */
static int big_write(void) {
  int fds[2];
  if (pipe(fds) != 0) { perror("pipe"); return 1; }
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[1]);
    static uint8_t small[1000];
    uint32_t got = 0, bad = 0;
    for (ssize_t r; (r = read(fds[0], small, sizeof small)) > 0;) {
      for (ssize_t i = 0; i < r; i++) bad += small[i] != pattern(got + (uint32_t)i);
      got += (uint32_t)r;
    }
    printf("reader got %u bytes, %u wrong\n", got, bad);
    fflush(stdout);
    _exit(0);
  }
  close(fds[0]);
  static uint8_t big[BIG];
  for (uint32_t i = 0; i < BIG; i++) big[i] = pattern(i);
  ssize_t w = write(fds[1], big, BIG);
  close(fds[1]);
  int status;
  waitpid(pid, &status, 0);
  printf("one write of %d bytes returned %zd\n", BIG, w);
  return 0;
}

static void on_alarm(int signo) { (void)signo; }

/* One write(2) of BIG bytes into a pipe nobody reads, interrupted by SIGALRM (no SA_RESTART). */
static int interrupted_write(void) {
  int fds[2];
  if (pipe(fds) != 0) { perror("pipe"); return 1; }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, 0);
  struct itimerval it = {{0, 0}, {0, 50000}};
  setitimer(ITIMER_REAL, &it, 0);
  static uint8_t big[BIG];
  ssize_t w = write(fds[1], big, BIG);
  printf("an interrupted write of %d bytes returned %zd\n", BIG, w);
  return 0;
}

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
  if (big_write() != 0) return 1;
  return interrupted_write();
}
