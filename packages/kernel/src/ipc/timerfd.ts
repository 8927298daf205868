/**
 * timerfd: a timer on the guest clock as a file. Its expirations since the last read accumulate; read takes
 * them as a 64-bit count (blocking, or EAGAIN, while there are none); poll says readable when there are some.
 * An interval timer that fell behind counts every interval that passed, as Linux's hrtimer_forward does.
 * Setting the timer (timerfd_settime) clears the count. Layer: kernel ipc; syscall/handlers/timers.ts makes
 * and sets them.
 */
import { EAGAIN, EINVAL, POLLIN } from '@kmos/abi-linux';
import { fsError } from '../fs/fs-error.js';
import { WouldBlock } from '../fs/would-block.js';
import type { VirtualClock } from '../sched/virtual-clock.js';
import { WaitQueue } from '../sched/wait-queue.js';
import { AnonFile } from './anon-file.js';

const COUNT_BYTES = 8;

/** Where a timer stands: what is left until it expires (0: disarmed) and its interval, in ns. */
export interface TimerSetting {
  readonly leftNs: number;
  readonly intervalNs: number;
}

export class TimerFdFile extends AnonFile {
  protected readonly anonKind = 'timerfd';
  private expirations = 0n;
  /** On the monotonic clock; 0 while disarmed. */
  private deadlineNs = 0;
  private intervalNs = 0;
  private cancel: () => void = () => {};
  private readonly queue = new WaitQueue();

  constructor(
    /** The timer's clock (CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME), for absolute times. */
    readonly clockId: number,
    private readonly clock: VirtualClock,
    flags: number,
    owner: { uid: number; gid: number },
  ) {
    super(flags, owner);
  }

  get setting(): TimerSetting {
    const leftNs = this.deadlineNs === 0 ? 0 : Math.max(1, this.deadlineNs - this.clock.nowNs());
    return { leftNs, intervalNs: this.intervalNs };
  }

  /** Arms the timer to expire at monotonic `deadlineNs` (0: disarms it); clears the count of expirations. */
  set(deadlineNs: number, intervalNs: number): void {
    this.cancel();
    this.cancel = () => {};
    this.expirations = 0n;
    this.intervalNs = intervalNs;
    this.deadlineNs = deadlineNs;
    if (deadlineNs !== 0) this.arm();
  }

  protected override readImpl(into: Uint8Array): number | WouldBlock {
    if (into.length < COUNT_BYTES) throw fsError(EINVAL);
    if (this.expirations === 0n) {
      if (this.nonBlocking) throw fsError(EAGAIN);
      return new WouldBlock(this.queue);
    }
    new DataView(into.buffer, into.byteOffset).setBigUint64(0, this.expirations, true);
    this.expirations = 0n;
    return COUNT_BYTES;
  }

  override poll(): number {
    return this.expirations > 0n ? POLLIN : 0;
  }

  override get waitQueue(): WaitQueue {
    return this.queue;
  }

  protected release(): void {
    this.cancel();
    this.queue.wakeAll();
  }

  private arm(): void {
    this.cancel = this.clock.at(this.deadlineNs, () => this.expire());
  }

  private expire(): void {
    let count = 1;
    if (this.intervalNs > 0) {
      // Every interval that passed since the deadline counts.
      const behind = this.clock.nowNs() - this.deadlineNs;
      if (behind >= this.intervalNs) count += Math.floor(behind / this.intervalNs);
      this.deadlineNs += count * this.intervalNs;
      this.arm();
    } else {
      this.deadlineNs = 0;
    }
    this.expirations += BigInt(count);
    this.queue.wakeAll();
  }
}
