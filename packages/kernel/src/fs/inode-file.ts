/**
 * Open regular files (and O_PATH handles on any inode): reads and writes go to the filesystem by inode number
 * at the description's offset; O_APPEND writes land at the current end, as Linux's pwrite does too.
 * lseek follows Linux's generic_file_llseek: SEEK_DATA/SEEK_HOLE treat the whole file as data (allowed by
 * POSIX; the ABI has no hole query yet). Layer: kernel VFS, on open-file.ts.
 */
import type { MaybePromise } from '@kmos/abi-driver';
import {
  EBADF,
  EINVAL,
  ENXIO,
  O_APPEND,
  O_PATH,
  SEEK_CUR,
  SEEK_DATA,
  SEEK_END,
  SEEK_HOLE,
  SEEK_SET,
} from '@kmos/abi-linux';
import { fsError } from './fs-error.js';
import { InodeBackedFile } from './open-file.js';

/** Linux's MAX_LFS_FILESIZE on 32-bit (page-cache index limit): lseek beyond is EINVAL. */
export const MAX_LFS_FILESIZE = 2 ** 44 - 1;

/** The new offset for lseek on a file of `sizeBytes`, or the errno Linux gives. */
export function seekTarget(current: number, sizeBytes: number, offset: number, whence: number): number {
  let target: number;
  switch (whence) {
    case SEEK_SET:
      target = offset;
      break;
    case SEEK_CUR:
      target = current + offset;
      break;
    case SEEK_END:
      target = sizeBytes + offset;
      break;
    case SEEK_DATA:
      if (offset < 0 || offset >= sizeBytes) throw fsError(ENXIO);
      target = offset;
      break;
    case SEEK_HOLE:
      if (offset < 0 || offset >= sizeBytes) throw fsError(ENXIO);
      target = sizeBytes;
      break;
    default:
      throw fsError(EINVAL, 'whence');
  }
  if (target < 0 || target > MAX_LFS_FILESIZE) throw fsError(EINVAL, 'offset');
  return target;
}

export class RegularFile extends InodeBackedFile {
  override lseek(offset: number, whence: number): MaybePromise<number> {
    if (this.flags & O_PATH) throw fsError(EBADF);
    if (whence === SEEK_SET || whence === SEEK_CUR) {
      this.offset = seekTarget(this.offset, 0, offset, whence);
      return this.offset;
    }
    return this.seekFromSize(offset, whence);
  }

  protected override async readImpl(into: Uint8Array): Promise<number> {
    const n = await this.dentry.mount.fs.read(this.dentry.ino, this.offset, into);
    this.offset += n;
    return n;
  }

  protected override async writeImpl(from: Uint8Array): Promise<number> {
    if (this.flags & O_APPEND) this.offset = await this.sizeBytes();
    if (from.length === 0) return 0;
    const n = await this.dentry.mount.fs.write(this.dentry.ino, this.offset, from);
    this.offset += n;
    return n;
  }

  protected override async preadImpl(into: Uint8Array, pos: number): Promise<number> {
    return this.dentry.mount.fs.read(this.dentry.ino, pos, into);
  }

  protected override async pwriteImpl(from: Uint8Array, pos: number): Promise<number> {
    const at = this.flags & O_APPEND ? await this.sizeBytes() : pos;
    if (from.length === 0) return 0;
    return this.dentry.mount.fs.write(this.dentry.ino, at, from);
  }

  private async seekFromSize(offset: number, whence: number): Promise<number> {
    this.offset = seekTarget(this.offset, await this.sizeBytes(), offset, whence);
    return this.offset;
  }

  private async sizeBytes(): Promise<number> {
    return (await this.dentry.mount.fs.getattr(this.dentry.ino)).sizeBytes;
  }
}
