/* oom-child: a child touches far more memory than the machine has; the kernel must kill it (SIGKILL, as the
 * OOM killer does) and keep running, so the parent reports how the child ended. Not compared with a native
 * run (the host has the memory); run on a small kmOS machine by tests/userland/oom.test.ts. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  pid_t pid = fork();
  if (pid == 0) {
    size_t size = 256u * 1024 * 1024;
    char *p = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) _exit(2);
    for (size_t i = 0; i < size; i += 4096) p[i] = 1;
    _exit(0);
  }
  int status;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) printf("child killed by signal %d\n", WTERMSIG(status));
  else printf("child exited %d\n", WEXITSTATUS(status));
  return 0;
}
