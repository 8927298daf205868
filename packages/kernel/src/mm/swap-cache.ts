/**
 * The swap cache: frames whose contents are also in a swap slot, so that processes sharing a page after fork
 * share one frame for it on the way out of memory and on the way back in. Layer: kernel mm; swap.ts keeps
 * it, frame-refs.ts lets go of a frame only the cache still holds.
 *
 * How it works
 * - An entry links one frame and one slot both ways. The cache holds one reference on the frame (FrameRefs)
 *   and one on the slot (SwapSlots), so neither is freed under it.
 * - A frame in the cache is never mapped writable: it is a copy-on-write page shared after fork, so nobody
 *   can change it without first copying it (or, as its last mapper, taking it out of the cache). Its
 *   contents and the slot's therefore always agree, and evicting another mapping of it needs no new write.
 * - An entry goes as soon as one side has no other holder: a frame mapped by nobody (its slot keeps the
 *   data) or a slot named by no swap entry (the frame is an ordinary page again).
 * - Plain typed arrays indexed by frame number and by slot: no hashing, no allocation.
 */
import type { PhysAddr } from '@kmos/abi-driver';
import { PAGE_SHIFT, PAGE_SIZE } from '@kmos/abi-driver';
import { KernelPanic } from '../errors.js';

const NONE = -1;

export class SwapCache {
  private readonly slotOfFrame: Int32Array;
  private readonly frameOfSlot: Int32Array;
  /** Entries now (SwapCached in /proc/meminfo). Written by add and remove. */
  private entries = 0;

  constructor(memorySizeBytes: number, slotCount: number) {
    this.slotOfFrame = new Int32Array(Math.ceil(memorySizeBytes / PAGE_SIZE)).fill(NONE);
    this.frameOfSlot = new Int32Array(slotCount).fill(NONE);
  }

  get size(): number {
    return this.entries;
  }

  /** The slot caching `frame`'s contents, or -1. */
  slotOf(frame: PhysAddr): number {
    return this.slotOfFrame[frame >>> PAGE_SHIFT];
  }

  /** The frame holding slot `slot`'s contents, or null. */
  frameOf(slot: number): PhysAddr | null {
    const n = this.frameOfSlot[slot];
    return n === NONE ? null : (((n << PAGE_SHIFT) >>> 0) as PhysAddr);
  }

  /** Links the pair; the caller has taken the references the cache now owns. */
  add(slot: number, frame: PhysAddr): void {
    const n = frame >>> PAGE_SHIFT;
    if (this.slotOfFrame[n] !== NONE || this.frameOfSlot[slot] !== NONE) {
      throw new KernelPanic(`swap cache: slot ${slot} or frame 0x${frame.toString(16)} is already cached`);
    }
    this.slotOfFrame[n] = slot;
    this.frameOfSlot[slot] = n;
    this.entries++;
  }

  /** Unlinks the pair; the caller drops the references the cache owned. */
  remove(slot: number, frame: PhysAddr): void {
    const n = frame >>> PAGE_SHIFT;
    if (this.slotOfFrame[n] !== slot || this.frameOfSlot[slot] !== n) {
      throw new KernelPanic(`swap cache: slot ${slot} and frame 0x${frame.toString(16)} are not a pair`);
    }
    this.slotOfFrame[n] = NONE;
    this.frameOfSlot[slot] = NONE;
    this.entries--;
  }
}
