/**
 * The first process: pid 1, made by the kernel rather than by fork — an empty address space, the given
 * credentials and open files, the namespace root as root and working directory — then exec'd into its
 * program exactly as execve would. Layer: kernel proc.
 */

import { commitExec, prepareExec } from '../exec/exec-program.js';
import type { Dentry } from '../fs/dentry.js';
import type { OpenFile } from '../fs/open-file.js';
import type { Kernel } from '../kernel.js';
import { AddressSpace } from '../mm/address-space.js';
import { FdTable } from './fd-table.js';
import { Process } from './process.js';
import { SignalActions } from './signal-actions.js';
import type { TaskCredentials } from './task-credentials.js';
import { Thread } from './thread.js';

export interface FirstProcess {
  readonly path: string;
  readonly argv: readonly string[];
  readonly env: readonly string[];
  readonly creds: TaskCredentials;
  /** Descriptors 0, 1, 2... in order. */
  readonly files: readonly OpenFile[];
  readonly cwd: Dentry;
}

const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'utf8'));

/** Creates pid 1 running `spec.path`; it is queued to run when the kernel runs. Errors are the exec's (ENOENT...). */
export async function spawnFirstProcess(k: Kernel, spec: FirstProcess): Promise<Process> {
  const pid = k.processes.allocateId();
  const files = new FdTable();
  spec.files.forEach((file) => files.install(file, false));
  const fs = { root: k.vfs.root, cwd: spec.cwd, umask: 0o022 };
  let as: AddressSpace | null = null;
  as = AddressSpace.create(
    k.mm,
    k.notifierFor(() => as!),
  );
  const p = new Process(pid, null, pid, pid, spec.creds, as, files, fs, new SignalActions());
  const t = new Thread(pid, p, k.cpu.newContext());
  p.threads.push(t);
  k.processes.addProcess(p);
  k.processes.addThread(t);
  const ctx = { cred: spec.creds, root: fs.root, cwd: fs.cwd, umask: fs.umask };
  const exec = await prepareExec(k, ctx, spec.path, spec.argv.map(bytes), spec.env.map(bytes));
  k.sched.switchTo(t);
  commitExec(k, t, exec);
  k.sched.putAside();
  k.sched.enqueue(t);
  return p;
}
