/*
 * A death by a signal whose default action dumps core (SIGSEGV, SIGABRT, SIGQUIT), with RLIMIT_CORE 0 so
 * no core file is written: the wait status names the signal and says no core was dumped (WCOREDUMP 0), as
 * shells then print "Segmentation fault" without "(core dumped)".
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

int main(void) {
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);
  int signals[] = {SIGSEGV, SIGABRT, SIGQUIT, SIGTERM};
  for (int i = 0; i < 4; i++) {
    pid_t child = fork();
    if (child == 0) {
      raise(signals[i]);
      _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    printf("signal %d: killed by it, no core: %s\n", signals[i], yes(WIFSIGNALED(status) && WTERMSIG(status) == signals[i] && !WCOREDUMP(status)));
  }
  return 0;
}
