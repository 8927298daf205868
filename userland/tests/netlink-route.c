/*
 * NETLINK_ROUTE as getifaddrs(3), if_nameindex(3) and `ip` use it, for the loopback interface: port ids
 * (the process id, then a negative one), a link dump (RTM_NEWLINK for lo with its name, MTU and flags, each
 * message echoing the request's sequence and our port, NLM_F_MULTI, then NLMSG_DONE), a link lookup by
 * index (one message, then an acknowledgement when asked), ENODEV for an unknown index, an IPv4 address
 * dump, lo's routes in a route dump (127.0.0.0/8 and 127.0.0.1 local, 127.255.255.255 broadcast, ::1 in
 * the local table), MSG_PEEK|MSG_TRUNC sizing, ECONNREFUSED for a port nobody holds; then
 * getifaddrs and if_nameindex.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static char answer[1 << 16];

/* Receives a dump's datagrams into `answer` until its NLMSG_DONE; returns the bytes, or -1. */
static ssize_t receive_dump(int fd) {
  ssize_t used = 0;
  for (;;) {
    ssize_t n = recv(fd, answer + used, sizeof answer - (size_t)used, 0);
    if (n <= 0) return -1;
    struct nlmsghdr *h = (struct nlmsghdr *)(answer + used);
    used += n;
    for (; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n))
      if (h->nlmsg_type == NLMSG_DONE) return used;
  }
}

static int port_of(int fd) {
  struct sockaddr_nl a;
  socklen_t len = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &len);
  return (int)a.nl_pid;
}

static int request(int fd, int type, int flags, unsigned seq, const void *body, size_t size) {
  struct {
    struct nlmsghdr h;
    char body[64];
  } r;
  memset(&r, 0, sizeof r);
  r.h.nlmsg_len = NLMSG_LENGTH(size);
  r.h.nlmsg_type = type;
  r.h.nlmsg_flags = NLM_F_REQUEST | flags;
  r.h.nlmsg_seq = seq;
  memcpy(r.body, body, size);
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  return (int)sendto(fd, &r, r.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel);
}

/* The value of attribute `type` in link or address message `h` (after a fixed part of `fixed` bytes). */
static struct rtattr *attribute(struct nlmsghdr *h, size_t fixed, int type) {
  int left = (int)h->nlmsg_len - (int)NLMSG_LENGTH(fixed);
  for (struct rtattr *a = (struct rtattr *)((char *)NLMSG_DATA(h) + NLMSG_ALIGN(fixed)); RTA_OK(a, left); a = RTA_NEXT(a, left))
    if (a->rta_type == type) return a;
  return NULL;
}

int main(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  printf("socket: %s\n", yes(fd >= 0));
  printf("unbound port 0: %s\n", yes(port_of(fd) == 0));
  struct sockaddr_nl me = {.nl_family = AF_NETLINK};
  printf("bind to port 0 takes the process id: %s\n", yes(bind(fd, (struct sockaddr *)&me, sizeof me) == 0 && port_of(fd) == getpid()));
  int second = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
  bind(second, (struct sockaddr *)&me, sizeof me);
  printf("a second socket gets a negative port: %s\n", yes(port_of(second) < 0));
  struct sockaddr_nl taken = {.nl_family = AF_NETLINK, .nl_pid = (unsigned)getpid()};
  int third = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  printf("binding a taken port EADDRINUSE: %s\n", yes(bind(third, (struct sockaddr *)&taken, sizeof taken) == -1 && errno == EADDRINUSE));
  close(third);
  printf("another protocol EPROTONOSUPPORT: %s\n", yes(socket(AF_NETLINK, SOCK_RAW, 31) == -1 && errno == EPROTONOSUPPORT));

  struct ifinfomsg link = {.ifi_family = AF_UNSPEC};
  request(fd, RTM_GETLINK, NLM_F_DUMP, 7, &link, sizeof link);
  char small[16];
  ssize_t whole = recv(fd, small, sizeof small, MSG_PEEK | MSG_TRUNC);
  ssize_t first = recv(fd, answer, sizeof answer, MSG_PEEK);
  printf("MSG_PEEK|MSG_TRUNC gives the whole length: %s\n", yes(whole == first && first > 16));
  ssize_t n = receive_dump(fd);
  int lo = 0, multi = 1, echoed = 1, done = 0;
  for (struct nlmsghdr *h = (struct nlmsghdr *)answer; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
    multi &= (h->nlmsg_flags & NLM_F_MULTI) != 0;
    echoed &= h->nlmsg_seq == 7 && (int)h->nlmsg_pid == getpid();
    if (h->nlmsg_type == NLMSG_DONE) done = 1;
    if (h->nlmsg_type != RTM_NEWLINK) continue;
    struct ifinfomsg *i = NLMSG_DATA(h);
    struct rtattr *name = attribute(h, sizeof *i, IFLA_IFNAME), *mtu = attribute(h, sizeof *i, IFLA_MTU);
    if (i->ifi_index == 1 && name && strcmp(RTA_DATA(name), "lo") == 0 && mtu && *(unsigned *)RTA_DATA(mtu) == 65536 &&
        i->ifi_type == 772 && i->ifi_flags == (IFF_UP | IFF_LOOPBACK | IFF_RUNNING | 0x10000 /* IFF_LOWER_UP */))
      lo = 1;
  }
  printf("link dump has lo: %s\n", yes(lo));
  printf("all multipart, echoing seq and port: %s\n", yes(multi && echoed));
  printf("ends with NLMSG_DONE: %s\n", yes(done));

  link.ifi_index = 1;
  request(fd, RTM_GETLINK, NLM_F_ACK, 8, &link, sizeof link);
  n = recv(fd, answer, sizeof answer, 0);
  struct nlmsghdr *h = (struct nlmsghdr *)answer;
  int lone = h->nlmsg_type == RTM_NEWLINK && (h->nlmsg_flags & NLM_F_MULTI) == 0 && ((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index == 1;
  printf("lookup by index: one message: %s\n", yes(lone && n == (ssize_t)h->nlmsg_len));
  n = recv(fd, answer, sizeof answer, 0);
  h = (struct nlmsghdr *)answer;
  struct nlmsgerr *ack = NLMSG_DATA(h);
  printf("then the acknowledgement: %s\n", yes(n == (ssize_t)NLMSG_LENGTH(sizeof *ack) && h->nlmsg_type == NLMSG_ERROR && ack->error == 0 && ack->msg.nlmsg_seq == 8));

  link.ifi_index = 9999;
  request(fd, RTM_GETLINK, 0, 9, &link, sizeof link);
  n = recv(fd, answer, sizeof answer, 0);
  h = (struct nlmsghdr *)answer;
  printf("unknown index: ENODEV: %s\n", yes(h->nlmsg_type == NLMSG_ERROR && ((struct nlmsgerr *)NLMSG_DATA(h))->error == -ENODEV));

  struct ifaddrmsg addr = {.ifa_family = AF_INET};
  request(fd, RTM_GETADDR, NLM_F_DUMP, 10, &addr, sizeof addr);
  n = receive_dump(fd);
  int loopback4 = 0, only4 = 1;
  for (h = (struct nlmsghdr *)answer; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
    if (h->nlmsg_type != RTM_NEWADDR) continue;
    struct ifaddrmsg *a = NLMSG_DATA(h);
    only4 &= a->ifa_family == AF_INET;
    struct rtattr *local = attribute(h, sizeof *a, IFA_LOCAL), *label = attribute(h, sizeof *a, IFA_LABEL);
    if (a->ifa_index == 1 && a->ifa_prefixlen == 8 && a->ifa_scope == RT_SCOPE_HOST && local &&
        ntohl(*(unsigned *)RTA_DATA(local)) == 0x7f000001 && label && strcmp(RTA_DATA(label), "lo") == 0)
      loopback4 = 1;
  }
  printf("IPv4 address dump: lo's 127.0.0.1/8: %s\n", yes(loopback4 && only4));

  struct rtmsg route = {.rtm_family = AF_UNSPEC};
  request(fd, RTM_GETROUTE, NLM_F_DUMP, 11, &route, sizeof route);
  n = receive_dump(fd);
  int local8 = 0, local32 = 0, broadcast = 0, main6 = 0, local6 = 0;
  for (h = (struct nlmsghdr *)answer; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
    if (h->nlmsg_type != RTM_NEWROUTE) continue;
    struct rtmsg *m = NLMSG_DATA(h);
    struct rtattr *oif = attribute(h, sizeof *m, RTA_OIF), *dst = attribute(h, sizeof *m, RTA_DST);
    struct rtattr *src = attribute(h, sizeof *m, RTA_PREFSRC), *metric = attribute(h, sizeof *m, RTA_PRIORITY);
    if (!oif || *(int *)RTA_DATA(oif) != 1 || !dst || m->rtm_protocol != RTPROT_KERNEL) continue;
    if (m->rtm_family == AF_INET) {
      unsigned d = ntohl(*(unsigned *)RTA_DATA(dst));
      int from_lo = src && ntohl(*(unsigned *)RTA_DATA(src)) == 0x7f000001 && m->rtm_table == RT_TABLE_LOCAL;
      if (from_lo && m->rtm_type == RTN_LOCAL && m->rtm_scope == RT_SCOPE_HOST && d == 0x7f000000 && m->rtm_dst_len == 8) local8 = 1;
      if (from_lo && m->rtm_type == RTN_LOCAL && m->rtm_scope == RT_SCOPE_HOST && d == 0x7f000001 && m->rtm_dst_len == 32) local32 = 1;
      if (from_lo && m->rtm_type == RTN_BROADCAST && m->rtm_scope == RT_SCOPE_LINK && d == 0x7fffffff && m->rtm_dst_len == 32) broadcast = 1;
    } else if (m->rtm_family == AF_INET6 && m->rtm_dst_len == 128 && IN6_IS_ADDR_LOOPBACK((struct in6_addr *)RTA_DATA(dst)) && metric) {
      unsigned prio = *(unsigned *)RTA_DATA(metric);
      if (m->rtm_table == RT_TABLE_MAIN && m->rtm_type == RTN_UNICAST && prio == 256) main6 = 1;
      if (m->rtm_table == RT_TABLE_LOCAL && m->rtm_type == RTN_LOCAL && prio == 0) local6 = 1;
    }
  }
  printf("route dump: 127.0.0.0/8 local from 127.0.0.1: %s\n", yes(local8));
  printf("route dump: 127.0.0.1 local: %s\n", yes(local32));
  printf("route dump: 127.255.255.255 broadcast: %s\n", yes(broadcast));
  /* The main-table ::1 route is usual but not everywhere (a container's lo may lack it): not checked. */
  (void)main6;
  printf("route dump: ::1 in the local table (metric 0): %s\n", yes(local6));

  struct sockaddr_nl nobody = {.nl_family = AF_NETLINK, .nl_pid = 0x7ffffff0};
  printf("sending to a port nobody holds ECONNREFUSED: %s\n", yes(sendto(fd, &link, sizeof link, 0, (struct sockaddr *)&nobody, sizeof nobody) == -1 && errno == ECONNREFUSED));
  close(second);
  close(fd);

  struct ifaddrs *all;
  int packet = 0, inet = 0, inet6 = 0;
  if (getifaddrs(&all) == 0) {
    for (struct ifaddrs *i = all; i; i = i->ifa_next) {
      if (strcmp(i->ifa_name, "lo") != 0 || !i->ifa_addr) continue;
      if (!(i->ifa_flags & IFF_UP) || !(i->ifa_flags & IFF_LOOPBACK)) continue;
      if (i->ifa_addr->sa_family == AF_PACKET && i->ifa_data) packet = 1;
      if (i->ifa_addr->sa_family == AF_INET && ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr) == 0x7f000001 &&
          ntohl(((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr) == 0xff000000)
        inet = 1;
      if (i->ifa_addr->sa_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr))
        inet6 = 1;
    }
    freeifaddrs(all);
  }
  printf("getifaddrs: lo's link with statistics: %s\n", yes(packet));
  printf("getifaddrs: lo's 127.0.0.1/255.0.0.0: %s\n", yes(inet));
  printf("getifaddrs: lo's ::1: %s\n", yes(inet6));
  struct if_nameindex *names = if_nameindex();
  int listed = 0;
  for (struct if_nameindex *i = names; i && i->if_index; i++)
    if (i->if_index == 1 && strcmp(i->if_name, "lo") == 0) listed = 1;
  if (names) if_freenameindex(names);
  printf("if_nameindex lists lo as 1: %s\n", yes(listed));
  return 0;
}
