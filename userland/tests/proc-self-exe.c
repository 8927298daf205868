/*
 * proc-self-exe: /proc/self/exe names the file that was executed, as an absolute path, however exec was
 * given it (through /proc/self/exe itself, or a relative path); comm is the name exec was given; the maps
 * line of the program's text names the file too. Each child prints what it sees; the parent waits.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *how) {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n < 0) {
    perror("readlink");
    exit(2);
  }
  exe[n] = '\0';
  char comm[64] = "";
  FILE *f = fopen("/proc/self/comm", "r");
  if (f && fgets(comm, sizeof comm, f)) comm[strcspn(comm, "\n")] = '\0';
  if (f) fclose(f);
  /* The first maps line is the program's first PT_LOAD, mapped from the file. */
  char line[4608] = "";
  f = fopen("/proc/self/maps", "r");
  if (f && !fgets(line, sizeof line, f)) line[0] = '\0';
  if (f) fclose(f);
  line[strcspn(line, "\n")] = '\0';
  const char *mapped = strchr(line, '/');
  printf("%s: exe=%s comm=%s first mapping=%s\n", how, exe, comm, mapped ? mapped : "(none)");
}

static void run(const char *path, const char *how) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    execl(path, path, how, (char *)0);
    perror("execl");
    _exit(127);
  }
  int status;
  waitpid(pid, &status, 0);
  printf("%s: exit %d\n", how, WEXITSTATUS(status));
}

int main(int argc, char **argv) {
  if (argc > 1) {
    show(argv[1]);
    return 0;
  }
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n < 0) return 1;
  self[n] = '\0';
  run("/proc/self/exe", "through-proc-self-exe");
  char dir[4096], base[4096], relative[4200];
  strcpy(dir, self);
  strcpy(base, self);
  snprintf(relative, sizeof relative, "./%s", basename(base));
  if (chdir(dirname(dir)) != 0) return 1;
  run(relative, "relative-path");
  return 0;
}
