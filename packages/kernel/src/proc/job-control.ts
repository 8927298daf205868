/**
 * Job control: stopping and continuing whole processes, and telling the parent (SIGCHLD with CLD_STOPPED
 * or CLD_CONTINUED, and a report for wait4's WUNTRACED/WCONTINUED), as Linux's kernel/signal.c does.
 *
 * How it works: sending a stop signal (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) drops a pending SIGCONT, and
 * sending SIGCONT drops pending stop signals and continues a stopped process at once — even when SIGCONT
 * is ignored or blocked (prepare_signal). A stop signal whose action is the default stops the process when
 * it is delivered: the delivering thread stops, every other thread stops on its next way back to user
 * mode (`parkIfStopped`, called before delivery), and a thread asleep in a syscall is woken so that it gets
 * there (its syscall restarts after SIGCONT). SIGTSTP, SIGTTIN and SIGTTOU are discarded instead when
 * the process group is orphaned (no member has a parent in another group of the same session), since no
 * shell could ever continue it. When a process exits and that orphans a group with a stopped member, the
 * group gets SIGHUP and SIGCONT (kill_orphaned_pgrp); a session leader that exits takes the controlling
 * terminal from its session and hangs up its foreground group (disassociate_ctty).
 * Deliberate difference: Linux does not count a parent that is init (pid 1) as tying a group to its
 * session. Under `kmos run`, pid 1 is the user's program — typically an interactive shell — so here it
 * counts like any other parent; otherwise a shell run by `kmos run` could never stop its jobs with ^Z.
 * Layer: kernel proc; signals.ts calls it when signals are sent and delivered, lifecycle.ts at exit.
 */
import {
  CLD_CONTINUED,
  CLD_STOPPED,
  SA_NOCLDSTOP,
  SI_KERNEL,
  SIG_IGN,
  SIGCHLD,
  SIGCONT,
  SIGHUP,
  SIGSTOP,
  SIGTSTP,
  SIGTTIN,
  SIGTTOU,
} from '@kmos/abi-linux';
import type { Kernel } from '../kernel.js';
import { interruptSleep } from '../sched/sleep.js';
import type { LifecycleHooks } from './lifecycle.js';
import type { Process } from './process.js';
import { sigBit } from './sigset.js';
import { type Thread, ThreadState } from './thread.js';

/** SIGSTOP, SIGTSTP, SIGTTIN and SIGTTOU as a mask of the low signal word (sig_kernel_stop_mask). */
const STOP_SIGNALS_LO = sigBit(SIGSTOP) | sigBit(SIGTSTP) | sigBit(SIGTTIN) | sigBit(SIGTTOU);

export function isStopSignal(signo: number): boolean {
  return signo <= 32 && (STOP_SIGNALS_LO & sigBit(signo)) !== 0;
}

/** What sending `signo` does to job control before it is queued (Linux's prepare_signal). */
export function prepareSignal(k: Kernel, hooks: LifecycleHooks, p: Process, signo: number): void {
  if (isStopSignal(signo)) {
    dropPending(p, sigBit(SIGCONT));
  } else if (signo === SIGCONT) {
    dropPending(p, STOP_SIGNALS_LO);
    continueProcess(k, hooks, p);
  }
}

function dropPending(p: Process, maskLo: number): void {
  p.sigPendingLo &= ~maskLo;
  for (const t of p.threads) t.sigPendingLo &= ~maskLo;
  for (let signo = 1; signo <= 32; signo++) {
    if ((maskLo & sigBit(signo)) === 0) continue;
    p.sigInfo[signo] = undefined;
    for (const t of p.threads) t.sigInfo[signo] = undefined;
  }
}

/** The default action of stop signal `signo`, delivered to `t`: true when the process stopped. */
export function stopByDefault(k: Kernel, hooks: LifecycleHooks, t: Thread, signo: number): boolean {
  const p = t.process;
  if (signo !== SIGSTOP && isOrphanedPgrp(k, p.pgid, null)) return false;
  p.stopSignal = signo;
  p.stopUnreported = true;
  p.continueUnreported = false;
  for (const thread of p.threads) if (thread.alive) stopThread(k, thread);
  notifyParent(hooks, p, CLD_STOPPED, signo);
  return true;
}

function stopThread(k: Kernel, t: Thread): void {
  if (t === k.sched.current) {
    k.sched.block(t);
    t.state = ThreadState.Stopped;
  } else if (t.state === ThreadState.Runnable) {
    // The run queue skips threads that are not runnable; SIGCONT queues it again.
    t.state = ThreadState.Stopped;
  } else if (t.state === ThreadState.Blocked) {
    // Asleep in a syscall: woken, it restarts the call and stops on its way back to user mode.
    interruptSleep(t);
  }
}

/** Before `t` returns to user mode: when its process is stopped, `t` stops too. True when it did. */
export function parkIfStopped(k: Kernel, t: Thread): boolean {
  if (t.process.stopSignal === 0) return false;
  stopThread(k, t);
  return true;
}

function continueProcess(k: Kernel, hooks: LifecycleHooks, p: Process): void {
  if (p.stopSignal === 0) return;
  p.stopSignal = 0;
  p.stopUnreported = false;
  p.continueUnreported = true;
  for (const t of p.threads) if (t.state === ThreadState.Stopped) k.sched.enqueue(t);
  notifyParent(hooks, p, CLD_CONTINUED, SIGCONT);
}

/** do_notify_parent_cldstop: SIGCHLD unless the parent ignores it or asked SA_NOCLDSTOP; wait4 wakes anyway. */
function notifyParent(hooks: LifecycleHooks, p: Process, code: number, status: number): void {
  const parent = p.parent;
  if (!parent) return;
  const action = parent.signals.get(SIGCHLD);
  if (action.handler !== SIG_IGN && (action.flags & SA_NOCLDSTOP) === 0)
    hooks.signalProcess(parent, SIGCHLD, code, status, p);
  parent.childWait.wakeAll();
}

/**
 * True when no live member of group `pgid` (other than `ignoring`) has a parent in a different group of
 * the same session (will_become_orphaned_pgrp); see the header on pid 1.
 */
export function isOrphanedPgrp(k: Kernel, pgid: number, ignoring: Process | null): boolean {
  for (const p of k.processes.inGroup(pgid)) {
    if (p === ignoring) continue;
    const parent = p.parent;
    if (parent?.alive && parent !== ignoring && parent.pgid !== pgid && parent.sid === p.sid) return false;
  }
  return true;
}

function hasStoppedMember(k: Kernel, pgid: number): boolean {
  for (const p of k.processes.inGroup(pgid)) if (p.stopSignal !== 0) return true;
  return false;
}

/** Sends `signo` from the kernel to every live process of group `pgid`. */
export function signalGroup(k: Kernel, pgid: number, signo: number, from: Process): void {
  for (const p of [...k.processes.inGroup(pgid)]) k.lifecycle.signalProcess(p, signo, SI_KERNEL, 0, from);
}

/**
 * `p` is exiting (already a zombie, its children not yet given away): hang up groups it orphans that have
 * stopped members (its own and its children's), and, for a session leader, its controlling terminal.
 */
export function jobControlAtExit(k: Kernel, p: Process): void {
  const groups = new Set<number>();
  if (p.parent && p.parent.pgid !== p.pgid && p.parent.sid === p.sid) groups.add(p.pgid);
  for (const child of p.children) if (child.pgid !== p.pgid && child.sid === p.sid) groups.add(child.pgid);
  for (const pgid of groups) {
    if (!hasStoppedMember(k, pgid) || !isOrphanedPgrp(k, pgid, p)) continue;
    signalGroup(k, pgid, SIGHUP, p);
    signalGroup(k, pgid, SIGCONT, p);
  }
  if (p.pid === p.sid && p.ctty) disassociateTty(k, p, true);
}

/**
 * The session of leader `p` loses its controlling terminal (TIOCNOTTY by the leader, or its exit): the
 * foreground group gets SIGHUP (and SIGCONT, unless the leader is exiting), as disassociate_ctty does.
 */
export function disassociateTty(k: Kernel, p: Process, exiting: boolean): void {
  const tty = p.ctty;
  if (!tty) return;
  const foreground = tty.foregroundPgid;
  if (foreground > 0) {
    signalGroup(k, foreground, SIGHUP, p);
    if (!exiting) signalGroup(k, foreground, SIGCONT, p);
  }
  for (const member of k.processes.processes.values()) if (member.sid === p.sid) member.ctty = null;
  p.ctty = null;
  tty.sessionId = 0;
  tty.foregroundPgid = 0;
}
