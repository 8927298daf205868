/**
 * Pipes and FIFOs: a ring of page buffers between writers and readers, shared by both ends.
 *
 * How it works, as Linux's fs/pipe.c: the ring has 16 slots (PIPE_DEF_BUFFERS; 64 KiB), each holding one
 * page with an offset and a length of unread bytes. A write first tops up the last page when its remainder
 * fits there (merging), then fills fresh pages, one slot each, while slots are free. A read takes bytes from
 * the oldest slot on and frees each page it empties. Pages are kmalloc'd from the object allocator when a
 * write needs one, so an idle pipe holds no memory and /proc/slabinfo shows busy ones; the bytes live in
 * emulated RAM. Writes of at most PIPE_BUF (one page) bytes are atomic: they merge whole into the last page
 * or take a whole slot, or wait. Invariants: 0 <= used <= 16; a slot in [tail, head) holds a page with
 * len > 0 bytes at [offset, offset + len); slots outside hold none. A write with no reader left is EPIPE
 * (the syscall layer raises SIGPIPE); a read with no writer left is EOF. Every change of readiness wakes
 * `queue`, which readers, writers, poll and FIFO opens share. read(2) and write(2) copy between user memory and
 * the pipe's pages directly (readToUser, writeFromUser): one copy per byte each way, no kernel buffer, and as
 * both sides are emulated RAM, one `copyWithin` per page with no view or closure made per page.
 * Layer: kernel VFS; vfs.ts makes pipes for pipe(2) and for FIFO inodes.
 */
import type { MaybePromise, ObjectAllocator, PhysAddr, PhysicalMemory } from '@kmos/abi-driver';
import { PAGE_SIZE } from '@kmos/abi-driver';
import {
  EAGAIN,
  EBADF,
  ENOMEM,
  ENXIO,
  EPIPE,
  FIONREAD,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLOUT,
  POLLRDNORM,
  POLLWRNORM,
  S_IFIFO,
} from '@kmos/abi-linux';
import { after } from '../maybe-sync.js';
import { WaitQueue } from '../sched/wait-queue.js';
import type { Dentry } from './dentry.js';
import { fsError } from './fs-error.js';
import { answerInt, OpenFile, type Stat, statOf, type UserMemory } from './open-file.js';
import { WouldBlock } from './would-block.js';

/** Linux's default pipe size in pages (PIPE_DEF_BUFFERS). */
export const PIPE_DEF_BUFFERS = 16;
export const PIPE_CAPACITY_BYTES = PIPE_DEF_BUFFERS * PAGE_SIZE;

/** Where pipe pages come from: the kernel's object allocator over emulated RAM. */
export interface PipeMemory {
  readonly objects: ObjectAllocator;
  readonly memory: PhysicalMemory;
}

/**
 * User memory as read(2) and write(2) on a pipe copy it: between a user range and pipe bytes at `phys` in the
 * same emulated RAM (usercopy's copyFromUserToPhys and copyToUserFromPhys). Throws EFAULT as usercopy does.
 */
export interface PipeUserMemory {
  /** Copies `sizeBytes` bytes from user address `ptr` to RAM at `phys`. */
  copyInToPhys(ptr: number, phys: number, sizeBytes: number): void;
  /** Copies `sizeBytes` bytes at RAM `phys` to user address `ptr`. */
  copyOutFromPhys(ptr: number, phys: number, sizeBytes: number): void;
}

/**
 * Moves `n` bytes between pipe bytes at RAM address `phys` and the other side (a user range or a kernel
 * buffer) at offset `done`: out of the pipe for a read, into it for a write.
 */
type PageCopy = (phys: number, n: number, done: number) => void;

/** One ring slot (Linux's struct pipe_buffer). Written by Pipe only. */
interface PipeBuffer {
  page: number;
  offset: number;
  len: number;
}

export class Pipe {
  private readonly ring: PipeBuffer[] = Array.from({ length: PIPE_DEF_BUFFERS }, () => ({
    page: 0,
    offset: 0,
    len: 0,
  }));
  /** Slots written and slots consumed, counted forever; the ring index is the count modulo its size. */
  private head = 0;
  private tail = 0;
  private bytes = 0;
  /** Open read and write ends (descriptions, not descriptors). Written by openEnd/closeEnd. */
  readers = 0;
  writers = 0;
  /** Opens of each end so far: a FIFO open waits for the other counter to move. */
  readerOpens = 0;
  writerOpens = 0;
  readonly queue = new WaitQueue();
  readonly wouldBlock = new WouldBlock(this.queue);

  constructor(private readonly mem: PipeMemory) {}

  /** Unread bytes (FIONREAD). */
  get available(): number {
    return this.bytes;
  }

  /** Pages held now (what this pipe costs the object allocator). */
  get pagesHeld(): number {
    return this.head - this.tail;
  }

  private get full(): boolean {
    return this.head - this.tail >= PIPE_DEF_BUFFERS;
  }

  openEnd(read: boolean, write: boolean): void {
    if (read) {
      this.readers++;
      this.readerOpens++;
    }
    if (write) {
      this.writers++;
      this.writerOpens++;
    }
    this.queue.wakeAll();
  }

  closeEnd(read: boolean, write: boolean): void {
    if (read) this.readers--;
    if (write) this.writers--;
    if (this.readers === 0 && this.writers === 0) this.freeAll();
    this.queue.wakeAll();
  }

  read(into: Uint8Array, nonBlocking: boolean): number | WouldBlock {
    const u8 = this.mem.memory.u8;
    return this.readWith(into.length, nonBlocking, (phys, n, done) =>
      into.set(u8.subarray(phys, phys + n), done),
    );
  }

  /** read(2) into user memory: each page's bytes are copied out once, with no kernel buffer between. */
  readToUser(mem: PipeUserMemory, ptr: number, len: number, nonBlocking: boolean): number | WouldBlock {
    return this.readWith(len, nonBlocking, (phys, n, done) => mem.copyOutFromPhys(ptr + done, phys, n));
  }

  write(from: Uint8Array, nonBlocking: boolean): number | WouldBlock {
    const u8 = this.mem.memory.u8;
    return this.writeWith(from.length, nonBlocking, (phys, n, done) =>
      u8.set(from.subarray(done, done + n), phys),
    );
  }

  /** write(2) from user memory: the bytes go straight into the pipe's pages. */
  writeFromUser(mem: PipeUserMemory, ptr: number, len: number, nonBlocking: boolean): number | WouldBlock {
    return this.writeWith(len, nonBlocking, (phys, n, done) => mem.copyInToPhys(ptr + done, phys, n));
  }

  /**
   * Moves up to `len` bytes out of the ring through `copyOut`. A copy that fails (EFAULT) leaves its bytes
   * in the pipe and ends the read: the bytes before it are the result, as in Linux's pipe_read.
   */
  private readWith(len: number, nonBlocking: boolean, copyOut: PageCopy): number | WouldBlock {
    if (len === 0) return 0;
    if (this.head === this.tail) {
      if (this.writers === 0) return 0;
      if (nonBlocking) throw fsError(EAGAIN);
      return this.wouldBlock;
    }
    let done = 0;
    while (done < len && this.head !== this.tail) {
      const buf = this.ring[this.tail % PIPE_DEF_BUFFERS];
      const n = Math.min(buf.len, len - done);
      if (!copied(copyOut, buf.page + buf.offset, n, done)) break;
      buf.offset += n;
      buf.len -= n;
      done += n;
      if (buf.len === 0) this.releaseTail();
    }
    this.bytes -= done;
    this.queue.wakeAll();
    return done;
  }

  /** Fills pipe pages with `len` bytes through `copyIn`; a failing copy ends the write as in `readWith`. */
  private writeWith(len: number, nonBlocking: boolean, copyIn: PageCopy): number | WouldBlock {
    if (len === 0) return 0;
    if (this.readers === 0) throw fsError(EPIPE);
    let done = this.merge(len, copyIn);
    while (done < len && !this.full) {
      const page = this.mem.objects.kmalloc(PAGE_SIZE);
      if (page === null) {
        if (done === 0) throw fsError(ENOMEM, 'pipe page');
        break;
      }
      const n = Math.min(PAGE_SIZE, len - done);
      // The page goes back whether the copy failed late (a short count) or at once (the error goes on).
      let ok = false;
      try {
        ok = copied(copyIn, page, n, done);
      } finally {
        if (!ok) this.mem.objects.kfree(page);
      }
      if (!ok) break;
      const buf = this.ring[this.head % PIPE_DEF_BUFFERS];
      buf.page = page;
      buf.offset = 0;
      buf.len = n;
      this.head++;
      done += n;
    }
    if (done === 0) {
      if (nonBlocking) throw fsError(EAGAIN);
      return this.wouldBlock;
    }
    this.bytes += done;
    this.queue.wakeAll();
    return done;
  }

  /** poll bits for a read end and/or a write end. */
  poll(read: boolean, write: boolean): number {
    let bits = 0;
    if (read && this.head !== this.tail) bits |= POLLIN | POLLRDNORM;
    if (read && this.writers === 0) bits |= POLLHUP;
    if (write && !this.full) bits |= POLLOUT | POLLWRNORM;
    if (write && this.readers === 0) bits |= POLLERR;
    return bits;
  }

  /** The sub-page remainder of a write goes into the last page when it fits there whole (Linux's merge). */
  private merge(len: number, copyIn: PageCopy): number {
    const chars = len % PAGE_SIZE;
    if (chars === 0 || this.head === this.tail) return 0;
    const last = this.ring[(this.head - 1) % PIPE_DEF_BUFFERS];
    if (last.offset + last.len + chars > PAGE_SIZE) return 0;
    copyIn(last.page + last.offset + last.len, chars, 0);
    last.len += chars;
    return chars;
  }

  private releaseTail(): void {
    const buf = this.ring[this.tail % PIPE_DEF_BUFFERS];
    this.mem.objects.kfree(buf.page as PhysAddr);
    buf.page = 0;
    buf.offset = 0;
    buf.len = 0;
    this.tail++;
  }

  private freeAll(): void {
    while (this.head !== this.tail) this.releaseTail();
    this.bytes = 0;
  }
}

/**
 * Runs one page's copy: false when it failed after `done` bytes had moved (a short count), the error when none
 * had. A plain function over the copy's arguments, so the loops above make no closure per page.
 */
function copied(copy: PageCopy, phys: number, n: number, done: number): boolean {
  try {
    copy(phys, n, done);
    return true;
  } catch (error) {
    if (done === 0) throw error;
    return false;
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

  override pathlessName(): string {
    return `pipe:[${this.anon?.ino ?? 0}]`;
  }

  /** Another open of the same pipe (through /proc/<pid>/fd/N), reading or writing as `flags` say. */
  reopen(flags: number): PipeFile {
    return new PipeFile(flags, this.pipe, this.dentry, this.anon);
  }

  /**
   * A FIFO opened for reading only (or writing only) without O_NONBLOCK waits until the other end is
   * opened: WouldBlock until then, null when the open may complete. Always null for other files.
   */
  override openWait(): WouldBlock | null {
    if (!this.dentry || this.nonBlocking || (this.isReader && this.isWriter)) return null;
    const peers = this.isReader ? this.pipe.writers : this.pipe.readers;
    const opens = this.isReader ? this.pipe.writerOpens : this.pipe.readerOpens;
    return peers > 0 || opens !== this.peerOpensAtOpen ? null : this.pipe.wouldBlock;
  }

  override poll(): number {
    return this.pipe.poll(this.isReader, this.isWriter);
  }

  override get waitQueue(): WaitQueue {
    return this.pipe.queue;
  }

  override ioctl(request: number, arg: number, mem: UserMemory): number {
    if (request !== FIONREAD) return super.ioctl(request, arg, mem) as number;
    return answerInt(mem, arg, this.pipe.available);
  }

  fstat(): MaybePromise<Stat> {
    const dentry = this.dentry;
    if (dentry) return after(dentry.mount.fs.getattr(dentry.ino), (attr) => statOf(attr, dentry.mount.dev));
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

  /** read(2) without a kernel buffer (the syscall layer's fast path for pipes). */
  readToUser(mem: PipeUserMemory, ptr: number, len: number): number | WouldBlock {
    if (!this.readable) throw fsError(EBADF, 'not open for reading');
    return this.pipe.readToUser(mem, ptr, len, this.nonBlocking);
  }

  /** write(2) without a kernel buffer. */
  writeFromUser(mem: PipeUserMemory, ptr: number, len: number): number | WouldBlock {
    if (!this.writable) throw fsError(EBADF, 'not open for writing');
    return this.pipe.writeFromUser(mem, ptr, len, this.nonBlocking);
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
