/**
 * POSIX per-process timers (timer_create's; syscall/handlers/posix-timers.ts decodes the calls): each
 * process's table, expiry on the guest clock with the overrun rule, and deletion at exec. Layer: kernel proc.
 */
import { SI_TIMER, SIGEV_NONE } from '@kmos/abi-linux';
import type { Kernel } from '../kernel.js';
import type { Process } from './process.js';
import { type SigInfo, sigInfo } from './siginfo.js';
import type { Thread } from './thread.js';

/** DELAYTIMER_MAX: an overrun count stops growing there. */
const DELAYTIMER_MAX = 0x7fffffff;

export interface PosixTimer {
  readonly id: number;
  readonly clock: number;
  readonly notify: number;
  readonly signo: number;
  readonly value: number;
  /** SIGEV_THREAD_ID's thread; null for the process. */
  readonly thread: Thread | null;
  /** On the monotonic clock; 0 while disarmed. */
  deadlineNs: number;
  intervalNs: number;
  cancel: () => void;
  /** The signal last sent, whose overrun count grows while it is pending. */
  sent: SigInfo | null;
}

export const timersOf = new WeakMap<Process, Map<number, PosixTimer>>();

/** Deletes every timer of `p` (exec; Linux's exit_itimers). */
export function deletePosixTimers(p: Process): void {
  for (const timer of timersOf.get(p)?.values() ?? []) timer.cancel();
  timersOf.delete(p);
}

/** Whether the signal `info` (sent to `t` or to the process `p`) has not been delivered yet. */
function stillPending(p: Process, t: Thread | null, info: SigInfo): boolean {
  const owner = t ?? p;
  return owner.sigInfo[info.signo] === info || (owner.sigQueued[info.signo]?.includes(info) ?? false);
}

/**
 * The timer expired: its signal goes out (or its pending one counts an overrun), and an interval re-arms it.
 * An interval timer that fell behind counts each interval that passed as an overrun.
 */
function expire(k: Kernel, p: Process, timer: PosixTimer): void {
  if (!p.alive) return;
  let missed = 0;
  if (timer.intervalNs > 0) {
    const behind = k.clock.nowNs() - timer.deadlineNs;
    if (behind >= timer.intervalNs) missed = Math.floor(behind / timer.intervalNs);
  }
  if (timer.notify !== SIGEV_NONE) {
    if (timer.sent && stillPending(p, timer.thread, timer.sent)) {
      timer.sent.overrun = Math.min(DELAYTIMER_MAX, timer.sent.overrun + 1 + missed);
    } else {
      const info = sigInfo(timer.signo, SI_TIMER, { timerId: timer.id, value: timer.value, overrun: missed });
      timer.sent = info;
      if (timer.thread) k.signals.sendToThread(timer.thread, info);
      else k.signals.sendToProcess(p, info);
    }
  }
  if (timer.intervalNs > 0) arm(k, p, timer, timer.deadlineNs + (1 + missed) * timer.intervalNs);
  else timer.deadlineNs = 0;
}

export function arm(k: Kernel, p: Process, timer: PosixTimer, deadlineNs: number): void {
  timer.deadlineNs = deadlineNs;
  timer.cancel = k.clock.at(deadlineNs, () => expire(k, p, timer));
}
