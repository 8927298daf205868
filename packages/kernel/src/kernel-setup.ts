/**
 * What `kmos boot` and `kmos run` share after boot() composed the machine: a Kernel with the Linux syscall
 * table, and the kernel's own filesystems (/proc with the process table's entries, /dev with the console,
 * /dev/shm) mounted over the root. Layer: kernel core.
 */
import type { Console } from '@kmos/abi-driver';
import type { Machine } from './boot.js';
import { consoleDevice } from './console-device.js';
import { mountKernelFilesystems } from './fs/kernel-mounts.js';
import { Kernel } from './kernel.js';
import { pidProvider } from './procfs/pid-entries.js';
import { registerSystemEntries } from './procfs/system-entries.js';
import { enableConfiguredSwap } from './swap-setup.js';
import { UTS } from './syscall/handlers/identity.js';
import { linuxSyscallTable } from './syscall/linux-syscalls.js';
import { openControllingTty } from './tty/dev-tty.js';

export function createKernel(machine: Machine, realtime: boolean): Kernel {
  const k = new Kernel(machine, { realtime, syscalls: linuxSyscallTable });
  enableConfiguredSwap(k);
  return k;
}

/** /proc, /dev and /dev/shm over the root, where the root has directories for them; the skipped ones are logged. */
export async function mountKernelFs(k: Kernel, console: Console | null): Promise<void> {
  const clock = () => {
    const ns = k.clock.epochNs();
    return { sec: Math.floor(ns / 1e9), nsec: ns % 1e9 };
  };
  const mounts = await mountKernelFilesystems(k.vfs, {
    clock,
    random: (into) => k.random.fill(into),
    console: console ? consoleDevice(console) : null,
    controllingTty: openControllingTty,
    proc: {
      filesystems: () => [
        { fsType: 'hostfs', needsDevice: false },
        { fsType: 'proc', needsDevice: false },
        { fsType: 'devtmpfs', needsDevice: false },
        { fsType: 'tmpfs', needsDevice: false },
        ...[...k.machine.filesystems.values()].map((fs) => ({
          fsType: fs.fsType,
          needsDevice: fs.needsDevice,
        })),
      ],
      version: `Linux version ${UTS.release} (kmOS) ${UTS.version}`,
      uptime: () => ({ upSeconds: k.clock.nowNs() / 1e9, idleSeconds: 0 }),
      loadavg: () => ({
        load: [0, 0, 0],
        runnable: k.sched.runnableCount,
        total: k.processes.threads.size,
        lastPid: k.processes.lastId,
      }),
    },
  });
  mounts.proc.setPidProvider(pidProvider(k));
  registerSystemEntries(k, mounts.proc);
  for (const path of mounts.skipped) k.log.warn(`nothing mounted on ${path}: the root has no such directory`);
}
