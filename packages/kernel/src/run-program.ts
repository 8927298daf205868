/**
 * `kmos run`: one Linux program under the kmOS kernel, like qemu-user runs it — the host's file tree (or
 * --root DIR) as the root filesystem, the host's stdin/stdout/stderr as descriptors 0-2, the host's user as
 * the process's credentials — returning the program's wait status. Layer: kernel core, above proc/ and fs/.
 */
import { resolve } from 'node:path';
import type { Machine } from './boot.js';
import { Hostfs } from './fs/hostfs.js';
import { mountKernelFilesystems } from './fs/kernel-mounts.js';
import { HostStreamFile } from './host/host-stream-file.js';
import { Kernel } from './kernel.js';
import { spawnFirstProcess } from './proc/spawn.js';
import { credentialsOf, type TaskCredentials } from './proc/task-credentials.js';
import { pidProvider } from './procfs/pid-entries.js';
import { registerSystemEntries } from './procfs/system-entries.js';
import type { SyscallTracer } from './syscall/dispatch.js';
import { UTS } from './syscall/handlers/identity.js';
import { linuxSyscallTable } from './syscall/linux-syscalls.js';

export interface RunRequest {
  /** The program, as a path in the guest's namespace. */
  readonly path: string;
  readonly argv: readonly string[];
  readonly env: readonly string[];
  /** The host directory that is the guest's root. */
  readonly rootDir: string;
  /** The guest's working directory (a path in its namespace). */
  readonly cwd: string;
  readonly realtime: boolean;
  readonly tracer?: SyscallTracer;
}

export async function runProgram(machine: Machine, request: RunRequest): Promise<number> {
  const k = new Kernel(machine, { realtime: request.realtime, syscalls: linuxSyscallTable });
  const hostfs = new Hostfs({ hostRoot: resolve(request.rootDir) });
  k.vfs.mountRoot(hostfs, { source: resolve(request.rootDir), fsType: 'hostfs', readOnly: false });
  if (request.tracer) k.dispatcher.tracer = request.tracer;
  await mountKernelFs(k);
  const creds = hostCredentials();
  const rootCtx = k.vfs.rootContext(creds);
  const cwd = await k.vfs.chdir(rootCtx, null, request.cwd).catch(() => k.vfs.root);
  await spawnFirstProcess(k, {
    path: request.path,
    argv: request.argv,
    env: request.env,
    creds,
    files: [new HostStreamFile(0, false), new HostStreamFile(1, true), new HostStreamFile(2, true)],
    cwd,
  });
  return k.run();
}

/** /proc, /dev and /dev/shm over the root, where the root has directories for them (a bare --root tree may not). */
async function mountKernelFs(k: Kernel): Promise<void> {
  const clock = () => {
    const ns = k.clock.epochNs();
    return { sec: Math.floor(ns / 1e9), nsec: ns % 1e9 };
  };
  const mounts = await mountKernelFilesystems(k.vfs, {
    clock,
    random: (into) => k.random.fill(into),
    proc: {
      filesystems: () => [
        { fsType: 'hostfs', needsDevice: false },
        { fsType: 'proc', needsDevice: false },
        { fsType: 'devtmpfs', needsDevice: false },
        { fsType: 'tmpfs', needsDevice: false },
        ...[...k.machine.filesystems.values()].map((fs) => ({ fsType: fs.fsType, needsDevice: fs.needsDevice })),
      ],
      version: `Linux version ${UTS.release} (kmOS) ${UTS.version}`,
      uptime: () => ({ upSeconds: k.clock.nowNs() / 1e9, idleSeconds: 0 }),
      loadavg: () => ({ load: [0, 0, 0], runnable: k.sched.runnableCount, total: k.processes.threads.size, lastPid: k.processes.lastId }),
    },
  });
  mounts.proc.setPidProvider(pidProvider(k));
  registerSystemEntries(k, mounts.proc);
  for (const path of mounts.skipped) k.log.warn(`nothing mounted on ${path}: the root has no such directory`);
}

/** The host user kmos runs as, so that the guest sees the permissions the host enforces anyway. */
function hostCredentials(): TaskCredentials {
  return credentialsOf(process.getuid?.() ?? 0, process.getgid?.() ?? 0, process.getgroups?.() ?? []);
}
