// Sockets as far as a first kmOS needs them: socketcall(2) sub-call numbers (how i386 programs built for
// old kernels reach every socket call), address families, socket types and their flags, the common
// SOL_SOCKET options, send/recv flags and shutdown modes. Layer: abi (data only, imports nothing). Written
// from the Linux UAPI headers (linux/net.h, asm-generic/socket.h via asm/socket.h) and glibc's
// <sys/socket.h> for AF_/SOCK_/MSG_/SHUT_ (the same numbers as the kernel's linux/socket.h, which is not
// UAPI); socket.test.ts checks each value. sockaddr layouts are in structs.ts.
import { O_CLOEXEC, O_NONBLOCK } from './fcntl.js';

// socketcall(call, args): `call` selects the socket syscall, `args` points at its arguments as longs.
export const SYS_SOCKET = 1;
export const SYS_BIND = 2;
export const SYS_CONNECT = 3;
export const SYS_LISTEN = 4;
export const SYS_ACCEPT = 5;
export const SYS_GETSOCKNAME = 6;
export const SYS_GETPEERNAME = 7;
export const SYS_SOCKETPAIR = 8;
export const SYS_SEND = 9;
export const SYS_RECV = 10;
export const SYS_SENDTO = 11;
export const SYS_RECVFROM = 12;
export const SYS_SHUTDOWN = 13;
export const SYS_SETSOCKOPT = 14;
export const SYS_GETSOCKOPT = 15;
export const SYS_SENDMSG = 16;
export const SYS_RECVMSG = 17;
export const SYS_ACCEPT4 = 18;
export const SYS_RECVMMSG = 19;
export const SYS_SENDMMSG = 20;

/** socketcall `call` → the number of long arguments it reads from `args` (the kernel's nargs[] table). */
export const SOCKETCALL_NARGS: Readonly<Record<number, number>> = {
  1: 3,
  2: 3,
  3: 3,
  4: 2,
  5: 3,
  6: 3,
  7: 3,
  8: 4,
  9: 4,
  10: 4,
  11: 6,
  12: 6,
  13: 2,
  14: 5,
  15: 5,
  16: 3,
  17: 3,
  18: 4,
  19: 5,
  20: 4,
};

// Address families.
export const AF_UNSPEC = 0;
export const AF_UNIX = 1;
export const AF_LOCAL = AF_UNIX;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;
export const AF_PACKET = 17;

// Socket types, and the flags or-ed into the type argument of socket/socketpair/accept4.
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_RDM = 4;
export const SOCK_SEQPACKET = 5;
export const SOCK_DCCP = 6;
export const SOCK_PACKET = 10;
export const SOCK_CLOEXEC = O_CLOEXEC;
export const SOCK_NONBLOCK = O_NONBLOCK;

// IP protocols (<netinet/in.h>), the protocol argument of AF_INET and AF_INET6 sockets.
export const IPPROTO_IP = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_RAW = 255;

// IPPROTO_IP- and IPPROTO_IPV6-level options (<netinet/in.h>) and IPPROTO_TCP-level ones (<netinet/tcp.h>).
export const IP_TOS = 1;
export const IP_TTL = 2;
export const IPV6_UNICAST_HOPS = 16;
export const IPV6_V6ONLY = 26;
export const IPV6_TCLASS = 67;
export const TCP_NODELAY = 1;
export const TCP_MAXSEG = 2;
export const TCP_CORK = 3;
export const TCP_KEEPIDLE = 4;
export const TCP_KEEPINTVL = 5;
export const TCP_KEEPCNT = 6;

// Interface ioctls, on a socket of any family (<linux/sockios.h>), and what they answer (<net/if.h>,
// <net/if_arp.h>).
export const SIOCGIFNAME = 0x8910;
export const SIOCGIFCONF = 0x8912;
export const SIOCGIFFLAGS = 0x8913;
export const SIOCGIFADDR = 0x8915;
export const SIOCGIFDSTADDR = 0x8917;
export const SIOCGIFBRDADDR = 0x8919;
export const SIOCGIFNETMASK = 0x891b;
export const SIOCGIFMETRIC = 0x891d;
export const SIOCGIFMTU = 0x8921;
export const SIOCGIFHWADDR = 0x8927;
export const SIOCGIFINDEX = 0x8933;
export const SIOCGIFTXQLEN = 0x8942;
export const SIOCGIFMAP = 0x8970;
export const IFNAMSIZ = 16;
export const IFF_UP = 0x1;
export const IFF_LOOPBACK = 0x8;
export const IFF_RUNNING = 0x40;
export const ARPHRD_LOOPBACK = 772;

// getsockopt/setsockopt at SOL_SOCKET.
export const SOL_SOCKET = 1;
export const SO_DEBUG = 1;
export const SO_REUSEADDR = 2;
export const SO_TYPE = 3;
export const SO_ERROR = 4;
export const SO_DONTROUTE = 5;
export const SO_BROADCAST = 6;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_KEEPALIVE = 9;
export const SO_OOBINLINE = 10;
export const SO_LINGER = 13;
export const SO_REUSEPORT = 15;
export const SO_PASSCRED = 16;
export const SO_PEERCRED = 17;
export const SO_RCVLOWAT = 18;
export const SO_SNDLOWAT = 19;
export const SO_RCVTIMEO_OLD = 20;
export const SO_SNDTIMEO_OLD = 21;
export const SO_RCVTIMEO_NEW = 66;
export const SO_SNDTIMEO_NEW = 67;
export const SO_ACCEPTCONN = 30;
export const SO_PROTOCOL = 38;
export const SO_DOMAIN = 39;

/** SCM_RIGHTS: a cmsg carrying file descriptors over an AF_UNIX socket. */
export const SCM_RIGHTS = 0x01;
export const SCM_CREDENTIALS = 0x02;

// send/recv flags.
export const MSG_OOB = 0x01;
export const MSG_PEEK = 0x02;
export const MSG_DONTROUTE = 0x04;
export const MSG_CTRUNC = 0x08;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;
export const MSG_EOR = 0x80;
export const MSG_WAITALL = 0x100;
export const MSG_CONFIRM = 0x800;
export const MSG_ERRQUEUE = 0x2000;
export const MSG_NOSIGNAL = 0x4000;
export const MSG_MORE = 0x8000;
export const MSG_WAITFORONE = 0x10000;
export const MSG_ZEROCOPY = 0x4000000;
export const MSG_FASTOPEN = 0x20000000;
export const MSG_CMSG_CLOEXEC = 0x40000000;

// shutdown `how`.
export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;
