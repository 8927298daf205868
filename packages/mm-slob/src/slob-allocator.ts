/**
 * SLOB ("simple list of blocks"), the object allocator for tiny memories: one first-fit heap over shared
 * pages instead of per-size slabs, so a machine with a few MiB does not keep a partly empty slab per cache.
 * Objects live in emulated RAM and are named by physical address. Layer: an allocator plugin; imports only
 * @kmos/abi-driver. Neighbours: slob-heap.ts (pages and lists), page-blocks.ts (first fit inside a page),
 * object-tags.ts (the double/wild free check).
 *
 * How it works
 * ------------
 * kmalloc(n) takes n + KMALLOC_HEADER bytes from the heap and stores n in the header in RAM (a u32 just
 * before the object), because kfree is told only the address. Requests that would not fit in a page with
 * their header go straight to the page allocator (2^order pages). A cache is only a size and an alignment:
 * cacheAlloc takes that size from the heap, cacheFree gives it back (the size comes from the cache, so cache
 * objects need no header). A cache of objects of a page or more takes pages directly.
 *
 * There are no size classes (that is SLOB's point: no per-class waste); ksize is the request rounded up to
 * SLOB_UNIT. shrink() has nothing to do: a heap page is returned the moment it is wholly free.
 *
 * Checks: every object start carries a tag (object-tags.ts) naming kmalloc or its cache. A free whose tag does
 * not match (double free, an address never handed out, kfree of a cache object, a free to the wrong cache)
 * panics with the address. A kmalloc header overwritten by the caller is caught when its size does not fit
 * the page. The heap also panics if a freed block overlaps a free one.
 *
 * `/proc/slabinfo`: SLOB has no slabs. Each cache reports its live objects (active = total), its object size,
 * the objects a page would hold, and zero slabs; kmalloc has no rows.
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
} from '@kmos/abi-driver';
import { cacheTag, ObjectTags, TAG_KMALLOC, TAG_NONE } from './object-tags.js';
import { SLOB_UNIT } from './page-blocks.js';
import { SlobHeap, unitsFor } from './slob-heap.js';

/** The kmalloc header: the request size as a u32, padded to the minimum alignment so objects stay aligned. */
export const KMALLOC_HEADER = 8;
export const MIN_ALIGN_BYTES = 8;

/** A SLOB cache: a size, an alignment, a tag, a count. */
export class SlobCache implements ObjectCache {
  /** The size each object takes: the request rounded up to the alignment and to SLOB_UNIT. */
  readonly sizeBytes: number;
  readonly tag: number;
  activeObjs = 0;
  /** False once destroyed: the handle then panics instead of allocating. */
  alive = true;
  constructor(
    /** The allocator that made this cache: a handle from another allocator panics. */
    readonly allocator: object,
    readonly id: number,
    readonly name: string,
    readonly objectSizeBytes: number,
    readonly alignBytes: number,
  ) {
    this.sizeBytes = Math.ceil(objectSizeBytes / alignBytes) * alignBytes;
    this.tag = cacheTag(id);
  }
}

export class SlobAllocator implements ObjectAllocator {
  private readonly heap: SlobHeap;
  private readonly tags: ObjectTags;
  /** Per frame: the order of a page-allocator block handed out whole (big kmalloc or big cache object). */
  private readonly bigOrder: Uint8Array;
  private readonly isBigHead: Uint8Array;
  private readonly caches = new Set<SlobCache>();
  private nextCacheId = 0;
  private bigPages = 0;
  private kmallocBytes = 0;
  /** RAM, for kmalloc headers. */
  private readonly u32: Uint32Array;

  constructor(private readonly ctx: ObjectAllocatorContext) {
    const frames = Math.ceil(ctx.memory.sizeBytes / PAGE_SIZE);
    this.heap = new SlobHeap(frames, ctx.memory.u16, ctx.pages, (message) => ctx.panic(message));
    this.tags = new ObjectTags(ctx.memory.sizeBytes);
    this.bigOrder = new Uint8Array(frames);
    this.isBigHead = new Uint8Array(frames);
    this.u32 = ctx.memory.u32;
  }

  createCache(name: string, objectSizeBytes: number, options?: CacheOptions): ObjectCache {
    const align = options?.alignBytes ?? MIN_ALIGN_BYTES;
    const largest = PAGE_SIZE << this.ctx.pages.maxOrder;
    if (!(objectSizeBytes > 0 && objectSizeBytes <= largest && Number.isInteger(objectSizeBytes))) {
      this.ctx.panic(`mm-slob: createCache(${name}): bad object size ${objectSizeBytes}`);
    }
    if (!(align >= 1 && align <= PAGE_SIZE && (align & (align - 1)) === 0)) {
      this.ctx.panic(`mm-slob: createCache(${name}): alignment ${align} is not a power of two up to a page`);
    }
    const cache = new SlobCache(
      this,
      this.nextCacheId++,
      name,
      objectSizeBytes,
      Math.max(align, MIN_ALIGN_BYTES),
    );
    this.caches.add(cache);
    return cache;
  }

  destroyCache(cache: ObjectCache): void {
    const own = this.own(cache);
    if (own.activeObjs > 0) {
      this.ctx.panic(`mm-slob: destroyCache(${own.name}) with ${own.activeObjs} live objects`);
    }
    own.alive = false;
    this.caches.delete(own);
  }

  cacheAlloc(cache: ObjectCache): PhysAddr | null {
    const own = this.own(cache);
    const addr =
      own.sizeBytes < PAGE_SIZE
        ? this.heap.alloc(own.sizeBytes, own.alignBytes)
        : this.allocBig(own.sizeBytes);
    if (addr === null) return null;
    this.tags.set(addr, own.tag);
    own.activeObjs++;
    return addr;
  }

  cacheFree(cache: ObjectCache, addr: PhysAddr): void {
    const own = this.own(cache);
    if (this.tags.tagAt(addr) !== own.tag) this.failFree(addr, `not a live object of ${own.name}`);
    this.tags.set(addr, TAG_NONE);
    own.activeObjs--;
    if (own.sizeBytes < PAGE_SIZE) this.heap.free(addr, own.sizeBytes);
    else this.freeBig(addr);
  }

  kmalloc(sizeBytes: number): PhysAddr | null {
    if (!(sizeBytes >= 0 && Number.isInteger(sizeBytes))) this.badKmalloc(sizeBytes);
    if (sizeBytes + KMALLOC_HEADER >= PAGE_SIZE) return this.kmallocBig(sizeBytes);
    // A zero-byte object still gets a byte: its address must not be the start of the next block.
    const recorded = Math.max(sizeBytes, 1);
    const block = this.heap.alloc(recorded + KMALLOC_HEADER, MIN_ALIGN_BYTES);
    if (block === null) return null;
    this.u32[block >>> 2] = recorded;
    const addr = (block + KMALLOC_HEADER) as PhysAddr;
    this.tags.set(addr, TAG_KMALLOC);
    this.kmallocBytes += smallKsize(recorded);
    return addr;
  }

  kfree(addr: PhysAddr): void {
    if (this.tags.tagAt(addr) !== TAG_KMALLOC) this.failFree(addr, 'not an object kmalloc handed out');
    this.tags.set(addr, TAG_NONE);
    if (this.isBig(addr)) {
      this.kmallocBytes -= PAGE_SIZE << this.bigOrder[addr >>> PAGE_SHIFT];
      this.freeBig(addr);
      return;
    }
    // One header read serves the check, the byte count and the heap.
    const size = this.headerSize(addr);
    this.kmallocBytes -= smallKsize(size);
    this.heap.free(addr - KMALLOC_HEADER, size + KMALLOC_HEADER);
  }

  ksize(addr: PhysAddr): number {
    if (this.tags.tagAt(addr) !== TAG_KMALLOC) {
      this.ctx.panic(`mm-slob: ksize(${hex(addr)}): not an object kmalloc handed out`);
    }
    if (this.isBig(addr)) return PAGE_SIZE << this.bigOrder[addr >>> PAGE_SHIFT];
    return smallKsize(this.headerSize(addr));
  }

  shrink(): number {
    return 0;
  }

  stats(): ObjectAllocatorStats {
    let cacheBytes = 0;
    const caches = [...this.caches].map((cache) => {
      cacheBytes += cache.activeObjs * cache.sizeBytes;
      return {
        name: cache.name,
        activeObjs: cache.activeObjs,
        numObjs: cache.activeObjs,
        objSizeBytes: cache.sizeBytes,
        objsPerSlab: Math.max(1, Math.floor(PAGE_SIZE / cache.sizeBytes)),
        pagesPerSlab: 1,
        activeSlabs: 0,
        numSlabs: 0,
      };
    });
    return {
      design: 'slob',
      caches,
      pagesHeld: this.heap.pagesHeld + this.bigPages,
      bytesInUse: this.kmallocBytes + cacheBytes,
    };
  }

  private kmallocBig(sizeBytes: number): PhysAddr | null {
    const addr = this.allocBig(sizeBytes);
    if (addr === null) return null;
    this.tags.set(addr, TAG_KMALLOC);
    this.kmallocBytes += PAGE_SIZE << this.bigOrder[addr >>> PAGE_SHIFT];
    return addr;
  }

  /** True for the start of a block handed out whole by the page allocator (a small object is never page-aligned). */
  private isBig(addr: number): boolean {
    return (addr & (PAGE_SIZE - 1)) === 0 && this.isBigHead[addr >>> PAGE_SHIFT] === 1;
  }

  /** The size a kmalloc header records, checked to fit the object's page (a caller may have overwritten it). */
  private headerSize(addr: number): number {
    const size = this.u32[(addr - KMALLOC_HEADER) >>> 2];
    if ((addr & (PAGE_SIZE - 1)) + size > PAGE_SIZE) this.corruptHeader(addr, size);
    return size;
  }

  // The panics of the hot paths live in their own functions: message building kept out of a hot function
  // makes it small enough for V8 to inline into its caller.
  private badKmalloc(sizeBytes: number): never {
    return this.ctx.panic(`mm-slob: kmalloc(${sizeBytes})`);
  }

  private corruptHeader(addr: number, size: number): never {
    return this.ctx.panic(`mm-slob: kmalloc header of ${hex(addr)} is corrupt (size ${size})`);
  }

  private allocBig(sizeBytes: number): PhysAddr | null {
    const order = pageOrderFor(sizeBytes);
    if (order > this.ctx.pages.maxOrder) return null;
    const addr = this.ctx.pages.allocPages(order);
    if (addr === null) return null;
    const frame = addr >>> PAGE_SHIFT;
    this.isBigHead[frame] = 1;
    this.bigOrder[frame] = order;
    this.bigPages += 1 << order;
    return addr;
  }

  private freeBig(addr: PhysAddr): void {
    const frame = addr >>> PAGE_SHIFT;
    const order = this.bigOrder[frame];
    this.isBigHead[frame] = 0;
    this.bigPages -= 1 << order;
    this.ctx.pages.freePages(addr, order);
  }

  private own(cache: ObjectCache): SlobCache {
    if (cache instanceof SlobCache && cache.alive && cache.allocator === this) return cache;
    return this.ctx.panic(`mm-slob: ${cache.name} is not a live cache of this allocator`);
  }

  private failFree(addr: number, why: string): never {
    return this.ctx.panic(`mm-slob: free of ${hex(addr)}: ${why}`);
  }
}

/** The smallest order of 2^order pages that holds `sizeBytes`. */
function pageOrderFor(sizeBytes: number): number {
  let order = 0;
  while (PAGE_SIZE << order < sizeBytes) order++;
  return order;
}

/** What ksize reports for a heap kmalloc of `recorded` bytes: its block, in whole units, less the header. */
function smallKsize(recorded: number): number {
  return unitsFor(recorded + KMALLOC_HEADER) * SLOB_UNIT - KMALLOC_HEADER;
}

function hex(addr: number): string {
  return `0x${addr.toString(16).padStart(8, '0')}`;
}
