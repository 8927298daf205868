/**
 * AF_NETLINK sockets of the route family (NETLINK_ROUTE), Linux's af_netlink.c read for its rules: a
 * datagram socket talking to the kernel. Each send is handled at once (rtnetlink.ts) and its answer
 * queued as one datagram from the kernel (port 0). The socket's port id is the process id for the first
 * socket a process binds, then negative numbers counting down from -4097 (netlink_autobind); sending or
 * binding to port 0 binds it. Destinations other than the kernel are ECONNREFUSED (kmOS has no other
 * netlink listeners); multicast groups are accepted and never hear anything.
 * Layer: kernel net (AF_NETLINK).
 */
import {
  AF_NETLINK,
  EADDRINUSE,
  EAGAIN,
  ECONNREFUSED,
  EINVAL,
  ENOPROTOOPT,
  EOPNOTSUPP,
  MSG_PEEK,
  POLLIN,
  POLLOUT,
  POLLRDNORM,
  POLLWRNORM,
  SO_DOMAIN,
  SO_PROTOCOL,
  SO_TYPE,
  SOL_NETLINK,
  SOL_SOCKET,
} from '@kmos/abi-linux';
import type { PipeMemory } from '../../fs/pipe.js';
import { WouldBlock } from '../../fs/would-block.js';
import { KernelError } from '../../kernel-error.js';
import { WaitQueue } from '../../sched/wait-queue.js';
import type { TrafficCounter } from '../interfaces.js';
import { MessageQueue, type SendCharge } from '../message-queue.js';
import type { Received, SendRequest, Socket, SocketCaller } from '../socket.js';
import { CommonOptions, int } from '../socket-options.js';
import { answerRoute } from './rtnetlink.js';

/** sizeof(struct sockaddr_nl): family, pad, port id, groups. */
const SOCKADDR_NL_BYTES = 12;
/** The first port id netlink_autobind tries after the process id is taken. */
const FIRST_NEGATIVE_PORT = -4097;
/** The kernel's answers are not charged to anyone. */
const UNCHARGED: SendCharge = { uncharge() {} };

/** What every netlink socket of one kernel shares. */
export interface NetlinkEnvironment {
  readonly memory: PipeMemory;
  /** Port ids in use. */
  readonly ports: Set<number>;
  readonly loopback: TrafficCounter;
}

interface NetlinkAddress {
  readonly port: number;
  readonly groups: number;
}

function parseNetlinkAddress(raw: Uint8Array): NetlinkAddress {
  if (raw.length < SOCKADDR_NL_BYTES) throw new KernelError(EINVAL, 'sockaddr_nl length');
  const v = new DataView(raw.buffer, raw.byteOffset, raw.length);
  if (v.getUint16(0, true) !== AF_NETLINK) throw new KernelError(EINVAL, 'not AF_NETLINK');
  return { port: v.getInt32(4, true), groups: v.getUint32(8, true) };
}

function netlinkAddressBytes(port: number, groups: number): Uint8Array {
  const out = new Uint8Array(SOCKADDR_NL_BYTES);
  const v = new DataView(out.buffer);
  v.setUint16(0, AF_NETLINK, true);
  v.setInt32(4, port, true);
  v.setUint32(8, groups, true);
  return out;
}

/** The kernel's address, as its answers come from. */
const KERNEL_ADDRESS = netlinkAddressBytes(0, 0);

export class NetlinkSocket implements Socket {
  readonly family = AF_NETLINK;
  readonly queue = new WaitQueue();
  inode = 0;
  ownerUid = 0;
  private port = 0;
  private groups = 0;
  private readonly incoming: MessageQueue;
  private readonly options = new CommonOptions();

  constructor(
    readonly type: number,
    readonly protocol: number,
    private readonly env: NetlinkEnvironment,
  ) {
    this.incoming = new MessageQueue(env.memory);
  }

  get receiveTimeoutNs(): number {
    return this.options.receiveTimeoutNs;
  }

  get sendTimeoutNs(): number {
    return this.options.sendTimeoutNs;
  }

  bind(raw: Uint8Array, caller: SocketCaller): void {
    const a = parseNetlinkAddress(raw);
    this.groups = a.groups;
    if (a.port === 0) {
      this.autobind(caller);
    } else if (this.port !== 0) {
      if (this.port !== a.port) throw new KernelError(EINVAL, 'bound already');
    } else {
      if (this.env.ports.has(a.port)) throw new KernelError(EADDRINUSE);
      this.take(a.port);
    }
  }

  /** netlink_autobind: the process id if free, else the next negative id. */
  private autobind(caller: SocketCaller): void {
    if (this.port !== 0) return;
    let port = caller.creds.pid;
    for (let next = FIRST_NEGATIVE_PORT; this.env.ports.has(port); next--) port = next;
    this.take(port);
  }

  private take(port: number): void {
    this.port = port;
    this.env.ports.add(port);
  }

  connect(raw: Uint8Array, caller: SocketCaller): null {
    const a = parseNetlinkAddress(raw);
    if (a.port !== 0) throw new KernelError(ECONNREFUSED, 'no netlink listener but the kernel');
    this.autobind(caller);
    return null;
  }

  listen(): void {
    throw new KernelError(EOPNOTSUPP);
  }

  accept(): never {
    throw new KernelError(EOPNOTSUPP);
  }

  localAddress(): Uint8Array {
    return netlinkAddressBytes(this.port, this.groups);
  }

  peerAddress(): Uint8Array {
    return KERNEL_ADDRESS;
  }

  send(request: SendRequest, caller: SocketCaller): number {
    if (request.to !== null && parseNetlinkAddress(request.to).port !== 0)
      throw new KernelError(ECONNREFUSED, 'no netlink listener but the kernel');
    this.autobind(caller);
    const answers = answerRoute(request.data, this.port, this.env.loopback);
    for (const data of answers) {
      const from = KERNEL_ADDRESS;
      this.incoming.push({ data, creds: caller.messageCreds, rights: null, from, sender: UNCHARGED });
    }
    if (answers.length > 0) this.queue.wakeAll();
    return request.data.length;
  }

  receive(into: Uint8Array, flags: number, nonBlocking: boolean): Received | WouldBlock {
    const got = this.incoming.readDatagram(into, (flags & MSG_PEEK) !== 0);
    if (got !== null) return { ...got, rights: null, creds: null };
    if (nonBlocking) throw new KernelError(EAGAIN);
    return new WouldBlock(this.queue);
  }

  get readableBytes(): number {
    return this.incoming.first?.sizeBytes ?? 0;
  }

  shutdown(): void {
    throw new KernelError(EOPNOTSUPP);
  }

  poll(): number {
    const readable = this.incoming.length > 0 ? POLLIN | POLLRDNORM : 0;
    return readable | POLLOUT | POLLWRNORM;
  }

  getOption(level: number, name: number): Uint8Array {
    if (level !== SOL_SOCKET) throw new KernelError(ENOPROTOOPT);
    if (name === SO_TYPE) return int(this.type);
    if (name === SO_DOMAIN) return int(AF_NETLINK);
    if (name === SO_PROTOCOL) return int(this.protocol);
    return this.options.get(name);
  }

  setOption(level: number, name: number, value: Uint8Array): void {
    // Membership and extended-ack options change nothing kmOS's single-answer kernel side would do.
    if (level === SOL_NETLINK) return;
    if (level !== SOL_SOCKET) throw new KernelError(ENOPROTOOPT);
    this.options.set(name, value);
  }

  release(): void {
    if (this.port !== 0) this.env.ports.delete(this.port);
    this.incoming.purge();
    this.queue.wakeAll();
  }
}
