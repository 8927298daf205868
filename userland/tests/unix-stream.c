/*
 * AF_UNIX stream sockets from socketpair: bytes flow both ways and reads gather across writes; MSG_PEEK
 * leaves data queued; FIONREAD counts it; MSG_WAITALL waits for the whole buffer; a non-blocking writer
 * fills the buffer and gets EAGAIN; shutdown(SHUT_WR) gives the peer end of file and the writer EPIPE (with
 * SIGPIPE, or without under MSG_NOSIGNAL); closing with unread data resets the peer (ECONNRESET once, then
 * end of file); poll reports POLLIN, POLLOUT, POLLRDHUP and POLLHUP as Linux does; fstat says S_IFSOCK and
 * /proc/self/fd names "socket:[ino]"; the SOL_SOCKET options read back as Linux sets them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static volatile int sigpipes;
static void on_sigpipe(int signo) { (void)signo; sigpipes++; }

static int int_option(int fd, int name) {
  int value = -1;
  socklen_t len = sizeof value;
  if (getsockopt(fd, SOL_SOCKET, name, &value, &len) != 0 || len != sizeof value) return -1;
  return value;
}

static short revents(int fd, short events) {
  struct pollfd p = {fd, events, 0};
  return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

int main(void) {
  signal(SIGPIPE, on_sigpipe);
  int sv[2];
  printf("socketpair: %s\n", yes(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0));

  // Bytes both ways; one read takes two writes' worth.
  write(sv[0], "hello ", 6);
  write(sv[0], "world", 5);
  char buf[64] = {0};
  int avail = -1;
  ioctl(sv[1], FIONREAD, &avail);
  printf("FIONREAD counts queued bytes: %s\n", yes(avail == 11));
  ssize_t n = recv(sv[1], buf, sizeof buf, MSG_PEEK);
  printf("peek sees both writes: %s\n", yes(n == 11 && memcmp(buf, "hello world", 11) == 0));
  memset(buf, 0, sizeof buf);
  n = read(sv[1], buf, sizeof buf);
  printf("read gathers across writes: %s\n", yes(n == 11 && strcmp(buf, "hello world") == 0));
  write(sv[1], "back", 4);
  n = read(sv[0], buf, sizeof buf);
  printf("and the other way: %s\n", yes(n == 4 && memcmp(buf, "back", 4) == 0));

  // poll on an idle connected pair: writable only.
  short r = revents(sv[0], POLLIN | POLLOUT | POLLRDHUP);
  printf("idle poll is POLLOUT only: %s\n", yes(r == POLLOUT));
  write(sv[1], "x", 1);
  r = revents(sv[0], POLLIN | POLLOUT);
  printf("data makes POLLIN: %s\n", yes(r == (POLLIN | POLLOUT)));
  read(sv[0], buf, 1);

  // MSG_WAITALL waits for the whole buffer, written by a child in pieces.
  pid_t child = fork();
  if (child == 0) {
    for (int i = 0; i < 4; i++) {
      usleep(2000);
      write(sv[1], "abcd", 4);
    }
    _exit(0);
  }
  n = recv(sv[0], buf, 16, MSG_WAITALL);
  printf("MSG_WAITALL gets all 16 bytes: %s\n", yes(n == 16 && memcmp(buf, "abcdabcdabcdabcd", 16) == 0));
  waitpid(child, NULL, 0);

  // A non-blocking writer fills the buffer.
  fcntl(sv[0], F_SETFL, O_NONBLOCK);
  static char big[65536];
  long total = 0;
  for (;;) {
    n = write(sv[0], big, sizeof big);
    if (n < 0) break;
    total += n;
  }
  printf("full buffer gives EAGAIN: %s\n", yes(errno == EAGAIN && total > 65536));
  printf("full buffer is not POLLOUT: %s\n", yes((revents(sv[0], POLLOUT) & POLLOUT) == 0));
  long drained = 0;
  fcntl(sv[1], F_SETFL, O_NONBLOCK);
  while ((n = read(sv[1], big, sizeof big)) > 0) drained += n;
  printf("reader drains what went in: %s\n", yes(drained == total && errno == EAGAIN));
  printf("drained buffer is POLLOUT again: %s\n", yes(revents(sv[0], POLLOUT) & POLLOUT));
  fcntl(sv[0], F_SETFL, 0);
  fcntl(sv[1], F_SETFL, 0);

  // Options.
  printf("SO_TYPE is SOCK_STREAM: %s\n", yes(int_option(sv[0], SO_TYPE) == SOCK_STREAM));
  printf("SO_DOMAIN is AF_UNIX: %s\n", yes(int_option(sv[0], SO_DOMAIN) == AF_UNIX));
  printf("SO_PROTOCOL is 0: %s\n", yes(int_option(sv[0], SO_PROTOCOL) == 0));
  printf("SO_ACCEPTCONN is 0: %s\n", yes(int_option(sv[0], SO_ACCEPTCONN) == 0));
  printf("SO_ERROR is 0: %s\n", yes(int_option(sv[0], SO_ERROR) == 0));
  int size = 50000;
  setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  printf("SO_SNDBUF doubles what was set: %s\n", yes(int_option(sv[0], SO_SNDBUF) == 100000));
  int on = 1;
  setsockopt(sv[0], SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  printf("SO_KEEPALIVE reads back: %s\n", yes(int_option(sv[0], SO_KEEPALIVE) == 1));
  printf("unknown option is ENOPROTOOPT: %s\n",
         yes(getsockopt(sv[0], SOL_SOCKET, 9999, &size, &(socklen_t){4}) < 0 && errno == ENOPROTOOPT));
  struct ucred cred;
  socklen_t len = sizeof cred;
  getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &len);
  printf("SO_PEERCRED is this process: %s\n",
         yes(len == sizeof cred && cred.pid == getpid() && cred.uid == geteuid() && cred.gid == getegid()));

  // The file side.
  struct stat st;
  fstat(sv[0], &st);
  printf("fstat says socket: %s\n", yes(S_ISSOCK(st.st_mode)));
  char path[64], target[64], expected[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", sv[0]);
  ssize_t tn = readlink(path, target, sizeof target - 1);
  target[tn > 0 ? tn : 0] = 0;
  snprintf(expected, sizeof expected, "socket:[%lu]", (unsigned long)st.st_ino);
  printf("fd link names the socket inode: %s\n", yes(strcmp(target, expected) == 0));
  printf("lseek is ESPIPE: %s\n", yes(lseek(sv[0], 0, SEEK_SET) < 0 && errno == ESPIPE));
  printf("getsockname of a pair is the family alone: %s\n", yes(getsockname(sv[0], (struct sockaddr *)big, &len) == 0 && len == 2));

  // shutdown(SHUT_WR): the peer reads what was sent, then end of file; writing is EPIPE.
  write(sv[0], "last", 4);
  shutdown(sv[0], SHUT_WR);
  n = read(sv[1], buf, sizeof buf);
  ssize_t eof = read(sv[1], buf, sizeof buf);
  printf("peer reads then gets end of file: %s\n", yes(n == 4 && eof == 0));
  r = revents(sv[1], POLLIN | POLLRDHUP);
  printf("peer polls POLLIN|POLLRDHUP: %s\n", yes(r == (POLLIN | POLLRDHUP)));
  errno = 0;
  n = send(sv[0], "x", 1, MSG_NOSIGNAL);
  printf("write after SHUT_WR is EPIPE without a signal: %s\n", yes(n < 0 && errno == EPIPE && sigpipes == 0));
  n = write(sv[0], "x", 1);
  printf("plain write raises SIGPIPE: %s\n", yes(n < 0 && errno == EPIPE && sigpipes == 1));
  printf("writer still reads the other way: %s\n", yes(write(sv[1], "ok", 2) == 2 && read(sv[0], buf, 2) == 2));
  shutdown(sv[1], SHUT_WR);
  r = revents(sv[0], POLLIN | POLLOUT | POLLRDHUP);
  printf("both shut down is POLLHUP: %s\n", yes(r & POLLHUP));
  close(sv[0]);
  close(sv[1]);

  // Closing with unread data resets the peer.
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  write(sv[1], "unread", 6);
  close(sv[0]);
  n = read(sv[1], buf, sizeof buf);
  printf("close with unread data: ECONNRESET: %s\n", yes(n < 0 && errno == ECONNRESET));
  printf("then end of file: %s\n", yes(read(sv[1], buf, sizeof buf) == 0));
  r = revents(sv[1], POLLIN | POLLOUT);
  printf("peer of a closed socket polls POLLHUP: %s\n", yes(r & POLLHUP));
  n = send(sv[1], "x", 1, MSG_NOSIGNAL);
  printf("writing to a closed peer is EPIPE: %s\n", yes(n < 0 && errno == EPIPE));
  close(sv[1]);

  // An unconnected stream socket.
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  printf("SOCK_CLOEXEC sets FD_CLOEXEC: %s\n", yes(fcntl(s, F_GETFD) == FD_CLOEXEC));
  printf("unconnected send is ENOTCONN: %s\n", yes(send(s, "x", 1, MSG_NOSIGNAL) < 0 && errno == ENOTCONN));
  printf("unconnected read is EINVAL: %s\n", yes(read(s, buf, 1) < 0 && errno == EINVAL));
  printf("getpeername is ENOTCONN: %s\n", yes(getpeername(s, (struct sockaddr *)big, &len) < 0 && errno == ENOTCONN));
  printf("unconnected polls POLLOUT|POLLHUP: %s\n", yes(revents(s, POLLIN | POLLOUT) == (POLLOUT | POLLHUP)));
  close(s);

  // Creation errors.
  printf("bad type is ESOCKTNOSUPPORT: %s\n", yes(socket(AF_UNIX, 7, 0) < 0 && errno == ESOCKTNOSUPPORT));
  printf("bad protocol is EPROTONOSUPPORT: %s\n", yes(socket(AF_UNIX, SOCK_STREAM, 3) < 0 && errno == EPROTONOSUPPORT));
  printf("bad flags are EINVAL: %s\n", yes(socket(AF_UNIX, SOCK_STREAM | 0x100, 0) < 0 && errno == EINVAL));
  int null = open("/dev/null", O_WRONLY);
  printf("send on a file that is no socket is ENOTSOCK: %s\n", yes(send(null, "", 0, 0) < 0 && errno == ENOTSOCK));
  return 0;
}
