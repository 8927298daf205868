/**
 * Bonwick's slab allocator (USENIX 1994), as Linux's mm/slab.c implemented it for years: kernel objects carved
 * out of pages from the page allocator, living in emulated RAM and named by physical address. Layer: an
 * allocator plugin; imports only @kmos/abi-driver. Neighbours: slab-cache.ts (one cache: full/partial/empty
 * lists, colouring, bufctls), frame-table.ts (per-frame metadata), live-map.ts (the double/wild free check),
 * kmalloc-classes.ts (kmalloc's size classes).
 *
 * How it works
 * ------------
 * Every object size has a cache (slab-cache.ts). kmalloc(n) picks one of 13 caches, kmalloc-8 .. kmalloc-8k,
 * by one table lookup; larger requests take 2^order pages straight from the page allocator, tagged
 * OWNER_LARGE in the frame table. kfree(addr) reads the frame table at addr >> 12: the owner tag names the
 * cache (or a large block), so no search is needed.
 *
 * Checks, on every free: the address must be 8-aligned and marked in the live map (set on alloc, cleared on
 * free), and its frame must belong to the cache being freed to. A double free, a free of an address never
 * handed out (the middle of an object, a page not ours) or to the wrong cache panics with the address. The
 * live map costs one bit per 8 bytes of RAM and two memory accesses per operation; it also guarantees that
 * the index computed from a freed address is a whole object index, so the bufctl stack stays a permutation.
 *
 * Memory pressure: when the page allocator has no block, the allocator reaps every cache's empty slabs once
 * and retries before reporting null.
 */
import {
  type CacheOptions,
  type ObjectAllocator,
  type ObjectAllocatorContext,
  type ObjectAllocatorStats,
  type ObjectCache,
  PAGE_SHIFT,
  PAGE_SIZE,
  type PhysAddr,
  type SlabCacheStats,
} from '@kmos/abi-driver';
import { FrameTable, OWNER_LARGE, OWNER_NONE } from './frame-table.js';
import {
  KMALLOC_MAX_CACHE_SIZE,
  KMALLOC_SIZES,
  kmallocCacheName,
  kmallocClass,
  largeKmallocOrder,
} from './kmalloc-classes.js';
import { LiveMap } from './live-map.js';
import { OFFSLAB_BUFCTLS_PER_FRAME, SlabCache, type SlabShared } from './slab-cache.js';

/** The smallest alignment any object gets: the ABI's minimum. */
export const MIN_ALIGN_BYTES = 8;

export class SlabAllocator implements ObjectAllocator {
  private readonly shared: SlabShared;
  private readonly table: FrameTable;
  private readonly live: LiveMap;
  /** Caches by id; a destroyed cache leaves null and its id is reused. */
  private readonly caches: (SlabCache | null)[] = [];
  private readonly kmallocCaches: SlabCache[];
  private largeBytes = 0;

  constructor(private readonly ctx: ObjectAllocatorContext) {
    const frames = Math.ceil(ctx.memory.sizeBytes / PAGE_SIZE);
    this.table = new FrameTable(frames);
    this.live = new LiveMap(ctx.memory.sizeBytes);
    this.shared = {
      u16: ctx.memory.u16,
      table: this.table,
      live: this.live,
      offSlabBufctls: new Uint16Array(frames * OFFSLAB_BUFCTLS_PER_FRAME),
      pages: ctx.pages,
    };
    this.kmallocCaches = KMALLOC_SIZES.map((size) =>
      this.newCache(kmallocCacheName(size), size, MIN_ALIGN_BYTES),
    );
  }

  createCache(name: string, objectSizeBytes: number, options?: CacheOptions): ObjectCache {
    const align = options?.alignBytes ?? MIN_ALIGN_BYTES;
    const largest = PAGE_SIZE << this.ctx.pages.maxOrder;
    if (!(objectSizeBytes > 0 && objectSizeBytes <= largest && Number.isInteger(objectSizeBytes))) {
      this.ctx.panic(`mm-slab: createCache(${name}): bad object size ${objectSizeBytes}`);
    }
    if (!(align >= 1 && align <= PAGE_SIZE && (align & (align - 1)) === 0)) {
      this.ctx.panic(`mm-slab: createCache(${name}): alignment ${align} is not a power of two up to a page`);
    }
    return this.newCache(name, objectSizeBytes, Math.max(align, MIN_ALIGN_BYTES));
  }

  destroyCache(cache: ObjectCache): void {
    const own = this.own(cache);
    if (own.activeObjs > 0) {
      this.ctx.panic(`mm-slab: destroyCache(${own.name}) with ${own.activeObjs} live objects`);
    }
    own.shrink();
    this.caches[own.id] = null;
  }

  cacheAlloc(cache: ObjectCache): PhysAddr | null {
    const own = this.own(cache);
    return own.alloc() ?? this.afterShrink(own);
  }

  cacheFree(cache: ObjectCache, addr: PhysAddr): void {
    const own = this.own(cache);
    if (!this.live.isLive(addr)) this.failFree(addr, `${own.name}: not a live object (double or wild free)`);
    if (this.table.owner[addr >>> PAGE_SHIFT] !== own.ownerTag) {
      this.failFree(addr, `${own.name}: object belongs to another cache`);
    }
    own.free(addr);
  }

  kmalloc(sizeBytes: number): PhysAddr | null {
    if (sizeBytes <= KMALLOC_MAX_CACHE_SIZE && sizeBytes >= 0) {
      const cache = this.kmallocCaches[kmallocClass(sizeBytes)];
      return cache.alloc() ?? this.afterShrink(cache);
    }
    if (!Number.isInteger(sizeBytes) || sizeBytes < 0) this.ctx.panic(`mm-slab: kmalloc(${sizeBytes})`);
    return this.kmallocLarge(sizeBytes);
  }

  kfree(addr: PhysAddr): void {
    const owner = this.table.owner[addr >>> PAGE_SHIFT];
    if (owner !== OWNER_LARGE && owner !== OWNER_NONE && this.live.isLive(addr)) {
      this.caches[owner - 1]!.free(addr);
      return;
    }
    if (owner === OWNER_LARGE && this.isLargeHead(addr)) {
      this.kfreeLarge(addr);
      return;
    }
    this.failFree(addr, 'kfree of an address kmalloc did not hand out, or a double free');
  }

  ksize(addr: PhysAddr): number {
    const owner = this.table.owner[addr >>> PAGE_SHIFT];
    if (owner === OWNER_LARGE && this.isLargeHead(addr))
      return PAGE_SIZE << this.table.order[addr >>> PAGE_SHIFT];
    if (owner === OWNER_NONE || owner === OWNER_LARGE || !this.live.isLive(addr)) {
      this.ctx.panic(`mm-slab: ksize(${hex(addr)}): not an object handed out`);
    }
    return this.caches[owner - 1]!.sizeBytes;
  }

  shrink(): number {
    let freed = 0;
    for (const cache of this.caches) if (cache) freed += cache.shrink();
    return freed;
  }

  stats(): ObjectAllocatorStats {
    const caches: SlabCacheStats[] = [];
    let pagesHeld = this.largeBytes / PAGE_SIZE;
    let bytesInUse = this.largeBytes;
    for (const cache of this.caches) {
      if (!cache) continue;
      const { numSlabs, activeSlabs } = cache.slabCounts();
      pagesHeld += numSlabs << cache.order;
      bytesInUse += cache.activeObjs * cache.sizeBytes;
      caches.push({
        name: cache.name,
        activeObjs: cache.activeObjs,
        numObjs: numSlabs * cache.objsPerSlab,
        objSizeBytes: cache.sizeBytes,
        objsPerSlab: cache.objsPerSlab,
        pagesPerSlab: 1 << cache.order,
        activeSlabs,
        numSlabs,
      });
    }
    return { design: 'slab', caches, pagesHeld, bytesInUse };
  }

  private newCache(name: string, sizeBytes: number, alignBytes: number): SlabCache {
    let id = this.caches.indexOf(null);
    if (id < 0) id = this.caches.length;
    if (id >= OWNER_LARGE - 1) this.ctx.panic(`mm-slab: too many caches (creating ${name})`);
    const cache = new SlabCache(id, name, sizeBytes, alignBytes, this.shared);
    this.caches[id] = cache;
    return cache;
  }

  /** The allocator's own cache behind an ABI handle; a handle from elsewhere (or destroyed) panics. */
  private own(cache: ObjectCache): SlabCache {
    if (cache instanceof SlabCache && this.caches[cache.id] === cache) return cache;
    return this.ctx.panic(`mm-slab: ${cache.name} is not a live cache of this allocator`);
  }

  /** The slow path's last resort: give empty slabs back, then try once more. */
  private afterShrink(cache: SlabCache): PhysAddr | null {
    if (this.shrink() === 0) return null;
    return cache.alloc();
  }

  private kmallocLarge(sizeBytes: number): PhysAddr | null {
    const order = largeKmallocOrder(sizeBytes, PAGE_SIZE);
    if (order > this.ctx.pages.maxOrder) return null;
    let addr = this.ctx.pages.allocPages(order);
    if (addr === null && this.shrink() > 0) addr = this.ctx.pages.allocPages(order);
    if (addr === null) return null;
    this.table.claim(addr >>> PAGE_SHIFT, order, OWNER_LARGE);
    this.largeBytes += PAGE_SIZE << order;
    return addr;
  }

  private kfreeLarge(addr: PhysAddr): void {
    const frame = addr >>> PAGE_SHIFT;
    const order = this.table.order[frame];
    this.table.release(frame);
    this.largeBytes -= PAGE_SIZE << order;
    this.ctx.pages.freePages(addr, order);
  }

  private isLargeHead(addr: number): boolean {
    return addr % PAGE_SIZE === 0 && this.table.head[addr >>> PAGE_SHIFT] === addr >>> PAGE_SHIFT;
  }

  private failFree(addr: number, why: string): never {
    return this.ctx.panic(`mm-slab: free of ${hex(addr)}: ${why}`);
  }
}

function hex(addr: number): string {
  return `0x${addr.toString(16).padStart(8, '0')}`;
}
