/*
 * proc-magic-links: /proc/self/exe, cwd and root are magic links, as fd/N are: following one reaches the
 * file or directory itself, not the path its text names. A program whose file was unlinked still opens
 * /proc/self/exe and pages in the rest of itself, and stat through the links sees the same inodes as stat
 * of the real paths.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int same_inode(const char *a, const char *b) {
  struct stat sa, sb;
  if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return -1;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Run as a copy of this program that has unlinked itself. */
static int deleted_exe(const char *self) {
  if (unlink(self) != 0) return perror("unlink"), 2;
  int fd = open("/proc/self/exe", O_RDONLY);
  char magic[4] = {0};
  printf("deleted exe: open %s, magic %s\n", fd >= 0 ? "ok" : "failed",
         fd >= 0 && read(fd, magic, 4) == 4 && memcmp(magic, "\177ELF", 4) == 0 ? "ELF" : "-");
  struct stat st;
  printf("deleted exe: fstat nlink %d\n", fd >= 0 && fstat(fd, &st) == 0 ? (int)st.st_nlink : -1);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[1], "deleted-exe") == 0) return deleted_exe(argv[2]);
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n < 0) return 1;
  self[n] = '\0';
  printf("exe is the program: %d\n", same_inode("/proc/self/exe", self));
  char dir[] = "/tmp/kmos-magic-XXXXXX";
  if (!mkdtemp(dir) || chdir(dir) != 0) return 1;
  printf("cwd is the directory: %d\n", same_inode("/proc/self/cwd", dir));
  printf("root is /: %d\n", same_inode("/proc/self/root", "/"));
  printf("cwd/. is the directory: %d\n", same_inode("/proc/self/cwd/.", dir));
  /* A copy of this program, executed and unlinked by itself. */
  char copy[4200];
  snprintf(copy, sizeof copy, "%s/copy", dir);
  int in = open(self, O_RDONLY), out = open(copy, O_WRONLY | O_CREAT | O_EXCL, 0755);
  char buf[65536];
  for (ssize_t got; (got = read(in, buf, sizeof buf)) > 0;)
    if (write(out, buf, got) != got) return 1;
  close(in);
  close(out);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    execl(copy, copy, "deleted-exe", copy, (char *)0);
    _exit(127);
  }
  int status;
  waitpid(pid, &status, 0);
  printf("child exit %d\n", WEXITSTATUS(status));
  if (chdir("/") != 0 || rmdir(dir) != 0) return 1;
  return 0;
}
