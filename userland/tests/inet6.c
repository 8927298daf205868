/*
 * AF_INET6 over loopback: TCP and UDP on ::1 with sockaddr_in6 names (28 bytes); dual stack, where a socket
 * on :: takes IPv4 connections and datagrams and names their peers ::ffff:127.0.0.1, and what IPV6_V6ONLY
 * changes (bind conflicts with 0.0.0.0, IPv4 destinations unreachable, fixed once bound); address family
 * and length errors; /proc/net/tcp6's row for a listener on ::1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "read-file.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static struct sockaddr_in6 v6(const char *text, unsigned short port) {
  struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
  inet_pton(AF_INET6, text, &a.sin6_addr);
  return a;
}

/* The socket's name (or its peer's) as text, with its length; "" on failure. */
static const char *name_of(int fd, int peer, socklen_t *len) {
  static char text[2][INET6_ADDRSTRLEN + 16];
  static int which;
  char *out = text[which ^= 1];
  struct sockaddr_storage a;
  *len = sizeof a;
  out[0] = 0;
  if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&a, len) != 0) return out;
  if (a.ss_family == AF_INET6) {
    struct sockaddr_in6 *s = (struct sockaddr_in6 *)&a;
    inet_ntop(AF_INET6, &s->sin6_addr, out, INET6_ADDRSTRLEN);
  } else if (a.ss_family == AF_INET) {
    struct sockaddr_in *s = (struct sockaddr_in *)&a;
    inet_ntop(AF_INET, &s->sin_addr, out, INET6_ADDRSTRLEN);
  }
  return out;
}

static unsigned short port_of(int fd) {
  struct sockaddr_in6 a;
  socklen_t len = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &len);
  return ntohs(a.sin6_port);
}

static int listener6(const char *addr, unsigned short port, int v6only) {
  int l = socket(AF_INET6, SOCK_STREAM, 0);
  setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  struct sockaddr_in6 a = v6(addr, port);
  if (bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 4) != 0) {
    close(l);
    return -1;
  }
  return l;
}

int main(void) {
  socklen_t len;
  int probe = socket(AF_INET6, SOCK_STREAM, 0);
  int v6only = -1;
  len = sizeof v6only;
  getsockopt(probe, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len);
  printf("IPV6_V6ONLY starts 0: %s\n", yes(v6only == 0));
  int domain = 0;
  len = sizeof domain;
  getsockopt(probe, SOL_SOCKET, SO_DOMAIN, &domain, &len);
  printf("SO_DOMAIN AF_INET6: %s\n", yes(domain == AF_INET6));
  printf("unbound name is :: in 28 bytes: %s\n", yes(strcmp(name_of(probe, 0, &len), "::") == 0 && len == 28));
  struct sockaddr_in four = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  printf("bind with a sockaddr_in EINVAL: %s\n", yes(bind(probe, (struct sockaddr *)&four, sizeof four) == -1 && errno == EINVAL));
  struct sockaddr_in6 wrong = v6("::1", 0);
  wrong.sin6_family = AF_INET;
  printf("bind with family AF_INET EAFNOSUPPORT: %s\n", yes(bind(probe, (struct sockaddr *)&wrong, sizeof wrong) == -1 && errno == EAFNOSUPPORT));
  close(probe);

  int l = listener6("::1", 0, 0);
  unsigned short port = port_of(l);
  printf("listener on ::1: %s\n", yes(l >= 0 && strcmp(name_of(l, 0, &len), "::1") == 0 && port != 0));
  int c = socket(AF_INET6, SOCK_STREAM, 0);
  struct sockaddr_in6 to = v6("::1", port);
  printf("connect to [::1]: %s\n", yes(connect(c, (struct sockaddr *)&to, sizeof to) == 0));
  struct sockaddr_in6 from;
  socklen_t fromlen = sizeof from;
  int s = accept(l, (struct sockaddr *)&from, &fromlen);
  char text[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, &from.sin6_addr, text, sizeof text);
  printf("accept names [::1]:client: %s\n", yes(s >= 0 && fromlen == 28 && strcmp(text, "::1") == 0 && ntohs(from.sin6_port) == port_of(c)));
  printf("client named ::1, peer ::1: %s\n", yes(strcmp(name_of(c, 0, &len), "::1") == 0 && strcmp(name_of(c, 1, &len), "::1") == 0 && len == 28));
  char buf[16] = {0};
  printf("bytes both ways: %s\n", yes(send(c, "ping", 4, 0) == 4 && recv(s, buf, sizeof buf, 0) == 4 && send(s, "pong", 4, 0) == 4 && recv(c, buf, sizeof buf, 0) == 4 && memcmp(buf, "pong", 4) == 0));

  char table[1 << 16];
  size_t n = read_file("/proc/net/tcp6", table, sizeof table - 1);
  table[n] = 0;
  char row[128];
  snprintf(row, sizeof row, "00000000000000000000000001000000:%04X 00000000000000000000000000000000:0000 0A", port);
  printf("tcp6 header: %s\n", yes(strncmp(table, "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n", 145) == 0));
  printf("tcp6 row for the listener: %s\n", yes(strstr(table, row) != NULL));
  close(s);
  close(c);
  close(l);

  int refused = socket(AF_INET6, SOCK_STREAM, 0);
  printf("connect to a closed [::1] port ECONNREFUSED: %s\n", yes(connect(refused, (struct sockaddr *)&to, sizeof to) == -1 && errno == ECONNREFUSED));
  close(refused);

  /* Dual stack: [::] takes 127.0.0.1. */
  l = listener6("::", 0, 0);
  port = port_of(l);
  int c4 = socket(AF_INET, SOCK_STREAM, 0);
  four.sin_port = htons(port);
  printf("IPv4 client reaches [::]: %s\n", yes(connect(c4, (struct sockaddr *)&four, sizeof four) == 0));
  s = accept(l, NULL, NULL);
  printf("its peer is ::ffff:127.0.0.1: %s\n", yes(s >= 0 && strcmp(name_of(s, 1, &len), "::ffff:127.0.0.1") == 0 && len == 28));
  printf("and its name ::ffff:127.0.0.1: %s\n", yes(strcmp(name_of(s, 0, &len), "::ffff:127.0.0.1") == 0));
  printf("the IPv4 side sees 127.0.0.1: %s\n", yes(strcmp(name_of(c4, 1, &len), "127.0.0.1") == 0 && len == 16));
  int b4 = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in any4 = {.sin_family = AF_INET, .sin_port = htons(port)};
  printf("0.0.0.0 on a dual-stack port EADDRINUSE: %s\n", yes(bind(b4, (struct sockaddr *)&any4, sizeof any4) == -1 && errno == EADDRINUSE));
  close(b4);
  close(s);
  close(c4);
  close(l);

  /*
   * V6ONLY. The host may already use the ephemeral port the V6ONLY listener gets for some IPv4 socket of
   * its own (another test's connection), so a collision tries a fresh port; kmOS's first try shares it.
   */
  int beside = 0;
  for (int attempt = 0; attempt < 20 && !beside; attempt++) {
    if (attempt > 0) {
      close(b4);
      close(l);
    }
    l = listener6("::", 0, 1);
    port = port_of(l);
    b4 = socket(AF_INET, SOCK_STREAM, 0);
    any4.sin_port = htons(port);
    beside = bind(b4, (struct sockaddr *)&any4, sizeof any4) == 0;
  }
  printf("0.0.0.0 beside a V6ONLY [::] binds: %s\n", yes(beside));
  int one = 1;
  printf("V6ONLY once bound EINVAL: %s\n", yes(setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) == -1 && errno == EINVAL));
  close(b4);
  int only = socket(AF_INET6, SOCK_STREAM, 0);
  setsockopt(only, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  struct sockaddr_in6 mapped = v6("::ffff:127.0.0.1", port);
  printf("V6ONLY connect to ::ffff:127.0.0.1 ENETUNREACH: %s\n", yes(connect(only, (struct sockaddr *)&mapped, sizeof mapped) == -1 && errno == ENETUNREACH));
  close(only);
  close(l);

  /* UDP. */
  int u = socket(AF_INET6, SOCK_DGRAM, 0);
  struct sockaddr_in6 any6 = v6("::", 0);
  bind(u, (struct sockaddr *)&any6, sizeof any6);
  port = port_of(u);
  int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
  to = v6("::1", port);
  sendto(u6, "six", 3, 0, (struct sockaddr *)&to, sizeof to);
  int u4 = socket(AF_INET, SOCK_DGRAM, 0);
  four.sin_port = htons(port);
  sendto(u4, "four", 4, 0, (struct sockaddr *)&four, sizeof four);
  fromlen = sizeof from;
  ssize_t got = recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
  inet_ntop(AF_INET6, &from.sin6_addr, text, sizeof text);
  printf("UDP from ::1: %s\n", yes(got == 3 && fromlen == 28 && strcmp(text, "::1") == 0 && ntohs(from.sin6_port) == port_of(u6)));
  fromlen = sizeof from;
  got = recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
  inet_ntop(AF_INET6, &from.sin6_addr, text, sizeof text);
  printf("UDP from 127.0.0.1 as ::ffff:127.0.0.1: %s\n", yes(got == 4 && fromlen == 28 && strcmp(text, "::ffff:127.0.0.1") == 0));
  printf("UDP connect with a sockaddr_in: %s\n", yes(connect(u6, (struct sockaddr *)&four, sizeof four) == 0 && strcmp(name_of(u6, 1, &len), "::ffff:127.0.0.1") == 0 && len == 28));
  close(u);
  close(u6);
  close(u4);
  return 0;
}
