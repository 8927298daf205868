/**
 * The open file description: what open(), pipe() and dup() share. Descriptors in any number of processes
 * point at one OpenFile (the fd table holds it; fork and dup call `ref`, close calls `close`), and they share
 * its offset and status flags. Subclasses give the kinds their behaviour: regular files and directories on a
 * filesystem (inode-file.ts, directory-file.ts), pipes (pipe.ts), character devices (char-file.ts).
 * Calls that would sleep return a WouldBlock; with O_NONBLOCK they throw EAGAIN instead.
 * Layer: kernel VFS; the syscall layer calls these methods after resolving the fd.
 */
import type { FsAttr, MaybePromise } from '@kmos/abi-driver';
import {
  EBADF,
  EINVAL,
  ENOTDIR,
  ENOTTY,
  ESPIPE,
  IN_CLOSE_NOWRITE,
  IN_CLOSE_WRITE,
  O_ACCMODE,
  O_APPEND,
  O_NONBLOCK,
  O_PATH,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
  POLLIN,
  POLLOUT,
  POLLRDNORM,
  POLLWRNORM,
} from '@kmos/abi-linux';
import { after } from '../maybe-sync.js';
import type { WaitQueue } from '../sched/wait-queue.js';
import type { Dentry } from './dentry.js';
import { releaseFileLocks } from './file-locks.js';
import { fsError } from './fs-error.js';
import { notifyFile } from './fsnotify.js';
import type { WouldBlock } from './would-block.js';

/** The fields of stat64/statx, before the syscall layer lays them out. `dev`/`rdev` use new_encode_dev's encoding. */
export interface Stat extends FsAttr {
  readonly dev: number;
}

/** User memory as ioctl needs it; the syscall layer supplies it over its usercopy functions (EFAULT). */
export interface UserMemory {
  copyIn(ptr: number, into: Uint8Array): void;
  copyOut(ptr: number, from: Uint8Array): void;
}

/** The status flags fcntl(F_SETFL) may change; the rest stay as open() set them. */
const SETFL_MASK = O_APPEND | O_NONBLOCK;

/** Field by field, not by spreading `attr`: every Stat then has one shape, and encoding it reads fast. */
export function statOf(attr: FsAttr, dev: number): Stat {
  return {
    dev,
    ino: attr.ino,
    mode: attr.mode,
    nlink: attr.nlink,
    uid: attr.uid,
    gid: attr.gid,
    rdev: attr.rdev,
    sizeBytes: attr.sizeBytes,
    blockSizeBytes: attr.blockSizeBytes,
    blocks: attr.blocks,
    atime: attr.atime,
    mtime: attr.mtime,
    ctime: attr.ctime,
  };
}

/** An ioctl's int answer (FIONREAD): written at `arg`; the call returns 0. */
export function answerInt(mem: UserMemory, arg: number, value: number): number {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, value, true);
  mem.copyOut(arg, out);
  return 0;
}

export abstract class OpenFile {
  /** Descriptors referring to this description. Written by ref() and close() only. */
  private refs = 1;
  /** The file position. Written by this description's read/write/lseek/getdents64 only. */
  offset = 0;
  /** Open flags (access mode and status flags). Written by setStatusFlags (F_SETFL) after open. */
  flags: number;

  constructor(
    flags: number,
    /** The inode this file was opened on, or null for anonymous pipes. */
    readonly dentry: Dentry | null,
  ) {
    this.flags = flags;
  }

  get readable(): boolean {
    const mode = this.flags & O_ACCMODE;
    return !(this.flags & O_PATH) && (mode === O_RDONLY || mode === O_RDWR);
  }

  get writable(): boolean {
    const mode = this.flags & O_ACCMODE;
    return !(this.flags & O_PATH) && (mode === O_WRONLY || mode === O_RDWR);
  }

  get nonBlocking(): boolean {
    return (this.flags & O_NONBLOCK) !== 0;
  }

  /** A new descriptor shares this description (dup, fork, SCM_RIGHTS). */
  ref(): this {
    this.refs++;
    return this;
  }

  get refCount(): number {
    return this.refs;
  }

  /** Drops one descriptor; the last one releases the file. */
  close(): MaybePromise<void> {
    if (--this.refs > 0) return;
    releaseFileLocks(this);
    if (this.dentry && !(this.flags & O_PATH))
      notifyFile(this.dentry, this.writable ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
    return this.release();
  }

  setStatusFlags(flags: number): void {
    this.flags = (this.flags & ~SETFL_MASK) | (flags & SETFL_MASK);
  }

  read(into: Uint8Array): MaybePromise<number | WouldBlock> {
    if (!this.readable) throw fsError(EBADF, 'not open for reading');
    return this.readImpl(into);
  }

  write(from: Uint8Array): MaybePromise<number | WouldBlock> {
    if (!this.writable) throw fsError(EBADF, 'not open for writing');
    return this.writeImpl(from);
  }

  pread(into: Uint8Array, pos: number): MaybePromise<number | WouldBlock> {
    if (pos < 0) throw fsError(EINVAL, 'negative position');
    if (!this.readable) throw fsError(EBADF, 'not open for reading');
    return this.preadImpl(into, pos);
  }

  pwrite(from: Uint8Array, pos: number): MaybePromise<number | WouldBlock> {
    if (pos < 0) throw fsError(EINVAL, 'negative position');
    if (!this.writable) throw fsError(EBADF, 'not open for writing');
    return this.pwriteImpl(from, pos);
  }

  lseek(_offset: number, _whence: number): MaybePromise<number> {
    throw fsError(ESPIPE);
  }

  /** Fills `into` with struct linux_dirent64 records; returns the bytes used, 0 at the end. */
  getdents64(_into: Uint8Array): MaybePromise<number> {
    throw fsError(this.flags & O_PATH ? EBADF : ENOTDIR);
  }

  /** ioctl: returns the syscall's result; user memory through `mem`. */
  ioctl(_request: number, _arg: number, _mem: UserMemory): MaybePromise<number> {
    throw fsError(this.flags & O_PATH ? EBADF : ENOTTY);
  }

  /**
   * After open(): null when the open is complete, or WouldBlock while it must wait (a FIFO opened for one
   * direction waiting for its peer). The syscall layer sleeps and asks again; on a signal it closes the file.
   */
  openWait(): WouldBlock | null {
    return null;
  }

  /** poll bits that hold now; regular files are always ready (Linux's DEFAULT_POLLMASK). */
  poll(): number {
    return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
  }

  /** Where poll/select sleep for this file; null when readiness never changes. */
  get waitQueue(): WaitQueue | null {
    return null;
  }

  abstract fstat(): MaybePromise<Stat>;

  /**
   * What /proc/<pid>/fd/N reads for this file when it has no dentry: Linux names such files by their kind
   * ("pipe:[ino]", "anon_inode:[eventfd]") or by the device node a terminal was opened through.
   */
  pathlessName(): string {
    return 'anon_inode:[unknown]';
  }

  protected readImpl(_into: Uint8Array): MaybePromise<number | WouldBlock> {
    throw fsError(EINVAL);
  }

  protected writeImpl(_from: Uint8Array): MaybePromise<number | WouldBlock> {
    throw fsError(EINVAL);
  }

  protected preadImpl(_into: Uint8Array, _pos: number): MaybePromise<number | WouldBlock> {
    throw fsError(ESPIPE);
  }

  protected pwriteImpl(_from: Uint8Array, _pos: number): MaybePromise<number | WouldBlock> {
    throw fsError(ESPIPE);
  }

  /** The last descriptor went: drop inode references, wake peers. */
  protected abstract release(): MaybePromise<void>;
}

/** Base of files on a filesystem inode: holds the inode open and reports its attributes. */
export abstract class InodeBackedFile extends OpenFile {
  constructor(
    flags: number,
    override readonly dentry: Dentry,
  ) {
    super(flags, dentry);
    dentry.mount.hold(dentry.ino);
  }

  fstat(): MaybePromise<Stat> {
    const { mount, ino } = this.dentry;
    return after(mount.fs.getattr(ino), (attr) => statOf(attr, mount.dev));
  }

  protected async release(): Promise<void> {
    const { mount, ino } = this.dentry;
    if (mount.drop(ino)) await mount.fs.release(ino);
  }
}
