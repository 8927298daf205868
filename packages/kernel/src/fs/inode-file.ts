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
  IN_ACCESS,
  IN_MODIFY,
  O_APPEND,
  O_PATH,
  SEEK_CUR,
  SEEK_DATA,
  SEEK_END,
  SEEK_HOLE,
  SEEK_SET,
} from '@kmos/abi-linux';
import { after } from '../maybe-sync.js';
import { fsError } from './fs-error.js';
import { notifyFile, watching } from './fsnotify.js';
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

/** A filesystem that knows its holes (tmpfs); others get the whole-file-is-data answer. */
export interface HoleAware {
  seekDataHole(ino: number, offset: number, data: boolean): number;
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

  // Reads and writes stay synchronous when the filesystem answers synchronously (tmpfs, hostfs): no
  // promise per call on the hot path; a filesystem that returns a promise gets one back.
  protected override readImpl(into: Uint8Array): MaybePromise<number> {
    return this.advance(this.readAt(this.offset, into));
  }

  protected override writeImpl(from: Uint8Array): MaybePromise<number> {
    if (this.flags & O_APPEND) {
      const size = this.sizeBytes();
      if (typeof size !== 'number') return size.then((end) => this.writeAt(end, from));
      return this.writeAt(size, from);
    }
    return this.writeAt(this.offset, from);
  }

  protected override preadImpl(into: Uint8Array, pos: number): MaybePromise<number> {
    return this.readAt(pos, into);
  }

  protected override pwriteImpl(from: Uint8Array, pos: number): MaybePromise<number> {
    if (!(this.flags & O_APPEND)) return from.length === 0 ? 0 : this.writeTo(pos, from);
    const size = this.sizeBytes();
    const at = (end: number) => (from.length === 0 ? 0 : this.writeTo(end, from));
    return typeof size === 'number' ? at(size) : size.then(at);
  }

  private writeAt(at: number, from: Uint8Array): MaybePromise<number> {
    this.offset = at;
    if (from.length === 0) return 0;
    return this.advance(this.writeTo(at, from));
  }

  /**
   * Reads and writes meet the pages the file's mappings hold while it is mapped: what was stored through a
   * mapping is newer than the filesystem's copy until written back, and a write must reach the mappings
   * (Linux's page cache is one). Files of a mount nothing maps go straight to the filesystem.
   */
  private readAt(pos: number, into: Uint8Array): MaybePromise<number> {
    const { mount, ino } = this.dentry;
    let read = mount.fs.read(ino, pos, into);
    if (mount.cachedPages.size !== 0) {
      read = after(read, (n) => {
        mount.cachedPages.get(ino)?.readInto(pos, into.subarray(0, n));
        return n;
      });
    }
    return watching() ? after(read, (n) => this.reported(n, IN_ACCESS)) : read;
  }

  private writeTo(pos: number, from: Uint8Array): MaybePromise<number> {
    const { mount, ino } = this.dentry;
    let written = mount.fs.write(ino, pos, from);
    if (mount.cachedPages.size !== 0) {
      written = after(written, (n) => {
        mount.cachedPages.get(ino)?.writeFrom(pos, from.subarray(0, n));
        return n;
      });
    }
    return watching() ? after(written, (n) => this.reported(n, IN_MODIFY)) : written;
  }

  /** A transfer of `n` bytes, reported to inotify when it moved any. */
  private reported(n: number, mask: number): number {
    if (n > 0) notifyFile(this.dentry, mask);
    return n;
  }

  /** Moves the offset past what was transferred, now or when the filesystem's promise settles. */
  private advance(result: MaybePromise<number>): MaybePromise<number> {
    if (typeof result === 'number') {
      this.offset += result;
      return result;
    }
    return result.then((n) => {
      this.offset += n;
      return n;
    });
  }

  private async seekFromSize(offset: number, whence: number): Promise<number> {
    const fs = this.dentry.mount.fs as Partial<HoleAware>;
    if ((whence === SEEK_DATA || whence === SEEK_HOLE) && fs.seekDataHole) {
      this.offset = fs.seekDataHole(this.dentry.ino, offset, whence === SEEK_DATA);
      return this.offset;
    }
    this.offset = seekTarget(this.offset, await this.sizeBytes(), offset, whence);
    return this.offset;
  }

  private sizeBytes(): MaybePromise<number> {
    const attr = this.dentry.mount.fs.getattr(this.dentry.ino);
    return 'then' in attr ? attr.then((a) => a.sizeBytes) : attr.sizeBytes;
  }
}
