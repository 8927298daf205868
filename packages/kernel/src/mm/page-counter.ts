/**
 * A page allocator that keeps count of its free pages, wrapped around the configured plugin at boot, so the
 * page-fault path can compare free frames with the reclaim watermarks (reclaim.ts) on every fault without
 * calling the plugin's stats(), which builds its per-order tables each time. Layer: kernel mm; boot.ts
 * wraps the plugin before anything allocates, so every allocation (user frames, page tables, slabs) passes.
 */
import type { PageAllocator, PageAllocatorStats, PhysAddr } from '@kmos/abi-driver';

export class CountingPageAllocator implements PageAllocator {
  /** Free pages now. Written by allocPages and freePages. */
  free: number;

  constructor(private readonly inner: PageAllocator) {
    this.free = inner.stats().freePages;
  }

  get maxOrder(): number {
    return this.inner.maxOrder;
  }

  allocPages(order: number): PhysAddr | null {
    const addr = this.inner.allocPages(order);
    if (addr !== null) this.free -= 1 << order;
    return addr;
  }

  freePages(addr: PhysAddr, order: number): void {
    this.inner.freePages(addr, order);
    this.free += 1 << order;
  }

  stats(): PageAllocatorStats {
    return this.inner.stats();
  }
}

/** Free pages of `pages`: the running count when it keeps one, else the plugin's stats. */
export function freePageCount(pages: PageAllocator): number {
  return pages instanceof CountingPageAllocator ? pages.free : pages.stats().freePages;
}
