/*
 * proc-magic-links: /proc/self/exe, cwd and root are magic links, as fd/N are: following one reaches the
 * file or directory itself, not the path its text names. A program whose file was unlinked still opens
 * /proc/self/exe and pages in the rest of itself (the link's text then ends in " (deleted)"), and stat
 * through the links sees the same inodes as stat of the real paths.
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
  char text[4096];
  ssize_t n = readlink("/proc/self/exe", text, sizeof text - 1);
  text[n < 0 ? 0 : n] = '\0';
  const char *tail = " (deleted)";
  size_t len = strlen(text);
  printf("deleted exe: text ends in (deleted): %s\n",
         len > strlen(tail) && strcmp(text + len - strlen(tail), tail) == 0 ? "yes" : "no");
  int fd = open("/proc/self/exe", O_RDONLY);
  char magic[4] = {0};
  printf("deleted exe: open %s, magic %s\n", fd >= 0 ? "ok" : "failed",
         fd >= 0 && read(fd, magic, 4) == 4 && memcmp(magic, "\177ELF", 4) == 0 ? "ELF" : "-");
  struct stat st;
  printf("deleted exe: fstat nlink %d\n", fd >= 0 && fstat(fd, &st) == 0 ? (int)st.st_nlink : -1);
  return 0;
}

/* The text of a link to something removed ends in " (deleted)": an unlinked open file, a removed cwd. */
static int deleted_names(void) {
  char dir[] = "/tmp/kmos-deleted-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  char file[256], link[64], text[512], want[300];
  snprintf(file, sizeof file, "%s/file", dir);
  int fd = open(file, O_CREAT | O_RDWR, 0600);
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, text, sizeof text - 1);
  text[n < 0 ? 0 : n] = '\0';
  printf("fd link names the file: %s\n", strcmp(text, file) == 0 ? "yes" : text);
  unlink(file);
  n = readlink(link, text, sizeof text - 1);
  text[n < 0 ? 0 : n] = '\0';
  snprintf(want, sizeof want, "%s (deleted)", file);
  printf("fd link after unlink: %s\n", strcmp(text, want) == 0 ? "path (deleted)" : text);
  close(fd);
  if (chdir(dir) != 0 || rmdir(dir) != 0) return 1;
  n = readlink("/proc/self/cwd", text, sizeof text - 1);
  text[n < 0 ? 0 : n] = '\0';
  snprintf(want, sizeof want, "%s (deleted)", dir);
  printf("cwd link after rmdir: %s\n", strcmp(text, want) == 0 ? "path (deleted)" : text);
  return chdir("/");
}

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[1], "deleted-exe") == 0) return deleted_exe(argv[2]);
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n < 0) return 1;
  self[n] = '\0';
  if (deleted_names() != 0) return 1;
  /* lstat sizes as Linux gives them: 0 for self, exe, cwd and root, 64 for an fd link. */
  const char *links[] = {"/proc/self", "/proc/self/exe", "/proc/self/cwd", "/proc/self/root", "/proc/self/fd/1"};
  for (int i = 0; i < 5; i++) {
    struct stat st;
    printf("lstat %s: size %lld\n", links[i], lstat(links[i], &st) == 0 ? (long long)st.st_size : -1LL);
  }
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
