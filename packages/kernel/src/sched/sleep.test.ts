// sleepOnce against the rules of an interruptible sleep: a wake ends it 'ready', a deadline 'timeout', a signal
// ERESTARTSYS; whichever comes first wins, and nothing is left behind on the queue, the clock or the thread.
// A signal already waiting (pending and not blocked) stops it before it begins.
import { ERESTARTSYS } from '@kmos/abi-linux';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../kernel-error.js';
import type { Thread } from '../proc/thread.js';
import { interruptSleep, sleepOnce } from './sleep.js';
import { VirtualClock } from './virtual-clock.js';
import { WaitQueue } from './wait-queue.js';

function setup() {
  const time = { insns: 0 };
  const clock = new VirtualClock(() => time.insns, false, 0);
  return { time, clock, queue: new WaitQueue(), t: idleThread() };
}

/** sleep.ts keys its interrupters by thread and reads only its signal bits. */
function idleThread(pendingLo = 0, blockedLo = 0): Thread {
  const process = { sigPendingLo: 0, sigPendingHi: 0 };
  return {
    sigPendingLo: pendingLo,
    sigPendingHi: 0,
    sigBlockedLo: blockedLo,
    sigBlockedHi: 0,
    process,
  } as never;
}

describe('sleepOnce', () => {
  it('does not begin while a signal waits unblocked; a blocked one does not stop it', async () => {
    const { clock, queue } = setup();
    const usr1 = 1 << 9;
    const stopped = sleepOnce(idleThread(usr1), clock, queue);
    await expect(stopped.catch((e: KernelError) => e.errno)).resolves.toBe(ERESTARTSYS);
    expect(queue.size).toBe(0);
    const sleeping = sleepOnce(idleThread(usr1, usr1), clock, queue);
    expect(queue.size).toBe(1);
    queue.wakeAll();
    await expect(sleeping).resolves.toBe('ready');
  });

  it('ends ready at the next wake of its queue, and leaves no waiter, timer or interrupter', async () => {
    const { clock, queue, t } = setup();
    const sleep = sleepOnce(t, clock, queue, 1000);
    expect(queue.size).toBe(1);
    queue.wakeAll();
    await expect(sleep).resolves.toBe('ready');
    expect(queue.size).toBe(0);
    expect(clock.nextDeadlineNs()).toBe(null);
    expect(interruptSleep(t)).toBe(false);
  });

  it('ends with timeout when the deadline passes first; a later wake changes nothing', async () => {
    const { time, clock, queue, t } = setup();
    const sleep = sleepOnce(t, clock, queue, 1000);
    time.insns = 1000;
    expect(clock.fireDue()).toBe(1);
    queue.wakeAll();
    await expect(sleep).resolves.toBe('timeout');
    expect(queue.size).toBe(0);
    expect(interruptSleep(t)).toBe(false);
  });

  it('ends with ERESTARTSYS when a signal interrupts it, and takes itself off the queue', async () => {
    const { clock, queue, t } = setup();
    const sleep = sleepOnce(t, clock, queue);
    const other = sleepOnce(idleThread(), clock, queue);
    expect(interruptSleep(t)).toBe(true);
    await expect(sleep.catch((e: KernelError) => e instanceof KernelError && e.errno)).resolves.toBe(
      ERESTARTSYS,
    );
    expect(queue.size).toBe(1);
    queue.wakeAll();
    await expect(other).resolves.toBe('ready');
  });
});
