/**
 * socket(2) and socketpair(2) by address family: AF_UNIX, and AF_INET's and AF_INET6's TCP and UDP over
 * the loopback network (net/inet/); every other family (AF_NETLINK, AF_PACKET, ...) is EAFNOSUPPORT, as on a
 * Linux kernel built without it.
 * Layer: kernel net; the kernel owns one SocketLayer, the syscall layer asks it for new sockets.
 */
import {
  AF_INET,
  AF_INET6,
  AF_NETLINK,
  AF_UNIX,
  EAFNOSUPPORT,
  EINVAL,
  EOPNOTSUPP,
  EPROTONOSUPPORT,
  ESOCKTNOSUPPORT,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NETLINK_ROUTE,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_SEQPACKET,
  SOCK_STREAM,
} from '@kmos/abi-linux';
import type { PipeMemory } from '../fs/pipe.js';
import type { Vfs } from '../fs/vfs.js';
import { KernelError } from '../kernel-error.js';
import { InetPorts, type PortOwner } from './inet/inet-ports.js';
import type { InetEnvironment } from './inet/inet-socket.js';
import { tcpTable, udpTable } from './inet/proc-net-inet.js';
import { TcpSocket } from './inet/tcp-socket.js';
import { UdpSocket } from './inet/udp-socket.js';
import { procNetDev, TrafficCounter } from './interfaces.js';
import type { Ucred } from './message-queue.js';
import { type NetlinkEnvironment, NetlinkSocket } from './netlink/netlink-socket.js';
import type { Socket } from './socket.js';
import { UnixNamespace } from './unix/unix-namespace.js';
import { type UnixEnvironment, UnixSocket } from './unix/unix-socket.js';

/** Families are numbered below AF_MAX (46 in Linux 6.x); others are EAFNOSUPPORT too. */
const SOCK_MAX = 11;

export class SocketLayer {
  private readonly unix: UnixEnvironment;
  private readonly inet: InetEnvironment;
  private readonly netlink: NetlinkEnvironment;

  constructor(vfs: Vfs, memory: PipeMemory) {
    this.unix = { names: new UnixNamespace<UnixSocket>(vfs), memory, live: new Set() };
    this.inet = {
      tcp: new InetPorts<PortOwner>(),
      udp: new InetPorts<PortOwner>(),
      memory,
      live: new Set(),
      loopback: new TrafficCounter(),
    };
    this.netlink = { memory, ports: new Set(), loopback: this.inet.loopback };
  }

  /** /proc/net/unix. */
  unixTable(): string {
    const lines = ['Num       RefCount Protocol Flags    Type St Inode Path'];
    for (const socket of this.unix.live) lines.push(socket.procNetUnixLine());
    return `${lines.join('\n')}\n`;
  }

  /** /proc/net/dev. */
  devTable(): string {
    return procNetDev(this.inet.loopback);
  }

  /** /proc/net/tcp (`family` AF_INET) or tcp6: listeners first, as Linux walks its listening hash first. */
  tcpTable(family: number): string {
    const tcp = [...this.inet.live].filter((s) => s instanceof TcpSocket && s.family === family);
    return tcpTable(family, [...tcp.filter((s) => s.listening), ...tcp.filter((s) => !s.listening)]);
  }

  /** /proc/net/udp or udp6. */
  udpTable(family: number): string {
    return udpTable(
      family,
      [...this.inet.live].filter((s) => s instanceof UdpSocket && s.family === family),
    );
  }

  /** socket(2) for `type` without its flags. */
  create(family: number, type: number, protocol: number): Socket {
    if (type < 0 || type >= SOCK_MAX) throw new KernelError(EINVAL, 'socket type');
    if (family === AF_INET || family === AF_INET6) return this.inetSocket(family, type, protocol);
    if (family === AF_NETLINK) return this.netlinkSocket(type, protocol);
    if (family !== AF_UNIX) throw new KernelError(EAFNOSUPPORT, `address family ${family}`);
    return new UnixSocket(unixType(type, protocol), this.unix);
  }

  /** inet_create: TCP for streams, UDP for datagrams (protocol 0 or the protocol's own number). */
  private inetSocket(family: number, type: number, protocol: number): Socket {
    if (type === SOCK_STREAM) {
      if (protocol !== 0 && protocol !== IPPROTO_TCP) throw new KernelError(EPROTONOSUPPORT);
      return new TcpSocket(family, this.inet);
    }
    if (type === SOCK_DGRAM) {
      if (protocol !== 0 && protocol !== IPPROTO_UDP) throw new KernelError(EPROTONOSUPPORT);
      return new UdpSocket(family, this.inet);
    }
    // No raw sockets (ping's) and no SCTP-style seqpacket: kmOS has no IP layer below TCP and UDP.
    throw new KernelError(ESOCKTNOSUPPORT, `internet socket type ${type}`);
  }

  /** netlink_create: raw or datagram sockets of the route family (kmOS's only netlink protocol). */
  private netlinkSocket(type: number, protocol: number): Socket {
    if (type !== SOCK_RAW && type !== SOCK_DGRAM) throw new KernelError(ESOCKTNOSUPPORT);
    if (protocol !== NETLINK_ROUTE) throw new KernelError(EPROTONOSUPPORT, `netlink protocol ${protocol}`);
    return new NetlinkSocket(type, protocol, this.netlink);
  }

  /** socketpair(2): AF_UNIX only (Linux's other families answer EOPNOTSUPP, or lack the family). */
  pair(family: number, type: number, protocol: number, creds: Ucred): [Socket, Socket] {
    if (type < 0 || type >= SOCK_MAX) throw new KernelError(EINVAL, 'socket type');
    if (family === AF_INET || family === AF_INET6) throw new KernelError(EOPNOTSUPP);
    if (family !== AF_UNIX) throw new KernelError(EAFNOSUPPORT, `address family ${family}`);
    const kind = unixType(type, protocol);
    if (kind !== SOCK_STREAM && kind !== SOCK_DGRAM && kind !== SOCK_SEQPACKET)
      throw new KernelError(EOPNOTSUPP);
    return UnixSocket.pair(kind, this.unix, creds);
  }
}

/** unix_create: protocol 0 or PF_UNIX; SOCK_RAW is taken as SOCK_DGRAM. */
function unixType(type: number, protocol: number): number {
  if (protocol !== 0 && protocol !== AF_UNIX) throw new KernelError(EPROTONOSUPPORT);
  if (type === SOCK_RAW) return SOCK_DGRAM;
  if (type !== SOCK_STREAM && type !== SOCK_DGRAM && type !== SOCK_SEQPACKET)
    throw new KernelError(ESOCKTNOSUPPORT);
  return type;
}
