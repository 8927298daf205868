// The slab allocator against the shared object-allocator properties (src/testing/), plus its design facts:
// colouring, the bufctl stack, and the full/partial/empty lists.
import { PAGE_SIZE, type PhysAddr } from '@kmos/abi-driver';
import { describeObjectAllocator, makeRig } from '@kmos/mm-test-kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import plugin from './index.js';
import { KMALLOC_MAX_CACHE_SIZE } from './kmalloc-classes.js';
import { BUFCTL_OFF_SLAB_SIZE, CACHE_LINE_BYTES, EMPTY_SLABS_KEPT } from './slab-cache.js';

describeObjectAllocator(plugin, { kmallocInCachesUpTo: KMALLOC_MAX_CACHE_SIZE, slabRows: true });

/** Allocates until `slabs` slabs are full; returns the objects of each slab, by slab base. */
function fillSlabs(size: number, slabs: number) {
  const rig = makeRig(plugin);
  const cache = rig.objects.createCache('colour', size);
  const row = () => rig.objects.stats().caches.find((r) => r.name === 'colour')!;
  const bySlab = new Map<number, number[]>();
  for (let i = 0; i < slabs * row().objsPerSlab; i++) {
    const addr = rig.objects.cacheAlloc(cache)!;
    const slabBytes = row().pagesPerSlab * PAGE_SIZE;
    const base = addr - (addr % slabBytes);
    bySlab.set(base, [...(bySlab.get(base) ?? []), addr]);
  }
  return { rig, cache, bySlab, row: row() };
}

describe('slab design', () => {
  it('colours slabs: first-object offsets step by a cache line, within the leftover, and differ', () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 3000 }), (size) => {
        const { bySlab, row } = fillSlabs(size, 3);
        const slabBytes = row.pagesPerSlab * PAGE_SIZE;
        const bufctlBytes = row.objSizeBytes >= BUFCTL_OFF_SLAB_SIZE ? 0 : 2 * row.objsPerSlab;
        const leftover = slabBytes - row.objsPerSlab * row.objSizeBytes - bufctlBytes;
        const offsets = [...bySlab].map(([base, objects]) => Math.min(...objects) - base);
        for (const offset of offsets) {
          expect(offset % CACHE_LINE_BYTES).toBe(0);
          expect(offset).toBeLessThanOrEqual(leftover);
        }
        // Three consecutive slabs get distinct colours whenever there are at least three.
        const colours = Math.floor(leftover / CACHE_LINE_BYTES) + 1;
        expect(new Set(offsets).size).toBe(Math.min(3, colours));
      }),
      { numRuns: 40 },
    );
  });

  it('keeps the free objects of a small-object slab as indices on a bufctl stack at the slab end in RAM', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 500 }),
        fc.uniqueArray(fc.nat(), { minLength: 1 }),
        (size, picks) => {
          const { rig, bySlab, row, cache } = fillSlabs(size, 1);
          const [[base, objects]] = [...bySlab];
          const first = Math.min(...objects);
          const freed = [...new Set(picks.map((p) => objects[p % objects.length]))];
          for (const addr of freed) rig.objects.cacheFree(cache, addr as PhysAddr);
          const bufctl = (base + PAGE_SIZE * row.pagesPerSlab - 2 * row.objsPerSlab) >>> 1;
          const freeEntries = rig.memory.u16.subarray(
            bufctl + row.objsPerSlab - freed.length,
            bufctl + row.objsPerSlab,
          );
          const expected = freed.map((addr) => (addr - first) / row.objSizeBytes);
          expect([...freeEntries].sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
          // A stack: the last object freed is the next one handed out.
          expect(rig.objects.cacheAlloc(cache)).toBe(freed[freed.length - 1]);
        },
      ),
      { numRuns: 30 },
    );
  });

  it(`keeps at most ${EMPTY_SLABS_KEPT} empty slabs until shrink, which returns them all`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 3000 }), fc.integer({ min: 1, max: 10 }), (size, slabs) => {
        const { rig, bySlab, cache, row } = fillSlabs(size, slabs);
        for (const objects of bySlab.values())
          for (const addr of objects) rig.objects.cacheFree(cache, addr as PhysAddr);
        const after = rig.objects.stats().caches.find((r) => r.name === 'colour')!;
        expect(after.numSlabs).toBe(Math.min(slabs, EMPTY_SLABS_KEPT));
        expect(after.activeSlabs).toBe(0);
        expect(rig.objects.shrink()).toBe(after.numSlabs * row.pagesPerSlab);
        expect(rig.pages.pagesHeld).toBe(rig.objects.stats().pagesHeld);
      }),
      { numRuns: 30 },
    );
  });
});
