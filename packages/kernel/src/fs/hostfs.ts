/**
 * hostfs: a FileSystem over a directory of the host (the root of `kmos run`: the host's tree, or --root DIR).
 *
 * How it works: inode numbers are the host's st_ino (for files on the root's host device; files on other
 * host devices get the device mixed into the number so two devices cannot collide). For every inode met,
 * the filesystem remembers one (parent inode, name) pair and builds the host path from the root by that
 * chain; rename keeps the chain right for everything below a moved directory. Only names the VFS hands in
 * are appended (never `.`, `..` or a name with `/`), and no call follows a symlink (lstat, lchown, lutimes,
 * O_NOFOLLOW), so the guest's path walk, which resolves symlinks in the guest's namespace, can never leave
 * the host root. Reads and writes go through host file descriptors cached per inode, least recently used
 * first out (MAX_OPEN_FDS); a read-only one outlives the guest's last close (a held descriptor also keeps
 * the host from reusing the inode number for another file, so the cache cannot hand out the wrong file,
 * only keep a file deleted on the host allocated until its descriptor is evicted). A regular file unlinked or renamed over keeps its descriptor pinned until the VFS
 * releases the inode, so open files stay readable after unlink as in Linux. Host errors keep their errno.
 * Calls are synchronous: node:fs sync calls on a local disk are faster than a promise round trip.
 * Layer: kernel VFS filesystems; implements the @kmos/abi-driver FileSystem with node:fs.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import type { DirEntry, FileSystem, FsAttr, FsAttrChanges, FsStatfs, Timespec } from '@kmos/abi-driver';
import { DT_DIR } from '@kmos/abi-driver';
import {
  EEXIST,
  EINVAL,
  EIO,
  EISDIR,
  ENOENT,
  EPERM,
  RENAME_EXCHANGE,
  RENAME_NOREPLACE,
  S_IFIFO,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
} from '@kmos/abi-linux';
import { dtypeOf, isDir, isReg, MODE_PERMISSION_MASK } from './file-type.js';
import { fsError } from './fs-error.js';
import { onHost } from './host-errno.js';
import { makeHostSocketNode } from './host-socket-node.js';

/** Host descriptors kept open for reads and writes; past this, the least recently used is closed. */
export const MAX_OPEN_FDS = 64;
const NAME_MAX_BYTES = 255;
const NS_PER_SEC = 1_000_000_000n;
/** Files on other host devices get the device index in the bits above the host inode number. */
const FOREIGN_DEV_SHIFT = 2 ** 40;
/** Deeper than any real tree: a cycle in the remembered names is a bug, reported as ENOENT. */
const MAX_DEPTH = 4096;
const SLASH = 0x2f;
const SEP = Buffer.from('/');
const EMPTY = Buffer.alloc(0);
const ASCII_END = 0x80;

/** Paths node may take as strings: ASCII only (no NUL), so its UTF-8 encoding is the guest's bytes. */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c >= ASCII_END) return false;
  }
  return true;
}

export interface HostfsOptions {
  /** The host directory that is this filesystem's root. */
  readonly hostRoot: string;
  readonly maxOpenFds?: number;
  /**
   * The guest's wall clock. Given, what the guest changes is stamped with it rather than with the host's
   * time (files written, created, truncated; directories whose entries change), so guest clock and file
   * times agree (`make`, `find -newer`, `test -nt`) even while the guest clock is counted in instructions.
   */
  readonly clock?: () => Timespec;
}

interface HostNode {
  readonly parent: number;
  readonly name: string;
}

interface CachedFd {
  readonly fd: number;
  readonly writable: boolean;
}

function ts(ns: bigint): Timespec {
  return { sec: Number(ns / NS_PER_SEC), nsec: Number(ns % NS_PER_SEC) };
}

function checkName(name: string): void {
  if (name.length === 0 || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw fsError(EINVAL, `hostfs: bad name ${JSON.stringify(name)}`);
  }
}

export class Hostfs implements FileSystem {
  readonly rootIno: number;
  /** The host root as bytes; guest names (latin1 byte strings) are appended as bytes. */
  private readonly rootPath: Buffer;
  /** The root as a string when it is ASCII (else null), and the separator to append names with. */
  private readonly rootText: string | null;
  private readonly rootSep: string;
  private readonly rootDev: bigint;
  private readonly foreignDevs = new Map<bigint, number>();
  /** Where each known inode was last seen. Written by lookup/readdir/create/rename/unlink. */
  private readonly nodes = new Map<number, HostNode>();
  /** Open host descriptors by inode, in least-recently-used order (Map order). */
  private readonly fds = new Map<number, CachedFd>();
  /** Descriptors of unlinked files that may still be open in the guest, until `release`. */
  private readonly pinned = new Map<number, CachedFd>();
  /**
   * Guest times of files written since their last stamp: what their mtime and ctime read as until the
   * stamp is put on the host file (at the last close, sync or unmount), so a stream of writes costs one
   * utimes, not one per write.
   */
  private readonly written = new Map<number, Timespec>();
  /** readdir snapshots, taken when a listing starts (cookie 0). */
  private readonly listings = new Map<number, DirEntry[]>();
  private readonly maxFds: number;
  private readonly clock: (() => Timespec) | null;

  constructor(options: HostfsOptions) {
    this.rootPath = Buffer.from(options.hostRoot.replace(/\/+$/, '') || '/');
    const rootText = this.rootPath.toString('latin1');
    this.rootText = isAscii(rootText) ? rootText : null;
    this.rootSep = this.rootPath.length === 1 && this.rootPath[0] === SLASH ? '' : '/';
    const st = onHost('lstat root', () => fs.statSync(this.rootPath, { bigint: true }));
    if (!st.isDirectory()) throw fsError(EINVAL, `hostfs root ${options.hostRoot} is not a directory`);
    this.rootDev = st.dev;
    this.rootIno = this.inoOf(st);
    this.nodes.set(this.rootIno, { parent: this.rootIno, name: '' });
    this.maxFds = options.maxOpenFds ?? MAX_OPEN_FDS;
    this.clock = options.clock ?? null;
  }

  getattr(ino: number): FsAttr {
    const pinned = this.pinned.get(ino);
    if (pinned) return this.attrOf(onHost('fstat', () => fs.fstatSync(pinned.fd, { bigint: true })));
    const st = this.lstatPath(this.pathOf(ino));
    if (!st || this.inoOf(st) !== ino) throw fsError(ENOENT, `hostfs inode ${ino} is gone`);
    return this.attrOf(st);
  }

  setattr(ino: number, changes: FsAttrChanges): FsAttr {
    const fd = this.pinned.get(ino)?.fd ?? null;
    const path = fd === null ? this.pathOf(ino) : null;
    const before = this.getattr(ino);
    if (changes.sizeBytes !== undefined) {
      this.truncate(ino, path, changes.sizeBytes);
      // A truncation that changes the size stamps the file (one that does not, does not: ext4's rule).
      if (!changes.mtime && changes.sizeBytes !== before.sizeBytes) this.noteWrite(ino);
    }
    if (changes.mode !== undefined) {
      const mode = changes.mode & MODE_PERMISSION_MASK;
      onHost('chmod', () => (path ? fs.chmodSync(path, mode) : fs.fchmodSync(fd as number, mode)));
    }
    if (changes.uid !== undefined || changes.gid !== undefined) {
      const uid = changes.uid ?? before.uid;
      const gid = changes.gid ?? before.gid;
      onHost('chown', () => (path ? fs.lchownSync(path, uid, gid) : fs.fchownSync(fd as number, uid, gid)));
    }
    if (changes.atime || changes.mtime) {
      // Times set outright replace a pending write stamp.
      if (changes.mtime) this.written.delete(ino);
      const at = toSeconds(changes.atime ?? before.atime);
      const mt = toSeconds(changes.mtime ?? before.mtime);
      onHost('utimes', () => (path ? fs.lutimesSync(path, at, mt) : fs.futimesSync(fd as number, at, mt)));
    }
    return this.getattr(ino);
  }

  lookup(dirIno: number, name: string): FsAttr | null {
    checkName(name);
    const st = this.lstatPath(this.childPath(dirIno, name));
    if (!st) return null;
    return this.remember(st, dirIno, name);
  }

  readdir(dirIno: number, cookie: number, maxEntries: number): DirEntry[] {
    let listing = this.listings.get(dirIno);
    if (!listing || cookie === 0) {
      listing = this.list(dirIno);
      this.listings.set(dirIno, listing);
    }
    return listing.slice(cookie, cookie + maxEntries);
  }

  read(ino: number, offset: number, into: Uint8Array): number {
    const { fd } = this.fdFor(ino, false);
    return onHost('read', () => fs.readSync(fd, into, 0, into.length, offset));
  }

  write(ino: number, offset: number, from: Uint8Array): number {
    const { fd } = this.fdFor(ino, true);
    const n = onHost('write', () => fs.writeSync(fd, from, 0, from.length, offset));
    this.noteWrite(ino);
    return n;
  }

  mknod(dirIno: number, name: string, mode: number, uid: number, gid: number, rdev: number): FsAttr {
    checkName(name);
    const path = this.childPath(dirIno, name);
    const type = mode & S_IFMT || S_IFREG;
    const perm = mode & MODE_PERMISSION_MASK;
    if (type === S_IFREG) {
      const flags =
        fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW;
      onHost('create', () => fs.closeSync(fs.openSync(path, flags, perm)));
    } else if (type === S_IFIFO) {
      this.mkfifo(path, perm);
    } else if (type === S_IFSOCK) {
      makeHostSocketNode(this.utf8Name(path, 'socket'), perm);
    } else {
      void rdev;
      throw fsError(EPERM, 'hostfs: device nodes cannot be made on the host');
    }
    return this.finishCreate(dirIno, name, path, perm, uid, gid);
  }

  mkdir(dirIno: number, name: string, mode: number, uid: number, gid: number): FsAttr {
    checkName(name);
    const path = this.childPath(dirIno, name);
    const perm = mode & MODE_PERMISSION_MASK;
    onHost('mkdir', () => fs.mkdirSync(path, perm));
    return this.finishCreate(dirIno, name, path, perm, uid, gid);
  }

  symlink(dirIno: number, name: string, target: string, uid: number, gid: number): FsAttr {
    checkName(name);
    const path = this.childPath(dirIno, name);
    onHost('symlink', () => fs.symlinkSync(Buffer.from(target, 'latin1'), path));
    return this.finishCreate(dirIno, name, path, null, uid, gid);
  }

  readlink(ino: number): string {
    const target = onHost('readlink', () => fs.readlinkSync(this.pathOf(ino), { encoding: 'buffer' }));
    return target.toString('latin1');
  }

  link(ino: number, dirIno: number, name: string): FsAttr {
    checkName(name);
    if (this.pinned.has(ino)) throw fsError(ENOENT, 'hostfs: link of an unlinked file');
    const path = this.childPath(dirIno, name);
    onHost('link', () => fs.linkSync(this.pathOf(ino), path));
    this.stampDirectory(dirIno);
    return this.remember(this.mustLstat(path), dirIno, name);
  }

  unlink(dirIno: number, name: string): void {
    checkName(name);
    const path = this.childPath(dirIno, name);
    const st = this.mustLstat(path);
    if (st.isFile()) this.pin(this.inoOf(st));
    onHost('unlink', () => fs.unlinkSync(path));
    this.forget(this.inoOf(st), dirIno, name);
    this.stampDirectory(dirIno);
  }

  rmdir(dirIno: number, name: string): void {
    checkName(name);
    const path = this.childPath(dirIno, name);
    const st = this.mustLstat(path);
    onHost('rmdir', () => fs.rmdirSync(path));
    this.forget(this.inoOf(st), dirIno, name);
    this.stampDirectory(dirIno);
  }

  rename(fromDirIno: number, fromName: string, toDirIno: number, toName: string, flags: number): void {
    checkName(fromName);
    checkName(toName);
    const from = this.childPath(fromDirIno, fromName);
    const to = this.childPath(toDirIno, toName);
    const src = this.mustLstat(from);
    const dst = this.lstatPath(to);
    if (flags & RENAME_EXCHANGE) {
      this.exchange(src, dst, fromDirIno, fromName, toDirIno, toName);
      return;
    }
    if (flags & RENAME_NOREPLACE && dst) throw fsError(EEXIST, toName);
    if (dst?.isFile() && this.inoOf(dst) !== this.inoOf(src)) this.pin(this.inoOf(dst));
    onHost('rename', () => fs.renameSync(from, to));
    if (dst && this.inoOf(dst) !== this.inoOf(src)) this.forget(this.inoOf(dst), toDirIno, toName);
    this.nodes.set(this.inoOf(src), { parent: toDirIno, name: toName });
    this.stampDirectory(fromDirIno);
    if (toDirIno !== fromDirIno) this.stampDirectory(toDirIno);
  }

  statfs(): FsStatfs {
    const s = onHost('statfs', () => fs.statfsSync(this.rootPath));
    return {
      type: s.type,
      blockSizeBytes: s.bsize,
      blocks: s.blocks,
      blocksFree: s.bfree,
      blocksAvailable: s.bavail,
      files: s.files,
      filesFree: s.ffree,
      nameMaxBytes: NAME_MAX_BYTES,
    };
  }

  sync(ino: number | null): void {
    const entries =
      ino === null
        ? [...this.fds.values(), ...this.pinned.values()]
        : [this.fds.get(ino) ?? this.pinned.get(ino)];
    for (const each of ino === null ? [...this.written.keys()] : [ino]) this.putWriteStamp(each);
    for (const entry of entries) if (entry?.writable) onHost('fsync', () => fs.fsyncSync(entry.fd));
  }

  /**
   * The guest closed its last file on `ino`. A read-only descriptor stays in the cache (the next exec or
   * open of the same program reads through it without an open(2)); a writable one is closed, so the host
   * never sees kmOS holding a file open for writing (exec of it would fail with ETXTBSY).
   */
  release(ino: number): void {
    this.putWriteStamp(ino);
    const pinned = this.pinned.get(ino);
    if (pinned) {
      this.pinned.delete(ino);
      fs.closeSync(pinned.fd);
    }
    if (this.fds.get(ino)?.writable) this.closeCached(ino);
    this.listings.delete(ino);
  }

  unmount(): void {
    for (const ino of [...this.written.keys()]) this.putWriteStamp(ino);
    for (const ino of [...this.fds.keys()]) this.closeCached(ino);
    for (const ino of [...this.pinned.keys()]) this.release(ino);
    this.nodes.clear();
  }

  /** Host descriptors held now (for tests and /proc). */
  get openFds(): number {
    return this.fds.size + this.pinned.size;
  }

  // ---- inode numbers and paths ----------------------------------------------------------------------

  private inoOf(st: fs.BigIntStats): number {
    if (st.dev === this.rootDev) return Number(st.ino);
    let index = this.foreignDevs.get(st.dev);
    if (index === undefined) {
      index = this.foreignDevs.size + 1;
      this.foreignDevs.set(st.dev, index);
    }
    return index * FOREIGN_DEV_SHIFT + (Number(st.ino) % FOREIGN_DEV_SHIFT);
  }

  private attrOf(st: fs.BigIntStats): FsAttr {
    const ino = this.inoOf(st);
    const written = this.written.get(ino);
    return {
      ino,
      mode: Number(st.mode),
      nlink: Number(st.nlink),
      uid: Number(st.uid),
      gid: Number(st.gid),
      rdev: Number(st.rdev),
      sizeBytes: Number(st.size),
      blockSizeBytes: Number(st.blksize),
      blocks: Number(st.blocks),
      atime: ts(st.atimeNs),
      mtime: written ?? ts(st.mtimeNs),
      ctime: written ?? ts(st.ctimeNs),
    };
  }

  /** A write or truncation at guest time: remembered, put on the host file later (putWriteStamp). */
  private noteWrite(ino: number): void {
    const now = this.clock?.();
    if (now) this.written.set(ino, now);
  }

  /** Puts a pending write stamp on the host file (its atime kept). */
  private putWriteStamp(ino: number): void {
    const mtime = this.written.get(ino);
    if (!mtime) return;
    this.written.delete(ino);
    const fd = this.pinned.get(ino)?.fd ?? this.fds.get(ino)?.fd ?? null;
    try {
      const st = fd === null ? this.lstatPath(this.pathOf(ino)) : fs.fstatSync(fd, { bigint: true });
      if (!st) return;
      const atime = toSeconds(ts(st.atimeNs));
      if (fd === null) fs.lutimesSync(this.pathOf(ino), atime, toSeconds(mtime));
      else fs.futimesSync(fd, atime, toSeconds(mtime));
    } catch {
      // The file went away on the host side: nothing to stamp.
    }
  }

  /** A new or changed entry at guest time: the directory's mtime (and a new node's times) now. */
  private stampDirectory(dirIno: number): void {
    const now = this.clock?.();
    if (!now) return;
    try {
      const path = this.pathOf(dirIno);
      const st = this.lstatPath(path);
      if (st) fs.lutimesSync(path, toSeconds(ts(st.atimeNs)), toSeconds(now));
    } catch {
      // A directory the host removed meanwhile: nothing to stamp.
    }
  }

  private stampNew(path: Buffer | string): void {
    const now = this.clock?.();
    if (!now) return;
    const seconds = toSeconds(now);
    onHost('utimes', () => fs.lutimesSync(path, seconds, seconds));
  }

  private remember(st: fs.BigIntStats, dirIno: number, name: string): FsAttr {
    const attr = this.attrOf(st);
    if (attr.ino !== this.rootIno) this.nodes.set(attr.ino, { parent: dirIno, name });
    return attr;
  }

  private forget(ino: number, dirIno: number, name: string): void {
    const node = this.nodes.get(ino);
    if (node && node.parent === dirIno && node.name === name) this.nodes.delete(ino);
    this.listings.delete(ino);
  }

  /** The names from the root to an inode, along remembered (parent, name) pairs. */
  private namesOf(ino: number): string[] {
    const names: string[] = [];
    for (let cur = ino, depth = 0; cur !== this.rootIno; depth++) {
      const node = this.nodes.get(cur);
      if (!node || depth > MAX_DEPTH) throw fsError(ENOENT, `hostfs: inode ${ino} has no known path`);
      names.push(node.name);
      cur = node.parent;
    }
    return names.reverse();
  }

  private pathOf(ino: number): Buffer | string {
    return this.hostPath(this.namesOf(ino));
  }

  private childPath(dirIno: number, name: string): Buffer | string {
    return this.hostPath([...this.namesOf(dirIno), name]);
  }

  /**
   * Host paths are bytes: the root as given, then the guest's names (latin1 byte strings) byte for byte.
   * An all-ASCII path goes to node as a string, which it encodes to the same bytes more cheaply than it
   * takes a Buffer (a third of an lstat's cost on a short path).
   */
  private hostPath(names: string[]): Buffer | string {
    if (names.length === 0) return this.rootText ?? this.rootPath;
    const tail = names.join('/');
    if (this.rootText !== null && isAscii(tail)) return `${this.rootText}${this.rootSep}${tail}`;
    return Buffer.concat([this.rootPath, this.rootSep ? SEP : EMPTY, Buffer.from(tail, 'latin1')]);
  }

  private lstatPath(path: Buffer | string): fs.BigIntStats | null {
    return onHost('lstat', () => fs.lstatSync(path, { bigint: true, throwIfNoEntry: false }) ?? null);
  }

  private mustLstat(path: Buffer | string): fs.BigIntStats {
    const st = this.lstatPath(path);
    if (!st) throw fsError(ENOENT, typeof path === 'string' ? path : path.toString('latin1'));
    return st;
  }

  private list(dirIno: number): DirEntry[] {
    const path = this.pathOf(dirIno);
    const names = onHost('readdir', () => fs.readdirSync(path, { encoding: 'buffer' }));
    const parent = this.nodes.get(dirIno)?.parent ?? dirIno;
    const out: DirEntry[] = [
      { name: '.', ino: dirIno, type: DT_DIR, cookie: 1 },
      { name: '..', ino: parent, type: DT_DIR, cookie: 2 },
    ];
    for (const raw of names) {
      const name = raw.toString('latin1');
      const st = this.lstatPath(this.childPath(dirIno, name));
      if (!st) continue;
      const attr = this.remember(st, dirIno, name);
      out.push({ name, ino: attr.ino, type: dtypeOf(attr.mode), cookie: out.length + 1 });
    }
    return out;
  }

  // ---- creation helpers ----------------------------------------------------------------------------------

  /** After a create: exact mode bits (the host umask must not apply) and the guest's owner, when we may. */
  private finishCreate(
    dirIno: number,
    name: string,
    path: Buffer | string,
    perm: number | null,
    uid: number,
    gid: number,
  ) {
    const p = path;
    if (perm !== null) onHost('chmod', () => fs.chmodSync(p, perm));
    this.stampNew(path);
    this.stampDirectory(dirIno);
    const st = this.mustLstat(path);
    if (Number(st.uid) !== uid || Number(st.gid) !== gid) {
      try {
        fs.lchownSync(p, uid, gid);
      } catch {
        // An unprivileged host user cannot give files away; the guest then sees the host's owner.
      }
    }
    this.listings.delete(dirIno);
    return this.remember(this.mustLstat(path), dirIno, name);
  }

  /** A host path as the text node's child-process and socket APIs take: EPERM when it is not UTF-8. */
  private utf8Name(path: Buffer | string, what: string): string {
    const bytes = typeof path === 'string' ? Buffer.from(path, 'latin1') : path;
    const asText = bytes.toString('utf8');
    if (!Buffer.from(asText, 'utf8').equals(bytes)) throw fsError(EPERM, `hostfs: ${what} name is not UTF-8`);
    return asText;
  }

  private mkfifo(path: Buffer | string, perm: number): void {
    const asText = this.utf8Name(path, 'FIFO');
    // node has no mkfifo(3): the coreutils tool makes it (finishCreate then sets the exact mode bits).
    try {
      execFileSync('mkfifo', ['-m', (perm & 0o777).toString(8), '--', asText], { stdio: 'ignore' });
    } catch {
      throw fsError(EIO, 'hostfs: mkfifo failed');
    }
  }

  // ---- descriptors ---------------------------------------------------------------------------------------

  private fdFor(ino: number, write: boolean): CachedFd {
    const pinned = this.pinned.get(ino);
    if (pinned && (pinned.writable || !write)) return pinned;
    const cached = this.fds.get(ino);
    if (cached && (cached.writable || !write)) {
      this.fds.delete(ino);
      this.fds.set(ino, cached);
      return cached;
    }
    if (pinned) throw fsError(EPERM, 'hostfs: unlinked file was open read-only on the host');
    if (cached) this.closeCached(ino);
    return this.openFd(ino, write);
  }

  private openFd(ino: number, write: boolean): CachedFd {
    const path = this.pathOf(ino);
    const { O_RDONLY, O_RDWR, O_NOFOLLOW } = fs.constants;
    const attr = this.getattr(ino);
    if (!isReg(attr.mode))
      throw fsError(isDir(attr.mode) ? EISDIR : EINVAL, 'hostfs: read/write of a non-file');
    const fd = onHost('open', () => fs.openSync(path, (write ? O_RDWR : O_RDONLY) | O_NOFOLLOW));
    const entry = { fd, writable: write };
    this.fds.set(ino, entry);
    while (this.fds.size > this.maxFds) this.closeCached(this.fds.keys().next().value as number);
    return entry;
  }

  private closeCached(ino: number): void {
    const entry = this.fds.get(ino);
    if (!entry) return;
    this.fds.delete(ino);
    fs.closeSync(entry.fd);
  }

  /** Keeps a descriptor on a file about to lose a name, so guest files open on it stay usable. */
  private pin(ino: number): void {
    if (this.pinned.has(ino)) return;
    let entry = this.fds.get(ino);
    if (entry) this.fds.delete(ino);
    else {
      const path = this.pathOf(ino);
      const { O_RDONLY, O_RDWR, O_NOFOLLOW } = fs.constants;
      let fd: number;
      try {
        fd = fs.openSync(path, O_RDWR | O_NOFOLLOW);
        entry = { fd, writable: true };
      } catch {
        fd = onHost('open', () => fs.openSync(path, O_RDONLY | O_NOFOLLOW));
        entry = { fd, writable: false };
      }
    }
    this.pinned.set(ino, entry);
  }

  private truncate(ino: number, path: Buffer | string | null, sizeBytes: number): void {
    if (path === null) {
      const fd = (this.pinned.get(ino) as CachedFd).fd;
      onHost('ftruncate', () => fs.ftruncateSync(fd, sizeBytes));
      return;
    }
    const { fd } = this.fdFor(ino, true);
    onHost('ftruncate', () => fs.ftruncateSync(fd, sizeBytes));
  }

  private exchange(
    src: fs.BigIntStats,
    dst: fs.BigIntStats | null,
    fromDirIno: number,
    fromName: string,
    toDirIno: number,
    toName: string,
  ): void {
    if (!dst) throw fsError(ENOENT, toName);
    const from = this.childPath(fromDirIno, fromName);
    const to = this.childPath(toDirIno, toName);
    const tmp = this.childPath(fromDirIno, `.kmos-exchange-${process.pid}-${this.inoOf(src)}`);
    // node has no renameat2: three renames, not atomic on the host, but the guest sees one step.
    onHost('rename', () => fs.renameSync(from, tmp));
    onHost('rename', () => fs.renameSync(to, from));
    onHost('rename', () => fs.renameSync(tmp, to));
    this.nodes.set(this.inoOf(src), { parent: toDirIno, name: toName });
    this.nodes.set(this.inoOf(dst), { parent: fromDirIno, name: fromName });
  }
}

function toSeconds(t: Timespec): number {
  return t.sec + t.nsec / 1e9;
}
