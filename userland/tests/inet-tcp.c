/*
 * TCP over the loopback network: a listener on 127.0.0.1 and an ephemeral port accepts a client; the
 * addresses getsockname, getpeername and accept give; data both ways, MSG_PEEK and FIONREAD; a half close
 * (SHUT_WR) ends the other side's reads while it can still send; closing ends the peer's reads, and the
 * peer's next two sends go out and then fail with EPIPE; closing with unread data resets the peer
 * (ECONNRESET); a non-blocking connect says EINPROGRESS, polls writable, succeeds when made again (then
 * EISCONN); connecting
 * to a port nobody listens on is ECONNREFUSED (non-blocking: EINPROGRESS, then POLLERR and SO_ERROR);
 * a second bind of a listener's port is EADDRINUSE even with SO_REUSEADDR; the options read back.
 * Only the loopback network is used (nothing leaves the machine when this runs natively).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static struct sockaddr_in loopback(unsigned short port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static struct sockaddr_in name_of(int fd, int peer) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  memset(&a, 0, sizeof a);
  if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&a, &len) != 0 || len != sizeof a) a.sin_family = 0;
  return a;
}

static int same(struct sockaddr_in a, struct sockaddr_in b) {
  return a.sin_family == b.sin_family && a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr;
}

/** A listener on 127.0.0.1 and an ephemeral port. */
static int listener(struct sockaddr_in *where) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = loopback(0);
  if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 8) != 0) return -1;
  *where = name_of(s, 0);
  return s;
}

static int connected(struct sockaddr_in to) {
  int c = socket(AF_INET, SOCK_STREAM, 0);
  return connect(c, (struct sockaddr *)&to, sizeof to) == 0 ? c : -1;
}

/** A port nobody listens on: one bound and closed again (no connection, so no TIME_WAIT). */
static unsigned short free_port(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = loopback(0);
  bind(s, (struct sockaddr *)&a, sizeof a);
  unsigned short port = ntohs(name_of(s, 0).sin_port);
  close(s);
  return port;
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  int fresh = socket(AF_INET, SOCK_STREAM, 0);
  struct pollfd pf = {fresh, POLLIN | POLLOUT, 0};
  printf("fresh socket polls POLLOUT|POLLHUP: %s\n", yes(poll(&pf, 1, 0) == 1 && pf.revents == (POLLOUT | POLLHUP)));
  struct sockaddr_in unbound = name_of(fresh, 0);
  printf("unbound name is 0.0.0.0:0: %s\n", yes(unbound.sin_family == AF_INET && unbound.sin_port == 0 && unbound.sin_addr.s_addr == 0));
  printf("getpeername unconnected ENOTCONN: %s\n", yes(name_of(fresh, 1).sin_family == 0 && errno == ENOTCONN));
  char byte;
  printf("recv unconnected ENOTCONN: %s\n", yes(recv(fresh, &byte, 1, 0) == -1 && errno == ENOTCONN));
  printf("send unconnected EPIPE: %s\n", yes(send(fresh, "x", 1, 0) == -1 && errno == EPIPE));
  int type = 0, proto = 0, domain = 0, one = 1, got = 0;
  socklen_t len = sizeof type;
  getsockopt(fresh, SOL_SOCKET, SO_TYPE, &type, &len);
  getsockopt(fresh, SOL_SOCKET, SO_PROTOCOL, &proto, &len);
  getsockopt(fresh, SOL_SOCKET, SO_DOMAIN, &domain, &len);
  printf("options name the socket: %s\n", yes(type == SOCK_STREAM && proto == IPPROTO_TCP && domain == AF_INET));
  setsockopt(fresh, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  getsockopt(fresh, IPPROTO_TCP, TCP_NODELAY, &got, &len);
  printf("TCP_NODELAY reads back: %s\n", yes(got == 1));
  int ttl = 0;
  getsockopt(fresh, IPPROTO_IP, IP_TTL, &ttl, &len);
  printf("IP_TTL is 64: %s\n", yes(ttl == 64));
  close(fresh);

  struct sockaddr_in server;
  int l = listener(&server);
  printf("listener bound to 127.0.0.1 and a port: %s\n", yes(l >= 0 && server.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && server.sin_port != 0));
  int other = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(other, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  printf("bind of a listening port EADDRINUSE: %s\n", yes(bind(other, (struct sockaddr *)&server, sizeof server) == -1 && errno == EADDRINUSE));
  close(other);
  int c = connected(server);
  struct sockaddr_in from;
  socklen_t fromlen = sizeof from;
  int s = accept(l, (struct sockaddr *)&from, &fromlen);
  struct sockaddr_in client = name_of(c, 0);
  printf("client got 127.0.0.1 and its own port: %s\n", yes(c >= 0 && client.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && client.sin_port != 0 && client.sin_port != server.sin_port));
  printf("client's peer is the server: %s\n", yes(same(name_of(c, 1), server)));
  printf("accept names the client: %s\n", yes(s >= 0 && fromlen == sizeof from && same(from, client)));
  printf("accepted socket's name is the server's: %s\n", yes(same(name_of(s, 0), server)));
  printf("accepted socket's peer is the client: %s\n", yes(same(name_of(s, 1), client)));

  char buf[64] = {0};
  printf("send 5: %s\n", yes(send(c, "hello", 5, 0) == 5));
  int avail = 0;
  ioctl(s, FIONREAD, &avail);
  printf("FIONREAD 5: %s\n", yes(avail == 5));
  printf("MSG_PEEK 3: %s\n", yes(recv(s, buf, 3, MSG_PEEK) == 3 && memcmp(buf, "hel", 3) == 0));
  printf("recv 5: %s\n", yes(recv(s, buf, sizeof buf, 0) == 5 && memcmp(buf, "hello", 5) == 0));
  printf("non-blocking recv EAGAIN: %s\n", yes(recv(s, buf, sizeof buf, MSG_DONTWAIT) == -1 && errno == EAGAIN));
  printf("reply: %s\n", yes(write(s, "world", 5) == 5 && read(c, buf, sizeof buf) == 5 && memcmp(buf, "world", 5) == 0));
  printf("SHUT_WR: %s\n", yes(shutdown(c, SHUT_WR) == 0));
  printf("server reads the end: %s\n", yes(recv(s, buf, sizeof buf, 0) == 0));
  printf("client still receives: %s\n", yes(send(s, "late", 4, 0) == 4 && recv(c, buf, sizeof buf, 0) == 4));
  printf("client cannot send: %s\n", yes(send(c, "x", 1, 0) == -1 && errno == EPIPE));
  printf("half-closed client keeps its peer: %s\n", yes(same(name_of(c, 1), server)));
  close(s);
  printf("client reads the end: %s\n", yes(recv(c, buf, sizeof buf, 0) == 0));
  printf("closed both ways, getpeername ENOTCONN: %s\n", yes(name_of(c, 1).sin_family == 0 && errno == ENOTCONN));
  printf("but the name stays: %s\n", yes(same(name_of(c, 0), client)));
  printf("and recv still reads the end: %s\n", yes(recv(c, buf, sizeof buf, 0) == 0));
  close(c);

  c = connected(server);
  s = accept(l, NULL, NULL);
  close(s);
  printf("peer closed, getpeername still works: %s\n", yes(same(name_of(c, 1), server)));
  printf("peer's first send after close goes out: %s\n", yes(send(c, "a", 1, 0) == 1));
  printf("peer's second send EPIPE: %s\n", yes(send(c, "b", 1, 0) == -1 && errno == EPIPE));
  printf("after the reset, getpeername ENOTCONN: %s\n", yes(name_of(c, 1).sin_family == 0 && errno == ENOTCONN));
  close(c);

  c = connected(server);
  s = accept(l, NULL, NULL);
  send(c, "unread", 6, 0);
  close(s);
  printf("close with unread data resets the peer: %s\n", yes(recv(c, buf, sizeof buf, 0) == -1 && errno == ECONNRESET));
  printf("then the peer reads the end: %s\n", yes(recv(c, buf, sizeof buf, 0) == 0));
  close(c);

  c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int r = connect(c, (struct sockaddr *)&server, sizeof server);
  printf("non-blocking connect EINPROGRESS: %s\n", yes(r == -1 && errno == EINPROGRESS));
  pf.fd = c;
  pf.events = POLLOUT;
  printf("it polls writable: %s\n", yes(poll(&pf, 1, 1000) == 1 && (pf.revents & POLLOUT)));
  int err = -1;
  len = sizeof err;
  getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len);
  printf("SO_ERROR 0: %s\n", yes(err == 0));
  printf("connect again succeeds: %s\n", yes(connect(c, (struct sockaddr *)&server, sizeof server) == 0));
  printf("and once more EISCONN: %s\n", yes(connect(c, (struct sockaddr *)&server, sizeof server) == -1 && errno == EISCONN));
  s = accept(l, NULL, NULL);
  printf("accepted: %s\n", yes(s >= 0));
  close(s);
  close(c);

  struct sockaddr_in nobody = loopback(free_port());
  c = socket(AF_INET, SOCK_STREAM, 0);
  printf("connect to a closed port ECONNREFUSED: %s\n", yes(connect(c, (struct sockaddr *)&nobody, sizeof nobody) == -1 && errno == ECONNREFUSED));
  close(c);
  c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  r = connect(c, (struct sockaddr *)&nobody, sizeof nobody);
  int refused_now = r == -1 && errno == ECONNREFUSED;
  int in_progress = r == -1 && errno == EINPROGRESS;
  pf.fd = c;
  pf.events = POLLOUT;
  poll(&pf, 1, 1000);
  err = 0;
  getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len);
  printf("non-blocking connect to a closed port is refused: %s\n", yes(refused_now || (in_progress && (pf.revents & POLLERR) && err == ECONNREFUSED)));
  close(c);
  close(l);
  return 0;
}
