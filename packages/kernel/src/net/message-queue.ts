/**
 * A socket's receive queue: messages in arrival order, each holding one send's bytes with the descriptors
 * (SCM_RIGHTS) and credentials that came with it, as Linux's sk_receive_queue holds skbs. The bytes live in
 * emulated RAM, in chunks of at most a page kmalloc'd from the object allocator, so /proc/slabinfo shows
 * busy sockets and an idle one holds nothing. Stream sockets read across messages; datagram and seqpacket
 * sockets take one message per read. Each message is charged to its sender's send buffer until it is read
 * or dropped (Linux's sk_wmem_alloc), which is what makes a sender wait.
 * Layer: kernel net; unix-socket.ts owns the queues.
 */
import { ENOBUFS } from '@kmos/abi-linux';
import type { OpenFile } from '../fs/open-file.js';
import { KernelBytes, type KernelMemory } from '../mm/kernel-bytes.js';
import { closeDetached } from '../proc/fd-table.js';

/** Who sent a message, as SCM_CREDENTIALS and SO_PEERCRED give it (struct ucred). */
export interface Ucred {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
}

/** The sender's side of a message: its bytes count against the sender's buffer until released. */
export interface SendCharge {
  uncharge(bytes: number): void;
}

/**
 * Bytes a message costs its sender beyond its data: Linux charges an skb's truesize (data plus the
 * sk_buff and its shared info), so even empty datagrams fill a buffer.
 */
export const MESSAGE_OVERHEAD_BYTES = 512;

export class SocketMessage {
  /** Bytes read so far (stream sockets read a message in parts). */
  consumed = 0;

  constructor(
    readonly bytes: KernelBytes,
    readonly creds: Ucred,
    /** Open files in flight (SCM_RIGHTS), one reference each; null once received or when none came. */
    public rights: OpenFile[] | null,
    /** The sender's address bytes (sockaddr), or null when it had no name. */
    readonly from: Uint8Array | null,
    private readonly sender: SendCharge,
    readonly charge: number,
  ) {}

  get sizeBytes(): number {
    return this.bytes.length;
  }

  get unread(): number {
    return this.sizeBytes - this.consumed;
  }

  /** Frees the bytes, closes files never received and gives the sender its buffer space back. */
  free(mem: KernelMemory): void {
    this.bytes.free(mem);
    for (const file of this.rights ?? []) closeDetached(file);
    this.rights = null;
    this.sender.uncharge(this.charge);
  }
}

/** One datagram read: bytes copied, its whole length, whether that was more, and who sent it. */
export interface DatagramRead {
  readonly bytes: number;
  readonly length: number;
  readonly truncated: boolean;
  readonly from: Uint8Array | null;
}

/** What a send hands the receive queue. */
export interface Outgoing {
  readonly data: Uint8Array;
  readonly creds: Ucred;
  readonly rights: OpenFile[] | null;
  readonly from: Uint8Array | null;
  readonly sender: SendCharge;
}

export class MessageQueue {
  private messages: SocketMessage[] = [];
  /** Unread bytes in all messages (FIONREAD on a stream socket). */
  unreadBytes = 0;

  constructor(private readonly mem: KernelMemory) {}

  get length(): number {
    return this.messages.length;
  }

  get first(): SocketMessage | undefined {
    return this.messages[0];
  }

  at(index: number): SocketMessage | undefined {
    return this.messages[index];
  }

  /** Queues a copy of `out.data`; returns the bytes it charges its sender. */
  push(out: Outgoing): number {
    const charge = out.data.length + MESSAGE_OVERHEAD_BYTES;
    const bytes = KernelBytes.store(this.mem, out.data, ENOBUFS);
    this.messages.push(new SocketMessage(bytes, out.creds, out.rights, out.from, out.sender, charge));
    this.unreadBytes += out.data.length;
    return charge;
  }

  /** Copies `n` unread bytes of `message` into `into` at `to` and, unless peeking, marks them read. */
  read(message: SocketMessage, into: Uint8Array, to: number, n: number, peekAt: number | null): void {
    message.bytes.copyOut(this.mem, peekAt ?? message.consumed, into, to, n);
    if (peekAt !== null) return;
    message.consumed += n;
    this.unreadBytes -= n;
  }

  /**
   * Reads the oldest message whole as a datagram (what does not fit in `into` is lost, unless peeking):
   * the bytes copied, its length (MSG_TRUNC's answer) and its sender's address.
   */
  readDatagram(into: Uint8Array, peek: boolean): DatagramRead | null {
    const m = this.first;
    if (m === undefined) return null;
    const bytes = Math.min(m.sizeBytes, into.length);
    this.read(m, into, 0, bytes, peek ? 0 : null);
    if (!peek) this.dropFirst();
    return { bytes, length: m.sizeBytes, truncated: m.sizeBytes > into.length, from: m.from };
  }

  /** Drops the oldest message (read or not). */
  dropFirst(): void {
    const message = this.messages.shift();
    if (!message) return;
    this.unreadBytes -= message.unread;
    message.free(this.mem);
  }

  /** Drops everything (the socket is closing). */
  purge(): void {
    const messages = this.messages;
    this.messages = [];
    this.unreadBytes = 0;
    for (const m of messages) m.free(this.mem);
  }
}
