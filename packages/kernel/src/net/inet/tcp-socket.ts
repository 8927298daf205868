/**
 * TCP over kmOS's loopback network: connections between sockets of this kernel, with Linux's answers
 * (net/ipv4/tcp.c and af_inet.c, read for their rules) where a program can see them:
 * - connect finds a listener on the address and port and queues a new connected socket for its accept;
 *   none gives ECONNREFUSED. A non-blocking connect says EINPROGRESS (a refusal then waits in SO_ERROR,
 *   with POLLERR), and connecting again says EISCONN. A connecting socket gets an ephemeral port on
 *   127.0.0.1; an accepted one has the listener's port on the address connected to.
 * - Bytes travel as on a stream AF_UNIX socket (charged to the sender until read).
 * - Closing sends the peer a FIN (its reads end after the data) or, with unread data left behind, a reset
 *   (its next read says ECONNRESET). A send to a peer that closed goes out and draws a reset: the next
 *   send says EPIPE (and raises SIGPIPE). shutdown(SHUT_RD) stays local; SHUT_WR is a FIN.
 * No timers: no TIME_WAIT (a port is free once its socket closes), no retransmission, no urgent data.
 * Layer: kernel net (AF_INET, AF_INET6).
 */
import type { MaybePromise } from '@kmos/abi-driver';
import {
  EAGAIN,
  ECONNABORTED,
  ECONNREFUSED,
  ECONNRESET,
  EINPROGRESS,
  EINVAL,
  EISCONN,
  ENOTCONN,
  EOPNOTSUPP,
  EPIPE,
  IPPROTO_TCP,
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
  SOCK_STREAM,
} from '@kmos/abi-linux';
import { WouldBlock } from '../../fs/would-block.js';
import { KernelError } from '../../kernel-error.js';
import { MessageQueue, type SendCharge } from '../message-queue.js';
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
import {
  type ProcNetEntry,
  TCP_CLOSE_WAIT,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT2,
  TCP_LISTEN,
} from './proc-net-inet.js';

const SOMAXCONN = 4096;
/** The largest piece a send queues at once. */
const PIECE_MAX = 65536;

type State = 'closed' | 'listening' | 'connected';

export class TcpSocket extends InetSocket implements Socket, SendCharge {
  readonly type = SOCK_STREAM;
  readonly protocol = IPPROTO_TCP;
  private state: State = 'closed';
  private peer: TcpSocket | null = null;
  private remote: InetAddress | null = null;
  private readonly incoming: MessageQueue;
  private readonly embryos: TcpSocket[] = [];
  private backlog = 0;
  private shut = 0;
  /** The peer's FIN has arrived (SOCK_DONE): reads end after the data, even with an error pending. */
  private gotFin = false;
  /** A reset ended the connection (TCP_CLOSE). */
  private gotReset = false;
  /**
   * The peer's FIN is queued, unread: it holds a sequence number, so /proc/net/tcp counts it in rx_queue
   * until a read reaches it (reading the data it came after, or the end).
   */
  private finQueued = false;
  /** A non-blocking connect said EINPROGRESS: the next connect reports how it ended (SS_CONNECTING). */
  private connecting = false;
  private inFlight = 0;

  constructor(family: number, env: InetEnvironment) {
    super(family, env, env.tcp);
    this.incoming = new MessageQueue(env.memory);
  }

  get listening(): boolean {
    return this.state === 'listening';
  }

  // ---- names and connections -------------------------------------------------------------------------

  bind(raw: Uint8Array, caller: SocketCaller): void {
    const a = parseInetAddress(raw, this.family);
    this.bindTo(a.ip, a.port, caller.creds.uid);
  }

  connect(raw: Uint8Array, caller: SocketCaller, nonBlocking: boolean): MaybePromise<WouldBlock | null> {
    if (isUnspecified(raw)) {
      if (this.state === 'connected') this.abort();
      return null;
    }
    const target = parseInetAddress(raw, this.family);
    if (this.connecting) {
      // The connect in progress is over: connected, or refused (its error, if SO_ERROR has not taken it).
      this.connecting = false;
      if (this.state === 'connected') return null;
      throw this.error ? this.takeError() : new KernelError(ECONNABORTED);
    }
    if (this.state !== 'closed') throw new KernelError(EISCONN);
    const ip = this.destination(target);
    this.autobind(caller.creds.uid);
    this.local = this.sourceFor(ip);
    const listener = this.env.tcp.find(
      ip,
      target.port,
      (s) => (s as TcpSocket).listening,
    ) as TcpSocket | null;
    if (listener === null) {
      if (!nonBlocking) throw new KernelError(ECONNREFUSED);
      this.error = ECONNREFUSED;
      return this.inProgress();
    }
    if (!nonBlocking && listener.embryos.length > listener.backlog) return new WouldBlock(listener.queue);
    const accepted = new TcpSocket(listener.family, this.env);
    accepted.local = { ip, port: target.port };
    accepted.options.sndbuf = listener.options.sndbuf;
    accepted.options.rcvbuf = listener.options.rcvbuf;
    accepted.ownerUid = listener.ownerUid;
    accepted.connectTo(this, this.local);
    this.connectTo(accepted, { ip, port: target.port });
    listener.embryos.push(accepted);
    listener.queue.wakeAll();
    if (nonBlocking) return this.inProgress();
    this.queue.wakeAll();
    return null;
  }

  /** A non-blocking connect's answer; the loopback network has finished it by the time anyone looks. */
  private inProgress(): never {
    this.connecting = true;
    this.queue.wakeAll();
    throw new KernelError(EINPROGRESS);
  }

  private connectTo(peer: TcpSocket, remote: InetAddress): void {
    this.peer = peer;
    this.remote = remote;
    this.state = 'connected';
  }

  listen(backlog: number, caller: SocketCaller): void {
    if (this.state === 'connected') throw new KernelError(EINVAL, 'connected');
    this.autobind(caller.creds.uid);
    this.backlog = backlog >>> 0 > SOMAXCONN ? SOMAXCONN : Math.max(backlog, 0);
    this.state = 'listening';
    this.queue.wakeAll();
  }

  accept(nonBlocking: boolean): TcpSocket | WouldBlock {
    if (this.state !== 'listening') throw new KernelError(EINVAL, 'not listening');
    const next = this.embryos.shift();
    if (next === undefined) {
      if (nonBlocking) throw new KernelError(EAGAIN);
      return new WouldBlock(this.queue);
    }
    this.queue.wakeAll();
    return next;
  }

  /**
   * Both FINs were exchanged, or a reset came: Linux's socket is then in TCP_CLOSE (TIME_WAIT lives on
   * in a separate object) and has no peer name, though reads still see the end of the data.
   */
  private get finished(): boolean {
    return this.gotReset || (this.gotFin && (this.shut & SEND_SHUTDOWN) !== 0);
  }

  peerAddress(): Uint8Array {
    if (this.state !== 'connected' || this.remote === null || this.finished) throw new KernelError(ENOTCONN);
    return this.addressBytes(this.remote);
  }

  /** Listeners and connections until both FINs are exchanged; a socket only bound is in no lookup table. */
  procNetEntry(): ProcNetEntry | null {
    if (this.state === 'listening') {
      const rxQueue = this.embryos.length;
      return {
        local: this.local,
        remote: unbound(this.family),
        state: TCP_LISTEN,
        txQueue: 0,
        rxQueue,
        ...this.owner,
      };
    }
    if (this.state !== 'connected' || this.remote === null || this.finished) return null;
    const sentFin = (this.shut & SEND_SHUTDOWN) !== 0;
    const state = sentFin ? TCP_FIN_WAIT2 : this.gotFin ? TCP_CLOSE_WAIT : TCP_ESTABLISHED;
    const rxQueue = this.incoming.unreadBytes + (this.finQueued ? 1 : 0);
    return { local: this.local, remote: this.remote, state, txQueue: 0, rxQueue, ...this.owner };
  }

  // ---- data ------------------------------------------------------------------------------------------

  send(request: SendRequest, caller: SocketCaller): number | WouldBlock {
    if (request.flags & MSG_OOB) throw new KernelError(EOPNOTSUPP, 'MSG_OOB');
    // A pending error (a reset) is reported first, then a closed or shut connection is EPIPE.
    if (this.error) throw this.takeError();
    if (this.state !== 'connected' || this.shut & SEND_SHUTDOWN) throw new KernelError(EPIPE);
    const data = request.data;
    const peer = this.peer;
    if (data.length === 0) return 0;
    if (peer === null || peer.shut === SHUTDOWN_MASK) {
      // The bytes reach a closed socket, or one shut both ways (RFC 1122: data after a socket stops
      // reading is answered with a reset): both ends are reset and the bytes are dropped.
      peer?.receiveReset();
      this.receiveReset();
      return data.length;
    }
    let sent = 0;
    do {
      if (this.inFlight >= this.options.sndbuf) {
        if (sent > 0) break;
        if (request.nonBlocking) throw new KernelError(EAGAIN);
        return new WouldBlock(this.queue);
      }
      const piece = Math.min(data.length - sent, (this.options.sndbuf >> 1) - 64, PIECE_MAX);
      const bytes = data.subarray(sent, sent + piece);
      this.env.loopback.count(piece);
      this.inFlight += peer.incoming.push({
        data: bytes,
        creds: caller.messageCreds,
        rights: null,
        from: null,
        sender: this,
      });
      sent += piece;
    } while (sent < data.length);
    peer.queue.wakeAll();
    return sent;
  }

  uncharge(bytes: number): void {
    this.inFlight -= bytes;
    this.queue.wakeAll();
  }

  receive(into: Uint8Array, flags: number, nonBlocking: boolean): Received | WouldBlock {
    if (flags & MSG_OOB) throw new KernelError(EINVAL, 'MSG_OOB');
    if (this.state !== 'connected') throw new KernelError(ENOTCONN);
    if (this.incoming.length === 0) {
      // After the peer's FIN the end comes first; otherwise a reset is reported once, then the end.
      if (this.error && !this.gotFin) throw this.takeError();
      if (this.shut & RCV_SHUTDOWN) {
        if (!(flags & MSG_PEEK)) this.finQueued = false;
        return received(0);
      }
      if (nonBlocking) throw new KernelError(EAGAIN);
      return new WouldBlock(this.queue);
    }
    const peek = (flags & MSG_PEEK) !== 0;
    let copied = 0;
    for (let index = 0; copied < into.length; ) {
      const m = peek ? this.incoming.at(index++) : this.incoming.first;
      if (!m) break;
      const n = Math.min(m.unread, into.length - copied);
      this.incoming.read(m, into, copied, n, peek ? m.consumed : null);
      copied += n;
      if (!peek && m.unread === 0) this.incoming.dropFirst();
    }
    // Linux folds a FIN into the last data segment queued, so reading that data reads the FIN.
    if (!peek && this.incoming.length === 0) this.finQueued = false;
    return received(copied);
  }

  get readableBytes(): number {
    if (this.state === 'listening') throw new KernelError(EINVAL);
    return this.incoming.unreadBytes;
  }

  shutdown(how: number): void {
    if (how > 2) throw new KernelError(EINVAL);
    const mode = how + 1;
    if (this.state === 'listening') {
      // Shutting a listener for reading stops it listening (its queued connections are reset).
      if (mode & RCV_SHUTDOWN) this.stopListening();
      return;
    }
    // A socket never connected, or whose connection is over, is shut all the same, then told ENOTCONN
    // (inet_shutdown falls through from TCP_CLOSE).
    const closed = this.state !== 'connected' || this.finished;
    this.shut |= mode;
    if (closed) {
      this.queue.wakeAll();
      throw new KernelError(ENOTCONN);
    }
    if (mode & SEND_SHUTDOWN && this.peer !== null) this.peer.finReceived();
    this.queue.wakeAll();
  }

  poll(): number {
    let bits = 0;
    if (this.error) bits |= POLLERR;
    if (this.state === 'listening') return this.embryos.length > 0 ? bits | POLLIN | POLLRDNORM : bits;
    if (this.state === 'closed' || this.shut === SHUTDOWN_MASK) bits |= POLLHUP;
    if (this.shut & RCV_SHUTDOWN) bits |= POLLIN | POLLRDNORM | POLLRDHUP;
    if (this.incoming.length > 0) bits |= POLLIN | POLLRDNORM;
    const writable =
      this.shut & SEND_SHUTDOWN || this.state !== 'connected' || this.inFlight < this.options.sndbuf;
    if (writable) bits |= POLLOUT | POLLWRNORM | POLLWRBAND;
    return bits;
  }

  // ---- the end ---------------------------------------------------------------------------------------

  /** The peer sent its last byte (a FIN, by shutdown): reads end after what is queued. */
  private finReceived(): void {
    this.gotFin = true;
    this.finQueued = true;
    this.shut |= RCV_SHUTDOWN;
    this.queue.wakeAll();
  }

  /** The peer went away: a FIN, or a reset when it left data unread (`reset`). */
  private peerGone(reset: boolean): void {
    if (reset) {
      this.receiveReset();
    } else {
      this.peer = null;
      this.finReceived();
    }
  }

  /**
   * A reset arrived (tcp_reset): the connection is over. The error is EPIPE for a socket that had the
   * peer's FIN and had not sent its own (CLOSE_WAIT), ECONNRESET otherwise; a closed one ignores it.
   * Data already queued stays readable.
   */
  private receiveReset(): void {
    if (this.finished) return;
    this.error = this.gotFin && !(this.shut & SEND_SHUTDOWN) ? EPIPE : ECONNRESET;
    this.gotReset = true;
    this.shut = SHUTDOWN_MASK;
    this.peer = null;
    this.queue.wakeAll();
  }

  /** Drops the connection with a reset to the peer (close with unread data, connect to AF_UNSPEC). */
  private abort(): void {
    this.peer?.peerGone(true);
    this.peer = null;
    this.remote = null;
    this.state = 'closed';
    this.incoming.purge();
    this.queue.wakeAll();
  }

  private stopListening(): void {
    for (const embryo of this.embryos.splice(0)) embryo.abort();
    this.state = 'closed';
    this.queue.wakeAll();
  }

  release(): void {
    this.dead = true;
    this.forget();
    if (this.state === 'listening') this.stopListening();
    const peer = this.peer;
    if (this.state === 'connected' && peer !== null) {
      if (this.incoming.unreadBytes > 0) this.abort();
      else peer.peerGone(false);
    }
    this.peer = null;
    this.state = 'closed';
    this.incoming.purge();
    this.queue.wakeAll();
  }
}

function received(bytes: number): Received {
  return { bytes, length: bytes, truncated: false, from: null, rights: null, creds: null };
}
