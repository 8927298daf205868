/**
 * Filesystem events for inotify, as Linux's fsnotify: the VFS reports what happened to an inode (opened,
 * read, written, closed, attributes changed, deleted, moved) and to a directory's entries (created, deleted,
 * moved from or to), and each watch on that inode hears the events its mask asks for. An event on a file
 * also reaches the watches on its parent directory, with the file's name (fsnotify_parent). Watches are
 * kept per mount and inode number; with no watch anywhere every report returns at once, so an unwatched
 * system pays one comparison per operation.
 * Layer: kernel VFS; ipc/inotify.ts holds the watches, the VFS operations call the `notify*` functions.
 */
import { IN_ACCESS, IN_ATTRIB, IN_CLOSE, IN_ISDIR, IN_MODIFY, IN_OPEN } from '@kmos/abi-linux';
import type { Dentry } from './dentry.js';
import type { Mount } from './mount-table.js';

/** One inotify watch: which events it wants, and where they go. */
export interface InodeWatch {
  readonly mask: number;
  /** Queues an event; `name` for an event on an entry of the watched directory. */
  deliver(mask: number, cookie: number, name: string | null): void;
}

/** The events a watched directory also hears about its entries (FS_EVENTS_POSS_ON_CHILD). */
const ON_CHILD = IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE | IN_OPEN;

const watchesByMount = new WeakMap<Mount, Map<number, Set<InodeWatch>>>();
let watchCount = 0;
let nextCookie = 1;

export function addWatch(mount: Mount, ino: number, watch: InodeWatch): void {
  let inodes = watchesByMount.get(mount);
  if (!inodes) {
    inodes = new Map();
    watchesByMount.set(mount, inodes);
  }
  let set = inodes.get(ino);
  if (!set) {
    set = new Set();
    inodes.set(ino, set);
  }
  if (!set.has(watch)) watchCount++;
  set.add(watch);
}

export function removeWatch(mount: Mount, ino: number, watch: InodeWatch): void {
  const inodes = watchesByMount.get(mount);
  const set = inodes?.get(ino);
  if (!set?.delete(watch)) return;
  watchCount--;
  if (set.size === 0) inodes?.delete(ino);
}

/** The watches on an inode, or none; nothing is looked up while no watch exists. */
function watchesOf(mount: Mount, ino: number): Set<InodeWatch> | undefined {
  if (watchCount === 0) return undefined;
  return watchesByMount.get(mount)?.get(ino);
}

/** A cookie tying a rename's IN_MOVED_FROM to its IN_MOVED_TO. */
export function renameCookie(): number {
  if (watchCount === 0) return 0;
  return nextCookie++ >>> 0;
}

/** An event on the inode itself. */
export function notifyInode(mount: Mount, ino: number, mask: number, isDir: boolean): void {
  const watches = watchesOf(mount, ino);
  if (!watches) return;
  const bits = mask | (isDir ? IN_ISDIR : 0);
  for (const w of [...watches]) if (w.mask & mask) w.deliver(bits, 0, null);
}

/** An event on an entry of `dir` (created, deleted, moved from or to), named. */
export function notifyEntry(dir: Dentry, name: string, mask: number, isDir: boolean, cookie = 0): void {
  const watches = watchesOf(dir.mount, dir.ino);
  if (!watches) return;
  const bits = mask | (isDir ? IN_ISDIR : 0);
  for (const w of [...watches]) if (w.mask & mask) w.deliver(bits, cookie, name);
}

/** An event on a file reached through `dentry`: its directory's watches with its name, then its own. */
export function notifyFile(dentry: Dentry, mask: number): void {
  if (watchCount === 0) return;
  if (dentry.parent && mask & ON_CHILD) notifyEntry(dentry.parent, dentry.name, mask, dentry.isDir);
  notifyInode(dentry.mount, dentry.ino, mask, dentry.isDir);
}

/** Whether any watch exists (callers skip work that only feeds events). */
export function watching(): boolean {
  return watchCount > 0;
}
