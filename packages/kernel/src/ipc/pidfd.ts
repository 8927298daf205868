/**
 * pidfd: a process as a file (pidfd_open). It names the process for pidfd_send_signal, waitid(P_PIDFD) and
 * pidfd_getfd however its pid is reused later, and polls readable once the process has exited. Reading it
 * is EINVAL, as in Linux. Layer: kernel ipc; syscall/handlers/pidfd.ts makes and uses them.
 */
import { EINVAL, POLLIN } from '@kmos/abi-linux';
import { fsError } from '../fs/fs-error.js';
import type { Process } from '../proc/process.js';
import type { WaitQueue } from '../sched/wait-queue.js';
import { AnonFile } from './anon-file.js';

export class PidFdFile extends AnonFile {
  protected readonly anonKind = 'pidfd';

  constructor(
    readonly process: Process,
    flags: number,
    owner: { uid: number; gid: number },
  ) {
    super(flags, owner);
  }

  protected override readImpl(): number {
    throw fsError(EINVAL, 'read of a pidfd');
  }

  override poll(): number {
    return this.process.alive ? 0 : POLLIN;
  }

  override get waitQueue(): WaitQueue {
    return this.process.exited;
  }

  /** Nothing to let go: the process goes on. */
  protected release(): void {}
}
