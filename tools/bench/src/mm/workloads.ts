/**
 * The timed workloads, each built as a closure over one allocator so the loop's calls stay monomorphic.
 * Two access patterns, the same for every allocator and for the baseline:
 *   - batch: allocate BATCH objects, free them newest first; the allocator's best case (LIFO reuse).
 *   - slots: SLOTS slots, each op picks a slot from the random stream and frees its object if it holds one,
 *     else allocates into it: about half the slots live, frees in random order, sizes from the stream.
 * Every op is one allocation or one free. Layer: the bench tool.
 */
import type { ObjectAllocator, ObjectCache, PageAllocator, PhysAddr } from '@kmos/abi-driver';
import type { Workload } from '../measure.js';
import { mixedSizeStream, STREAM_MASK, uniformStream } from './random-stream.js';

export const BATCH = 256;
export const SLOTS = 1024;
const EMPTY = -1;

/** Runs whole batches covering at least `ops` operations; each batch is 2 * BATCH operations. */
function batches(ops: number): number {
  return Math.ceil(ops / (2 * BATCH));
}

export function cacheBatch(objects: ObjectAllocator, cache: ObjectCache): Workload {
  const held = new Float64Array(BATCH);
  return (ops) => {
    let check = 0;
    for (let n = batches(ops); n > 0; n--) {
      for (let i = 0; i < BATCH; i++) held[i] = objects.cacheAlloc(cache)!;
      for (let i = BATCH - 1; i >= 0; i--) objects.cacheFree(cache, held[i] as PhysAddr);
      check += held[0];
    }
    return check;
  };
}

export function cacheSlots(objects: ObjectAllocator, cache: ObjectCache): Workload {
  const slots = new Float64Array(SLOTS).fill(EMPTY);
  const slotStream = uniformStream(SLOTS);
  let cursor = 0;
  return (ops) => {
    for (let n = 0; n < ops; n++) {
      const s = slotStream[cursor++ & STREAM_MASK];
      if (slots[s] !== EMPTY) {
        objects.cacheFree(cache, slots[s] as PhysAddr);
        slots[s] = EMPTY;
      } else {
        slots[s] = objects.cacheAlloc(cache)!;
      }
    }
    return slots[0];
  };
}

export function kmallocSlots(objects: ObjectAllocator): Workload {
  const slots = new Float64Array(SLOTS).fill(EMPTY);
  const slotStream = uniformStream(SLOTS);
  const sizes = mixedSizeStream();
  let cursor = 0;
  return (ops) => {
    for (let n = 0; n < ops; n++) {
      const i = cursor++ & STREAM_MASK;
      const s = slotStream[i];
      if (slots[s] !== EMPTY) {
        objects.kfree(slots[s] as PhysAddr);
        slots[s] = EMPTY;
      } else {
        slots[s] = objects.kmalloc(sizes[i])!;
      }
    }
    return slots[0];
  };
}

export function pagesBatch(pages: PageAllocator, order: number): Workload {
  const held = new Float64Array(BATCH);
  return (ops) => {
    let check = 0;
    for (let n = batches(ops); n > 0; n--) {
      for (let i = 0; i < BATCH; i++) held[i] = pages.allocPages(order)!;
      for (let i = BATCH - 1; i >= 0; i--) pages.freePages(held[i] as PhysAddr, order);
      check += held[0];
    }
    return check;
  };
}

/** Page blocks of orders 0..3 in random slots. */
export function pagesSlots(pages: PageAllocator): Workload {
  const slots = new Float64Array(SLOTS).fill(EMPTY);
  const orders = new Uint8Array(SLOTS);
  const slotStream = uniformStream(SLOTS);
  const orderStream = uniformStream(4, 0x0bde4);
  let cursor = 0;
  return (ops) => {
    for (let n = 0; n < ops; n++) {
      const i = cursor++ & STREAM_MASK;
      const s = slotStream[i];
      if (slots[s] !== EMPTY) {
        pages.freePages(slots[s] as PhysAddr, orders[s]);
        slots[s] = EMPTY;
      } else {
        orders[s] = orderStream[i];
        slots[s] = pages.allocPages(orders[s])!;
      }
    }
    return slots[0];
  };
}

/**
 * The baseline: a plain JS free list, a `number[]` used as a stack of free addresses (pop to allocate, push
 * to free), doing the same operations in the same patterns. No checks, no RAM, no statistics: what an
 * allocator would cost if it were only a free list.
 */
export class JsFreeList {
  private readonly free: number[] = [];
  constructor(objects: number, sizeBytes: number) {
    for (let i = objects - 1; i >= 0; i--) this.free.push(0x100000 + i * sizeBytes);
  }
  alloc(): number {
    return this.free.pop()!;
  }
  release(addr: number): void {
    this.free.push(addr);
  }
}

export function baselineBatch(list: JsFreeList): Workload {
  const held = new Float64Array(BATCH);
  return (ops) => {
    let check = 0;
    for (let n = batches(ops); n > 0; n--) {
      for (let i = 0; i < BATCH; i++) held[i] = list.alloc();
      for (let i = BATCH - 1; i >= 0; i--) list.release(held[i]);
      check += held[0];
    }
    return check;
  };
}

export function baselineSlots(list: JsFreeList): Workload {
  const slots = new Float64Array(SLOTS).fill(EMPTY);
  const slotStream = uniformStream(SLOTS);
  let cursor = 0;
  return (ops) => {
    for (let n = 0; n < ops; n++) {
      const s = slotStream[cursor++ & STREAM_MASK];
      if (slots[s] !== EMPTY) {
        list.release(slots[s]);
        slots[s] = EMPTY;
      } else {
        slots[s] = list.alloc();
      }
    }
    return slots[0];
  };
}
