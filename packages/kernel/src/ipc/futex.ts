/**
 * Futexes: threads sleep on a 32-bit word in user memory until another thread wakes that word. Private
 * futexes (FUTEX_PRIVATE_FLAG) are keyed by address space and virtual address; shared ones by the physical
 * address of the word, so processes mapping the same page meet. Waiters carry a bitset (FUTEX_WAIT_BITSET);
 * wake, requeue and wake-op follow futex(2). Layer: kernel ipc, used by the futex syscall and by thread exit
 * (clear_child_tid). Time comes from the guest clock.
 */
import { PAGE_SIZE, type UserPtr } from '@kmos/abi-driver';
import { EAGAIN, EINVAL, ETIMEDOUT, FUTEX_BITSET_MATCH_ANY } from '@kmos/abi-linux';
import { KernelError } from '../kernel-error.js';
import type { AddressSpace } from '../mm/address-space.js';
import { PTE_FRAME_MASK } from '../mm/page-table.js';
import { getUser32 } from '../mm/usercopy.js';
import type { Thread } from '../proc/thread.js';
import { sleepUntil } from '../sched/sleep.js';
import type { VirtualClock } from '../sched/virtual-clock.js';
import { WaitQueue } from '../sched/wait-queue.js';

interface Waiter {
  readonly thread: Thread;
  readonly bitset: number;
  readonly queue: WaitQueue;
  woken: boolean;
  key: string;
}

const mmIds = new WeakMap<AddressSpace, number>();
let nextMmId = 1;

export class Futexes {
  private readonly waiters = new Map<string, Waiter[]>();

  constructor(private readonly clock: VirtualClock) {}

  /** The key of the word at `addr`; reading it first faults the page in (EFAULT when it cannot be). */
  key(as: AddressSpace, addr: number, priv: boolean): string {
    if (addr % 4 !== 0) throw new KernelError(EINVAL, 'unaligned futex');
    getUser32(as, addr as UserPtr);
    if (priv) {
      let id = mmIds.get(as);
      if (id === undefined) {
        id = nextMmId++;
        mmIds.set(as, id);
      }
      return `p${id}:${addr}`;
    }
    const pte = as.pd.pte(addr);
    return `s${((pte & PTE_FRAME_MASK) >>> 0) + (addr % PAGE_SIZE)}`;
  }

  /** FUTEX_WAIT(_BITSET): sleeps while *addr == expected, until woken, the deadline, or a signal. */
  async wait(
    t: Thread,
    key: string,
    word: number,
    expected: number,
    bitset: number,
    deadlineNs: number | null,
  ): Promise<number> {
    if (bitset === 0) throw new KernelError(EINVAL);
    if (word >>> 0 !== expected >>> 0) throw new KernelError(EAGAIN);
    const waiter: Waiter = { thread: t, bitset, queue: new WaitQueue(), woken: false, key };
    this.add(waiter);
    try {
      const end = await sleepUntil(t, this.clock, [waiter.queue], () => waiter.woken, deadlineNs);
      if (end === 'timeout' && !waiter.woken) throw new KernelError(ETIMEDOUT);
      return 0;
    } finally {
      if (!waiter.woken) this.remove(waiter);
    }
  }

  /** Wakes up to `count` waiters on `key` whose bitset meets `bitset`; returns how many. */
  wake(key: string, count: number, bitset = FUTEX_BITSET_MATCH_ANY): number {
    if (bitset === 0) throw new KernelError(EINVAL);
    const list = this.waiters.get(key);
    if (!list) return 0;
    let woken = 0;
    for (const waiter of [...list]) {
      if (woken >= count) break;
      if ((waiter.bitset & bitset) === 0) continue;
      this.remove(waiter);
      waiter.woken = true;
      waiter.queue.wakeAll();
      woken++;
    }
    return woken;
  }

  /** Wakes `wakeCount` waiters on `from` and moves up to `requeueCount` more to `to`; returns woken + moved. */
  requeue(from: string, to: string, wakeCount: number, requeueCount: number): number {
    const woken = this.wake(from, wakeCount);
    const list = this.waiters.get(from) ?? [];
    const moved = list.slice(0, requeueCount);
    for (const waiter of moved) {
      this.remove(waiter);
      waiter.key = to;
      this.add(waiter);
    }
    return woken + moved.length;
  }

  private add(waiter: Waiter): void {
    const list = this.waiters.get(waiter.key);
    if (list) list.push(waiter);
    else this.waiters.set(waiter.key, [waiter]);
  }

  private remove(waiter: Waiter): void {
    const list = this.waiters.get(waiter.key);
    if (!list) return;
    const at = list.indexOf(waiter);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.waiters.delete(waiter.key);
  }
}
