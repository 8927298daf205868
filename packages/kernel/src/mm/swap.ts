/**
 * Swapping anonymous pages out to a swap area and back in. Layer: kernel mm; reclaim.ts decides which pages
 * go, page-fault.ts brings them back on the fault a swap entry raises, address-space.ts copies and frees swap
 * entries on fork and unmap. Below: swap-area.ts (slots on a block device), swap-cache.ts, frame-refs.ts.
 *
 * How it works
 * - Out: a present PTE of a private mapping whose frame is not a page-cache page is written to a fresh slot
 *   and replaced by a swap entry (swap-entry.ts) naming that slot; the TLB entry goes, the frame's reference
 *   goes, and a frame that nobody else maps is free again.
 * - A frame that fork shares (copy-on-write, so read-only everywhere) is written once: its slot enters the
 *   swap cache with it, and each other mapping the clock later evicts just takes the same slot. The frame is
 *   freed when its last mapping goes; the slot's count is the number of swap entries naming it.
 * - In: the fault on a swap entry maps the cached frame when there is one (read-only: it stays shared);
 *   otherwise it reads the slot into a new frame. A slot only this entry names is freed then and the page is
 *   the process's own, writable; a slot other processes still name keeps the frame in the swap cache, mapped
 *   read-only so they find it. A write fault always ends with a private writable page.
 * - Every slot and frame reference is counted (swap-slots.ts, frame-refs.ts); none is ever dropped twice.
 * - Writes are batched while the clock runs (`beginBatch`/`endBatch`): pages evicted into consecutive slots
 *   (the slot allocator is next-fit, so they usually are) are copied into one buffer and written with one
 *   request, which costs one host call instead of one per page. The batch is written before reclaim returns,
 *   so no fault can look for a slot still in it. If that write fails, the pages are lost: their slots are
 *   remembered and a fault on one is SIGBUS. (Linux keeps such pages in memory; kmOS freed them already.)
 */
import type { PhysAddr } from '@kmos/abi-driver';
import { PAGE_SIZE } from '@kmos/abi-driver';
import { KernelPanic } from '../errors.js';
import type { AddressSpace } from './address-space.js';
import type { FrameKeeper, UserFrames } from './frame-refs.js';
import { PTE_W, pteFrame } from './page-table.js';
import type { SwapArea } from './swap-area.js';
import { SwapCache } from './swap-cache.js';
import { swapEntry, swapSlot } from './swap-entry.js';
import type { SwapSlots } from './swap-slots.js';
import type { Vma } from './vma.js';

/** What `evict` did with a PTE. */
export const EVICTED = 0;
export const SKIPPED = 1;
export const AREA_FULL = 2;
export type EvictResult = typeof EVICTED | typeof SKIPPED | typeof AREA_FULL;

/** What `swapIn` did: the page is mapped, no frame was free, or the area could not be read. */
export type SwapInResult = 'ok' | 'oom' | 'io-error';

/** Pages written in one request at most: 128 KiB. */
const BATCH_PAGES = 32;

export interface SwapStats {
  readonly totalPages: number;
  readonly freePages: number;
  readonly cachedPages: number;
  /** Pages written to and read from the area since swapon (Linux's pswpout/pswpin). */
  readonly pagesOut: number;
  readonly pagesIn: number;
}

export class Swap implements FrameKeeper {
  readonly cache: SwapCache;
  readonly slots: SwapSlots;
  private pagesOut = 0;
  private pagesIn = 0;
  /** The write batch: pages for slots [batchFirst, batchFirst + batchCount). Written by write and flush. */
  private readonly batch = new Uint8Array(BATCH_PAGES * PAGE_SIZE);
  private batchFirst = 0;
  private batchCount = 0;
  private batching = false;
  /** Slots whose write failed; forgotten when the slot is freed. */
  private readonly lost = new Set<number>();

  constructor(
    readonly area: SwapArea,
    private readonly frames: UserFrames,
  ) {
    this.slots = area.slots;
    this.cache = new SwapCache(frames.memory.sizeBytes, area.slots.endSlot);
  }

  stats(): SwapStats {
    return {
      totalPages: this.slots.total,
      freePages: this.slots.freeCount,
      cachedPages: this.cache.size,
      pagesOut: this.pagesOut,
      pagesIn: this.pagesIn,
    };
  }

  /** Swaps out the page at `va` (present PTE `pte` of private `vma`), or says why not. */
  evict(as: AddressSpace, vma: Vma, va: number, pte: number): EvictResult {
    const frame = pteFrame(pte);
    const refs = this.frames.refs;
    // A page-cache page of a private file mapping is the file's, not anonymous memory.
    if (vma.cache !== null && vma.cache.peek(vma.pageIndex(va)) === frame) return SKIPPED;
    let slot = this.cache.slotOf(frame);
    if (slot < 0) {
      // A shared frame is copy-on-write, hence read-only; anything else would break the cache's promise.
      if (refs.count(frame) > 1 && (pte & PTE_W) !== 0) return SKIPPED;
      slot = this.slots.alloc();
      if (slot < 0) return AREA_FULL;
      if (!this.write(slot, frame)) return AREA_FULL;
      if (refs.count(frame) === 1) {
        as.unmapForSwap(va, swapEntry(slot));
        return EVICTED;
      }
      // The cache takes the slot's first hold and one on the frame; the swap entry below takes another.
      refs.get(frame);
      this.cache.add(slot, frame);
    }
    this.slots.dup(slot);
    as.unmapForSwap(va, swapEntry(slot));
    return EVICTED;
  }

  /** From now until `endBatch`, page writes may be gathered into one request. */
  beginBatch(): void {
    this.batching = true;
  }

  /** Writes what the batch holds; pages are written one by one again. */
  endBatch(): void {
    this.flush();
    this.batching = false;
  }

  /** Maps the page the swap entry `entry` at `va` names back in; `write` for a write access. */
  swapIn(as: AddressSpace, vma: Vma, va: number, entry: number, write: boolean): SwapInResult {
    const slot = swapSlot(entry);
    if (slot >= this.batchFirst && slot < this.batchFirst + this.batchCount) this.flush();
    const cached = this.cache.frameOf(slot);
    if (cached !== null) {
      const frame = write ? this.frames.allocCopy(cached) : cached;
      if (frame === null) return 'oom';
      if (!write) this.frames.refs.get(cached);
      this.install(as, va, frame, as.pteFlags(vma, write));
      this.putSlot(slot);
      return 'ok';
    }
    if (this.lost.has(slot)) return 'io-error';
    const frame = this.frames.alloc();
    if (frame === null) return 'oom';
    try {
      this.area.readSlot(slot, this.frames.view(frame));
    } catch (e) {
      this.frames.put(frame);
      if (typeof (e as { errno?: unknown }).errno === 'number') return 'io-error';
      throw e;
    }
    this.pagesIn++;
    const shared = !write && this.slots.count(slot) > 1;
    if (shared) {
      // Others still name the slot: keep the frame where their faults will find it.
      this.frames.refs.get(frame);
      this.slots.dup(slot);
      this.cache.add(slot, frame);
    }
    this.install(as, va, frame, as.pteFlags(vma, !shared));
    this.putSlot(slot);
    return 'ok';
  }

  /** fork copied a swap entry: its slot has one more holder. */
  dupEntry(entry: number): void {
    this.slots.dup(swapSlot(entry));
  }

  /** A swap entry was cleared (munmap, exit, MADV_DONTNEED): its slot has one holder fewer. */
  freeEntry(entry: number): void {
    this.putSlot(swapSlot(entry));
  }

  /** FrameKeeper: is `frame` in the swap cache. */
  keeps(frame: PhysAddr): boolean {
    return this.cache.slotOf(frame) >= 0;
  }

  /** FrameKeeper: takes `frame` out of the cache, dropping the cache's holds on it and on its slot. */
  release(frame: PhysAddr): void {
    const slot = this.cache.slotOf(frame);
    this.cache.remove(slot, frame);
    this.frames.put(frame);
    this.putSlot(slot);
  }

  /** Drops one hold on `slot`; when only the cache still holds it, the cache lets the slot go too. */
  private putSlot(slot: number): void {
    if (this.releaseSlot(slot) !== 1) return;
    const frame = this.cache.frameOf(slot);
    if (frame === null) return;
    this.cache.remove(slot, frame);
    this.releaseSlot(slot);
    this.frames.put(frame);
  }

  private releaseSlot(slot: number): number {
    const left = this.slots.put(slot);
    if (left === 0 && this.lost.size > 0) this.lost.delete(slot);
    return left;
  }

  /** Writes `frame` to `slot`, or gathers it into the batch; false when the area could not take it. */
  private write(slot: number, frame: PhysAddr): boolean {
    if (!this.batching) return this.writeNow(slot, frame);
    if (
      this.batchCount === BATCH_PAGES ||
      (this.batchCount > 0 && slot !== this.batchFirst + this.batchCount)
    ) {
      this.flush();
    }
    if (this.batchCount === 0) this.batchFirst = slot;
    this.batch.set(this.frames.view(frame), this.batchCount * PAGE_SIZE);
    this.batchCount++;
    return true;
  }

  private flush(): void {
    const count = this.batchCount;
    if (count === 0) return;
    this.batchCount = 0;
    try {
      this.area.writeSlots(this.batchFirst, count, this.batch.subarray(0, count * PAGE_SIZE));
      this.pagesOut += count;
    } catch (e) {
      if (typeof (e as { errno?: unknown }).errno !== 'number') throw e;
      for (let s = this.batchFirst; s < this.batchFirst + count; s++)
        if (this.slots.count(s) > 0) this.lost.add(s);
    }
  }

  private writeNow(slot: number, frame: PhysAddr): boolean {
    try {
      this.area.writeSlot(slot, this.frames.view(frame));
    } catch (e) {
      // A failing area (a full host disk under the swap file) is treated as a full one: nothing goes out.
      this.slots.put(slot);
      if (typeof (e as { errno?: unknown }).errno === 'number') return false;
      throw e;
    }
    this.pagesOut++;
    return true;
  }

  private install(as: AddressSpace, va: number, frame: PhysAddr, flags: number): void {
    if (!as.installPte(va, frame, flags)) {
      // The swap entry kept its page table alive, so this cannot need a new one.
      throw new KernelPanic(`swap-in at 0x${va.toString(16)} found no page table`);
    }
  }
}
