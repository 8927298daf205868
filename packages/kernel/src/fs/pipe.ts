/**
 * Pipes and FIFOs: a byte ring between writers and readers, shared by both ends.
 *
 * How it works: the ring is 16 slots of one page each (64 KiB, Linux's default pipe size). A slot's page is
 * kmalloc'd from the object allocator when a write first reaches it and freed once the reader has consumed
 * it, so an idle pipe holds no memory and /proc/slabinfo shows busy ones; the bytes live in emulated RAM.
 * Invariants: 0 <= count <= capacity; the live bytes are [head, head + count) modulo capacity; a slot holds
 * a page exactly when live bytes fall in it. Writes of at most PIPE_BUF bytes are atomic: all or nothing.
 * A write with no reader left is EPIPE (the syscall layer raises SIGPIPE); a read with no writer left is
 * EOF. Everything that changes readiness wakes `queue`, which readers, writers, poll and FIFO opens share.
 * Layer: kernel VFS; vfs.ts makes pipes for pipe(2) and for FIFO inodes.
 */
import type { MaybePromise, ObjectAllocator, PhysAddr, PhysicalMemory } from '@kmos/abi-driver';
import { PAGE_SIZE, POLLERR, POLLHUP, POLLIN, POLLOUT } from '@kmos/abi-driver';
import { EAGAIN, ENOMEM, ENXIO, EPIPE, FIONREAD, S_IFIFO } from '@kmos/abi-linux';
import { WaitQueue } from '../sched/wait-queue.js';
import type { Dentry } from './dentry.js';
import { fsError } from './fs-error.js';
import { PIPE_BUF } from './limits.js';
import { OpenFile, type Stat, statOf, type UserMemory } from './open-file.js';
import { WouldBlock } from './would-block.js';

/** Linux's default pipe size in pages (PIPE_DEF_BUFFERS). */
export const PIPE_DEF_BUFFERS = 16;
export const PIPE_CAPACITY_BYTES = PIPE_DEF_BUFFERS * PAGE_SIZE;

/** Where pipe pages come from: the kernel's object allocator over emulated RAM. */
export interface PipeMemory {
  readonly objects: ObjectAllocator;
  readonly memory: PhysicalMemory;
}

export class Pipe {
  /** The page behind each slot, or 0 when the slot is empty. Written by write/consume/freeAll only. */
  private readonly slots = new Array<number>(PIPE_DEF_BUFFERS).fill(0);
  /** Ring offset of the first unread byte. */
  private head = 0;
  /** Unread bytes. */
  private count = 0;
  /** Open read and write ends (descriptions, not descriptors). Written by openEnd/closeEnd. */
  readers = 0;
  writers = 0;
  /** Opens of each end so far: a FIFO open waits for the other counter to move. */
  readerOpens = 0;
  writerOpens = 0;
  readonly queue = new WaitQueue();
  readonly wouldBlock = new WouldBlock(this.queue);

  constructor(private readonly mem: PipeMemory) {}

  get available(): number {
    return this.count;
  }

  get free(): number {
    return PIPE_CAPACITY_BYTES - this.count;
  }

  openEnd(read: boolean, write: boolean): void {
    if (read) (this.readers++, this.readerOpens++);
    if (write) (this.writers++, this.writerOpens++);
    this.queue.wakeAll();
  }

  closeEnd(read: boolean, write: boolean): void {
    if (read) this.readers--;
    if (write) this.writers--;
    if (this.readers === 0 && this.writers === 0) this.freeAll();
    this.queue.wakeAll();
  }

  read(into: Uint8Array, nonBlocking: boolean): number | WouldBlock {
    if (into.length === 0) return 0;
    if (this.count === 0) {
      if (this.writers === 0) return 0;
      if (nonBlocking) throw fsError(EAGAIN);
      return this.wouldBlock;
    }
    const n = Math.min(into.length, this.count);
    this.copyOut(into, n);
    this.queue.wakeAll();
    return n;
  }

  write(from: Uint8Array, nonBlocking: boolean): number | WouldBlock {
    if (from.length === 0) return 0;
    if (this.readers === 0) throw fsError(EPIPE);
    const atomic = from.length <= PIPE_BUF;
    if (this.free === 0 || (atomic && this.free < from.length)) {
      if (nonBlocking) throw fsError(EAGAIN);
      return this.wouldBlock;
    }
    const n = this.copyIn(from, Math.min(from.length, this.free));
    this.queue.wakeAll();
    return n;
  }

  /** poll bits for a read end and/or a write end. */
  poll(read: boolean, write: boolean): number {
    let bits = 0;
    if (read && this.count > 0) bits |= POLLIN;
    if (read && this.writers === 0) bits |= POLLHUP;
    if (write && this.free >= PIPE_BUF) bits |= POLLOUT;
    if (write && this.readers === 0) bits |= POLLERR;
    return bits;
  }

  /** Pages held now (what this pipe costs the object allocator). */
  get pagesHeld(): number {
    return this.slots.filter((addr) => addr !== 0).length;
  }

  /** Copies up to `n` bytes in; stops early (returning fewer) only when no page can be had. */
  private copyIn(from: Uint8Array, n: number): number {
    let done = 0;
    while (done < n) {
      const at = (this.head + this.count) % PIPE_CAPACITY_BYTES;
      const slot = Math.floor(at / PAGE_SIZE);
      const inPage = at % PAGE_SIZE;
      const page = this.slots[slot] || this.allocSlot(slot);
      if (page === 0) {
        if (done === 0) throw fsError(ENOMEM, 'pipe page');
        break;
      }
      const len = Math.min(n - done, PAGE_SIZE - inPage);
      this.mem.memory.u8.set(from.subarray(done, done + len), page + inPage);
      this.count += len;
      done += len;
    }
    return done;
  }

  private copyOut(into: Uint8Array, n: number): void {
    let done = 0;
    while (done < n) {
      const slot = Math.floor(this.head / PAGE_SIZE);
      const inPage = this.head % PAGE_SIZE;
      const len = Math.min(n - done, PAGE_SIZE - inPage);
      const page = this.slots[slot];
      into.set(this.mem.memory.u8.subarray(page + inPage, page + inPage + len), done);
      done += len;
      this.count -= len;
      this.head = (this.head + len) % PIPE_CAPACITY_BYTES;
      if (this.count === 0 || this.head % PAGE_SIZE === 0) this.freeSlotIfDead(slot);
    }
    if (this.count === 0) this.head = 0;
  }

  private allocSlot(slot: number): number {
    const addr = this.mem.objects.kmalloc(PAGE_SIZE);
    this.slots[slot] = addr ?? 0;
    return addr ?? 0;
  }

  /** Frees a slot's page unless live bytes remain in it (the writer may have wrapped into it). */
  private freeSlotIfDead(slot: number): void {
    const page = this.slots[slot];
    if (page === 0 || this.liveIn(slot)) return;
    this.mem.objects.kfree(page as PhysAddr);
    this.slots[slot] = 0;
  }

  private liveIn(slot: number): boolean {
    if (this.count === 0) return false;
    const start = slot * PAGE_SIZE;
    const end = start + PAGE_SIZE;
    const from = this.head;
    const to = this.head + this.count;
    const overlaps = (a: number, b: number): boolean => a < end && b > start;
    return overlaps(from, Math.min(to, PIPE_CAPACITY_BYTES)) || (to > PIPE_CAPACITY_BYTES && overlaps(0, to - PIPE_CAPACITY_BYTES));
  }

  private freeAll(): void {
    for (let slot = 0; slot < PIPE_DEF_BUFFERS; slot++) {
      if (this.slots[slot] !== 0) this.mem.objects.kfree(this.slots[slot] as PhysAddr);
      this.slots[slot] = 0;
    }
    this.head = 0;
    this.count = 0;
  }
}

/** Identity of an anonymous pipe for fstat: pipefs's device and a fresh inode number. */
export interface AnonPipeIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly uid: number;
  readonly gid: number;
  readonly time: { sec: number; nsec: number };
}

const PIPE_MODE = 0o600;

/** One end of a pipe (or an O_RDWR FIFO open, which is both). */
export class PipeFile extends OpenFile {
  private readonly isReader: boolean;
  private readonly isWriter: boolean;
  private readonly peerOpensAtOpen: number;

  constructor(
    flags: number,
    readonly pipe: Pipe,
    dentry: Dentry | null,
    private readonly anon: AnonPipeIdentity | null,
  ) {
    super(flags, dentry);
    this.isReader = this.readable;
    this.isWriter = this.writable;
    this.peerOpensAtOpen = this.isReader ? pipe.writerOpens : pipe.readerOpens;
    if (dentry) dentry.mount.hold(dentry.ino);
    pipe.openEnd(this.isReader, this.isWriter);
  }

  /**
   * A FIFO opened for reading only (or writing only) without O_NONBLOCK waits until the other end is
   * opened: WouldBlock until then, null when the open may complete. Always null for other files.
   */
  override openWait(): WouldBlock | null {
    if (!this.dentry || this.nonBlocking || (this.isReader && this.isWriter)) return null;
    const opens = this.isReader ? this.pipe.writerOpens : this.pipe.readerOpens;
    return opens !== this.peerOpensAtOpen ? null : this.pipe.wouldBlock;
  }

  override poll(): number {
    return this.pipe.poll(this.isReader, this.isWriter);
  }

  override get waitQueue(): WaitQueue {
    return this.pipe.queue;
  }

  override ioctl(request: number, arg: number, mem: UserMemory): number {
    if (request !== FIONREAD) return super.ioctl(request, arg, mem) as number;
    const out = new Uint8Array(4);
    new DataView(out.buffer).setInt32(0, this.pipe.available, true);
    mem.copyOut(arg, out);
    return 0;
  }

  async fstat(): Promise<Stat> {
    if (this.dentry) return statOf(await this.dentry.mount.fs.getattr(this.dentry.ino), this.dentry.mount.dev);
    const id = this.anon as AnonPipeIdentity;
    return {
      dev: id.dev,
      ino: id.ino,
      mode: S_IFIFO | PIPE_MODE,
      nlink: 1,
      uid: id.uid,
      gid: id.gid,
      rdev: 0,
      sizeBytes: 0,
      blockSizeBytes: PAGE_SIZE,
      blocks: 0,
      atime: id.time,
      mtime: id.time,
      ctime: id.time,
    };
  }

  protected override readImpl(into: Uint8Array): number | WouldBlock {
    return this.pipe.read(into, this.nonBlocking);
  }

  protected override writeImpl(from: Uint8Array): number | WouldBlock {
    return this.pipe.write(from, this.nonBlocking);
  }

  protected override release(): MaybePromise<void> {
    this.pipe.closeEnd(this.isReader, this.isWriter);
    if (!this.dentry) return;
    const { mount, ino } = this.dentry;
    if (mount.drop(ino)) return mount.fs.release(ino);
  }
}

/** open(2) of a FIFO for writing only with O_NONBLOCK and no reader is ENXIO (before anything is opened). */
export function checkFifoWriterOpen(pipe: Pipe, writeOnly: boolean, nonBlocking: boolean): void {
  if (writeOnly && nonBlocking && pipe.readers === 0) throw fsError(ENXIO);
}
