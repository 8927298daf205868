/* fork-tree: a tree of processes three levels deep; each parent waits for its children in order and adds up
 * their exit statuses, so the output is the same whatever order the scheduler runs them in. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int node(int depth, int id) {
  if (depth == 3) return id % 7;
  pid_t children[3];
  for (int i = 0; i < 3; i++) {
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); exit(100); }
    if (pid == 0) _exit(node(depth + 1, id * 3 + i + 1));
    children[i] = pid;
  }
  int sum = 0;
  for (int i = 0; i < 3; i++) {
    int status;
    if (waitpid(children[i], &status, 0) != children[i]) { perror("waitpid"); exit(101); }
    if (!WIFEXITED(status)) exit(102);
    sum += WEXITSTATUS(status);
  }
  return (sum + id) % 200;
}

int main(int argc, char **argv) {
  (void)argv;
  if (argc > 1) return 0; /* the exec'd copy: proves execve of /proc/self/exe works */
  int result = node(0, 0);
  printf("tree result %d\n", result);
  pid_t pid = fork();
  if (pid == 0) { execl("/proc/self/exe", "fork-tree", "never", (char *)0); _exit(0); }
  int status;
  wait(&status);
  printf("no more children: %s\n", wait(&status) == -1 ? "yes" : "no");
  return 0;
}
