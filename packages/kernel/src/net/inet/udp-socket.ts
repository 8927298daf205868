/**
 * UDP over kmOS's loopback network (Linux's net/ipv4/udp.c, read for its rules): each send is one datagram
 * to the socket bound to the destination's address and port, or to nobody. Nothing waits for a receiver:
 * a datagram that finds no socket is dropped, and a connected sender learns of it as ECONNREFUSED on its
 * next call (the ICMP port-unreachable an unconnected socket ignores); one that finds the receiver's buffer
 * full is dropped. connect() sets the default destination and makes the socket take datagrams from that
 * peer only; AF_UNSPEC undoes it.
 * Layer: kernel net (AF_INET, AF_INET6).
 */
import {
  EAGAIN,
  ECONNREFUSED,
  EDESTADDRREQ,
  EINVAL,
  EMSGSIZE,
  ENOTCONN,
  EOPNOTSUPP,
  EPIPE,
  IPPROTO_UDP,
  MSG_OOB,
  MSG_PEEK,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLOUT,
  POLLRDHUP,
  POLLRDNORM,
  POLLWRBAND,
  POLLWRNORM,
  SOCK_DGRAM,
} from '@kmos/abi-linux';
import { WouldBlock } from '../../fs/would-block.js';
import { KernelError } from '../../kernel-error.js';
import { MESSAGE_OVERHEAD_BYTES, MessageQueue, type SendCharge } from '../message-queue.js';
import {
  RCV_SHUTDOWN,
  type Received,
  SEND_SHUTDOWN,
  type SendRequest,
  SHUTDOWN_MASK,
  type Socket,
  type SocketCaller,
} from '../socket.js';
import { type InetAddress, isUnspecified, parseInetAddress, unbound } from './inet-address.js';
import { type InetEnvironment, InetSocket } from './inet-socket.js';
import { type ProcNetEntry, TCP_CLOSE, TCP_ESTABLISHED } from './proc-net-inet.js';

/** The largest UDP payload over IPv4: 65535 less the IP and UDP headers. */
const MAX_PAYLOAD = 65507;
/** A datagram is the receiver's once queued: nothing is charged to its sender. */
const UNCHARGED: SendCharge = { uncharge() {} };

export class UdpSocket extends InetSocket implements Socket {
  readonly type = SOCK_DGRAM;
  readonly protocol = IPPROTO_UDP;
  readonly listening = false;
  private remote: InetAddress | null = null;
  private readonly incoming: MessageQueue;
  private shut = 0;

  constructor(family: number, env: InetEnvironment) {
    super(family, env, env.udp);
    this.incoming = new MessageQueue(env.memory);
  }

  bind(raw: Uint8Array, caller: SocketCaller): void {
    const a = parseInetAddress(raw, this.family);
    this.bindTo(a.ip, a.port, caller.creds.uid);
  }

  connect(raw: Uint8Array, caller: SocketCaller): null {
    if (isUnspecified(raw)) {
      this.remote = null;
      return null;
    }
    const target = parseInetAddress(raw, this.family, true);
    const ip = this.destination(target);
    this.autobind(caller.creds.uid);
    this.local = this.sourceFor(ip);
    this.remote = { ip, port: target.port };
    return null;
  }

  listen(): void {
    throw new KernelError(EOPNOTSUPP);
  }

  accept(): never {
    throw new KernelError(EOPNOTSUPP);
  }

  /** Bound sockets, as the UDP hash table holds them; rx_queue counts what queued datagrams hold. */
  procNetEntry(): ProcNetEntry | null {
    if (!this.bound) return null;
    const remote = this.remote ?? unbound(this.family);
    const state = this.remote ? TCP_ESTABLISHED : TCP_CLOSE;
    const rxQueue = this.incoming.unreadBytes + this.incoming.length * MESSAGE_OVERHEAD_BYTES;
    return { local: this.local, remote, state, txQueue: 0, rxQueue, ...this.owner };
  }

  peerAddress(): Uint8Array {
    if (this.remote === null) throw new KernelError(ENOTCONN);
    return this.addressBytes(this.remote);
  }

  send(request: SendRequest, caller: SocketCaller): number {
    if (request.flags & MSG_OOB) throw new KernelError(EOPNOTSUPP, 'MSG_OOB');
    const data = request.data;
    if (data.length > MAX_PAYLOAD) throw new KernelError(EMSGSIZE);
    if (this.error) throw this.takeError();
    if (this.shut & SEND_SHUTDOWN) throw new KernelError(EPIPE);
    const to = request.to !== null ? parseInetAddress(request.to, this.family, true) : this.remote;
    if (to === null) throw new KernelError(EDESTADDRREQ);
    const ip = this.destination(to);
    this.autobind(caller.creds.uid);
    const from = this.sourceFor(ip);
    this.env.loopback.count(data.length);
    const receiver = this.env.udp.find(ip, to.port, (s) =>
      (s as UdpSocket).takesFrom(from),
    ) as UdpSocket | null;
    if (receiver === null) {
      // Port unreachable: only a connected socket hears of it.
      if (this.remote !== null && this.remote.ip === ip && this.remote.port === to.port)
        this.error = ECONNREFUSED;
      this.queue.wakeAll();
      return data.length;
    }
    receiver.deliver(data, from, caller);
    return data.length;
  }

  /** Whether a datagram from `from` may queue here: a connected socket takes its peer's only. */
  private takesFrom(from: InetAddress): boolean {
    if (this.dead) return false;
    return this.remote === null || (this.remote.ip === from.ip && this.remote.port === from.port);
  }

  /** Queues a datagram unless the receive buffer is full (then it is lost, as UDP loses it). */
  private deliver(data: Uint8Array, from: InetAddress, caller: SocketCaller): void {
    if (this.incoming.unreadBytes + this.incoming.length * MESSAGE_OVERHEAD_BYTES >= this.options.rcvbuf)
      return;
    this.incoming.push({
      data,
      creds: caller.messageCreds,
      rights: null,
      from: this.addressBytes(from),
      sender: UNCHARGED,
    });
    this.queue.wakeAll();
  }

  receive(into: Uint8Array, flags: number, nonBlocking: boolean): Received | WouldBlock {
    if (flags & MSG_OOB) throw new KernelError(EINVAL, 'MSG_OOB');
    if (this.error) throw this.takeError();
    const got = this.incoming.readDatagram(into, (flags & MSG_PEEK) !== 0);
    if (got !== null) return { ...got, rights: null, creds: null };
    if (nonBlocking) throw new KernelError(EAGAIN);
    if (this.shut & RCV_SHUTDOWN)
      return { bytes: 0, length: 0, truncated: false, from: null, rights: null, creds: null };
    return new WouldBlock(this.queue);
  }

  get readableBytes(): number {
    return this.incoming.first?.sizeBytes ?? 0;
  }

  shutdown(how: number): void {
    if (how > 2) throw new KernelError(EINVAL);
    // An unconnected socket is shut all the same, then told ENOTCONN (inet_shutdown falls through).
    this.shut |= how + 1;
    this.queue.wakeAll();
    if (this.remote === null) throw new KernelError(ENOTCONN);
  }

  poll(): number {
    let bits = POLLOUT | POLLWRNORM | POLLWRBAND;
    if (this.error) bits |= POLLERR;
    if (this.incoming.length > 0) bits |= POLLIN | POLLRDNORM;
    if (this.shut & RCV_SHUTDOWN) bits |= POLLIN | POLLRDNORM | POLLRDHUP;
    if (this.shut === SHUTDOWN_MASK) bits |= POLLHUP;
    return bits;
  }

  release(): void {
    this.dead = true;
    this.forget();
    this.incoming.purge();
    this.queue.wakeAll();
  }
}
