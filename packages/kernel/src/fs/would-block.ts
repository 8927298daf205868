/**
 * The answer of an operation that would have to sleep (a read on an empty pipe, a write to a full one): the
 * queue to sleep on. The VFS never blocks; the syscall layer parks the thread on `queue` and retries the call
 * when woken (or returns EAGAIN itself for O_NONBLOCK files, though the VFS already throws EAGAIN for those).
 * Layer: kernel VFS; used by open-file.ts, pipe.ts, char-file.ts.
 */
import type { WaitQueue } from '../sched/wait-queue.js';

export class WouldBlock {
  constructor(readonly queue: WaitQueue) {}
}

export function isWouldBlock(value: unknown): value is WouldBlock {
  return value instanceof WouldBlock;
}
