/**
 * devfs: /dev as a tmpfs filled at boot with the device nodes every Linux program expects (null, zero,
 * full, random, urandom, tty, console), a node per device the drivers registered (with its major:minor in
 * st_rdev), the /proc/self/fd symlinks (fd, stdin, stdout, stderr) and the shm and pts directories. Opening a
 * node goes through the device switch, where this file registers the memory devices and the console; being a
 * tmpfs, /dev also takes mknod, symlinks and files like any Linux devtmpfs. Layer: kernel VFS; the kernel
 * mounts the result over /dev.
 */
import type { CharDevice, Timespec } from '@kmos/abi-driver';
import { ENXIO, new_encode_dev, S_IFBLK, S_IFCHR } from '@kmos/abi-linux';
import type { DeviceRegistry } from '../devices/device-registry.js';
import { CharDeviceDriver, type IoctlHandler, MemDeviceDriver, type MemDeviceKind } from './char-file.js';
import type { Dentry } from './dentry.js';
import type { CharDriver, DeviceSwitch } from './device-switch.js';
import { fsError } from './fs-error.js';
import type { OpenFile } from './open-file.js';
import { Tmpfs } from './tmpfs.js';

// Device numbers from Linux's include/uapi/linux/major.h and Documentation/admin-guide/devices.txt. They
// belong in @kmos/abi-linux beside the dev_t encoding; here until it has them.
export const MEM_MAJOR = 1;
export const IDE0_MAJOR = 3;
export const TTY_MAJOR = 4;
export const TTYAUX_MAJOR = 5;
export const SCSI_DISK0_MAJOR = 8;
export const IDE1_MAJOR = 22;
/** Block devices with no traditional number get one from the extended block major, as Linux does. */
export const BLOCK_EXT_MAJOR = 259;

const MEM_DEVICES: readonly [string, number, MemDeviceKind][] = [
  ['null', 3, 'null'],
  ['zero', 5, 'zero'],
  ['full', 7, 'full'],
  ['random', 8, 'random'],
  ['urandom', 9, 'random'],
];

const FD_LINKS: readonly [string, string][] = [
  ['fd', '/proc/self/fd'],
  ['stdin', '/proc/self/fd/0'],
  ['stdout', '/proc/self/fd/1'],
  ['stderr', '/proc/self/fd/2'],
];

export interface DevfsOptions {
  readonly clock: () => Timespec;
  /** Random bytes for /dev/random and /dev/urandom (a SeededRandom's `fill`, seeded from the config). */
  readonly random: (into: Uint8Array) => void;
  /** The VFS's device switch: devfs registers the devices it creates here. */
  readonly devices: DeviceSwitch;
  /** Devices the drivers registered: each gets a node. */
  readonly registry?: DeviceRegistry | null;
  /** The console behind /dev/console and /dev/tty; without it (and without consoleDriver) they are ENXIO. */
  readonly console?: CharDevice | null;
  /** The TTY layer's driver for /dev/console and /dev/tty, when it has one (line discipline, termios). */
  readonly consoleDriver?: CharDriver | null;
  /** ioctls for a plain console CharDevice (when there is no consoleDriver). */
  readonly consoleIoctl?: IoctlHandler | null;
  /**
   * Opens the caller's controlling terminal for /dev/tty, or null when it has none. Then /dev/tty is the
   * console when there is one (`kmos boot`'s console has no tty layer, so no process ever has a
   * controlling terminal there), else ENXIO, as on Linux.
   */
  readonly controllingTty?: ((flags: number, dentry: Dentry) => OpenFile | null) | null;
}

export const DEVFS_ROOT_MODE = 0o755;

export function createDevfs(options: DevfsOptions): Tmpfs {
  const fs = new Tmpfs({ clock: options.clock, rootMode: DEVFS_ROOT_MODE });
  const root = fs.rootIno;
  for (const [name, minor, kind] of MEM_DEVICES) {
    const rdev = new_encode_dev(MEM_MAJOR, minor);
    fs.mknod(root, name, S_IFCHR | 0o666, 0, 0, rdev);
    options.devices.registerChar(rdev, new MemDeviceDriver(kind, options.random));
  }
  addConsole(fs, options);
  for (const [name, target] of FD_LINKS) fs.symlink(root, name, target, 0, 0);
  fs.mkdir(root, 'shm', 0o1777, 0, 0);
  fs.mkdir(root, 'pts', 0o755, 0, 0);
  for (const device of options.registry?.char.values() ?? []) addCharDevice(fs, options.devices, device);
  let extMinor = 0;
  for (const device of options.registry?.block.values() ?? []) {
    const rdev = blockDevNumber(device.name) ?? new_encode_dev(BLOCK_EXT_MAJOR, extMinor++);
    addNode(fs, device.name, S_IFBLK | 0o660, rdev);
    options.devices.registerBlock(rdev, device);
  }
  return fs;
}

function addConsole(fs: Tmpfs, options: DevfsOptions): void {
  const tty = new_encode_dev(TTYAUX_MAJOR, 0);
  const console = new_encode_dev(TTYAUX_MAJOR, 1);
  fs.mknod(fs.rootIno, 'tty', S_IFCHR | 0o666, 0, 0, tty);
  fs.mknod(fs.rootIno, 'console', S_IFCHR | 0o600, 0, 0, console);
  const driver =
    options.consoleDriver ??
    (options.console ? new CharDeviceDriver(options.console, options.consoleIoctl ?? null) : null);
  if (driver) options.devices.registerChar(console, driver);
  const controlling = options.controllingTty ?? null;
  if (!driver && !controlling) return;
  options.devices.registerChar(tty, {
    open: (flags, dentry) => {
      const file = controlling?.(flags, dentry) ?? driver?.open(flags, dentry);
      if (!file) throw fsError(ENXIO, 'no controlling terminal');
      return file;
    },
  });
}

function addCharDevice(fs: Tmpfs, devices: DeviceSwitch, device: CharDevice): void {
  const rdev = new_encode_dev(device.major, device.minor);
  addNode(fs, device.name, S_IFCHR | 0o660, rdev);
  if (!devices.hasChar(rdev)) devices.registerChar(rdev, new CharDeviceDriver(device));
}

/** Adds a node at a /dev-relative name that may have directories in it (`input/event0`). */
function addNode(fs: Tmpfs, name: string, mode: number, rdev: number): void {
  const parts = name.split('/');
  const leaf = parts.pop() as string;
  let dir = fs.rootIno;
  for (const part of parts) dir = (fs.lookup(dir, part) ?? fs.mkdir(dir, part, 0o755, 0, 0)).ino;
  fs.mknod(dir, leaf, mode, 0, 0, rdev);
}

/** Linux's numbers for IDE (hda..hdd, 64 minors per disk) and SCSI/SATA (sda.., 16 per disk) names. */
export function blockDevNumber(name: string): number | null {
  const ide = /^hd([a-d])(\d*)$/.exec(name);
  if (ide) {
    const disk = ide[1].charCodeAt(0) - 97;
    return new_encode_dev(disk < 2 ? IDE0_MAJOR : IDE1_MAJOR, (disk % 2) * 64 + Number(ide[2] || 0));
  }
  const sd = /^sd([a-p])(\d*)$/.exec(name);
  if (sd) return new_encode_dev(SCSI_DISK0_MAJOR, (sd[1].charCodeAt(0) - 97) * 16 + Number(sd[2] || 0));
  return null;
}
