/*
 * AF_UNIX datagram and seqpacket sockets: each read takes one message whole (a zero-length one too), a
 * short buffer truncates it with MSG_TRUNC in msg_flags (and recv's MSG_TRUNC returns its real length);
 * recvfrom gives a bound sender's address and an empty one for an unbound sender; a socket connected to
 * another refuses other senders (EPERM); a datagram to a name nobody holds is ECONNREFUSED, one larger than
 * the send buffer EMSGSIZE; a receiver that is not the sender's peer takes 11 queued datagrams before a
 * non-blocking sender gets EAGAIN; SOCK_RAW is a datagram socket; a seqpacket peer's close is end of file;
 * sendmmsg and recvmmsg move several messages at once; a send on a socket shut for writing is EPIPE,
 * with SIGPIPE for a stream socket only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static socklen_t abstract_address(struct sockaddr_un *a, const char *name) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  memcpy(a->sun_path + 1, name, strlen(name));
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

static int bound_dgram(const char *name, struct sockaddr_un *a, socklen_t *len) {
  int s = socket(AF_UNIX, SOCK_DGRAM, 0);
  *len = abstract_address(a, name);
  bind(s, (struct sockaddr *)a, *len);
  return s;
}

static volatile sig_atomic_t sigpipes;
static void count_sigpipe(int sig) {
  (void)sig;
  sigpipes++;
}

int main(void) {
  int sv[2];
  socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  send(sv[0], "one", 3, 0);
  send(sv[0], "", 0, 0);
  send(sv[0], "three33", 7, 0);
  char buf[64];
  int avail = -1;
  ioctl(sv[1], FIONREAD, &avail);
  printf("FIONREAD is the first datagram's size: %s\n", yes(avail == 3));
  ssize_t a = recv(sv[1], buf, sizeof buf, 0);
  ssize_t b = recv(sv[1], buf, sizeof buf, 0);
  printf("datagrams keep their boundaries: %s\n", yes(a == 3 && b == 0));
  struct iovec iov = {buf, 4};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  ssize_t c = recvmsg(sv[1], &msg, MSG_PEEK);
  printf("short buffer: MSG_TRUNC in msg_flags: %s\n", yes(c == 4 && (msg.msg_flags & MSG_TRUNC)));
  c = recv(sv[1], buf, 4, MSG_TRUNC);
  printf("recv MSG_TRUNC returns the real length: %s\n", yes(c == 7 && memcmp(buf, "thre", 4) == 0));
  fcntl(sv[1], F_SETFL, O_NONBLOCK);
  printf("the rest of a truncated datagram is gone: %s\n", yes(recv(sv[1], buf, sizeof buf, 0) < 0 && errno == EAGAIN));
  int type = 0;
  socklen_t tlen = sizeof type;
  getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &tlen);
  printf("SO_TYPE is SOCK_DGRAM: %s\n", yes(type == SOCK_DGRAM));
  close(sv[0]);
  close(sv[1]);

  // Named datagram sockets.
  struct sockaddr_un ra, sa, oa;
  socklen_t rlen, slen, olen;
  int r = bound_dgram("kmos-dgram-receiver", &ra, &rlen);
  int s = bound_dgram("kmos-dgram-sender", &sa, &slen);
  int anon = socket(AF_UNIX, SOCK_DGRAM, 0);
  sendto(s, "from s", 6, 0, (struct sockaddr *)&ra, rlen);
  sendto(anon, "from anon", 9, 0, (struct sockaddr *)&ra, rlen);
  struct sockaddr_un from;
  socklen_t flen = sizeof from;
  a = recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
  printf("recvfrom gives a bound sender's name: %s\n", yes(a == 6 && flen == slen && memcmp(&from, &sa, slen) == 0));
  flen = sizeof from;
  a = recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
  printf("and nothing for an unbound sender: %s\n", yes(a == 9 && flen == 0));
  printf("send without a destination is ENOTCONN: %s\n", yes(send(anon, "x", 1, 0) < 0 && errno == ENOTCONN));

  // Connected datagram sockets.
  connect(r, (struct sockaddr *)&sa, slen);
  int o = bound_dgram("kmos-dgram-other", &oa, &olen);
  printf("a socket connected elsewhere refuses others: %s\n",
         yes(sendto(o, "x", 1, 0, (struct sockaddr *)&ra, rlen) < 0 && errno == EPERM));
  printf("but takes its peer's: %s\n", yes(sendto(s, "peer", 4, 0, (struct sockaddr *)&ra, rlen) == 4));
  printf("connected socket sends with no destination: %s\n", yes(send(r, "back", 4, 0) == 4 && recv(s, buf, sizeof buf, 0) == 4));
  recv(r, buf, sizeof buf, 0);
  struct sockaddr_un unspec = {.sun_family = AF_UNSPEC};
  connect(r, (struct sockaddr *)&unspec, sizeof unspec);
  printf("AF_UNSPEC disconnects: %s\n", yes(sendto(o, "x", 1, 0, (struct sockaddr *)&ra, rlen) == 1));
  recv(r, buf, sizeof buf, 0);

  // A queue not connected back takes 11 before a non-blocking sender waits.
  int sent = 0;
  while (sent < 100 && sendto(o, "q", 1, MSG_DONTWAIT, (struct sockaddr *)&ra, rlen) == 1) sent++;
  printf("receiver queue holds 11: %s\n", yes(sent == 11 && errno == EAGAIN));
  while (recv(r, buf, sizeof buf, MSG_DONTWAIT) > 0) {
  }

  static char huge[300000];
  printf("larger than the send buffer is EMSGSIZE: %s\n",
         yes(sendto(o, huge, sizeof huge, 0, (struct sockaddr *)&ra, rlen) < 0 && errno == EMSGSIZE));
  close(s);
  printf("a name nobody holds is ECONNREFUSED: %s\n",
         yes(sendto(o, "x", 1, 0, (struct sockaddr *)&sa, slen) < 0 && errno == ECONNREFUSED));
  close(r);
  close(o);
  close(anon);

  int raw = socket(AF_UNIX, SOCK_RAW, 0);
  getsockopt(raw, SOL_SOCKET, SO_TYPE, &type, &tlen);
  printf("SOCK_RAW is a datagram socket: %s\n", yes(raw >= 0 && type == SOCK_DGRAM));
  close(raw);

  // Seqpacket: records on a connection.
  socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
  send(sv[0], "rec1", 4, 0);
  send(sv[0], "record2", 7, 0);
  a = recv(sv[1], buf, sizeof buf, 0);
  b = recv(sv[1], buf, 3, 0);
  printf("seqpacket keeps records and truncates: %s\n", yes(a == 4 && b == 3));
  close(sv[0]);
  printf("seqpacket peer's close is end of file: %s\n", yes(recv(sv[1], buf, sizeof buf, 0) == 0));
  printf("seqpacket send to a closed peer is EPIPE: %s\n", yes(send(sv[1], "x", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE));
  close(sv[1]);
  int unconnected = socket(AF_UNIX, SOCK_SEQPACKET, 0);
  printf("unconnected seqpacket recv is ENOTCONN: %s\n", yes(recv(unconnected, buf, 1, 0) < 0 && errno == ENOTCONN));
  close(unconnected);

  // Several messages per call.
  socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  struct mmsghdr out[3], in[4];
  struct iovec oiov[3], iiov[4];
  char ibuf[4][16];
  const char *words[3] = {"alpha", "be", "gamma!"};
  memset(out, 0, sizeof out);
  memset(in, 0, sizeof in);
  for (int i = 0; i < 3; i++) {
    oiov[i] = (struct iovec){(void *)words[i], strlen(words[i])};
    out[i].msg_hdr.msg_iov = &oiov[i];
    out[i].msg_hdr.msg_iovlen = 1;
  }
  for (int i = 0; i < 4; i++) {
    iiov[i] = (struct iovec){ibuf[i], sizeof ibuf[i]};
    in[i].msg_hdr.msg_iov = &iiov[i];
    in[i].msg_hdr.msg_iovlen = 1;
  }
  int ns = sendmmsg(sv[0], out, 3, 0);
  int nr = recvmmsg(sv[1], in, 4, MSG_DONTWAIT, NULL);
  printf("sendmmsg and recvmmsg move three: %s\n",
         yes(ns == 3 && nr == 3 && out[2].msg_len == 6 && in[0].msg_len == 5 && in[1].msg_len == 2 &&
             in[2].msg_len == 6 && memcmp(ibuf[2], "gamma!", 6) == 0));
  int types[] = {SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM};
  signal(SIGPIPE, count_sigpipe);
  for (int i = 0; i < 3; i++) {
    int pair[2];
    socketpair(AF_UNIX, types[i], 0, pair);
    shutdown(pair[0], SHUT_WR);
    sigpipes = 0;
    int r = send(pair[0], "x", 1, 0);
    printf("type %d shut for writing: EPIPE %s, SIGPIPE %s\n", types[i], yes(r == -1 && errno == EPIPE), yes(sigpipes == 1));
    close(pair[0]);
    close(pair[1]);
  }
  return 0;
}
