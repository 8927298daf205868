/**
 * The swap-slot allocator: which pages of a swap area are in use, and by how many holders. Layer: kernel mm;
 * swap.ts allocates and releases slots, swap-area.ts owns one allocator per area.
 *
 * How it works
 * - A bitmap, one bit per slot, says which slots are taken; allocation scans it a 32-bit word at a time, so a
 *   full stretch of 32 slots costs one comparison. The scan is next-fit: it starts where the last allocation
 *   ended, which keeps pages swapped out together next to each other in the file (Linux's swap clusters
 *   have the same aim) and avoids re-scanning the full front of the area.
 * - A count per slot (Linux's swap_map) says how many hold it: one per PTE whose swap entry names it, plus
 *   one while the swap cache keeps a frame with the slot's contents. fork copies swap entries and counts one
 *   more holder; the last `put` frees the slot.
 * - Slots [0, firstSlot) are never handed out: slot 0 is the swap header.
 */
import { KernelPanic } from '../errors.js';

const WORD_BITS = 32;
const FULL_WORD = 0xffffffff;

export class SwapSlots {
  private readonly used: Uint32Array;
  private readonly counts: Uint32Array;
  /** Slots in use now. Written by alloc and put. */
  private inUse = 0;
  /** Where the next search starts (a word index). */
  private cursor: number;

  constructor(
    /** The first slot that may be handed out. */
    readonly firstSlot: number,
    /** One past the last slot. */
    readonly endSlot: number,
  ) {
    if (firstSlot < 0 || endSlot < firstSlot)
      throw new KernelPanic(`bad swap slot range ${firstSlot}..${endSlot}`);
    this.used = new Uint32Array(Math.ceil(endSlot / WORD_BITS));
    this.counts = new Uint32Array(endSlot);
    // The reserved slots and the tail bits past endSlot are marked taken, so the scan never returns them.
    for (let s = 0; s < firstSlot; s++) this.setBit(s);
    for (let s = endSlot; s < this.used.length * WORD_BITS; s++) this.setBit(s);
    this.cursor = Math.floor(firstSlot / WORD_BITS);
  }

  /** Slots that can ever be used. */
  get total(): number {
    return this.endSlot - this.firstSlot;
  }

  get usedCount(): number {
    return this.inUse;
  }

  get freeCount(): number {
    return this.total - this.inUse;
  }

  /** A free slot, now held once; -1 when the area is full. */
  alloc(): number {
    if (this.inUse === this.total) return -1;
    const words = this.used.length;
    for (let i = 0; i < words; i++) {
      const w = (this.cursor + i) % words;
      const bits = this.used[w];
      if (bits === FULL_WORD) continue;
      // The lowest clear bit: ~bits has it as its lowest set bit.
      const free = ~bits & (bits + 1);
      const slot = w * WORD_BITS + (31 - Math.clz32(free));
      this.setBit(slot);
      this.counts[slot] = 1;
      this.inUse++;
      this.cursor = w;
      return slot;
    }
    throw new KernelPanic(`swap slot bitmap full with ${this.inUse} of ${this.total} slots counted in use`);
  }

  /** One more holder of a slot in use (fork copying a swap entry, the swap cache keeping its frame). */
  dup(slot: number): void {
    this.assertUsed(slot);
    this.counts[slot]++;
  }

  /** One holder fewer; returns the holders left. The last one frees the slot. */
  put(slot: number): number {
    this.assertUsed(slot);
    const left = --this.counts[slot];
    if (left === 0) {
      this.used[slot >>> 5] &= ~(1 << (slot & 31));
      this.inUse--;
    }
    return left;
  }

  count(slot: number): number {
    return slot >= 0 && slot < this.endSlot ? this.counts[slot] : 0;
  }

  private setBit(slot: number): void {
    this.used[slot >>> 5] |= 1 << (slot & 31);
  }

  private assertUsed(slot: number): void {
    if (slot < this.firstSlot || slot >= this.endSlot || this.counts[slot] === 0) {
      throw new KernelPanic(`swap slot ${slot} is not in use`);
    }
  }
}
