/**
 * A block device over a host file: sector n is bytes [n * 512, (n + 1) * 512) of the file, read and written
 * with synchronous host calls, so every request is complete when it returns (a SyncBlockDevice). Today it
 * backs the swap area the config names; a disk image for an emulated IDE disk goes through the IDE model
 * instead. Layer: kernel block (block-device.ts explains the interface).
 */
import {
  closeSync,
  constants,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs';
import { EIO } from '@kmos/abi-linux';
import { BlockIoError, checkRequest, type SyncBlockDevice } from './block-device.js';

/** The sector size of a PC disk, and of this device. */
export const SECTOR_SIZE = 512;

export interface HostFileOptions {
  /** The name the device goes by (in /proc/swaps, in logs). */
  readonly name: string;
  /** The device's size; the file is extended (sparsely) or cut to it. Absent: the file's own size. */
  readonly sizeBytes?: number;
  readonly readOnly?: boolean;
}

export class HostFileBlockDevice implements SyncBlockDevice {
  readonly name: string;
  readonly sectorSizeBytes = SECTOR_SIZE;
  readonly sectors: number;
  readonly readOnly: boolean;
  private fd: number;

  private constructor(fd: number, options: HostFileOptions, sectors: number) {
    this.fd = fd;
    this.name = options.name;
    this.readOnly = options.readOnly ?? false;
    this.sectors = sectors;
  }

  /** Opens (creating when writable and missing) the host file at `path`. Host errors propagate. */
  static open(path: string, options: HostFileOptions): HostFileBlockDevice {
    const fd = openSync(
      path,
      options.readOnly ? constants.O_RDONLY : constants.O_RDWR | constants.O_CREAT,
      0o600,
    );
    try {
      if (options.sizeBytes !== undefined && !options.readOnly) ftruncateSync(fd, options.sizeBytes);
      const bytes = options.sizeBytes ?? fstatSync(fd).size;
      return new HostFileBlockDevice(fd, options, Math.floor(bytes / SECTOR_SIZE));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  read(lba: number, count: number, into: Uint8Array): void {
    checkRequest(this, lba, count, into);
    const want = count * SECTOR_SIZE;
    let done = 0;
    while (done < want) {
      const n = this.hostCall(() => readSync(this.fd, into, done, want - done, lba * SECTOR_SIZE + done));
      // Past the end of a file that shrank under us: the rest reads as zeros, as a sparse hole does.
      if (n === 0) break;
      done += n;
    }
    into.fill(0, done, want);
  }

  write(lba: number, count: number, from: Uint8Array): void {
    checkRequest(this, lba, count, from);
    if (this.readOnly) throw new BlockIoError(EIO, `${this.name} is read-only`);
    const want = count * SECTOR_SIZE;
    for (let done = 0; done < want; ) {
      done += this.hostCall(() => writeSync(this.fd, from, done, want - done, lba * SECTOR_SIZE + done));
    }
  }

  flush(): void {
    if (!this.readOnly) this.hostCall(() => fdatasyncSync(this.fd));
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }

  /** A host failure (a full host disk, a vanished file) is EIO to the kernel, as a failing disk is. */
  private hostCall<T>(call: () => T): T {
    if (this.fd < 0) throw new BlockIoError(EIO, `${this.name} is closed`);
    try {
      return call();
    } catch (e) {
      throw new BlockIoError(EIO, `${this.name}: ${(e as Error).message}`);
    }
  }
}
