/**
 * AF_UNIX sockets (unix(7)): SOCK_STREAM, SOCK_SEQPACKET and SOCK_DGRAM, with names in a UnixNamespace,
 * SCM_RIGHTS and SCM_CREDENTIALS, shutdown and the SOL_SOCKET options. Behaviour follows Linux's
 * net/unix/af_unix.c, read for its rules:
 * - A stream connect completes at once: the listener's accept queue gets a new connected socket (an
 *   "embryo") whose peer is the connecting one; a queue holding more than the backlog makes connect wait.
 * - Sends charge the sender (`inFlight` against `sndbuf`) until the receiver reads; a sender waits while its
 *   charge is at or over its buffer. Datagrams to a socket that is not connected back to the sender also
 *   wait while the receiver has more than 10 queued (net.unix.max_dgram_qlen).
 * - Stream reads gather across messages but end with one that carried descriptors (so one read never gets
 *   two messages' descriptors); with SO_PASSCRED they also stop where the sender's credentials change.
 * - Closing a connected socket shuts its peer down both ways; unread data (or an unaccepted embryo) also
 *   gives the peer ECONNRESET, reported once by its next read (a record socket's before what it has queued).
 * - A datagram socket that leaves its peer (connect elsewhere, AF_UNSPEC, or a send finding it closed)
 *   drops its own queue.
 * Layer: kernel net (AF_UNIX).
 */

import type { MaybePromise } from '@kmos/abi-driver';
import {
  AF_UNIX,
  EAGAIN,
  ECONNREFUSED,
  ECONNRESET,
  EINVAL,
  EISCONN,
  EMSGSIZE,
  ENOTCONN,
  EOPNOTSUPP,
  EPERM,
  EPIPE,
  EPROTOTYPE,
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
  SO_ACCEPTCONN,
  SO_DOMAIN,
  SO_ERROR,
  SO_PASSCRED,
  SO_PEERCRED,
  SO_PROTOCOL,
  SO_SNDBUF,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  ucredLayout,
} from '@kmos/abi-linux';
import type { OpenFile } from '../../fs/open-file.js';
import type { PipeMemory } from '../../fs/pipe.js';
import { WouldBlock } from '../../fs/would-block.js';
import { hexFieldUpper } from '../../hex-field.js';
import { KernelError } from '../../kernel-error.js';
import { WaitQueue } from '../../sched/wait-queue.js';
import { MessageQueue, type SendCharge, type Ucred } from '../message-queue.js';
import {
  RCV_SHUTDOWN,
  type Received,
  SEND_SHUTDOWN,
  type SendRequest,
  SHUTDOWN_MASK,
  type Socket,
  type SocketCaller,
} from '../socket.js';
import { CommonOptions, int, optionInt } from '../socket-options.js';
import { isAutobindRequest, parseUnixAddress, UNNAMED, type UnixAddress } from './unix-address.js';
import type { UnixNamespace } from './unix-namespace.js';

const MAX_DGRAM_QLEN = 10;
/** /proc/net/unix's flag for a listener, and the socket states it prints (linux/net.h's socket_state). */
const SO_ACCEPTCON = 1 << 16;
const SS_UNCONNECTED = 1;
const SS_CONNECTING = 2;
const SS_CONNECTED = 3;
const SS_DISCONNECTING = 4;
const SOMAXCONN = 4096;
/** The largest piece a stream send queues at once. */
const STREAM_PIECE_MAX = 65536;

type State = 'unconnected' | 'listening' | 'connected';

/** What every AF_UNIX socket of one kernel shares. */
export interface UnixEnvironment {
  readonly names: UnixNamespace<UnixSocket>;
  readonly memory: PipeMemory;
  /** Every socket not yet closed, in creation order (/proc/net/unix lists them). */
  readonly live: Set<UnixSocket>;
}

/** SO_PEERCRED of a socket that never had a peer: pid 0, uid and gid -1 (cred_to_ucred without a cred). */
const NO_PEER_CRED: Ucred = { pid: 0, uid: 0xffffffff, gid: 0xffffffff };

export class UnixSocket implements Socket, SendCharge {
  readonly family = AF_UNIX;
  readonly protocol = 0;
  readonly queue = new WaitQueue();
  inode = 0;
  ownerUid = 0;
  name: UnixAddress | null = null;
  private state: State = 'unconnected';
  private peer: UnixSocket | null = null;
  private readonly incoming: MessageQueue;
  /** A listener's connections not yet accepted. */
  private readonly embryos: UnixSocket[] = [];
  private backlog = 0;
  private shut = 0;
  private error = 0;
  private dead = false;
  private inFlight = 0;
  private readonly options = new CommonOptions();
  private passcred = false;
  /** SO_PEERCRED: the peer's at connect, or the listener's at listen for the connecting side. */
  private peerCred: Ucred | null = null;

  constructor(
    readonly type: number,
    private readonly env: UnixEnvironment,
  ) {
    this.incoming = new MessageQueue(env.memory);
    env.live.add(this);
  }

  /** A connected pair (socketpair), each the other's peer, with `creds` as both peers' credentials. */
  static pair(type: number, env: UnixEnvironment, creds: Ucred): [UnixSocket, UnixSocket] {
    const a = new UnixSocket(type, env);
    const b = new UnixSocket(type, env);
    a.connectTo(b, creds);
    b.connectTo(a, creds);
    return [a, b];
  }

  get receiveTimeoutNs(): number {
    return this.options.receiveTimeoutNs;
  }

  get sendTimeoutNs(): number {
    return this.options.sendTimeoutNs;
  }

  private get sndbuf(): number {
    return this.options.sndbuf;
  }

  private get connectionOriented(): boolean {
    return this.type !== SOCK_DGRAM;
  }

  private connectTo(peer: UnixSocket, peerCred: Ucred | null): void {
    this.peer = peer;
    this.state = 'connected';
    this.peerCred = peerCred;
  }

  // ---- names and connections -------------------------------------------------------------------------

  bind(raw: Uint8Array, caller: SocketCaller): MaybePromise<void> {
    if (isAutobindRequest(raw) && raw[0] === AF_UNIX && raw[1] === 0) return this.env.names.autobind(this);
    return this.env.names.bind(this, parseUnixAddress(raw), caller.ctx);
  }

  async connect(raw: Uint8Array, caller: SocketCaller, nonBlocking: boolean): Promise<WouldBlock | null> {
    if (!this.connectionOriented) {
      await this.connectDatagram(raw, caller);
      return null;
    }
    if (this.state === 'connected') throw new KernelError(EISCONN);
    if (this.state === 'listening') throw new KernelError(EINVAL, 'listening');
    const address = parseUnixAddress(raw);
    if (this.passcred && !this.name) this.env.names.autobind(this);
    const listener = await this.env.names.lookup(address, caller.ctx);
    if (listener.type !== this.type) throw new KernelError(EPROTOTYPE);
    if (listener.state !== 'listening' || listener.dead) throw new KernelError(ECONNREFUSED, 'not listening');
    if (listener.embryos.length > listener.backlog) {
      if (nonBlocking) throw new KernelError(EAGAIN, 'accept queue full');
      return new WouldBlock(listener.queue);
    }
    const embryo = new UnixSocket(this.type, this.env);
    embryo.name = listener.name;
    embryo.passcred = listener.passcred;
    embryo.connectTo(this, caller.creds);
    this.connectTo(embryo, listener.peerCred);
    listener.embryos.push(embryo);
    listener.queue.wakeAll();
    return null;
  }

  /** A datagram socket's connect sets (or with AF_UNSPEC clears) its default destination. */
  private async connectDatagram(raw: Uint8Array, caller: SocketCaller): Promise<void> {
    if (raw.length >= 2 && raw[0] === 0 && raw[1] === 0) {
      this.disconnectDatagram(null);
      return;
    }
    const address = parseUnixAddress(raw);
    if (this.passcred && !this.name) this.env.names.autobind(this);
    const target = await this.env.names.lookup(address, caller.ctx);
    if (target.type !== this.type) throw new KernelError(EPROTOTYPE);
    if (!this.maySend(target)) throw new KernelError(EPERM, 'peer connected elsewhere');
    this.disconnectDatagram(target);
    this.connectTo(target, null);
  }

  /**
   * A datagram socket leaving its peer for `next` (or for none) drops what it has queued, and a live old
   * peer connected back to it learns of the loss by ECONNRESET (unix_dgram_disconnected).
   */
  private disconnectDatagram(next: UnixSocket | null): void {
    const old = this.peer;
    this.peer = null;
    this.state = 'unconnected';
    if (!old || old === next || this.incoming.length === 0) return;
    this.incoming.purge();
    this.queue.wakeAll();
    if (!old.dead && old.peer === this) {
      old.error = ECONNRESET;
      old.queue.wakeAll();
    }
  }

  listen(backlog: number, caller: SocketCaller): void {
    if (!this.connectionOriented) throw new KernelError(EOPNOTSUPP);
    if (!this.name || this.state === 'connected') throw new KernelError(EINVAL, 'listen');
    this.backlog = backlog >>> 0 > SOMAXCONN ? SOMAXCONN : backlog;
    this.state = 'listening';
    this.peerCred = caller.creds;
    this.queue.wakeAll();
  }

  accept(nonBlocking: boolean): UnixSocket | WouldBlock {
    if (!this.connectionOriented) throw new KernelError(EOPNOTSUPP);
    if (this.state !== 'listening') throw new KernelError(EINVAL, 'not listening');
    const embryo = this.embryos.shift();
    if (!embryo) {
      if (nonBlocking) throw new KernelError(EAGAIN);
      return new WouldBlock(this.queue);
    }
    this.queue.wakeAll();
    return embryo;
  }

  localAddress(): Uint8Array {
    return this.name?.bytes ?? UNNAMED;
  }

  peerAddress(): Uint8Array {
    if (!this.peer) throw new KernelError(ENOTCONN);
    return this.peer.name?.bytes ?? UNNAMED;
  }

  /** A datagram may go to `target` unless it is connected to another socket (unix_may_send). */
  private maySend(target: UnixSocket): boolean {
    return target.peer === null || target.peer === this;
  }

  // ---- data ------------------------------------------------------------------------------------------

  send(request: SendRequest, caller: SocketCaller): MaybePromise<number | WouldBlock> {
    if (request.flags & MSG_OOB) throw new KernelError(EOPNOTSUPP, 'MSG_OOB');
    if (!this.isStream) {
      if (this.connectionOriented && this.state !== 'connected') throw new KernelError(ENOTCONN);
      return this.sendRecord(request, caller);
    }
    if (request.to) throw new KernelError(this.state === 'connected' ? EISCONN : EOPNOTSUPP);
    const peer = this.peer;
    if (this.state !== 'connected' || !peer) throw new KernelError(ENOTCONN);
    if (this.shut & SEND_SHUTDOWN || peer.dead || peer.shut & RCV_SHUTDOWN) throw new KernelError(EPIPE);
    return this.sendStream(request, caller, peer);
  }

  private get isStream(): boolean {
    return this.type === SOCK_STREAM;
  }

  /** Queues as much of a stream send as the buffer takes; the caller sends the rest. */
  private sendStream(request: SendRequest, caller: SocketCaller, peer: UnixSocket): number | WouldBlock {
    const data = request.data;
    // Nothing to queue: an empty message in a stream would read as end of file.
    if (data.length === 0) return 0;
    let sent = 0;
    do {
      if (this.inFlight >= this.sndbuf) {
        if (sent > 0) break;
        return this.blocked(request.nonBlocking, this.queue);
      }
      const piece = Math.min(data.length - sent, (this.sndbuf >> 1) - 64, STREAM_PIECE_MAX);
      this.queueTo(peer, data.subarray(sent, sent + piece), request, caller);
      sent += piece;
    } while (sent < data.length);
    return sent;
  }

  /**
   * A datagram or seqpacket send: one message, whole or not at all, checked in the order a 6.18 host
   * checks (size, pending error, shutdown and buffer space before the destination). A seqpacket socket
   * ignores an address and sends to its peer.
   */
  private async sendRecord(request: SendRequest, caller: SocketCaller): Promise<number | WouldBlock> {
    const address = request.to && !this.connectionOriented ? parseUnixAddress(request.to) : null;
    if (request.data.length > this.sndbuf - 32) throw new KernelError(EMSGSIZE);
    if (this.error) throw this.takeError();
    if (this.shut & SEND_SHUTDOWN) throw new KernelError(EPIPE);
    if (this.inFlight >= this.sndbuf) return this.blocked(request.nonBlocking, this.queue);
    if (!address && !this.peer) throw new KernelError(ENOTCONN);
    if (this.passcred && !this.name) this.env.names.autobind(this);
    const target = address ? await this.env.names.lookup(address, caller.ctx) : (this.peer as UnixSocket);
    if (target.type !== this.type) throw new KernelError(EPROTOTYPE);
    if (target.dead) {
      if (this.connectionOriented) throw new KernelError(EPIPE);
      // The receiver closed: a connected socket is disconnected by the attempt.
      if (target === this.peer) this.disconnectDatagram(null);
      throw new KernelError(ECONNREFUSED, 'receiver closed');
    }
    if (!this.connectionOriented && !this.maySend(target))
      throw new KernelError(EPERM, 'receiver connected elsewhere');
    if (target.shut & RCV_SHUTDOWN) throw new KernelError(EPIPE);
    if (!this.connectionOriented && target.peer !== this && target.incoming.length > MAX_DGRAM_QLEN) {
      return this.blocked(request.nonBlocking, target.queue);
    }
    this.queueTo(target, request.data, request, caller);
    return request.data.length;
  }

  /** Queues `data` at `target`; the request's files go with the first piece (the request lets go of them). */
  private queueTo(target: UnixSocket, data: Uint8Array, request: SendRequest, caller: SocketCaller): void {
    const creds = request.creds ?? caller.messageCreds;
    const rights = request.rights;
    const from = this.name?.bytes ?? null;
    this.inFlight += target.incoming.push({ data, creds, rights, from, sender: this });
    request.rights = null;
    target.queue.wakeAll();
  }

  uncharge(bytes: number): void {
    this.inFlight -= bytes;
    this.queue.wakeAll();
  }

  private blocked(nonBlocking: boolean, queue: WaitQueue): WouldBlock {
    if (nonBlocking) throw new KernelError(EAGAIN);
    return new WouldBlock(queue);
  }

  receive(into: Uint8Array, flags: number, nonBlocking: boolean): Received | WouldBlock {
    if (flags & MSG_OOB) throw new KernelError(this.isStream ? EINVAL : EOPNOTSUPP, 'MSG_OOB');
    if (this.isStream && this.state !== 'connected') throw new KernelError(EINVAL, 'not connected');
    if (this.connectionOriented && !this.isStream && this.state !== 'connected') {
      throw new KernelError(ENOTCONN);
    }
    // A record socket reports a pending error before what is queued (__skb_try_recv_datagram).
    if (!this.isStream && this.error) throw this.takeError();
    if (this.incoming.length === 0) return this.nothingToRead(nonBlocking);
    return this.isStream ? this.receiveStream(into, flags) : this.receiveRecord(into, flags);
  }

  /**
   * An empty queue: a pending error, end of file once shut down for reading, else wait. A non-blocking
   * datagram socket says EAGAIN even when shut down; only waiting would find the end.
   */
  private nothingToRead(nonBlocking: boolean): Received | WouldBlock {
    if (this.error) throw this.takeError();
    if (this.shut & RCV_SHUTDOWN && !(nonBlocking && this.type === SOCK_DGRAM)) {
      return { bytes: 0, length: 0, truncated: false, from: null, rights: null, creds: null };
    }
    return this.blocked(nonBlocking, this.queue);
  }

  /** The pending error (sk_err), which reporting clears. */
  private takeError(): KernelError {
    const errno = this.error;
    this.error = 0;
    return new KernelError(errno);
  }

  private receiveStream(into: Uint8Array, flags: number): Received {
    const peek = (flags & MSG_PEEK) !== 0;
    let copied = 0;
    let first: { creds: Ucred; from: Uint8Array | null } | null = null;
    let rights: OpenFile[] | null = null;
    for (let index = 0; copied < into.length || copied === 0; ) {
      const m = peek ? this.incoming.at(index++) : this.incoming.first;
      if (!m) break;
      if (first === null) first = { creds: m.creds, from: m.from };
      else if (this.passcred && !sameCreds(m.creds, first.creds)) break;
      const n = Math.min(m.unread, into.length - copied);
      this.incoming.read(m, into, copied, n, peek ? m.consumed : null);
      copied += n;
      if (m.rights) rights = this.takeRights(m, peek);
      if (!peek && m.unread === 0) this.incoming.dropFirst();
      if (rights || n === 0) break;
    }
    const creds = this.passcred && first ? first.creds : null;
    return { bytes: copied, length: copied, truncated: false, from: first?.from ?? null, rights, creds };
  }

  private receiveRecord(into: Uint8Array, flags: number): Received {
    const peek = (flags & MSG_PEEK) !== 0;
    const m = this.incoming.first as NonNullable<MessageQueue['first']>;
    const n = Math.min(m.sizeBytes, into.length);
    this.incoming.read(m, into, 0, n, peek ? 0 : null);
    const rights = m.rights ? this.takeRights(m, peek) : null;
    const result: Received = {
      bytes: n,
      length: m.sizeBytes,
      truncated: m.sizeBytes > into.length,
      from: m.from,
      rights,
      creds: this.passcred ? m.creds : null,
    };
    if (!peek) this.incoming.dropFirst();
    return result;
  }

  /** A message's files for the reader: its own references, or new ones when only peeking. */
  private takeRights(m: NonNullable<MessageQueue['first']>, peek: boolean): OpenFile[] {
    const files = m.rights as OpenFile[];
    if (peek) return files.map((f) => f.ref());
    m.rights = null;
    return files;
  }

  get readableBytes(): number {
    if (this.state === 'listening') throw new KernelError(EINVAL);
    // unix_inq_len: everything queued on a connection, the next datagram's size otherwise.
    if (this.connectionOriented) return this.incoming.unreadBytes;
    return this.incoming.first?.sizeBytes ?? 0;
  }

  shutdown(how: number): void {
    if (how > 2) throw new KernelError(EINVAL);
    const mode = how + 1;
    this.shut |= mode;
    const peer = this.peer;
    if (peer && this.connectionOriented) {
      peer.shut |= (mode & RCV_SHUTDOWN ? SEND_SHUTDOWN : 0) | (mode & SEND_SHUTDOWN ? RCV_SHUTDOWN : 0);
      peer.queue.wakeAll();
    }
    this.queue.wakeAll();
  }

  poll(): number {
    let bits = 0;
    if (this.error) bits |= POLLERR;
    if (this.shut === SHUTDOWN_MASK) bits |= POLLHUP;
    if (this.shut & RCV_SHUTDOWN) bits |= POLLRDHUP | POLLIN | POLLRDNORM;
    if (this.incoming.length > 0 || this.embryos.length > 0) bits |= POLLIN | POLLRDNORM;
    if (this.connectionOriented && this.state === 'unconnected') bits |= POLLHUP;
    if (this.writable()) bits |= POLLOUT | POLLWRNORM | POLLWRBAND;
    return bits;
  }

  /** unix_writable, and for a datagram socket room at its peer's queue. */
  private writable(): boolean {
    if (this.state === 'listening' || this.inFlight * 4 > this.sndbuf) return false;
    const peer = this.peer;
    if (this.connectionOriented || !peer) return true;
    return peer.peer === this || peer.incoming.length <= MAX_DGRAM_QLEN;
  }

  /**
   * This socket's line of /proc/net/unix, as unix_seq_show prints it: no kernel address (as with
   * kptr_restrict), the reference counts Linux shows for a socket held by one file, __SO_ACCEPTCON for a
   * listener, the type, SS_CONNECTED/SS_UNCONNECTED (SS_CONNECTING for an unaccepted embryo), the inode,
   * and the name (an abstract one after "@", its NULs shown as "@").
   */
  procNetUnixLine(): string {
    const flags = this.state === 'listening' ? SO_ACCEPTCON : 0;
    const connected = this.state === 'connected';
    const held = this.inode !== 0;
    const st = held
      ? connected
        ? SS_CONNECTED
        : SS_UNCONNECTED
      : connected
        ? SS_CONNECTING
        : SS_DISCONNECTING;
    // A peer holds a reference too.
    const refs = this.peer ? 3 : 2;
    const line = `0000000000000000: ${hexFieldUpper(refs, 8)} ${hexFieldUpper(0, 8)} ${hexFieldUpper(flags, 8)} ${hexFieldUpper(this.type, 4)} ${hexFieldUpper(st, 2)} ${String(this.inode).padStart(5)}`;
    const name = this.name;
    if (!name) return line;
    if (name.kind === 'path') return `${line} ${name.path}`;
    const bytes = name.bytes.subarray(3);
    return `${line} @${Array.from(bytes, (b) => (b === 0 ? '@' : String.fromCharCode(b))).join('')}`;
  }

  // ---- options ---------------------------------------------------------------------------------------

  getOption(level: number, name: number): Uint8Array {
    if (level !== SOL_SOCKET) throw new KernelError(EOPNOTSUPP, 'option level');
    switch (name) {
      case SO_TYPE:
        return int(this.type);
      case SO_DOMAIN:
        return int(AF_UNIX);
      case SO_PROTOCOL:
        return int(0);
      case SO_ERROR:
        return int(this.error ? this.takeError().errno : 0);
      case SO_PASSCRED:
        return int(this.passcred ? 1 : 0);
      case SO_ACCEPTCONN:
        return int(this.state === 'listening' ? 1 : 0);
      case SO_PEERCRED:
        return ucred(this.peerCred ?? NO_PEER_CRED);
      default:
        return this.options.get(name);
    }
  }

  setOption(level: number, name: number, value: Uint8Array): void {
    if (level !== SOL_SOCKET) throw new KernelError(EOPNOTSUPP, 'option level');
    if (name === SO_PASSCRED) {
      this.passcred = optionInt(value) !== 0;
      return;
    }
    this.options.set(name, value);
    // A larger send buffer may let a waiting sender go on.
    if (name === SO_SNDBUF) this.queue.wakeAll();
  }

  // ---- the end ---------------------------------------------------------------------------------------

  release(): void {
    this.dead = true;
    this.env.names.unbind(this);
    for (const embryo of this.embryos.splice(0)) embryo.close(true);
    this.close(false);
  }

  private close(embryo: boolean): void {
    this.dead = true;
    this.env.live.delete(this);
    const peer = this.peer;
    if (peer && this.connectionOriented) {
      peer.shut = SHUTDOWN_MASK;
      // Unread data resets the peer; a 6.18 host lets one queued empty record alone (two reset).
      const unread = this.incoming.unreadBytes > 0 || this.incoming.length > 1;
      if (unread || embryo) peer.error = ECONNRESET;
      peer.queue.wakeAll();
    }
    this.peer = null;
    this.incoming.purge();
    this.queue.wakeAll();
  }
}

function sameCreds(a: Ucred, b: Ucred): boolean {
  return a.pid === b.pid && a.uid === b.uid && a.gid === b.gid;
}

function ucred(c: Ucred): Uint8Array {
  const out = new Uint8Array(ucredLayout.sizeBytes);
  const v = new DataView(out.buffer);
  v.setUint32(ucredLayout.fields.pid.offset, c.pid, true);
  v.setUint32(ucredLayout.fields.uid.offset, c.uid, true);
  v.setUint32(ucredLayout.fields.gid.offset, c.gid, true);
  return out;
}
