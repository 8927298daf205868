/**
 * Reference counts of the frames that back user pages, one Uint32 per physical frame. Layer: kernel mm;
 * address spaces (address-space.ts), the shared page cache (page-cache.ts) and fork count their holds here;
 * the page-allocator plugin below gets a frame back when its count reaches zero.
 *
 * How it works
 * - A count is the number of holders: each present PTE that maps the frame, plus one for a page cache that
 *   keeps it. A frame with count 0 is not a user frame: either free, or the kernel's (page tables, slabs,
 *   kernel stacks). `assertUser` is the check that keeps user mappings away from kernel frames.
 * - Copy-on-write needs only the count: a writer that finds count 1 is the last owner and takes the frame
 *   as it is; otherwise it copies.
 * - Counting is a typed array indexed by frame number: no allocation, no hashing on the fault path.
 * - With swap on, the swap cache (swap.ts) may hold a frame too. It is a keeper, not a user: when it is the
 *   last holder left, `put` makes it let go, so a frame nobody maps never lingers.
 * - A frame leaving the allocator for user use may hold code the CPU compiled from its last life: the CPU is
 *   told to drop it here, once per allocation, and not on every PTE install — so text pages shared through
 *   the page cache keep their compiled code from one process (and one exec) to the next.
 */
import type { PageAllocator, PhysAddr, PhysicalMemory } from '@kmos/abi-driver';
import { PAGE_SHIFT, PAGE_SIZE } from '@kmos/abi-driver';
import { KernelPanic } from '../errors.js';
import { hex } from './page-table.js';

export class FrameRefs {
  private readonly counts: Uint32Array;

  constructor(memorySizeBytes: number) {
    this.counts = new Uint32Array(Math.ceil(memorySizeBytes / PAGE_SIZE));
  }

  count(frame: PhysAddr): number {
    return this.counts[frame >>> PAGE_SHIFT];
  }

  /** Takes a frame fresh from the allocator into user use, with one holder. */
  adopt(frame: PhysAddr): void {
    const n = frame >>> PAGE_SHIFT;
    if (this.counts[n] !== 0)
      throw new KernelPanic(`frame ${hex(frame)} adopted while it has ${this.counts[n]} holders`);
    this.counts[n] = 1;
  }

  /** One more holder of a frame that is already a user frame. */
  get(frame: PhysAddr): void {
    this.assertUser(frame);
    this.counts[frame >>> PAGE_SHIFT]++;
  }

  /** One holder fewer; returns the holders left (0: the caller frees the frame). */
  put(frame: PhysAddr): number {
    this.assertUser(frame);
    return --this.counts[frame >>> PAGE_SHIFT];
  }

  /** Panics unless `frame` is a user frame: no PTE may ever point at a frame the kernel owns. */
  assertUser(frame: PhysAddr): void {
    const n = frame >>> PAGE_SHIFT;
    if (n >= this.counts.length || this.counts[n] === 0) {
      throw new KernelPanic(`frame ${hex(frame)} is not a user frame`);
    }
  }

  /** Frames with at least one holder (for /proc/meminfo-style totals and leak tests). */
  inUse(): number {
    let n = 0;
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i] !== 0) n++;
    return n;
  }
}

/** Drops the CPU's compiled code for [phys, phys + sizeBytes) (the arch's `invalidateCode`). */
export type InvalidateCode = (phys: PhysAddr, sizeBytes: number) => void;

/** What may hold a user frame besides PTEs and page caches: the swap cache. */
export interface FrameKeeper {
  keeps(frame: PhysAddr): boolean;
  /** Drops the keeper's hold on `frame` (through UserFrames.put). */
  release(frame: PhysAddr): void;
}

/**
 * The machine-wide pool of user frames: the page allocator, the counts, and RAM for zeroing and copying.
 * One per machine; every address space and page cache shares it.
 */
export class UserFrames {
  readonly refs: FrameRefs;
  /** The swap cache once swap is on; written by MemoryManager.swapOn. */
  keeper: FrameKeeper | null = null;

  constructor(
    readonly memory: PhysicalMemory,
    readonly pages: PageAllocator,
    private readonly invalidateCode: InvalidateCode = () => {},
  ) {
    this.refs = new FrameRefs(memory.sizeBytes);
  }

  /** A frame with one holder and undefined contents (and no compiled code), or null when RAM is exhausted. */
  alloc(): PhysAddr | null {
    const frame = this.pages.allocPages(0);
    if (frame === null) return null;
    this.refs.adopt(frame);
    this.invalidateCode(frame, PAGE_SIZE);
    return frame;
  }

  /** A zero-filled frame with one holder, or null. */
  allocZeroed(): PhysAddr | null {
    const frame = this.alloc();
    if (frame !== null) this.memory.u32.fill(0, frame >>> 2, (frame + PAGE_SIZE) >>> 2);
    return frame;
  }

  /** A new frame holding a copy of `from`, or null. */
  allocCopy(from: PhysAddr): PhysAddr | null {
    const frame = this.alloc();
    if (frame !== null) this.memory.u8.copyWithin(frame, from, from + PAGE_SIZE);
    return frame;
  }

  /**
   * Drops one hold; the last one returns the frame to the allocator, and the CPU drops any code it decoded
   * or compiled from it now (not when the frame is next handed out: a frame the kernel takes for itself
   * never is, and a long session's dead code then filled the CPU's caches).
   */
  put(frame: PhysAddr): void {
    const left = this.refs.put(frame);
    if (left === 0) {
      this.invalidateCode(frame, PAGE_SIZE);
      this.pages.freePages(frame, 0);
    } else if (left === 1 && this.keeper?.keeps(frame)) this.keeper.release(frame);
  }

  /** True when one PTE is all that holds `frame` (a swap-cache hold is let go then): copy-on-write may reuse it. */
  soleMapper(frame: PhysAddr): boolean {
    const n = this.refs.count(frame);
    if (n === 1) return true;
    if (n !== 2 || this.keeper === null || !this.keeper.keeps(frame)) return false;
    this.keeper.release(frame);
    return true;
  }

  /** The frame's bytes as a view into RAM (no copy). */
  view(frame: PhysAddr): Uint8Array {
    return this.memory.u8.subarray(frame, frame + PAGE_SIZE);
  }

  /** Copies `bytes` to `phys` (within one frame), dropping any code the CPU compiled from there. */
  write(phys: PhysAddr, bytes: Uint8Array): void {
    this.memory.u8.set(bytes, phys);
    this.invalidateCode(phys, bytes.length);
  }
}
