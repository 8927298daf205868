/**
 * One cache of Bonwick's slab allocator: objects of one size carved out of slabs (2^order pages from the page
 * allocator). Layer: inside the mm-slab plugin (see slab-allocator.ts for the whole design); imports only
 * @kmos/abi-driver.
 *
 * How it works
 * ------------
 * Every slab is on exactly one of the cache's three lists: full, partial (some objects free) or empty.
 * Allocation takes from the first partial slab, else the first empty one, else a new slab; a slab moves
 * between lists only when it becomes full or empty, so the common case touches no list.
 *
 * Each slab has a *bufctl* array: one u16 object index per object, used as a stack. Entries
 * bufctl[active .. objsPerSlab) are the indices of the free objects; the entries below `active` are stale.
 * Alloc takes bufctl[active++], free stores its index at bufctl[--active]. For small objects (under BUFCTL_OFF_SLAB_SIZE)
 * the array lives on the slab in RAM, at its end, as Bonwick and Linux place it; for big objects it lives
 * off-slab in a host array with room for OFFSLAB_BUFCTLS_PER_FRAME entries per frame, so a slab of big
 * objects does not lose one object to its bookkeeping.
 *
 * Colouring: the bytes a slab cannot use (`leftover`) shift each new slab's first object by the next multiple
 * of `colourStep` (0, 64, 128, ... up to leftover, then back to 0), so objects at the same index in different
 * slabs fall on different cache lines. An object's address is base + colour + index * size.
 *
 * Invariants: 0 <= active <= objsPerSlab; active = objsPerSlab on the full list, 0 on the empty list,
 * in between on the partial list; bufctl[active .. objsPerSlab) holds each free object's index once.
 *
 * Tunables, with reasons:
 *   - CACHE_LINE_BYTES = 64: the colour step; the line size of every x86 since the Pentium 4.
 *   - BUFCTL_OFF_SLAB_SIZE = 512: from there a slab holds at most 8 objects per page and an on-slab bufctl
 *     array would often cost a whole object.
 *   - SLAB_WASTE_FRACTION = 8: a slab may waste at most 1/8 of itself, as Linux's slab allocator allows.
 *   - EMPTY_SLABS_KEPT = 4: empty slabs kept per cache for churn; more are given back at once, the rest on
 *     shrink() (Bonwick's reap).
 */
import { PAGE_SHIFT, PAGE_SIZE, type PageAllocator, type PhysAddr } from '@kmos/abi-driver';
import { type FrameTable, LIST_EMPTY, LIST_FULL, LIST_PARTIAL, NO_SLAB } from './frame-table.js';
import type { LiveMap } from './live-map.js';

export const CACHE_LINE_BYTES = 64;
export const BUFCTL_OFF_SLAB_SIZE = 512;
export const OFFSLAB_BUFCTLS_PER_FRAME = PAGE_SIZE / BUFCTL_OFF_SLAB_SIZE;
export const SLAB_WASTE_FRACTION = 8;
export const EMPTY_SLABS_KEPT = 4;
const BUFCTL_BYTES = 2;

/** What every cache of one allocator shares: RAM, the frame table, the live map, off-slab bufctls, pages. */
export interface SlabShared {
  readonly u16: Uint16Array;
  readonly table: FrameTable;
  readonly live: LiveMap;
  readonly offSlabBufctls: Uint16Array;
  readonly pages: PageAllocator;
}

/** Objects per slab of 2^order pages, given where the bufctls live. */
function objectsPerSlab(size: number, order: number, offSlab: boolean): number {
  const slabBytes = PAGE_SIZE << order;
  return Math.floor(slabBytes / (offSlab ? size : size + BUFCTL_BYTES));
}

/** The smallest order whose slab holds an object and wastes at most 1/SLAB_WASTE_FRACTION, up to maxOrder. */
export function slabOrderFor(size: number, offSlab: boolean, maxOrder: number): number {
  for (let order = 0; order <= maxOrder; order++) {
    const objects = objectsPerSlab(size, order, offSlab);
    const used = objects * (offSlab ? size : size + BUFCTL_BYTES);
    if (objects >= 1 && ((PAGE_SIZE << order) - used) * SLAB_WASTE_FRACTION <= PAGE_SIZE << order)
      return order;
  }
  let order = 0;
  while (objectsPerSlab(size, order, offSlab) < 1 && order < maxOrder) order++;
  return order;
}

export class SlabCache {
  readonly sizeBytes: number;
  readonly offSlab: boolean;
  readonly order: number;
  readonly objsPerSlab: number;
  readonly colourStep: number;
  /** How many colours there are: offsets 0, step, ..., (colours - 1) * step. */
  readonly colours: number;
  private colourNext = 0;
  /** Objects handed out now. */
  activeObjs = 0;
  /** List heads and lengths, indexed by LIST_FULL / LIST_PARTIAL / LIST_EMPTY. */
  private readonly heads = new Int32Array(3).fill(NO_SLAB);
  private readonly lengths = new Int32Array(3);
  private readonly table: FrameTable;
  private readonly live: LiveMap;
  /** RAM's u16 view for on-slab bufctls, the shared host array for off-slab ones. */
  private readonly bufctl: Uint16Array;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly objectSizeBytes: number,
    readonly alignBytes: number,
    private readonly shared: SlabShared,
  ) {
    this.sizeBytes = Math.ceil(objectSizeBytes / alignBytes) * alignBytes;
    this.offSlab = this.sizeBytes >= BUFCTL_OFF_SLAB_SIZE;
    this.order = slabOrderFor(this.sizeBytes, this.offSlab, shared.pages.maxOrder);
    this.objsPerSlab = objectsPerSlab(this.sizeBytes, this.order, this.offSlab);
    const used = this.objsPerSlab * (this.sizeBytes + (this.offSlab ? 0 : BUFCTL_BYTES));
    this.colourStep = Math.max(CACHE_LINE_BYTES, alignBytes);
    this.colours = Math.floor(((PAGE_SIZE << this.order) - used) / this.colourStep) + 1;
    this.table = shared.table;
    this.live = shared.live;
    this.bufctl = this.offSlab ? shared.offSlabBufctls : shared.u16;
  }

  get ownerTag(): number {
    return this.id + 1;
  }

  alloc(): PhysAddr | null {
    let slab = this.heads[LIST_PARTIAL];
    if (slab === NO_SLAB) {
      slab = this.heads[LIST_EMPTY];
      if (slab === NO_SLAB) slab = this.grow();
      if (slab === NO_SLAB) return null;
      this.move(slab, LIST_PARTIAL);
    }
    const { table } = this;
    const active = table.active[slab];
    const index = this.bufctl[table.bufctlBase[slab] + active];
    table.active[slab] = active + 1;
    if (active + 1 === this.objsPerSlab) this.move(slab, LIST_FULL);
    const addr = slab * PAGE_SIZE + table.colourOffset[slab] + index * this.sizeBytes;
    this.live.mark(addr);
    this.activeObjs++;
    return addr as PhysAddr;
  }

  /** Frees an object the caller has checked is live and owned by this cache. */
  free(addr: number): void {
    const { table } = this;
    this.live.clear(addr);
    this.activeObjs--;
    const slab = table.head[addr >>> PAGE_SHIFT];
    const index = (addr - slab * PAGE_SIZE - table.colourOffset[slab]) / this.sizeBytes;
    const active = table.active[slab] - 1;
    table.active[slab] = active;
    this.bufctl[table.bufctlBase[slab] + active] = index;
    if (active === 0) this.becameEmpty(slab);
    else if (active + 1 === this.objsPerSlab) this.move(slab, LIST_PARTIAL);
  }

  /** Bonwick's reap: gives every empty slab back; returns the pages freed. */
  shrink(): number {
    let freed = 0;
    while (this.heads[LIST_EMPTY] !== NO_SLAB) freed += this.destroySlab(this.heads[LIST_EMPTY]);
    return freed;
  }

  slabCounts(): { numSlabs: number; activeSlabs: number } {
    const active = this.lengths[LIST_FULL] + this.lengths[LIST_PARTIAL];
    return { numSlabs: active + this.lengths[LIST_EMPTY], activeSlabs: active };
  }

  private becameEmpty(slab: number): void {
    if (this.lengths[LIST_EMPTY] >= EMPTY_SLABS_KEPT) {
      this.unlink(slab);
      this.destroySlab(slab, false);
    } else {
      this.move(slab, LIST_EMPTY);
    }
  }

  /** A new slab on the empty list, coloured and with its bufctls in order, or NO_SLAB if no pages. */
  private grow(): number {
    const base = this.shared.pages.allocPages(this.order);
    if (base === null) return NO_SLAB;
    const slab = base >>> PAGE_SHIFT;
    const { table } = this;
    table.claim(slab, this.order, this.ownerTag);
    table.active[slab] = 0;
    table.colourOffset[slab] = this.colourNext * this.colourStep;
    this.colourNext = (this.colourNext + 1) % this.colours;
    table.bufctlBase[slab] = this.offSlab
      ? slab * OFFSLAB_BUFCTLS_PER_FRAME
      : (base + (PAGE_SIZE << this.order) - this.objsPerSlab * BUFCTL_BYTES) >>> 1;
    const first = table.bufctlBase[slab];
    for (let i = 0; i < this.objsPerSlab; i++) this.bufctl[first + i] = i;
    this.push(slab, LIST_EMPTY);
    return slab;
  }

  private destroySlab(slab: number, onList = true): number {
    if (onList) this.unlink(slab);
    this.table.release(slab);
    this.shared.pages.freePages((slab * PAGE_SIZE) as PhysAddr, this.order);
    return 1 << this.order;
  }

  private move(slab: number, list: number): void {
    this.unlink(slab);
    this.push(slab, list);
  }

  private push(slab: number, list: number): void {
    const { table } = this;
    const head = this.heads[list];
    table.list[slab] = list;
    table.prev[slab] = NO_SLAB;
    table.next[slab] = head;
    if (head !== NO_SLAB) table.prev[head] = slab;
    this.heads[list] = slab;
    this.lengths[list]++;
  }

  private unlink(slab: number): void {
    const { table } = this;
    const list = table.list[slab];
    const next = table.next[slab];
    const prev = table.prev[slab];
    if (prev === NO_SLAB) this.heads[list] = next;
    else table.next[prev] = next;
    if (next !== NO_SLAB) table.prev[next] = prev;
    this.lengths[list]--;
  }
}
