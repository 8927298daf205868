/**
 * The VFS operations that change names: mkdir, mknod, symlink, link, unlink, rmdir, rename. Each walks to
 * the parent directory, checks what Linux checks in the order Linux checks it (so errno matches when several
 * things are wrong), calls the filesystem, and keeps the dentry cache in step. Layer: kernel VFS; vfs.ts
 * exposes these as methods.
 */
import { RENAME_EXCHANGE, RENAME_NOREPLACE } from '@kmos/abi-driver';
import {
  AT_EMPTY_PATH,
  AT_SYMLINK_FOLLOW,
  EACCES,
  EBUSY,
  EEXIST,
  EINVAL,
  EISDIR,
  ENOENT,
  ENOTDIR,
  ENOTEMPTY,
  EPERM,
  EXDEV,
  IN_ATTRIB,
  IN_CREATE,
  IN_DELETE,
  IN_DELETE_SELF,
  IN_MOVE_SELF,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  S_IFBLK,
  S_IFCHR,
  S_IFIFO,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
  S_ISGID,
  S_ISUID,
  S_IXGRP,
} from '@kmos/abi-linux';
import { drive } from '../maybe-sync.js';
import { fsUid, MAY_READ, MAY_WRITE, mayAccess } from './credentials.js';
import type { Dentry } from './dentry.js';
import { isDir, isReg, MODE_PERMISSION_MASK } from './file-type.js';
import { fsError } from './fs-error.js';
import { notifyEntry, notifyInode, renameCookie } from './fsnotify.js';
import type { MountTable } from './mount-table.js';
import type { OpenFile } from './open-file.js';
import { type ParentResolved, type PathContext, PathWalk, type Resolved } from './path-walk.js';
import {
  baseOf,
  changing,
  checkWritable,
  mayCreate,
  mayDelete,
  newOwner,
  notMountPoint,
  releaseIfUnused,
} from './vfs-common.js';

/** Walks to the parent of a name to create; EEXIST when it exists, ENOENT for a trailing slash on a file. */
async function createTarget(
  walk: PathWalk,
  ctx: PathContext,
  at: OpenFile | null,
  path: string,
  dirOk: boolean,
) {
  const p = await drive(walk.resolveParent(baseOf(ctx, at, path), path));
  if (p.last !== 'normal') throw fsError(EEXIST);
  if (await drive(walk.lookup(p.dir, p.name))) throw fsError(EEXIST, p.name);
  if (p.trailingSlash && !dirOk) throw fsError(ENOENT, 'trailing slash');
  checkWritable(p.dir.mount);
  mayCreate(ctx.cred, p.dirAttr);
  return p;
}

export async function mkdir(
  mounts: MountTable,
  ctx: PathContext,
  at: OpenFile | null,
  path: string,
  mode: number,
) {
  const walk = new PathWalk(mounts, ctx);
  const p = await createTarget(walk, ctx, at, path, true);
  const owner = newOwner(ctx.cred, p.dirAttr, mode & ~ctx.umask & MKDIR_MODE_MASK, true);
  await changing(p.dir.mount, () =>
    p.dir.mount.fs.mkdir(p.dir.ino, p.name, owner.mode, owner.uid, owner.gid),
  );
  notifyEntry(p.dir, p.name, IN_CREATE, true);
}

/** mkdir keeps the sticky bit but not setuid/setgid (setgid comes only from the parent). */
const MKDIR_MODE_MASK = 0o1777;

const MKNOD_TYPES = new Set([S_IFREG, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK]);

export async function mknod(
  mounts: MountTable,
  ctx: PathContext,
  at: OpenFile | null,
  path: string,
  mode: number,
  rdev: number,
) {
  const type = mode & S_IFMT || S_IFREG;
  if (!MKNOD_TYPES.has(type)) throw fsError(isDir(type) ? EPERM : EINVAL, 'mknod type');
  if ((type === S_IFCHR || type === S_IFBLK) && fsUid(ctx.cred) !== 0) throw fsError(EPERM, 'mknod device');
  const walk = new PathWalk(mounts, ctx);
  const p = await createTarget(walk, ctx, at, path, false);
  const owner = newOwner(ctx.cred, p.dirAttr, mode & ~ctx.umask & MODE_PERMISSION_MASK, false);
  const keepRdev = type === S_IFCHR || type === S_IFBLK ? rdev : 0;
  await changing(p.dir.mount, () =>
    p.dir.mount.fs.mknod(p.dir.ino, p.name, type | owner.mode, owner.uid, owner.gid, keepRdev),
  );
  notifyEntry(p.dir, p.name, IN_CREATE, false);
}

export async function symlink(
  mounts: MountTable,
  ctx: PathContext,
  target: string,
  at: OpenFile | null,
  path: string,
) {
  if (target.length === 0) throw fsError(ENOENT, 'empty symlink target');
  const walk = new PathWalk(mounts, ctx);
  const p = await createTarget(walk, ctx, at, path, false);
  const owner = newOwner(ctx.cred, p.dirAttr, 0, false);
  await changing(p.dir.mount, () => p.dir.mount.fs.symlink(p.dir.ino, p.name, target, owner.uid, owner.gid));
  notifyEntry(p.dir, p.name, IN_CREATE, false);
}

export async function link(
  mounts: MountTable,
  ctx: PathContext,
  oldAt: OpenFile | null,
  oldPath: string,
  newAt: OpenFile | null,
  newPath: string,
  flags: number,
) {
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) throw fsError(EINVAL, 'linkat flags');
  const walk = new PathWalk(mounts, ctx);
  const old = await resolveOld(walk, ctx, oldAt, oldPath, flags);
  const p = await drive(walk.resolveParent(baseOf(ctx, newAt, newPath), newPath));
  if (p.last !== 'normal') throw fsError(EEXIST);
  if (await drive(walk.lookup(p.dir, p.name))) throw fsError(EEXIST, p.name);
  if (p.trailingSlash) throw fsError(ENOENT, 'trailing slash');
  if (old.dentry.mount !== p.dir.mount) throw fsError(EXDEV);
  checkWritable(p.dir.mount);
  mayLinkProtected(ctx, old);
  mayCreate(ctx.cred, p.dirAttr);
  if (isDir(old.attr.mode)) throw fsError(EPERM, 'link to a directory');
  await changing(p.dir.mount, () => p.dir.mount.fs.link(old.dentry.ino, p.dir.ino, p.name));
  // The inode's link count changed (its own watches only), then the directory has a new entry.
  notifyInode(old.dentry.mount, old.dentry.ino, IN_ATTRIB, false);
  notifyEntry(p.dir, p.name, IN_CREATE, false);
}

/**
 * Linux's protected_hardlinks (on by default): only the owner (or root) may link a file, unless it is a
 * regular file the caller may read and write and that is not setuid or setgid-executable.
 */
function mayLinkProtected(ctx: PathContext, old: Resolved): void {
  const { attr } = old;
  if (fsUid(ctx.cred) === 0 || fsUid(ctx.cred) === attr.uid) return;
  const setid = attr.mode & S_ISUID || (attr.mode & S_ISGID && attr.mode & S_IXGRP);
  if (isReg(attr.mode) && !setid && mayAccess(ctx.cred, attr, MAY_READ | MAY_WRITE, false)) return;
  throw fsError(EPERM, 'protected_hardlinks');
}

async function resolveOld(
  walk: PathWalk,
  ctx: PathContext,
  at: OpenFile | null,
  path: string,
  flags: number,
) {
  if (path === '' && flags & AT_EMPTY_PATH) {
    const dentry = at ? at.dentry : ctx.cwd;
    if (!dentry) throw fsError(ENOENT);
    return { dentry, attr: await drive(walk.getattr(dentry)) };
  }
  return drive(walk.resolve(baseOf(ctx, at, path), path, (flags & AT_SYMLINK_FOLLOW) !== 0));
}

/** Walks to an existing name to remove; ENOENT when absent. */
async function removeTarget(walk: PathWalk, p: ParentResolved): Promise<Resolved> {
  checkWritable(p.dir.mount);
  const victim = await drive(walk.lookup(p.dir, p.name));
  if (!victim) throw fsError(ENOENT, p.name);
  return victim;
}

export async function unlink(mounts: MountTable, ctx: PathContext, at: OpenFile | null, path: string) {
  const walk = new PathWalk(mounts, ctx);
  const p = await drive(walk.resolveParent(baseOf(ctx, at, path), path));
  if (p.last !== 'normal') throw fsError(EISDIR, 'unlink of . or .. or /');
  const victim = await removeTarget(walk, p);
  if (p.trailingSlash) throw fsError(isDir(victim.attr.mode) ? EISDIR : ENOTDIR);
  mayDelete(ctx.cred, p.dirAttr, victim, false);
  notMountPoint(victim);
  await changing(p.dir.mount, () => p.dir.mount.fs.unlink(p.dir.ino, p.name));
  p.dir.drop(p.name, true);
  notifyRemoved(p.dir, p.name, victim, victim.attr.nlink - 1);
  await releaseIfUnused(p.dir.mount, victim.attr);
}

/**
 * A name removed (unlink, rmdir): a file's watches hear its link count change, the inode's that it is gone
 * when no link is left and nothing holds it (ending them), and the directory's the entry's deletion, in
 * Linux's order.
 */
function notifyRemoved(dir: Dentry, name: string, victim: Resolved, linksLeft: number): void {
  const { mount, ino, isDir: dirVictim } = victim.dentry;
  if (!dirVictim) notifyInode(mount, ino, IN_ATTRIB, false);
  // A file still open is deleted for inotify when its last holder lets go (Mount.drop).
  if (dirVictim || (linksLeft <= 0 && !mount.isOpen(ino))) notifyInode(mount, ino, IN_DELETE_SELF, false);
  notifyEntry(dir, name, IN_DELETE, dirVictim);
}

export async function rmdir(mounts: MountTable, ctx: PathContext, at: OpenFile | null, path: string) {
  const walk = new PathWalk(mounts, ctx);
  const p = await drive(walk.resolveParent(baseOf(ctx, at, path), path));
  if (p.last === 'dot') throw fsError(EINVAL, 'rmdir .');
  if (p.last === 'dotdot') throw fsError(ENOTEMPTY, 'rmdir ..');
  if (p.last === 'root') throw fsError(EBUSY, 'rmdir /');
  const victim = await removeTarget(walk, p);
  mayDelete(ctx.cred, p.dirAttr, victim, true);
  notMountPoint(victim);
  if (victim.dentry.sameAs(ctx.root)) throw fsError(EBUSY, 'rmdir of the root');
  await changing(p.dir.mount, () => p.dir.mount.fs.rmdir(p.dir.ino, p.name));
  p.dir.drop(p.name, true);
  notifyRemoved(p.dir, p.name, victim, 0);
  await releaseIfUnused(p.dir.mount, victim.attr);
}

export async function rename(
  mounts: MountTable,
  ctx: PathContext,
  oldAt: OpenFile | null,
  oldPath: string,
  newAt: OpenFile | null,
  newPath: string,
  flags: number,
) {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE) || flags === (RENAME_NOREPLACE | RENAME_EXCHANGE)) {
    throw fsError(EINVAL, 'renameat2 flags');
  }
  const walk = new PathWalk(mounts, ctx);
  const from = await drive(walk.resolveParent(baseOf(ctx, oldAt, oldPath), oldPath));
  const to = await drive(walk.resolveParent(baseOf(ctx, newAt, newPath), newPath));
  if (from.dir.mount !== to.dir.mount) throw fsError(EXDEV);
  if (from.last !== 'normal') throw fsError(EBUSY);
  if (to.last !== 'normal') throw fsError(flags & RENAME_NOREPLACE ? EEXIST : EBUSY);
  checkWritable(from.dir.mount);
  const src = await drive(walk.lookup(from.dir, from.name));
  if (!src) throw fsError(ENOENT, from.name);
  const dst = await drive(walk.lookup(to.dir, to.name));
  checkRenameShape(from, to, src, dst, flags);
  // Two names of one inode (or one name twice, a mount point included): POSIX says do nothing.
  if (dst?.dentry.sameAs(src.dentry)) return;
  checkRenamePermission(ctx, from, to, src, dst, flags);
  notMountPoint(src, dst);
  await changing(from.dir.mount, () =>
    from.dir.mount.fs.rename(from.dir.ino, from.name, to.dir.ino, to.name, flags),
  );
  moveDentries(from, to, flags);
  notifyMoved(from, to, src, dst, flags);
  if (dst && !(flags & RENAME_EXCHANGE)) await releaseIfUnused(to.dir.mount, dst.attr);
}

/** fsnotify_move's order: from and to (one cookie), a replaced inode's lost link, the moved inode itself. */
function notifyMoved(
  from: ParentResolved,
  to: ParentResolved,
  src: Resolved,
  dst: Resolved | null,
  flags: number,
) {
  const cookie = renameCookie();
  const srcDir = src.dentry.isDir;
  notifyEntry(from.dir, from.name, IN_MOVED_FROM, srcDir, cookie);
  notifyEntry(to.dir, to.name, IN_MOVED_TO, srcDir, cookie);
  if (dst && !(flags & RENAME_EXCHANGE)) {
    const { mount, ino, isDir: dstDir } = dst.dentry;
    if (!dstDir) notifyInode(mount, ino, IN_ATTRIB, false);
    if (dstDir || dst.attr.nlink <= 1) notifyInode(mount, ino, IN_DELETE_SELF, false);
  }
  notifyInode(src.dentry.mount, src.dentry.ino, IN_MOVE_SELF, srcDir);
}

function checkRenameShape(
  from: ParentResolved,
  to: ParentResolved,
  src: Resolved,
  dst: Resolved | null,
  flags: number,
) {
  if (flags & RENAME_EXCHANGE && !dst) throw fsError(ENOENT, to.name);
  if (flags & RENAME_NOREPLACE && dst) throw fsError(EEXIST, to.name);
  const srcDir = isDir(src.attr.mode);
  if (!srcDir && from.trailingSlash) throw fsError(ENOTDIR);
  if (!(flags & RENAME_EXCHANGE) && !srcDir && to.trailingSlash) throw fsError(ENOTDIR);
  if (flags & RENAME_EXCHANGE && dst && !isDir(dst.attr.mode) && to.trailingSlash) throw fsError(ENOTDIR);
  if (srcDir && to.dir.isWithin(src.dentry)) throw fsError(EINVAL, 'directory into itself');
  if (dst && isDir(dst.attr.mode) && from.dir.isWithin(dst.dentry)) {
    throw fsError(flags & RENAME_EXCHANGE ? EINVAL : ENOTEMPTY, 'over an ancestor');
  }
}

function checkRenamePermission(
  ctx: PathContext,
  from: ParentResolved,
  to: ParentResolved,
  src: Resolved,
  dst: Resolved | null,
  flags: number,
) {
  const srcDir = isDir(src.attr.mode);
  mayDelete(ctx.cred, from.dirAttr, src, srcDir);
  if (dst) mayDelete(ctx.cred, to.dirAttr, dst, flags & RENAME_EXCHANGE ? isDir(dst.attr.mode) : srcDir);
  else mayCreate(ctx.cred, to.dirAttr);
  if (from.dir.sameAs(to.dir)) return;
  // A directory moving to a new parent rewrites its `..`: it needs write permission itself.
  if (srcDir && !mayAccess(ctx.cred, src.attr, MAY_WRITE, true)) throw fsError(EACCES, 'moving a directory');
  if (
    flags & RENAME_EXCHANGE &&
    dst &&
    isDir(dst.attr.mode) &&
    !mayAccess(ctx.cred, dst.attr, MAY_WRITE, true)
  ) {
    throw fsError(EACCES, 'moving a directory');
  }
}

/** Keeps cached directory dentries where the filesystem now has them. */
function moveDentries(from: ParentResolved, to: ParentResolved, flags: number) {
  const srcD = from.dir.children.get(from.name);
  const dstD = to.dir.children.get(to.name);
  from.dir.children.delete(from.name);
  to.dir.children.delete(to.name);
  if (dstD && !(flags & RENAME_EXCHANGE)) dstD.deleted = true;
  if (srcD) relink(srcD, to.dir, to.name);
  if (dstD && flags & RENAME_EXCHANGE) relink(dstD, from.dir, from.name);
}

function relink(d: Dentry, parent: Dentry, name: string) {
  d.parent = parent;
  d.name = name;
  parent.children.set(name, d);
}
