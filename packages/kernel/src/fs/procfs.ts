/**
 * procfs: a FileSystem whose files are generated when read. The rest of the kernel fills it through a
 * provider API: `registerFile(path, generate)`, `registerSymlink(path, target)`, and one `pids` provider
 * that lists the live pids and gives each /proc/<pid> directory (its files, its exe/cwd/root links, its fd/
 * directory of links) from the process table, so nothing goes stale. A lookup in /proc finds its one entry
 * (a fixed name, `self` or a live pid) directly; only readdir builds the whole listing.
 *
 * How it works: a node is a file (a generator), a symlink (a target function) or a directory (fixed
 * children, or a function building them). Inode numbers are handed out per path the first time it is seen
 * and kept, so a path keeps its number while it exists; numbers are never reused. Those under a pid that is
 * gone are forgotten now and then (`sweepGonePids`), or every process ever looked up through /proc/self
 * (glibc does at start-up) would keep its paths' numbers for the life of the kernel. A read at
 * offset 0 generates the text and keeps it for that inode; reads further in use the kept text, so a reader
 * that reads in pieces sees one consistent snapshot (Linux's seq_file gives the same promise per open).
 * Layer: kernel VFS filesystems; the kernel mounts it over /proc. Entries written here: filesystems, mounts,
 * version, uptime, loadavg, self.
 */
import type { DirEntry, FileSystem, FsAttr, FsStatfs, Timespec } from '@kmos/abi-driver';
import { PAGE_SIZE } from '@kmos/abi-driver';
import {
  EACCES,
  EINVAL,
  EISDIR,
  ENOENT,
  ENOTDIR,
  EPERM,
  new_decode_dev,
  S_IFDIR,
  S_IFLNK,
  S_IFREG,
} from '@kmos/abi-linux';
import type { Dentry } from './dentry.js';
import { dtypeOf } from './file-type.js';
import { fsError } from './fs-error.js';
import type { MountTable } from './mount-table.js';
import type { OpenFile } from './open-file.js';

/** statfs f_type of procfs (PROC_SUPER_MAGIC in linux/magic.h). */
export const PROC_SUPER_MAGIC = 0x9fa0;
const NAME_MAX_BYTES = 255;
const ROOT_INO = 1;
/** Inode numbers handed out between two sweeps of the numbers of pids that are gone. */
const SWEEP_EVERY = 4096;
const ROOT_OWNER: ProcOwner = { uid: 0, gid: 0 };
const NO_CHILDREN: ProcChildren = new Map<string, ProcNode>();
const SLASH = 0x2f;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

export interface ProcOwner {
  readonly uid: number;
  readonly gid: number;
}

export type ProcNode =
  | {
      readonly kind: 'file';
      readonly generate: () => string;
      readonly mode?: number;
      readonly owner?: ProcOwner;
    }
  | {
      readonly kind: 'link';
      readonly target: () => string;
      readonly owner?: ProcOwner;
      /**
       * For /proc/<pid>/fd/N, exe, cwd and root: the open file or the dentry itself. Following the link
       * reaches it, not the path its text names (Linux's "magic links"): a pipe, a deleted file or a
       * directory outside the caller's root is reachable too, and no second walk is made.
       */
      readonly behind?: () => OpenFile | Dentry | null;
      /**
       * st_size as Linux gives it: 0 for /proc/self and a process's exe, cwd and root, 64 for fd/N. Absent:
       * the target's length, as for an ordinary symlink (and then lstat computes the target).
       */
      readonly sizeBytes?: number;
    }
  | {
      readonly kind: 'dir';
      readonly children: ProcChildren | (() => ProcChildren);
      readonly mode?: number;
      readonly owner?: ProcOwner;
    };

/**
 * A directory's entries: a Map serves, or an object that makes only the node asked for (/proc/<pid> and its
 * fd/: a walk through /proc/self/exe needs one entry of a process, and runs on every such exec).
 */
export interface ProcChildren {
  get(name: string): ProcNode | undefined;
  keys(): Iterable<string>;
}

/** What the process layer gives procfs: the pids alive now, each one's /proc/<pid> entries, and "self". */
export interface ProcPidProvider {
  list(): readonly number[];
  /** The entries of /proc/<pid>, or null when there is no such process. */
  entries(pid: number): ProcChildren | null;
  /** Owner of /proc/<pid> (the process's euid/egid). */
  owner(pid: number): ProcOwner;
  /** The pid of the task asking now (for /proc/self), or null outside a task. */
  current(): number | null;
  /** The tid of the thread asking now (for /proc/thread-self), or null outside a task. */
  currentThread(): number | null;
}

export const procFile = (generate: () => string, mode = 0o444): ProcNode => ({
  kind: 'file',
  generate,
  mode,
});
export const procLink = (
  target: () => string,
  magic?: { behind?: () => OpenFile | Dentry | null; sizeBytes: number },
): ProcNode => ({
  kind: 'link',
  target,
  behind: magic?.behind,
  sizeBytes: magic?.sizeBytes,
});
export const procDir = (children: ProcChildren | (() => ProcChildren), mode = 0o555): ProcNode => ({
  kind: 'dir',
  children,
  mode,
});

export interface ProcfsOptions {
  readonly clock: () => Timespec;
}

export class Procfs implements FileSystem {
  readonly rootIno = ROOT_INO;
  /** Fixed top-level and nested entries; written by register*. */
  private readonly fixed = new Map<string, ProcNode>();
  private pids: ProcPidProvider | null = null;
  private readonly inoByPath = new Map<string, number>([['', ROOT_INO]]);
  private readonly pathByIno = new Map<number, string>([[ROOT_INO, '']]);
  private nextIno = ROOT_INO + 1;
  /** The inode numbers handed out under each /proc/<pid> (the directory's own included). */
  private readonly inosOfPid = new Map<number, number[]>();
  /** Text generated at the last offset-0 read, per inode. */
  private readonly snapshots = new Map<number, Uint8Array>();

  constructor(private readonly options: ProcfsOptions) {}

  // ---- the provider API ------------------------------------------------------------------------------

  /** Adds a generated file at `path` (`meminfo`, `sys/kernel/hostname`); missing directories are made. */
  registerFile(path: string, generate: () => string, mode = 0o444): void {
    this.place(path, procFile(generate, mode));
  }

  registerSymlink(path: string, target: () => string): void {
    this.place(path, procLink(target));
  }

  /** Adds a node of any kind (a directory built on demand, say). */
  register(path: string, node: ProcNode): void {
    this.place(path, node);
  }

  setPidProvider(provider: ProcPidProvider): void {
    this.pids = provider;
  }

  // ---- FileSystem --------------------------------------------------------------------------------------

  getattr(ino: number): FsAttr {
    const path = this.pathByIno.get(ino);
    const node = path === undefined ? null : this.resolve(path);
    if (path === undefined || !node) throw fsError(ENOENT, `proc inode ${ino} is gone`);
    return this.attrOf(ino, path, node);
  }

  setattr(): FsAttr {
    throw fsError(EPERM, 'proc attributes are fixed');
  }

  lookup(dirIno: number, name: string): FsAttr | null {
    const dirPath = this.dirPath(dirIno);
    const node = dirPath === '' ? this.topChild(name) : this.childrenOf(dirPath).get(name);
    if (!node) return null;
    const path = dirPath ? `${dirPath}/${name}` : name;
    return this.attrOf(this.inoOf(path), path, node);
  }

  readdir(dirIno: number, cookie: number, maxEntries: number): DirEntry[] {
    const dirPath = this.dirPath(dirIno);
    const parentPath = dirPath.includes('/') ? dirPath.slice(0, dirPath.lastIndexOf('/')) : '';
    const all: DirEntry[] = [
      { name: '.', ino: dirIno, type: dtypeOf(S_IFDIR), cookie: 1 },
      { name: '..', ino: this.inoOf(parentPath), type: dtypeOf(S_IFDIR), cookie: 2 },
    ];
    const children = this.childrenOf(dirPath);
    for (const name of children.keys()) {
      const node = children.get(name);
      if (!node) continue; // gone since the listing was made (an fd closed)
      const path = dirPath ? `${dirPath}/${name}` : name;
      all.push({ name, ino: this.inoOf(path), type: dtypeOf(modeOf(node)), cookie: all.length + 1 });
    }
    return all.slice(cookie, cookie + maxEntries);
  }

  read(ino: number, offset: number, into: Uint8Array): number {
    const path = this.pathByIno.get(ino);
    const node = path === undefined ? null : this.resolve(path);
    if (!node) throw fsError(ENOENT);
    if (node.kind !== 'file') throw fsError(node.kind === 'dir' ? EISDIR : EINVAL);
    let text = this.snapshots.get(ino);
    if (offset === 0 || !text) {
      text = Buffer.from(node.generate(), 'latin1');
      this.snapshots.set(ino, text);
    }
    const n = Math.max(0, Math.min(into.length, text.length - offset));
    into.set(text.subarray(offset, offset + n));
    return n;
  }

  write(): number {
    throw fsError(EACCES, 'proc files are read-only');
  }

  /** What a magic link leads to (procLink's `behind`), or null for any other inode. */
  linkBehind(ino: number): OpenFile | Dentry | null {
    const path = this.pathByIno.get(ino);
    const node = path === undefined ? null : this.resolve(path);
    return node?.kind === 'link' && node.behind ? node.behind() : null;
  }

  readlink(ino: number): string {
    const path = this.pathByIno.get(ino);
    const node = path === undefined ? null : this.resolve(path);
    if (node?.kind !== 'link') throw fsError(node ? EINVAL : ENOENT);
    return node.target();
  }

  mknod(): FsAttr {
    throw fsError(EPERM);
  }

  mkdir(): FsAttr {
    throw fsError(EPERM);
  }

  symlink(): FsAttr {
    throw fsError(EPERM);
  }

  link(): FsAttr {
    throw fsError(EPERM);
  }

  unlink(): void {
    throw fsError(EPERM);
  }

  rmdir(): void {
    throw fsError(EPERM);
  }

  rename(): void {
    throw fsError(EPERM);
  }

  statfs(): FsStatfs {
    return {
      type: PROC_SUPER_MAGIC,
      blockSizeBytes: PAGE_SIZE,
      blocks: 0,
      blocksFree: 0,
      blocksAvailable: 0,
      files: 0,
      filesFree: 0,
      nameMaxBytes: NAME_MAX_BYTES,
    };
  }

  sync(): void {}

  release(ino: number): void {
    this.snapshots.delete(ino);
  }

  unmount(): void {
    this.snapshots.clear();
  }

  // ---- the tree ------------------------------------------------------------------------------------------

  private place(path: string, node: ProcNode): void {
    const parts = path.split('/').filter((p) => p.length > 0);
    const leaf = parts.pop();
    if (!leaf) throw fsError(EINVAL, 'procfs: empty path');
    let level = this.fixed;
    for (const part of parts) {
      let dir = level.get(part);
      if (!dir) {
        dir = procDir(new Map());
        level.set(part, dir);
      }
      if (dir.kind !== 'dir' || typeof dir.children === 'function') throw fsError(ENOTDIR, `procfs: ${path}`);
      level = dir.children as Map<string, ProcNode>;
    }
    level.set(leaf, node);
  }

  /** The children of a directory path, fixed ones and (at the top) the pid directories and self. */
  private childrenOf(dirPath: string): ProcChildren {
    if (dirPath === '') return this.topLevel();
    const node = this.resolve(dirPath);
    if (!node) throw fsError(ENOENT, `/proc/${dirPath}`);
    if (node.kind !== 'dir') throw fsError(ENOTDIR);
    return typeof node.children === 'function' ? node.children() : node.children;
  }

  private topLevel(): ProcChildren {
    if (!this.pids) return this.fixed;
    const all = new Map<string, ProcNode>();
    const pids = this.pids;
    for (const pid of pids.list()) {
      all.set(String(pid), {
        kind: 'dir',
        children: () => pids.entries(pid) ?? NO_CHILDREN,
        mode: 0o555,
        owner: pids.owner(pid),
      });
    }
    all.set('self', this.selfLink(pids));
    all.set('thread-self', this.threadSelfLink(pids));
    for (const [name, node] of this.fixed) all.set(name, node);
    return all;
  }

  /**
   * One entry of the top directory, found without building the whole listing (which `topLevel` does for
   * readdir): lookups of /proc/self and /proc/<pid> run on every walk through /proc.
   */
  private topChild(name: string): ProcNode | null {
    const fixed = this.fixed.get(name);
    if (fixed || !this.pids) return fixed ?? null;
    if (name === 'self') return this.selfLink(this.pids);
    if (name === 'thread-self') return this.threadSelfLink(this.pids);
    const pid = Number(name);
    if (!Number.isInteger(pid) || String(pid) !== name) return null;
    const entries = this.pids.entries(pid);
    return entries ? { kind: 'dir', children: entries, mode: 0o555, owner: this.pids.owner(pid) } : null;
  }

  private selfLink(pids: ProcPidProvider): ProcNode {
    return procLink(() => String(pids.current() ?? ''), { sizeBytes: 0 });
  }

  /** /proc/thread-self: <pid>/task/<tid> of the thread asking. */
  private threadSelfLink(pids: ProcPidProvider): ProcNode {
    const target = () => {
      const pid = pids.current();
      const tid = pids.currentThread();
      return pid === null || tid === null ? '' : `${pid}/task/${tid}`;
    };
    return procLink(target, { sizeBytes: 0 });
  }

  private resolve(path: string): ProcNode | null {
    if (path === '') return procDir(this.fixed);
    const parts = path.split('/');
    let node = this.topChild(parts[0]);
    for (let i = 1; i < parts.length; i++) {
      const part = parts[i];
      if (node?.kind !== 'dir') return null;
      const children = typeof node.children === 'function' ? node.children() : node.children;
      node = children.get(part) ?? null;
    }
    return node;
  }

  private dirPath(ino: number): string {
    const path = this.pathByIno.get(ino);
    if (path === undefined) throw fsError(ENOENT, `proc inode ${ino}`);
    return path;
  }

  private inoOf(path: string): number {
    let ino = this.inoByPath.get(path);
    if (ino === undefined) {
      ino = this.nextIno++;
      this.inoByPath.set(path, ino);
      this.pathByIno.set(ino, path);
      const pid = pidOfPath(path);
      if (pid !== null) {
        const inos = this.inosOfPid.get(pid);
        if (inos) inos.push(ino);
        else this.inosOfPid.set(pid, [ino]);
      }
      if ((ino - ROOT_INO) % SWEEP_EVERY === 0) this.sweepGonePids();
    }
    return ino;
  }

  /** Forgets the inode numbers (and kept snapshots) of every /proc/<pid> whose process is gone. */
  private sweepGonePids(): void {
    const pids = this.pids;
    if (!pids) return;
    for (const [pid, inos] of this.inosOfPid) {
      if (pids.entries(pid) !== null) continue;
      for (const ino of inos) {
        const path = this.pathByIno.get(ino);
        if (path !== undefined) this.inoByPath.delete(path);
        this.pathByIno.delete(ino);
        this.snapshots.delete(ino);
      }
      this.inosOfPid.delete(pid);
    }
  }

  /** Paths with an inode number now (what a long-running kernel must not let grow with every process). */
  get numberedPaths(): number {
    return this.pathByIno.size;
  }

  private attrOf(ino: number, path: string, node: ProcNode): FsAttr {
    const now = this.options.clock();
    const owner = node.owner ?? this.ownerOf(path);
    const isDirNode = node.kind === 'dir';
    return {
      ino,
      mode: modeOf(node),
      nlink: isDirNode ? 2 : 1,
      uid: owner.uid,
      gid: owner.gid,
      rdev: 0,
      sizeBytes: node.kind === 'link' ? (node.sizeBytes ?? node.target().length) : 0,
      blockSizeBytes: PAGE_SIZE,
      blocks: 0,
      atime: now,
      mtime: now,
      ctime: now,
    };
  }

  /** Files inside /proc/<pid> belong to that process's owner. */
  private ownerOf(path: string): ProcOwner {
    const pid = pidOfPath(path);
    return this.pids && pid !== null ? this.pids.owner(pid) : ROOT_OWNER;
  }
}

function modeOf(node: ProcNode): number {
  if (node.kind === 'link') return S_IFLNK | 0o777;
  if (node.kind === 'dir') return S_IFDIR | (node.mode ?? 0o555);
  return S_IFREG | (node.mode ?? 0o444);
}

// ---- the entries that need nothing from processes ----------------------------------------------------------

export interface ProcBasics {
  /** Filesystem types known to the kernel, and whether each needs a block device. */
  readonly filesystems: () => readonly { readonly fsType: string; readonly needsDevice: boolean }[];
  /** The text of /proc/version (one line, newline included or not). */
  readonly version: string;
  /** Seconds since boot and idle seconds, in guest time. */
  readonly uptime: () => { readonly upSeconds: number; readonly idleSeconds: number };
  /** 1, 5 and 15 minute load averages, runnable/total tasks, the last pid. */
  readonly loadavg: () => {
    readonly load: readonly [number, number, number];
    readonly runnable: number;
    readonly total: number;
    readonly lastPid: number;
  };
}

export function registerBasicEntries(proc: Procfs, basics: ProcBasics): void {
  proc.registerFile('filesystems', () => formatFilesystems(basics.filesystems()));
  // As in Linux, a link to the reader's own mounts (its mount namespace's; kmOS has one).
  proc.registerSymlink('mounts', () => 'self/mounts');
  proc.registerFile('version', () =>
    basics.version.endsWith('\n') ? basics.version : `${basics.version}\n`,
  );
  proc.registerFile('uptime', () => {
    const { upSeconds, idleSeconds } = basics.uptime();
    return `${upSeconds.toFixed(2)} ${idleSeconds.toFixed(2)}\n`;
  });
  proc.registerFile('loadavg', () => {
    const { load, runnable, total, lastPid } = basics.loadavg();
    return `${load.map((l) => l.toFixed(2)).join(' ')} ${runnable}/${total} ${lastPid}\n`;
  });
}

/** /proc/filesystems: `nodev` before types that need no device, a tab, the name. */
export function formatFilesystems(types: readonly { fsType: string; needsDevice: boolean }[]): string {
  return types.map((t) => `${t.needsDevice ? '' : 'nodev'}\t${t.fsType}\n`).join('');
}

/** /proc/mounts: `source mountpoint type options 0 0`, with space, tab, newline and backslash in octal. */
export function formatMounts(mounts: MountTable): string {
  return mounts.mounts
    .map((m) => {
      const where = m.mountpoint ? (mounts.pathOf(m.root) ?? '/') : '/';
      const options = [m.readOnly ? 'ro' : 'rw', m.info.options].filter((o) => o).join(',');
      return `${mangle(m.info.source)} ${mangle(where)} ${m.info.fsType} ${options} 0 0\n`;
    })
    .join('');
}

/** Options that are the mount's, not its filesystem's: mountinfo shows them before the separator. */
const PER_MOUNT_OPTIONS = new Set([
  'nosuid',
  'nodev',
  'noexec',
  'noatime',
  'nodiratime',
  'relatime',
  'nosymfollow',
]);

/**
 * /proc/<pid>/mountinfo: per mount visible from `root` (the process's root), its ID, its parent's (its own for
 * the namespace's root), st_dev, the root of the mount within its filesystem, where it is mounted relative to
 * `root`, the mount's options, no optional fields, then after " - " the type, source and the filesystem's options
 * (each side with rw or ro).
 * (kmOS has no bind mounts, so each mount's root is its filesystem's "/"; no atime flags, as strictatime.)
 */
export function formatMountInfo(mounts: MountTable, root: Dentry): string {
  return mounts.mounts
    .filter((m) => mounts.isBelow(m.root, root))
    .map((m) => {
      const { major, minor } = new_decode_dev(m.dev);
      const parent = m.parent?.id ?? m.id;
      const where = mounts.pathOf(m.root, root) ?? '/';
      const access = m.readOnly ? 'ro' : 'rw';
      const options = m.info.options ? m.info.options.split(',') : [];
      const perMount = [access, ...options.filter((o) => PER_MOUNT_OPTIONS.has(o))].join(',');
      const perFs = [access, ...options.filter((o) => !PER_MOUNT_OPTIONS.has(o))].join(',');
      return `${m.id} ${parent} ${major}:${minor} / ${mangle(where)} ${perMount} - ${m.info.fsType} ${mangle(m.info.source)} ${perFs}\n`;
    })
    .join('');
}

function mangle(field: string): string {
  return field.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** The pid of a path under /proc/<pid> (or of that directory), else null. */
function pidOfPath(path: string): number | null {
  let pid = 0;
  let i = 0;
  for (; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === SLASH) break;
    if (c < DIGIT_0 || c > DIGIT_9) return null;
    pid = pid * 10 + (c - DIGIT_0);
  }
  return i > 0 ? pid : null;
}
