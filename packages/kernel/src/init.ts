/**
 * `kmos boot` after composition: mount the root filesystem the config names (tmpfs, or a host directory;
 * on-disk filesystems once there are block drivers), the kernel's /proc and /dev, and run init with the
 * console as its stdin, stdout and stderr. As on Linux, init must not exit: a clean end is a poweroff through
 * reboot(2); init exiting is a panic, and so is finding no init to run. Layer: kernel core.
 */
import { dirname, resolve } from 'node:path';
import { O_RDWR, strerror } from '@kmos/abi-linux';
import type { Machine } from './boot.js';
import { BootError, KernelPanic } from './errors.js';
import { ROOT_CREDENTIALS } from './fs/credentials.js';
import { Hostfs } from './fs/hostfs.js';
import { Tmpfs } from './fs/tmpfs.js';
import type { Kernel } from './kernel.js';
import { KernelError } from './kernel-error.js';
import { createKernel, mountKernelFs } from './kernel-setup.js';
import { spawnFirstProcess } from './proc/spawn.js';
import { credentialsOf } from './proc/task-credentials.js';
import { hostExitCode } from './proc/wait-status.js';

/** Directories an empty root gets so the kernel's filesystems have somewhere to go. */
const MOUNT_POINTS = ['proc', 'dev', 'tmp'];

/** Boots init; resolves to the CLI's exit status (0 for a poweroff); throws KernelPanic otherwise. */
export async function startInit(machine: Machine): Promise<number> {
  const { config } = machine.loaded;
  const k = createKernel(machine, config.machine.clock === 'realtime');
  await mountRoot(k, machine);
  await mountKernelFs(k, machine.console);
  const ctx = k.vfs.rootContext(ROOT_CREDENTIALS);
  const console = await Promise.resolve(k.vfs.open(ctx, null, '/dev/console', O_RDWR)).catch(
    (error: unknown) => {
      throw new KernelPanic(`cannot open an initial console (/dev/console: ${describe(error)})`);
    },
  );
  const { path, args, env } = config.init;
  await spawnFirstProcess(k, {
    path,
    argv: [path, ...args],
    env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    creds: credentialsOf(0, 0),
    files: [console, console.ref(), console.ref()],
    cwd: k.vfs.root,
  }).catch((error: unknown) => {
    throw new KernelPanic(`No working init found. Tried ${path} (${describe(error)}).`);
  });
  const status = await k.run();
  if (k.poweredOff) return 0;
  throw new KernelPanic(
    `Attempted to kill init! exitcode=0x${status.toString(16).padStart(8, '0')} (exit status ${hostExitCode(status)})`,
  );
}

async function mountRoot(k: Kernel, machine: Machine): Promise<void> {
  const root = machine.loaded.config.root;
  const clock = () => ({ sec: Math.floor(k.clock.epochNs() / 1e9), nsec: 0 });
  if (root.type === 'tmpfs') {
    const fs = new Tmpfs({ clock, rootMode: 0o755 });
    k.vfs.mountRoot(fs, { fsType: 'tmpfs', source: root.source, readOnly: root.readOnly });
    for (const dir of MOUNT_POINTS)
      await k.vfs.mkdir(k.vfs.rootContext(ROOT_CREDENTIALS), null, `/${dir}`, 0o755);
    return;
  }
  if (root.type === 'host') {
    const hostRoot = resolve(dirname(machine.loaded.file), root.source);
    k.vfs.mountRoot(new Hostfs({ hostRoot, clock: k.vfs.clock }), {
      fsType: 'hostfs',
      source: hostRoot,
      readOnly: root.readOnly,
    });
    return;
  }
  const plugin = machine.filesystems.get(root.type);
  if (!plugin) {
    throw new BootError(
      `root.type ${JSON.stringify(root.type)} is neither tmpfs, host, nor the type of a filesystem plugin in the config`,
    );
  }
  throw new KernelPanic(
    `VFS: cannot mount root ${root.source} (${root.type}): no block device driver has registered ${root.source}`,
  );
}

function describe(error: unknown): string {
  if (error instanceof KernelError) return strerror(error.errno);
  return error instanceof Error ? error.message : String(error);
}
