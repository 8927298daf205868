/* Pipe throughput: 64 KiB writes from a parent to a reading child. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "timing.h"

#define CHUNK (64 * 1024)
#define TOTAL (256LL * 1024 * 1024)

int main(void) {
  int fds[2];
  if (pipe(fds)) return 1;
  static char buf[CHUNK];
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[1]);
    long long got = 0;
    for (ssize_t r; (r = read(fds[0], buf, CHUNK)) > 0;) got += r;
    _exit(got == TOTAL ? 0 : 1);
  }
  close(fds[0]);
  long long start = now_ns();
  for (long long sent = 0; sent < TOTAL;) sent += write(fds[1], buf, CHUNK);
  close(fds[1]);
  int status;
  waitpid(pid, &status, 0);
  double seconds = (now_ns() - start) / 1e9;
  report("pipe-64k", TOTAL / (1024.0 * 1024.0) / seconds, "MiB/s");
  return WEXITSTATUS(status);
}
