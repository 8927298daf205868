/**
 * The filesystems the kernel itself provides, mounted where Linux programs expect them: procfs over /proc,
 * devfs over /dev, a tmpfs over /dev/shm, and optionally a fresh sticky tmpfs over /tmp. Each goes over an
 * existing directory of the root filesystem (the root is never written to make one); a missing directory is
 * reported back, not an error. Layer: kernel VFS; the kernel calls this once after mounting the root.
 */
import type { Timespec } from '@kmos/abi-driver';
import { ENOENT, ENOTDIR } from '@kmos/abi-linux';
import { KernelError } from '../kernel-error.js';
import { ROOT_CREDENTIALS } from './credentials.js';
import { createDevfs, type DevfsOptions } from './devfs.js';
import type { MountInfo } from './mount-table.js';
import { type ProcBasics, Procfs, registerBasicEntries } from './procfs.js';
import { Tmpfs } from './tmpfs.js';
import type { Vfs } from './vfs.js';

export interface KernelMountOptions extends Omit<DevfsOptions, 'devices' | 'clock'> {
  readonly clock: () => Timespec;
  readonly proc: ProcBasics;
  /** Also mount a tmpfs (mode 1777) over /tmp. */
  readonly tmp?: boolean;
}

export interface KernelMounts {
  readonly proc: Procfs;
  readonly dev: Tmpfs;
  /** Mount points that were not directories of the root, so nothing was mounted there. */
  readonly skipped: readonly string[];
}

const TMP_MODE = 0o1777;

export async function mountKernelFilesystems(vfs: Vfs, options: KernelMountOptions): Promise<KernelMounts> {
  const ctx = vfs.rootContext(ROOT_CREDENTIALS, 0);
  const proc = new Procfs({ clock: options.clock });
  registerBasicEntries(proc, options.proc);
  const dev = createDevfs({ ...options, devices: vfs.devices });
  const skipped: string[] = [];
  const mountAt = async (path: string, fs: Procfs | Tmpfs, info: MountInfo) => {
    try {
      await vfs.mount(ctx, null, path, fs, info);
    } catch (error) {
      if (!(error instanceof KernelError) || (error.errno !== ENOENT && error.errno !== ENOTDIR)) throw error;
      skipped.push(path);
    }
  };
  await mountAt('/proc', proc, {
    fsType: 'proc',
    source: 'proc',
    readOnly: false,
    options: 'nosuid,nodev,noexec',
  });
  await mountAt('/dev', dev, {
    fsType: 'devtmpfs',
    source: 'devtmpfs',
    readOnly: false,
    options: 'nosuid,mode=755',
  });
  const shm = new Tmpfs({ clock: options.clock, rootMode: TMP_MODE });
  await mountAt('/dev/shm', shm, {
    fsType: 'tmpfs',
    source: 'shm',
    readOnly: false,
    options: 'nosuid,nodev',
  });
  if (options.tmp) {
    const tmp = new Tmpfs({ clock: options.clock, rootMode: TMP_MODE });
    await mountAt('/tmp', tmp, {
      fsType: 'tmpfs',
      source: 'tmpfs',
      readOnly: false,
      options: 'nosuid,nodev',
    });
  }
  return { proc, dev, skipped };
}
