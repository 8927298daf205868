/**
 * The memory-allocator plugins. A page allocator hands out runs of 2^order physical frames of emulated RAM;
 * an object allocator carves kernel objects (pipe buffers, tty buffers, block cache pages, kernel stacks)
 * out of pages it takes from the page allocator. Objects live in emulated RAM and are named by physical
 * address, so `/proc/slabinfo` and `/proc/meminfo` show real state. Layer: the ABI; imports nothing.
 */
import type { PhysAddr, PhysicalMemory } from './memory.js';
import type { PluginContext, PluginManifest } from './plugin.js';

/** One zone's free blocks by order, as a line of `/proc/buddyinfo` shows them. */
export interface ZoneFreeAreas {
  readonly zone: string;
  /** `freeBlocks[order]` = number of free blocks of 2^order frames. */
  readonly freeBlocks: readonly number[];
}

export interface PageAllocatorStats {
  readonly totalPages: number;
  readonly freePages: number;
  readonly zones: readonly ZoneFreeAreas[];
}

export interface PageAllocator {
  /** The largest order this allocator serves (10 for a Linux-like buddy: 4 MiB blocks). */
  readonly maxOrder: number;
  /** 2^order contiguous frames aligned to their size, or null when none are free. Contents are undefined. */
  allocPages(order: number): PhysAddr | null;
  /** Returns a block; freeing a block that is not allocated, or with the wrong order, is a panic. */
  freePages(addr: PhysAddr, order: number): void;
  stats(): PageAllocatorStats;
}

export interface PageAllocatorContext extends PluginContext {
  readonly memory: PhysicalMemory;
  /** The frames this allocator manages: [firstFrame, firstFrame + frameCount). Frame n is at n * PAGE_SIZE. */
  readonly firstFrame: number;
  readonly frameCount: number;
}

export interface PageAllocatorPlugin extends PluginManifest {
  readonly kind: 'page-allocator';
  create(ctx: PageAllocatorContext): PageAllocator;
}

/** An opaque handle to one object cache. */
export interface ObjectCache {
  readonly name: string;
  readonly objectSizeBytes: number;
}

export interface CacheOptions {
  /** Power-of-two alignment of every object; at least the allocator's minimum (8 bytes). */
  readonly alignBytes?: number;
}

/** One cache's line of `/proc/slabinfo` (slabinfo version 2.1 columns). */
export interface SlabCacheStats {
  readonly name: string;
  readonly activeObjs: number;
  readonly numObjs: number;
  readonly objSizeBytes: number;
  readonly objsPerSlab: number;
  readonly pagesPerSlab: number;
  readonly activeSlabs: number;
  readonly numSlabs: number;
}

export interface ObjectAllocatorStats {
  /** The allocator's design, as `/proc/slabinfo` readers may want to show it (`slub`, `slob`, `slab`). */
  readonly design: string;
  readonly caches: readonly SlabCacheStats[];
  /** Pages the allocator holds from the page allocator now. */
  readonly pagesHeld: number;
  /** Bytes handed out to callers now (kmalloc sizes as rounded by the allocator). */
  readonly bytesInUse: number;
}

export interface ObjectAllocator {
  createCache(name: string, objectSizeBytes: number, options?: CacheOptions): ObjectCache;
  /** Destroying a cache that still has live objects is a panic. */
  destroyCache(cache: ObjectCache): void;
  /** One object, or null when no page can be had. */
  cacheAlloc(cache: ObjectCache): PhysAddr | null;
  cacheFree(cache: ObjectCache, addr: PhysAddr): void;
  kmalloc(sizeBytes: number): PhysAddr | null;
  kfree(addr: PhysAddr): void;
  /** The usable size of a kmalloc'd object (at least what was asked). */
  ksize(addr: PhysAddr): number;
  /** Gives empty slabs back to the page allocator; returns the number of pages freed. */
  shrink(): number;
  stats(): ObjectAllocatorStats;
}

export interface ObjectAllocatorContext extends PluginContext {
  readonly memory: PhysicalMemory;
  readonly pages: PageAllocator;
}

export interface ObjectAllocatorPlugin extends PluginManifest {
  readonly kind: 'object-allocator';
  create(ctx: ObjectAllocatorContext): ObjectAllocator;
}
