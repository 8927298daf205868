/* fork + exec + wait of a tiny static program (this one, asked to exit at once). Rounds of 100 (timing.h):
 * the steady figure and the first round's. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "timing.h"

#define SPAWNS 100

static int round_of_spawns(void) {
  for (int i = 0; i < SPAWNS; i++) {
    pid_t pid = fork();
    if (pid == 0) {
      execl("/proc/self/exe", "fork-exec", "child", (char *)0);
      _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) _exit(0);
  struct rounds r;
  if (time_rounds(round_of_spawns, &r) != 0) return 1;
  report_rounds("fork-exec-wait", &r, SPAWNS, 1000, "us");
  return 0;
}
