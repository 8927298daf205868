/**
 * Who is asking: the credentials a syscall brings to the VFS, and the classic UNIX permission check on an
 * inode's mode bits (owner, then group incl. supplementary groups, then others; root overrides everything
 * except that executing a non-directory needs at least one x bit). Layer: kernel VFS; the process layer
 * builds Credentials from its task, the path walk and the VFS operations call `mayAccess`.
 */

/** A task's identity as the VFS sees it. `fsuid`/`fsgid` default to `euid`/`egid` (Linux keeps them equal unless setfsuid). */
export interface Credentials {
  readonly uid: number;
  readonly gid: number;
  readonly euid: number;
  readonly egid: number;
  readonly fsuid?: number;
  readonly fsgid?: number;
  readonly groups: readonly number[];
}

/** Root: what the kernel itself and init run as. */
export const ROOT_CREDENTIALS: Credentials = { uid: 0, gid: 0, euid: 0, egid: 0, groups: [] };

// The access kinds a permission check asks for. Kernel-internal (Linux's MAY_* in include/linux/fs.h, not a
// user ABI); their values coincide with access(2)'s X_OK, W_OK and R_OK so `access` can pass its mode through.
export const MAY_EXEC = 1;
export const MAY_WRITE = 2;
export const MAY_READ = 4;

const PERM_BITS = 0o7;
const OWNER_SHIFT = 6;
const GROUP_SHIFT = 3;
const ANY_EXEC = 0o111;

export function fsUid(cred: Credentials): number {
  return cred.fsuid ?? cred.euid;
}

export function fsGid(cred: Credentials): number {
  return cred.fsgid ?? cred.egid;
}

/** True when the task is in group `gid`, by its fs group or a supplementary one. */
export function inGroup(cred: Credentials, gid: number, real = false): boolean {
  return (real ? cred.gid : fsGid(cred)) === gid || cred.groups.includes(gid);
}

/**
 * May `cred` access an inode with this mode/owner for every kind in `mask` (MAY_READ | MAY_WRITE | MAY_EXEC)?
 * `real` checks with the real uid/gid, as access(2) without AT_EACCESS does.
 */
export function mayAccess(
  cred: Credentials,
  attr: { readonly mode: number; readonly uid: number; readonly gid: number },
  mask: number,
  isDir: boolean,
  real = false,
): boolean {
  const uid = real ? cred.uid : fsUid(cred);
  if (uid === 0) return (mask & MAY_EXEC) === 0 || isDir || (attr.mode & ANY_EXEC) !== 0;
  let bits: number;
  if (uid === attr.uid) bits = (attr.mode >>> OWNER_SHIFT) & PERM_BITS;
  else if (inGroup(cred, attr.gid, real)) bits = (attr.mode >>> GROUP_SHIFT) & PERM_BITS;
  else bits = attr.mode & PERM_BITS;
  return (bits & mask) === mask;
}

/** Owner of the inode, or root (CAP_FOWNER): may chmod, utimes to arbitrary times, delete in sticky dirs. */
export function isOwnerOrRoot(cred: Credentials, uid: number): boolean {
  const me = fsUid(cred);
  return me === 0 || me === uid;
}
