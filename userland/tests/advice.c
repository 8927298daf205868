/*
 * advice: calls that advise and order. posix_fadvise on a file (each advice), EINVAL for an unknown advice or a
 * negative 64-bit length, ESPIPE on a pipe, EBADF for a closed descriptor (as error numbers, not errno); readahead of a
 * file, EINVAL on a pipe, EBADF when not open for reading; sync_file_range, EINVAL for unknown flags or a
 * negative offset, ESPIPE on a pipe; membarrier: the query lists the global and private expedited commands,
 * a private barrier before registering is EPERM and works after, flags and two commands at once are EINVAL,
 * and a fork child inherits the registration.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static int membarrier(int cmd, unsigned flags) { return (int)syscall(SYS_membarrier, cmd, flags, 0); }

int main(int argc, char **argv) {
  (void)argc;
  int file = open(argv[0], O_RDONLY);
  int p[2];
  pipe(p);
  int all = 1;
  for (int advice = POSIX_FADV_NORMAL; advice <= POSIX_FADV_NOREUSE; advice++)
    all &= posix_fadvise(file, 0, 0, advice) == 0;
  printf("posix_fadvise takes each advice: %s\n", yes(all));
  printf("an unknown advice is EINVAL: %s\n", yes(posix_fadvise(file, 0, 0, 99) == EINVAL));
  errno = 0;
  printf("a negative 64-bit length is EINVAL: %s\n",
         yes(syscall(SYS_fadvise64_64, file, 0, 0, -1, -1, POSIX_FADV_NORMAL) == -1 && errno == EINVAL));
  printf("a pipe is ESPIPE: %s\n", yes(posix_fadvise(p[0], 0, 0, POSIX_FADV_NORMAL) == ESPIPE));
  printf("a closed descriptor is EBADF: %s\n", yes(posix_fadvise(999, 0, 0, POSIX_FADV_NORMAL) == EBADF));

  printf("readahead of a file: %s\n", yes(readahead(file, 0, 4096) == 0));
  errno = 0;
  printf("readahead of a pipe is EINVAL: %s\n", yes(readahead(p[0], 0, 4096) == -1 && errno == EINVAL));
  errno = 0;
  printf("readahead through a write-only end is EBADF: %s\n", yes(readahead(p[1], 0, 4096) == -1 && errno == EBADF));

  printf("sync_file_range of a file: %s\n", yes(sync_file_range(file, 0, 0, SYNC_FILE_RANGE_WRITE) == 0));
  errno = 0;
  printf("unknown flags are EINVAL: %s\n", yes(sync_file_range(file, 0, 0, 8) == -1 && errno == EINVAL));
  errno = 0;
  printf("a negative offset is EINVAL: %s\n", yes(sync_file_range(file, -1, 0, 0) == -1 && errno == EINVAL));
  errno = 0;
  printf("a pipe is ESPIPE: %s\n", yes(sync_file_range(p[0], 0, 0, 0) == -1 && errno == ESPIPE));

  int commands = membarrier(MEMBARRIER_CMD_QUERY, 0);
  int wanted = MEMBARRIER_CMD_GLOBAL | MEMBARRIER_CMD_PRIVATE_EXPEDITED | MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED;
  printf("the query lists the global and private expedited commands: %s\n",
         yes(commands > 0 && (commands & wanted) == wanted));
  printf("a global barrier: %s\n", yes(membarrier(MEMBARRIER_CMD_GLOBAL, 0) == 0));
  errno = 0;
  printf("a private barrier before registering is EPERM: %s\n",
         yes(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) == -1 && errno == EPERM));
  printf("registered, it works: %s\n",
         yes(membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0) == 0 &&
             membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) == 0));
  errno = 0;
  printf("flags are EINVAL: %s\n", yes(membarrier(MEMBARRIER_CMD_GLOBAL, 1) == -1 && errno == EINVAL));
  errno = 0;
  printf("two commands at once are EINVAL: %s\n",
         yes(membarrier(MEMBARRIER_CMD_GLOBAL | MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) == -1 && errno == EINVAL));
  pid_t child = fork();
  if (child == 0) _exit(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) == 0 ? 0 : 1);
  int status = 0;
  waitpid(child, &status, 0);
  printf("a fork child inherits the registration: %s\n", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));
  return 0;
}
