/**
 * One SLUB cache: objects of one size carved out of slabs (2^order pages from the page allocator), with the
 * free pointer of every free object stored in the object itself, in emulated RAM. Layer: inside the mm-slub
 * plugin (see slub-allocator.ts for the whole design); imports only @kmos/abi-driver.
 *
 * How it works
 * ------------
 * Each slab has a free list threaded through its free objects: the first 4 bytes of a free object hold the
 * physical address of the next free object (FREELIST_END ends it). The cache owns one *cpu slab*, taken off
 * every list, whose free list the cache holds in `cpuFreelist`:
 *   - alloc fast path: pop `cpuFreelist` (one RAM read), mark the object live. Nothing else.
 *   - free fast path: if the object is in the cpu slab, push it on `cpuFreelist` (one RAM write).
 * Slow paths:
 *   - alloc with an empty cpu freelist: the cpu slab is full; it leaves (SLUB keeps no full list), and the
 *     first partial slab (or a new slab) becomes the cpu slab, its whole free list moving to `cpuFreelist`.
 *   - free into another slab: push on that slab's free list, `inuse--`; a full slab joins the partial list;
 *     an empty slab is given back to the page allocator when more than `minPartial` slabs are partial.
 * Invariants: a slab is exactly one of cpu / partial / full; a partial slab has 0 < free < objsPerSlab or is
 * empty and kept for reuse; `inuse` of a non-cpu slab counts its live objects; the cpu slab's free objects
 * are exactly those on `cpuFreelist`.
 *
 * Tunables, with reasons:
 *   - SLUB_MAX_ORDER = 3: slabs of up to 8 pages, so big objects waste little, as Linux.
 *   - SLUB_MIN_OBJECTS = 8: a slab should serve several allocations between slow paths (Linux's value for
 *     one CPU). The order search (ORDER_SEARCH) wants that many objects with at most 1/16 waste, then relaxes
 *     to one object with 1/16, 1/8, 1/4 waste, as Linux's calculate_order does.
 *   - minPartial = clamp(log2(size) / 2, 5, 10): empty slabs kept to absorb alloc/free churn; bigger objects
 *     keep more, as Linux, because their slabs are costlier to rebuild.
 */
import { PAGE_SIZE, type PageAllocator, type PhysAddr } from '@kmos/abi-driver';
import { FREELIST_END, type FrameTable, NO_SLAB, SLAB_CPU, SLAB_FULL, SLAB_PARTIAL } from './frame-table.js';
import type { LiveMap } from './live-map.js';

export const SLUB_MAX_ORDER = 3;
export const SLUB_MIN_OBJECTS = 8;
const MIN_PARTIAL_FLOOR = 5;
const MIN_PARTIAL_CEILING = 10;
/** The order search's rounds: [objects per slab at least, waste at most slabBytes / this]. */
const ORDER_SEARCH: readonly (readonly [number, number])[] = [
  [SLUB_MIN_OBJECTS, 16],
  [1, 16],
  [1, 8],
  [1, 4],
];

/** What every cache of one allocator shares: RAM, the frame table, the live map, pages, and panic. */
export interface SlubShared {
  readonly u32: Uint32Array;
  readonly table: FrameTable;
  readonly live: LiveMap;
  readonly pages: PageAllocator;
  panic(message: string): never;
}

export function hex(addr: number): string {
  return `0x${addr.toString(16).padStart(8, '0')}`;
}

/**
 * The slab order for objects of `size` bytes, searched as Linux's calculate_order does: first a slab of at
 * most SLUB_MAX_ORDER with SLUB_MIN_OBJECTS objects and at most 1/16 waste, then with fewer objects and
 * more waste allowed; objects too big for that get the smallest order that holds one.
 */
export function slabOrderFor(size: number, maxOrder: number): number {
  for (const [minObjects, wasteFraction] of ORDER_SEARCH) {
    for (let order = 0; order <= SLUB_MAX_ORDER; order++) {
      const slabBytes = PAGE_SIZE << order;
      const objects = Math.floor(slabBytes / size);
      if (objects >= minObjects && (slabBytes - objects * size) * wasteFraction <= slabBytes) return order;
    }
  }
  let order = 0;
  while (PAGE_SIZE << order < size && order < maxOrder) order++;
  return order;
}

export class SlubCache {
  /** The stride between objects: the requested size rounded up to the alignment. */
  readonly sizeBytes: number;
  readonly order: number;
  readonly objsPerSlab: number;
  readonly minPartial: number;
  /** The cpu slab's first frame, or NO_SLAB. */
  private cpuSlab = NO_SLAB;
  /** The cpu slab's free objects, chained through RAM. */
  private cpuFreelist = FREELIST_END;
  private partialHead = NO_SLAB;
  private nrPartial = 0;
  private nrSlabs = 0;
  /** Objects handed out now, in all slabs. */
  activeObjs = 0;
  private readonly u32: Uint32Array;
  private readonly table: FrameTable;
  private readonly live: LiveMap;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly objectSizeBytes: number,
    readonly alignBytes: number,
    private readonly shared: SlubShared,
  ) {
    this.sizeBytes = Math.ceil(Math.max(objectSizeBytes, 8) / alignBytes) * alignBytes;
    this.order = slabOrderFor(this.sizeBytes, shared.pages.maxOrder);
    this.objsPerSlab = Math.floor((PAGE_SIZE << this.order) / this.sizeBytes);
    const log2 = Math.floor(Math.log2(this.sizeBytes));
    this.minPartial = Math.min(MIN_PARTIAL_CEILING, Math.max(MIN_PARTIAL_FLOOR, log2 >> 1));
    this.u32 = shared.u32;
    this.table = shared.table;
    this.live = shared.live;
  }

  /** The owner tag of this cache's frames in the frame table. */
  get ownerTag(): number {
    return this.id + 1;
  }

  alloc(): PhysAddr | null {
    const object = this.cpuFreelist;
    if (object !== FREELIST_END) {
      this.cpuFreelist = this.u32[object >>> 2];
      this.live.mark(object);
      this.activeObjs++;
      return object as PhysAddr;
    }
    return this.allocSlow();
  }

  /** Frees an object the caller has checked is live and owned by this cache. */
  free(addr: number): void {
    this.live.clear(addr);
    this.activeObjs--;
    const slab = this.table.head[addr >>> 12];
    if (slab === this.cpuSlab) {
      this.u32[addr >>> 2] = this.cpuFreelist;
      this.cpuFreelist = addr;
      return;
    }
    this.freeSlow(slab, addr);
  }

  /** Gives every empty slab back to the page allocator; returns the pages freed. */
  shrink(): number {
    this.deactivateCpuSlab();
    let freed = 0;
    for (let slab = this.partialHead; slab !== NO_SLAB; ) {
      const next = this.table.next[slab];
      if (this.table.inuse[slab] === 0) {
        this.unlinkPartial(slab);
        freed += this.discardSlab(slab);
      }
      slab = next;
    }
    return freed;
  }

  /** Slabs now held, and how many of them hold at least one live object. */
  slabCounts(): { numSlabs: number; activeSlabs: number } {
    let empty = 0;
    for (let slab = this.partialHead; slab !== NO_SLAB; slab = this.table.next[slab]) {
      if (this.table.inuse[slab] === 0) empty++;
    }
    if (this.cpuSlab !== NO_SLAB && this.countFree(this.cpuFreelist) === this.objsPerSlab) empty++;
    return { numSlabs: this.nrSlabs, activeSlabs: this.nrSlabs - empty };
  }

  private allocSlow(): PhysAddr | null {
    if (this.cpuSlab !== NO_SLAB) this.deactivateCpuSlab();
    let slab = this.partialHead;
    if (slab !== NO_SLAB) {
      this.unlinkPartial(slab);
    } else {
      slab = this.newSlab();
      if (slab === NO_SLAB) return null;
    }
    this.cpuSlab = slab;
    this.table.where[slab] = SLAB_CPU;
    this.cpuFreelist = this.table.freelist[slab];
    this.table.freelist[slab] = FREELIST_END;
    return this.alloc();
  }

  private freeSlow(slab: number, addr: number): void {
    const { table } = this;
    this.u32[addr >>> 2] = table.freelist[slab];
    table.freelist[slab] = addr;
    const inuse = --table.inuse[slab];
    if (table.where[slab] === SLAB_FULL) {
      this.pushPartial(slab);
    } else if (inuse === 0 && this.nrPartial > this.minPartial) {
      this.unlinkPartial(slab);
      this.discardSlab(slab);
    }
  }

  /** Puts the cpu slab back on the lists with its free objects; no cpu slab afterwards. */
  private deactivateCpuSlab(): void {
    const slab = this.cpuSlab;
    if (slab === NO_SLAB) return;
    const free = this.countFree(this.cpuFreelist);
    this.table.freelist[slab] = this.cpuFreelist;
    this.table.inuse[slab] = this.objsPerSlab - free;
    this.cpuSlab = NO_SLAB;
    this.cpuFreelist = FREELIST_END;
    if (free === 0) this.table.where[slab] = SLAB_FULL;
    else this.pushPartial(slab);
  }

  /** A new slab with every object on its free list, or NO_SLAB when the page allocator has no block. */
  private newSlab(): number {
    const base = this.shared.pages.allocPages(this.order);
    if (base === null) return NO_SLAB;
    const slab = base >>> 12;
    this.table.claim(slab, this.order, this.ownerTag);
    let object = base as number;
    for (let i = 1; i < this.objsPerSlab; i++) {
      this.u32[object >>> 2] = object + this.sizeBytes;
      object += this.sizeBytes;
    }
    this.u32[object >>> 2] = FREELIST_END;
    this.table.freelist[slab] = base;
    this.table.inuse[slab] = 0;
    this.nrSlabs++;
    return slab;
  }

  private discardSlab(slab: number): number {
    this.table.release(slab);
    this.shared.pages.freePages((slab * PAGE_SIZE) as PhysAddr, this.order);
    this.nrSlabs--;
    return 1 << this.order;
  }

  /** Walks a free list in RAM, bounded by the slab size so a corrupted pointer loop panics, not hangs. */
  private countFree(head: number): number {
    let n = 0;
    for (let object = head; object !== FREELIST_END; object = this.u32[object >>> 2]) {
      if (++n > this.objsPerSlab)
        this.shared.panic(`mm-slub: ${this.name}: free list loops at ${hex(object)}`);
    }
    return n;
  }

  private pushPartial(slab: number): void {
    const { table } = this;
    table.where[slab] = SLAB_PARTIAL;
    table.prev[slab] = NO_SLAB;
    table.next[slab] = this.partialHead;
    if (this.partialHead !== NO_SLAB) table.prev[this.partialHead] = slab;
    this.partialHead = slab;
    this.nrPartial++;
  }

  private unlinkPartial(slab: number): void {
    const { table } = this;
    const next = table.next[slab];
    const prev = table.prev[slab];
    if (prev === NO_SLAB) this.partialHead = next;
    else table.next[prev] = next;
    if (next !== NO_SLAB) table.prev[next] = prev;
    this.nrPartial--;
  }
}
