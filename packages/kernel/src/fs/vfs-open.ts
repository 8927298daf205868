/**
 * open(2)/openat(2): the walk (with O_CREAT's dance through a dangling final symlink), the checks Linux's
 * may_open makes, O_TRUNC, and the choice of OpenFile by inode type: regular file, directory, FIFO (a pipe
 * shared by all opens of the inode), device (through the device switch). O_PATH opens only a handle.
 * Layer: kernel VFS; vfs.ts calls `openPath`.
 */
import {
  EACCES,
  EEXIST,
  EINVAL,
  EISDIR,
  ELOOP,
  ENOTDIR,
  ENXIO,
  EOPNOTSUPP,
  EOVERFLOW,
  IN_CREATE,
  IN_MODIFY,
  IN_OPEN,
  O_ACCMODE,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_LARGEFILE,
  O_NOCTTY,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_PATH,
  O_RDONLY,
  O_RDWR,
  O_TMPFILE,
  O_TRUNC,
  O_WRONLY,
  S_IFREG,
} from '@kmos/abi-linux';
import { type Steps, wait } from '../maybe-sync.js';
import { MAY_READ, MAY_WRITE, mayAccess } from './credentials.js';
import type { Dentry } from './dentry.js';
import type { DeviceSwitch } from './device-switch.js';
import { DirectoryFile } from './directory-file.js';
import { isBlk, isChr, isDir, isFifo, isLnk, isReg, MODE_PERMISSION_MASK } from './file-type.js';
import { fsError } from './fs-error.js';
import { notifyEntry, notifyFile } from './fsnotify.js';
import { RegularFile } from './inode-file.js';
import type { MountTable } from './mount-table.js';
import { OpenFile } from './open-file.js';
import { type ParentResolved, type PathContext, PathWalk, type Resolved } from './path-walk.js';
import { checkFifoWriterOpen, type Pipe, PipeFile } from './pipe.js';
import { setSize } from './vfs-attr.js';
import { baseOf, changing, checkWritable, mayCreate, newOwner } from './vfs-common.js';

/** Flags that act at open only: the description does not keep them (F_GETFL does not show them). */
/** The largest file a program without O_LARGEFILE may open (MAX_NON_LFS). */
const MAX_NON_LFS = 0x7fffffff;
const OPEN_ONLY_FLAGS = O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC;

/** What open needs from the Vfs besides the mount table. */
export interface OpenServices {
  readonly mounts: MountTable;
  readonly devices: DeviceSwitch;
  fifoFor(dentry: Dentry): Pipe;
}

export function* openPath(
  svc: OpenServices,
  ctx: PathContext,
  at: OpenFile | null,
  path: string,
  flags: number,
  mode: number,
): Steps<OpenFile> {
  if ((flags & O_TMPFILE) === O_TMPFILE) throw fsError(EOPNOTSUPP, 'O_TMPFILE');
  // Linux 6.4 on refuses the meaningless O_CREAT | O_DIRECTORY (it used to create a regular file).
  if (flags & O_CREAT && flags & O_DIRECTORY) throw fsError(EINVAL, 'O_CREAT with O_DIRECTORY');
  const walk = new PathWalk(svc.mounts, ctx);
  const base = baseOf(ctx, at, path);
  let target: Resolved;
  let created = false;
  if (flags & O_CREAT && !(flags & O_PATH)) {
    ({ target, created } = yield* openCreate(walk, ctx, base, path, flags, mode));
  } else {
    target = yield* walk.resolve(base, path, !(flags & O_NOFOLLOW));
  }
  if (flags & O_PATH) return openHandle(target, flags);
  if (walk.pathlessFinal) return reopenPathless(walk.pathlessFinal, flags & ~OPEN_ONLY_FLAGS);
  mayOpen(ctx, target, flags, created);
  // generic_file_open: a file a 32-bit off_t cannot reach the end of needs O_LARGEFILE (checked before
  // O_TRUNC could lose it).
  if (isReg(target.attr.mode) && !(flags & O_LARGEFILE) && target.attr.sizeBytes > MAX_NON_LFS)
    throw fsError(EOVERFLOW, 'a file over 2 GiB without O_LARGEFILE');
  const truncate = flags & O_TRUNC && isReg(target.attr.mode) && !created;
  if (truncate) yield* wait(setSize(target.dentry, 0));
  const file = openByType(svc, target, flags & ~OPEN_ONLY_FLAGS);
  // The open is reported before the truncation it did (a 6.18 host reports them so).
  notifyFile(target.dentry, IN_OPEN);
  if (truncate) notifyFile(target.dentry, IN_MODIFY);
  return file;
}

/** O_CREAT: walks to the parent, follows a final symlink (unless O_EXCL/O_NOFOLLOW), creates when absent. */
function* openCreate(
  walk: PathWalk,
  ctx: PathContext,
  base: Dentry,
  path: string,
  flags: number,
  mode: number,
): Steps<{ target: Resolved; created: boolean }> {
  let p: ParentResolved = yield* walk.resolveParent(base, path);
  for (;;) {
    // `.`, `..` and `/` name existing directories; a trailing slash on a normal name is EISDIR at once.
    if (p.last !== 'normal') throw fsError(flags & O_EXCL ? EEXIST : EISDIR, 'O_CREAT on a directory');
    if (p.trailingSlash) throw fsError(EISDIR, 'O_CREAT with a trailing slash');
    const found = yield* walk.lookup(p.dir, p.name);
    if (!found) return { target: yield* createFile(ctx, p, mode), created: true };
    if (flags & O_EXCL) throw fsError(EEXIST, p.name);
    if (!isLnk(found.attr.mode) || flags & O_NOFOLLOW) return { target: found, created: false };
    const magic = yield* walk.throughMagicLink(found);
    if (magic instanceof OpenFile) {
      walk.pathlessFinal = magic;
      return { target: found, created: false };
    }
    if (magic !== null) return { target: magic, created: false };
    const link = yield* walk.readLinkCounted(found);
    p = yield* walk.resolveParent(link.startsWith('/') ? ctx.root : p.dir, link);
  }
}

function* createFile(ctx: PathContext, p: ParentResolved, mode: number): Steps<Resolved> {
  checkWritable(p.dir.mount);
  mayCreate(ctx.cred, p.dirAttr);
  const owner = newOwner(ctx.cred, p.dirAttr, mode & ~ctx.umask & MODE_PERMISSION_MASK, false);
  const attr = yield* wait(
    changing(p.dir.mount, () =>
      p.dir.mount.fs.mknod(p.dir.ino, p.name, S_IFREG | owner.mode, owner.uid, owner.gid, 0),
    ),
  );
  notifyEntry(p.dir, p.name, IN_CREATE, false);
  return { dentry: p.dir.child(p.name, attr.ino, false), attr };
}

/** may_open: the access mode against the type and permission bits, O_DIRECTORY, read-only mounts. */
function mayOpen(ctx: PathContext, target: Resolved, flags: number, created: boolean): void {
  const { attr, dentry } = target;
  if (flags & O_DIRECTORY && !isDir(attr.mode)) throw fsError(ENOTDIR);
  if (isLnk(attr.mode)) throw fsError(ELOOP, 'O_NOFOLLOW on a symlink');
  const acc = accessMask(flags);
  if (isDir(attr.mode) && (acc & MAY_WRITE || flags & O_CREAT)) throw fsError(EISDIR);
  if (created) return;
  if (!mayAccess(ctx.cred, attr, acc, isDir(attr.mode))) throw fsError(EACCES, 'open');
  if (acc & MAY_WRITE && (isReg(attr.mode) || isDir(attr.mode))) checkWritable(dentry.mount);
}

function accessMask(flags: number): number {
  const mode = flags & O_ACCMODE;
  let acc = 0;
  if (mode === O_RDONLY || mode === O_RDWR) acc |= MAY_READ;
  if (mode === O_WRONLY || mode === O_RDWR) acc |= MAY_WRITE;
  if (flags & O_TRUNC) acc |= MAY_WRITE;
  return acc;
}

function openHandle(target: Resolved, flags: number): OpenFile {
  if (flags & O_DIRECTORY && !isDir(target.attr.mode)) throw fsError(ENOTDIR);
  return new RegularFile((flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW)) | O_RDONLY, target.dentry);
}

function openByType(svc: OpenServices, target: Resolved, flags: number): OpenFile {
  const { attr, dentry } = target;
  if (isReg(attr.mode)) return new RegularFile(flags, dentry);
  if (isDir(attr.mode)) return new DirectoryFile(flags, dentry);
  if (isFifo(attr.mode)) return openFifo(svc.fifoFor(dentry), flags, dentry);
  if (isChr(attr.mode)) return svc.devices.openChar(attr.rdev, flags, dentry);
  if (isBlk(attr.mode)) return svc.devices.openBlock(attr.rdev, flags, dentry);
  throw fsError(ENXIO, 'socket or unknown type');
}

/**
 * open of /proc/<pid>/fd/N for a file without a path: a new open file description of the same object, as
 * Linux's magic links give (bash's process substitution opens a pipe as /dev/fd/63). Only pipes can be
 * reopened so; other pathless files (eventfd, epoll) are ENXIO, as Linux says of sockets.
 */
function reopenPathless(file: OpenFile, flags: number): OpenFile {
  if (!(file instanceof PipeFile)) throw fsError(ENXIO, 'reopen of a file without a path');
  return file.reopen(flags);
}

function openFifo(pipe: Pipe, flags: number, dentry: Dentry): OpenFile {
  checkFifoWriterOpen(pipe, (flags & O_ACCMODE) === O_WRONLY, (flags & O_NONBLOCK) !== 0);
  return new PipeFile(flags, pipe, dentry, null);
}
