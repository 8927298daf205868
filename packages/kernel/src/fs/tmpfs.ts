/**
 * tmpfs: a FileSystem kept entirely in kernel memory. Used for /tmp, /dev/shm and as devfs's store.
 *
 * How it works: inodes live in a map by number. A regular file's data is a sparse map of 4 KiB pages (a
 * missing page reads as zeros: holes cost nothing, as in Linux's shmem); st_blocks counts the pages held.
 * A directory is an insertion-ordered map of names; each entry carries a cookie from the directory's
 * counter, so readdir continues correctly while entries come and go (cookies 1 and 2 are `.` and `..`).
 * Link counts follow UNIX: a directory has 2 + its subdirectories. An inode whose last link goes stays until
 * the VFS calls `release` (it may still be open). Timestamps come from the clock passed in (guest time).
 * Permission checks are the VFS's; this file enforces the namespace rules (EEXIST, ENOTEMPTY, rename's
 * type rules, moving a directory below itself). The data lives on the JS heap for now (see the report on
 * moving it to page-allocator pages). Layer: kernel VFS filesystems; implements @kmos/abi-driver FileSystem.
 */
import {
  type DirEntry,
  type FileSystem,
  type FsAttr,
  type FsAttrChanges,
  type FsStatfs,
  PAGE_SIZE,
  RENAME_EXCHANGE,
  RENAME_NOREPLACE,
  type Timespec,
} from '@kmos/abi-driver';
import {
  EEXIST,
  EFBIG,
  EINVAL,
  EISDIR,
  ENOENT,
  ENOSPC,
  ENOTDIR,
  ENOTEMPTY,
  ENXIO,
  EPERM,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
} from '@kmos/abi-linux';
import { dtypeOf, isDir, isLnk, isReg, MODE_PERMISSION_MASK } from './file-type.js';
import { fsError } from './fs-error.js';

/** statfs f_type of tmpfs (TMPFS_MAGIC in linux/magic.h). */
export const TMPFS_MAGIC = 0x01021994;
const SECTOR_BYTES = 512;
const BLOCKS_PER_PAGE = PAGE_SIZE / SECTOR_BYTES;
const FIRST_ENTRY_COOKIE = 3;
const NAME_MAX_BYTES = 255;
/** The largest file tmpfs keeps: offsets stay exact JS integers. */
const MAX_FILE_BYTES = 2 ** 44;

export interface TmpfsOptions {
  /** Guest time for timestamps. */
  readonly clock: () => Timespec;
  /** The root directory's mode bits (type added); Linux's default is 01777. */
  readonly rootMode?: number;
  readonly rootUid?: number;
  readonly rootGid?: number;
  /** Data limit (the size= option); ENOSPC past it. Default: unlimited, statfs reports this many bytes. */
  readonly maxBytes?: number;
  readonly maxInodes?: number;
}

interface DirSlot {
  readonly ino: number;
  readonly cookie: number;
}

/** One inode. Fields are written by the Tmpfs methods only. */
class TmpInode {
  nlink = 0;
  sizeBytes = 0;
  rdev = 0;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  /** Regular files: page index → 4 KiB page. */
  pages: Map<number, Uint8Array> | null = null;
  /** Directories: name → entry, in cookie order. */
  entries: Map<string, DirSlot> | null = null;
  nextCookie = FIRST_ENTRY_COOKIE;
  /** Directories: the containing directory (itself for the root). */
  parent = 0;
  target = '';

  constructor(
    readonly ino: number,
    public mode: number,
    public uid: number,
    public gid: number,
    now: Timespec,
  ) {
    this.atime = now;
    this.mtime = now;
    this.ctime = now;
  }
}

export class Tmpfs implements FileSystem {
  readonly rootIno = 1;
  private readonly inodes = new Map<number, TmpInode>();
  private nextIno = 2;
  private pagesHeld = 0;

  constructor(private readonly options: TmpfsOptions) {
    const root = new TmpInode(
      this.rootIno,
      S_IFDIR | ((options.rootMode ?? 0o1777) & MODE_PERMISSION_MASK),
      options.rootUid ?? 0,
      options.rootGid ?? 0,
      options.clock(),
    );
    root.entries = new Map();
    root.parent = this.rootIno;
    root.nlink = 2;
    this.inodes.set(root.ino, root);
  }

  getattr(ino: number): FsAttr {
    return this.attrOf(this.inode(ino));
  }

  setattr(ino: number, changes: FsAttrChanges): FsAttr {
    const node = this.inode(ino);
    if (changes.sizeBytes !== undefined) this.truncate(node, changes.sizeBytes);
    if (changes.mode !== undefined) node.mode = (node.mode & S_IFMT) | (changes.mode & MODE_PERMISSION_MASK);
    if (changes.uid !== undefined) node.uid = changes.uid;
    if (changes.gid !== undefined) node.gid = changes.gid;
    if (changes.atime) node.atime = changes.atime;
    if (changes.mtime) node.mtime = changes.mtime;
    node.ctime = this.options.clock();
    return this.attrOf(node);
  }

  lookup(dirIno: number, name: string): FsAttr | null {
    const slot = this.dir(dirIno).entries?.get(name);
    return slot ? this.attrOf(this.inode(slot.ino)) : null;
  }

  readdir(dirIno: number, cookie: number, maxEntries: number): DirEntry[] {
    const dir = this.dir(dirIno);
    const out: DirEntry[] = [];
    if (cookie < 1 && out.length < maxEntries)
      out.push({ name: '.', ino: dir.ino, type: dtypeOf(dir.mode), cookie: 1 });
    if (cookie < 2 && out.length < maxEntries) {
      out.push({ name: '..', ino: dir.parent, type: dtypeOf(S_IFDIR), cookie: 2 });
    }
    for (const [name, slot] of dir.entries as Map<string, DirSlot>) {
      if (out.length >= maxEntries) break;
      if (slot.cookie <= cookie) continue;
      out.push({ name, ino: slot.ino, type: dtypeOf(this.inode(slot.ino).mode), cookie: slot.cookie });
    }
    return out;
  }

  read(ino: number, offset: number, into: Uint8Array): number {
    const node = this.inode(ino);
    if (isDir(node.mode)) throw fsError(EISDIR);
    const count = Math.max(0, Math.min(into.length, node.sizeBytes - offset));
    for (let done = 0; done < count; ) {
      const at = offset + done;
      const inPage = at % PAGE_SIZE;
      const n = Math.min(count - done, PAGE_SIZE - inPage);
      const page = node.pages?.get(Math.floor(at / PAGE_SIZE));
      if (page) into.set(page.subarray(inPage, inPage + n), done);
      else into.fill(0, done, done + n);
      done += n;
    }
    this.touchAtime(node);
    return count;
  }

  write(ino: number, offset: number, from: Uint8Array): number {
    const node = this.inode(ino);
    if (!isReg(node.mode)) throw fsError(isDir(node.mode) ? EISDIR : EINVAL);
    if (offset + from.length > MAX_FILE_BYTES) throw fsError(EFBIG);
    for (let done = 0; done < from.length; ) {
      const at = offset + done;
      const inPage = at % PAGE_SIZE;
      const n = Math.min(from.length - done, PAGE_SIZE - inPage);
      this.page(node, Math.floor(at / PAGE_SIZE)).set(from.subarray(done, done + n), inPage);
      done += n;
    }
    if (from.length > 0) node.sizeBytes = Math.max(node.sizeBytes, offset + from.length);
    node.mtime = node.ctime = this.options.clock();
    return from.length;
  }

  mknod(dirIno: number, name: string, mode: number, uid: number, gid: number, rdev: number): FsAttr {
    const type = mode & S_IFMT || S_IFREG;
    if (type === S_IFDIR || type === S_IFLNK) throw fsError(EINVAL, 'mknod of a directory or symlink');
    const node = this.create(dirIno, name, type | (mode & MODE_PERMISSION_MASK), uid, gid);
    node.rdev = rdev;
    if (isReg(type)) node.pages = new Map();
    return this.attrOf(node);
  }

  mkdir(dirIno: number, name: string, mode: number, uid: number, gid: number): FsAttr {
    const node = this.create(dirIno, name, S_IFDIR | (mode & MODE_PERMISSION_MASK), uid, gid);
    node.entries = new Map();
    node.parent = dirIno;
    node.nlink = 2;
    this.inode(dirIno).nlink++;
    return this.attrOf(node);
  }

  symlink(dirIno: number, name: string, target: string, uid: number, gid: number): FsAttr {
    const node = this.create(dirIno, name, S_IFLNK | 0o777, uid, gid);
    node.target = target;
    node.sizeBytes = target.length;
    return this.attrOf(node);
  }

  readlink(ino: number): string {
    const node = this.inode(ino);
    if (!isLnk(node.mode)) throw fsError(EINVAL, 'not a symlink');
    return node.target;
  }

  link(ino: number, dirIno: number, name: string): FsAttr {
    const node = this.inode(ino);
    if (isDir(node.mode)) throw fsError(EPERM, 'link of a directory');
    const dir = this.dir(dirIno);
    if (dir.entries?.has(name)) throw fsError(EEXIST, name);
    this.insert(dir, name, node);
    node.ctime = this.options.clock();
    return this.attrOf(node);
  }

  unlink(dirIno: number, name: string): void {
    const dir = this.dir(dirIno);
    const node = this.entryNode(dir, name);
    if (isDir(node.mode)) throw fsError(EISDIR, name);
    this.remove(dir, name, node);
  }

  rmdir(dirIno: number, name: string): void {
    const dir = this.dir(dirIno);
    const node = this.entryNode(dir, name);
    if (!isDir(node.mode)) throw fsError(ENOTDIR, name);
    if ((node.entries as Map<string, DirSlot>).size > 0) throw fsError(ENOTEMPTY, name);
    this.remove(dir, name, node);
    dir.nlink--;
    node.nlink = 0;
  }

  rename(fromDirIno: number, fromName: string, toDirIno: number, toName: string, flags: number): void {
    if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE) || flags === (RENAME_NOREPLACE | RENAME_EXCHANGE)) {
      throw fsError(EINVAL, 'rename flags');
    }
    const fromDir = this.dir(fromDirIno);
    const toDir = this.dir(toDirIno);
    const src = this.entryNode(fromDir, fromName);
    const slot = toDir.entries?.get(toName);
    const dst = slot ? this.inode(slot.ino) : null;
    if (flags & RENAME_EXCHANGE) {
      this.exchange(fromDir, fromName, src, toDir, toName, dst);
      return;
    }
    if (dst && flags & RENAME_NOREPLACE) throw fsError(EEXIST, toName);
    if (dst === src) return;
    if (isDir(src.mode)) this.checkDirMove(src, toDir, dst);
    else if (dst && isDir(dst.mode)) throw fsError(EISDIR, toName);
    if (dst) {
      this.remove(toDir, toName, dst);
      if (isDir(dst.mode)) {
        toDir.nlink--;
        dst.nlink = 0;
      }
    }
    this.detach(fromDir, fromName);
    this.insert(toDir, toName, src);
    src.nlink--;
    this.reparent(src, fromDir, toDir);
    src.ctime = this.options.clock();
  }

  /**
   * SEEK_DATA / SEEK_HOLE at page granularity, as Linux's shmem answers them (not in the driver ABI; the VFS
   * uses it when a filesystem has it). ENXIO at or past the end.
   */
  seekDataHole(ino: number, offset: number, data: boolean): number {
    const node = this.inode(ino);
    if (offset < 0 || offset >= node.sizeBytes) throw fsError(ENXIO);
    const pages = node.pages ?? new Map<number, Uint8Array>();
    const lastPage = Math.ceil(node.sizeBytes / PAGE_SIZE);
    for (let page = Math.floor(offset / PAGE_SIZE); page < lastPage; page++) {
      if (pages.has(page) === data) return Math.min(node.sizeBytes, Math.max(offset, page * PAGE_SIZE));
    }
    if (data) throw fsError(ENXIO);
    return node.sizeBytes;
  }

  statfs(): FsStatfs {
    const totalPages = Math.ceil((this.options.maxBytes ?? 2 ** 31) / PAGE_SIZE);
    const totalInodes = this.options.maxInodes ?? 2 ** 20;
    return {
      type: TMPFS_MAGIC,
      blockSizeBytes: PAGE_SIZE,
      blocks: totalPages,
      blocksFree: Math.max(0, totalPages - this.pagesHeld),
      blocksAvailable: Math.max(0, totalPages - this.pagesHeld),
      files: totalInodes,
      filesFree: Math.max(0, totalInodes - this.inodes.size),
      nameMaxBytes: NAME_MAX_BYTES,
    };
  }

  sync(): void {}

  release(ino: number): void {
    const node = this.inodes.get(ino);
    if (!node || node.nlink > 0) return;
    this.pagesHeld -= node.pages?.size ?? 0;
    this.inodes.delete(ino);
  }

  unmount(): void {
    this.inodes.clear();
    this.pagesHeld = 0;
  }

  /** Pages of file data held now (for /proc/meminfo's Shmem line). */
  get dataPages(): number {
    return this.pagesHeld;
  }

  private inode(ino: number): TmpInode {
    const node = this.inodes.get(ino);
    if (!node) throw fsError(ENOENT, `tmpfs inode ${ino}`);
    return node;
  }

  private dir(ino: number): TmpInode {
    const node = this.inode(ino);
    if (!node.entries) throw fsError(ENOTDIR);
    return node;
  }

  private entryNode(dir: TmpInode, name: string): TmpInode {
    const slot = dir.entries?.get(name);
    if (!slot) throw fsError(ENOENT, name);
    return this.inode(slot.ino);
  }

  private attrOf(node: TmpInode): FsAttr {
    return {
      ino: node.ino,
      mode: node.mode,
      nlink: node.nlink,
      uid: node.uid,
      gid: node.gid,
      rdev: node.rdev,
      sizeBytes: node.entries ? this.dirSize(node) : node.sizeBytes,
      blockSizeBytes: PAGE_SIZE,
      blocks: (node.pages?.size ?? 0) * BLOCKS_PER_PAGE,
      atime: node.atime,
      mtime: node.mtime,
      ctime: node.ctime,
    };
  }

  /** Linux tmpfs reports 20 bytes per entry (BOGO_DIRENT_SIZE), counting `.` and `..`. */
  private dirSize(node: TmpInode): number {
    const BOGO_DIRENT_SIZE = 20;
    return ((node.entries as Map<string, DirSlot>).size + 2) * BOGO_DIRENT_SIZE;
  }

  private create(dirIno: number, name: string, mode: number, uid: number, gid: number): TmpInode {
    const dir = this.dir(dirIno);
    if (dir.nlink === 0) throw fsError(ENOENT, 'directory was removed');
    if (dir.entries?.has(name)) throw fsError(EEXIST, name);
    if (this.options.maxInodes !== undefined && this.inodes.size >= this.options.maxInodes)
      throw fsError(ENOSPC);
    const node = new TmpInode(this.nextIno++, mode, uid, gid, this.options.clock());
    this.inodes.set(node.ino, node);
    this.insert(dir, name, node);
    return node;
  }

  /** Adds an entry: one more link, the directory's mtime/ctime move. */
  private insert(dir: TmpInode, name: string, node: TmpInode): void {
    (dir.entries as Map<string, DirSlot>).set(name, { ino: node.ino, cookie: dir.nextCookie++ });
    node.nlink++;
    dir.mtime = dir.ctime = this.options.clock();
  }

  private detach(dir: TmpInode, name: string): void {
    (dir.entries as Map<string, DirSlot>).delete(name);
    dir.mtime = dir.ctime = this.options.clock();
  }

  private remove(dir: TmpInode, name: string, node: TmpInode): void {
    this.detach(dir, name);
    node.nlink--;
    node.ctime = this.options.clock();
  }

  /** A moved directory's `..` changes: the old parent loses a link, the new one gains it. */
  private reparent(node: TmpInode, fromDir: TmpInode, toDir: TmpInode): void {
    if (!isDir(node.mode) || fromDir === toDir) return;
    node.parent = toDir.ino;
    fromDir.nlink--;
    toDir.nlink++;
  }

  private checkDirMove(src: TmpInode, toDir: TmpInode, dst: TmpInode | null): void {
    if (this.isAncestor(src, toDir)) throw fsError(EINVAL, 'directory into itself');
    if (!dst) return;
    if (!isDir(dst.mode)) throw fsError(ENOTDIR);
    if ((dst.entries as Map<string, DirSlot>).size > 0) throw fsError(ENOTEMPTY);
  }

  private isAncestor(dir: TmpInode, of: TmpInode): boolean {
    for (let cur = of; ; cur = this.inode(cur.parent)) {
      if (cur === dir) return true;
      if (cur.ino === this.rootIno) return false;
    }
  }

  private exchange(
    fromDir: TmpInode,
    fromName: string,
    src: TmpInode,
    toDir: TmpInode,
    toName: string,
    dst: TmpInode | null,
  ): void {
    if (!dst) throw fsError(ENOENT, toName);
    if (src === dst) return;
    if (isDir(src.mode) && this.isAncestor(src, toDir)) throw fsError(EINVAL);
    if (isDir(dst.mode) && this.isAncestor(dst, fromDir)) throw fsError(EINVAL);
    const fromEntries = fromDir.entries as Map<string, DirSlot>;
    const toEntries = toDir.entries as Map<string, DirSlot>;
    fromEntries.set(fromName, { ino: dst.ino, cookie: (fromEntries.get(fromName) as DirSlot).cookie });
    toEntries.set(toName, { ino: src.ino, cookie: (toEntries.get(toName) as DirSlot).cookie });
    this.reparent(src, fromDir, toDir);
    this.reparent(dst, toDir, fromDir);
    const now = this.options.clock();
    src.ctime = dst.ctime = now;
    fromDir.mtime = fromDir.ctime = toDir.mtime = toDir.ctime = now;
  }

  private page(node: TmpInode, index: number): Uint8Array {
    const pages = node.pages as Map<number, Uint8Array>;
    let page = pages.get(index);
    if (!page) {
      if (this.options.maxBytes !== undefined && (this.pagesHeld + 1) * PAGE_SIZE > this.options.maxBytes) {
        throw fsError(ENOSPC);
      }
      page = new Uint8Array(PAGE_SIZE);
      pages.set(index, page);
      this.pagesHeld++;
    }
    return page;
  }

  private truncate(node: TmpInode, sizeBytes: number): void {
    if (isDir(node.mode)) throw fsError(EISDIR);
    if (!isReg(node.mode)) throw fsError(EINVAL);
    if (sizeBytes > MAX_FILE_BYTES) throw fsError(EFBIG);
    const pages = node.pages as Map<number, Uint8Array>;
    const keep = Math.ceil(sizeBytes / PAGE_SIZE);
    for (const index of [...pages.keys()]) {
      if (index >= keep) {
        pages.delete(index);
        this.pagesHeld--;
      }
    }
    const tail = sizeBytes % PAGE_SIZE;
    if (tail) pages.get(keep - 1)?.fill(0, tail);
    node.sizeBytes = sizeBytes;
    node.mtime = this.options.clock();
  }

  /** relatime: atime moves when it is not newer than mtime or ctime. */
  private touchAtime(node: TmpInode): void {
    if (cmp(node.atime, node.mtime) <= 0 || cmp(node.atime, node.ctime) <= 0)
      node.atime = this.options.clock();
  }
}

function cmp(a: Timespec, b: Timespec): number {
  return a.sec - b.sec || a.nsec - b.nsec;
}
