/*
 * /proc/net/tcp and /proc/net/udp, as netstat reads them: the headers, line widths, and for each socket of
 * this test (found by the inode fstat gives) its addresses, state (0A listening, 01 established, 05
 * FIN_WAIT2 after SHUT_WR, 08 CLOSE_WAIT after the peer's FIN, 07 an unconnected UDP socket), queues
 * (a listener's unaccepted connections, unread bytes) and uid. A socket only bound, or closed, has none.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "read-file.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static char table[1 << 20];

struct row {
  unsigned local_ip, local_port, remote_ip, remote_port, state, tx, rx, uid;
  int width;
};

static unsigned long inode_of(int fd) {
  struct stat s;
  fstat(fd, &s);
  return (unsigned long)s.st_ino;
}

/* The row of `file` for the socket with inode `ino`; 0 when there is none. */
static int row_by_inode(const char *file, unsigned long ino, struct row *r) {
  size_t n = read_file(file, table, sizeof table - 1);
  table[n] = 0;
  for (char *line = strtok(strchr(table, '\n') + 1, "\n"); line; line = strtok(NULL, "\n")) {
    unsigned long got = 0;
    unsigned timer, when, retransmits, timeout;
    int fields = sscanf(line, " %*d: %x:%x %x:%x %x %x:%x %x:%x %x %u %u %lu", &r->local_ip, &r->local_port, &r->remote_ip,
                        &r->remote_port, &r->state, &r->tx, &r->rx, &timer, &when, &retransmits, &r->uid, &timeout, &got);
    if (fields == 13 && got == ino) {
      r->width = (int)strlen(line);
      return 1;
    }
  }
  return 0;
}

static int row_of(const char *file, int fd, struct row *r) { return row_by_inode(file, inode_of(fd), r); }

static struct sockaddr_in name_of(int fd) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &len);
  return a;
}

/* Whether the row's local (or remote) column names `a`: the address in memory order, the port as a number. */
static int names(unsigned ip, unsigned port, struct sockaddr_in a) {
  return ip == a.sin_addr.s_addr && port == ntohs(a.sin_port);
}

static int header_is(const char *file, const char *expected, size_t width) {
  size_t n = read_file(file, table, sizeof table - 1);
  table[n] = 0;
  char *end = strchr(table, '\n');
  return end && (size_t)(end - table) == width && strncmp(table, expected, strlen(expected)) == 0;
}

int main(void) {
  printf("tcp header: %s\n", yes(header_is("/proc/net/tcp", "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode", 149)));
  printf("udp header: %s\n", yes(header_is("/proc/net/udp", "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops", 127)));

  struct row r;
  int bound = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in any = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  bind(bound, (struct sockaddr *)&any, sizeof any);
  printf("a bound TCP socket has no row: %s\n", yes(!row_of("/proc/net/tcp", bound, &r)));

  int l = socket(AF_INET, SOCK_STREAM, 0);
  bind(l, (struct sockaddr *)&any, sizeof any);
  listen(l, 8);
  struct sockaddr_in server = name_of(l);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  connect(c, (struct sockaddr *)&server, sizeof server);
  int found = row_of("/proc/net/tcp", l, &r);
  printf("listener: %s\n", yes(found && r.state == 0x0a && names(r.local_ip, r.local_port, server) && r.remote_ip == 0 && r.remote_port == 0));
  printf("listener counts one unaccepted connection: %s\n", yes(found && r.rx == 1 && r.tx == 0));
  printf("owned by us, 149 wide: %s\n", yes(found && r.uid == getuid() && r.width == 149));

  int s = accept(l, NULL, NULL);
  send(c, "hello", 5, 0);
  found = row_of("/proc/net/tcp", s, &r);
  printf("accepted socket established: %s\n", yes(found && r.state == 0x01 && names(r.local_ip, r.local_port, server) && names(r.remote_ip, r.remote_port, name_of(c))));
  printf("with 5 bytes unread: %s\n", yes(found && r.rx == 5 && r.tx == 0));
  found = row_of("/proc/net/tcp", c, &r);
  printf("client established to the server: %s\n", yes(found && r.state == 0x01 && names(r.remote_ip, r.remote_port, server) && names(r.local_ip, r.local_port, name_of(c))));

  shutdown(c, SHUT_WR);
  usleep(200000); /* the peer acknowledges a FIN after its delayed-ACK timeout: FIN_WAIT1 until then */
  found = row_of("/proc/net/tcp", c, &r);
  printf("SHUT_WR: FIN_WAIT2: %s\n", yes(found && r.state == 0x05));
  found = row_of("/proc/net/tcp", s, &r);
  printf("peer: CLOSE_WAIT: %s\n", yes(found && r.state == 0x08));
  printf("the FIN counts in its receive queue: %s\n", yes(found && r.rx == 6));
  char buf[16];
  int got = (int)recv(s, buf, 5, 0);
  found = row_of("/proc/net/tcp", s, &r);
  printf("reading the data reads the FIN it came with: %s\n", yes(got == 5 && found && r.rx == 0));
  printf("then the end: %s\n", yes(recv(s, buf, sizeof buf, 0) == 0));
  int fin_only = socket(AF_INET, SOCK_STREAM, 0);
  connect(fin_only, (struct sockaddr *)&server, sizeof server);
  int fin_peer = accept(l, NULL, NULL);
  close(fin_only);
  usleep(100000);
  found = row_of("/proc/net/tcp", fin_peer, &r);
  printf("a FIN alone waits in the queue: %s\n", yes(found && r.state == 0x08 && r.rx == 1));
  got = (int)recv(fin_peer, buf, sizeof buf, 0);
  found = row_of("/proc/net/tcp", fin_peer, &r);
  printf("until a read reaches the end: %s\n", yes(got == 0 && found && r.rx == 0));
  close(fin_peer);
  close(s);
  printf("closed both ways, no row: %s\n", yes(!row_of("/proc/net/tcp", c, &r)));
  close(c);
  close(l);
  close(bound);

  int u = socket(AF_INET, SOCK_DGRAM, 0);
  printf("an unbound UDP socket has no row: %s\n", yes(!row_of("/proc/net/udp", u, &r)));
  bind(u, (struct sockaddr *)&any, sizeof any);
  struct sockaddr_in uname = name_of(u);
  int v = socket(AF_INET, SOCK_DGRAM, 0);
  connect(v, (struct sockaddr *)&uname, sizeof uname);
  send(v, "datagram", 8, 0);
  found = row_of("/proc/net/udp", u, &r);
  printf("bound UDP socket: %s\n", yes(found && r.state == 0x07 && names(r.local_ip, r.local_port, uname) && r.remote_ip == 0 && r.remote_port == 0));
  printf("holding a datagram: %s\n", yes(found && r.rx > 8 && r.uid == getuid() && r.width == 127));
  found = row_of("/proc/net/udp", v, &r);
  printf("connected UDP socket: %s\n", yes(found && r.state == 0x01 && names(r.remote_ip, r.remote_port, uname)));
  unsigned long gone = inode_of(u);
  close(u);
  printf("closed UDP socket's row is gone: %s\n", yes(!row_by_inode("/proc/net/udp", gone, &r)));
  close(v);
  return 0;
}
