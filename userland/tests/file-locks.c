/* file-locks: POSIX record locks between a parent and its child (conflicts, F_GETLK's report, split and
 * merge, release on any close, F_SETLKW waiting, EDEADLK, EINTR), the 64-bit forms and struct flock's
 * EOVERFLOW, open-file-description locks, and flock(2) per open file description. The parent holds locks
 * and the child tests them (locks of one process never conflict with each other); they take turns
 * through a pipe, so what is printed does not depend on timing. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char path[] = "/tmp/kmos-file-locks-XXXXXX";
static int fd;

static int lock(int cmd, short type, off_t start, off_t len) {
  struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
  return fcntl(fd, cmd, &fl) == 0 ? 0 : -errno;
}

/** F_GETLK for a write lock on [start, start+len): "unlocked" or the first conflicting lock. */
static void show_getlk(const char *what, off_t start, off_t len) {
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
  fcntl(fd, F_GETLK, &fl);
  if (fl.l_type == F_UNLCK)
    printf("  %s: unlocked\n", what);
  else
    printf("  %s: %s start %ld len %ld by parent %d\n", what, fl.l_type == F_WRLCK ? "write" : "read",
           (long)fl.l_start, (long)fl.l_len, fl.l_pid == getppid());
}

/** Runs `check` in a child process and waits for it. */
static void in_child(void (*check)(void)) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    check();
    fflush(stdout);
    _exit(0);
  }
  waitpid(pid, NULL, 0);
}

static void child_sees_write_lock(void) {
  show_getlk("[50,60)", 50, 10);
  printf("  read lock inside: %s\n", strerror(-lock(F_SETLK, F_RDLCK, 50, 10)));
  printf("  write lock beyond: %d\n", lock(F_SETLK, F_WRLCK, 100, 100));
}

static void child_sees_split(void) {
  show_getlk("[40,60)", 40, 20);
  show_getlk("[30,70)", 30, 40);
  show_getlk("[60,61)", 60, 1);
}

static void child_sees_merged(void) { show_getlk("[0,1)", 0, 1); }

static void child_sees_nothing(void) { show_getlk("[0,100)", 0, 100); }

static void record_locks(void) {
  printf("parent write-locks [0,100):\n");
  lock(F_SETLK, F_WRLCK, 0, 100);
  in_child(child_sees_write_lock);
  printf("parent unlocks [40,60) and read-locks [50,55):\n");
  lock(F_SETLK, F_UNLCK, 40, 20);
  lock(F_SETLK, F_RDLCK, 50, 5);
  in_child(child_sees_split);
  printf("parent write-locks [40,60) again (merging all):\n");
  lock(F_SETLK, F_WRLCK, 40, 20);
  in_child(child_sees_merged);
  printf("parent closes another descriptor of the file:\n");
  close(open(path, O_RDONLY));
  in_child(child_sees_nothing);
  printf("F_GETLK of F_UNLCK: %s\n", strerror(-lock(F_GETLK, F_UNLCK, 0, 1)));
}

static int wronly_fd_errors(void) {
  int w = open(path, O_WRONLY);
  struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
  int rc = fcntl(w, F_SETLK, &fl) == 0 ? 0 : errno;
  close(w);
  return rc;
}

static void invalid_requests(void) {
  struct flock fl = {.l_type = F_RDLCK, .l_whence = 7, .l_start = 0, .l_len = 1};
  int bad_whence = fcntl(fd, F_SETLK, &fl) == 0 ? 0 : errno;
  fl.l_whence = SEEK_SET;
  fl.l_start = -5;
  int negative = fcntl(fd, F_SETLK, &fl) == 0 ? 0 : errno;
  fl.l_start = 10;
  fl.l_len = -20;
  int before_zero = fcntl(fd, F_SETLK, &fl) == 0 ? 0 : errno;
  printf("invalid: read lock on write-only fd %s, whence 7 %s, start -5 %s, len -20 at 10 %s\n",
         strerror(wronly_fd_errors()), strerror(bad_whence), strerror(negative), strerror(before_zero));
  fl.l_start = 10;
  fl.l_len = -5;
  printf("negative length locks [5,10): %d\n", fcntl(fd, F_SETLK, &fl));
  lock(F_SETLK, F_UNLCK, 0, 0);
}

/* F_SETLKW: the child waits for the parent's lock; deadlock and signals. */
static int turn[2], back[2];

static void say(int to) {
  if (write(to, "x", 1) != 1) exit(1);
}
static void hear(int from) {
  char c;
  if (read(from, &c, 1) != 1) exit(1);
}

static void pause_ms(int ms) {
  struct timespec ts = {0, ms * 1000000L};
  nanosleep(&ts, NULL);
}

static void on_alarm(int sig) { (void)sig; }

static void waiting_locks(void) {
  if (pipe(turn) || pipe(back)) return;
  lock(F_SETLK, F_WRLCK, 0, 1);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    lock(F_SETLK, F_WRLCK, 1, 1);
    say(back[1]);
    /* Waits for [0,1) while the parent, waiting for [1,2), is refused with EDEADLK and lets go. */
    int rc = lock(F_SETLKW, F_WRLCK, 0, 1);
    printf("child: SETLKW on the parent's lock got it: %d\n", rc);
    fflush(stdout);
    lock(F_SETLK, F_UNLCK, 0, 0);
    say(back[1]);
    hear(turn[0]);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: the wait ends with EINTR */
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval in50ms = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_REAL, &in50ms, NULL);
    rc = lock(F_SETLKW, F_WRLCK, 0, 1);
    printf("child: SETLKW interrupted by SIGALRM: %s\n", strerror(-rc));
    fflush(stdout);
    _exit(0);
  }
  hear(back[0]);
  pause_ms(100); /* let the child block in F_SETLKW */
  int rc = lock(F_SETLKW, F_WRLCK, 1, 1);
  printf("parent: SETLKW on the child's lock while it waits for ours: %s\n", strerror(-rc));
  fflush(stdout);
  lock(F_SETLK, F_UNLCK, 0, 1);
  hear(back[0]);
  lock(F_SETLK, F_WRLCK, 0, 1);
  say(turn[1]);
  waitpid(pid, NULL, 0);
  lock(F_SETLK, F_UNLCK, 0, 0);
}

/* The 64-bit forms: a lock beyond 4 GiB, which struct flock cannot report. */
struct flock32 {
  short l_type, l_whence;
  int32_t l_start, l_len;
  int32_t l_pid;
};

static void child_sees_high_lock(void) {
  struct flock64 fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  syscall(SYS_fcntl64, fd, F_GETLK64, &fl);
  printf("  F_GETLK64: %s start %lld len %lld\n", fl.l_type == F_WRLCK ? "write" : "?", (long long)fl.l_start,
         (long long)fl.l_len);
  struct flock32 small = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  long rc = syscall(SYS_fcntl64, fd, F_GETLK, &small);
  printf("  F_GETLK (struct flock): %ld %s\n", rc, rc ? strerror(errno) : "");
  rc = syscall(SYS_fcntl, fd, F_GETLK64, &fl);
  printf("  fcntl (not fcntl64) with F_GETLK64: %ld %s\n", rc, rc ? strerror(errno) : "");
}

static void large_offsets(void) {
  struct flock64 fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5LL << 30, .l_len = 1LL << 32};
  printf("parent F_SETLK64 at 5 GiB: %ld\n", syscall(SYS_fcntl64, fd, F_SETLK64, &fl));
  in_child(child_sees_high_lock);
  lock(F_SETLK, F_UNLCK, 0, 0);
}

static void ofd_locks(void) {
  int other = open(path, O_RDWR);
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
  printf("OFD lock: %d\n", fcntl(fd, F_OFD_SETLK, &fl));
  struct flock probe = fl;
  int rc = fcntl(other, F_OFD_SETLK, &probe);
  printf("  same process, other description: %s\n", rc ? strerror(errno) : "granted");
  probe = fl;
  fcntl(other, F_OFD_GETLK, &probe);
  printf("  F_OFD_GETLK: %s pid %d\n", probe.l_type == F_WRLCK ? "write" : "?", probe.l_pid);
  probe = fl;
  probe.l_pid = 1;
  printf("  l_pid not 0: %s\n", fcntl(other, F_OFD_SETLK, &probe) ? strerror(errno) : "granted");
  probe = fl;
  printf("  a POSIX lock of this process conflicts too: %s\n",
         fcntl(other, F_SETLK, &probe) ? strerror(errno) : "granted");
  int dup_fd = dup(fd);
  close(fd);
  probe = fl;
  printf("  after closing one of two descriptors: %s\n", fcntl(other, F_OFD_SETLK, &probe) ? strerror(errno) : "granted");
  fd = dup_fd;
  close(other);
  probe = fl;
  printf("  after the last close of the holder: %s\n", fcntl(fd, F_OFD_SETLK, &probe) ? strerror(errno) : "granted");
  probe.l_type = F_UNLCK;
  fcntl(fd, F_OFD_SETLK, &probe);
}

static void child_flocks(void) {
  printf("  child, same description, LOCK_EX|LOCK_NB: %d\n", flock(fd, LOCK_EX | LOCK_NB));
  int own = open(path, O_RDONLY);
  printf("  child, own description, LOCK_SH|LOCK_NB: %s\n", flock(own, LOCK_SH | LOCK_NB) ? strerror(errno) : "granted");
  struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  printf("  child, fcntl read lock meanwhile: %d\n", fcntl(own, F_SETLK, &fl));
  close(own);
}

static void flocks(void) {
  printf("flock LOCK_EX: %d\n", flock(fd, LOCK_EX));
  in_child(child_flocks);
  int own = open(path, O_RDONLY);
  printf("parent, another description, LOCK_SH|LOCK_NB: %s\n", flock(own, LOCK_SH | LOCK_NB) ? strerror(errno) : "granted");
  flock(fd, LOCK_UN);
  int shared = flock(own, LOCK_SH | LOCK_NB);
  printf("after LOCK_UN, another description's LOCK_SH|LOCK_NB: %d\n", shared);
  int ex = flock(fd, LOCK_EX | LOCK_NB);
  printf("then LOCK_EX|LOCK_NB on the first: %s\n", ex ? strerror(errno) : "granted");
  flock(fd, LOCK_SH);
  int upgrade = flock(own, LOCK_EX | LOCK_NB);
  printf("upgrade of a shared lock while another is shared: %s\n", upgrade ? strerror(errno) : "granted");
  printf("and the old shared lock is gone: %d\n", flock(fd, LOCK_EX | LOCK_NB));
  close(own);
  printf("flock(fd, 0): %s\n", flock(fd, 0) ? strerror(errno) : "0");
  flock(fd, LOCK_UN);
}

int main(void) {
  fd = mkstemp(path);
  if (fd < 0 || ftruncate(fd, 4096)) return 1;
  record_locks();
  invalid_requests();
  waiting_locks();
  large_offsets();
  ofd_locks();
  flocks();
  unlink(path);
  return 0;
}
