/**
 * ITIMER_VIRTUAL and ITIMER_PROF: interval timers that run on the process's CPU time rather than the
 * clock, and send SIGVTALRM and SIGPROF when they expire. CPU time is the instructions the process's
 * threads have retired (one nanosecond each, as the virtual clock counts them); kmOS has no system time to
 * charge (see usage.ts), so both timers advance together, on user time.
 *
 * How it works: a timer holds its expiry as an absolute process CPU time. The check runs before a thread
 * of the process returns to user mode (signals.ts's deliver), which happens at least once per time slice,
 * so a timer fires within a slice (~1 ms of guest time) of its expiry — finer than Linux's tick-based
 * accounting. An expired timer with an interval is re-armed one interval later, as check_cpu_itimer does.
 * Layer: kernel proc; setitimer/getitimer (syscall/handlers/time.ts) arm and read it.
 */
import { SI_KERNEL, SIGPROF, SIGVTALRM } from '@kmos/abi-linux';
import type { Kernel } from '../kernel.js';
import { NS_PER_INSN } from '../sched/virtual-clock.js';
import type { Process } from './process.js';
import { sigInfo } from './siginfo.js';

export interface CpuTimer {
  /** Process CPU time at which it fires, in ns; 0 when disarmed. */
  expiresNs: number;
  intervalNs: number;
}

export interface CpuTimers {
  readonly virtual: CpuTimer;
  readonly prof: CpuTimer;
}

/** The process's CPU time so far, in ns: its live threads and the ones that exited. */
export function processCpuNs(p: Process): number {
  let insns = p.exitedThreads.insns;
  for (const t of p.threads) if (t.alive) insns += t.insns;
  return insns * NS_PER_INSN;
}

function timersOf(p: Process): CpuTimers {
  p.cpuTimers ??= {
    virtual: { expiresNs: 0, intervalNs: 0 },
    prof: { expiresNs: 0, intervalNs: 0 },
  };
  return p.cpuTimers;
}

/** Arms (valueNs > 0) or disarms one timer; returns what was left of it and its interval. */
export function setCpuTimer(
  p: Process,
  which: 'virtual' | 'prof',
  valueNs: number,
  intervalNs: number,
): { leftNs: number; intervalNs: number } {
  const old = getCpuTimer(p, which);
  const timer = timersOf(p)[which];
  timer.expiresNs = valueNs > 0 ? processCpuNs(p) + valueNs : 0;
  timer.intervalNs = valueNs > 0 ? intervalNs : 0;
  const timers = p.cpuTimers;
  if (timers && timers.virtual.expiresNs === 0 && timers.prof.expiresNs === 0) p.cpuTimers = null;
  return old;
}

/** What is left of one timer (a timer that is due but not yet checked reads 1 ns: it never reads as off). */
export function getCpuTimer(p: Process, which: 'virtual' | 'prof'): { leftNs: number; intervalNs: number } {
  const timer = p.cpuTimers?.[which];
  if (!timer || timer.expiresNs === 0) return { leftNs: 0, intervalNs: 0 };
  return { leftNs: Math.max(1, timer.expiresNs - processCpuNs(p)), intervalNs: timer.intervalNs };
}

/** Sends the signal of every timer of `p` that has expired, re-arming periodic ones. */
export function chargeCpuTimers(k: Kernel, p: Process): void {
  const timers = p.cpuTimers;
  if (!timers) return;
  const now = processCpuNs(p);
  fireIfDue(k, p, timers.prof, now, SIGPROF);
  fireIfDue(k, p, timers.virtual, now, SIGVTALRM);
  if (timers.virtual.expiresNs === 0 && timers.prof.expiresNs === 0) p.cpuTimers = null;
}

function fireIfDue(k: Kernel, p: Process, timer: CpuTimer, nowNs: number, signo: number): void {
  if (timer.expiresNs === 0 || nowNs < timer.expiresNs) return;
  timer.expiresNs = timer.intervalNs > 0 ? timer.expiresNs + timer.intervalNs : 0;
  k.signals.sendToProcess(p, sigInfo(signo, SI_KERNEL));
}
