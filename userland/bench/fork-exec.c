/* fork + exec + wait of a tiny static program (this one, asked to exit at once). */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "timing.h"

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) _exit(0);
  const int n = 100;
  long long start = now_ns();
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid == 0) {
      execl("/proc/self/exe", "fork-exec", "child", (char *)0);
      _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
  }
  report("fork-exec-wait", (double)(now_ns() - start) / n / 1000.0, "us");
  return 0;
}
