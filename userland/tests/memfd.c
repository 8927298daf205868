/*
 * memfd: memfd_create's files. A memfd is a regular file of mode 0777 with no links, open O_RDWR|O_LARGEFILE,
 * close-on-exec only with MFD_CLOEXEC, named "/memfd:<name> (deleted)" in /proc/self/fd and maps; writes,
 * ftruncate, a shared mapping and pread see each other's data (a named file's too); a fork child's writes reach the parent; it
 * reopens through /proc/self/fd. Names up to 249 bytes, EINVAL past that or for unknown flags, EFAULT for a
 * bad name; two memfds may share a name. Seals: tmpfs files (memfds, /dev/shm) report F_SEAL_SEAL and refuse
 * more (EPERM); other files have none (EINVAL).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "read-file.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static int maps_mention(const char *name) {
  FILE *f = fopen("/proc/self/maps", "r");
  char line[512];
  int found = 0;
  while (f && fgets(line, sizeof line, f))
    if (strstr(line, name)) found = 1;
  if (f) fclose(f);
  return found;
}

int main(int argc, char **argv) {
  (void)argc;
  int fd = memfd_create("test buf", 0);
  struct stat st;
  printf("created: %s\n", yes(fd >= 0 && fstat(fd, &st) == 0));
  printf("regular, mode 0777, no links, empty: %s\n",
         yes(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0777 && st.st_nlink == 0 && st.st_size == 0));
  printf("open O_RDWR|O_LARGEFILE: %s\n", yes(fcntl(fd, F_GETFL) == (O_RDWR | 0100000)));
  printf("not close-on-exec: %s\n", yes(fcntl(fd, F_GETFD) == 0));
  printf("/proc/self/fd names it: %s\n", yes(fd_link_is(fd, "/memfd:test buf (deleted)")));

  char data[10000];
  for (int i = 0; i < (int)sizeof data; i++) data[i] = (char)(i * 7);
  printf("write: %s\n", yes(write(fd, data, sizeof data) == (ssize_t)sizeof data));
  printf("ftruncate to 16 KiB: %s\n", yes(ftruncate(fd, 16384) == 0 && fstat(fd, &st) == 0 && st.st_size == 16384));
  unsigned char *map = mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  printf("mapped shared: %s\n", yes(map != MAP_FAILED));
  printf("the mapping holds the written bytes: %s\n", yes(memcmp(map, data, sizeof data) == 0 && map[12000] == 0));
  printf("maps names it: %s\n", yes(maps_mention("/memfd:test buf (deleted)")));
  map[12000] = 0x5a;
  unsigned char byte = 0;
  printf("pread sees a store through the mapping: %s\n", yes(pread(fd, &byte, 1, 12000) == 1 && byte == 0x5a));
  byte = 0xa5;
  printf("the mapping sees pwrite: %s\n", yes(pwrite(fd, &byte, 1, 100) == 1 && map[100] == 0xa5));

  pid_t child = fork();
  if (child == 0) _exit(pwrite(fd, "child", 5, 200) == 5 ? 0 : 1);
  int status = 0;
  waitpid(child, &status, 0);
  printf("a fork child's write reaches the parent: %s\n",
         yes(WIFEXITED(status) && WEXITSTATUS(status) == 0 && memcmp(map + 200, "child", 5) == 0));
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  int again = open(path, O_RDONLY);
  char text[5];
  printf("reopens through /proc/self/fd: %s\n",
         yes(again >= 0 && pread(again, text, 5, 200) == 5 && memcmp(text, "child", 5) == 0));
  munmap(map, 16384);

  int cloexec = memfd_create("other", MFD_CLOEXEC);
  printf("MFD_CLOEXEC: %s\n", yes(cloexec >= 0 && fcntl(cloexec, F_GETFD) == FD_CLOEXEC));
  int twin = memfd_create("test buf", 0);
  printf("a second memfd of the same name: %s\n", yes(twin >= 0 && fd_link_is(twin, "/memfd:test buf (deleted)")));
  char name[300];
  memset(name, 'a', sizeof name);
  name[249] = '\0';
  int longest = memfd_create(name, 0);
  printf("a 249-byte name: %s\n", yes(longest >= 0));
  name[249] = 'a';
  name[250] = '\0';
  errno = 0;
  printf("a 250-byte name is EINVAL: %s\n", yes(memfd_create(name, 0) == -1 && errno == EINVAL));
  errno = 0;
  printf("unknown flags are EINVAL: %s\n", yes(memfd_create("x", 0x100) == -1 && errno == EINVAL));
  errno = 0;
  printf("a bad name pointer is EFAULT: %s\n", yes(memfd_create((const char *)16, 0) == -1 && errno == EFAULT));

  printf("a memfd's seals are F_SEAL_SEAL: %s\n", yes(fcntl(fd, F_GET_SEALS) == F_SEAL_SEAL));
  errno = 0;
  printf("adding one is EPERM: %s\n", yes(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) == -1 && errno == EPERM));
  errno = 0;
  printf("adding one through a read-only open is EPERM: %s\n",
         yes(fcntl(again, F_ADD_SEALS, F_SEAL_WRITE) == -1 && errno == EPERM));
  int shm = open("/dev/shm/kmos-memfd-test", O_RDWR | O_CREAT | O_TRUNC, 0600);
  printf("a /dev/shm file's seals are F_SEAL_SEAL: %s\n", yes(shm >= 0 && fcntl(shm, F_GET_SEALS) == F_SEAL_SEAL));
  unlink("/dev/shm/kmos-memfd-test");
  // Code in a memfd, mapped for execution: a pwrite over it changes what runs (no stale compiled code).
  int code = memfd_create("code", 0);
  unsigned char body[] = {0xb8, 1, 0, 0, 0, 0xc3};  // mov eax, 1; ret
  int runs_new = code >= 0 && pwrite(code, body, sizeof body, 0) == (ssize_t)sizeof body;
  void *code_map = runs_new ? mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, code, 0) : MAP_FAILED;
  if (code_map != MAP_FAILED) {
    int (*function)(void) = (int (*)(void))code_map;
    int first = 0;
    for (int i = 0; i < 3000; i++) first += function();  // often enough to be compiled
    body[1] = 2;
    runs_new = first == 3000 && pwrite(code, body, sizeof body, 0) == (ssize_t)sizeof body && function() == 2;
    munmap(code_map, 4096);
  } else {
    runs_new = 0;
  }
  printf("executable mapping runs what pwrite put there: %s\n", yes(runs_new));

  // The same coherence for a file with a name, on the host's filesystem.
  char file[64];
  snprintf(file, sizeof file, "/tmp/kmos-memfd-test-%d", getpid());
  int named = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
  unlink(file);
  unsigned char *view = MAP_FAILED;
  if (named >= 0 && ftruncate(named, 8192) == 0)
    view = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, named, 0);
  int coherent = view != MAP_FAILED;
  if (coherent) {
    view[5000] = 0x77;
    byte = 0;
    coherent = pread(named, &byte, 1, 5000) == 1 && byte == 0x77;
    byte = 0x88;
    coherent = coherent && pwrite(named, &byte, 1, 6000) == 1 && view[6000] == 0x88;
    munmap(view, 8192);
  }
  printf("a named file's mapping and read/write agree too: %s\n", yes(coherent));

  int self = open(argv[0], O_RDONLY);
  errno = 0;
  printf("a program file has no seals (EINVAL): %s\n", yes(fcntl(self, F_GET_SEALS) == -1 && errno == EINVAL));
  return 0;
}
