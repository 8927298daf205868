// SLOB against the shared object-allocator properties (src/testing/), plus SLOB's design facts.
import { PAGE_SIZE, type PhysAddr } from '@kmos/abi-driver';
import { describeObjectAllocator, makeRig } from '@kmos/mm-test-kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import plugin from './index.js';

describeObjectAllocator(plugin, { kmallocInCachesUpTo: -1, slabRows: false });

describe('SLOB design', () => {
  it('packs small objects of many caches and kmalloc into as few pages as their bytes need', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 40 }), (sizes) => {
        const { objects, pages } = makeRig(plugin);
        let bytes = 0;
        sizes.forEach((size, i) => {
          if (i % 2 === 0) objects.kmalloc(size);
          else objects.cacheAlloc(objects.createCache(`c${i}`, size));
          bytes += Math.ceil(size / 8) * 8 + 8; // at most: rounded to a unit, plus a header
        });
        // Requests of one size list share pages; three lists each may hold one partly used page.
        expect(pages.pagesHeld).toBeLessThanOrEqual(Math.ceil(bytes / PAGE_SIZE) + 2);
      }),
      { numRuns: 50 },
    );
  });

  it('gives a wholly free page back at once, so shrink has nothing to do', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4000 }), { maxLength: 60 }), (sizes) => {
        const { objects, pages } = makeRig(plugin);
        const addrs = sizes.map((s) => objects.kmalloc(s)!);
        for (const addr of addrs) objects.kfree(addr as PhysAddr);
        expect(pages.pagesHeld).toBe(0);
        expect(objects.shrink()).toBe(0);
      }),
      { numRuns: 50 },
    );
  });

  it('panics on kfree of a cache object and on a corrupt kmalloc header', () => {
    const { objects, memory } = makeRig(plugin);
    const cache = objects.createCache('c', 64);
    const x = objects.cacheAlloc(cache)!;
    expect(() => objects.kfree(x)).toThrow(/not an object kmalloc/);
    const y = objects.kmalloc(100)!;
    memory.u32[(y - 8) >>> 2] = 1 << 20;
    expect(() => objects.kfree(y)).toThrow(/corrupt/);
  });
});
