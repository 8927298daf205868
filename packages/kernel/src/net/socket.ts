/**
 * What every socket family implements, and the open file that holds a socket. The syscall layer
 * (syscall/handlers/sockets.ts) decodes user memory and calls these operations; a family (AF_UNIX today,
 * AF_INET over a network driver later) gives them meaning. Operations that would sleep return a
 * WouldBlock, as files do; non-blocking ones throw EAGAIN. Addresses cross this boundary as the sockaddr
 * bytes the user gave or will get, so each family owns its address format.
 * Layer: kernel net.
 */
import type { MaybePromise } from '@kmos/abi-driver';
import { FIONREAD, O_RDWR, S_IFSOCK } from '@kmos/abi-linux';
import { answerInt, OpenFile, type Stat, type UserMemory } from '../fs/open-file.js';
import type { PathContext } from '../fs/path-walk.js';
import type { WouldBlock } from '../fs/would-block.js';
import { pseudoStat } from '../ipc/anon-file.js';
import { closeDetached } from '../proc/fd-table.js';
import type { WaitQueue } from '../sched/wait-queue.js';
import { interfaceIoctl, isInterfaceIoctl } from './interfaces.js';
import type { Ucred } from './message-queue.js';

/** sk_shutdown bits: what a socket will no longer receive or send (shutdown's `how` + 1). */
export const RCV_SHUTDOWN = 1;
export const SEND_SHUTDOWN = 2;
export const SHUTDOWN_MASK = 3;

/** The calling task as sockets need it: its view of the filesystem's names and its credentials. */
export interface SocketCaller {
  readonly ctx: PathContext;
  /** Process id with the effective ids: what SO_PEERCRED reports of it. */
  readonly creds: Ucred;
  /** Process id with the real ids: what its messages carry by default (SCM_CREDENTIALS). */
  readonly messageCreds: Ucred;
}

/** One sendmsg, decoded. */
export interface SendRequest {
  /** The bytes still to send (a stream send that went in part is made again with the rest). */
  data: Uint8Array;
  /** The destination's sockaddr bytes (sendto, msg_name), or null. */
  readonly to: Uint8Array | null;
  /**
   * Files to pass (SCM_RIGHTS), one reference each, owned by the request until the socket queues them with
   * the data and sets this to null; whoever made the request closes what is left.
   */
  rights: OpenFile[] | null;
  /** Credentials the sender asked to send (SCM_CREDENTIALS), already checked; null: its own. */
  readonly creds: Ucred | null;
  readonly flags: number;
  readonly nonBlocking: boolean;
}

/** One recvmsg's result. */
export interface Received {
  /** Bytes copied into the buffer. */
  readonly bytes: number;
  /** The whole message's length (datagrams: what MSG_TRUNC reports). */
  readonly length: number;
  readonly truncated: boolean;
  /** The sender's sockaddr bytes, or null (msg_namelen 0). */
  readonly from: Uint8Array | null;
  /** Files received: the caller installs them or closes them. */
  readonly rights: OpenFile[] | null;
  /** The sender's credentials, when the receiver asked for them (SO_PASSCRED). */
  readonly creds: Ucred | null;
}

export interface Socket {
  readonly family: number;
  readonly type: number;
  readonly protocol: number;
  /** Woken on every change of readiness. */
  readonly queue: WaitQueue;
  bind(address: Uint8Array, caller: SocketCaller): MaybePromise<void>;
  /** A connection in progress that must wait returns a WouldBlock; calling again goes on. */
  connect(address: Uint8Array, caller: SocketCaller, nonBlocking: boolean): MaybePromise<WouldBlock | null>;
  listen(backlog: number, caller: SocketCaller): void;
  accept(nonBlocking: boolean): Socket | WouldBlock;
  send(request: SendRequest, caller: SocketCaller): MaybePromise<number | WouldBlock>;
  receive(into: Uint8Array, flags: number, nonBlocking: boolean): Received | WouldBlock;
  shutdown(how: number): void;
  localAddress(): Uint8Array;
  peerAddress(): Uint8Array;
  /** getsockopt: the option's bytes. */
  getOption(level: number, name: number): Uint8Array;
  setOption(level: number, name: number, value: Uint8Array): void;
  poll(): number;
  /** SO_RCVTIMEO and SO_SNDTIMEO in nanoseconds; 0 waits for ever. */
  readonly receiveTimeoutNs: number;
  readonly sendTimeoutNs: number;
  /** The sockfs inode number of the file that holds it (0 while none does): /proc/net shows it. */
  inode: number;
  /** The effective uid of the file's creator (sock_i_uid): /proc/net/tcp and udp show it. */
  ownerUid: number;
  /** FIONREAD: bytes a read would return now. */
  readonly readableBytes: number;
  release(): void;
}

/** sockfs's device (0:8) and a counter of inode numbers, as Linux's sockfs hands them out. */
const SOCKFS_DEV = 0x08;
let nextIno = 1;
const SOCKET_MODE = 0o777;

/**
 * A socket as an open file; fstat shows S_IFSOCK. read(2) and write(2) come through the syscall layer's
 * socket paths (so a message carries the writer's credentials); the file's own read and write, which
 * sendfile and splice use, receive without flags and send as the socket's creator.
 */
export class SocketFile extends OpenFile {
  readonly ino = nextIno++;

  constructor(
    readonly socket: Socket,
    flags: number,
    private readonly creator: SocketCaller,
  ) {
    super(O_RDWR | flags, null);
    socket.inode = this.ino;
    socket.ownerUid = creator.creds.uid;
  }

  override pathlessName(): string {
    return `socket:[${this.ino}]`;
  }

  override poll(): number {
    return this.socket.poll();
  }

  override get waitQueue(): WaitQueue {
    return this.socket.queue;
  }

  override ioctl(request: number, arg: number, mem: UserMemory): number {
    if (isInterfaceIoctl(request)) return interfaceIoctl(request, arg, mem, this.socket.family);
    if (request !== FIONREAD) return super.ioctl(request, arg, mem) as number;
    return answerInt(mem, arg, this.socket.readableBytes);
  }

  protected override readImpl(into: Uint8Array): number | WouldBlock {
    const got = this.socket.receive(into, 0, this.nonBlocking);
    if (!('bytes' in got)) return got;
    for (const file of got.rights ?? []) closeDetached(file);
    return got.bytes;
  }

  protected override writeImpl(from: Uint8Array): MaybePromise<number | WouldBlock> {
    const request = {
      data: from,
      to: null,
      rights: null,
      creds: null,
      flags: 0,
      nonBlocking: this.nonBlocking,
    };
    return this.socket.send(request, this.creator);
  }

  fstat(): Stat {
    return pseudoStat(SOCKFS_DEV, this.ino, S_IFSOCK | SOCKET_MODE, this.creator.creds);
  }

  protected release(): void {
    this.socket.release();
  }
}
