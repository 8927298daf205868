/*
 * UDP over the loopback network: datagrams between sockets bound to 127.0.0.1 and ephemeral ports, with
 * the sender's address; one datagram per receive (MSG_TRUNC cuts a long one and drops its rest);
 * connect sets the default destination and filters what arrives to the peer's; a datagram to a port
 * nobody has is lost, and only a connected sender hears of it (ECONNREFUSED, once); no address and no
 * peer is EDESTADDRREQ; a datagram over 65507 bytes is EMSGSIZE; shutdown of an unconnected socket is
 * ENOTCONN, and shuts it all the same; AF_UNSPEC dissolves the association. Only the loopback network is used.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
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

static int bound(struct sockaddr_in *where) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = loopback(0);
  socklen_t len = sizeof a;
  if (bind(s, (struct sockaddr *)&a, sizeof a) != 0) return -1;
  getsockname(s, (struct sockaddr *)where, &len);
  return s;
}

static int same(struct sockaddr_in a, struct sockaddr_in b) {
  return a.sin_family == b.sin_family && a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr;
}

int main(void) {
  struct sockaddr_in aa, ba, ca, from;
  int a = bound(&aa), b = bound(&ba), c = bound(&ca);
  printf("bound to ephemeral ports: %s\n", yes(a >= 0 && b >= 0 && aa.sin_port != 0 && aa.sin_port != ba.sin_port));
  char buf[64];
  socklen_t len = sizeof from;
  printf("sendto: %s\n", yes(sendto(a, "one", 3, 0, (struct sockaddr *)&ba, sizeof ba) == 3));
  int avail = 0;
  ioctl(b, FIONREAD, &avail);
  printf("FIONREAD is the datagram's size: %s\n", yes(avail == 3));
  printf("recvfrom names the sender: %s\n", yes(recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &len) == 3 && memcmp(buf, "one", 3) == 0 && same(from, aa)));
  sendto(a, "two", 3, 0, (struct sockaddr *)&ba, sizeof ba);
  sendto(a, "three", 5, 0, (struct sockaddr *)&ba, sizeof ba);
  printf("one datagram per read: %s\n", yes(recv(b, buf, sizeof buf, 0) == 3 && recv(b, buf, sizeof buf, 0) == 5));
  sendto(a, "truncated", 9, 0, (struct sockaddr *)&ba, sizeof ba);
  sendto(a, "next", 4, 0, (struct sockaddr *)&ba, sizeof ba);
  printf("MSG_TRUNC gives the whole length: %s\n", yes(recv(b, buf, 4, MSG_TRUNC) == 9));
  printf("the rest of it is gone: %s\n", yes(recv(b, buf, sizeof buf, 0) == 4 && memcmp(buf, "next", 4) == 0));
  printf("non-blocking recv EAGAIN: %s\n", yes(recv(b, buf, sizeof buf, MSG_DONTWAIT) == -1 && errno == EAGAIN));
  printf("send without a destination EDESTADDRREQ: %s\n", yes(send(a, "x", 1, 0) == -1 && errno == EDESTADDRREQ));
  char *big = calloc(1, 65508);
  printf("65508 bytes EMSGSIZE: %s\n", yes(sendto(a, big, 65508, 0, (struct sockaddr *)&ba, sizeof ba) == -1 && errno == EMSGSIZE));
  struct sockaddr_in da;
  int d = bound(&da);
  printf("shutdown unconnected ENOTCONN: %s\n", yes(shutdown(d, SHUT_WR) == -1 && errno == ENOTCONN));
  printf("yet it is shut: %s\n", yes(sendto(d, "x", 1, 0, (struct sockaddr *)&ba, sizeof ba) == -1 && errno == EPIPE));
  close(d);

  printf("connect: %s\n", yes(connect(b, (struct sockaddr *)&aa, sizeof aa) == 0));
  sendto(c, "stranger", 8, 0, (struct sockaddr *)&ba, sizeof ba);
  sendto(a, "friend", 6, 0, (struct sockaddr *)&ba, sizeof ba);
  printf("a connected socket takes its peer's only: %s\n", yes(recv(b, buf, sizeof buf, 0) == 6 && memcmp(buf, "friend", 6) == 0));
  printf("send to the peer: %s\n", yes(send(b, "back", 4, 0) == 4 && recvfrom(a, buf, sizeof buf, 0, (struct sockaddr *)&from, &len) == 4 && same(from, ba)));
  struct sockaddr_in peer;
  len = sizeof peer;
  printf("getpeername: %s\n", yes(getpeername(b, (struct sockaddr *)&peer, &len) == 0 && same(peer, aa)));
  struct sockaddr unspec = {.sa_family = AF_UNSPEC};
  printf("AF_UNSPEC dissolves it: %s\n", yes(connect(b, &unspec, sizeof unspec) == 0 && getpeername(b, (struct sockaddr *)&peer, &len) == -1 && errno == ENOTCONN));

  struct sockaddr_in gone;
  int g = bound(&gone);
  close(g);
  printf("unconnected send to nobody succeeds: %s\n", yes(sendto(a, "lost", 4, 0, (struct sockaddr *)&gone, sizeof gone) == 4));
  printf("and nothing is reported: %s\n", yes(send(a, "x", 1, MSG_DONTWAIT) == -1 && errno == EDESTADDRREQ));
  connect(c, (struct sockaddr *)&gone, sizeof gone);
  printf("connected send to nobody succeeds: %s\n", yes(send(c, "lost", 4, 0) == 4));
  struct pollfd pf = {c, POLLIN, 0};
  printf("then POLLERR: %s\n", yes(poll(&pf, 1, 1000) == 1 && (pf.revents & POLLERR)));
  printf("then ECONNREFUSED: %s\n", yes(recv(c, buf, sizeof buf, MSG_DONTWAIT) == -1 && errno == ECONNREFUSED));
  printf("once: %s\n", yes(recv(c, buf, sizeof buf, MSG_DONTWAIT) == -1 && errno == EAGAIN));
  return 0;
}
