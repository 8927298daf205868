/**
 * Checks shared by the VFS operations: where a relative path starts (cwd or a directory file), the
 * permission rules for creating and deleting names (write and search on the directory, the sticky bit),
 * read-only mounts, and the owner a new inode gets (a setgid directory passes its group on).
 * Layer: kernel VFS; used by vfs.ts, vfs-namespace.ts and vfs-attr.ts.
 */
import type { FsAttr, MaybePromise } from '@kmos/abi-driver';
import { EACCES, EBUSY, EISDIR, ENOTDIR, EPERM, EROFS, S_ISGID, S_ISVTX } from '@kmos/abi-linux';
import { type Credentials, fsGid, fsUid, inGroup, MAY_EXEC, MAY_WRITE, mayAccess } from './credentials.js';
import type { Dentry } from './dentry.js';
import { isDir } from './file-type.js';
import { fsError } from './fs-error.js';
import type { Mount } from './mount-table.js';
import type { OpenFile } from './open-file.js';
import type { PathContext, Resolved } from './path-walk.js';

/** The directory a relative path starts from: the cwd, or the directory file of an *at() call. */
export function baseOf(ctx: PathContext, at: OpenFile | null, path: string): Dentry {
  if (path.startsWith('/')) return ctx.root;
  if (!at) return ctx.cwd;
  if (!at.dentry?.isDir) throw fsError(ENOTDIR, 'dirfd is not a directory');
  return at.dentry;
}

export function checkWritable(mount: Mount): void {
  if (mount.readOnly) throw fsError(EROFS);
}

/** Creating a name needs write and search permission on the directory. */
export function mayCreate(cred: Credentials, dirAttr: FsAttr): void {
  if (!mayAccess(cred, dirAttr, MAY_WRITE | MAY_EXEC, true)) throw fsError(EACCES, 'create');
}

/**
 * Removing (or renaming) `victim` from a directory: write and search permission, the sticky rule (only the
 * owner of the file or of the directory, or root), and the type the operation expects.
 */
export function mayDelete(cred: Credentials, dirAttr: FsAttr, victim: Resolved, expectDir: boolean): void {
  if (!mayAccess(cred, dirAttr, MAY_WRITE | MAY_EXEC, true)) throw fsError(EACCES, 'delete');
  const me = fsUid(cred);
  if (dirAttr.mode & S_ISVTX && me !== 0 && me !== dirAttr.uid && me !== victim.attr.uid) {
    throw fsError(EPERM, 'sticky directory');
  }
  const victimIsDir = isDir(victim.attr.mode);
  if (expectDir && !victimIsDir) throw fsError(ENOTDIR);
  if (!expectDir && victimIsDir) throw fsError(EISDIR);
}

/** A mount point cannot be removed or renamed (checked after the permission and type checks, as Linux). */
export function notMountPoint(...victims: (Resolved | null)[]): void {
  for (const v of victims) if (v && isMountRoot(v.dentry)) throw fsError(EBUSY, 'mount point');
}

/** A dentry that is the root of its mount (a lookup crossed into it): it cannot be removed or renamed. */
export function isMountRoot(d: Dentry): boolean {
  return d.parent === null;
}

/** The owner and mode bits of an inode created in `dirAttr` (inode_init_owner). */
export function newOwner(
  cred: Credentials,
  dirAttr: FsAttr,
  mode: number,
  dir: boolean,
): { uid: number; gid: number; mode: number } {
  let gid = fsGid(cred);
  let bits = mode;
  if (dirAttr.mode & S_ISGID) {
    gid = dirAttr.gid;
    if (dir) bits |= S_ISGID;
  } else if (!dir && bits & S_ISGID && fsUid(cred) !== 0 && !inGroup(cred, gid)) {
    bits &= ~S_ISGID;
  }
  return { uid: fsUid(cred), gid, mode: bits };
}

/**
 * After a name of the inode `attr` describes went away: if nothing holds the inode open, the filesystem may
 * free it; if something does and that was a file's last name, the inode is now deleted (/proc shows its
 * path with " (deleted)", as Linux does; directories keep that on their cached dentry).
 */
export async function releaseIfUnused(mount: Mount, attr: FsAttr): Promise<void> {
  if (!mount.isOpen(attr.ino)) await mount.fs.release(attr.ino);
  else if (!isDir(attr.mode) && attr.nlink <= 1) mount.markDeleted(attr.ino);
}

/** May search directory `attr` (x permission)? EACCES when not. */
export function maySearch(cred: Credentials, attr: FsAttr): void {
  if (!mayAccess(cred, attr, MAY_EXEC, true)) throw fsError(EACCES, 'search');
}

/**
 * Runs a change to `mount`'s filesystem (a name made, removed or moved, attributes set). The mount's name
 * cache is invalidated however it ends: a failed host call may still have changed something.
 */
export function changing<T>(mount: Mount, change: () => MaybePromise<T>): MaybePromise<T> {
  let result: MaybePromise<T>;
  try {
    result = change();
  } catch (error) {
    mount.changed();
    throw error;
  }
  if (result instanceof Promise) return result.finally(() => mount.changed());
  mount.changed();
  return result;
}
