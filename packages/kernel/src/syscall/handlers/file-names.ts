/**
 * Open files and names: open/openat/creat/close, dup family, fcntl (its lock commands in locks.ts), pipe, the stat family and statx,
 * getdents64, the directory-entry operations (mkdir, unlink, rename, link, symlink, readlink...), chdir and
 * getcwd, permissions and ownership, truncate, utimensat, statfs, sync, ioctl. Handlers resolve descriptors
 * and paths and call the Vfs. Layer: kernel syscall handlers, over fs/vfs.ts.
 */
import type { MaybePromise, UserPtr } from '@kmos/abi-driver';
import {
  AT_EMPTY_PATH,
  AT_FDCWD,
  AT_REMOVEDIR,
  AT_SYMLINK_NOFOLLOW,
  CLOSE_RANGE_CLOEXEC,
  CLOSE_RANGE_UNSHARE,
  EBADF,
  EINVAL,
  EPERM,
  ERANGE,
  F_ADD_SEALS,
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_GET_SEALS,
  F_GETFD,
  F_GETFL,
  F_SEAL_FUTURE_WRITE,
  F_SEAL_GROW,
  F_SEAL_SEAL,
  F_SEAL_SHRINK,
  F_SEAL_WRITE,
  F_SETFD,
  F_SETFL,
  FD_CLOEXEC,
  FIOCLEX,
  FIONBIO,
  FIONCLEX,
  FIONREAD,
  kernelTimespecLayout,
  MFD_CLOEXEC,
  O_CLOEXEC,
  O_CREAT,
  O_NOCTTY,
  O_NONBLOCK,
  O_PATH,
  O_TRUNC,
  O_WRONLY,
  stat64Layout,
  statfs64Layout,
  statxLayout,
  timespecLayout,
} from '@kmos/abi-linux';
import { RegularFile } from '../../fs/inode-file.js';
import type { OpenFile, Stat } from '../../fs/open-file.js';
import { Tmpfs } from '../../fs/tmpfs.js';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import { after } from '../../maybe-sync.js';
import { copyFromUser, copyToUser, strncpyFromUser } from '../../mm/usercopy.js';
import { closeDetached } from '../../proc/fd-table.js';
import { isShared, release } from '../../proc/sharing.js';
import type { Thread } from '../../proc/thread.js';
import { sleepUntil } from '../../sched/sleep.js';
import type { WaitQueue } from '../../sched/wait-queue.js';
import { TtyFile } from '../../tty/tty-file.js';
import type { SyscallImpl } from '../syscall-table.js';
import { dirAt, pathContext, readUser, setInt64, signed, struct, userPath, writeUser } from '../user-args.js';
import { fromId16 } from './ids.js';
import { fcntlLock, flock, LOCK_COMMANDS } from './locks.js';

const UTIME_NOW = (1 << 30) - 1;
const UTIME_OMIT = (1 << 30) - 2;
/** statx mask bits for what kmOS fills in: STATX_BASIC_STATS (0x7ff). */
const STATX_BASIC_STATS = 0x7ff;

function major(dev: number): number {
  return (dev & 0xfff00) >>> 8;
}

function minor(dev: number): number {
  return (dev & 0xff) | ((dev >>> 12) & 0xfff00);
}

function encodeStat64(st: Stat): Uint8Array {
  const F = stat64Layout.fields;
  const { bytes, view } = struct(stat64Layout.sizeBytes);
  setInt64(view, F.st_dev.offset, st.dev);
  view.setUint32(F.__st_ino.offset, st.ino >>> 0, true);
  view.setUint32(F.st_mode.offset, st.mode, true);
  view.setUint32(F.st_nlink.offset, st.nlink, true);
  view.setUint32(F.st_uid.offset, st.uid, true);
  view.setUint32(F.st_gid.offset, st.gid, true);
  setInt64(view, F.st_rdev.offset, st.rdev);
  setInt64(view, F.st_size.offset, st.sizeBytes);
  view.setUint32(F.st_blksize.offset, st.blockSizeBytes, true);
  setInt64(view, F.st_blocks.offset, st.blocks);
  view.setUint32(F.st_atime.offset, st.atime.sec, true);
  view.setUint32(F.st_atime_nsec.offset, st.atime.nsec, true);
  view.setUint32(F.st_mtime.offset, st.mtime.sec, true);
  view.setUint32(F.st_mtime_nsec.offset, st.mtime.nsec, true);
  view.setUint32(F.st_ctime.offset, st.ctime.sec, true);
  view.setUint32(F.st_ctime_nsec.offset, st.ctime.nsec, true);
  setInt64(view, F.st_ino.offset, st.ino);
  return bytes;
}

function encodeStatx(st: Stat): Uint8Array {
  const F = statxLayout.fields;
  const { bytes, view } = struct(statxLayout.sizeBytes);
  view.setUint32(F.stx_mask.offset, STATX_BASIC_STATS, true);
  view.setUint32(F.stx_blksize.offset, st.blockSizeBytes, true);
  view.setUint32(F.stx_nlink.offset, st.nlink, true);
  view.setUint32(F.stx_uid.offset, st.uid, true);
  view.setUint32(F.stx_gid.offset, st.gid, true);
  view.setUint16(F.stx_mode.offset, st.mode, true);
  setInt64(view, F.stx_ino.offset, st.ino);
  setInt64(view, F.stx_size.offset, st.sizeBytes);
  setInt64(view, F.stx_blocks.offset, st.blocks);
  const time = (offset: number, ts: { sec: number; nsec: number }) => {
    setInt64(view, offset, ts.sec);
    view.setUint32(offset + 8, ts.nsec, true);
  };
  time(F.stx_atime.offset, st.atime);
  time(F.stx_mtime.offset, st.mtime);
  time(F.stx_ctime.offset, st.ctime);
  view.setUint32(F.stx_rdev_major.offset, major(st.rdev), true);
  view.setUint32(F.stx_rdev_minor.offset, minor(st.rdev), true);
  view.setUint32(F.stx_dev_major.offset, major(st.dev), true);
  view.setUint32(F.stx_dev_minor.offset, minor(st.dev), true);
  return bytes;
}

function open(
  k: Kernel,
  t: Thread,
  dirfd: number,
  pathPtr: number,
  flags: number,
  mode: number,
): MaybePromise<number> {
  const path = userPath(t, pathPtr);
  // O_LARGEFILE stays as given: an i386 kernel does not force it (F_GETFL shows what the program asked for).
  const install = (file: OpenFile) => {
    const fd = t.process.files.install(file, (flags & O_CLOEXEC) !== 0);
    if (!(flags & O_NOCTTY) && file instanceof TtyFile) file.tty.sessions?.opened(file.tty);
    return fd;
  };
  return after(k.vfs.open(pathContext(t), dirAt(t, dirfd), path, flags, mode), (file) => {
    const wait = file.openWait();
    return wait === null ? install(file) : untilOpened(k, t, file, wait.queue).then(install);
  });
}

/**
 * A FIFO opened for one end waits for the other (fifo_open's wait_for_partner); a signal ends the wait
 * with the file released and ERESTARTSYS, so the open restarts under SA_RESTART.
 */
async function untilOpened(k: Kernel, t: Thread, file: OpenFile, queue: WaitQueue): Promise<OpenFile> {
  try {
    await sleepUntil(t, k.clock, [queue], () => file.openWait() === null, null);
    return file;
  } catch (e) {
    closeDetached(file);
    throw e;
  }
}

function close(t: Thread, fd: number): number {
  const closing = t.process.files.remove(signed(fd)).close();
  if (closing instanceof Promise) closing.catch(() => {});
  return 0;
}

/**
 * close_range: closes the descriptors in [first, last] (or with CLOSE_RANGE_CLOEXEC marks them close-on-exec);
 * CLOSE_RANGE_UNSHARE first gives the process a table of its own when it shares one (clone CLONE_FILES).
 */
function closeRange(t: Thread, first: number, last: number, flags: number): number {
  if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) || first > last) throw new KernelError(EINVAL);
  const p = t.process;
  if (flags & CLOSE_RANGE_UNSHARE && isShared(p.files)) {
    release(p.files);
    p.files = p.files.fork();
  }
  const files = p.files;
  for (const fd of [...files.descriptors()]) {
    if (fd < first || fd > last) continue;
    if (flags & CLOSE_RANGE_CLOEXEC) files.setCloseOnExec(fd, true);
    else closeDetached(files.remove(fd));
  }
  return 0;
}

function dup3(t: Thread, oldFd: number, newFd: number, flags: number, dup2Semantics: boolean): number {
  const files = t.process.files;
  const file = files.get(signed(oldFd));
  if (oldFd === newFd) {
    if (dup2Semantics) return newFd;
    throw new KernelError(EINVAL);
  }
  if (flags & ~O_CLOEXEC) throw new KernelError(EINVAL);
  const old = files.replace(signed(newFd), file.ref(), (flags & O_CLOEXEC) !== 0);
  if (old) closeDetached(old);
  return newFd;
}

function fcntl(k: Kernel, t: Thread, fd: number, cmd: number, arg: number) {
  const files = t.process.files;
  const file = files.get(signed(fd));
  if (LOCK_COMMANDS.has(cmd)) return fcntlLock(k, t, file, cmd, arg);
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
      // From the limit up there is no descriptor to find (EINVAL in Linux, not EMFILE).
      if (signed(arg) < 0 || arg >= files.maxFds) throw new KernelError(EINVAL);
      return files.install(file.ref(), cmd === F_DUPFD_CLOEXEC, arg);
    case F_GETFD:
      return files.getCloseOnExec(signed(fd)) ? FD_CLOEXEC : 0;
    case F_SETFD:
      files.setCloseOnExec(signed(fd), (arg & FD_CLOEXEC) !== 0);
      return 0;
    case F_GETFL:
      return file.flags;
    case F_SETFL:
      file.setStatusFlags(arg);
      return 0;
    case F_GET_SEALS:
      return sealsOf(file);
    case F_ADD_SEALS:
      addSeals(file, arg);
      return 0;
    default:
      throw new KernelError(EINVAL, `fcntl command ${cmd}`);
  }
}

/**
 * F_GET_SEALS: tmpfs files (memfds among them) carry seals in Linux, and kmOS's are always just F_SEAL_SEAL
 * (memfds are made without MFD_ALLOW_SEALING); other files have none (EINVAL).
 */
function sealsOf(file: OpenFile): number {
  if (!(file.dentry?.mount.fs instanceof Tmpfs)) throw new KernelError(EINVAL, 'no seals on this file');
  return F_SEAL_SEAL;
}

/** F_ADD_SEALS, in Linux's order of checks: open for writing, known seals, seals at all, not sealed. */
function addSeals(file: OpenFile, seals: number): void {
  if (!file.writable) throw new KernelError(EPERM, 'F_ADD_SEALS on a file not open for writing');
  if (seals & ~F_ALL_SEALS) throw new KernelError(EINVAL, 'unknown seals');
  sealsOf(file);
  throw new KernelError(EPERM, 'F_SEAL_SEAL is set');
}

const F_ALL_SEALS = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;

/** MFD_NAME_MAX_LEN: NAME_MAX less the "memfd:" prefix. */
const MFD_NAME_MAX_BYTES = 249;
const memfdName = new Uint8Array(MFD_NAME_MAX_BYTES + 1);

/**
 * memfd_create: MFD_CLOEXEC only. MFD_ALLOW_SEALING and MFD_HUGETLB are EINVAL (no sealing, no huge pages),
 * as a kernel without them answers; so are the newer MFD_NOEXEC_SEAL and MFD_EXEC.
 */
function memfdCreate(k: Kernel, t: Thread, namePtr: number, flags: number): Promise<number> {
  if (flags & ~MFD_CLOEXEC) throw new KernelError(EINVAL, 'memfd_create flags');
  const n = strncpyFromUser(t.process.mm, namePtr as UserPtr, memfdName);
  if (n > MFD_NAME_MAX_BYTES) throw new KernelError(EINVAL, 'memfd name too long');
  const name = Buffer.from(memfdName.buffer, 0, n).toString('latin1');
  return k.vfs.memfd(t.process.creds, name).then((file) => {
    try {
      return t.process.files.install(file, (flags & MFD_CLOEXEC) !== 0);
    } catch (error) {
      closeDetached(file);
      throw error;
    }
  });
}

function pipe2(k: Kernel, t: Thread, ptr: number, flags: number): number {
  const [r, w] = k.vfs.pipe(t.process.creds, flags);
  const files = t.process.files;
  const cloexec = (flags & O_CLOEXEC) !== 0;
  let rfd: number;
  try {
    rfd = files.install(r, cloexec);
  } catch (error) {
    closeDetached(w);
    throw error;
  }
  let wfd: number;
  try {
    wfd = files.install(w, cloexec);
  } catch (error) {
    closeDetached(files.remove(rfd));
    throw error;
  }
  const { bytes, view } = struct(8);
  view.setInt32(0, rfd, true);
  view.setInt32(4, wfd, true);
  try {
    writeUser(t, ptr, bytes);
  } catch (error) {
    closeDetached(files.remove(rfd));
    closeDetached(files.remove(wfd));
    throw error;
  }
  return 0;
}

function getdents64(t: Thread, fd: number, ptr: number, count: number): MaybePromise<number> {
  const file = t.process.files.get(signed(fd));
  const buf = new Uint8Array(Math.min(count, 1 << 20));
  return after(file.getdents64(buf), (n) => {
    if (n > 0) writeUser(t, ptr, buf.subarray(0, n));
    return n;
  });
}

async function getcwd(k: Kernel, t: Thread, ptr: number, size: number): Promise<number> {
  const path = Buffer.from(k.vfs.getcwd(pathContext(t)), 'latin1');
  if (path.length + 1 > size) throw new KernelError(ERANGE);
  const bytes = new Uint8Array(path.length + 1);
  bytes.set(path);
  writeUser(t, ptr, bytes);
  return bytes.length;
}

function readlink(k: Kernel, t: Thread, dirfd: number, pathPtr: number, buf: number, size: number) {
  if (signed(size) <= 0) throw new KernelError(EINVAL);
  return after(k.vfs.readlink(pathContext(t), dirAt(t, dirfd), userPath(t, pathPtr)), (text) => {
    const target = Buffer.from(text, 'latin1');
    const n = Math.min(target.length, size);
    writeUser(t, buf, target.subarray(0, n));
    return n;
  });
}

type TimeArg = 'now' | 'omit' | { sec: number; nsec: number };

/** utimensat's struct timespec[2] (64-bit seconds for utimensat_time64); NULL is now for both. */
function readTimes(t: Thread, ptr: number, time64 = false): [TimeArg, TimeArg] {
  if (ptr === 0) return ['now', 'now'];
  const layout = time64 ? kernelTimespecLayout : timespecLayout;
  const size = layout.sizeBytes;
  const v = readUser(t, ptr, size * 2);
  const one = (at: number) => {
    const nsec = v.getInt32(at + layout.fields.tv_nsec.offset, true);
    if (nsec === UTIME_NOW) return 'now' as const;
    if (nsec === UTIME_OMIT) return 'omit' as const;
    if (nsec < 0 || nsec >= 1e9) throw new KernelError(EINVAL);
    return { sec: time64 ? Number(v.getBigInt64(at, true)) : v.getInt32(at, true), nsec };
  };
  return [one(0), one(size)];
}

/** utimes/futimesat's struct timeval[2] (microseconds), or utime's struct utimbuf (seconds); NULL is now. */
function readOldTimes(t: Thread, ptr: number, micro: boolean): [TimeArg, TimeArg] {
  if (ptr === 0) return ['now', 'now'];
  const v = readUser(t, ptr, micro ? 16 : 8);
  const one = (i: number): TimeArg => {
    if (!micro) return { sec: v.getInt32(i * 4, true), nsec: 0 };
    const usec = v.getInt32(i * 8 + 4, true);
    if (usec < 0 || usec >= 1e6) throw new KernelError(EINVAL);
    return { sec: v.getInt32(i * 8, true), nsec: usec * 1000 };
  };
  return [one(0), one(1)];
}

/** statfs's and fstatfs's answer: of the file a descriptor is open on, or of the path's filesystem. */
export function statfsOf(k: Kernel, t: Thread, fileOrPath: { fd: number } | { path: number }) {
  return 'fd' in fileOrPath
    ? k.vfs.fstatfs(t.process.files.get(signed(fileOrPath.fd)))
    : k.vfs.statfs(pathContext(t), null, userPath(t, fileOrPath.path));
}

async function statfs64(
  k: Kernel,
  t: Thread,
  fileOrPath: { fd: number } | { path: number },
  size: number,
  ptr: number,
) {
  if (size !== statfs64Layout.sizeBytes) throw new KernelError(EINVAL);
  const r = await statfsOf(k, t, fileOrPath);
  const F = statfs64Layout.fields;
  const { bytes, view } = struct(statfs64Layout.sizeBytes);
  view.setUint32(F.f_type.offset, r.type, true);
  view.setUint32(F.f_bsize.offset, r.blockSizeBytes, true);
  setInt64(view, F.f_blocks.offset, r.blocks);
  setInt64(view, F.f_bfree.offset, r.blocksFree);
  setInt64(view, F.f_bavail.offset, r.blocksAvailable);
  setInt64(view, F.f_files.offset, r.files);
  setInt64(view, F.f_ffree.offset, r.filesFree);
  view.setUint32(F.f_fsid.offset, r.fsid, true);
  view.setUint32(F.f_namelen.offset, r.nameMaxBytes, true);
  view.setUint32(F.f_frsize.offset, r.blockSizeBytes, true);
  writeUser(t, ptr, bytes);
  return 0;
}

function syncFile(t: Thread, fd: number): number {
  t.process.files.get(signed(fd));
  return 0;
}

/**
 * ioctl: the requests every descriptor answers (do_vfs_ioctl's FIOCLEX, FIONCLEX, FIONBIO, and FIONREAD on
 * a regular file: the bytes from the offset to the end), then the file's own.
 */
function ioctl(t: Thread, fd: number, request: number, arg: number) {
  const files = t.process.files;
  const file = files.get(signed(fd));
  if (file.flags & O_PATH) throw new KernelError(EBADF);
  const mm = t.process.mm;
  switch (request) {
    case FIOCLEX:
    case FIONCLEX:
      files.setCloseOnExec(signed(fd), request === FIOCLEX);
      return 0;
    case FIONBIO: {
      const on = readUser(t, arg, 4).getInt32(0, true) !== 0;
      file.setStatusFlags(on ? file.flags | O_NONBLOCK : file.flags & ~O_NONBLOCK);
      return 0;
    }
    case FIONREAD:
      if (file instanceof RegularFile) {
        return after(file.fstat(), (st) => {
          const { bytes, view } = struct(4);
          view.setInt32(0, Math.max(0, Math.min(st.sizeBytes - file.offset, 0x7fffffff)), true);
          writeUser(t, arg, bytes);
          return 0;
        });
      }
  }
  return file.ioctl(request, arg, {
    copyIn: (p, into) => copyFromUser(mm, p as UserPtr, into),
    copyOut: (p, from) => copyToUser(mm, p as UserPtr, from),
  });
}

export function fileNameSyscalls(k: Kernel): Record<string, SyscallImpl> {
  const ctx = pathContext;
  const done = () => 0;
  /** Sets a file's times: the file at `pathPtr` from `dirfd`, or with a NULL path the descriptor itself. */
  const utimes = (
    t: Thread,
    dirfd: number,
    pathPtr: number,
    [atime, mtime]: [TimeArg, TimeArg],
    flags: number,
  ) => {
    if (pathPtr === 0) {
      const file = t.process.files.get(signed(dirfd));
      if (!file) throw new KernelError(EBADF);
      return after(k.vfs.utimens(ctx(t), file, '', atime, mtime, AT_EMPTY_PATH), done);
    }
    return after(k.vfs.utimens(ctx(t), dirAt(t, dirfd), userPath(t, pathPtr), atime, mtime, flags), done);
  };
  const stat = (t: Thread, dirfd: number, pathPtr: number, ptr: number, flags: number) => {
    const path = userPath(t, pathPtr, (flags & AT_EMPTY_PATH) !== 0);
    return after(k.vfs.stat(ctx(t), dirAt(t, dirfd), path, flags), (st) => {
      writeUser(t, ptr, encodeStat64(st));
      return 0;
    });
  };
  return {
    open: { handler: (t, path, flags, mode) => open(k, t, AT_FDCWD, path, flags, mode) },
    openat: { handler: (t, dirfd, path, flags, mode) => open(k, t, dirfd, path, flags, mode) },
    creat: { handler: (t, path, mode) => open(k, t, AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode) },
    close: { handler: (t, fd) => close(t, fd) },
    close_range: { handler: (t, first, last, flags) => closeRange(t, first, last, flags) },
    dup: { handler: (t, fd) => t.process.files.install(t.process.files.get(signed(fd)).ref(), false) },
    dup2: { handler: (t, oldFd, newFd) => dup3(t, oldFd, newFd, 0, true) },
    dup3: { handler: (t, oldFd, newFd, flags) => dup3(t, oldFd, newFd, flags, false) },
    fcntl: {
      handler: (t, fd, cmd, arg) => fcntl(k, t, fd, cmd, arg),
      status: 'partial',
      note: 'no leases, F_NOTIFY, F_SETOWN/F_SETSIG or seals',
    },
    fcntl64: {
      handler: (t, fd, cmd, arg) => fcntl(k, t, fd, cmd, arg),
      status: 'partial',
      note: 'no leases, F_NOTIFY, F_SETOWN/F_SETSIG or seals',
    },
    flock: { handler: (t, fd, operation) => flock(k, t, fd, operation) },
    pipe: { handler: (t, ptr) => pipe2(k, t, ptr, 0) },
    pipe2: { handler: (t, ptr, flags) => pipe2(k, t, ptr, flags) },
    memfd_create: {
      handler: (t, namePtr, flags) => memfdCreate(k, t, namePtr, flags),
      status: 'partial',
      note: 'MFD_ALLOW_SEALING and MFD_HUGETLB are EINVAL: no sealing, no huge pages',
    },
    ioctl: { handler: (t, fd, request, arg) => ioctl(t, fd, request, arg) },
    stat64: { handler: (t, path, ptr) => stat(t, AT_FDCWD, path, ptr, 0) },
    lstat64: { handler: (t, path, ptr) => stat(t, AT_FDCWD, path, ptr, AT_SYMLINK_NOFOLLOW) },
    fstat64: {
      handler: (t, fd, ptr) =>
        after(t.process.files.get(signed(fd)).fstat(), (st) => {
          writeUser(t, ptr, encodeStat64(st));
          return 0;
        }),
    },
    fstatat64: { handler: (t, dirfd, path, ptr, flags) => stat(t, dirfd, path, ptr, flags) },
    statx: {
      handler: (t, dirfd, pathPtr, flags, _mask, ptr) => {
        const path = userPath(t, pathPtr, (flags & AT_EMPTY_PATH) !== 0);
        return after(k.vfs.stat(ctx(t), dirAt(t, dirfd), path, flags), (st) => {
          writeUser(t, ptr, encodeStatx(st));
          return 0;
        });
      },
    },
    getdents64: { handler: (t, fd, ptr, count) => getdents64(t, fd, ptr, count) },
    mkdir: { handler: (t, path, mode) => after(k.vfs.mkdir(ctx(t), null, userPath(t, path), mode), done) },
    mkdirat: {
      handler: (t, dirfd, path, mode) =>
        after(k.vfs.mkdir(ctx(t), dirAt(t, dirfd), userPath(t, path), mode), done),
    },
    mknod: {
      handler: (t, path, mode, dev) => after(k.vfs.mknod(ctx(t), null, userPath(t, path), mode, dev), done),
    },
    mknodat: {
      handler: (t, d, path, mode, dev) =>
        after(k.vfs.mknod(ctx(t), dirAt(t, d), userPath(t, path), mode, dev), done),
    },
    unlink: { handler: (t, path) => after(k.vfs.unlink(ctx(t), null, userPath(t, path)), done) },
    unlinkat: {
      handler: (t, dirfd, path, flags) => {
        if (flags & ~AT_REMOVEDIR) throw new KernelError(EINVAL);
        const op = flags & AT_REMOVEDIR ? k.vfs.rmdir : k.vfs.unlink;
        return after(op.call(k.vfs, ctx(t), dirAt(t, dirfd), userPath(t, path)), done);
      },
    },
    rmdir: { handler: (t, path) => after(k.vfs.rmdir(ctx(t), null, userPath(t, path)), done) },
    rename: {
      handler: (t, from, to) =>
        after(k.vfs.rename(ctx(t), null, userPath(t, from), null, userPath(t, to)), done),
    },
    renameat: {
      handler: (t, fd1, from, fd2, to) =>
        after(k.vfs.rename(ctx(t), dirAt(t, fd1), userPath(t, from), dirAt(t, fd2), userPath(t, to)), done),
    },
    renameat2: {
      handler: (t, fd1, from, fd2, to, flags) =>
        after(
          k.vfs.rename(ctx(t), dirAt(t, fd1), userPath(t, from), dirAt(t, fd2), userPath(t, to), flags),
          done,
        ),
    },
    link: {
      handler: (t, from, to) =>
        after(k.vfs.link(ctx(t), null, userPath(t, from), null, userPath(t, to)), done),
    },
    linkat: {
      handler: (t, fd1, from, fd2, to, flags) =>
        after(
          k.vfs.link(ctx(t), dirAt(t, fd1), userPath(t, from, true), dirAt(t, fd2), userPath(t, to), flags),
          done,
        ),
    },
    symlink: {
      handler: (t, target, path) =>
        after(k.vfs.symlink(ctx(t), userPath(t, target), null, userPath(t, path)), done),
    },
    symlinkat: {
      handler: (t, target, dirfd, path) =>
        after(k.vfs.symlink(ctx(t), userPath(t, target), dirAt(t, dirfd), userPath(t, path)), done),
    },
    readlink: { handler: (t, path, buf, size) => readlink(k, t, AT_FDCWD, path, buf, size) },
    readlinkat: { handler: (t, dirfd, path, buf, size) => readlink(k, t, dirfd, path, buf, size) },
    chdir: {
      handler: async (t, path) => {
        t.process.fs.cwd = await k.vfs.chdir(ctx(t), null, userPath(t, path));
        return 0;
      },
    },
    fchdir: {
      handler: async (t, fd) => {
        t.process.fs.cwd = await k.vfs.fchdir(t.process.creds, t.process.files.get(signed(fd)));
        return 0;
      },
    },
    // chroot: chdir's lookup and search check, then CAP_SYS_CHROOT (root), as Linux orders them. The cwd
    // stays where it is, even outside the new root.
    chroot: {
      handler: async (t, path) => {
        const root = await k.vfs.chdir(ctx(t), null, userPath(t, path));
        if (t.process.creds.euid !== 0) throw new KernelError(EPERM, 'chroot');
        t.process.fs.root = root;
        return 0;
      },
    },
    getcwd: { handler: (t, ptr, size) => getcwd(k, t, ptr, size) },
    access: { handler: (t, path, mode) => after(k.vfs.access(ctx(t), null, userPath(t, path), mode), done) },
    faccessat: {
      handler: (t, dirfd, path, mode) =>
        after(k.vfs.access(ctx(t), dirAt(t, dirfd), userPath(t, path), mode), done),
    },
    faccessat2: {
      handler: (t, dirfd, path, mode, flags) =>
        after(k.vfs.access(ctx(t), dirAt(t, dirfd), userPath(t, path), mode, flags), done),
    },
    chmod: { handler: (t, path, mode) => after(k.vfs.chmod(ctx(t), null, userPath(t, path), mode), done) },
    fchmod: {
      handler: (t, fd, mode) =>
        after(k.vfs.fchmod(t.process.creds, t.process.files.get(signed(fd)), mode), done),
    },
    fchmodat: {
      handler: (t, dirfd, path, mode) =>
        after(k.vfs.chmod(ctx(t), dirAt(t, dirfd), userPath(t, path), mode), done),
    },
    chown32: {
      handler: (t, path, uid, gid) =>
        after(k.vfs.chown(ctx(t), null, userPath(t, path), signed(uid), signed(gid)), done),
    },
    lchown32: {
      handler: (t, path, uid, gid) =>
        after(
          k.vfs.chown(ctx(t), null, userPath(t, path), signed(uid), signed(gid), AT_SYMLINK_NOFOLLOW),
          done,
        ),
    },
    chown: {
      handler: (t, path, uid, gid) =>
        after(
          k.vfs.chown(ctx(t), null, userPath(t, path), signed(fromId16(uid)), signed(fromId16(gid))),
          done,
        ),
    },
    lchown: {
      handler: (t, path, uid, gid) =>
        after(
          k.vfs.chown(
            ctx(t),
            null,
            userPath(t, path),
            signed(fromId16(uid)),
            signed(fromId16(gid)),
            AT_SYMLINK_NOFOLLOW,
          ),
          done,
        ),
    },
    fchown: {
      handler: (t, fd, uid, gid) =>
        after(
          k.vfs.fchown(
            t.process.creds,
            t.process.files.get(signed(fd)),
            signed(fromId16(uid)),
            signed(fromId16(gid)),
          ),
          done,
        ),
    },
    fchown32: {
      handler: (t, fd, uid, gid) =>
        after(k.vfs.fchown(t.process.creds, t.process.files.get(signed(fd)), signed(uid), signed(gid)), done),
    },
    fchownat: {
      handler: (t, dirfd, path, uid, gid, flags) =>
        after(
          k.vfs.chown(ctx(t), dirAt(t, dirfd), userPath(t, path, true), signed(uid), signed(gid), flags),
          done,
        ),
    },
    truncate64: {
      handler: (t, path, lo, hi) =>
        after(k.vfs.truncate(ctx(t), null, userPath(t, path), hi * 2 ** 32 + lo), done),
    },
    ftruncate64: {
      handler: (t, fd, lo, hi) =>
        after(k.vfs.ftruncate(t.process.files.get(signed(fd)), hi * 2 ** 32 + lo), done),
    },
    ftruncate: {
      handler: (t, fd, len) => after(k.vfs.ftruncate(t.process.files.get(signed(fd)), len), done),
    },
    truncate: {
      handler: (t, path, len) => after(k.vfs.truncate(ctx(t), null, userPath(t, path), len), done),
    },
    utimensat: {
      handler: (t, dirfd, path, times, flags) => utimes(t, dirfd, path, readTimes(t, times), flags),
    },
    utimensat_time64: {
      handler: (t, dirfd, path, times, flags) => utimes(t, dirfd, path, readTimes(t, times, true), flags),
    },
    futimesat: {
      handler: (t, dirfd, path, times) => utimes(t, dirfd, path, readOldTimes(t, times, true), 0),
    },
    utimes: { handler: (t, path, times) => utimes(t, AT_FDCWD, path, readOldTimes(t, times, true), 0) },
    utime: { handler: (t, path, times) => utimes(t, AT_FDCWD, path, readOldTimes(t, times, false), 0) },
    statfs64: { handler: (t, path, size, ptr) => statfs64(k, t, { path }, size, ptr) },
    fstatfs64: { handler: (t, fd, size, ptr) => statfs64(k, t, { fd }, size, ptr) },
    // Every filesystem writes through today (hostfs, tmpfs): syncing is checking the descriptor.
    fsync: { handler: (t, fd) => syncFile(t, fd) },
    fdatasync: { handler: (t, fd) => syncFile(t, fd) },
    syncfs: { handler: (t, fd) => syncFile(t, fd) },
    sync: { handler: () => 0 },
  };
}
