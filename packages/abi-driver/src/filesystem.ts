/**
 * The filesystem plugin: a filesystem type the VFS can mount (ext2 and FAT over a block device; the host
 * filesystem, tmpfs and procfs without one). Operations are by inode number, as in FUSE's low-level API, so a
 * filesystem keeps no per-open state the VFS cannot see. Names are byte strings (one char per byte, code
 * 0-255), so every Linux file name survives. Errors are ErrnoErrors (ENOENT, ENOTDIR, ENOSPC...).
 * Layer: the ABI; imports nothing.
 */
import type { BlockDevice } from './devices.js';
import type { MaybePromise, PluginContext, PluginManifest } from './plugin.js';

export interface Timespec {
  readonly sec: number;
  readonly nsec: number;
}

/** An inode's attributes; `mode` holds the type bits (S_IFREG, S_IFDIR...) and permissions as Linux's st_mode. */
export interface FsAttr {
  readonly ino: number;
  readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly rdev: number;
  readonly sizeBytes: number;
  readonly blockSizeBytes: number;
  /** Allocated 512-byte blocks, as st_blocks. */
  readonly blocks: number;
  readonly atime: Timespec;
  readonly mtime: Timespec;
  readonly ctime: Timespec;
}

/** The attributes `setattr` may change; absent fields stay as they are. `sizeBytes` truncates or extends. */
export interface FsAttrChanges {
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly sizeBytes?: number;
  readonly atime?: Timespec;
  readonly mtime?: Timespec;
}

/** d_type values of getdents64 (DT_REG, DT_DIR...). */
export const DT_UNKNOWN = 0;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;
export const DT_REG = 8;
export const DT_LNK = 10;
export const DT_SOCK = 12;

export interface DirEntry {
  readonly name: string;
  readonly ino: number;
  readonly type: number;
  /** Pass to `readdir` to continue after this entry. */
  readonly cookie: number;
}

export interface FsStatfs {
  readonly type: number;
  readonly blockSizeBytes: number;
  readonly blocks: number;
  readonly blocksFree: number;
  readonly blocksAvailable: number;
  readonly files: number;
  readonly filesFree: number;
  readonly nameMaxBytes: number;
}

/** RENAME_NOREPLACE / RENAME_EXCHANGE of renameat2. */
export const RENAME_NOREPLACE = 1;
export const RENAME_EXCHANGE = 2;

export interface FileSystem {
  readonly rootIno: number;
  getattr(ino: number): MaybePromise<FsAttr>;
  setattr(ino: number, changes: FsAttrChanges): MaybePromise<FsAttr>;
  /** The entry `name` in directory `dirIno`, or null when there is none. */
  lookup(dirIno: number, name: string): MaybePromise<FsAttr | null>;
  /** Up to `maxEntries` entries after `cookie` (0 = from the start), `.` and `..` included. */
  readdir(dirIno: number, cookie: number, maxEntries: number): MaybePromise<DirEntry[]>;
  /** Reads at `offset` into `into`; returns the bytes read (0 at end of file). */
  read(ino: number, offset: number, into: Uint8Array): MaybePromise<number>;
  write(ino: number, offset: number, from: Uint8Array): MaybePromise<number>;
  /** Creates a regular file, FIFO, socket or device node (`mode` carries the type; `rdev` for devices). */
  mknod(
    dirIno: number,
    name: string,
    mode: number,
    uid: number,
    gid: number,
    rdev: number,
  ): MaybePromise<FsAttr>;
  mkdir(dirIno: number, name: string, mode: number, uid: number, gid: number): MaybePromise<FsAttr>;
  symlink(dirIno: number, name: string, target: string, uid: number, gid: number): MaybePromise<FsAttr>;
  readlink(ino: number): MaybePromise<string>;
  link(ino: number, dirIno: number, name: string): MaybePromise<FsAttr>;
  unlink(dirIno: number, name: string): MaybePromise<void>;
  rmdir(dirIno: number, name: string): MaybePromise<void>;
  rename(
    fromDirIno: number,
    fromName: string,
    toDirIno: number,
    toName: string,
    flags: number,
  ): MaybePromise<void>;
  statfs(): MaybePromise<FsStatfs>;
  /** Writes back whatever is cached for `ino` (or everything when null). */
  sync(ino: number | null): MaybePromise<void>;
  /** The VFS holds no more references to `ino`: an unlinked inode may now be freed. */
  release(ino: number): MaybePromise<void>;
  unmount(): MaybePromise<void>;
}

export interface MountContext extends PluginContext {
  /** The block device named as the mount source, or null for filesystems without one. */
  readonly device: BlockDevice | null;
  /** The mount source as given (`/dev/hda1`, a host directory, `none`). */
  readonly source: string;
  readonly readOnly: boolean;
}

export interface FilesystemPlugin extends PluginManifest {
  readonly kind: 'filesystem';
  /** The type name `mount -t` and /proc/filesystems use (`ext2`, `vfat`, `tmpfs`). */
  readonly fsType: string;
  readonly needsDevice: boolean;
  mount(ctx: MountContext): MaybePromise<FileSystem>;
}
