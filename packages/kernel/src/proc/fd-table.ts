/**
 * A process's file descriptor table: small integers naming open file descriptions, each with its own
 * close-on-exec flag. Shared between threads (and between processes made with CLONE_FILES); fork copies it,
 * taking a reference on every open file. Any descriptor leaving the table (close, dup2 over it, exec,
 * exit) drops the POSIX record locks the table holds on that file's inode. Layer: kernel proc, above fs/open-file.ts.
 */
import { EBADF, EMFILE, RLIMIT_NOFILE } from '@kmos/abi-linux';
import { releaseRangeLocks } from '../fs/file-locks.js';
import type { OpenFile } from '../fs/open-file.js';
import { KernelError } from '../kernel-error.js';
import { DEFAULT_RLIMITS } from './resource-limits.js';

/** A new process's table stops where its RLIMIT_NOFILE starts out. */
const DEFAULT_MAX_FDS = Number((DEFAULT_RLIMITS[RLIMIT_NOFILE] as readonly [bigint, bigint])[0]);

/**
 * Closes a file no descriptor names any more, without waiting (closing may finish later) and without an
 * error to report: what close(2) would have said has no caller to go to.
 */
export function closeDetached(file: OpenFile): void {
  void Promise.resolve(file.close()).catch(() => {});
}

export class FdTable {
  private readonly files: (OpenFile | null)[] = [];
  private readonly cloexec: boolean[] = [];

  /** Descriptors from `maxFds` up are never handed out: the soft RLIMIT_NOFILE of whoever set it last. */
  constructor(public maxFds = DEFAULT_MAX_FDS) {}

  /** The open file at `fd`, or KernelError(EBADF). */
  get(fd: number): OpenFile {
    const file = fd >= 0 ? this.files[fd] : undefined;
    if (!file) throw new KernelError(EBADF);
    return file;
  }

  has(fd: number): boolean {
    return fd >= 0 && !!this.files[fd];
  }

  /**
   * Installs `file` at the lowest free descriptor ≥ `from`; the table takes over the caller's reference, also
   * when it fails (EMFILE: the reference is dropped, so a failed dup or open holds nothing open).
   */
  install(file: OpenFile, closeOnExec: boolean, from = 0): number {
    for (let fd = from; fd < this.maxFds; fd++) {
      if (!this.files[fd]) {
        this.place(fd, file, closeOnExec);
        return fd;
      }
    }
    closeDetached(file);
    throw new KernelError(EMFILE);
  }

  /**
   * Puts `file` at exactly `fd` (dup2), returning what was there for the caller to close; as `install`, the
   * reference is the table's either way (EBADF past the limit drops it).
   */
  replace(fd: number, file: OpenFile, closeOnExec: boolean): OpenFile | null {
    if (fd < 0 || fd >= this.maxFds) {
      closeDetached(file);
      throw new KernelError(EBADF);
    }
    const old = this.files[fd] ?? null;
    this.place(fd, file, closeOnExec);
    return old && this.detached(old);
  }

  /** Removes `fd`, returning its file for the caller to close; KernelError(EBADF) when unused. */
  remove(fd: number): OpenFile {
    const file = this.get(fd);
    this.files[fd] = null;
    this.cloexec[fd] = false;
    return this.detached(file);
  }

  getCloseOnExec(fd: number): boolean {
    this.get(fd);
    return this.cloexec[fd] === true;
  }

  setCloseOnExec(fd: number, value: boolean): void {
    this.get(fd);
    this.cloexec[fd] = value;
  }

  /** A copy for fork: same open files, one more reference each. */
  fork(): FdTable {
    const copy = new FdTable(this.maxFds);
    this.files.forEach((file, fd) => {
      if (file) copy.place(fd, file.ref(), this.cloexec[fd] === true);
    });
    return copy;
  }

  /** Removes every close-on-exec descriptor (execve), returning the files for the caller to close. */
  takeCloseOnExec(): OpenFile[] {
    const closed: OpenFile[] = [];
    this.files.forEach((file, fd) => {
      if (file && this.cloexec[fd]) {
        closed.push(this.detached(file));
        this.files[fd] = null;
        this.cloexec[fd] = false;
      }
    });
    return closed;
  }

  /** Removes every descriptor (exit), returning the files for the caller to close. */
  takeAll(): OpenFile[] {
    const all = this.files.filter((f): f is OpenFile => f !== null).map((f) => this.detached(f));
    this.files.length = 0;
    this.cloexec.length = 0;
    return all;
  }

  /** Open descriptors in ascending order (for /proc/<pid>/fd and close_range). */
  *descriptors(): Generator<number> {
    for (let fd = 0; fd < this.files.length; fd++) if (this.files[fd]) yield fd;
  }

  /** A descriptor of this table stops naming `file`: as on Linux, the table's POSIX locks on it go. */
  private detached(file: OpenFile): OpenFile {
    releaseRangeLocks(file, this);
    return file;
  }

  private place(fd: number, file: OpenFile, closeOnExec: boolean): void {
    while (this.files.length <= fd) {
      this.files.push(null);
      this.cloexec.push(false);
    }
    this.files[fd] = file;
    this.cloexec[fd] = closeOnExec;
  }
}
