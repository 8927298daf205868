/**
 * How processes and threads end: a thread exits (exit), a whole thread group exits (exit_group, a fatal
 * signal), the process becomes a zombie holding its wait status, its children go to init, its parent gets
 * SIGCHLD and is woken in wait4; wait4 reaps it. Layer: kernel proc; syscall handlers and signal delivery
 * call it.
 */

import { SI_USER, SIGKILL } from '@kmos/abi-linux';
import type { Kernel } from '../kernel.js';
import { putUser32 } from '../mm/usercopy.js';
import { closeDetached } from './fd-table.js';
import { jobControlAtExit } from './job-control.js';
import { type Process, ProcessState } from './process.js';
import { releaseRobustFutexes } from './robust-futexes.js';
import { release } from './sharing.js';
import type { Thread } from './thread.js';
import { waitUsage } from './usage.js';

/** The per-process hooks lifecycle needs from other subsystems (futex wake, signals), set by the kernel. */
export interface LifecycleHooks {
  /** Wakes futex waiters on `addr` in `p`'s address space (CLONE_CHILD_CLEARTID). */
  futexWake(p: Process, addr: number, count: number): void;
  /** Sends `signo` to `p` from the kernel (SIGCHLD to the parent). */
  signalProcess(p: Process, signo: number, code: number, status: number, from: Process): void;
}

/** One thread ends; when it was the last, the process exits with `status`. */
export function exitThread(k: Kernel, hooks: LifecycleHooks, t: Thread, status: number): void {
  const p = t.process;
  if (!t.alive) return;
  releaseRobustFutexes(t, (addr) => hooks.futexWake(p, addr, 1));
  clearChildTid(hooks, t);
  k.sched.retire(t);
  k.processes.removeThread(t);
  p.exitedThreads.addThread(t);
  if (!p.threads.some((other) => other.alive)) becomeZombie(k, hooks, p, status);
}

/** Every thread of `p` ends and the process exits with wait status `status` (exit_group, fatal signals). */
export function exitGroup(k: Kernel, hooks: LifecycleHooks, p: Process, status: number): void {
  if (!p.alive) return;
  for (const t of p.threads) {
    if (!t.alive) continue;
    releaseRobustFutexes(t, (addr) => hooks.futexWake(p, addr, 1));
    clearChildTid(hooks, t);
    k.sched.retire(t);
    k.processes.removeThread(t);
    p.exitedThreads.addThread(t);
  }
  becomeZombie(k, hooks, p, status);
}

function clearChildTid(hooks: LifecycleHooks, t: Thread): void {
  if (t.clearChildTid === 0 || t.process.threads.filter((x) => x.alive).length <= 1) return;
  try {
    putUser32(t.process.mm, t.clearChildTid as never, 0);
    hooks.futexWake(t.process, t.clearChildTid, 1);
  } catch {
    // A bad clear_child_tid pointer is ignored, as Linux does.
  }
}

function becomeZombie(k: Kernel, hooks: LifecycleHooks, p: Process, status: number): void {
  p.state = ProcessState.Zombie;
  p.exitStatus = status;
  p.stopSignal = 0;
  if (p.mm.rssPages > p.maxRssPages) p.maxRssPages = p.mm.rssPages;
  jobControlAtExit(k, p);
  k.sem.exit(p);
  if (release(p.files)) for (const file of p.files.takeAll()) closeDetached(file);
  if (release(p.mm)) p.mm.destroy();
  p.vforkDone.wakeAll();
  p.exited.wakeAll();
  k.sched.forgetCr3();
  reparentChildren(k, hooks, p);
  if (p.pid === 1) {
    k.initExited(status);
    return;
  }
  const parent = p.parent;
  if (parent) {
    // si_status is the exit code for CLD_EXITED and the signal for CLD_KILLED/CLD_DUMPED, not the wait status.
    const signo = status & 0x7f;
    const siStatus = signo === 0 ? (status >> 8) & 0xff : signo;
    if (p.exitSignal !== 0) hooks.signalProcess(parent, p.exitSignal, childCode(status), siStatus, p);
    parent.childWait.wakeAll();
  }
}

/** CLD_EXITED / CLD_KILLED / CLD_DUMPED for SIGCHLD's si_code (1, 2, 3 in <asm-generic/siginfo.h>). */
function childCode(status: number): number {
  const signo = status & 0x7f;
  if (signo === 0) return 1;
  return status & 0x80 ? 3 : 2;
}

/**
 * Orphans go to the nearest living ancestor that is a child subreaper (PR_SET_CHILD_SUBREAPER), else to
 * init (pid 1), which reaps them; with neither, they are reaped at once. Each gets its parent-death
 * signal (PR_SET_PDEATHSIG) first, from the exiting parent, as SI_USER.
 */
function reparentChildren(k: Kernel, hooks: LifecycleHooks, p: Process): void {
  const init = k.processes.processes.get(1);
  let reaper: Process | null = p.parent;
  while (reaper && !(reaper.alive && reaper.controls.childSubreaper)) reaper = reaper.parent;
  const heir = reaper ?? (init && init !== p ? init : null);
  for (const child of p.children) {
    const signal = child.controls.parentDeathSignal;
    if (signal !== 0 && child.alive) hooks.signalProcess(child, signal, SI_USER, 0, p);
    child.parent = heir;
    if (child.parent) {
      child.parent.children.add(child);
      if (child.state === ProcessState.Zombie) child.parent.childWait.wakeAll();
    } else if (child.state === ProcessState.Zombie) {
      reap(k, child);
    }
  }
  p.children.clear();
}

/** wait4 collected `child`: it leaves the process table. */
export function reap(k: Kernel, child: Process): number {
  child.state = ProcessState.Reaped;
  child.parent?.children.delete(child);
  if (child.parent) child.parent.reapedChildren.add(waitUsage(child));
  k.processes.removeProcess(child);
  return child.exitStatus;
}

/** A process killed by the kernel (OOM, a fatal fault while delivering a signal). */
export function killProcess(k: Kernel, hooks: LifecycleHooks, p: Process): void {
  exitGroup(k, hooks, p, SIGKILL);
}
