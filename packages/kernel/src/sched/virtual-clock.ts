/**
 * Guest time. By default it is counted in executed instructions (one instruction = one nanosecond of guest
 * time), so a run with the same inputs is deterministic; when every thread sleeps, time jumps to the next
 * timer instead of waiting. With `realtime`, the monotonic clock follows the host's. Timers (nanosleep,
 * alarm, futex and poll timeouts) are kept here, ordered by deadline. Layer: kernel scheduler.
 */

export const NS_PER_INSN = 1;

export interface Timer {
  readonly deadlineNs: number;
  readonly fire: () => void;
}

export class VirtualClock {
  /** Time skipped while every thread slept (virtual mode only). Written by `skipToNextTimer`. */
  private skippedNs = 0;
  private readonly timers: Timer[] = [];
  private readonly hostStartNs = process.hrtime.bigint();

  constructor(
    /** Instructions retired so far, across all threads: the CPU's counter. */
    private readonly insns: () => number,
    readonly realtime: boolean,
    /** CLOCK_REALTIME at boot, in ns since the epoch (a fixed date in virtual mode: deterministic). */
    private readonly bootEpochNs: number,
  ) {}

  /** CLOCK_MONOTONIC, in ns since boot. */
  nowNs(): number {
    if (this.realtime) return Number(process.hrtime.bigint() - this.hostStartNs);
    return this.insns() * NS_PER_INSN + this.skippedNs;
  }

  /** CLOCK_REALTIME, in ns since the epoch. */
  epochNs(): number {
    return this.bootEpochNs + this.nowNs();
  }

  /** Runs `fire` once the monotonic clock reaches `deadlineNs`; returns a cancel function. */
  at(deadlineNs: number, fire: () => void): () => void {
    const timer: Timer = { deadlineNs, fire };
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1]!.deadlineNs > deadlineNs) i--;
    this.timers.splice(i, 0, timer);
    return () => {
      const at = this.timers.indexOf(timer);
      if (at >= 0) this.timers.splice(at, 1);
    };
  }

  /** Fires every timer that is due; returns how many fired. */
  fireDue(): number {
    const now = this.nowNs();
    let fired = 0;
    while (this.timers.length > 0 && this.timers[0]!.deadlineNs <= now) {
      this.timers.shift()!.fire();
      fired++;
    }
    return fired;
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** The earliest deadline, or null when no timer is set. */
  nextDeadlineNs(): number | null {
    return this.timers[0]?.deadlineNs ?? null;
  }

  /** Every thread sleeps: in virtual mode jump to the next timer; returns false when there is none. */
  skipToNextTimer(): boolean {
    const next = this.nextDeadlineNs();
    if (next === null) return false;
    if (!this.realtime) {
      const now = this.nowNs();
      if (next > now) this.skippedNs += next - now;
    }
    return true;
  }
}
