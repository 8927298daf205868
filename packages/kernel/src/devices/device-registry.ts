/**
 * The devices drivers registered, by their /dev name. devfs and the block layer read them from here.
 * Layer: kernel devices.
 */
import type { BlockDevice, CharDevice } from '@kmos/abi-driver';
import { KernelPanic } from '../errors.js';

export class DeviceRegistry {
  readonly block = new Map<string, BlockDevice>();
  readonly char = new Map<string, CharDevice>();

  registerBlock(device: BlockDevice, driver: string): void {
    if (this.block.has(device.name))
      throw new KernelPanic(`driver ${driver} registered block device ${device.name} twice`);
    this.block.set(device.name, device);
  }

  registerChar(device: CharDevice, driver: string): void {
    if (this.char.has(device.name))
      throw new KernelPanic(`driver ${driver} registered char device ${device.name} twice`);
    this.char.set(device.name, device);
  }
}
