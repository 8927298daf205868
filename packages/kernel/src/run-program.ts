/**
 * `kmos run`: one Linux program under the kmOS kernel, like qemu-user runs it — the host's file tree (or
 * --root DIR) as the root filesystem, the host's stdin/stdout/stderr as descriptors 0-2, the host's user as
 * the process's credentials — returning the program's wait status. When stdin and stdout are host terminals,
 * descriptors 0-2 are one kmOS tty instead (tty/run-terminal.ts: raw host mode, the kmOS line discipline);
 * the host terminal is restored however the run ends. Layer: kernel core, above proc/ and fs/.
 */

import { resolve } from 'node:path';
import type { Machine } from './boot.js';
import { DEADLOCK, KernelPanic } from './errors.js';
import { Hostfs } from './fs/hostfs.js';
import { HostStreamFile } from './host/host-stream-file.js';
import { createKernel, mountKernelFs } from './kernel-setup.js';
import { spawnFirstProcess } from './proc/spawn.js';
import { credentialsOf, type TaskCredentials } from './proc/task-credentials.js';
import type { SyscallTracer } from './syscall/dispatch.js';
import { hostHasTerminal } from './tty/host-terminal.js';
import { openRunTerminal } from './tty/run-terminal.js';

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
  const k = createKernel(machine, request.realtime);
  const hostfs = new Hostfs({ hostRoot: resolve(request.rootDir), clock: k.vfs.clock });
  k.vfs.mountRoot(hostfs, { source: resolve(request.rootDir), fsType: 'hostfs', readOnly: false });
  if (request.tracer) k.dispatcher.tracer = request.tracer;
  await mountKernelFs(k, null);
  const creds = hostCredentials();
  const rootCtx = k.vfs.rootContext(creds);
  const cwd = await Promise.resolve(k.vfs.chdir(rootCtx, null, request.cwd)).catch(() => k.vfs.root);
  const terminal = hostHasTerminal()
    ? openRunTerminal(k, creds, process.stderr.isTTY === true, new HostStreamFile(2, true))
    : null;
  try {
    const first = await spawnFirstProcess(k, {
      path: request.path,
      argv: request.argv,
      env: request.env,
      creds,
      files: terminal?.files ?? [
        new HostStreamFile(0, false),
        new HostStreamFile(1, true),
        new HostStreamFile(2, true),
      ],
      cwd,
    });
    terminal?.started(first);
    return await untilDeadlock(k.run());
  } finally {
    terminal?.close();
  }
}

/**
 * The run, or a panic when Node's event loop empties before it ends: with every guest thread waiting and no
 * timer or host I/O left to wake one, nothing ever will (the kernel's own check sees only the threads, and a
 * thread asleep in a syscall may be waiting for the host). Linux would hang; kmos says so and stops.
 */
function untilDeadlock(run: Promise<number>): Promise<number> {
  return new Promise((resolve, reject) => {
    const stalled = () => reject(new KernelPanic(DEADLOCK));
    process.once('beforeExit', stalled);
    run.then(resolve, reject).finally(() => process.off('beforeExit', stalled));
  });
}

/** The host user kmos runs as, so that the guest sees the permissions the host enforces anyway. */
function hostCredentials(): TaskCredentials {
  return credentialsOf(process.getuid?.() ?? 0, process.getgid?.() ?? 0, process.getgroups?.() ?? []);
}
