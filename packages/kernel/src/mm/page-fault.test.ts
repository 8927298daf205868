// The page-fault handler: signals and si_codes as Linux reports them, stack growth with its guard gap and
// limit, copy-on-write after fork checked through the independent SDM walker (which frame each space maps,
// and who may write it), frame reuse by the last owner, TLB shootdowns, and out-of-memory as a value.
import { PF_P, PF_U, PF_W } from '@kmos/abi-driver';
import {
  BUS_ADRERR,
  ENOMEM,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_GROWSDOWN,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
  SEGV_ACCERR,
  SEGV_MAPERR,
  SIGBUS,
  SIGSEGV,
} from '@kmos/abi-linux';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../kernel-error.js';
import {
  AddressSpace,
  DEFAULT_LIMITS,
  INITIAL_STACK_BYTES,
  STACK_GUARD_GAP,
  TASK_SIZE,
} from './address-space.js';
import { mmap, mprotect, munmap, setupStack } from './mmap.js';
import { handlePageFault } from './page-fault.js';
import { ArrayFile } from './testing/file-source.js';
import { checkInvariants, newMm, ptr, RecordingNotifier } from './testing/harness.js';
import { sdmWalk } from './testing/sdm-walker.js';
import { copyFromUser, copyToUser } from './usercopy.js';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
const A = 0x10000000;
const READ = PF_U;
const WRITE = PF_U | PF_W;

function poke(as: AddressSpace, va: number, value: number) {
  copyToUser(as, ptr(va), new Uint8Array([value]));
}
function peek(as: AddressSpace, va: number) {
  const b = new Uint8Array(1);
  copyFromUser(as, ptr(va), b);
  return b[0];
}

describe('handlePageFault', () => {
  it('gives SEGV_MAPERR outside any VMA and SEGV_ACCERR against its protection, with si_addr', () => {
    const { mm } = newMm();
    const as = AddressSpace.create(mm);
    mmap(as, A, 0x2000, PROT_READ, ANON | MAP_FIXED, null, 0);
    mmap(as, A + 0x2000, 0x1000, PROT_NONE, ANON | MAP_FIXED, null, 0);
    expect(handlePageFault(as, A - 1, READ)).toEqual({
      kind: 'signal',
      signo: SIGSEGV,
      code: SEGV_MAPERR,
      addr: A - 1,
    });
    expect(handlePageFault(as, TASK_SIZE + 5, READ)).toMatchObject({
      code: SEGV_MAPERR,
      addr: TASK_SIZE + 5,
    });
    expect(handlePageFault(as, A + 0x123, WRITE)).toMatchObject({
      signo: SIGSEGV,
      code: SEGV_ACCERR,
      addr: A + 0x123,
    });
    expect(handlePageFault(as, A + 0x2004, READ)).toMatchObject({ code: SEGV_ACCERR });
    expect(handlePageFault(as, A + 0x1004, READ)).toEqual({ kind: 'ok' });
    expect(sdmWalk(mm.memory, as.cr3, A + 0x1000)).toMatchObject({ userRead: true, userWrite: false });
    // A write to the read-only page now present is still refused, and the page stays read-only.
    expect(handlePageFault(as, A + 0x1004, PF_P | WRITE)).toMatchObject({ code: SEGV_ACCERR });
    as.destroy();
  });

  it('maps demand-zero pages writable for writable anonymous memory', () => {
    const { mm, memory } = newMm();
    const as = AddressSpace.create(mm);
    mmap(as, A, 0x1000, RW, ANON | MAP_FIXED, null, 0);
    memory.u8.fill(0xaa); // frames come dirty from the allocator; the fault must zero them.
    expect(handlePageFault(as, A + 8, WRITE).kind).toBe('ok');
    const w = sdmWalk(memory, as.cr3, A);
    expect(w.userWrite).toBe(true);
    expect(memory.u8.subarray(w.phys, w.phys + 4096).every((b) => b === 0)).toBe(true);
    as.destroy();
  });

  it('grows the stack down to its limit, never into the guard gap, and reports MAPERR beyond', () => {
    const { mm } = newMm(16);
    const as = AddressSpace.create(mm, undefined, { ...DEFAULT_LIMITS, stackBytes: 1 << 20 });
    const top = setupStack(as);
    const low = top - INITIAL_STACK_BYTES;
    expect(handlePageFault(as, low - 0x10000 + 4, WRITE).kind).toBe('ok');
    expect(as.vmas.findContaining(low - 0x10000)?.start).toBe(low - 0x10000);
    expect(handlePageFault(as, top - (1 << 20) - 4, WRITE)).toMatchObject({ code: SEGV_MAPERR });
    // A mapping just below: growth must stop STACK_GUARD_GAP above it.
    const stackStart = as.vmas.findContaining(low - 0x10000)!.start;
    const below = stackStart - STACK_GUARD_GAP - 0x3000;
    mmap(as, below, 0x1000, RW, ANON | MAP_FIXED, null, 0);
    expect(handlePageFault(as, below + 0x1000 + STACK_GUARD_GAP - 1, WRITE)).toMatchObject({
      code: SEGV_MAPERR,
    });
    expect(handlePageFault(as, below + 0x1000 + STACK_GUARD_GAP, WRITE).kind).toBe('ok');
    checkInvariants(mm, [as]);
    as.destroy();
  });

  it('grows a MAP_GROWSDOWN mapping like the stack', () => {
    const { mm } = newMm();
    const as = AddressSpace.create(mm);
    mmap(as, A, 0x2000, RW, ANON | MAP_FIXED | MAP_GROWSDOWN, null, 0);
    poke(as, A - 0x1800, 7);
    expect(as.vmas.findContaining(A - 0x2000)?.end).toBe(A + 0x2000);
    expect(peek(as, A - 0x1800)).toBe(7);
    as.destroy();
  });

  it('copies on write after fork, and lets the last owner keep its frame', () => {
    const { mm, memory, pages } = newMm();
    const free0 = pages.stats().freePages;
    const parentTlb = new RecordingNotifier();
    const parent = AddressSpace.create(mm, parentTlb);
    mmap(parent, A, 0x3000, RW, ANON | MAP_FIXED, null, 0);
    poke(parent, A, 1);
    poke(parent, A + 0x1000, 2);
    const frame0 = sdmWalk(memory, parent.cr3, A).phys;
    const child = parent.fork();
    expect(parentTlb.flushes).toBe(1);
    expect(sdmWalk(memory, child.cr3, A).phys).toBe(frame0);
    for (const as of [parent, child]) expect(sdmWalk(memory, as.cr3, A).userWrite).toBe(false);
    expect(mm.frames.refs.count(frame0 as never)).toBe(2);
    poke(child, A, 9);
    expect(sdmWalk(memory, child.cr3, A).phys).not.toBe(frame0);
    expect([peek(parent, A), peek(child, A)]).toEqual([1, 9]);
    expect(mm.frames.refs.count(frame0 as never)).toBe(1);
    // The parent is now the only owner: its write takes the frame without a copy.
    poke(parent, A, 5);
    expect(sdmWalk(memory, parent.cr3, A).phys).toBe(frame0);
    const frame1 = sdmWalk(memory, parent.cr3, A + 0x1000).phys;
    child.destroy();
    poke(parent, A + 0x1000, 3);
    expect(sdmWalk(memory, parent.cr3, A + 0x1000).phys).toBe(frame1);
    checkInvariants(mm, [parent]);
    parent.destroy();
    expect(pages.stats().freePages).toBe(free0);
  });

  it('shares MAP_SHARED|MAP_ANONYMOUS memory with a forked child, even pages first touched after fork', () => {
    const { mm, pages } = newMm();
    const free0 = pages.stats().freePages;
    const parent = AddressSpace.create(mm);
    mmap(parent, A, 0x2000, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, null, 0);
    poke(parent, A, 1);
    const child = parent.fork();
    poke(child, A, 2);
    poke(child, A + 0x1000, 3);
    expect([peek(parent, A), peek(parent, A + 0x1000)]).toEqual([2, 3]);
    parent.destroy();
    expect(peek(child, A + 0x1000)).toBe(3);
    child.destroy();
    expect(mm.caches.count()).toBe(0);
    expect(pages.stats().freePages).toBe(free0);
  });

  it('invalidates the TLB entry when a live page loses its mapping or rights', () => {
    const { mm } = newMm();
    const tlb = new RecordingNotifier();
    const as = AddressSpace.create(mm, tlb);
    mmap(as, A, 0x2000, RW, ANON | MAP_FIXED, null, 0);
    poke(as, A, 1);
    tlb.invlpgs.length = 0;
    mprotect(as, A, 0x2000, PROT_READ);
    expect(tlb.invlpgs).toEqual([A]);
    munmap(as, A, 0x2000);
    expect(tlb.invlpgs).toEqual([A, A]);
    as.destroy();
  });

  it('returns OOM as a value when frames run out, and usercopy turns it into ENOMEM', () => {
    const { mm, pages } = newMm(2);
    const as = AddressSpace.create(mm);
    mmap(as, A, 0x100000, RW, ANON | MAP_FIXED, null, 0);
    let va = A;
    while (handlePageFault(as, va, WRITE).kind === 'ok') va += 0x1000;
    expect(handlePageFault(as, va, WRITE)).toEqual({ kind: 'oom' });
    expect(pages.stats().freePages).toBe(0);
    let err: unknown;
    try {
      poke(as, va, 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KernelError);
    expect((err as KernelError).errno).toBe(ENOMEM);
    checkInvariants(mm, [as]);
    as.destroy();
    expect(pages.stats().freePages).toBe(pages.stats().totalPages);
  });
});

describe('fork when memory runs out', () => {
  it('fails with ENOMEM, leaves the parent working, and leaks nothing', () => {
    const { mm, pages } = newMm(2);
    const free0 = pages.stats().freePages;
    const parent = AddressSpace.create(mm);
    // Pages spread over many 4 MiB regions, so the child needs one page table per region.
    for (let i = 0; i < 24; i++) {
      mmap(parent, A + i * 0x400000, 0x1000, RW, ANON | MAP_FIXED, null, 0);
      poke(parent, A + i * 0x400000, i + 1);
    }
    const hog: number[] = [];
    for (let f = pages.allocPages(0); f !== null; f = pages.allocPages(0)) hog.push(f);
    for (let i = 0; i < 10; i++) pages.freePages(hog.pop() as never, 0);
    let err: unknown;
    try {
      parent.fork();
    } catch (e) {
      err = e;
    }
    expect((err as KernelError).errno).toBe(ENOMEM);
    for (const f of hog) pages.freePages(f as never, 0);
    checkInvariants(mm, [parent]);
    for (let i = 0; i < 24; i++) {
      poke(parent, A + i * 0x400000 + 1, 0);
      expect(peek(parent, A + i * 0x400000)).toBe(i + 1);
    }
    parent.destroy();
    expect(pages.stats().freePages).toBe(free0);
  });
});

describe('file-backed faults', () => {
  const file = () => {
    const data = new Uint8Array(0x2800);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    return new ArrayFile(data);
  };
  const rw = (source: ArrayFile) => ({ source, readable: true, writable: true });

  it('maps private file pages read-only from one cached frame, and copies them on write', () => {
    const { mm, memory, pages } = newMm();
    const free0 = pages.stats().freePages;
    const f = file();
    const a = AddressSpace.create(mm);
    const b = AddressSpace.create(mm);
    for (const as of [a, b]) mmap(as, A, 0x3000, RW, MAP_PRIVATE | MAP_FIXED, rw(f), 0x1000);
    expect(peek(a, A + 1)).toBe(f.data[0x1001]);
    expect(peek(b, A + 1)).toBe(f.data[0x1001]);
    expect(f.reads).toBe(1);
    expect(sdmWalk(memory, a.cr3, A).phys).toBe(sdmWalk(memory, b.cr3, A).phys);
    expect(sdmWalk(memory, a.cr3, A).userWrite).toBe(false);
    poke(a, A + 1, 0xee);
    expect([peek(a, A + 1), peek(b, A + 1)]).toEqual([0xee, f.data[0x1001]]);
    expect(f.data[0x1001]).not.toBe(0xee);
    // The page that straddles end of file reads as file data then zeroes.
    expect(peek(a, A + 0x17ff)).toBe(f.data[0x27ff]);
    expect(peek(a, A + 0x1800)).toBe(0);
    a.destroy();
    b.destroy();
    expect(mm.caches.count()).toBe(0);
    expect(pages.stats().freePages).toBe(free0);
    expect(f.writes).toEqual([]);
  });

  it('raises SIGBUS BUS_ADRERR when the source cannot read the page (EIO)', () => {
    const { mm, pages } = newMm();
    const free0 = pages.stats().freePages;
    const as = AddressSpace.create(mm);
    const broken = {
      readPage(): number {
        throw Object.assign(new Error('EIO'), { errno: 5 });
      },
    };
    mmap(
      as,
      A,
      0x1000,
      PROT_READ,
      MAP_PRIVATE | MAP_FIXED,
      { source: broken, readable: true, writable: false },
      0,
    );
    expect(handlePageFault(as, A, READ)).toMatchObject({ signo: SIGBUS, code: BUS_ADRERR, addr: A });
    as.destroy();
    expect(pages.stats().freePages).toBe(free0);
  });

  it('raises SIGBUS BUS_ADRERR for a page wholly past end of file', () => {
    const { mm } = newMm();
    const as = AddressSpace.create(mm);
    mmap(as, A, 0x4000, PROT_READ, MAP_PRIVATE | MAP_FIXED, rw(file()), 0);
    expect(handlePageFault(as, A + 0x3004, READ)).toEqual({
      kind: 'signal',
      signo: SIGBUS,
      code: BUS_ADRERR,
      addr: A + 0x3004,
    });
    as.destroy();
  });

  it('shares MAP_SHARED file pages between processes and writes dirty ones back on the last unmap', () => {
    const { mm, memory, pages } = newMm();
    const free0 = pages.stats().freePages;
    const f = file();
    const a = AddressSpace.create(mm);
    const b = AddressSpace.create(mm);
    mmap(a, A, 0x2000, RW, MAP_SHARED | MAP_FIXED, rw(f), 0);
    mmap(b, A + 0x5000, 0x2000, PROT_READ, MAP_SHARED | MAP_FIXED, rw(f), 0);
    poke(a, A + 0x1002, 0x55);
    expect(peek(b, A + 0x6002)).toBe(0x55);
    expect(sdmWalk(memory, a.cr3, A + 0x1000).phys).toBe(sdmWalk(memory, b.cr3, A + 0x6000).phys);
    expect(mm.caches.lookup(f)?.peek(1)).toBe(sdmWalk(memory, a.cr3, A + 0x1000).phys);
    expect(mm.caches.lookup(f)?.peek(0)).toBe(null);
    expect(f.data[0x1002]).not.toBe(0x55);
    a.destroy();
    expect(f.writes).toEqual([]); // b still maps the file: the cache keeps the page.
    b.destroy();
    expect(f.writes).toEqual([0x1000]);
    expect(f.data[0x1002]).toBe(0x55);
    expect(pages.stats().freePages).toBe(free0);
  });

  describe('fault-around', () => {
    const PAGES = 40;
    const big = () => {
      const data = new Uint8Array(PAGES * 0x1000);
      for (let i = 0; i < data.length; i++) data[i] = (i * 13 + (i >>> 12)) & 0xff;
      return new ArrayFile(data);
    };
    /** Reads the first `pages` pages of `f` into its page cache through a space kept alive meanwhile. */
    const warm = (mm: ReturnType<typeof newMm>['mm'], f: ArrayFile, pages: number) => {
      const w = AddressSpace.create(mm);
      mmap(w, A, PAGES * 0x1000, PROT_READ, MAP_PRIVATE | MAP_FIXED, rw(f), 0);
      for (let i = 0; i < pages; i++) peek(w, A + i * 0x1000);
      return w;
    };
    const mapped = (as: AddressSpace, from: number, to: number) => {
      const out: number[] = [];
      for (let va = from; va < to; va += 0x1000) if (as.pd.pte(va) !== 0) out.push((va - from) / 0x1000);
      return out;
    };

    it('maps the cached neighbours of a read fault read-only, within the 64 KiB window and the VMA', () => {
      const { mm, memory, pages } = newMm();
      const free0 = pages.stats().freePages;
      const f = big();
      const w = warm(mm, f, 20);
      const reads = f.reads;
      const as = AddressSpace.create(mm);
      // The VMA starts 3 pages past a 64 KiB boundary: the window runs from its start for 16 pages.
      const B = A + 0x100000 + 0x3000;
      mmap(as, B, PAGES * 0x1000, RW, MAP_PRIVATE | MAP_FIXED, rw(f), 0);
      expect(handlePageFault(as, B + 0x2004, READ)).toEqual({ kind: 'ok' });
      expect(mapped(as, B, B + PAGES * 0x1000)).toEqual([...Array(16).keys()]);
      expect(f.reads).toBe(reads);
      const cache = mm.caches.lookup(f)!;
      for (let i = 0; i < 16; i++) {
        const walk = sdmWalk(memory, as.cr3, B + i * 0x1000);
        expect(walk.phys & ~0xfff).toBe(cache.peek(i));
        expect(walk.userWrite).toBe(false);
      }
      // A write to a page mapped around still copies: the file's cached page is untouched.
      poke(as, B + 0x5001, 0xee);
      expect(peek(as, B + 0x5001)).toBe(0xee);
      expect(peek(w, A + 0x5001)).toBe(f.data[0x5001]);
      expect(sdmWalk(memory, as.cr3, B + 0x5000).phys & ~0xfff).not.toBe(cache.peek(5));
      // Past the cached pages, a read fault reads its own page and maps nothing else.
      expect(handlePageFault(as, B + 0x20000, READ)).toEqual({ kind: 'ok' });
      expect(f.reads).toBe(reads + 1);
      expect(mapped(as, B + 0x10000, B + PAGES * 0x1000)).toEqual([0x10]);
      checkInvariants(mm, [as, w]);
      as.destroy();
      w.destroy();
      expect(pages.stats().freePages).toBe(free0);
    });

    it('leaves write faults, anonymous memory and other page tables alone', () => {
      const { mm } = newMm();
      const f = big();
      const w = warm(mm, f, PAGES);
      const as = AddressSpace.create(mm);
      mmap(as, A, 0x10000, RW, MAP_PRIVATE | MAP_FIXED, rw(f), 0);
      expect(handlePageFault(as, A + 0x4000, WRITE)).toEqual({ kind: 'ok' });
      expect(mapped(as, A, A + 0x10000)).toEqual([4]);
      // A VMA ending 2 pages into the next page table: the window stops at the table's end.
      const T = 0x10400000 - 0x3000;
      mmap(as, T, 0x5000, PROT_READ, MAP_PRIVATE | MAP_FIXED, rw(f), 0);
      expect(handlePageFault(as, T, READ)).toEqual({ kind: 'ok' });
      expect(mapped(as, T, T + 0x5000)).toEqual([0, 1, 2]);
      const C = A + 0x200000;
      mmap(as, C, 0x10000, RW, ANON | MAP_FIXED, null, 0);
      expect(handlePageFault(as, C, READ)).toEqual({ kind: 'ok' });
      expect(mapped(as, C, C + 0x10000)).toEqual([0]);
      checkInvariants(mm, [as, w]);
      as.destroy();
      w.destroy();
    });

    it('maps the neighbours of a shared mapping as a read fault there would: writable when the VMA is', () => {
      const { mm, memory } = newMm();
      const f = big();
      const w = warm(mm, f, 16);
      const as = AddressSpace.create(mm);
      mmap(as, A, 0x10000, RW, MAP_SHARED | MAP_FIXED, rw(f), 0);
      expect(handlePageFault(as, A + 0x7000, READ)).toEqual({ kind: 'ok' });
      expect(mapped(as, A, A + 0x10000)).toEqual([...Array(16).keys()]);
      expect(sdmWalk(memory, as.cr3, A + 0x3000).userWrite).toBe(true);
      poke(as, A + 0x3002, 0x77);
      expect(peek(w, A + 0x3002)).toBe(0x77);
      checkInvariants(mm, [as, w]);
      as.destroy();
      w.destroy();
    });
  });
});
