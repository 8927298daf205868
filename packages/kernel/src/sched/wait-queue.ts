/**
 * A wait queue: where a thread sleeps until something it waits for may have happened (a pipe got data, a
 * child exited, a futex word was woken). Subsystems (pipes, ttys, futexes, wait4) own queues and call
 * `wake`; the scheduler parks a thread by adding a waiter and resumes it when the waiter is called. A waiter
 * runs at most once per `add`; a woken thread re-checks its condition, so spurious wakes are harmless.
 * Layer: kernel scheduler; it knows nothing of threads, only of callbacks.
 */

export type Waiter = () => void;

export class WaitQueue {
  private waiters: Waiter[] = [];

  /** Adds a waiter; returns a function that removes it again (for timeouts and signals). */
  add(waiter: Waiter): () => void {
    this.waiters.push(waiter);
    return () => {
      const at = this.waiters.indexOf(waiter);
      if (at >= 0) this.waiters.splice(at, 1);
    };
  }

  /** Wakes every waiter (they re-check their condition). */
  wakeAll(): void {
    if (this.waiters.length === 0) return;
    const woken = this.waiters;
    this.waiters = [];
    for (const waiter of woken) waiter();
  }

  /** Wakes at most `count` waiters, oldest first; returns how many were woken (futex wake counts). */
  wake(count: number): number {
    const woken = this.waiters.splice(0, count);
    for (const waiter of woken) waiter();
    return woken.length;
  }

  get size(): number {
    return this.waiters.length;
  }
}
