// First fit inside one SLOB page, against a model: a bitmap of the page's 512 units. After random allocations
// and frees the free list read back from RAM must be exactly the model's free runs (ascending, disjoint, never
// adjacent), every allocation must be at the first aligned place a free run can hold it, and the page's bound on
// its largest free block must hold.
import { PAGE_SIZE } from '@kmos/abi-driver';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageBlocks, SLOB_END, SLOB_UNIT, UNITS_PER_PAGE } from './page-blocks.js';

const FRAME = 3;

function freeRuns(used: Uint8Array): [number, number][] {
  const runs: [number, number][] = [];
  for (let i = 0; i < used.length; ) {
    if (used[i]) {
      i++;
      continue;
    }
    const start = i;
    while (i < used.length && !used[i]) i++;
    runs.push([start, i]);
  }
  return runs;
}

function listFromRam(blocks: PageBlocks, u16: Uint16Array): [number, number][] {
  const runs: [number, number][] = [];
  for (let cur = blocks.freeHead[FRAME]; cur !== SLOB_END; ) {
    const word = (FRAME * PAGE_SIZE + cur * SLOB_UNIT) >>> 1;
    runs.push([cur, cur + u16[word]]);
    cur = u16[word + 1];
    expect(runs.length).toBeLessThanOrEqual(UNITS_PER_PAGE);
  }
  return runs;
}

const opArb = fc.oneof(
  fc.record({
    kind: fc.constant('alloc' as const),
    units: fc.integer({ min: 1, max: 80 }),
    alignLog: fc.integer({ min: 3, max: 9 }),
  }),
  fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
);

describe('PageBlocks (first fit in a page)', () => {
  it('allocates at the first aligned fit and keeps the in-RAM free list equal to the model', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        const u16 = new Uint16Array(((FRAME + 1) * PAGE_SIZE) / 2);
        const blocks = new PageBlocks(FRAME + 1, u16, (m) => {
          throw new Error(m);
        });
        blocks.init(FRAME);
        const used = new Uint8Array(UNITS_PER_PAGE);
        const live: [number, number][] = [];
        for (const op of ops) {
          if (op.kind === 'alloc') {
            const alignUnits = (1 << op.alignLog) / SLOB_UNIT;
            const expected = freeRuns(used)
              .map(([start, end]) => [Math.ceil(start / alignUnits) * alignUnits, end])
              .find(([aligned, end]) => aligned + op.units <= end);
            const got = blocks.alloc(FRAME, op.units, 1 << op.alignLog);
            expect(got).toBe(expected ? expected[0] : -1);
            if (got >= 0) {
              used.fill(1, got, got + op.units);
              live.push([got, op.units]);
            }
          } else if (live.length > 0) {
            const [offset, units] = live.splice(op.pick % live.length, 1)[0];
            blocks.free(FRAME, offset, units);
            used.fill(0, offset, offset + units);
          }
          expect(listFromRam(blocks, u16)).toEqual(freeRuns(used));
          expect(blocks.unitsFree[FRAME]).toBe(used.length - used.reduce((a, b) => a + b, 0));
          // The bound the heap skips pages by: never below the largest free run, never above the free units.
          const largestRun = Math.max(0, ...freeRuns(used).map(([start, end]) => end - start));
          expect(blocks.largest[FRAME]).toBeGreaterThanOrEqual(largestRun);
          expect(blocks.largest[FRAME]).toBeLessThanOrEqual(blocks.unitsFree[FRAME]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('panics when a freed block overlaps a free block', () => {
    const u16 = new Uint16Array(((FRAME + 1) * PAGE_SIZE) / 2);
    const blocks = new PageBlocks(FRAME + 1, u16, (m) => {
      throw new Error(m);
    });
    blocks.init(FRAME);
    const a = blocks.alloc(FRAME, 10, 8);
    blocks.free(FRAME, a, 10);
    blocks.alloc(FRAME, 20, 8);
    expect(() => blocks.free(FRAME, 15, 10)).toThrow(/overlaps/);
  });
});
