/**
 * The device switch: which driver answers open() of a character or block special file, by device number.
 * A device node may sit on any filesystem (devfs, tmpfs, ext2); opening it asks here, not the filesystem.
 * devfs.ts registers the memory devices and the console; the kernel registers ttys and the drivers'
 * devices. Layer: kernel VFS, between vfs.ts and the device files (char-file.ts).
 */
import type { BlockDevice } from '@kmos/abi-driver';
import { ENXIO, new_decode_dev } from '@kmos/abi-linux';
import { KernelPanic } from '../errors.js';
import type { Dentry } from './dentry.js';
import { fsError } from './fs-error.js';
import type { OpenFile } from './open-file.js';

/** Opens a character device for one open(2); `dentry` is the device node (the file's fstat shows it). */
export interface CharDriver {
  open(flags: number, dentry: Dentry): OpenFile;
}

export class DeviceSwitch {
  private readonly chars = new Map<number, CharDriver>();
  private readonly blocks = new Map<number, BlockDevice>();
  /** The opener of block device nodes; set by whoever provides block device files (the block layer). */
  blockOpener: ((device: BlockDevice, flags: number, dentry: Dentry) => OpenFile) | null = null;

  registerChar(rdev: number, driver: CharDriver): void {
    if (this.chars.has(rdev)) throw new KernelPanic(`char device ${devName(rdev)} registered twice`);
    this.chars.set(rdev, driver);
  }

  registerBlock(rdev: number, device: BlockDevice): void {
    if (this.blocks.has(rdev)) throw new KernelPanic(`block device ${devName(rdev)} registered twice`);
    this.blocks.set(rdev, device);
  }

  hasChar(rdev: number): boolean {
    return this.chars.has(rdev);
  }

  block(rdev: number): BlockDevice | null {
    return this.blocks.get(rdev) ?? null;
  }

  openChar(rdev: number, flags: number, dentry: Dentry): OpenFile {
    const driver = this.chars.get(rdev);
    if (!driver) throw fsError(ENXIO, `no char device ${devName(rdev)}`);
    return driver.open(flags, dentry);
  }

  openBlock(rdev: number, flags: number, dentry: Dentry): OpenFile {
    const device = this.blocks.get(rdev);
    if (!device || !this.blockOpener) throw fsError(ENXIO, `no block device ${devName(rdev)}`);
    return this.blockOpener(device, flags, dentry);
  }
}

function devName(rdev: number): string {
  const { major, minor } = new_decode_dev(rdev);
  return `${major}:${minor}`;
}
