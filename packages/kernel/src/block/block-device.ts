/**
 * The kernel's block layer: what it asks of a disk, and the range checks every device shares. Layer: kernel
 * block, below swap (mm/swap-area.ts) and block device files (fs/block-file.ts); drivers sit under it.
 *
 * The device interface itself is the driver ABI's `BlockDevice` (@kmos/abi-driver): a sector size, a sector
 * count, and reads and writes of sector ranges that may return a promise, so an IRQ-driven IDE driver can
 * answer when its interrupt arrives. Nothing new was needed in the ABI.
 *
 * `SyncBlockDevice` is the narrower kind whose requests are done when the call returns (a host file). Swap
 * needs it for now: a page fault is resolved without sleeping (mm/page-fault.ts), so swap-in cannot wait for
 * an interrupt yet. A swap partition on an IDE disk needs the fault path to block the faulting thread the
 * way a pending syscall does (kernel.ts, onPending) and to resume it when the read completes.
 */
import type { BlockDevice, ErrnoError } from '@kmos/abi-driver';
import { EIO } from '@kmos/abi-linux';

/** A block device whose reads, writes and flushes are complete when they return. */
export interface SyncBlockDevice extends BlockDevice {
  read(lba: number, count: number, into: Uint8Array): void;
  write(lba: number, count: number, from: Uint8Array): void;
  flush(): void;
}

/** The ErrnoError a device throws when a request fails or falls outside it. */
export class BlockIoError extends Error implements ErrnoError {
  override readonly name = 'BlockIoError';
  constructor(
    readonly errno: number,
    message: string,
  ) {
    super(message);
  }
}

/** Throws EIO unless sectors [lba, lba+count) lie on `device` and `buffer` holds them. */
export function checkRequest(device: BlockDevice, lba: number, count: number, buffer: Uint8Array): void {
  if (
    !Number.isInteger(lba) ||
    !Number.isInteger(count) ||
    lba < 0 ||
    count < 0 ||
    lba + count > device.sectors
  ) {
    throw new BlockIoError(EIO, `${device.name}: sectors ${lba}+${count} outside 0..${device.sectors}`);
  }
  if (buffer.length < count * device.sectorSizeBytes) {
    throw new BlockIoError(EIO, `${device.name}: a ${buffer.length}-byte buffer for ${count} sectors`);
  }
}
