// The heap's page lists against a model of Linux's rotation: every allocation must come from the first page,
// in the order the list held before the call, whose free list (read back from RAM) has a block that holds it;
// a new page only when none has; and afterwards the list must start at the page that served it (or that page
// has left the list, full). Every heap page with a free unit sits on exactly one list, a full one on none, and
// live objects never overlap.
import { PAGE_SIZE, type PageAllocator, type PhysAddr } from '@kmos/abi-driver';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SLOB_UNIT, UNITS_PER_PAGE } from './page-blocks.js';
import { SLOB_BREAK1, SLOB_BREAK2, SlobHeap, unitsFor } from './slob-heap.js';

const FRAMES = 64;

/** Hands out frames 1..FRAMES-1, last freed first. */
function stackPages(): PageAllocator {
  const free = Array.from({ length: FRAMES - 1 }, (_, i) => FRAMES - 1 - i);
  return {
    maxOrder: 0,
    allocPages: () => {
      const frame = free.pop();
      return frame === undefined ? null : ((frame * PAGE_SIZE) as PhysAddr);
    },
    freePages: (addr) => {
      free.push(addr / PAGE_SIZE);
    },
    stats: () => ({ totalPages: FRAMES - 1, freePages: free.length, zones: [] }),
  };
}

function listFor(sizeBytes: number): number {
  if (sizeBytes < SLOB_BREAK1) return 0;
  return sizeBytes < SLOB_BREAK2 ? 1 : 2;
}

/** The model: per page, which units live objects cover. */
class UnitModel {
  readonly used = new Map<number, Uint8Array>();

  mark(addr: number, units: number, value: 0 | 1): void {
    const page = Math.floor(addr / PAGE_SIZE);
    let map = this.used.get(page);
    if (!map) {
      map = new Uint8Array(UNITS_PER_PAGE);
      this.used.set(page, map);
    }
    const first = (addr % PAGE_SIZE) / SLOB_UNIT;
    if (value === 1) expect(map.subarray(first, first + units).every((u) => u === 0)).toBe(true);
    map.fill(value, first, first + units);
    if (map.every((u) => u === 0)) this.used.delete(page);
  }

  /** The longest run of free units in a page that holds a live object (0 for a page of the heap's past). */
  largestRun(page: number): number {
    const map = this.used.get(page);
    if (!map) return 0;
    let best = 0;
    let run = 0;
    for (const u of map) {
      run = u === 0 ? run + 1 : 0;
      best = Math.max(best, run);
    }
    return best;
  }
}

const opArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('alloc' as const),
      sizeBytes: fc.integer({ min: 1, max: 4000 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
);

describe('SlobHeap (page lists)', () => {
  it('searches each list from the page that served last, in ring order, and keeps the lists consistent', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
        const u16 = new Uint16Array((FRAMES * PAGE_SIZE) / 2);
        const heap = new SlobHeap(FRAMES, u16, stackPages(), (m) => {
          throw new Error(m);
        });
        const model = new UnitModel();
        const live: [number, number][] = [];
        for (const op of ops) {
          if (op.kind === 'alloc') {
            const list = listFor(op.sizeBytes);
            const before = heap.pagesOn(list);
            const units = unitsFor(op.sizeBytes);
            const expected = before.find((page) => model.largestRun(page) >= units);
            const addr = heap.alloc(op.sizeBytes, SLOB_UNIT)!;
            const page = Math.floor(addr / PAGE_SIZE);
            if (expected === undefined) expect(before).not.toContain(page);
            else expect(page).toBe(expected);
            const after = heap.pagesOn(list);
            if (after.includes(page)) expect(after[0]).toBe(page);
            model.mark(addr, units, 1);
            live.push([addr, op.sizeBytes]);
          } else if (live.length > 0) {
            const [addr, sizeBytes] = live.splice(op.pick % live.length, 1)[0];
            heap.free(addr, sizeBytes);
            model.mark(addr, unitsFor(sizeBytes), 0);
          }
          const onLists = [0, 1, 2].flatMap((list) => heap.pagesOn(list));
          expect(new Set(onLists).size).toBe(onLists.length);
          for (let page = 0; page < FRAMES; page++) {
            expect(heap.isHeapPage[page]).toBe(model.used.has(page) ? 1 : 0);
            expect(onLists.includes(page)).toBe(model.largestRun(page) > 0);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
