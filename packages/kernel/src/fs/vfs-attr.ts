/**
 * The VFS operations on an inode's attributes, by path or by open file: chmod, chown, truncate, utimens,
 * access and readlink. Ownership rules as Linux applies them without capabilities beyond root's: only the
 * owner or root may chmod or set explicit times, only root may give a file away, the owner may change the
 * group to one of its own; chmod by a non-member drops setgid; chown clears setuid (and setgid when the group
 * may execute). Layer: kernel VFS; vfs.ts exposes these as methods.
 */
import type { FsAttr, FsAttrChanges, MaybePromise, Timespec } from '@kmos/abi-driver';
import {
  AT_EACCESS,
  AT_EMPTY_PATH,
  AT_SYMLINK_NOFOLLOW,
  EACCES,
  EINVAL,
  EISDIR,
  ENOENT,
  EOPNOTSUPP,
  EPERM,
  EROFS,
  IN_ATTRIB,
  IN_MODIFY,
  S_ISGID,
  S_ISUID,
  S_IXGRP,
} from '@kmos/abi-linux';
import { type Steps, wait } from '../maybe-sync.js';
import {
  type Credentials,
  fsUid,
  inGroup,
  isOwnerOrRoot,
  MAY_EXEC,
  MAY_READ,
  MAY_WRITE,
  mayAccess,
} from './credentials.js';
import type { Dentry } from './dentry.js';
import { isDir, isLnk, isReg, MODE_PERMISSION_MASK } from './file-type.js';
import { fsError } from './fs-error.js';
import { notifyFile } from './fsnotify.js';
import type { MountTable } from './mount-table.js';
import { type OpenFile, type Stat, statOf } from './open-file.js';
import { type PathContext, PathWalk, type Resolved } from './path-walk.js';
import { baseOf, changing, checkWritable } from './vfs-common.js';

/** The -1 of chown: leave this id as it is. */
const ID_UNCHANGED = 0xffffffff;

/** Resolves a path for an attribute call; `path === ''` with AT_EMPTY_PATH means the file `at` itself. */
export function* resolveTarget(
  mounts: MountTable,
  ctx: PathContext,
  at: OpenFile | null,
  path: string,
  flags: number,
): Steps<Resolved & { readonly pathless: OpenFile | null }> {
  const walk = new PathWalk(mounts, ctx);
  if (path === '' && flags & AT_EMPTY_PATH) {
    const dentry = at ? at.dentry : ctx.cwd;
    if (!dentry) throw fsError(ENOENT, 'no inode behind this file');
    return { dentry, attr: yield* walk.getattr(dentry), pathless: null };
  }
  const found = yield* walk.resolve(baseOf(ctx, at, path), path, !(flags & AT_SYMLINK_NOFOLLOW));
  // A magic link to a pipe ends the walk at the link; `pathless` is the file it leads to (stat shows it).
  // (Spelled out: a spread of `found` took V8's slow path, ~0.5 us of each stat.)
  return { dentry: found.dentry, attr: found.attr, pathless: walk.pathlessFinal };
}

export async function chmodInode(cred: Credentials, target: Resolved, mode: number): Promise<void> {
  const { dentry, attr } = target;
  if (isLnk(attr.mode)) throw fsError(EOPNOTSUPP, 'chmod of a symlink');
  checkWritable(dentry.mount);
  if (!isOwnerOrRoot(cred, attr.uid)) throw fsError(EPERM, 'chmod: not the owner');
  let bits = mode & MODE_PERMISSION_MASK;
  if (fsUid(cred) !== 0 && !inGroup(cred, attr.gid)) bits &= ~S_ISGID;
  await changing(dentry.mount, () => dentry.mount.fs.setattr(dentry.ino, { mode: bits }));
  notifyFile(dentry, IN_ATTRIB);
}

function normalizeId(id: number): number | undefined {
  return id === -1 || id === ID_UNCHANGED ? undefined : id >>> 0;
}

export async function chownInode(
  cred: Credentials,
  target: Resolved,
  uid: number,
  gid: number,
): Promise<void> {
  const { dentry, attr } = target;
  checkWritable(dentry.mount);
  const newUid = normalizeId(uid);
  const newGid = normalizeId(gid);
  if (fsUid(cred) !== 0) {
    // Without CAP_CHOWN only the owner may name ids at all: its own uid, and the file's group or one of its own.
    const owner = fsUid(cred) === attr.uid;
    if (newUid !== undefined && !(owner && newUid === attr.uid)) throw fsError(EPERM, 'chown: not root');
    if (newGid !== undefined && !(owner && (newGid === attr.gid || inGroup(cred, newGid))))
      throw fsError(EPERM);
  }
  const changes: { -readonly [K in keyof FsAttrChanges]: FsAttrChanges[K] } = {};
  if (newUid !== undefined) changes.uid = newUid;
  if (newGid !== undefined) changes.gid = newGid;
  const killed = killSuid(attr);
  if ((killed & MODE_PERMISSION_MASK) !== (attr.mode & MODE_PERMISSION_MASK)) {
    // Clearing set-id bits is a mode change, which only the owner (or root) may make: Linux's notify_change
    // turns ATTR_KILL_SUID into ATTR_MODE, so even chown(-1, -1) of a set-uid file is EPERM for anyone else.
    if (fsUid(cred) !== 0 && fsUid(cred) !== attr.uid) throw fsError(EPERM, 'chown: would change the mode');
    changes.mode = killed;
  }
  await changing(dentry.mount, () => dentry.mount.fs.setattr(dentry.ino, changes));
  notifyFile(dentry, IN_ATTRIB);
}

/** chown drops setuid, and setgid when the group may execute (else setgid means mandatory locking). */
function killSuid(attr: FsAttr): number {
  if (isDir(attr.mode)) return attr.mode;
  let mode = attr.mode & ~S_ISUID;
  if (mode & S_IXGRP) mode &= ~S_ISGID;
  return mode & MODE_PERMISSION_MASK;
}

export async function truncateInode(cred: Credentials, target: Resolved, length: number): Promise<void> {
  const { dentry, attr } = target;
  if (length < 0) throw fsError(EINVAL, 'negative length');
  if (isDir(attr.mode)) throw fsError(EISDIR);
  if (!isReg(attr.mode)) throw fsError(EINVAL);
  checkWritable(dentry.mount);
  if (!mayAccess(cred, attr, MAY_WRITE, false)) throw fsError(EACCES, 'truncate');
  await setSize(dentry, length);
  notifyFile(dentry, IN_MODIFY);
}

export function setSize(dentry: Dentry, length: number): MaybePromise<FsAttr> {
  return changing(dentry.mount, () => dentry.mount.fs.setattr(dentry.ino, { sizeBytes: length }));
}

export type TimeSpec = Timespec | 'now' | 'omit';

export async function utimensInode(
  cred: Credentials,
  target: Resolved,
  atime: TimeSpec,
  mtime: TimeSpec,
  now: Timespec,
): Promise<void> {
  const { dentry, attr } = target;
  if (atime === 'omit' && mtime === 'omit') return;
  checkWritable(dentry.mount);
  const explicit = typeof atime === 'object' || typeof mtime === 'object';
  if (!isOwnerOrRoot(cred, attr.uid)) {
    if (explicit) throw fsError(EPERM, 'utimens: explicit times need the owner');
    if (!mayAccess(cred, attr, MAY_WRITE, false)) throw fsError(EACCES, 'utimens');
  }
  const pick = (t: TimeSpec): Timespec | undefined => (t === 'omit' ? undefined : t === 'now' ? now : t);
  await changing(dentry.mount, () =>
    dentry.mount.fs.setattr(dentry.ino, { atime: pick(atime), mtime: pick(mtime) }),
  );
  notifyFile(dentry, IN_ATTRIB);
}

/** stat64/fstatat64/statx: `flags` may hold AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH (others ignored). */
export function* stat(
  mounts: MountTable,
  ctx: PathContext,
  at: OpenFile | null,
  path: string,
  flags: number,
): Steps<Stat> {
  if (path === '' && flags & AT_EMPTY_PATH && at) return yield* wait(at.fstat());
  const target = yield* resolveTarget(mounts, ctx, at, path, flags & (AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
  if (target.pathless) return yield* wait(target.pathless.fstat());
  return statOf(target.attr, target.dentry.mount.dev);
}

/** access(2)/faccessat2: `mode` is F_OK (0) or R_OK|W_OK|X_OK; the real ids unless AT_EACCESS. */
export function* access(
  mounts: MountTable,
  ctx: PathContext,
  at: OpenFile | null,
  path: string,
  mode: number,
  flags: number,
): Steps<void> {
  if (mode & ~(MAY_READ | MAY_WRITE | MAY_EXEC)) throw fsError(EINVAL, 'access mode');
  if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) throw fsError(EINVAL, 'access flags');
  const cred = flags & AT_EACCESS ? ctx.cred : { ...ctx.cred, fsuid: ctx.cred.uid, fsgid: ctx.cred.gid };
  const target = yield* resolveTarget(mounts, { ...ctx, cred }, at, path, flags);
  if (mode === 0) return;
  const { attr, dentry } = target;
  if (!mayAccess(cred, attr, mode, isDir(attr.mode))) throw fsError(EACCES);
  if (
    mode & MAY_WRITE &&
    dentry.mount.readOnly &&
    (isReg(attr.mode) || isDir(attr.mode) || isLnk(attr.mode))
  ) {
    throw fsError(EROFS);
  }
}

export function* readlink(
  mounts: MountTable,
  ctx: PathContext,
  at: OpenFile | null,
  path: string,
): Steps<string> {
  const target = yield* resolveTarget(
    mounts,
    ctx,
    at,
    path,
    path === '' ? AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW : AT_SYMLINK_NOFOLLOW,
  );
  if (!isLnk(target.attr.mode)) throw fsError(path === '' ? ENOENT : EINVAL, 'not a symlink');
  return yield* wait(target.dentry.mount.fs.readlink(target.dentry.ino));
}
