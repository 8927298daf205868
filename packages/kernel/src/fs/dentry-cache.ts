/**
 * The name cache: what a path walk learnt from a filesystem's `lookup` and `getattr`, kept per mount so the
 * next walk through the same directories asks the filesystem nothing. A hit gives the attributes a walk
 * needs for the components it passes (type, permission bits, owner, inode number); the last component of a
 * walk is always asked again (path-walk.ts), so stat, open and exec see current sizes and times.
 *
 * How it works: one cache per mount, a map from (directory inode, name) to the child's attributes, or to
 * null for a name that is absent (a negative entry: a PATH search misses the same directories every time),
 * and a map from directory inode to that directory's own attributes (the start of a walk, `..`, mount
 * roots). Invalidation is whole-cache and by generation: `invalidate()` empties both maps and counts the
 * generation up; a walk notes the generation before it asks the filesystem and stores the answer only if
 * the generation is unchanged, so an answer that raced with a change is never kept.
 *
 * When it is invalidated, by the policy of the mount (chosen from the filesystem type, `policyOf`):
 * - `stable` (tmpfs): the tree changes only through the VFS, so the VFS invalidates after every change it
 *   makes on the mount (create, mkdir, mknod, symlink, link, unlink, rmdir, rename, and any setattr, which
 *   may change the permission bits or owner a walk checks). Whole-mount invalidation is coarse, but changes
 *   are rare next to lookups, and it cannot miss a dentry that a finer scheme would have to find.
 * - `host` (hostfs): as `stable`, and also whenever the kernel's trap loop gives the host's event loop a
 *   turn (Vfs.newHostEpoch). Another host process may change the tree at any time; the guest learns of
 *   host events only through the event loop (pipes, the terminal, child processes, timers), which the
 *   trap loop lets in at least every few milliseconds. So a host change shows at the next turn, as if it
 *   had been made a moment later — which the guest cannot tell from a real delay. Validating each entry
 *   instead (an lstat per component) would cost what the cache saves. The one exception: a guest that
 *   learns of a host change from the *contents* of a host file it reads, without the loop turning, may
 *   see names up to one turn old; kmOS accepts that.
 * - `uncached` (procfs, devfs, anything else): always asked. procfs changes as processes come and go and
 *   answers from memory anyway; an unknown filesystem plugin cannot promise its tree is ours alone.
 *
 * Memory: at most CAPACITY entries per mount; the cache is emptied when it fills (as cheap as it is
 * simple; a walk refills what it needs). Layer: kernel VFS; mount-table.ts owns one per mount, path-walk.ts
 * reads and fills it, vfs-namespace.ts, vfs-open.ts and vfs-attr.ts invalidate it (through Mount.changed).
 */
import type { FsAttr } from '@kmos/abi-driver';

export type NameCachePolicy = 'stable' | 'host' | 'uncached';

/** Entries per mount before the cache is emptied: directories and files a busy guest walks through. */
export const NAME_CACHE_CAPACITY = 16_384;

/** The policy for a filesystem type (the `fsType` of its MountInfo). */
export function policyOf(fsType: string): NameCachePolicy {
  if (fsType === 'tmpfs') return 'stable';
  if (fsType === 'hostfs') return 'host';
  return 'uncached';
}

export class NameCache {
  /** Counts invalidations; a walk stores an answer only under the generation it asked in. */
  private gen = 0;
  private size = 0;
  private readonly lookups = new Map<number, Map<string, FsAttr | null>>();
  private readonly dirs = new Map<number, FsAttr>();

  constructor(
    readonly policy: NameCachePolicy,
    private readonly capacity = NAME_CACHE_CAPACITY,
  ) {}

  get generation(): number {
    return this.gen;
  }

  /** A cached lookup: the child's attributes, null when cached absent, undefined when not cached. */
  lookup(dirIno: number, name: string): FsAttr | null | undefined {
    return this.lookups.get(dirIno)?.get(name);
  }

  /** The attributes of directory `ino`, if cached. */
  dirAttr(ino: number): FsAttr | undefined {
    return this.dirs.get(ino);
  }

  /** Stores a lookup's answer, asked under generation `gen`. */
  storeLookup(gen: number, dirIno: number, name: string, attr: FsAttr | null): void {
    if (gen !== this.gen || !this.room()) return;
    let names = this.lookups.get(dirIno);
    if (!names) {
      names = new Map();
      this.lookups.set(dirIno, names);
    }
    names.set(name, attr);
  }

  /** Stores a directory's own attributes, asked under generation `gen`. */
  storeDir(gen: number, attr: FsAttr): void {
    if (gen !== this.gen || !this.room()) return;
    this.dirs.set(attr.ino, attr);
  }

  /** Forgets everything; answers asked before now are not stored. */
  invalidate(): void {
    this.gen++;
    if (this.size === 0) return;
    this.size = 0;
    this.lookups.clear();
    this.dirs.clear();
  }

  /** Counts one entry, emptying the cache first when it is full. */
  private room(): boolean {
    if (this.size >= this.capacity) this.invalidate();
    this.size++;
    return true;
  }
}
