/**
 * The mount table: which filesystem instance covers which directory. Every mount has a root dentry; every
 * mount but the first hangs over a directory dentry of its parent mount. The path walk steps down through
 * `mountedOn` when it reaches a covered directory and up through `mountpoint` when `..` leaves a mount's
 * root. Mounts stack: mounting over a mount's root covers it. Layer: kernel VFS; vfs.ts owns the table,
 * procfs.ts reads it for /proc/mounts.
 */

import type { FileSystem } from '@kmos/abi-driver';
import { EBUSY, EINVAL, IN_DELETE_SELF, new_encode_dev } from '@kmos/abi-linux';
import { Dentry } from './dentry.js';
import { NameCache, policyOf } from './dentry-cache.js';
import { fsError } from './fs-error.js';
import { notifyInode } from './fsnotify.js';

export interface MountInfo {
  /** The type name as /proc/mounts and /proc/filesystems show it (`tmpfs`, `proc`, `hostfs`). */
  readonly fsType: string;
  /** The mount source (`/dev/hda1`, a host directory, `none`). */
  readonly source: string;
  readonly readOnly: boolean;
  /** Extra options after rw/ro for /proc/mounts (`mode=1777`), without a leading comma. */
  readonly options?: string;
  /** st_dev for inodes of this mount; by default an anonymous device 0:N as Linux gives tmpfs and proc (new_encode_dev). */
  readonly dev?: number;
}

/** The pages a mapped file's mappings hold (mm's PageCache): read(2) and write(2) go through them too. */
export interface CachedPages {
  readInto(pos: number, into: Uint8Array): void;
  writeFrom(pos: number, from: Uint8Array): void;
}

let nextAnonMinor = 1;

export class Mount {
  /** The root directory of this filesystem; set once by the table when the mount is made. */
  root!: Dentry;
  readonly dev: number;
  /**
   * Open files per inode number; written by vfs.ts when a file is opened and closed, so it knows when to
   * tell the filesystem `release(ino)`.
   */
  readonly openRefs = new Map<number, number>();
  /** The cached pages of each inode some VMA maps now; set and cleared by mapping/file-pages.ts. */
  readonly cachedPages = new Map<number, CachedPages>();
  /** What path walks learnt of this filesystem (dentry-cache.ts); null when its policy is `uncached`. */
  readonly names: NameCache | null;

  constructor(
    readonly id: number,
    readonly fs: FileSystem,
    readonly info: MountInfo,
    /** The mount this one covers a directory of; null for the root mount. */
    readonly parent: Mount | null,
    /** The covered directory, in `parent`; null for the root mount. */
    readonly mountpoint: Dentry | null,
  ) {
    this.dev = info.dev ?? new_encode_dev(0, nextAnonMinor++);
    const policy = policyOf(info.fsType);
    this.names = policy === 'uncached' ? null : new NameCache(policy);
  }

  /** The VFS changed this filesystem's names or attributes: cached walks are no longer trusted. */
  changed(): void {
    this.names?.invalidate();
  }

  /** Inodes held open (or mapped) whose last name was removed: their paths in /proc end in " (deleted)". */
  private readonly deletedHeld = new Set<number>();

  /** One more open file on inode `ino`. */
  hold(ino: number): void {
    this.openRefs.set(ino, (this.openRefs.get(ino) ?? 0) + 1);
  }

  /** One open file fewer; true when it was the last, so the caller tells the filesystem `release(ino)`. */
  drop(ino: number): boolean {
    const left = (this.openRefs.get(ino) ?? 0) - 1;
    if (left > 0) {
      this.openRefs.set(ino, left);
      return false;
    }
    this.openRefs.delete(ino);
    if (this.deletedHeld.delete(ino)) notifyInode(this, ino, IN_DELETE_SELF, false);
    return true;
  }

  /** Inode `ino`, held open, lost its last name. */
  markDeleted(ino: number): void {
    this.deletedHeld.add(ino);
  }

  isDeleted(ino: number): boolean {
    return this.deletedHeld.has(ino);
  }

  isOpen(ino: number): boolean {
    return this.openRefs.has(ino);
  }

  get readOnly(): boolean {
    return this.info.readOnly;
  }
}

export class MountTable {
  /** Mounts in the order they were made (the order of /proc/mounts). Written by mount/umount only. */
  private readonly list: Mount[] = [];
  /**
   * The mount covering each covered directory, by the directory's mount id and then its inode (a walk asks at
   * every directory it passes: numbers, not a key string built each time).
   */
  private readonly covering = new Map<number, Map<number, Mount>>();
  private nextId = 1;

  get mounts(): readonly Mount[] {
    return this.list;
  }

  get rootMount(): Mount | null {
    return this.list[0] ?? null;
  }

  /** Mounts `fs` as the root of the namespace (once) or over directory `at`. */
  mount(fs: FileSystem, info: MountInfo, at: Dentry | null): Mount {
    if ((at === null) !== (this.list.length === 0)) throw fsError(EINVAL, 'mount: root mounted once, first');
    if (at && !at.isDir) throw fsError(EINVAL, 'mount: not over a directory');
    const mount = new Mount(this.nextId++, fs, info, at ? at.mount : null, at);
    mount.root = new Dentry('', null, mount, fs.rootIno, true);
    if (at) {
      let covered = this.covering.get(at.mount.id);
      if (!covered) {
        covered = new Map();
        this.covering.set(at.mount.id, covered);
      }
      covered.set(at.ino, mount);
    }
    this.list.push(mount);
    return mount;
  }

  /**
   * A mount of `fs` over nothing, not listed (Linux's kern_mount: the internal mounts memfds, pipes and
   * sockets live on). Its files have an ID and a device, and their paths start at its root.
   */
  detached(fs: FileSystem, info: MountInfo): Mount {
    const mount = new Mount(this.nextId++, fs, info, null, null);
    mount.root = new Dentry('', null, mount, fs.rootIno, true);
    return mount;
  }

  /** The mount covering directory `d`, if any. */
  mountedOn(d: Dentry): Mount | null {
    if (this.covering.size === 0 || !d.isDir) return null;
    return this.covering.get(d.mount.id)?.get(d.ino) ?? null;
  }

  /** Removes a mount; EBUSY while other mounts sit on it or it is the root. Open files are the caller's check. */
  umount(mount: Mount): void {
    if (!mount.mountpoint) throw fsError(EBUSY, 'umount: the root mount');
    if (this.list.some((m) => m.parent === mount)) throw fsError(EBUSY, 'umount: mounts below');
    const covered = this.covering.get(mount.mountpoint.mount.id);
    covered?.delete(mount.mountpoint.ino);
    if (covered?.size === 0) this.covering.delete(mount.mountpoint.mount.id);
    this.list.splice(this.list.indexOf(mount), 1);
  }

  /** True when `d` is `root` or below it, crossing mount points upwards. */
  isBelow(d: Dentry, root: Dentry): boolean {
    for (let cur: Dentry | null = d; cur; cur = cur.parent ?? cur.mount.mountpoint) {
      if (cur.sameAs(root)) return true;
    }
    return false;
  }

  /** The absolute path of `d` in the namespace (mount points crossed upwards); null when it was deleted. */
  pathOf(d: Dentry, root: Dentry | null = null): string | null {
    const { path, deleted } = this.namesUp(d, root);
    return deleted ? null : path;
  }

  /**
   * The path of `d` as /proc shows a file (Linux's d_path): from `root`, and ending in " (deleted)" once
   * its name, or a directory's above it, was removed.
   */
  displayPath(d: Dentry, root: Dentry | null = null): string {
    const { path, deleted } = this.namesUp(d, root);
    return deleted ? `${path} (deleted)` : path;
  }

  private namesUp(d: Dentry, root: Dentry | null): { path: string; deleted: boolean } {
    const names: string[] = [];
    let deleted = false;
    let cur: Dentry | null = d;
    while (cur) {
      if (cur.deleted || (!cur.isDir && cur.mount.isDeleted(cur.ino))) deleted = true;
      if (root && cur.sameAs(root)) break;
      if (cur.parent) {
        names.push(cur.name);
        cur = cur.parent;
      } else cur = cur.mount.mountpoint;
    }
    return { path: `/${names.reverse().join('/')}`, deleted };
  }
}
