/**
 * Interruptible sleep, the one way a syscall waits: the thread sleeps on a wait queue (and optionally a
 * deadline) until a condition holds, and a signal wakes it with ERESTARTSYS (signal delivery then decides
 * between EINTR and restarting the call, by SA_RESTART). Returns a promise, which the dispatcher treats as a pending syscall: the scheduler
 * runs other threads meanwhile. Layer: kernel scheduler.
 */
import { ERESTARTNOHAND, ERESTARTSYS } from '@kmos/abi-linux';
import { KernelError } from '../kernel-error.js';
import { firstDeliverable } from '../proc/sigset.js';
import type { Thread } from '../proc/thread.js';
import type { VirtualClock } from './virtual-clock.js';
import type { WaitQueue } from './wait-queue.js';

export type SleepEnd = 'ready' | 'timeout';

/**
 * A signal waits for `t`, unblocked: an interruptible sleep does not begin then, as Linux checks
 * signal_pending before it sleeps (a mask that ppoll or epoll_pwait installed may have let one in).
 */
function signalWaiting(t: Thread): boolean {
  const p = t.process;
  const pendingLo = t.sigPendingLo | p.sigPendingLo;
  const pendingHi = t.sigPendingHi | p.sigPendingHi;
  return firstDeliverable(pendingLo, pendingHi, t.sigBlockedLo, t.sigBlockedHi) !== 0;
}

/**
 * For the waits Linux never restarts after a handler ran, SA_RESTART or not (poll, select, epoll_wait and
 * their signal-mask forms: signal(7)): the interruption becomes ERESTARTNOHAND, so the call fails with
 * EINTR after a handler and restarts only when no handler ran.
 */
export async function notRestartedAfterHandler<T>(sleep: Promise<T>): Promise<T> {
  try {
    return await sleep;
  } catch (error) {
    if (error instanceof KernelError && error.errno === ERESTARTSYS) throw new KernelError(ERESTARTNOHAND);
    throw error;
  }
}

function interrupted(): Promise<never> {
  return Promise.reject(new KernelError(ERESTARTSYS, 'interrupted by a signal'));
}

/** Set on a sleeping thread: a signal calls it to cut the sleep short. Written by `sleepUntil` only. */
export const interrupters = new WeakMap<Thread, () => void>();

export function interruptSleep(t: Thread): boolean {
  const interrupt = interrupters.get(t);
  if (!interrupt) return false;
  interrupt();
  return true;
}

/**
 * Sleeps until `ready()` is true (checked at once and after every wake of `queues`), until the monotonic clock
 * passes `deadlineNs` (null: no deadline), or until a signal interrupts (KernelError(ERESTARTSYS)). An
 * uninterruptible sleep (`interruptible` false: vfork's wait for its child) lets signals wait instead.
 */
export function sleepUntil(
  t: Thread,
  clock: VirtualClock,
  queues: readonly WaitQueue[],
  ready: () => boolean,
  deadlineNs: number | null,
  interruptible = true,
): Promise<SleepEnd> {
  if (ready()) return Promise.resolve('ready');
  if (interruptible && signalWaiting(t)) return interrupted();
  return new Promise<SleepEnd>((resolve, reject) => {
    const removers: (() => void)[] = [];
    let cancelTimer: (() => void) | null = null;
    const finish = () => {
      for (const remove of removers) remove();
      removers.length = 0;
      cancelTimer?.();
      interrupters.delete(t);
    };
    const arm = () => {
      for (const queue of queues) removers.push(queue.add(onWake));
    };
    function onWake() {
      for (const remove of removers) remove();
      removers.length = 0;
      if (ready()) {
        finish();
        resolve('ready');
      } else {
        arm();
      }
    }
    arm();
    if (deadlineNs !== null) {
      cancelTimer = clock.at(deadlineNs, () => {
        cancelTimer = null;
        finish();
        resolve(ready() ? 'ready' : 'timeout');
      });
    }
    if (!interruptible) return;
    interrupters.set(t, () => {
      finish();
      // What was waited for may have happened together with the signal (a child's exit and its SIGCHLD):
      // as on Linux, the result wins over the interruption.
      if (ready()) resolve('ready');
      else reject(new KernelError(ERESTARTSYS, 'interrupted by a signal'));
    });
  });
}

/**
 * Sleeps until `queue` is next woken (or the deadline passes, or a signal interrupts): for "try, and if it
 * would block, wait". Being woken is the condition, so this is `sleepUntil` with one waiter that settles the
 * promise itself: a pipe's reader and writer take turns through here at every 64 KiB.
 */
export function sleepOnce(
  t: Thread,
  clock: VirtualClock,
  queue: WaitQueue,
  deadlineNs: number | null = null,
): Promise<SleepEnd> {
  if (signalWaiting(t)) return interrupted();
  return new Promise<SleepEnd>((resolve, reject) => {
    let cancelTimer: (() => void) | null = null;
    const finish = () => {
      remove();
      cancelTimer?.();
      interrupters.delete(t);
    };
    const remove = queue.add(() => {
      finish();
      resolve('ready');
    });
    if (deadlineNs !== null) {
      cancelTimer = clock.at(deadlineNs, () => {
        cancelTimer = null;
        finish();
        resolve('timeout');
      });
    }
    interrupters.set(t, () => {
      finish();
      reject(new KernelError(ERESTARTSYS, 'interrupted by a signal'));
    });
  });
}
