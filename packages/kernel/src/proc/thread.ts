/**
 * A thread: one flow of guest execution, with its registers while it is off the CPU, its scheduling state
 * and its per-thread kernel state (signal mask, TLS descriptors, clear-child-tid). Threads of one process
 * share its Process (address space, files, signal actions). Layer: kernel proc; the scheduler moves threads
 * between states, syscall handlers and signal delivery edit the per-thread fields.
 */
import type { CpuContext } from '@kmos/abi-driver';
import type { Process } from './process.js';
import type { SigInfo } from './siginfo.js';

/** A syscall's result as a restart block gives it (the syscall layer's SyscallResult, without importing it). */
export type SyscallResultLike = number | Promise<number>;

export const ThreadState = {
  /** On the CPU or in the run queue. */
  Runnable: 0,
  /** Sleeping in a syscall until a wait queue or a promise wakes it. */
  Blocked: 1,
  /** Stopped by SIGSTOP/SIGTSTP until SIGCONT. */
  Stopped: 2,
  /** Gone: exited or killed; the process may still be a zombie. */
  Dead: 3,
} as const;
export type ThreadState = (typeof ThreadState)[keyof typeof ThreadState];

/** The three TLS slots of the GDT Linux gives each thread (GDT_ENTRY_TLS_MIN 6 .. 8). */
export const GDT_ENTRY_TLS_MIN = 6;
export const GDT_ENTRY_TLS_ENTRIES = 3;

export class Thread {
  /** Written by the scheduler only. */
  state: ThreadState = ThreadState.Runnable;
  /** Blocked signals, as a 64-bit set in two words (bit n-1 = signal n). Written by sigprocmask and delivery. */
  sigBlockedLo = 0;
  sigBlockedHi = 0;
  /** Signals sent to this thread (tkill/tgkill, faults), not yet delivered. */
  sigPendingLo = 0;
  sigPendingHi = 0;
  /** set_tid_address / CLONE_CHILD_CLEARTID: zeroed and futex-woken at exit. */
  clearChildTid = 0;
  /** The robust futex list head set_robust_list registered (0: none). Written by it, and by exit and exec. */
  robustList = 0;
  /** The TLS descriptors (two dwords each) of GDT entries 6..8, loaded into the CPU when the thread runs. */
  readonly tls = new Uint32Array(GDT_ENTRY_TLS_ENTRIES * 2);
  /** Instructions this thread has run (CLOCK_THREAD_CPUTIME_ID, getrusage). Written by the scheduler. */
  insns = 0;
  /** Page faults resolved for it, and context switches: voluntary (it slept) and not (its slice ended). */
  minFlt = 0;
  nvcsw = 0;
  nivcsw = 0;
  /**
   * How to go on with a sleep a signal interrupted, when no handler runs (Linux's restart_block): the
   * syscall returns to user mode as restart_syscall, which calls this. Written by the sleeping syscall.
   */
  restartBlock: ((t: Thread) => SyscallResultLike) | null = null;
  /** siginfo of each pending thread-directed signal, by number. Written by the signal layer. */
  readonly sigInfo: (SigInfo | undefined)[] = [];
  /** Further instances of pending real-time signals, in order, by number (sigInfo holds the first). */
  readonly sigQueued: (SigInfo[] | undefined)[] = [];
  /** sigaltstack: base, size and SS_* flags; size 0 when none. Written by sigaltstack and delivery. */
  altStackSp = 0;
  altStackSize = 0;
  altStackFlags = 0;
  /** The nice value (-20..19) and scheduling policy, priority and reset-on-fork flag (syscall/handlers/scheduling.ts). */
  nice = 0;
  policy = 0;
  rtPriority = 0;
  /** The I/O priority (ioprio_set): class << 13 | data; 0 is IOPRIO_CLASS_NONE. Kept, not acted on. */
  ioprio = 0;
  resetOnFork = false;
  /** The mask to restore after rt_sigsuspend's temporary one, once a handler has run. Written by signals. */
  savedSigmask: { lo: number; hi: number } | null = null;

  constructor(
    readonly tid: number,
    readonly process: Process,
    /** Registers while off the CPU; the scheduler saves into and restores from it. */
    readonly context: CpuContext,
  ) {}

  get alive(): boolean {
    return this.state !== ThreadState.Dead;
  }
}

/**
 * An empty context shaped like `like` (a context the CPU made), for the CPU's saveContext to fill: what
 * clone gives the child. The CPU's newContext would also build a fresh FPU image, only to be overwritten.
 */
export function contextLike(like: CpuContext): CpuContext {
  return {
    gpr: new Int32Array(like.gpr.length),
    eip: 0,
    eflags: 0,
    seg: new Uint16Array(like.seg.length),
    fpu: new Uint8Array(like.fpu.length),
  };
}
