/**
 * The VFS: the one object the syscall layer talks to for anything with a path or a file. It owns the mount
 * table, the device switch and the FIFOs, and turns path calls into path walks plus filesystem calls.
 *
 * Conventions for callers (the syscall layer):
 * - Every path call takes a PathContext (credentials, root, cwd, umask: the VFS applies the umask on create)
 *   and `at`: the OpenFile of an *at() call's dirfd, or null for AT_FDCWD.
 * - Paths and names are byte strings (latin1, one char per byte).
 * - Calls give a value when every filesystem they asked answered at once, else a promise (maybe-sync.ts),
 *   and throw KernelError; reads and writes may return a WouldBlock instead of sleeping.
 * Layer: kernel VFS; above it src/syscall and src/proc, below it the filesystems (by the ABI FileSystem).
 */
import type { FileSystem, FsAttr, FsStatfs, MaybePromise, Timespec } from '@kmos/abi-driver';
import {
  AT_EMPTY_PATH,
  AT_SYMLINK_NOFOLLOW,
  EACCES,
  EBUSY,
  EINVAL,
  ELOOP,
  ENFILE,
  ENOENT,
  ENOTDIR,
  EPERM,
  IN_MODIFY,
  new_encode_dev,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECT,
  O_EXCL,
  O_LARGEFILE,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
} from '@kmos/abi-linux';
import { after, drive } from '../maybe-sync.js';
import { BlockDeviceFile } from './block-file.js';
import { type Credentials, fsUid, MAY_EXEC, mayAccess } from './credentials.js';
import type { Dentry } from './dentry.js';
import { DeviceSwitch } from './device-switch.js';
import { isLnk, isReg } from './file-type.js';
import { fsError, guarded } from './fs-error.js';
import { notifyFile } from './fsnotify.js';
import { RegularFile } from './inode-file.js';
import { type Mount, type MountInfo, MountTable } from './mount-table.js';
import type { OpenFile, Stat } from './open-file.js';
import { type PathContext, PathWalk, type Resolved } from './path-walk.js';
import { Pipe, PipeFile, type PipeMemory } from './pipe.js';
import { Tmpfs } from './tmpfs.js';
import * as attr from './vfs-attr.js';
import { baseOf, maySearch } from './vfs-common.js';
import * as ns from './vfs-namespace.js';
import { openPath } from './vfs-open.js';

/** The anonymous device of pipefs (any minor no mount takes; mounts count up from 1). */
const PIPEFS_ANON_MINOR = 0xfff;

export interface VfsOptions {
  /** Guest time (timestamps the VFS sets itself: utimensat's UTIME_NOW, pipes). */
  readonly clock: () => Timespec;
  /** Where pipe buffers live; without it pipe() and FIFOs fail with ENFILE. */
  readonly pipeMemory?: PipeMemory;
}

/** What statfs reports: the filesystem's numbers plus the mount's. */
export interface StatfsResult extends FsStatfs {
  readonly fsid: number;
  readonly readOnly: boolean;
}

export class Vfs {
  readonly mounts = new MountTable();
  readonly devices = new DeviceSwitch();
  private readonly fifos = new Map<string, Pipe>();
  private readonly pipefsDev = new_encode_dev(0, PIPEFS_ANON_MINOR);
  private nextPipeIno = 1;
  private memfdMount: Mount | null = null;
  /** The last memfd creation (see `memfd`). */
  private memfdTurn: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: VfsOptions) {
    this.devices.blockOpener = (device, flags, dentry) => new BlockDeviceFile(flags, dentry, device);
  }

  // ---- mounts -------------------------------------------------------------------------------------------

  /** Mounts the root filesystem; the first mount. */
  mountRoot(fs: FileSystem, info: MountInfo): Mount {
    return this.mounts.mount(fs, info, null);
  }

  /** Mounts `fs` over the directory `path` names (followed through symlinks). Root only. */
  mount(
    ctx: PathContext,
    at: OpenFile | null,
    path: string,
    fs: FileSystem,
    info: MountInfo,
  ): MaybePromise<Mount> {
    return guarded(async () => {
      if (fsUid(ctx.cred) !== 0) throw fsError(EPERM, 'mount');
      const target = await this.target(ctx, at, path, 0);
      if (!target.dentry.isDir) throw fsError(ENOTDIR, 'mount');
      return this.mounts.mount(fs, info, target.dentry);
    });
  }

  /**
   * umount: `path` must name the root of a mount (EINVAL otherwise); EBUSY while files are open on it or
   * other mounts sit on it. (Whether a task's cwd or root is inside is for the caller to check.)
   */
  umount(ctx: PathContext, at: OpenFile | null, path: string): MaybePromise<void> {
    return guarded(async () => {
      if (fsUid(ctx.cred) !== 0) throw fsError(EPERM, 'umount');
      const { dentry } = await this.target(ctx, at, path, 0);
      const mount = dentry.mount;
      if (dentry.parent || !mount.mountpoint) throw fsError(EINVAL, 'not a mount point');
      if (mount.openRefs.size > 0) throw fsError(EBUSY, 'files open on the mount');
      this.mounts.umount(mount);
      await mount.fs.unmount();
    });
  }

  /**
   * The host's event loop turned: names of host filesystems may have changed outside kmOS since the last
   * turn, so their name caches are forgotten (dentry-cache.ts explains why a turn is the right moment).
   */
  newHostEpoch(): void {
    for (const m of this.mounts.mounts) if (m.names?.policy === 'host') m.names.invalidate();
  }

  /** The root of the namespace (init's root and cwd). */
  /** The guest's wall clock, as file times are stamped with it (hostfs takes it too). */
  get clock(): () => Timespec {
    return this.options.clock;
  }

  get root(): Dentry {
    const root = this.mounts.rootMount;
    if (!root) throw new Error('VFS used before the root was mounted');
    return root.root;
  }

  /** A PathContext at the namespace root, for init and kernel threads. */
  rootContext(cred: Credentials, umask = 0o022): PathContext {
    return { cred, root: this.root, cwd: this.root, umask };
  }

  // ---- files ----------------------------------------------------------------------------------------------

  open(ctx: PathContext, at: OpenFile | null, path: string, flags: number, mode = 0): MaybePromise<OpenFile> {
    return guarded(() => drive(openPath(this, ctx, at, path, flags, mode)));
  }

  /**
   * execve's open: the file must be regular, executable for the effective ids (root needs some x bit), on
   * a mount without noexec; read permission is not needed (the kernel reads the image itself). EACCES else.
   * Its attributes come along: the walk has just asked for them (exec needs the size, later the set-id bits).
   * `flags` (execveat's) may hold AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW (a final symlink is then ELOOP).
   */
  openExec(
    ctx: PathContext,
    at: OpenFile | null,
    path: string,
    flags = 0,
  ): MaybePromise<{ file: OpenFile; attr: FsAttr }> {
    return guarded(() =>
      after(this.target(ctx, at, path, flags), (target) => {
        if (flags & AT_SYMLINK_NOFOLLOW && isLnk(target.attr.mode))
          throw fsError(ELOOP, 'execveat of a symlink');
        if (!isReg(target.attr.mode)) throw fsError(EACCES, 'exec of a non-regular file');
        if (!mayAccess(ctx.cred, target.attr, MAY_EXEC, false)) throw fsError(EACCES, 'exec permission');
        if (target.dentry.mount.info.options?.split(',').includes('noexec'))
          throw fsError(EACCES, 'noexec mount');
        return { file: new RegularFile(O_RDONLY, target.dentry), attr: target.attr };
      }),
    );
  }

  /** pipe2(): [read end, write end]. `flags` may hold O_NONBLOCK (O_CLOEXEC is the fd table's business). */
  pipe(cred: Credentials, flags = 0): [OpenFile, OpenFile] {
    if (flags & ~(O_NONBLOCK | O_CLOEXEC | O_DIRECT)) throw fsError(EINVAL, 'pipe2 flags');
    const pipe = new Pipe(this.requirePipeMemory());
    const id = {
      dev: this.pipefsDev,
      ino: this.nextPipeIno++,
      uid: fsUid(cred),
      gid: cred.fsgid ?? cred.egid,
      time: this.options.clock(),
    };
    const nonblock = flags & O_NONBLOCK;
    return [
      new PipeFile(O_RDONLY | nonblock, pipe, null, id),
      new PipeFile(O_WRONLY | nonblock, pipe, null, id),
    ];
  }

  /**
   * memfd_create: a new regular file that no directory names, open for reading and writing, mode 0777 (no
   * umask, as in Linux), owned by the caller's fs ids. It lives on a tmpfs mounted nowhere (Linux's internal
   * shm mount), created there as "memfd:<name>" and unlinked at once, so /proc shows "/memfd:<name> (deleted)".
   * A "/" in `name`, which no file name can hold, shows as "_". Creations take turns, so two memfds of one
   * name never meet there.
   */
  memfd(cred: Credentials, name: string): Promise<OpenFile> {
    this.memfdMount ??= this.mounts.detached(new Tmpfs({ clock: this.options.clock, rootMode: 0o1777 }), {
      fsType: 'tmpfs',
      source: 'memfd',
      readOnly: false,
    });
    const mount = this.memfdMount;
    const create = async () => {
      const ctx: PathContext = { cred, root: mount.root, cwd: mount.root, umask: 0 };
      const path = `/memfd:${name.replaceAll('/', '_')}`;
      const file = await this.open(ctx, null, path, O_RDWR | O_CREAT | O_EXCL | O_LARGEFILE, 0o777);
      try {
        await this.unlink(ctx, null, path);
      } catch (error) {
        await file.close();
        throw error;
      }
      return file;
    };
    const made = this.memfdTurn.then(create);
    this.memfdTurn = made.catch(() => {});
    return made;
  }

  /** The pipe behind a FIFO inode; all opens of the inode share it. */
  fifoFor(dentry: Dentry): Pipe {
    const key = `${dentry.mount.id}:${dentry.ino}`;
    let pipe = this.fifos.get(key);
    if (!pipe) {
      pipe = new Pipe(this.requirePipeMemory());
      this.fifos.set(key, pipe);
    }
    return pipe;
  }

  // ---- attributes ----------------------------------------------------------------------------------------

  /** stat64/fstatat64/statx: `flags` may hold AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH (others ignored). */
  stat(ctx: PathContext, at: OpenFile | null, path: string, flags = 0): MaybePromise<Stat> {
    return guarded(() => drive(attr.stat(this.mounts, ctx, at, path, flags)));
  }

  lstat(ctx: PathContext, path: string): MaybePromise<Stat> {
    return this.stat(ctx, null, path, AT_SYMLINK_NOFOLLOW);
  }

  readlink(ctx: PathContext, at: OpenFile | null, path: string): MaybePromise<string> {
    return guarded(() => drive(attr.readlink(this.mounts, ctx, at, path)));
  }

  access(ctx: PathContext, at: OpenFile | null, path: string, mode: number, flags = 0): MaybePromise<void> {
    return guarded(() => drive(attr.access(this.mounts, ctx, at, path, mode, flags)));
  }

  chmod(ctx: PathContext, at: OpenFile | null, path: string, mode: number, flags = 0): MaybePromise<void> {
    return guarded(async () => attr.chmodInode(ctx.cred, await this.target(ctx, at, path, flags), mode));
  }

  fchmod(cred: Credentials, file: OpenFile, mode: number): MaybePromise<void> {
    return guarded(async () => attr.chmodInode(cred, await this.fileTarget(file), mode));
  }

  chown(
    ctx: PathContext,
    at: OpenFile | null,
    path: string,
    uid: number,
    gid: number,
    flags = 0,
  ): MaybePromise<void> {
    return guarded(async () => attr.chownInode(ctx.cred, await this.target(ctx, at, path, flags), uid, gid));
  }

  fchown(cred: Credentials, file: OpenFile, uid: number, gid: number): MaybePromise<void> {
    return guarded(async () => attr.chownInode(cred, await this.fileTarget(file), uid, gid));
  }

  truncate(ctx: PathContext, at: OpenFile | null, path: string, length: number): MaybePromise<void> {
    return guarded(async () => {
      if (length < 0) throw fsError(EINVAL, 'negative length');
      await attr.truncateInode(ctx.cred, await this.target(ctx, at, path, 0), length);
    });
  }

  /** ftruncate: the file must be open for writing (else EINVAL, as Linux) and regular. */
  ftruncate(file: OpenFile, length: number): MaybePromise<void> {
    return guarded(async () => {
      const target = await this.fileTarget(file);
      if (!file.writable || !isReg(target.attr.mode) || length < 0) throw fsError(EINVAL);
      await attr.setSize(target.dentry, length);
      notifyFile(target.dentry, IN_MODIFY);
    });
  }

  /** utimensat: each time is a Timespec, 'now' (UTIME_NOW) or 'omit' (UTIME_OMIT). */
  utimens(
    ctx: PathContext,
    at: OpenFile | null,
    path: string,
    atime: attr.TimeSpec,
    mtime: attr.TimeSpec,
    flags = 0,
  ): MaybePromise<void> {
    return guarded(async () => {
      const target = await this.target(ctx, at, path, flags);
      await attr.utimensInode(ctx.cred, target, atime, mtime, this.options.clock());
    });
  }

  // ---- names --------------------------------------------------------------------------------------------

  mkdir(ctx: PathContext, at: OpenFile | null, path: string, mode: number): MaybePromise<void> {
    return guarded(() => ns.mkdir(this.mounts, ctx, at, path, mode));
  }

  mknod(ctx: PathContext, at: OpenFile | null, path: string, mode: number, rdev = 0): MaybePromise<void> {
    return guarded(() => ns.mknod(this.mounts, ctx, at, path, mode, rdev));
  }

  symlink(ctx: PathContext, target: string, at: OpenFile | null, path: string): MaybePromise<void> {
    return guarded(() => ns.symlink(this.mounts, ctx, target, at, path));
  }

  /** linkat: `flags` may hold AT_SYMLINK_FOLLOW and AT_EMPTY_PATH. */
  link(
    ctx: PathContext,
    oldAt: OpenFile | null,
    oldPath: string,
    newAt: OpenFile | null,
    newPath: string,
    flags = 0,
  ) {
    return guarded(() => ns.link(this.mounts, ctx, oldAt, oldPath, newAt, newPath, flags));
  }

  unlink(ctx: PathContext, at: OpenFile | null, path: string): MaybePromise<void> {
    return guarded(() => ns.unlink(this.mounts, ctx, at, path));
  }

  rmdir(ctx: PathContext, at: OpenFile | null, path: string): MaybePromise<void> {
    return guarded(() => ns.rmdir(this.mounts, ctx, at, path));
  }

  /** renameat2: `flags` may hold RENAME_NOREPLACE or RENAME_EXCHANGE. */
  rename(
    ctx: PathContext,
    oldAt: OpenFile | null,
    oldPath: string,
    newAt: OpenFile | null,
    newPath: string,
    flags = 0,
  ) {
    return guarded(() => ns.rename(this.mounts, ctx, oldAt, oldPath, newAt, newPath, flags));
  }

  // ---- where a task is ----------------------------------------------------------------------------------

  /** chdir: the new cwd (the caller stores it in the task). */
  chdir(ctx: PathContext, at: OpenFile | null, path: string): MaybePromise<Dentry> {
    return guarded(() =>
      after(drive(new PathWalk(this.mounts, ctx).resolve(baseOf(ctx, at, path), path, true)), (target) =>
        this.searchableDir(ctx.cred, target.dentry, target.attr),
      ),
    );
  }

  fchdir(cred: Credentials, file: OpenFile): MaybePromise<Dentry> {
    return guarded(async () => {
      const target = await this.fileTarget(file);
      return this.searchableDir(cred, target.dentry, target.attr);
    });
  }

  /** getcwd: the cwd as a path from the task's root; ENOENT once the cwd was removed. */
  getcwd(ctx: PathContext): string {
    if (ctx.cwd.deleted) throw fsError(ENOENT, 'cwd was removed');
    const path = this.mounts.pathOf(ctx.cwd, ctx.root);
    if (path === null) throw fsError(ENOENT, 'cwd was removed');
    if (!this.mounts.isBelow(ctx.cwd, ctx.root)) return `(unreachable)${path}`;
    return path;
  }

  statfs(ctx: PathContext, at: OpenFile | null, path: string): MaybePromise<StatfsResult> {
    return guarded(async () => this.statfsOf((await this.target(ctx, at, path, 0)).dentry.mount));
  }

  fstatfs(file: OpenFile): MaybePromise<StatfsResult> {
    return guarded(async () => this.statfsOf((await this.fileTarget(file)).dentry.mount));
  }

  // ---- helpers --------------------------------------------------------------------------------------------

  private target(ctx: PathContext, at: OpenFile | null, path: string, flags: number) {
    return drive(attr.resolveTarget(this.mounts, ctx, at, path, flags));
  }

  /** The inode a path names (for inotify_add_watch); `flags` may hold AT_SYMLINK_NOFOLLOW. */
  resolve(ctx: PathContext, path: string, flags: number): MaybePromise<Resolved> {
    return guarded(() => this.target(ctx, null, path, flags));
  }

  private async fileTarget(file: OpenFile) {
    if (!file.dentry) throw fsError(EINVAL, 'no inode behind this file');
    return { dentry: file.dentry, attr: await file.dentry.mount.fs.getattr(file.dentry.ino) };
  }

  private searchableDir(cred: Credentials, dentry: Dentry, a: FsAttr): Dentry {
    if (!dentry.isDir) throw fsError(ENOTDIR);
    maySearch(cred, a);
    return dentry;
  }

  private async statfsOf(mount: Mount): Promise<StatfsResult> {
    const s = await mount.fs.statfs();
    return { ...s, fsid: mount.dev, readOnly: mount.readOnly };
  }

  private requirePipeMemory(): PipeMemory {
    if (!this.options.pipeMemory) throw fsError(ENFILE, 'no memory for pipes');
    return this.options.pipeMemory;
  }
}
