// sleepOnce against the rules of an interruptible sleep: a wake ends it 'ready', a deadline 'timeout', a signal
// ERESTARTSYS; whichever comes first wins, and nothing is left behind on the queue, the clock or the thread.
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
  // sleep.ts keys its interrupters by thread and reads nothing else of it.
  return { time, clock, queue: new WaitQueue(), t: {} as Thread };
}

describe('sleepOnce', () => {
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
    const other = sleepOnce({} as Thread, clock, queue);
    expect(interruptSleep(t)).toBe(true);
    await expect(sleep.catch((e: KernelError) => e instanceof KernelError && e.errno)).resolves.toBe(
      ERESTARTSYS,
    );
    expect(queue.size).toBe(1);
    queue.wakeAll();
    await expect(other).resolves.toBe('ready');
  });
});
