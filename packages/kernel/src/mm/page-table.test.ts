// page-table.ts against an independent SDM walker (testing/sdm-walker.ts) and a Map model, after random
// sequences of set/clear; page-table frames must be freed as tables empty (of present PTEs and swap entries).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageDirectory, PTE_P, PTE_U, PTE_W } from './page-table.js';
import { swapEntry } from './swap-entry.js';
import { sdmWalk } from './testing/sdm-walker.js';
import { testMachine } from './testing/test-machine.js';

const FRAME = 0x00400000;

describe('PageDirectory', () => {
  it('maps, looks up and clears pages exactly as the SDM walk reads them', () => {
    const op = fc.record({
      page: fc.oneof(fc.integer({ min: 0, max: 0xfffff }), fc.integer({ min: 0x100, max: 0x2ff })),
      frame: fc.integer({ min: 0, max: 255 }),
      flags: fc.constantFrom(PTE_P, PTE_P | PTE_W, PTE_P | PTE_U, PTE_P | PTE_U | PTE_W, 0),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const { memory, pages } = testMachine(8);
        const free0 = pages.stats().freePages;
        const pd = PageDirectory.create(memory, pages)!;
        const model = new Map<number, number>();
        for (const { page, frame, flags } of ops) {
          const va = page * 4096;
          const pte = flags === 0 ? 0 : (FRAME + frame * 4096) | flags;
          expect(pd.setPte(va, pte)).toBe(true);
          if (pte === 0) model.delete(va);
          else model.set(va, pte);
        }
        const tables = new Set([...model.keys()].map((va) => va >>> 22));
        expect(pages.stats().freePages).toBe(free0 - 1 - tables.size);
        expect(pd.tableFrames()).toBe(1 + tables.size);
        for (const [va, pte] of model) {
          const w = sdmWalk(memory, pd.cr3, va + 0x123);
          expect(w.phys).toBe((pte & 0xfffff000) + 0x123);
          expect(w.userRead).toBe((pte & PTE_U) !== 0);
          expect(w.userWrite).toBe((pte & (PTE_U | PTE_W)) === (PTE_U | PTE_W));
          expect(pd.pte(va)).toBe(pte);
        }
        for (const va of model.keys()) pd.setPte(va, 0);
        for (const va of model.keys()) expect(sdmWalk(memory, pd.cr3, va).phys).toBe(-1);
        pd.destroy();
        expect(pages.stats().freePages).toBe(free0);
      }),
      { numRuns: 60 },
    );
  });

  it('finds present pages across sparse tables with nextPresent', () => {
    const { memory, pages } = testMachine(8);
    const pd = PageDirectory.create(memory, pages)!;
    const vas = [0x1000, 0x00800000, 0x00801000, 0xbffff000];
    for (const va of vas) pd.setPte(va, FRAME | PTE_P | PTE_U);
    const found: number[] = [];
    for (let a = pd.nextPresent(0, 0xc0000000); a >= 0; a = pd.nextPresent(a + 4096, 0xc0000000))
      found.push(a);
    expect(found).toEqual(vas);
    expect(pd.nextPresent(0x2000, 0x00800000)).toBe(-1);
  });

  it('reports no free frame for a new table without changing anything, and panics on a leak', () => {
    const { memory, pages } = testMachine(2);
    const pd = PageDirectory.create(memory, pages)!;
    while (pages.allocPages(0) !== null) {}
    expect(pd.setPte(0x1000, FRAME | PTE_P)).toBe(false);
    expect(sdmWalk(memory, pd.cr3, 0x1000).phys).toBe(-1);
    const { memory: m2, pages: p2 } = testMachine(2);
    const pd2 = PageDirectory.create(m2, p2)!;
    pd2.setPte(0x5000, FRAME | PTE_P);
    expect(() => pd2.destroy()).toThrow(/PTEs present/);
  });

  it('keeps a table that holds only swap entries, which nextUsed finds and the MMU does not', () => {
    const { memory, pages } = testMachine(2);
    const pd = PageDirectory.create(memory, pages)!;
    const free = pages.stats().freePages;
    pd.setPte(0x00801000, FRAME | PTE_P | PTE_U);
    pd.setPte(0x00802000, swapEntry(7));
    pd.setPte(0x00801000, 0);
    expect(pages.stats().freePages).toBe(free - 1);
    expect(sdmWalk(memory, pd.cr3, 0x00802000).phys).toBe(-1);
    expect(pd.nextPresent(0, 0x01000000)).toBe(-1);
    expect(pd.nextUsed(0, 0x01000000)).toBe(0x00802000);
    expect(() => pd.destroy()).toThrow(/swap entries/);
    pd.setPte(0x00802000, 0);
    expect(pages.stats().freePages).toBe(free);
    pd.destroy();
  });

  it('updates flags in place and keeps the frame', () => {
    const { memory, pages } = testMachine(2);
    const pd = PageDirectory.create(memory, pages)!;
    pd.setPte(0x7000, FRAME | PTE_P | PTE_U | PTE_W);
    pd.updateFlags(0x7000, PTE_W, 0);
    const w = sdmWalk(memory, pd.cr3, 0x7000);
    expect([w.phys, w.userRead, w.userWrite]).toEqual([FRAME, true, false]);
    expect(pd.updateFlags(0x9000, 0, PTE_W)).toBe(0);
  });
});
