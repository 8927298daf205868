/*
 * Interface ioctls on sockets, as ifconfig and if_nametoindex use them, for the loopback interface: name
 * and index both ways, flags, MTU, metric, queue length, hardware type; the IPv4 address, netmask,
 * broadcast and destination on an AF_INET socket and ENOTTY on others; ENODEV for an unknown name;
 * SIOCGIFCONF's entry for lo (and the length a null buffer asks for); /proc/net/dev's header and lo's
 * counters, which a datagram over loopback moves (in both directions alike), and /proc/net/if_inet6's ::1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "read-file.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static char text[1 << 16];

/* lo's receive and transmit packets and bytes from /proc/net/dev; 0 when its line is missing. */
static int lo_counters(unsigned long long *rx_bytes, unsigned long long *rx_packets, unsigned long long *tx_bytes,
                       unsigned long long *tx_packets) {
  size_t n = read_file("/proc/net/dev", text, sizeof text - 1);
  text[n] = 0;
  char *lo = strstr(text, "    lo: ");
  unsigned long long skip;
  return lo && sscanf(lo + 8, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", rx_bytes, rx_packets, &skip, &skip, &skip,
                      &skip, &skip, &skip, tx_bytes, tx_packets) == 10;
}

static int ask(int fd, unsigned long request, const char *name, struct ifreq *r) {
  memset(r, 0, sizeof *r);
  strncpy(r->ifr_name, name, IFNAMSIZ - 1);
  return ioctl(fd, request, r);
}

static unsigned address(const struct ifreq *r) { return ntohl(((const struct sockaddr_in *)&r->ifr_addr)->sin_addr.s_addr); }

int main(void) {
  printf("if_nametoindex(lo) 1: %s\n", yes(if_nametoindex("lo") == 1));
  char name[IF_NAMESIZE];
  printf("if_indextoname(1) lo: %s\n", yes(if_indextoname(1, name) && strcmp(name, "lo") == 0));
  printf("if_nametoindex(nosuch) 0: %s\n", yes(if_nametoindex("nosuch0") == 0));

  int families[] = {AF_INET, AF_INET6, AF_UNIX};
  for (int k = 0; k < 3; k++) {
    int fd = socket(families[k], SOCK_DGRAM, 0);
    struct ifreq r;
    printf("[%d] flags UP|LOOPBACK|RUNNING: %s\n", families[k], yes(ask(fd, SIOCGIFFLAGS, "lo", &r) == 0 && r.ifr_flags == (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)));
    printf("[%d] index 1: %s\n", families[k], yes(ask(fd, SIOCGIFINDEX, "lo", &r) == 0 && r.ifr_ifindex == 1));
    printf("[%d] mtu 65536: %s\n", families[k], yes(ask(fd, SIOCGIFMTU, "lo", &r) == 0 && r.ifr_mtu == 65536));
    printf("[%d] metric 0: %s\n", families[k], yes(ask(fd, SIOCGIFMETRIC, "lo", &r) == 0 && r.ifr_metric == 0));
    printf("[%d] txqueuelen 1000: %s\n", families[k], yes(ask(fd, SIOCGIFTXQLEN, "lo", &r) == 0 && r.ifr_qlen == 1000));
    printf("[%d] hardware loopback: %s\n", families[k], yes(ask(fd, SIOCGIFHWADDR, "lo", &r) == 0 && r.ifr_hwaddr.sa_family == ARPHRD_LOOPBACK));
    printf("[%d] map: %s\n", families[k], yes(ask(fd, SIOCGIFMAP, "lo", &r) == 0 && r.ifr_map.base_addr == 0));
    int got = ask(fd, SIOCGIFADDR, "lo", &r);
    if (families[k] == AF_INET) {
      printf("[%d] address 127.0.0.1: %s\n", families[k], yes(got == 0 && r.ifr_addr.sa_family == AF_INET && address(&r) == 0x7f000001));
      printf("[%d] netmask 255.0.0.0: %s\n", families[k], yes(ask(fd, SIOCGIFNETMASK, "lo", &r) == 0 && address(&r) == 0xff000000));
      printf("[%d] broadcast 0.0.0.0: %s\n", families[k], yes(ask(fd, SIOCGIFBRDADDR, "lo", &r) == 0 && address(&r) == 0));
      printf("[%d] destination 127.0.0.1: %s\n", families[k], yes(ask(fd, SIOCGIFDSTADDR, "lo", &r) == 0 && address(&r) == 0x7f000001));
    } else {
      printf("[%d] address ENOTTY: %s\n", families[k], yes(got == -1 && errno == ENOTTY));
    }
    printf("[%d] unknown name ENODEV: %s\n", families[k], yes(ask(fd, SIOCGIFFLAGS, "nosuch0", &r) == -1 && errno == ENODEV));
    close(fd);
  }

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct ifconf conf = {.ifc_len = 0, .ifc_buf = NULL};
  int sized = ioctl(fd, SIOCGIFCONF, &conf) == 0 && conf.ifc_len > 0 && conf.ifc_len % (int)sizeof(struct ifreq) == 0;
  printf("SIOCGIFCONF sizes its answer: %s\n", yes(sized));
  struct ifreq reqs[16];
  conf.ifc_len = sizeof reqs;
  conf.ifc_req = reqs;
  int found = 0;
  if (ioctl(fd, SIOCGIFCONF, &conf) == 0)
    for (int i = 0; i < conf.ifc_len / (int)sizeof(struct ifreq); i++)
      if (strcmp(reqs[i].ifr_name, "lo") == 0 && address(&reqs[i]) == 0x7f000001) found = 1;
  printf("SIOCGIFCONF lists lo at 127.0.0.1: %s\n", yes(found));
  conf.ifc_len = sizeof(struct ifreq) - 1;
  printf("no room, no entries: %s\n", yes(ioctl(fd, SIOCGIFCONF, &conf) == 0 && conf.ifc_len == 0));
  close(fd);

  unsigned long long rb0, rp0, tb0, tp0, rb1, rp1, tb1, tp1;
  int before = lo_counters(&rb0, &rp0, &tb0, &tp0);
  printf("/proc/net/dev header: %s\n", yes(strncmp(text, "Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n", 196) == 0));
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  bind(u, (struct sockaddr *)&to, sizeof to);
  socklen_t len = sizeof to;
  getsockname(u, (struct sockaddr *)&to, &len);
  sendto(u, "12345678", 8, 0, (struct sockaddr *)&to, sizeof to);
  int after = lo_counters(&rb1, &rp1, &tb1, &tp1);
  printf("lo's line: %s\n", yes(before && after));
  printf("a datagram moves the counters: %s\n", yes(rp1 > rp0 && rb1 >= rb0 + 8 && tp1 > tp0 && tb1 >= tb0 + 8));
  printf("received as sent: %s\n", yes(rp1 - rp0 == tp1 - tp0 && rb1 - rb0 == tb1 - tb0));
  close(u);
  size_t n = read_file("/proc/net/if_inet6", text, sizeof text - 1);
  text[n] = 0;
  printf("if_inet6 has ::1 on lo: %s\n", yes(strstr(text, "00000000000000000000000000000001 01 80 10 80       lo\n") != NULL));
  return 0;
}
