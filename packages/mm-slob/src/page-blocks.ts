/**
 * The free blocks inside one SLOB page, kept in the page itself: each free block starts with a header of two
 * u16s in RAM, its size in units and the unit offset of the next free block (SLOB_END ends the list). The
 * list is in address order, so a freed block merges with the blocks on either side. Allocation is first fit
 * with alignment: the first block that holds the request after rounding its start up to the alignment;
 * the part before the aligned start stays free. Layer: inside the mm-slob plugin; imports only the ABI.
 *
 * Per page (indexed by frame, in typed arrays): `freeHead` (unit offset of the first free block) and
 * `unitsFree`. Invariants: blocks on the list are disjoint, in ascending order, never adjacent (they would
 * have merged), and their sizes sum to `unitsFree`.
 */
import { PAGE_SIZE } from '@kmos/abi-driver';

/** SLOB's allocation unit. 8 bytes, the ABI's minimum alignment, so every free block has room for a header. */
export const SLOB_UNIT = 8;
export const SLOB_UNIT_SHIFT = 3;
export const UNITS_PER_PAGE = PAGE_SIZE / SLOB_UNIT;
/** The end of a page's free list: no unit offset reaches it. */
export const SLOB_END = 0xffff;
const NONE = -1;

export class PageBlocks {
  readonly freeHead: Uint16Array;
  readonly unitsFree: Uint16Array;

  constructor(
    frames: number,
    private readonly u16: Uint16Array,
    private readonly panic: (message: string) => never,
  ) {
    this.freeHead = new Uint16Array(frames);
    this.unitsFree = new Uint16Array(frames);
  }

  /** Makes the whole page one free block. */
  init(frame: number): void {
    this.freeHead[frame] = 0;
    this.unitsFree[frame] = UNITS_PER_PAGE;
    this.writeBlock(frame, 0, UNITS_PER_PAGE, SLOB_END);
  }

  /** First fit: the unit offset of `units` units aligned to `alignBytes`, or -1 if no free block holds them. */
  alloc(frame: number, units: number, alignBytes: number): number {
    const base = frame * PAGE_SIZE;
    let prev = NONE;
    for (let cur = this.freeHead[frame]; cur !== SLOB_END; ) {
      let avail = this.sizeOf(base, cur);
      const next = this.nextOf(base, cur);
      const addr = base + (cur << SLOB_UNIT_SHIFT);
      const delta = ((alignBytes - (addr % alignBytes)) % alignBytes) >>> SLOB_UNIT_SHIFT;
      if (avail >= units + delta) {
        if (delta > 0) {
          // Leave the unaligned front free; allocate from the aligned rest.
          this.writeBlock(frame, cur, delta, cur + delta);
          prev = cur;
          cur += delta;
          avail -= delta;
        }
        if (avail === units) {
          this.link(frame, prev, next);
        } else {
          this.writeBlock(frame, cur + units, avail - units, next);
          this.link(frame, prev, cur + units);
        }
        this.unitsFree[frame] -= units;
        return cur;
      }
      prev = cur;
      cur = next;
    }
    return NONE;
  }

  /** Returns `units` units at `offset` to the page's list, merging with free neighbours. */
  free(frame: number, offset: number, units: number): void {
    const base = frame * PAGE_SIZE;
    let prev = NONE;
    let cur = this.freeHead[frame];
    while (cur !== SLOB_END && cur < offset) {
      prev = cur;
      cur = this.nextOf(base, cur);
    }
    const prevEnd = prev === NONE ? 0 : prev + this.sizeOf(base, prev);
    if (prevEnd > offset || (cur !== SLOB_END && offset + units > cur)) {
      this.panic(`mm-slob: freed block 0x${(base + offset * SLOB_UNIT).toString(16)} overlaps a free block`);
    }
    let size = units;
    let next = cur;
    if (cur !== SLOB_END && offset + units === cur) {
      size += this.sizeOf(base, cur);
      next = this.nextOf(base, cur);
    }
    if (prev !== NONE && prevEnd === offset) {
      this.writeBlock(frame, prev, prevEnd - prev + size, next);
    } else {
      this.writeBlock(frame, offset, size, next);
      this.link(frame, prev, offset);
    }
    this.unitsFree[frame] += units;
  }

  private sizeOf(base: number, offset: number): number {
    return this.u16[(base + (offset << SLOB_UNIT_SHIFT)) >>> 1];
  }

  private nextOf(base: number, offset: number): number {
    return this.u16[((base + (offset << SLOB_UNIT_SHIFT)) >>> 1) + 1];
  }

  private writeBlock(frame: number, offset: number, units: number, next: number): void {
    const word = (frame * PAGE_SIZE + (offset << SLOB_UNIT_SHIFT)) >>> 1;
    this.u16[word] = units;
    this.u16[word + 1] = next;
  }

  private link(frame: number, prev: number, offset: number): void {
    if (prev === NONE) this.freeHead[frame] = offset;
    else this.u16[((frame * PAGE_SIZE + (prev << SLOB_UNIT_SHIFT)) >>> 1) + 1] = offset;
  }
}
