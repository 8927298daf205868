/**
 * One protocol's port numbers (TCP's and UDP's are separate; AF_INET and AF_INET6 sockets share them):
 * who is bound to which address and port, the bind conflict rules, ephemeral ports for sockets that send
 * or connect unbound, and finding the socket a packet to an address and port goes to.
 * Which addresses a bound socket takes: its own; for 0.0.0.0 every IPv4 one; for :: every IPv6 one and,
 * unless IPV6_V6ONLY, every IPv4 one too (dual stack). Rules, from Linux's inet_csk_bind_conflict and
 * udp_lib_lport_inuse: two sockets may share a port when no address is taken by both, or when both set
 * SO_REUSEADDR (for TCP, unless one of them listens), or when both set SO_REUSEPORT. Ports below 1024
 * need root (EACCES).
 * Layer: kernel net (AF_INET, AF_INET6).
 */
import { AF_INET, EACCES, EADDRINUSE, EADDRNOTAVAIL } from '@kmos/abi-linux';
import { KernelError } from '../../kernel-error.js';
import { ANY4, ANY6, type InetAddress, type Ip, isAny, isLocal, isV4 } from './inet-address.js';

/** net.ipv4.ip_local_port_range's default. */
const EPHEMERAL_FIRST = 32768;
const EPHEMERAL_LAST = 60999;
/** net.ipv4.ip_unprivileged_port_start. */
const UNPRIVILEGED_PORT_START = 1024;

export interface PortOwner {
  readonly family: number;
  /** IPV6_V6ONLY: an AF_INET6 socket on :: that takes no IPv4 traffic. */
  readonly v6only: boolean;
  readonly local: InetAddress;
  readonly reuseAddr: boolean;
  readonly reusePort: boolean;
  /** A TCP listener (SO_REUSEADDR does not let another socket share its port). */
  readonly listening: boolean;
}

export class InetPorts<S extends PortOwner> {
  private readonly owners = new Map<number, S[]>();
  private nextEphemeral = EPHEMERAL_FIRST;

  /**
   * The address `socket` may bind to for `ip` and `port` (0: an ephemeral one); files it. EADDRNOTAVAIL for
   * an address not of this host, EADDRINUSE for a port taken, EACCES for a privileged port without root.
   */
  bind(socket: S, ip: Ip, port: number, uid: number): InetAddress {
    if (!isAny(ip) && !isLocal(ip)) throw new KernelError(EADDRNOTAVAIL);
    if (port !== 0 && port < UNPRIVILEGED_PORT_START && uid !== 0) throw new KernelError(EACCES);
    const chosen = port !== 0 ? port : this.ephemeral(socket, ip);
    if (this.conflicts(socket, ip, chosen)) throw new KernelError(EADDRINUSE);
    const list = this.owners.get(chosen);
    if (list === undefined) this.owners.set(chosen, [socket]);
    else list.push(socket);
    return { ip, port: chosen };
  }

  release(socket: S): void {
    const list = this.owners.get(socket.local.port);
    if (list === undefined) return;
    const at = list.indexOf(socket);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.owners.delete(socket.local.port);
  }

  /** The socket bound to `ip` and `port` that `accepts`, one bound to that very address before a wildcard. */
  find(ip: Ip, port: number, accepts: (s: S) => boolean): S | null {
    const list = this.owners.get(port) ?? [];
    return (
      list.find((s) => s.local.ip === ip && accepts(s)) ??
      list.find((s) => isAny(s.local.ip) && takes(s, s.local.ip, ip) && accepts(s)) ??
      null
    );
  }

  /** Every bound socket, by port (/proc/net shows them). */
  *all(): Iterable<S> {
    for (const list of this.owners.values()) yield* list;
  }

  private conflicts(socket: S, ip: Ip, port: number): boolean {
    for (const other of this.owners.get(port) ?? []) {
      if (other === socket) continue;
      if (!overlap(socket, ip, other, other.local.ip)) continue;
      if (socket.reusePort && other.reusePort) continue;
      if (socket.reuseAddr && other.reuseAddr && !other.listening && !socket.listening) continue;
      return true;
    }
    return false;
  }

  /** The next free ephemeral port for `socket` at `ip`, going round the range; EADDRNOTAVAIL when none is. */
  private ephemeral(socket: S, ip: Ip): number {
    const count = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
    for (let i = 0; i < count; i++) {
      const port = this.nextEphemeral;
      this.nextEphemeral = port === EPHEMERAL_LAST ? EPHEMERAL_FIRST : port + 1;
      if (!this.conflicts(socket, ip, port) && !this.owners.has(port)) return port;
    }
    throw new KernelError(EADDRNOTAVAIL, 'no ephemeral port left');
  }
}

/** Whether `owner`, bound (or binding) to `bound`, takes packets to `ip`. */
function takes(owner: PortOwner, bound: Ip, ip: Ip): boolean {
  if (bound === ip) return true;
  if (owner.family === AF_INET) return bound === ANY4 && isV4(ip);
  return bound === ANY6 && (!isV4(ip) || !owner.v6only);
}

/**
 * Whether two sockets bound to `ip` and `otherIp` would take some address both: one takes the other's
 * address (a wildcard's own address stands for its whole family, so two wildcards are covered too).
 */
function overlap(socket: PortOwner, ip: Ip, other: PortOwner, otherIp: Ip): boolean {
  return takes(socket, ip, otherIp) || takes(other, otherIp, ip);
}
