/* Pipe throughput: 64 KiB writes from a parent to a reading child. Rounds of 256 MiB (timing.h), each ending
 * when the child has read it all and said so on a second pipe: the steady figure and the first round's. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "timing.h"

#define CHUNK (64 * 1024)
#define TOTAL (256LL * 1024 * 1024)

static char buf[CHUNK];
static int data[2], ack[2];

/* The child: reads rounds of TOTAL bytes, acknowledging each with one byte, until end of file. */
static int reader(void) {
  long long got = 0;
  for (ssize_t r; (r = read(data[0], buf, CHUNK)) > 0;) {
    got += r;
    if (got == TOTAL) {
      got = 0;
      if (write(ack[1], "", 1) != 1) return 1;
    }
  }
  return got == 0 ? 0 : 1;
}

static int round_of_writes(void) {
  for (long long sent = 0; sent < TOTAL;) {
    ssize_t w = write(data[1], buf, CHUNK);
    if (w <= 0) return 1;
    sent += w;
  }
  char c;
  return read(ack[0], &c, 1) == 1 ? 0 : 1;
}

int main(void) {
  if (pipe(data) || pipe(ack)) return 1;
  pid_t pid = fork();
  if (pid == 0) {
    close(data[1]);
    close(ack[0]);
    _exit(reader());
  }
  close(data[0]);
  close(ack[1]);
  struct rounds r;
  int failed = time_rounds(round_of_writes, &r);
  close(data[1]);
  int status;
  waitpid(pid, &status, 0);
  if (failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
  double mib = TOTAL / (1024.0 * 1024.0);
  report("pipe-64k", mib / (r.best_ns / 1e9), "MiB/s");
  report("pipe-64k-cold", mib / (r.first_ns / 1e9), "MiB/s");
  return 0;
}
