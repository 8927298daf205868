/**
 * What TCP and UDP sockets of both families share: the local address and its port in the protocol's
 * InetPorts, the pending error (sk_err), and the options at SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6 (AF_INET6)
 * and (TCP) IPPROTO_TCP. Options kmOS's loopback network has no use for (IP_TOS, TCP_NODELAY, keep-alive
 * timings, hop limits) are kept and read back; IPV6_V6ONLY decides whether :: takes IPv4 traffic.
 * Layer: kernel net (AF_INET, AF_INET6).
 */
import {
  AF_INET,
  AF_INET6,
  EINVAL,
  ENETUNREACH,
  ENOPROTOOPT,
  IP_TOS,
  IP_TTL,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPV6_TCLASS,
  IPV6_UNICAST_HOPS,
  IPV6_V6ONLY,
  SO_ACCEPTCONN,
  SO_DOMAIN,
  SO_ERROR,
  SO_PROTOCOL,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_SNDBUF,
  SO_TYPE,
  SOL_SOCKET,
  TCP_CORK,
  TCP_KEEPCNT,
  TCP_KEEPIDLE,
  TCP_KEEPINTVL,
  TCP_MAXSEG,
  TCP_NODELAY,
} from '@kmos/abi-linux';
import type { PipeMemory } from '../../fs/pipe.js';
import { KernelError } from '../../kernel-error.js';
import { WaitQueue } from '../../sched/wait-queue.js';
import type { TrafficCounter } from '../interfaces.js';
import { CommonOptions, int, optionInt } from '../socket-options.js';
import {
  ANY4,
  ANY6,
  type InetAddress,
  type Ip,
  inetAddressBytes,
  isAny,
  isLocal,
  isV4,
  LOOPBACK4,
  LOOPBACK6,
  routeTo,
  unbound,
} from './inet-address.js';
import type { InetPorts, PortOwner } from './inet-ports.js';
import type { ProcNetEntry, ProcNetListed } from './proc-net-inet.js';

/** What every AF_INET socket of one kernel shares. */
export interface InetEnvironment {
  readonly tcp: InetPorts<PortOwner>;
  readonly udp: InetPorts<PortOwner>;
  readonly memory: PipeMemory;
  /** Every socket not yet closed, in creation order (/proc/net/tcp and udp list them). */
  readonly live: Set<InetSocket>;
  /** What crossed the loopback interface (/proc/net/dev). */
  readonly loopback: TrafficCounter;
}

/** Options per level kept as ints, with the value each reads before it is set. */
const KEPT: Record<number, Map<number, number>> = {
  [IPPROTO_IP]: new Map([
    [IP_TOS, 0],
    [IP_TTL, 64],
  ]),
  [IPPROTO_IPV6]: new Map([
    [IPV6_UNICAST_HOPS, 64],
    [IPV6_TCLASS, 0],
  ]),
  [IPPROTO_TCP]: new Map([
    [TCP_NODELAY, 0],
    [TCP_MAXSEG, 536],
    [TCP_CORK, 0],
    [TCP_KEEPIDLE, 7200],
    [TCP_KEEPINTVL, 75],
    [TCP_KEEPCNT, 9],
  ]),
};

export abstract class InetSocket implements PortOwner, ProcNetListed {
  readonly queue = new WaitQueue();
  inode = 0;
  ownerUid = 0;
  local: InetAddress;
  /** net.ipv6.bindv6only's default: an AF_INET6 socket takes IPv4 traffic too until told otherwise. */
  v6only = false;
  /** Whether the socket holds its port in the protocol's table (an accepted TCP socket shares its listener's). */
  protected bound = false;
  protected error = 0;
  protected dead = false;
  protected readonly options = new CommonOptions();
  private readonly kept = new Map<number, number>();
  abstract readonly type: number;
  abstract readonly protocol: number;
  abstract readonly listening: boolean;

  constructor(
    readonly family: number,
    protected readonly env: InetEnvironment,
    private readonly ports: InetPorts<PortOwner>,
  ) {
    this.local = unbound(family);
    env.live.add(this);
  }

  abstract procNetEntry(): ProcNetEntry | null;

  /** The owner columns of this socket's /proc/net row. */
  protected get owner(): { uid: number; inode: number } {
    return { uid: this.ownerUid, inode: this.inode };
  }

  get reuseAddr(): boolean {
    return this.options.flag(SO_REUSEADDR);
  }

  get reusePort(): boolean {
    return this.options.flag(SO_REUSEPORT);
  }

  get receiveTimeoutNs(): number {
    return this.options.receiveTimeoutNs;
  }

  get sendTimeoutNs(): number {
    return this.options.sendTimeoutNs;
  }

  localAddress(): Uint8Array {
    return inetAddressBytes(this.local, this.family);
  }

  /** `a` as this socket's family writes addresses (an AF_INET6 socket shows IPv4 peers as ::ffff:a.b.c.d). */
  protected addressBytes(a: InetAddress): Uint8Array {
    return inetAddressBytes(a, this.family);
  }

  /** bind(2): EINVAL when bound already (explicitly or by sending or connecting). */
  protected bindTo(ip: Ip, port: number, uid: number): void {
    if (this.bound) throw new KernelError(EINVAL, 'bound already');
    this.local = this.ports.bind(this, ip, port, uid);
    this.bound = true;
  }

  /** An unbound socket that sends, connects or listens gets an ephemeral port on every address. */
  protected autobind(uid: number): void {
    if (!this.bound) this.bindTo(this.family === AF_INET ? ANY4 : ANY6, 0, uid);
  }

  /** The address packets from this socket to `to` come from: its own, or loopback's for a wildcard. */
  protected sourceFor(to: Ip): InetAddress {
    if (!isAny(this.local.ip)) return this.local;
    return { ip: isV4(to) ? LOOPBACK4 : LOOPBACK6, port: this.local.port };
  }

  /**
   * Where packets to `target` go (loopback for the unspecified address); ENETUNREACH off this host, or for
   * IPv4 from a V6ONLY socket or one bound to an IPv6 address.
   */
  protected destination(target: InetAddress): Ip {
    const ip = routeTo(target.ip);
    const reaches =
      this.family === AF_INET
        ? isV4(ip)
        : !(isV4(ip) && this.v6only) && (isAny(this.local.ip) || isV4(this.local.ip) === isV4(ip));
    if (!reaches || !isLocal(ip)) throw new KernelError(ENETUNREACH);
    return ip;
  }

  /** Gives up the port and leaves the live set: what closing does to every AF_INET socket. */
  protected forget(): void {
    if (this.bound) this.ports.release(this);
    this.bound = false;
    this.env.live.delete(this);
  }

  /** The pending error (sk_err), which reporting clears. */
  protected takeError(): KernelError {
    const errno = this.error;
    this.error = 0;
    return new KernelError(errno);
  }

  getOption(level: number, name: number): Uint8Array {
    if (level === SOL_SOCKET) {
      switch (name) {
        case SO_TYPE:
          return int(this.type);
        case SO_DOMAIN:
          return int(this.family);
        case SO_PROTOCOL:
          return int(this.protocol);
        case SO_ERROR:
          return int(this.error ? this.takeError().errno : 0);
        case SO_ACCEPTCONN:
          return int(this.listening ? 1 : 0);
        default:
          return this.options.get(name);
      }
    }
    if (level === IPPROTO_IPV6 && name === IPV6_V6ONLY && this.family === AF_INET6)
      return int(this.v6only ? 1 : 0);
    const initial = this.keptOptions(level).get(name);
    if (initial === undefined) throw new KernelError(ENOPROTOOPT);
    return int(this.kept.get(level * 0x10000 + name) ?? initial);
  }

  setOption(level: number, name: number, value: Uint8Array): void {
    if (level === SOL_SOCKET) {
      this.options.set(name, value);
      if (name === SO_SNDBUF) this.queue.wakeAll();
      return;
    }
    if (level === IPPROTO_IPV6 && name === IPV6_V6ONLY && this.family === AF_INET6) {
      // Bound sockets keep their choice (Linux: EINVAL once inet_num is set).
      if (this.bound) throw new KernelError(EINVAL, 'IPV6_V6ONLY after bind');
      this.v6only = optionInt(value) !== 0;
      return;
    }
    if (!this.keptOptions(level).has(name)) throw new KernelError(ENOPROTOOPT);
    this.kept.set(level * 0x10000 + name, optionInt(value));
  }

  private keptOptions(level: number): Map<number, number> {
    if (level === IPPROTO_TCP && this.protocol !== IPPROTO_TCP) return new Map();
    if (level === IPPROTO_IPV6 && this.family !== AF_INET6) return new Map();
    return KEPT[level] ?? new Map();
  }
}
