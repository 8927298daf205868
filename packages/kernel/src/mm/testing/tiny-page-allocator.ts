/**
 * Test-only: the smallest page allocator that keeps the ABI's promises (aligned 2^order runs, null when
 * empty, a panic on a double or mismatched free), so mm tests can count frames exactly. It hands out the
 * lowest free run, so tests are deterministic. Production boots with the allocator the config names.
 */
import type { PageAllocator, PageAllocatorStats, PhysAddr } from '@kmos/abi-driver';
import { PAGE_SHIFT } from '@kmos/abi-driver';
import { createPhysicalMemory } from '../../machine/physical-memory.js';

export class TinyPageAllocator implements PageAllocator {
  readonly maxOrder = 10;
  /** Order+1 of the block starting at each frame, or 0 when free. */
  private readonly owner: Uint8Array;
  private freeCount: number;

  constructor(
    private readonly firstFrame: number,
    private readonly frameCount: number,
  ) {
    this.owner = new Uint8Array(frameCount);
    this.freeCount = frameCount;
  }

  allocPages(order: number): PhysAddr | null {
    const run = 1 << order;
    for (let i = 0; i + run <= this.frameCount; i += run) {
      if (this.runFree(i, run)) {
        this.owner.fill(255, i, i + run);
        this.owner[i] = order + 1;
        this.freeCount -= run;
        return ((this.firstFrame + i) << PAGE_SHIFT) as PhysAddr;
      }
    }
    return null;
  }

  freePages(addr: PhysAddr, order: number): void {
    const i = (addr >>> PAGE_SHIFT) - this.firstFrame;
    if (i < 0 || i >= this.frameCount || this.owner[i] !== order + 1) {
      throw new Error(`TinyPageAllocator: bad free of 0x${addr.toString(16)} order ${order}`);
    }
    this.owner.fill(0, i, i + (1 << order));
    this.freeCount += 1 << order;
  }

  stats(): PageAllocatorStats {
    return { totalPages: this.frameCount, freePages: this.freeCount, zones: [] };
  }

  private runFree(i: number, run: number): boolean {
    for (let j = i; j < i + run; j++) if (this.owner[j] !== 0) return false;
    return true;
  }
}

/** RAM of `megabytes` with the first MiB kept back, as boot does, and an allocator over the rest. */
export function testMachine(megabytes = 8) {
  const memory = createPhysicalMemory(megabytes << 20);
  const first = 256;
  const pages = new TinyPageAllocator(first, (memory.sizeBytes >>> PAGE_SHIFT) - first);
  return { memory, pages };
}
