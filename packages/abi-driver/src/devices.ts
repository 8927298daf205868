/**
 * What drivers register with the kernel: block devices (disks, partitions) and character devices (serial
 * ports, the console, input). The VFS and the block layer use only these interfaces, so a filesystem never
 * knows which driver sits below it. Layer: the ABI; imports nothing.
 */
import type { MaybePromise } from './plugin.js';

export interface BlockDevice {
  /** The name under /dev (`hda`, `hda1`, `sda`). */
  readonly name: string;
  readonly sectorSizeBytes: number;
  readonly sectors: number;
  readonly readOnly: boolean;
  /** Reads `count` sectors from `lba` into `into` (count * sectorSizeBytes bytes). Throws an ErrnoError (EIO). */
  read(lba: number, count: number, into: Uint8Array): MaybePromise<void>;
  write(lba: number, count: number, from: Uint8Array): MaybePromise<void>;
  flush(): MaybePromise<void>;
}

/** Readiness a character device reports to poll/select, as Linux's POLLIN/POLLOUT bits. */
export const POLLIN = 0x001;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;

export interface CharDevice {
  /** The name under /dev (`ttyS0`, `console`, `input/event0`). */
  readonly name: string;
  readonly major: number;
  readonly minor: number;
  /** Reads what is ready into `into`; returns the byte count, 0 at end of input, or null when nothing is ready yet. */
  read(into: Uint8Array): number | null;
  /** Writes as much as the device takes now; returns the byte count (0 when it is full). */
  write(from: Uint8Array): number;
  /** POLLIN/POLLOUT/... bits that hold now. */
  poll(): number;
  /** Called when readiness may have changed, so the kernel can wake waiters. Replaces any earlier callback. */
  onReady(callback: () => void): void;
}
