/**
 * Character device files: the memory devices (null, zero, full, random, urandom) and files over a driver's
 * CharDevice (the console, serial ports). A CharDevice reads what is ready or answers null; the file turns
 * that into WouldBlock (or EAGAIN with O_NONBLOCK) and wakes sleepers from the device's onReady callback.
 * ioctls on a CharDevice go to an optional handler (the TTY layer supplies one); else ENOTTY.
 * Layer: kernel VFS, registered in the device switch by devfs.ts and the kernel.
 */
import type { CharDevice, MaybePromise } from '@kmos/abi-driver';

import { EAGAIN, ENOSPC } from '@kmos/abi-linux';
import { WaitQueue } from '../sched/wait-queue.js';
import type { Dentry } from './dentry.js';
import type { CharDriver } from './device-switch.js';
import { fsError } from './fs-error.js';
import { InodeBackedFile, type UserMemory } from './open-file.js';
import { WouldBlock } from './would-block.js';

export type MemDeviceKind = 'null' | 'zero' | 'full' | 'random';

/** /dev/null, /dev/zero, /dev/full, /dev/random and /dev/urandom, as drivers. */
export class MemDeviceDriver implements CharDriver {
  constructor(
    readonly kind: MemDeviceKind,
    private readonly random: (into: Uint8Array) => void,
  ) {}

  open(flags: number, dentry: Dentry): MemDeviceFile {
    return new MemDeviceFile(flags, dentry, this.kind, this.random);
  }
}

export class MemDeviceFile extends InodeBackedFile {
  constructor(
    flags: number,
    dentry: Dentry,
    private readonly kind: MemDeviceKind,
    private readonly random: (into: Uint8Array) => void,
  ) {
    super(flags, dentry);
  }

  /** null and full seek to 0; zero and random do not move (noop_llseek): both answer 0 here. */
  override lseek(): number {
    return 0;
  }

  protected override readImpl(into: Uint8Array): number {
    if (this.kind === 'null') return 0;
    if (this.kind === 'random') this.random(into);
    else into.fill(0);
    return into.length;
  }

  protected override writeImpl(from: Uint8Array): number {
    if (this.kind === 'full' && from.length > 0) throw fsError(ENOSPC);
    return from.length;
  }

  protected override preadImpl(into: Uint8Array): number {
    return this.readImpl(into);
  }

  protected override pwriteImpl(from: Uint8Array): number {
    return this.writeImpl(from);
  }
}

export type IoctlHandler = (request: number, arg: number, mem: UserMemory) => MaybePromise<number>;

/** A driver's CharDevice as openable files; one per device, since onReady keeps a single callback. */
export class CharDeviceDriver implements CharDriver {
  readonly queue = new WaitQueue();
  readonly wouldBlock = new WouldBlock(this.queue);

  constructor(
    readonly device: CharDevice,
    readonly ioctl: IoctlHandler | null = null,
  ) {
    device.onReady(() => this.queue.wakeAll());
  }

  open(flags: number, dentry: Dentry): CharDeviceFile {
    return new CharDeviceFile(flags, dentry, this);
  }
}

export class CharDeviceFile extends InodeBackedFile {
  constructor(
    flags: number,
    dentry: Dentry,
    private readonly driver: CharDeviceDriver,
  ) {
    super(flags, dentry);
  }

  override poll(): number {
    return this.driver.device.poll();
  }

  override get waitQueue(): WaitQueue {
    return this.driver.queue;
  }

  override ioctl(request: number, arg: number, mem: UserMemory): MaybePromise<number> {
    if (this.driver.ioctl) return this.driver.ioctl(request, arg, mem);
    return super.ioctl(request, arg, mem);
  }

  protected override readImpl(into: Uint8Array): number | WouldBlock {
    if (into.length === 0) return 0;
    const n = this.driver.device.read(into);
    if (n !== null) return n;
    if (this.nonBlocking) throw fsError(EAGAIN);
    return this.driver.wouldBlock;
  }

  protected override writeImpl(from: Uint8Array): number | WouldBlock {
    if (from.length === 0) return 0;
    const n = this.driver.device.write(from);
    if (n > 0) return n;
    if (this.nonBlocking) throw fsError(EAGAIN);
    return this.driver.wouldBlock;
  }
}
