/**
 * Directory entries as the VFS caches them: a tree of names that gives `..`, getcwd and mount points a stable
 * identity. Only directories are kept in a parent's `children` (so the cache grows with the directories
 * visited, not the files; on a filesystem without a name cache, such as procfs, whose directories come and
 * go behind the VFS's back, the path walk drops the gone ones as the cache grows: see `recheckAt`); a lookup
 * always asks the filesystem again and the cache only supplies identity.
 * Files get a fresh, uncached Dentry per lookup. Layer: kernel VFS; path-walk.ts creates dentries,
 * vfs.ts moves and kills them on rename/rmdir, mount-table.ts hangs mounts on them.
 */
import type { Mount } from './mount-table.js';

/** Cached children of a directory on an uncached filesystem before they are checked (see `recheckAt`). */
export const RECHECK_CHILDREN = 64;

export class Dentry {
  /** Cached subdirectories by name. Written by the path walk (insert) and vfs.ts (rename, rmdir) only. */
  readonly children = new Map<string, Dentry>();
  /** True once the entry was removed (rmdir, rename over it): getcwd answers ENOENT. Written by vfs.ts. */
  deleted = false;
  /**
   * How many children may be cached before the path walk asks an uncached filesystem which of them are
   * gone (path-walk.ts `dropGone`). Written by the path walk.
   */
  recheckAt = RECHECK_CHILDREN;

  constructor(
    /** The name in the parent directory; '' for a mount's root. Written by vfs.ts on rename. */
    public name: string,
    /** The containing directory in the same mount; null for a mount's root. Written by vfs.ts on rename. */
    public parent: Dentry | null,
    readonly mount: Mount,
    readonly ino: number,
    readonly isDir: boolean,
  ) {}

  /** Same inode in the same mount (dentries of files are not unique objects). */
  sameAs(other: Dentry): boolean {
    return this.mount === other.mount && this.ino === other.ino;
  }

  /** True when `this` is `other` or lies below it, within one mount. */
  isWithin(other: Dentry): boolean {
    for (let d: Dentry | null = this; d; d = d.parent) if (d.sameAs(other)) return true;
    return false;
  }

  /** The cached child dentry for `name`, reused when it still names inode `ino`; caches directories. */
  child(name: string, ino: number, isDir: boolean): Dentry {
    const cached = this.children.get(name);
    if (cached && cached.ino === ino) return cached;
    if (cached) this.children.delete(name);
    const fresh = new Dentry(name, this, this.mount, ino, isDir);
    if (isDir) this.children.set(name, fresh);
    return fresh;
  }

  /** Forgets a cached child (after unlink, rmdir or rename); marks it deleted when it was removed. */
  drop(name: string, deleted: boolean): void {
    const cached = this.children.get(name);
    if (!cached) return;
    this.children.delete(name);
    if (deleted) cached.deleted = true;
  }
}
