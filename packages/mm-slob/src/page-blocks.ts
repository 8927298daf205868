/**
 * The free blocks inside one SLOB page, kept in the page itself: each free block starts with a header of two
 * u16s in RAM, its size in units and the unit offset of the next free block (SLOB_END ends the list), read
 * and written as one little-endian u32 (size in the low half) so a step of a walk is one load. The
 * list is in address order, so a freed block merges with the blocks on either side. Allocation is first fit
 * with alignment: the first block that holds the request after rounding its start up to the alignment;
 * the part before the aligned start stays free. Layer: inside the mm-slob plugin; imports only the ABI.
 *
 * Per page (indexed by frame, in typed arrays): `freeHead` (unit offset of the first free block),
 * `unitsFree`, and `largest`, an upper bound on the largest free block. The heap skips a page whose bound is
 * below the request without walking its list: a failed walk sets the bound to the largest block it saw (then
 * exact), as does an allocation from the last block; other allocations only shrink blocks (and lower the
 * bound to `unitsFree` if that is less), and a free raises the bound to the block it made by merging.
 * First fit is unchanged: only pages that cannot hold the request are skipped.
 * Invariants: blocks on the list are disjoint, in ascending order, never adjacent (they would have merged),
 * their sizes sum to `unitsFree`, and none is larger than `largest` <= `unitsFree`.
 *
 * Alignments are powers of two, so the padding before an aligned start is a mask, not a division.
 */
import { PAGE_SIZE } from '@kmos/abi-driver';

/** SLOB's allocation unit. 8 bytes, the ABI's minimum alignment, so every free block has room for a header. */
export const SLOB_UNIT = 8;
export const SLOB_UNIT_SHIFT = 3;
export const UNITS_PER_PAGE = PAGE_SIZE / SLOB_UNIT;
/** The end of a page's free list: no unit offset reaches it. */
export const SLOB_END = 0xffff;
const NONE = -1;
/** A block header as a u32: the size in units below, the next block's offset above. */
const HEADER_NEXT_SHIFT = 16;
const HEADER_SIZE_MASK = 0xffff;
/** u32 words per unit, for the index of a unit's header in RAM as u32s. */
const UNIT_WORDS_SHIFT = SLOB_UNIT_SHIFT - 2;

export class PageBlocks {
  readonly freeHead: Uint16Array;
  readonly unitsFree: Uint16Array;
  readonly largest: Uint16Array;
  /** RAM as u32s: one per block header. */
  private readonly u32: Uint32Array;

  constructor(
    frames: number,
    private readonly u16: Uint16Array,
    private readonly panic: (message: string) => never,
  ) {
    this.u32 = new Uint32Array(u16.buffer, u16.byteOffset, u16.length >>> 1);
    this.freeHead = new Uint16Array(frames);
    this.unitsFree = new Uint16Array(frames);
    this.largest = new Uint16Array(frames);
  }

  /** Makes the whole page one free block. */
  init(frame: number): void {
    this.freeHead[frame] = 0;
    this.unitsFree[frame] = UNITS_PER_PAGE;
    this.largest[frame] = UNITS_PER_PAGE;
    this.writeBlock(frame, 0, UNITS_PER_PAGE, SLOB_END);
  }

  /** False when the page surely has no free block of `units` units: the heap's one-load skip. */
  mayHold(frame: number, units: number): boolean {
    return this.largest[frame] >= units;
  }

  /**
   * First fit: the unit offset of `units` units aligned to `alignBytes`, or -1 if no free block holds them.
   * Alignment to a unit or less (every kmalloc) needs no padding, so every block start qualifies.
   */
  alloc(frame: number, units: number, alignBytes: number): number {
    if (alignBytes > SLOB_UNIT) return this.allocAligned(frame, units, alignBytes);
    const u32 = this.u32;
    const baseWord = (frame * PAGE_SIZE) >>> 2;
    let prev = NONE;
    let largest = 0;
    for (let cur = this.freeHead[frame]; cur !== SLOB_END; ) {
      const header = u32[baseWord + (cur << UNIT_WORDS_SHIFT)];
      const avail = header & HEADER_SIZE_MASK;
      const next = header >>> HEADER_NEXT_SHIFT;
      if (avail >= units) {
        const offset = this.take(frame, prev, cur, avail, next, units);
        // From the last block, the walk has seen every block: the bound becomes exact.
        if (next === SLOB_END) this.largest[frame] = Math.max(largest, avail - units);
        return offset;
      }
      if (avail > largest) largest = avail;
      prev = cur;
      cur = next;
    }
    return this.failed(frame, largest);
  }

  /** First fit where a block's start may need padding up to the alignment. */
  private allocAligned(frame: number, units: number, alignBytes: number): number {
    const base = frame * PAGE_SIZE;
    const alignMask = alignBytes - 1;
    let prev = NONE;
    let largest = 0;
    for (let cur = this.freeHead[frame]; cur !== SLOB_END; ) {
      const avail = this.sizeOf(base, cur);
      const next = this.nextOf(base, cur);
      const delta = (-(base + (cur << SLOB_UNIT_SHIFT)) & alignMask) >>> SLOB_UNIT_SHIFT;
      if (avail >= units + delta) {
        if (delta === 0) return this.take(frame, prev, cur, avail, next, units);
        // Leave the unaligned front free; allocate from the aligned rest.
        this.writeBlock(frame, cur, delta, cur + delta);
        return this.take(frame, cur, cur + delta, avail - delta, next, units);
      }
      if (avail > largest) largest = avail;
      prev = cur;
      cur = next;
    }
    return this.failed(frame, largest);
  }

  /** After a failed walk, which saw every block: the largest is `seen`, exactly. */
  private failed(frame: number, seen: number): number {
    this.largest[frame] = seen;
    return NONE;
  }

  /** Takes `units` from the front of free block `cur` (`avail` units, between `prev` and `next`). */
  private take(frame: number, prev: number, cur: number, avail: number, next: number, units: number): number {
    if (avail === units) {
      this.link(frame, prev, next);
    } else {
      this.writeBlock(frame, cur + units, avail - units, next);
      this.link(frame, prev, cur + units);
    }
    const unitsFree = this.unitsFree[frame] - units;
    this.unitsFree[frame] = unitsFree;
    if (this.largest[frame] > unitsFree) this.largest[frame] = unitsFree;
    return cur;
  }

  /** Returns `units` units at `offset` to the page's list, merging with free neighbours. */
  free(frame: number, offset: number, units: number): void {
    const base = frame * PAGE_SIZE;
    const u32 = this.u32;
    const baseWord = base >>> 2;
    let prev = NONE;
    let cur = this.freeHead[frame];
    while (cur !== SLOB_END && cur < offset) {
      prev = cur;
      cur = u32[baseWord + (cur << UNIT_WORDS_SHIFT)] >>> HEADER_NEXT_SHIFT;
    }
    const prevEnd = prev === NONE ? 0 : prev + this.sizeOf(base, prev);
    if (prevEnd > offset || (cur !== SLOB_END && offset + units > cur)) this.overlaps(base, offset);
    let size = units;
    let next = cur;
    if (cur !== SLOB_END && offset + units === cur) {
      size += this.sizeOf(base, cur);
      next = this.nextOf(base, cur);
    }
    if (prev !== NONE && prevEnd === offset) {
      size += prevEnd - prev;
      this.writeBlock(frame, prev, size, next);
    } else {
      this.writeBlock(frame, offset, size, next);
      this.link(frame, prev, offset);
    }
    this.unitsFree[frame] += units;
    if (size > this.largest[frame]) this.largest[frame] = size;
  }

  /** Kept out of free() so that stays small enough to inline. */
  private overlaps(base: number, offset: number): never {
    return this.panic(
      `mm-slob: freed block 0x${(base + offset * SLOB_UNIT).toString(16)} overlaps a free block`,
    );
  }

  private sizeOf(base: number, offset: number): number {
    return this.u32[(base + (offset << SLOB_UNIT_SHIFT)) >>> 2] & HEADER_SIZE_MASK;
  }

  private nextOf(base: number, offset: number): number {
    return this.u32[(base + (offset << SLOB_UNIT_SHIFT)) >>> 2] >>> HEADER_NEXT_SHIFT;
  }

  private writeBlock(frame: number, offset: number, units: number, next: number): void {
    this.u32[(frame * PAGE_SIZE + (offset << SLOB_UNIT_SHIFT)) >>> 2] = units | (next << HEADER_NEXT_SHIFT);
  }

  private link(frame: number, prev: number, offset: number): void {
    if (prev === NONE) this.freeHead[frame] = offset;
    else this.u16[((frame * PAGE_SIZE + (prev << SLOB_UNIT_SHIFT)) >>> 1) + 1] = offset;
  }
}
