/**
 * The scheduler: a round-robin run queue of runnable threads, each given a time slice counted in guest
 * instructions, and the context switch that puts a thread on the CPU (registers, FPU state, CR3, its TLS
 * descriptors). Blocking and waking are state changes here; what a thread waits for is its subsystem's
 * business (wait queues, timers, promises). Layer: kernel scheduler, below proc (which creates threads)
 * and above the arch plugin (the Cpu).
 *
 * Invariants: a Runnable thread is either `current` or in the run queue exactly once; a thread's `context`
 * holds its registers exactly when it is not `current`.
 */
import type { Cpu } from '@kmos/abi-driver';
import { KernelPanic } from '../errors.js';
import { GDT_ENTRY_TLS_ENTRIES, GDT_ENTRY_TLS_MIN, type Thread, ThreadState } from '../proc/thread.js';

/** Instructions a thread runs before another runnable thread gets the CPU (about 1 ms of guest time). */
export const DEFAULT_SLICE_INSNS = 1_000_000;

export class Scheduler {
  private queue: Thread[] = [];
  private head = 0;
  /** The thread whose registers are in the CPU, or null. Written by `switchTo` and `putAside`. */
  current: Thread | null = null;
  private loadedCr3 = -1;

  constructor(
    private readonly cpu: Cpu,
    readonly sliceInsns = DEFAULT_SLICE_INSNS,
  ) {}

  get runnableCount(): number {
    return this.queue.length - this.head + (this.current?.state === ThreadState.Runnable ? 1 : 0);
  }

  /** True when some thread waits in the run queue. */
  hasQueued(): boolean {
    for (let i = this.head; i < this.queue.length; i++)
      if (this.queue[i]!.state === ThreadState.Runnable) return true;
    return false;
  }

  /** Makes a new or woken thread runnable. */
  enqueue(t: Thread): void {
    if (t.state === ThreadState.Dead) return;
    t.state = ThreadState.Runnable;
    if (t !== this.current) this.queue.push(t);
  }

  /** The next runnable thread, in round-robin order, or null. */
  next(): Thread | null {
    while (this.head < this.queue.length) {
      const t = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      if (t.state === ThreadState.Runnable) return t;
    }
    return null;
  }

  /** Puts `t` on the CPU, saving whoever was there. */
  switchTo(t: Thread): void {
    if (this.current === t) return;
    this.putAside();
    const cpu = this.cpu;
    const cr3 = t.process.mm.cr3;
    if (cr3 !== this.loadedCr3) {
      cpu.setCr3(cr3);
      this.loadedCr3 = cr3;
    }
    for (let i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++) {
      cpu.setGdtEntry(GDT_ENTRY_TLS_MIN + i, t.tls[i * 2]!, t.tls[i * 2 + 1]!);
    }
    cpu.restoreContext(t.context);
    this.current = t;
  }

  /** Saves the current thread's registers and leaves the CPU empty. */
  putAside(): void {
    const t = this.current;
    if (!t) return;
    this.cpu.saveContext(t.context);
    this.current = null;
  }

  /** The current thread's slice ended: back of the queue. */
  preempt(t: Thread): void {
    if (t !== this.current) throw new KernelPanic(`preempting thread ${t.tid}, which is not on the CPU`);
    this.putAside();
    if (t.state !== ThreadState.Runnable) return;
    // An involuntary context switch only when someone else gets the CPU (getrusage's ru_nivcsw).
    if (this.hasQueued()) t.nivcsw++;
    this.queue.push(t);
  }

  /** `t` sleeps until `wake`; its registers are saved if it is on the CPU. */
  block(t: Thread): void {
    if (t === this.current) this.putAside();
    if (t.state !== ThreadState.Runnable) return;
    t.state = ThreadState.Blocked;
    t.nvcsw++;
  }

  wake(t: Thread): void {
    if (t.state === ThreadState.Blocked) this.enqueue(t);
  }

  /** `t` is gone; it never runs again. */
  retire(t: Thread): void {
    if (t === this.current) this.current = null;
    t.state = ThreadState.Dead;
  }

  /** `t` (on the CPU) has a new address space (execve): load it now. */
  loadAddressSpace(t: Thread): void {
    const cr3 = t.process.mm.cr3;
    this.cpu.setCr3(cr3);
    this.loadedCr3 = cr3;
  }

  /** The address space the CPU's CR3 points at changed (execve, teardown): reload it on the next switch. */
  forgetCr3(): void {
    this.loadedCr3 = -1;
  }
}
