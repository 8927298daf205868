/**
 * Test-only: a PageSource over a byte array, standing in for a VFS file. It counts reads and records
 * write-backs so tests can see the page cache share, copy and write back as Linux's would.
 */
import type { PageSource, SourceIdentity } from '../page-cache.js';

export class ArrayFile implements PageSource {
  reads = 0;
  readonly writes: number[] = [];
  readonly identity: SourceIdentity;

  constructor(
    public data: Uint8Array,
    path = '/tmp/file',
    ino = 1234,
  ) {
    this.identity = { devMajor: 3, devMinor: 1, ino, path };
  }

  readPage(offsetBytes: number, into: Uint8Array): number {
    this.reads++;
    if (offsetBytes >= this.data.length) return 0;
    const part = this.data.subarray(offsetBytes, Math.min(this.data.length, offsetBytes + into.length));
    into.fill(0);
    into.set(part);
    return part.length;
  }

  writePage(offsetBytes: number, from: Uint8Array): void {
    this.writes.push(offsetBytes);
    const n = Math.max(0, Math.min(from.length, this.data.length - offsetBytes));
    this.data.set(from.subarray(0, n), offsetBytes);
  }
}
