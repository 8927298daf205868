/**
 * A process (a thread group): the resources its threads share — address space, file table, filesystem
 * context, credentials, signal actions — and its place in the process tree (parent, children, process group,
 * session). Layer: kernel proc. Fields say who writes them; the scheduler never touches a process's
 * resources, only its threads.
 */

import type { Dentry } from '../fs/dentry.js';
import type { AddressSpace } from '../mm/address-space.js';
import { WaitQueue } from '../sched/wait-queue.js';
import type { Tty } from '../tty/tty.js';
import type { CpuTimers } from './cpu-timers.js';
import type { FdTable } from './fd-table.js';
import { ProcessControls } from './process-controls.js';
import { DEFAULT_RLIMITS, type ResourceLimits } from './resource-limits.js';
import type { SigInfo } from './siginfo.js';
import type { SignalActions } from './signal-actions.js';
import type { TaskCredentials } from './task-credentials.js';
import type { Thread } from './thread.js';
import { Usage } from './usage.js';

/** The root, working directory and umask of a task (Linux's fs_struct); shared under CLONE_FS. */
export interface FsContext {
  root: Dentry;
  cwd: Dentry;
  umask: number;
}

export const ProcessState = {
  Running: 0,
  /** Every thread has exited; the parent has not reaped it yet. */
  Zombie: 1,
  /** Reaped by wait4; gone from the process table. */
  Reaped: 2,
} as const;
export type ProcessState = (typeof ProcessState)[keyof typeof ProcessState];

export class Process {
  /** Threads in creation order; the first has tid === pid. Written by clone and thread exit. */
  readonly threads: Thread[] = [];
  /** Written by fork (add) and wait4 / reparenting (remove). */
  readonly children = new Set<Process>();
  /** Parents sleep here in wait4 until a child changes state. */
  readonly childWait = new WaitQueue();
  /** A vfork parent sleeps here until this child execs or exits; `vforkPending` says it still waits. */
  readonly vforkDone = new WaitQueue();
  vforkPending = false;
  /** Written by exit and wait4. */
  state: ProcessState = ProcessState.Running;
  /** The wait status (as wait4 reports it) once a zombie; written by exit. */
  exitStatus = 0;
  /** The signal that stopped the process (job control), 0 while it is not stopped. Written by job-control.ts. */
  stopSignal = 0;
  /** A stop (WUNTRACED) or a continue (WCONTINUED) wait4 has not reported yet. Written by job-control.ts and wait4. */
  stopUnreported = false;
  continueUnreported = false;
  /** The controlling terminal (Linux's signal->tty): inherited by fork; set by open and TIOCSCTTY, cleared by setsid and TIOCNOTTY. */
  ctty: Tty | null = null;
  /** The executable's name as /proc/<pid>/comm shows it (16 bytes max); written by exec and prctl. */
  comm = '';
  /** prctl's and personality's settings; a fork's child gets `controls.forChild()`. */
  controls = new ProcessControls();
  /**
   * argv and the environment exec gave the running program, as it copied them in (bytes, without their NULs),
   * for /proc/<pid>/cmdline and environ; written by exec. Kept as bytes: text is made only when one is read.
   */
  argv: readonly Uint8Array[] = [];
  envp: readonly Uint8Array[] = [];
  /** The auxiliary vector exec gave the running program (its bytes), for /proc/<pid>/auxv; written by exec. */
  auxv: Uint8Array = new Uint8Array(0);
  /** The file of the running executable, for /proc/<pid>/exe (null before the first exec); written by exec. */
  exe: Dentry | null = null;
  /** getrlimit/setrlimit's table: shared with the parent after fork until either changes one. */
  rlimits: ResourceLimits = DEFAULT_RLIMITS;
  /** Signals sent to the process as a whole, not yet delivered (bit n-1 = signal n). */
  sigPendingLo = 0;
  sigPendingHi = 0;
  /** Woken when the process exits (a pidfd's poll and read wait here). */
  readonly exited = new WaitQueue();
  /** Woken whenever a signal is sent to the process or one of its threads (rt_sigtimedwait sleeps here). */
  readonly signalArrived = new WaitQueue();
  /** siginfo of each pending process-directed signal, by number. Written by the signal layer. */
  readonly sigInfo: (SigInfo | undefined)[] = [];
  /** Further instances of pending real-time signals, in order, by number (sigInfo holds the first). */
  readonly sigQueued: (SigInfo[] | undefined)[] = [];
  /** The signal the parent gets when this process exits (clone's CSIGNAL bits; SIGCHLD for fork). */
  exitSignal = 17;
  /** What threads that have exited used (getrusage, times). Written by thread exit. */
  readonly exitedThreads = new Usage();
  /** What reaped children (and their reaped children) used: RUSAGE_CHILDREN. Written by wait4's reap. */
  readonly reapedChildren = new Usage();
  /** The largest resident set seen, in pages (ru_maxrss). Written by the page-fault path and exec. */
  maxRssPages = 0;
  /** ITIMER_VIRTUAL and ITIMER_PROF, charged on the process's CPU time; null while neither is armed. */
  cpuTimers: CpuTimers | null = null;

  constructor(
    readonly pid: number,
    /** Written by fork and by reparenting to init when the parent dies. */
    public parent: Process | null,
    /** Written by setpgid and setsid. */
    public pgid: number,
    public sid: number,
    /** Written by the set*id syscalls (replaced whole, never mutated). */
    public creds: TaskCredentials,
    /** Written by execve (replaced) only. */
    public mm: AddressSpace,
    /** Written by execve when the table was shared (unshared then) only. */
    public files: FdTable,
    public fs: FsContext,
    public signals: SignalActions,
  ) {}

  get alive(): boolean {
    return this.state === ProcessState.Running;
  }

  /** The thread whose tid is the pid, or any live thread when it has exited (for signals and /proc). */
  get mainThread(): Thread | null {
    return this.threads.find((t) => t.alive) ?? null;
  }
}
