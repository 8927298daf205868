// SLUB against the shared object-allocator properties (src/testing/), plus SLUB's own design facts.

import { describeObjectAllocator, makeRig } from '@kmos/mm-test-kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import plugin from './index.js';
import { KMALLOC_MAX_CACHE_SIZE, KMALLOC_SIZES, kmallocClass } from './kmalloc-classes.js';
import { SLUB_MAX_ORDER, slabOrderFor } from './slub-cache.js';

describeObjectAllocator(plugin, { kmallocInCachesUpTo: KMALLOC_MAX_CACHE_SIZE, slabRows: true });

describe('SLUB design', () => {
  it('picks the smallest kmalloc class that holds the size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: KMALLOC_MAX_CACHE_SIZE }), (size) => {
        const cls = kmallocClass(size);
        expect(KMALLOC_SIZES[cls]).toBeGreaterThanOrEqual(size);
        if (cls > 0) expect(KMALLOC_SIZES[cls - 1]).toBeLessThan(Math.max(size, 1));
      }),
    );
  });

  it('sizes slabs to hold at least one object, and no bigger than SLUB_MAX_ORDER unless one object needs it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 40_000 }), (size) => {
        const order = slabOrderFor(size, 10);
        expect(Math.floor((4096 << order) / size)).toBeGreaterThanOrEqual(1);
        const oneObjectOrder = Math.ceil(Math.log2(size / 4096));
        expect(order).toBeLessThanOrEqual(Math.max(SLUB_MAX_ORDER, oneObjectOrder));
      }),
    );
  });

  it('serves a freed object again first (the cpu-slab LIFO fast path)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4000 }), (size) => {
        const { objects } = makeRig(plugin);
        const cache = objects.createCache('lifo', size);
        const a = objects.cacheAlloc(cache)!;
        objects.cacheAlloc(cache);
        objects.cacheFree(cache, a);
        expect(objects.cacheAlloc(cache)).toBe(a);
      }),
      { numRuns: 20 },
    );
  });

  it("keeps a free object's free pointer inside the object in RAM", () => {
    const { objects, memory } = makeRig(plugin);
    const cache = objects.createCache('ptr', 64);
    const a = objects.cacheAlloc(cache)!;
    const b = objects.cacheAlloc(cache)!;
    objects.cacheFree(cache, b);
    objects.cacheFree(cache, a);
    // a is now the head of the cpu free list; its first word names the next free object, b.
    expect(memory.u32[a >>> 2]).toBe(b);
  });
});
