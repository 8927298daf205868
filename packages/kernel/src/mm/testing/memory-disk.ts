/**
 * Test-only: a SyncBlockDevice over a byte array, counting requests, with an optional failure switch, for
 * swap tests that must not touch the host's disk.
 */
import type { SyncBlockDevice } from '../../block/block-device.js';
import { BlockIoError, checkRequest } from '../../block/block-device.js';

export class MemoryDisk implements SyncBlockDevice {
  readonly bytes: Uint8Array;
  readonly readOnly = false;
  reads = 0;
  writes = 0;
  /** When set, every request fails with this errno. */
  failWith = 0;

  constructor(
    readonly sectors: number,
    readonly sectorSizeBytes = 512,
    readonly name = 'memdisk',
  ) {
    this.bytes = new Uint8Array(sectors * sectorSizeBytes);
  }

  read(lba: number, count: number, into: Uint8Array): void {
    this.check(lba, count, into);
    this.reads++;
    into.set(this.bytes.subarray(lba * this.sectorSizeBytes, (lba + count) * this.sectorSizeBytes));
  }

  write(lba: number, count: number, from: Uint8Array): void {
    this.check(lba, count, from);
    this.writes++;
    this.bytes.set(from.subarray(0, count * this.sectorSizeBytes), lba * this.sectorSizeBytes);
  }

  flush(): void {}

  private check(lba: number, count: number, buffer: Uint8Array): void {
    checkRequest(this, lba, count, buffer);
    if (this.failWith !== 0) throw new BlockIoError(this.failWith, `${this.name}: injected failure`);
  }
}
