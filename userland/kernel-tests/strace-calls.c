/* Syscalls with flag, command, signal and mode arguments whose every argument and result is the same on any
 * Linux: tests/cli/strace.test.ts compares `kmos run --strace` of this program with strace(1) of it. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The i386 kernel's struct sigaction (not glibc's): raw rt_sigaction calls give both kernels the same. */
#define SA_RESTORER 0x04000000 /* asm/signal.h; glibc hides it */
struct kernel_sigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)(void);
  unsigned long long mask;
};

static void on_signal(int sig) { (void)sig; }
static void restorer(void) {}

/* Socket addresses both ways: given (bind, connect, sendto) and written back (accept, getsockname,
 * getpeername, recvfrom with their value-result lengths); every one the same on any host. */
static void socket_addresses(void) {
  struct sockaddr_un un = {.sun_family = AF_UNIX};
  memcpy(un.sun_path + 1, "kmos-strace-calls", 17);
  socklen_t unlen = offsetof(struct sockaddr_un, sun_path) + 18;
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  bind(l, (struct sockaddr *)&un, unlen);
  listen(l, 1);
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  connect(c, (struct sockaddr *)&un, unlen);
  static struct sockaddr_un got; /* static, so its address is the same natively and under kmOS */
  socklen_t len = sizeof got;
  int s = accept(l, (struct sockaddr *)&got, &len);
  len = sizeof got;
  getsockname(l, (struct sockaddr *)&got, &len);
  len = 4;
  getsockname(l, (struct sockaddr *)&got, &len);
  len = sizeof got;
  getpeername(s, (struct sockaddr *)&got, &len);
  static char byte;
  static socklen_t fixed_len;
  fixed_len = sizeof got;
  recvfrom(s, &byte, 1, MSG_DONTWAIT, (struct sockaddr *)&got, &fixed_len);
  struct sockaddr_in refused = {.sin_family = AF_INET, .sin_port = htons(1), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int t = socket(AF_INET, SOCK_STREAM, 0);
  connect(t, (struct sockaddr *)&refused, sizeof refused);
  bind(t, (struct sockaddr *)&refused, 3);
  struct sockaddr_in6 six = {.sin6_family = AF_INET6, .sin6_port = htons(9)};
  inet_pton(AF_INET6, "::ffff:127.0.0.1", &six.sin6_addr);
  int u = socket(AF_INET6, SOCK_DGRAM, 0);
  sendto(u, "y", 1, 0, (struct sockaddr *)&six, sizeof six);
  struct sockaddr unspec = {.sa_family = AF_UNSPEC};
  connect(u, &unspec, sizeof unspec);
  int nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  bind(nl, (struct sockaddr *)&kernel, sizeof kernel);
  int fds[] = {l, c, s, t, u, nl};
  for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++) close(fds[i]);
}

int main(void) {
  const char *dir = "/tmp/kmos-strace-calls";
  const char *file = "/tmp/kmos-strace-calls/f";
  umask(022);
  mkdir(dir, 0750);
  int fd = openat(AT_FDCWD, file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  int ro = open(file, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
  open("/tmp/kmos-strace-calls/none", O_WRONLY | O_APPEND);
  open(dir, O_RDONLY | O_DIRECTORY);
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  fcntl(fd, F_GETFD);
  fcntl(ro, F_SETFL, O_NONBLOCK | O_APPEND);
  fcntl(ro, F_GETFL);
  fcntl(fd, F_DUPFD_CLOEXEC, 20);
  dup3(fd, 30, O_CLOEXEC);
  dup2(fd, 31);
  lseek(fd, 0, SEEK_END);
  access(dir, R_OK | X_OK);
  access("/nonexistent", F_OK);
  faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS);
  kill(0, 0);
  syscall(SYS_kill, 0, SIGCONT);
  mprotect((void *)0x8048000, 4096, PROT_READ);
  mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  mmap(NULL, 4096, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  madvise((void *)0x10000, 4096, MADV_DONTNEED);
  prctl(PR_SET_NAME, "strace-calls");
  static int written; /* static: the same address natively and under kmOS */
  prctl(PR_SET_PDEATHSIG, SIGUSR1);
  prctl(PR_GET_PDEATHSIG, &written);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  prctl(PR_GET_CHILD_SUBREAPER, &written);
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
  prctl(PR_CAPBSET_READ, 0);
  prctl(PR_GET_TIMERSLACK);
  socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  waitpid(-1, 0, WNOHANG);
  getuid();
  int p[2];
  char buffer[64];
  pipe2(p, O_CLOEXEC);
  write(p[1], "hello\n\1\377", 8);
  read(p[0], buffer, sizeof buffer);
  write(p[1], "0123456789012345678901234567890123456789", 40);
  read(p[0], buffer, sizeof buffer);
  unsigned long long set = 1ull << (SIGINT - 1) | 1ull << (SIGQUIT - 1) | 1ull << 31 | 1ull << 33 | 1ull << 63;
  unsigned long long all = ~0ull, none = 0, old;
  syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, &old, 8);
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, 8);
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
  struct kernel_sigaction act = {on_signal, SA_RESTORER | SA_RESTART | SA_NODEFER, restorer, 1ull << (SIGUSR1 - 1)};
  struct kernel_sigaction previous;
  syscall(SYS_rt_sigaction, SIGUSR2, &act, NULL, 8);
  syscall(SYS_rt_sigaction, SIGUSR2, NULL, &previous, 8);
  act.handler = SIG_IGN;
  syscall(SYS_rt_sigaction, SIGRTMIN + 2, &act, &previous, 8);
  socket_addresses();
  unlinkat(AT_FDCWD, file, 0);
  unlinkat(AT_FDCWD, dir, AT_REMOVEDIR);
  return 0;
}
