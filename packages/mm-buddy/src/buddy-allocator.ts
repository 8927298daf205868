/**
 * The binary buddy allocator: kmOS's page allocator. It hands out runs of 2^order frames of emulated RAM,
 * aligned to their size, to the object allocators (mm-slub/-slab/-slob) and to the kernel's VM. Layer: an
 * allocator plugin; it imports only @kmos/abi-driver. The kernel reads `stats()` for `/proc/buddyinfo`.
 *
 * How it works
 * ------------
 * Frames are numbered physically (frame n is at n * PAGE_SIZE). A block of order k is 2^k frames whose first
 * frame is a multiple of 2^k; its *buddy* is the block at `frame ^ 2^k`. Together they form the block of order
 * k + 1 that contains both. Because alignment is physical, blocks keep their meaning however the managed range
 * [firstFrame, firstFrame + frameCount) is placed: at start-up the range is cut into the largest aligned
 * blocks that fit (a range that is not a power of two or not aligned just yields smaller blocks at its ends).
 *
 * Per frame (indexed by frame - firstFrame) we keep, in typed arrays and never in JS objects:
 *   - `state[i]`: FREE_HEAD | order if a free block starts here, USED_HEAD | order if an allocated block
 *     starts here, 0 for every other frame (the inside of a block).
 *   - `next[i]`, `prev[i]`: the links of the intrusive doubly linked free list of the block's order,
 *     meaningful only on a free head. NIL (-1) ends a list.
 * Per order we keep the list head and, per zone, a count of free blocks (for buddyinfo without walking).
 *
 * Invariants (checked by the property tests in buddy-allocator.test.ts):
 *   - every managed frame is in exactly one block, free or allocated;
 *   - a free block of order k is on free list k, and its buddy (if managed) is not a free block of order k
 *     (it would have been merged);
 *   - `freePages` equals the sum over free blocks of 2^order.
 *
 * Fast path: allocPages(order) pops the first non-empty list at or above `order` and splits down, pushing
 * the upper halves; freePages(addr, order) checks the head, then merges while the buddy is a free head of the
 * same order. Both are O(MAX_ORDER) list operations on typed arrays; no allocation, no search.
 *
 * Checks: a free is accepted only if the address is page-aligned, managed, aligned to the order and is the
 * head of an allocated block of exactly that order. Anything else (double free, never-allocated frame, the
 * inside of a block, wrong order) panics with the address and what was found there. The check is one byte
 * read, so it stays on in production.
 *
 * Tunables:
 *   - MAX_ORDER = 10 (4 MiB blocks) as in Linux: large enough for any kernel allocation kmOS makes, small
 *     enough that start-up and merging stay cheap.
 *   - Zones: frames below 16 MiB are reported as zone "DMA" (what an ISA DMA controller can reach), the rest
 *     as "Normal". A block never straddles 16 MiB because 16 MiB is a multiple of the largest block. The zones
 *     are a reporting split only: allocation does not prefer one zone, since no kmOS driver does ISA DMA.
 */
import {
  PAGE_SHIFT,
  PAGE_SIZE,
  type PageAllocator,
  type PageAllocatorContext,
  type PageAllocatorStats,
  type PhysAddr,
  type ZoneFreeAreas,
} from '@kmos/abi-driver';

/** The largest order served: 2^10 frames = 4 MiB, as Linux's default MAX_ORDER - 1. */
export const MAX_ORDER = 10;
/** The end of ZONE_DMA: the 16 MiB an ISA DMA controller can address. */
export const ZONE_DMA_END_BYTES = 16 * 1024 * 1024;
const ZONE_DMA_END_FRAME = ZONE_DMA_END_BYTES >>> PAGE_SHIFT;
export const ZONE_NAMES = ['DMA', 'Normal'] as const;
const ZONE_DMA = 0;
const ZONE_NORMAL = 1;

const NIL = -1;
/** `state` bits: a free block starts here / an allocated block starts here; the low bits hold its order. */
const FREE_HEAD = 0x80;
const USED_HEAD = 0x40;
const ORDER_MASK = 0x3f;
const PAGE_MASK = PAGE_SIZE - 1;

export class BuddyAllocator implements PageAllocator {
  readonly maxOrder = MAX_ORDER;
  private readonly firstFrame: number;
  private readonly frameCount: number;
  private readonly state: Uint8Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  /** The first free block of each order, as an index into the per-frame arrays. */
  private readonly heads = new Int32Array(MAX_ORDER + 1).fill(NIL);
  /** Free blocks per (zone, order): `zoneFree[zone * (MAX_ORDER + 1) + order]`. */
  private readonly zoneFree = new Int32Array(ZONE_NAMES.length * (MAX_ORDER + 1));
  private freeFrames = 0;

  constructor(private readonly ctx: PageAllocatorContext) {
    const { firstFrame, frameCount, memory } = ctx;
    if (!Number.isInteger(firstFrame) || !Number.isInteger(frameCount) || firstFrame < 0 || frameCount < 0) {
      ctx.panic(`mm-buddy: bad frame range firstFrame=${firstFrame} frameCount=${frameCount}`);
    }
    if ((firstFrame + frameCount) * PAGE_SIZE > memory.sizeBytes) {
      ctx.panic(
        `mm-buddy: frames up to ${firstFrame + frameCount} lie beyond RAM (${memory.sizeBytes} bytes)`,
      );
    }
    this.firstFrame = firstFrame;
    this.frameCount = frameCount;
    this.state = new Uint8Array(frameCount);
    this.next = new Int32Array(frameCount);
    this.prev = new Int32Array(frameCount);
    this.seedFreeLists();
  }

  allocPages(order: number): PhysAddr | null {
    if (order >>> 0 !== order || order > MAX_ORDER) {
      this.ctx.panic(`mm-buddy: allocPages with bad order ${order}`);
    }
    let k = order;
    while (k <= MAX_ORDER && this.heads[k] === NIL) k++;
    if (k > MAX_ORDER) return null;
    const index = this.heads[k];
    this.unlink(index, k);
    // Split down: keep the lower half, give the upper half back at each smaller order.
    while (k > order) {
      k--;
      this.push(index + (1 << k), k);
    }
    this.state[index] = USED_HEAD | order;
    this.freeFrames -= 1 << order;
    return ((this.firstFrame + index) * PAGE_SIZE) as PhysAddr;
  }

  freePages(addr: PhysAddr, order: number): void {
    let index = (addr >>> PAGE_SHIFT) - this.firstFrame;
    // One byte says it all: the head of an allocated block of exactly this order. Anything else is diagnosed.
    if (
      order >>> 0 !== order ||
      order > MAX_ORDER ||
      addr >>> 0 !== addr ||
      (addr & PAGE_MASK) !== 0 ||
      index < 0 ||
      index >= this.frameCount ||
      this.state[index] !== (USED_HEAD | order)
    ) {
      this.diagnoseBadFree(addr, order);
    }
    this.freeFrames += 1 << order;
    let k = order;
    while (k < MAX_ORDER) {
      const buddy = ((this.firstFrame + index) ^ (1 << k)) - this.firstFrame;
      if (buddy < 0 || buddy >= this.frameCount || this.state[buddy] !== (FREE_HEAD | k)) break;
      this.unlink(buddy, k);
      this.state[buddy] = 0;
      if (buddy < index) {
        this.state[index] = 0;
        index = buddy;
      }
      k++;
    }
    this.push(index, k);
  }

  stats(): PageAllocatorStats {
    const zones: ZoneFreeAreas[] = [];
    for (let zone = 0; zone < ZONE_NAMES.length; zone++) {
      if (!this.zoneHasFrames(zone)) continue;
      const base = zone * (MAX_ORDER + 1);
      const freeBlocks = Array.from(this.zoneFree.subarray(base, base + MAX_ORDER + 1));
      zones.push({ zone: ZONE_NAMES[zone], freeBlocks });
    }
    return { totalPages: this.frameCount, freePages: this.freeFrames, zones };
  }

  /** Cuts the managed range into the largest aligned blocks that fit, lowest address first. */
  private seedFreeLists(): void {
    let frame = this.firstFrame;
    const end = this.firstFrame + this.frameCount;
    while (frame < end) {
      let order = MAX_ORDER;
      while (order > 0 && (frame % (1 << order) !== 0 || frame + (1 << order) > end)) order--;
      this.push(frame - this.firstFrame, order);
      this.freeFrames += 1 << order;
      frame += 1 << order;
    }
  }

  /** A panic naming what is wrong with a free that failed the one-byte check. */
  private diagnoseBadFree(addr: number, order: number): never {
    const frame = addr / PAGE_SIZE;
    const index = frame - this.firstFrame;
    if (order >>> 0 !== order || order > MAX_ORDER) this.fail(addr, order, 'bad order');
    if (!Number.isInteger(frame) || index < 0 || index >= this.frameCount) {
      this.fail(addr, order, 'not a managed page-aligned address');
    }
    if (frame % (1 << order) !== 0) this.fail(addr, order, 'address not aligned to the order');
    const s = this.state[index];
    if (s & FREE_HEAD)
      this.fail(addr, order, `double free (already a free block of order ${s & ORDER_MASK})`);
    if (s & USED_HEAD) this.fail(addr, order, `wrong order (allocated with order ${s & ORDER_MASK})`);
    return this.fail(addr, order, 'never allocated (not the start of an allocated block)');
  }

  private fail(addr: number, order: number, why: string): never {
    const hex = `0x${addr.toString(16).padStart(8, '0')}`;
    return this.ctx.panic(`mm-buddy: freePages(${hex}, order ${order}): ${why}`);
  }

  private push(index: number, order: number): void {
    const head = this.heads[order];
    this.next[index] = head;
    this.prev[index] = NIL;
    if (head !== NIL) this.prev[head] = index;
    this.heads[order] = index;
    this.state[index] = FREE_HEAD | order;
    this.zoneFree[this.zoneOf(index) * (MAX_ORDER + 1) + order]++;
  }

  private unlink(index: number, order: number): void {
    const next = this.next[index];
    const prev = this.prev[index];
    if (prev === NIL) this.heads[order] = next;
    else this.next[prev] = next;
    if (next !== NIL) this.prev[next] = prev;
    this.zoneFree[this.zoneOf(index) * (MAX_ORDER + 1) + order]--;
  }

  private zoneOf(index: number): number {
    return this.firstFrame + index < ZONE_DMA_END_FRAME ? ZONE_DMA : ZONE_NORMAL;
  }

  private zoneHasFrames(zone: number): boolean {
    const end = this.firstFrame + this.frameCount;
    if (this.frameCount === 0) return zone === ZONE_DMA;
    return zone === ZONE_DMA ? this.firstFrame < ZONE_DMA_END_FRAME : end > ZONE_DMA_END_FRAME;
  }
}
