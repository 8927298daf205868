/**
 * Block device files (/dev/hda, /dev/sda1): byte-addressed reads and writes over a sector-addressed
 * BlockDevice. Unaligned edges are read, patched and written back (read-modify-write); whole sectors in the
 * middle go straight through. Like Linux's block device files, reads stop at the end of the device, writes
 * past it are ENOSPC, and lseek's SEEK_END is from the device size. No caching here: the block cache will sit
 * between this file (and filesystems) and the device. Layer: kernel VFS, opened through the device switch.
 */
import type { BlockDevice } from '@kmos/abi-driver';
import { ENOSPC, EROFS } from '@kmos/abi-linux';
import type { Dentry } from './dentry.js';
import { fsError } from './fs-error.js';
import { seekTarget } from './inode-file.js';
import { InodeBackedFile } from './open-file.js';

export class BlockDeviceFile extends InodeBackedFile {
  constructor(
    flags: number,
    dentry: Dentry,
    readonly device: BlockDevice,
  ) {
    super(flags, dentry);
    if (this.writable && device.readOnly) throw fsError(EROFS, `block device ${device.name} is read-only`);
  }

  get sizeBytes(): number {
    return this.device.sectors * this.device.sectorSizeBytes;
  }

  override lseek(offset: number, whence: number): number {
    this.offset = seekTarget(this.offset, this.sizeBytes, offset, whence);
    return this.offset;
  }

  protected override async readImpl(into: Uint8Array): Promise<number> {
    const n = await this.readAt(into, this.offset);
    this.offset += n;
    return n;
  }

  protected override async writeImpl(from: Uint8Array): Promise<number> {
    const n = await this.writeAt(from, this.offset);
    this.offset += n;
    return n;
  }

  protected override preadImpl(into: Uint8Array, pos: number): Promise<number> {
    return this.readAt(into, pos);
  }

  protected override pwriteImpl(from: Uint8Array, pos: number): Promise<number> {
    return this.writeAt(from, pos);
  }

  private async readAt(into: Uint8Array, pos: number): Promise<number> {
    const n = Math.max(0, Math.min(into.length, this.sizeBytes - pos));
    if (n === 0) return 0;
    const { first, count, skew } = this.span(pos, n);
    const buf = new Uint8Array(count * this.device.sectorSizeBytes);
    await this.device.read(first, count, buf);
    into.set(buf.subarray(skew, skew + n));
    return n;
  }

  private async writeAt(from: Uint8Array, pos: number): Promise<number> {
    if (from.length === 0) return 0;
    const n = Math.min(from.length, this.sizeBytes - pos);
    if (n <= 0) throw fsError(ENOSPC, `past the end of ${this.device.name}`);
    const { first, count, skew } = this.span(pos, n);
    const sector = this.device.sectorSizeBytes;
    const buf = new Uint8Array(count * sector);
    if (skew !== 0 || n % sector !== 0) {
      // Partial sectors at either edge: read them so the bytes around the write survive.
      await this.device.read(first, 1, buf.subarray(0, sector));
      if (count > 1) await this.device.read(first + count - 1, 1, buf.subarray((count - 1) * sector));
    }
    buf.set(from.subarray(0, n), skew);
    await this.device.write(first, count, buf);
    return n;
  }

  private span(pos: number, n: number): { first: number; count: number; skew: number } {
    const sector = this.device.sectorSizeBytes;
    const first = Math.floor(pos / sector);
    const last = Math.floor((pos + n - 1) / sector);
    return { first, count: last - first + 1, skew: pos - first * sector };
  }
}
