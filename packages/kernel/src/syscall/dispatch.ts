/**
 * The syscall dispatcher: reads the number and arguments from the registers, calls the handler, and is the
 * one place where a KernelError becomes `-errno` in %eax. Any other exception from a handler is a kernel
 * bug: a panic naming the syscall and the process. Unknown and unimplemented numbers return their errno
 * (-ENOSYS) and log one line. Layer: kernel syscall, called by the trap loop (kernel.ts).
 */

import type { Logger } from '@kmos/abi-driver';
import { type Cpu, Reg } from '@kmos/abi-driver';
import { ENOSYS } from '@kmos/abi-linux';
import { KernelPanic } from '../errors.js';
import { KernelError } from '../kernel-error.js';
import type { Thread } from '../proc/thread.js';
import { taskContext } from '../procfs/task-context.js';
import { KEEP_REGISTERS, type SyscallResult, type SyscallTable } from './syscall-table.js';

/** What the trap loop does after a syscall. */
export const SyscallOutcome = {
  /** %eax holds the result: keep running the thread. */
  Done: 0,
  /** The handler is waiting (a promise): the thread sleeps until it settles. */
  Pending: 1,
} as const;

export interface SyscallTracer {
  enter(t: Thread, nr: number, args: readonly number[]): void;
  /** `result` is null when the call set the registers itself or never returned (exit, execve, sigreturn). */
  exit(t: Thread, nr: number, result: number | null): void;
}

export class SyscallDispatcher {
  /** Set by `kmos run --strace`. */
  tracer: SyscallTracer | null = null;
  private readonly reported = new Set<number>();

  constructor(
    private readonly cpu: Cpu,
    private readonly table: SyscallTable,
    private readonly log: Logger,
  ) {}

  /**
   * Runs the syscall `t` (the current thread) asked for. A pending result is handed to `onPending`, which
   * puts the thread to sleep and later stores the settled value with `settle`.
   */
  dispatch(t: Thread, onPending: (t: Thread, pending: Promise<number>, nr: number) => void): number {
    const cpu = this.cpu;
    const nr = cpu.getReg(Reg.EAX) >>> 0;
    const handler = nr < this.table.handlers.length ? this.table.handlers[nr] : null;
    const a = cpu.getReg(Reg.EBX) >>> 0;
    const b = cpu.getReg(Reg.ECX) >>> 0;
    const c = cpu.getReg(Reg.EDX) >>> 0;
    const d = cpu.getReg(Reg.ESI) >>> 0;
    const e = cpu.getReg(Reg.EDI) >>> 0;
    const f = cpu.getReg(Reg.EBP) >>> 0;
    if (this.tracer) this.tracer.enter(t, nr, [a, b, c, d, e, f]);
    if (!handler) return this.finish(t, nr, this.unimplemented(t, nr));
    let result: SyscallResult;
    // The calling thread follows the syscall's promises (for /proc/self after an await). Entering costs
    // ~100 ns a syscall even when the thread is already the store, so only a change of thread enters.
    if (taskContext.getStore() !== t) taskContext.enterWith(t);
    try {
      result = handler(t, a, b, c, d, e, f);
    } catch (error) {
      result = this.errorResult(t, nr, error);
    }
    if (typeof result === 'number') return this.finish(t, nr, result);
    if (result === KEEP_REGISTERS) {
      // exit, execve, sigreturn: there is no return value to show (strace prints "= ?").
      if (this.tracer) this.tracer.exit(t, nr, null);
      return SyscallOutcome.Done;
    }
    onPending(t, result, nr);
    return SyscallOutcome.Pending;
  }

  /** The value a settled pending syscall leaves in %eax. */
  settle(t: Thread, nr: number, outcome: { value: number } | { error: unknown }): number {
    const result = 'value' in outcome ? outcome.value : this.errorResult(t, nr, outcome.error);
    if (this.tracer) this.tracer.exit(t, nr, result);
    return result;
  }

  private finish(t: Thread, nr: number, result: number): number {
    this.cpu.setReg(Reg.EAX, result | 0);
    if (this.tracer) this.tracer.exit(t, nr, result);
    return SyscallOutcome.Done;
  }

  private errorResult(t: Thread, nr: number, error: unknown): number {
    if (error instanceof KernelError) return -error.errno;
    if (error instanceof KernelPanic) throw error;
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    throw new KernelPanic(`bug in ${this.table.nameOf(nr)} (pid ${t.process.pid}, tid ${t.tid}): ${message}`);
  }

  private unimplemented(t: Thread, nr: number): number {
    const entry = this.table.entry(nr);
    if (!this.reported.has(nr)) {
      this.reported.add(nr);
      this.log.warn(`pid ${t.process.pid}: unimplemented syscall ${this.table.nameOf(nr)} (${nr})`);
    }
    return -(entry?.errno ?? ENOSYS);
  }
}
