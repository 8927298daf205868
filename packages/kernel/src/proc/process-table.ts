/**
 * The process table: pids and tids from one counter (as Linux's pid namespace does), the map from pid to
 * process and from tid to thread. pid 1 is the first process; numbers wrap at PID_MAX_DEFAULT, skipping ones
 * in use. Layer: kernel proc.
 */
import { EAGAIN } from '@kmos/abi-linux';
import { KernelError } from '../kernel-error.js';
import type { Process } from './process.js';
import type { Thread } from './thread.js';

/** Linux's default /proc/sys/kernel/pid_max. */
export const PID_MAX_DEFAULT = 32768;

export class ProcessTable {
  readonly processes = new Map<number, Process>();
  readonly threads = new Map<number, Thread>();
  private nextId = 1;
  /** The last id handed out (/proc/loadavg's last pid). */
  lastId = 0;

  /** A free id for a new process or thread. */
  allocateId(): number {
    for (let tries = 0; tries < PID_MAX_DEFAULT; tries++) {
      const id = this.nextId;
      this.lastId = id;
      this.nextId = id >= PID_MAX_DEFAULT - 1 ? 300 : id + 1;
      if (!this.threads.has(id) && !this.processes.has(id)) return id;
    }
    throw new KernelError(EAGAIN, 'no free pid');
  }

  addProcess(p: Process): void {
    this.processes.set(p.pid, p);
  }

  addThread(t: Thread): void {
    this.threads.set(t.tid, t);
  }

  removeThread(t: Thread): void {
    this.threads.delete(t.tid);
  }

  /** A reaped process leaves the table. */
  removeProcess(p: Process): void {
    this.processes.delete(p.pid);
  }

  /** Processes of a process group. */
  *inGroup(pgid: number): Generator<Process> {
    for (const p of this.processes.values()) if (p.pgid === pgid && p.alive) yield p;
  }
}
