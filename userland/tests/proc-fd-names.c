/*
 * proc-fd-names: what /proc/self/fd/N reads for files without a path: the standard streams as the process
 * got them, a pipe ("pipe:[ino]", the number fstat gives), an eventfd and an epoll instance
 * ("anon_inode:[eventfd]", "anon_inode:[eventpoll]"). Numbers differ between runs, so each line says whether
 * the number matches fstat rather than printing it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char *what, int fd) {
  char link[64], text[512];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, text, sizeof text - 1);
  if (n < 0) {
    printf("%s: readlink failed\n", what);
    return;
  }
  text[n] = '\0';
  char *open = strchr(text, '[');
  struct stat st;
  if (open && text[0] != '/' && fstat(fd, &st) == 0) {
    unsigned long long ino = 0;
    int numbered = sscanf(open + 1, "%llu]", &ino) == 1;
    *open = '\0';
    if (numbered)
      printf("%s: %s[N], N is the inode: %s\n", what, text, ino == (unsigned long long)st.st_ino ? "yes" : "no");
    else
      printf("%s: %s[%s\n", what, text, open + 1);
    return;
  }
  printf("%s: %s\n", what, text);
}

int main(void) {
  show("stdin", 0);
  show("stdout", 1);
  show("stderr", 2);
  int p[2];
  if (pipe(p) != 0) return 1;
  show("pipe read end", p[0]);
  show("pipe write end", p[1]);
  show("eventfd", eventfd(0, 0));
  show("epoll", epoll_create1(0));
  return 0;
}
