/**
 * Robust futexes (set_robust_list): when a thread exits or execs while holding robust mutexes, the kernel
 * walks the list the thread registered and, for each futex word whose owner is that thread, sets
 * FUTEX_OWNER_DIED (keeping FUTEX_WAITERS) and wakes one waiter, so the next locker gets EOWNERDEAD instead
 * of waiting for ever — Linux's exit_robust_list. The pending entry (list_op_pending) is handled last; a
 * list that loops or faults ends the walk; a walk takes at most ROBUST_LIST_LIMIT entries.
 * Layer: kernel proc; lifecycle.ts and exec call it.
 */
import type { UserPtr } from '@kmos/abi-driver';
import { FUTEX_OWNER_DIED, FUTEX_TID_MASK, FUTEX_WAITERS, robustListHeadLayout } from '@kmos/abi-linux';
import { getUser32, putUser32 } from '../mm/usercopy.js';
import type { Thread } from './thread.js';

/** An entry pointer without its low bit (which marks a PI futex), as an unsigned address. */
const withoutPiBit = (pointer: number) => (pointer & ~1) >>> 0;

/** Linux's ROBUST_LIST_LIMIT: entries walked at most (a guard against loops). */
const ROBUST_LIST_LIMIT = 2048;

/** Releases the robust futexes `t` holds; `wake` wakes one waiter of a futex address. */
export function releaseRobustFutexes(t: Thread, wake: (addr: number) => void): void {
  const head = t.robustList;
  if (head === 0) return;
  t.robustList = 0;
  const as = t.process.mm;
  const F = robustListHeadLayout.fields;
  const read = (addr: number) => getUser32(as, addr as UserPtr);
  const release = (entry: number, offset: number) => {
    const addr = (entry + offset) >>> 0;
    const word = read(addr);
    if ((word & FUTEX_TID_MASK) !== t.tid) return;
    putUser32(as, addr as UserPtr, ((word & FUTEX_WAITERS) | FUTEX_OWNER_DIED) >>> 0);
    if (word & FUTEX_WAITERS) wake(addr);
  };
  try {
    const offset = read(head + F.futex_offset.offset) | 0;
    const pending = withoutPiBit(read(head + F.list_op_pending.offset));
    let entry = withoutPiBit(read(head + F.list.offset));
    for (let n = 0; entry !== head && n < ROBUST_LIST_LIMIT; n++) {
      const next = withoutPiBit(read(entry));
      if (entry !== pending) release(entry, offset);
      entry = next;
    }
    if (pending !== 0) release(pending, offset);
  } catch {
    // A list in unmapped memory ends the walk, as a fault ends Linux's.
  }
}
