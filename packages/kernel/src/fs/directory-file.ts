/**
 * Open directories: getdents64 turns the filesystem's readdir entries into Linux `struct linux_dirent64`
 * records. The description's offset is the readdir cookie of the last entry handed out (what d_off holds,
 * and what telldir/seekdir pass back through lseek). Entries fetched but not yet fitted into the caller's
 * buffer wait in `pending`. Layer: kernel VFS, on open-file.ts.
 */
import type { DirEntry, MaybePromise } from '@kmos/abi-driver';
import { EINVAL, EISDIR, linuxDirent64Layout, SEEK_CUR, SEEK_SET } from '@kmos/abi-linux';
import { drive, type Steps, wait } from '../maybe-sync.js';
import { fsError } from './fs-error.js';
import { seekTarget } from './inode-file.js';
import { InodeBackedFile } from './open-file.js';

/** struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, then the name and its NUL. */
const { d_ino, d_off, d_reclen, d_type, d_name } = linuxDirent64Layout.fields;
/** Records are padded to the alignment of their u64 fields. */
const DIRENT64_ALIGN = 8;
const READDIR_BATCH = 64;

export function dirent64Size(nameBytes: number): number {
  return Math.ceil((d_name.offset + nameBytes + 1) / DIRENT64_ALIGN) * DIRENT64_ALIGN;
}

/** Writes one record at `at`; the name is a byte string. Returns the record length. */
export function putDirent64(into: Uint8Array, at: number, entry: DirEntry): number {
  const reclen = dirent64Size(entry.name.length);
  const view = new DataView(into.buffer, into.byteOffset + at, reclen);
  view.setBigUint64(d_ino.offset, BigInt(entry.ino), true);
  view.setBigInt64(d_off.offset, BigInt(entry.cookie), true);
  view.setUint16(d_reclen.offset, reclen, true);
  view.setUint8(d_type.offset, entry.type);
  const name = at + d_name.offset;
  for (let i = 0; i < entry.name.length; i++) into[name + i] = entry.name.charCodeAt(i);
  into.fill(0, name + entry.name.length, at + reclen);
  return reclen;
}

export class DirectoryFile extends InodeBackedFile {
  /** Entries read from the filesystem, not yet returned. Written by getdents64 and lseek only. */
  private pending: DirEntry[] = [];

  override getdents64(into: Uint8Array): MaybePromise<number> {
    return drive(this.fill(into));
  }

  private *fill(into: Uint8Array): Steps<number> {
    let used = 0;
    for (;;) {
      if (this.pending.length === 0) {
        this.pending = yield* wait(this.dentry.mount.fs.readdir(this.dentry.ino, this.offset, READDIR_BATCH));
        if (this.pending.length === 0) return used;
      }
      const entry = this.pending[0];
      if (used + dirent64Size(entry.name.length) > into.length) {
        if (used === 0) throw fsError(EINVAL, 'getdents64 buffer too small');
        return used;
      }
      used += putDirent64(into, used, entry);
      this.offset = entry.cookie;
      this.pending.shift();
    }
  }

  override lseek(offset: number, whence: number): number {
    if (whence !== SEEK_SET && whence !== SEEK_CUR) throw fsError(EINVAL, 'whence on a directory');
    this.offset = seekTarget(this.offset, 0, offset, whence);
    this.pending = [];
    return this.offset;
  }

  protected override readImpl(): never {
    throw fsError(EISDIR);
  }

  protected override preadImpl(): never {
    throw fsError(EISDIR);
  }
}
