// Swap end to end over a RAM disk: address spaces that touch more memory than the machine has read back what
// they wrote, before and after fork, through copy-on-write, MADV_DONTNEED, mremap and exit. The oracle is a
// model of each space's contents (what was last written to each page); after every run, tearing everything
// down must give back every frame and every slot. The clock's second chance is checked PTE by PTE.
import { MADV_DONTNEED, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '@kmos/abi-linux';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressSpace, type MemoryManager } from './address-space.js';
import { madvise, mlock, mmap, mremap } from './mmap.js';
import { freePageCount } from './page-counter.js';
import { PTE_A, PTE_P } from './page-table.js';
import { watermarksFor } from './reclaim.js';
import { SwapArea } from './swap-area.js';
import { isSwapEntry } from './swap-entry.js';
import { swapOn } from './swapon.js';
import { checkInvariants, newMm, ptr } from './testing/harness.js';
import { MemoryDisk } from './testing/memory-disk.js';
import { copyFromUser, copyToUser } from './usercopy.js';

const BASE = 0x20000000;
const PAGE = 4096;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

function swapMachine(megabytes: number, swapPages: number, marks = { low: 8, high: 16 }) {
  const { mm } = newMm(megabytes);
  const disk = new MemoryDisk(swapPages * (PAGE / 512));
  const swap = swapOn(mm, SwapArea.format(disk, '/swapfile', 'file'), marks);
  return { mm, disk, swap, freeAtStart: freePageCount(mm.pages) };
}

/** Page `n`'s 4-byte stamp in a space: a pseudo-random word, so a wrong page cannot pass for a right one. */
function stamp(seed: number, n: number): number {
  return Math.imul(seed ^ (n * 0x9e3779b1), 0x85ebca6b) >>> 0;
}

function writeStamp(as: AddressSpace, n: number, value: number): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setUint32(0, value, true);
  new DataView(b.buffer).setUint32(4, ~value >>> 0, true);
  copyToUser(as, ptr(BASE + n * PAGE + 4088), b.subarray(0, 8));
}

function readStamp(as: AddressSpace, n: number): number {
  const b = new Uint8Array(8);
  copyFromUser(as, ptr(BASE + n * PAGE + 4088), b);
  const v = new DataView(b.buffer);
  const value = v.getUint32(0, true);
  // A page never written is all zeros (demand-zero): stamp 0.
  if (value !== 0 || v.getUint32(4, true) !== 0)
    expect(v.getUint32(4, true), `page ${n} torn`).toBe(~value >>> 0);
  return value;
}

function expectAllReturned(mm: MemoryManager, freeAtStart: number): void {
  const swap = mm.swapping;
  expect(swap.slots.usedCount, 'slots leaked').toBe(0);
  expect(swap.cache.size, 'swap cache not empty').toBe(0);
  expect(mm.frames.refs.inUse(), 'user frames leaked').toBe(0);
  expect(freePageCount(mm.pages)).toBe(freeAtStart);
}

describe('watermarksFor', () => {
  it("matches the min_free_kbytes table in Linux's mm/page_alloc.c", () => {
    const table: [number, number][] = [
      [16, 512],
      [32, 724],
      [64, 1024],
      [128, 1448],
      [256, 2048],
      [1024, 4096],
    ];
    for (const [mib, minKb] of table) {
      const { low, high } = watermarksFor(mib * 256);
      expect(low).toBe(Math.floor((Math.ceil(minKb / 4) * 5) / 4));
      expect(high).toBe(Math.floor((Math.ceil(minKb / 4) * 3) / 2));
    }
  });
});

describe('swap', () => {
  it('keeps the contents of twice the RAM, through fork and copy-on-write', () => {
    const { mm, disk, swap, freeAtStart } = swapMachine(4, 4096);
    const pages = 2 * 768; // twice the 3 MiB of frames above the first MiB
    const parent = AddressSpace.create(mm);
    mmap(parent, BASE, pages * PAGE, RW, ANON, null, 0);
    for (let n = 0; n < pages; n++) writeStamp(parent, n, stamp(1, n));
    expect(swap.stats().pagesOut).toBeGreaterThan(pages / 2);
    // Evictions come in batches of consecutive slots, each written with one request.
    expect(disk.writes).toBeLessThan(swap.stats().pagesOut / 4);
    for (let n = 0; n < pages; n++) expect(readStamp(parent, n)).toBe(stamp(1, n));
    expect(swap.stats().pagesIn).toBeGreaterThan(0);

    const child = parent.fork();
    for (let n = 0; n < pages; n += 2) writeStamp(child, n, stamp(2, n));
    for (let n = 0; n < pages; n++) expect(readStamp(parent, n)).toBe(stamp(1, n));
    for (let n = 0; n < pages; n++) expect(readStamp(child, n)).toBe(stamp(n % 2 === 0 ? 2 : 1, n));
    checkInvariants(mm, [parent, child]);
    child.destroy();
    for (let n = 1; n < pages; n += 2) writeStamp(parent, n, stamp(3, n));
    for (let n = 0; n < pages; n++) expect(readStamp(parent, n)).toBe(stamp(n % 2 === 1 ? 3 : 1, n));
    parent.destroy();
    expectAllReturned(mm, freeAtStart);
  });

  it('agrees with a model under random writes, reads, forks, exits, DONTNEED, mremap and reclaim', () => {
    const PAGES = 200;
    type Op =
      | { k: 'write'; s: number; page: number; seed: number }
      | { k: 'read'; s: number; page: number }
      | { k: 'fork'; s: number }
      | { k: 'exit'; s: number }
      | { k: 'dontneed'; s: number; page: number }
      | { k: 'mremap'; s: number }
      | { k: 'reclaim' };
    const s = fc.nat(3);
    const page = fc.nat(PAGES - 1);
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      { weight: 8, arbitrary: fc.record({ k: fc.constant('write' as const), s, page, seed: fc.nat() }) },
      { weight: 6, arbitrary: fc.record({ k: fc.constant('read' as const), s, page }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('fork' as const), s }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('exit' as const), s }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('dontneed' as const), s, page }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('mremap' as const), s }) },
      { weight: 1, arbitrary: fc.constant({ k: 'reclaim' as const }) },
    );
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 150 }), (ops) => {
        // 2 MiB: 256 frames for up to four spaces of 200 pages each.
        const { mm, freeAtStart } = swapMachine(2, 1024);
        const first = AddressSpace.create(mm);
        mmap(first, BASE, PAGES * PAGE, RW, ANON, null, 0);
        const spaces: { as: AddressSpace; model: Map<number, number> }[] = [{ as: first, model: new Map() }];
        for (const op of ops) {
          if (op.k === 'reclaim') {
            mm.reclaim?.reclaim(freePageCount(mm.pages) + 32);
            continue;
          }
          const sp = spaces[op.s % spaces.length];
          if (sp === undefined) break;
          if (op.k === 'write') {
            writeStamp(sp.as, op.page, op.seed);
            sp.model.set(op.page, op.seed);
          } else if (op.k === 'read') {
            expect(readStamp(sp.as, op.page)).toBe(sp.model.get(op.page) ?? 0);
          } else if (op.k === 'fork' && spaces.length < 4) {
            spaces.push({ as: sp.as.fork(), model: new Map(sp.model) });
          } else if (op.k === 'exit' && spaces.length > 1) {
            sp.as.destroy();
            spaces.splice(spaces.indexOf(sp), 1);
          } else if (op.k === 'dontneed') {
            madvise(sp.as, BASE + op.page * PAGE, PAGE, MADV_DONTNEED);
            sp.model.delete(op.page);
          } else if (op.k === 'mremap') {
            // Away and back: every present page and swap entry moves twice.
            mremap(sp.as, BASE, PAGES * PAGE, PAGES * PAGE, 3, 0x30000000);
            mremap(sp.as, 0x30000000, PAGES * PAGE, PAGES * PAGE, 3, BASE);
          }
        }
        checkInvariants(
          mm,
          spaces.map((x) => x.as),
        );
        for (const sp of spaces) {
          for (let n = 0; n < PAGES; n++) expect(readStamp(sp.as, n)).toBe(sp.model.get(n) ?? 0);
          sp.as.destroy();
        }
        expectAllReturned(mm, freeAtStart);
      }),
      { numRuns: 40 },
    );
  });

  it('gives pages whose Accessed bit is set a second chance, and moves the hand on', () => {
    const { mm } = swapMachine(4, 256, { low: 0, high: 0 });
    const as = AddressSpace.create(mm);
    mmap(as, BASE, 8 * PAGE, RW, ANON, null, 0);
    for (let n = 0; n < 8; n++) writeStamp(as, n, n + 1);
    const reclaim = mm.reclaim;
    if (reclaim === null) throw new Error('swap is off');
    const resident = () => Array.from({ length: 8 }, (_, n) => (as.pd.pte(BASE + n * PAGE) & PTE_P) !== 0);
    const swapped = () => Array.from({ length: 8 }, (_, n) => isSwapEntry(as.pd.pte(BASE + n * PAGE)));
    // Every page was just used: the first turn clears Accessed bits, the second evicts from the start.
    expect(reclaim.reclaim(freePageCount(mm.pages) + 3)).toBe(3);
    expect(swapped()).toEqual([true, true, true, false, false, false, false, false]);
    expect(reclaim.stats()).toMatchObject({ referenced: 8, evicted: 3 });
    // Page 4 is used again (its Accessed bit set, as the MMU would): the hand spares it and takes 3 and 5.
    as.pd.updateFlags(BASE + 4 * PAGE, 0, PTE_A);
    expect(reclaim.reclaim(freePageCount(mm.pages) + 2)).toBe(2);
    expect(resident()).toEqual([false, false, false, false, true, false, true, true]);
    expect(as.pd.pte(BASE + 4 * PAGE) & PTE_A).toBe(0);
    for (let n = 0; n < 8; n++) expect(readStamp(as, n)).toBe(n + 1);
    as.destroy();
  });

  it('never evicts mlocked pages: the hand passes them over for the rest', () => {
    const { mm } = swapMachine(4, 256, { low: 0, high: 0 });
    const as = AddressSpace.create(mm);
    mmap(as, BASE, 8 * PAGE, RW, ANON, null, 0);
    for (let n = 0; n < 8; n++) writeStamp(as, n, n + 1);
    mlock(as, BASE, 4 * PAGE, 'lock', null);
    const reclaim = mm.reclaim;
    if (reclaim === null) throw new Error('swap is off');
    // Asking for more than the unlocked half can give: only pages 4..7 go.
    expect(reclaim.reclaim(freePageCount(mm.pages) + 6)).toBe(4);
    const swapped = Array.from({ length: 8 }, (_, n) => isSwapEntry(as.pd.pte(BASE + n * PAGE)));
    expect(swapped).toEqual([false, false, false, false, true, true, true, true]);
    for (let n = 0; n < 8; n++) expect(readStamp(as, n)).toBe(n + 1);
    as.destroy();
  });

  it('evicts a page fork shares once, and each sharer faults it back from the swap cache', () => {
    const { mm, disk, swap } = swapMachine(4, 256, { low: 0, high: 0 });
    const parent = AddressSpace.create(mm);
    mmap(parent, BASE, PAGE, RW, ANON, null, 0);
    writeStamp(parent, 0, 42);
    const child = parent.fork();
    const writesBefore = disk.writes;
    // One turn clears the Accessed bits, the next unmaps both mappings, with one write to the area.
    mm.reclaim?.reclaim(freePageCount(mm.pages) + 1);
    expect(isSwapEntry(parent.pd.pte(BASE)) && isSwapEntry(child.pd.pte(BASE))).toBe(true);
    expect(disk.writes - writesBefore).toBe(1);
    expect(swap.stats()).toMatchObject({ cachedPages: 0, freePages: 254 });
    expect(readStamp(parent, 0)).toBe(42);
    expect(swap.stats().cachedPages).toBe(1);
    const readsBefore = disk.reads;
    expect(readStamp(child, 0)).toBe(42);
    expect(disk.reads).toBe(readsBefore);
    // Both map the one cached frame; the slot is free again once no swap entry names it.
    expect(parent.pd.pte(BASE) & ~0xfff).toBe(child.pd.pte(BASE) & ~0xfff);
    expect(swap.stats()).toMatchObject({ cachedPages: 0, freePages: 255 });
    writeStamp(child, 0, 7);
    expect(readStamp(parent, 0)).toBe(42);
    parent.destroy();
    child.destroy();
  });

  it('loses the pages of a failed write: SIGBUS on access, and their slots are freed with them', () => {
    const { mm, disk, swap, freeAtStart } = swapMachine(4, 64, { low: 0, high: 0 });
    const as = AddressSpace.create(mm);
    mmap(as, BASE, 4 * PAGE, RW, ANON, null, 0);
    for (let n = 0; n < 4; n++) writeStamp(as, n, n + 1);
    disk.failWith = 5;
    mm.reclaim?.reclaim(freePageCount(mm.pages) + 2);
    disk.failWith = 0;
    expect(isSwapEntry(as.pd.pte(BASE)) && isSwapEntry(as.pd.pte(BASE + PAGE))).toBe(true);
    expect(() => readStamp(as, 0)).toThrow(/bad address/);
    expect(readStamp(as, 2)).toBe(3);
    expect(swap.stats().pagesOut).toBe(0);
    as.destroy();
    expectAllReturned(mm, freeAtStart);
  });

  it('reports out of memory only once the swap area is full', () => {
    const { mm, swap, freeAtStart } = swapMachine(2, 64);
    const as = AddressSpace.create(mm);
    mmap(as, BASE, 1024 * PAGE, RW, ANON, null, 0);
    let touched = 0;
    expect(() => {
      for (; touched < 1024; touched++) writeStamp(as, touched, touched + 1);
    }).toThrow(/out of memory/);
    expect(swap.stats().freePages).toBe(0);
    expect(touched).toBeGreaterThan(64);
    // With frames given back, every page that went to swap comes back intact.
    const kept = touched - 64;
    madvise(as, BASE + kept * PAGE, 64 * PAGE, MADV_DONTNEED);
    for (let n = 0; n < kept; n++) expect(readStamp(as, n)).toBe(n + 1);
    as.destroy();
    expectAllReturned(mm, freeAtStart);
  });

  it('turns an unreadable swap area into SIGBUS for the faulting access', () => {
    const { mm, disk } = swapMachine(4, 64, { low: 0, high: 0 });
    const as = AddressSpace.create(mm);
    mmap(as, BASE, PAGE, RW, ANON, null, 0);
    writeStamp(as, 0, 5);
    mm.reclaim?.reclaim(freePageCount(mm.pages) + 1);
    expect(isSwapEntry(as.pd.pte(BASE))).toBe(true);
    disk.failWith = 5;
    expect(() => readStamp(as, 0)).toThrow(/bad address/);
    disk.failWith = 0;
    expect(readStamp(as, 0)).toBe(5);
    as.destroy();
  });
});
