/**
 * The path walk: turns a path (a byte string) into a dentry, from the task's root, its cwd or a directory
 * file (openat). Per component it checks search permission on the directory, handles `.` and `..` itself
 * (`..` at the task's root stays there; at a mount's root it climbs to the covered directory first), asks
 * the filesystem for the rest, steps down into mounts, and expands symlinks (at most 40 per walk, then
 * ELOOP; absolute targets restart at the task's root, so a chroot or the hostfs root is never escaped).
 * A trailing slash demands a directory and follows a final symlink.
 *
 * Components a walk passes come from the mount's name cache when it has them (dentry-cache.ts says when
 * that is trusted); the last one is always asked of the filesystem again, so a caller gets current
 * attributes. If that fresh answer says a cached inode is gone (a host file renamed outside kmOS within the
 * cache's window), the walk forgets the caches it used and runs again without them. (A cached absent name
 * or passed directory is trusted for the cache's window, as dentry-cache.ts explains.) `lookup` and `getattr`,
 * which namespace changes use before they act, always ask the filesystem. Layer: kernel VFS, below vfs.ts,
 * above mount-table.ts, dentry-cache.ts and the filesystems.
 */
import type { FsAttr } from '@kmos/abi-driver';
import { EACCES, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, S_IFDIR, S_IFLNK, S_IFMT } from '@kmos/abi-linux';
import { KernelError } from '../kernel-error.js';
import { type Steps, wait } from '../maybe-sync.js';
import { type Credentials, MAY_EXEC, mayAccess } from './credentials.js';
import { type Dentry, RECHECK_CHILDREN } from './dentry.js';
import { fsError } from './fs-error.js';
import { NAME_MAX, PATH_MAX } from './limits.js';
import type { Mount, MountTable } from './mount-table.js';
import { OpenFile } from './open-file.js';
import { Procfs } from './procfs.js';

/** Linux's limit on symlinks expanded in one walk (MAXSYMLINKS, a kernel constant not in the UAPI). */
export const MAXSYMLINKS = 40;

/** A task's view of the namespace, as its fs_struct holds it. `umask` is applied by the VFS on create. */
export interface PathContext {
  readonly cred: Credentials;
  readonly root: Dentry;
  readonly cwd: Dentry;
  readonly umask: number;
}

export interface Resolved {
  readonly dentry: Dentry;
  readonly attr: FsAttr;
}

/** What a create/remove/rename walk stops at: the directory and the last component, not looked up. */
export interface ParentResolved {
  readonly dir: Dentry;
  readonly dirAttr: FsAttr;
  /** The last component; '' when `last` is 'root' (the path was all slashes). */
  readonly name: string;
  readonly last: 'normal' | 'dot' | 'dotdot' | 'root';
  readonly trailingSlash: boolean;
}

export function isDirMode(mode: number): boolean {
  return (mode & S_IFMT) === S_IFDIR;
}

export function isLinkMode(mode: number): boolean {
  return (mode & S_IFMT) === S_IFLNK;
}

/** ENOENT for an empty path, ENAMETOOLONG past PATH_MAX (counting the NUL, as getname does). */
export function checkPathLength(path: string): void {
  if (path.length === 0) throw fsError(ENOENT, 'empty path');
  if (path.length >= PATH_MAX) throw fsError(ENAMETOOLONG, 'path');
}

function components(path: string): string[] {
  return path.split('/').filter((c) => c.length > 0);
}

/**
 * The components of `path`, last first, appended to `stack` (a walk pops them from the end; a symlink's
 * target goes on top). One pass, no intermediate arrays: every exec and open walks.
 */
function pushComponentsLastFirst(stack: string[], path: string): string[] {
  let end = path.length;
  for (let i = path.length - 1; i >= -1; i--) {
    if (i >= 0 && path.charCodeAt(i) !== SLASH) continue;
    if (end > i + 1) stack.push(path.slice(i + 1, end));
    end = i;
  }
  return stack;
}

const SLASH = 0x2f;

/** One walk: keeps the symlink count across everything it resolves (open's O_CREAT loop uses it twice). */
export class PathWalk {
  private links = 0;
  /** Set while a walk runs again after a cached answer misled it: the name caches are not read. */
  private noCache = false;
  /** The mounts whose name caches this walk took answers from. */
  private readonly cachedMounts = new Set<Mount>();
  /** The attributes of the last component when they came from a cache (to be asked again). */
  private cachedFinal: FsAttr | null = null;
  /**
   * Set when the last component was a magic link to an open file without a path (a pipe's
   * /proc/<pid>/fd/N): the walk then ends at the link, and open reopens this file.
   */
  pathlessFinal: OpenFile | null = null;

  constructor(
    private readonly mounts: MountTable,
    readonly ctx: PathContext,
  ) {}

  /** The dentry `path` names from `start` (the cwd or a directory file). `follow`: expand a final symlink. */
  *resolve(start: Dentry, path: string, follow: boolean): Steps<Resolved> {
    checkPathLength(path);
    const links = this.links;
    const found = yield* this.walk(
      yield* this.startAt(start, path),
      pushComponentsLastFirst([], path),
      follow,
      path.endsWith('/'),
    );
    if (found.attr !== this.cachedFinal) return found;
    try {
      return { dentry: found.dentry, attr: yield* this.getattr(found.dentry) };
    } catch (e) {
      if (!(e instanceof KernelError) || e.errno !== ENOENT) throw e;
      // The cached inode is gone (changed outside kmOS): forget what this walk trusted and walk again.
      for (const m of this.cachedMounts) m.changed();
      this.links = links;
      this.noCache = true;
      try {
        return yield* this.walk(
          yield* this.startAt(start, path),
          pushComponentsLastFirst([], path),
          follow,
          path.endsWith('/'),
        );
      } finally {
        this.noCache = false;
      }
    }
  }

  /** Walks all but the last component, which it returns unexamined. */
  *resolveParent(start: Dentry, path: string): Steps<ParentResolved> {
    checkPathLength(path);
    const from = yield* this.startAt(start, path);
    const parts = components(path);
    const trailingSlash = path.endsWith('/');
    const name = parts.pop();
    if (name === undefined)
      return { dir: from.dentry, dirAttr: from.attr, name: '', last: 'root', trailingSlash };
    const dir = parts.length ? yield* this.walk(from, parts.reverse(), true, true) : from;
    this.checkSearch(dir.attr);
    const last = name === '.' ? 'dot' : name === '..' ? 'dotdot' : 'normal';
    return { dir: dir.dentry, dirAttr: dir.attr, name, last, trailingSlash };
  }

  /**
   * Looks `name` up in directory `dir` (no `.`/`..`), stepping into a mount covering it; null if absent.
   * An over-long name fails here, when it is looked up, as in Linux (so rename's missing source is ENOENT
   * even when the target name is too long).
   */
  *lookup(dir: Dentry, name: string): Steps<Resolved | null> {
    if (name.length > NAME_MAX) throw fsError(ENAMETOOLONG, name);
    const cache = dir.mount.names;
    const gen = cache ? cache.generation : 0;
    const attr = yield* wait(dir.mount.fs.lookup(dir.ino, name));
    cache?.storeLookup(gen, dir.ino, name, attr);
    if (!attr) {
      dir.drop(name, true);
      return null;
    }
    if (cache && isDirMode(attr.mode)) cache.storeDir(gen, attr);
    const child = dir.child(name, attr.ino, isDirMode(attr.mode));
    if (!cache && dir.children.size > dir.recheckAt) yield* this.dropGone(dir);
    return yield* this.crossDown(child, attr);
  }

  /**
   * Drops the cached children of `dir` that its filesystem no longer has. A filesystem without a name cache
   * changes behind the VFS's back (procfs: /proc/<pid> goes with its process), and a name nobody looks up
   * again was never dropped: the cache grew by a directory with every process. Checked when the cache has
   * doubled since the last check, so each new directory costs about one lookup more.
   */
  private *dropGone(dir: Dentry): Steps<void> {
    for (const [name, cached] of [...dir.children]) {
      const attr = yield* wait(dir.mount.fs.lookup(dir.ino, name));
      if (attr?.ino !== cached.ino) dir.drop(name, true);
    }
    dir.recheckAt = Math.max(RECHECK_CHILDREN, 2 * dir.children.size);
  }

  /** `lookup`, answered from the mount's name cache when it can be. */
  private *lookupCached(dir: Dentry, name: string): Steps<Resolved | null> {
    const cache = dir.mount.names;
    const attr = cache && !this.noCache ? cache.lookup(dir.ino, name) : undefined;
    if (attr === undefined) return yield* this.lookup(dir, name);
    this.noteCached(dir.mount);
    if (attr === null) return null;
    this.cachedFinal = attr;
    return yield* this.crossDown(dir.child(name, attr.ino, isDirMode(attr.mode)), attr);
  }

  private noteCached(mount: Mount): void {
    this.cachedMounts.add(mount);
  }

  /** A directory's attributes for passing through it: from the name cache when it has them. */
  private *dirAttr(d: Dentry): Steps<FsAttr> {
    const cache = d.mount.names;
    if (cache && !this.noCache) {
      const attr = cache.dirAttr(d.ino);
      if (attr) {
        this.noteCached(d.mount);
        this.cachedFinal = attr;
        return attr;
      }
    }
    const gen = cache ? cache.generation : 0;
    const attr = yield* wait(d.mount.fs.getattr(d.ino));
    if (cache && isDirMode(attr.mode)) cache.storeDir(gen, attr);
    return attr;
  }

  /**
   * What a magic link (/proc/<pid>/fd/N, exe, cwd, root) leads to: the dentry itself (an open file's,
   * wherever it is now), the open file when it has no path (a pipe), null for an ordinary symlink. Counts
   * toward ELOOP.
   */
  *throughMagicLink(link: Resolved): Steps<Resolved | OpenFile | null> {
    const fs = link.dentry.mount.fs;
    const behind = fs instanceof Procfs ? fs.linkBehind(link.dentry.ino) : null;
    if (behind === null) return null;
    if (++this.links > MAXSYMLINKS) throw fsError(ELOOP, 'too many symlinks');
    const dentry = behind instanceof OpenFile ? behind.dentry : behind;
    if (!dentry) return behind as OpenFile;
    return { dentry, attr: yield* this.getattr(dentry) };
  }

  /** Counts one symlink expansion; ELOOP past MAXSYMLINKS. Returns the target, ENOENT when empty. */
  *readLinkCounted(link: Resolved): Steps<string> {
    if (++this.links > MAXSYMLINKS) throw fsError(ELOOP, 'too many symlinks');
    const target = yield* wait(link.dentry.mount.fs.readlink(link.dentry.ino));
    if (target.length === 0) throw fsError(ENOENT, 'empty symlink');
    return target;
  }

  *getattr(d: Dentry): Steps<FsAttr> {
    return yield* wait(d.mount.fs.getattr(d.ino));
  }

  private *startAt(start: Dentry, path: string): Steps<Resolved> {
    const dentry = path.startsWith('/') ? this.ctx.root : start;
    return { dentry, attr: yield* this.dirAttr(dentry) };
  }

  private checkSearch(attr: FsAttr): void {
    if (!isDirMode(attr.mode)) throw fsError(ENOTDIR);
    if (!mayAccess(this.ctx.cred, attr, MAY_EXEC, true)) throw fsError(EACCES, 'search');
  }

  /** Walks a reversed stack of components; symlink targets are pushed onto it as they are met. */
  private *walk(from: Resolved, stack: string[], followFinal: boolean, mustBeDir: boolean): Steps<Resolved> {
    let cur = from;
    let finalMustBeDir = mustBeDir;
    while (stack.length > 0) {
      const name = stack.pop() as string;
      const isLast = stack.length === 0;
      this.checkSearch(cur.attr);
      if (name === '.') continue;
      if (name === '..') {
        cur = yield* this.parentOf(cur);
        continue;
      }
      const child = yield* this.lookupCached(cur.dentry, name);
      if (!child) throw fsError(ENOENT, name);
      if (isLinkMode(child.attr.mode) && (!isLast || followFinal || finalMustBeDir)) {
        const magic = yield* this.throughMagicLink(child);
        if (magic instanceof OpenFile) {
          if (!isLast) throw fsError(ENOTDIR, 'a pipe is not a directory');
          this.pathlessFinal = magic;
          cur = child;
          continue;
        }
        if (magic !== null) {
          cur = magic;
          continue;
        }
        const target = yield* this.readLinkCounted(child);
        if (isLast && target.endsWith('/')) finalMustBeDir = true;
        pushComponentsLastFirst(stack, target);
        if (target.startsWith('/')) cur = yield* this.startAt(this.ctx.root, '/');
        continue;
      }
      cur = child;
    }
    if (finalMustBeDir && !isDirMode(cur.attr.mode)) throw fsError(ENOTDIR);
    return cur;
  }

  /** `..`: stays at the task's root; leaves mount roots through the covered directory. */
  *parentOf(cur: Resolved): Steps<Resolved> {
    const root = this.ctx.root;
    let d = cur.dentry;
    if (d.sameAs(root)) return cur;
    while (!d.parent && d.mount.mountpoint) {
      d = d.mount.mountpoint;
      if (d.sameAs(root)) return { dentry: d, attr: yield* this.dirAttr(d) };
    }
    const up = d.parent ?? d;
    return { dentry: up, attr: yield* this.dirAttr(up) };
  }

  private *crossDown(d: Dentry, attr: FsAttr): Steps<Resolved> {
    let mount = this.mounts.mountedOn(d);
    if (!mount) return { dentry: d, attr };
    let top = d;
    while (mount) {
      top = mount.root;
      mount = this.mounts.mountedOn(top);
    }
    return { dentry: top, attr: yield* this.dirAttr(top) };
  }
}
