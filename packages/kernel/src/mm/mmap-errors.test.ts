// Argument checking of the mapping calls, case by case against the ERRORS sections of the Linux man pages
// mmap(2), munmap(2), mprotect(2), mremap(2), madvise(2), msync(2) and mincore(2) (man-pages 6.x), which are the
// oracle here; plus msync write-back and mincore residency on a file, and address choice (top-down, hints).
import {
  EACCES,
  EBADF,
  EEXIST,
  EFAULT,
  EINVAL,
  ENOMEM,
  EPERM,
  MADV_DONTNEED,
  MADV_FREE,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  MREMAP_FIXED,
  MREMAP_MAYMOVE,
  MS_ASYNC,
  MS_SYNC,
  PROT_GROWSDOWN,
  PROT_READ,
  PROT_WRITE,
} from '@kmos/abi-linux';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../kernel-error.js';
import { AddressSpace, MMAP_MIN_ADDR, TASK_SIZE } from './address-space.js';
import {
  brk,
  madvise,
  mincore,
  mmap,
  mprotect,
  mremap,
  msync,
  munmap,
  setBrkStart,
  setupStack,
} from './mmap.js';
import { ArrayFile } from './testing/file-source.js';
import { checkInvariants, newMm, ptr } from './testing/harness.js';
import { copyFromUser, copyToUser } from './usercopy.js';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
const A = 0x10000000;

function errno(f: () => unknown): number {
  try {
    f();
    return 0;
  } catch (e) {
    if (e instanceof KernelError) return e.errno;
    throw e;
  }
}

function setup() {
  const { mm, pages } = newMm(8);
  const as = AddressSpace.create(mm);
  mmap(as, A, 0x4000, RW, ANON | MAP_FIXED, null, 0);
  const f = new ArrayFile(new Uint8Array(0x3000).fill(0x41));
  return { mm, pages, as, f };
}

describe('errors, as the man pages list them', () => {
  it('mmap', () => {
    const { as, f } = setup();
    const ro = { source: f, readable: true, writable: false };
    const wo = { source: f, readable: false, writable: true };
    // EINVAL: length was 0; flags contained none of MAP_PRIVATE, MAP_SHARED; addr or offset not aligned.
    expect(errno(() => mmap(as, 0, 0, RW, ANON, null, 0))).toBe(EINVAL);
    expect(errno(() => mmap(as, 0, 0x1000, RW, MAP_ANONYMOUS, null, 0))).toBe(EINVAL);
    expect(errno(() => mmap(as, A + 1, 0x1000, RW, ANON | MAP_FIXED, null, 0))).toBe(EINVAL);
    expect(errno(() => mmap(as, 0, 0x1000, PROT_READ, MAP_PRIVATE, ro, 100))).toBe(EINVAL);
    // EBADF: fd is not a valid file descriptor (and MAP_ANONYMOUS was not set).
    expect(errno(() => mmap(as, 0, 0x1000, PROT_READ, MAP_PRIVATE, null, 0))).toBe(EBADF);
    // EACCES: fd not open for reading; MAP_SHARED with PROT_WRITE and fd not open O_RDWR.
    expect(errno(() => mmap(as, 0, 0x1000, PROT_READ, MAP_PRIVATE, wo, 0))).toBe(EACCES);
    expect(errno(() => mmap(as, 0, 0x1000, RW, MAP_SHARED, ro, 0))).toBe(EACCES);
    expect(errno(() => mmap(as, 0, 0x1000, RW, MAP_PRIVATE, ro, 0))).toBe(0);
    // EEXIST: MAP_FIXED_NOREPLACE and the range collides with an existing mapping.
    expect(errno(() => mmap(as, A + 0x3000, 0x2000, RW, ANON | MAP_FIXED_NOREPLACE, null, 0))).toBe(EEXIST);
    expect(mmap(as, A + 0x4000, 0x1000, RW, ANON | MAP_FIXED_NOREPLACE, null, 0)).toBe(A + 0x4000);
    // ENOMEM: no memory is available (the range does not fit in the process's address space).
    expect(errno(() => mmap(as, 0, TASK_SIZE + 0x1000, RW, ANON, null, 0))).toBe(ENOMEM);
    expect(errno(() => mmap(as, TASK_SIZE - 0x1000, 0x2000, RW, ANON | MAP_FIXED, null, 0))).toBe(ENOMEM);
    // EPERM: a fixed mapping below vm.mmap_min_addr is refused by the security check.
    expect(errno(() => mmap(as, 0, 0x1000, RW, ANON | MAP_FIXED, null, 0))).toBe(EPERM);
    as.destroy();
  });

  it('munmap, mprotect, mremap, madvise, msync, mincore', () => {
    const { as, f } = setup();
    // munmap: EINVAL for an unaligned addr, a zero length, or a range beyond user space; unmapped is fine.
    expect(errno(() => munmap(as, A + 1, 0x1000))).toBe(EINVAL);
    expect(errno(() => munmap(as, A, 0))).toBe(EINVAL);
    expect(errno(() => munmap(as, TASK_SIZE - 0x1000, 0x2000))).toBe(EINVAL);
    expect(errno(() => munmap(as, 0x50000000, 0x1000))).toBe(0);
    // mprotect: EINVAL unaligned or invalid prot; ENOMEM when the range is not fully mapped; EACCES for
    // PROT_WRITE on a MAP_SHARED mapping of a file not open for writing.
    expect(errno(() => mprotect(as, A + 1, 0x1000, PROT_READ))).toBe(EINVAL);
    expect(errno(() => mprotect(as, A, 0x1000, 0x80))).toBe(EINVAL);
    expect(errno(() => mprotect(as, A + 0x3000, 0x2000, PROT_READ))).toBe(ENOMEM);
    expect(errno(() => mprotect(as, A, 0x1000, PROT_READ | PROT_GROWSDOWN))).toBe(EINVAL);
    const shared = mmap(
      as,
      0,
      0x1000,
      PROT_READ,
      MAP_SHARED,
      { source: f, readable: true, writable: false },
      0,
    );
    expect(errno(() => mprotect(as, shared, 0x1000, RW))).toBe(EACCES);
    // mremap: EINVAL bad flags / unaligned / zero new size / FIXED without MAYMOVE / overlapping FIXED;
    // EFAULT when the old range is not one mapping; ENOMEM when it cannot grow in place without MAYMOVE.
    expect(errno(() => mremap(as, A, 0x1000, 0x2000, 0x80, 0))).toBe(EINVAL);
    expect(errno(() => mremap(as, A + 1, 0x1000, 0x2000, 0, 0))).toBe(EINVAL);
    expect(errno(() => mremap(as, A, 0x1000, 0, MREMAP_MAYMOVE, 0))).toBe(EINVAL);
    expect(errno(() => mremap(as, A, 0x1000, 0x1000, MREMAP_FIXED, 0x20000000))).toBe(EINVAL);
    expect(errno(() => mremap(as, A, 0x2000, 0x2000, MREMAP_FIXED | MREMAP_MAYMOVE, A + 0x1000))).toBe(
      EINVAL,
    );
    expect(errno(() => mremap(as, 0x50000000, 0x1000, 0x2000, MREMAP_MAYMOVE, 0))).toBe(EFAULT);
    expect(errno(() => mremap(as, A + 0x3000, 0x2000, 0x3000, MREMAP_MAYMOVE, 0))).toBe(EFAULT);
    mmap(as, A + 0x5000, 0x1000, RW, ANON | MAP_FIXED, null, 0);
    expect(errno(() => mremap(as, A, 0x4000, 0x6000, 0, 0))).toBe(ENOMEM);
    // madvise: EINVAL unaligned or unknown advice, MADV_FREE on a file mapping; ENOMEM for unmapped pages.
    expect(errno(() => madvise(as, A + 1, 0x1000, MADV_DONTNEED))).toBe(EINVAL);
    expect(errno(() => madvise(as, A, 0x1000, 9999))).toBe(EINVAL);
    expect(errno(() => madvise(as, shared, 0x1000, MADV_FREE))).toBe(EINVAL);
    expect(errno(() => madvise(as, A + 0x3000, 0x2000, MADV_DONTNEED))).toBe(ENOMEM);
    // msync: EINVAL unaligned, unknown flags, or both MS_SYNC and MS_ASYNC; ENOMEM for unmapped pages.
    expect(errno(() => msync(as, A + 1, 0x1000, MS_SYNC))).toBe(EINVAL);
    expect(errno(() => msync(as, A, 0x1000, 0x100))).toBe(EINVAL);
    expect(errno(() => msync(as, A, 0x1000, MS_SYNC | MS_ASYNC))).toBe(EINVAL);
    expect(errno(() => msync(as, A + 0x3000, 0x2000, MS_SYNC))).toBe(ENOMEM);
    // mincore: EINVAL unaligned addr; ENOMEM when the range holds unmapped pages.
    expect(errno(() => mincore(as, A + 1, 0x1000))).toBe(EINVAL);
    expect(errno(() => mincore(as, A + 0x3000, 0x2000))).toBe(ENOMEM);
    as.destroy();
  });
});

describe('behaviour', () => {
  it('places mappings top-down below the stack reserve, honours free hints, and keeps clear of the stack', () => {
    const { mm } = newMm();
    const as = AddressSpace.create(mm);
    setupStack(as);
    const a = mmap(as, 0, 0x2000, RW, ANON, null, 0);
    const b = mmap(as, 0, 0x1000, RW, ANON, null, 0);
    expect(a).toBe(as.mmapBase - 0x2000);
    expect(b).toBe(as.mmapBase - 0x3000);
    expect(mmap(as, 0x20000000, 0x1000, RW, ANON, null, 0)).toBe(0x20000000);
    expect(mmap(as, 0x20000000, 0x1000, RW, ANON, null, 0)).not.toBe(0x20000000);
    expect(as.mmapBase).toBe(0xb8000000);
    as.destroy();
  });

  it('populates with MAP_POPULATE, reports residency with mincore, drops pages with MADV_DONTNEED', () => {
    const { as, f } = setup();
    const p = mmap(as, 0, 0x3000, RW, ANON | MAP_POPULATE, null, 0);
    expect([...mincore(as, p, 0x3000)]).toEqual([1, 1, 1]);
    expect([...mincore(as, A, 0x3000)]).toEqual([0, 0, 0]);
    copyToUser(as, ptr(A + 0x1000), new Uint8Array([5]));
    expect([...mincore(as, A, 0x3000)]).toEqual([0, 1, 0]);
    madvise(as, A, 0x4000, MADV_DONTNEED);
    expect([...mincore(as, A, 0x3000)]).toEqual([0, 0, 0]);
    const back = new Uint8Array(1);
    copyFromUser(as, ptr(A + 0x1000), back);
    expect(back[0]).toBe(0);
    // A file page in the page cache is resident for mincore even where this process has no PTE.
    const rw = { source: f, readable: true, writable: true };
    const m1 = mmap(as, 0, 0x2000, PROT_READ, MAP_SHARED, rw, 0);
    const m2 = mmap(as, 0, 0x2000, PROT_READ, MAP_SHARED, rw, 0);
    copyFromUser(as, ptr(m1 + 0x1000), back);
    expect([...mincore(as, m2, 0x2000)]).toEqual([0, 1]);
    as.destroy();
  });

  it('writes shared file pages back on msync, only the dirty ones', () => {
    const { as, f, pages, mm } = setup();
    const free0 = pages.stats().freePages;
    const m = mmap(as, 0, 0x3000, RW, MAP_SHARED, { source: f, readable: true, writable: true }, 0);
    copyToUser(as, ptr(m + 0x2010), new Uint8Array([1, 2, 3]));
    const read = new Uint8Array(1);
    copyFromUser(as, ptr(m), read);
    msync(as, m, 0x3000, MS_SYNC);
    expect(f.writes).toEqual([0x2000]);
    expect([...f.data.subarray(0x2010, 0x2013)]).toEqual([1, 2, 3]);
    msync(as, m, 0x3000, MS_SYNC);
    expect(f.writes).toEqual([0x2000]);
    munmap(as, m, 0x3000);
    expect(f.writes).toEqual([0x2000]);
    expect(pages.stats().freePages).toBe(free0);
    checkInvariants(mm, [as]);
    as.destroy();
  });

  it('moves pages with mremap without copying them, and grows in place when it can', () => {
    const { as, mm } = setup();
    copyToUser(as, ptr(A + 0x1000), new Uint8Array([42]));
    const frame = as.pd.pte(A + 0x1000) & ~0xfff;
    expect(mremap(as, A, 0x4000, 0x6000, 0, 0)).toBe(A);
    const to = mremap(as, A, 0x6000, 0x8000, MREMAP_FIXED | MREMAP_MAYMOVE, 0x30000000);
    expect(to).toBe(0x30000000);
    expect(as.pd.pte(0x30001000) & ~0xfff).toBe(frame);
    expect(as.pd.pte(A + 0x1000)).toBe(0);
    checkInvariants(mm, [as]);
    as.destroy();
  });

  it('keeps every way of growing within RLIMIT_AS', () => {
    const { mm } = newMm();
    const as = AddressSpace.create(mm);
    setBrkStart(as, 0x08050000);
    mmap(as, A, 0x4000, RW, ANON | MAP_FIXED, null, 0);
    as.limits = { ...as.limits, addressSpaceBytes: 0x6000 };
    expect(errno(() => mmap(as, 0, 0x3000, RW, ANON, null, 0))).toBe(ENOMEM);
    expect(errno(() => mmap(as, A, 0x6000, RW, ANON | MAP_FIXED, null, 0))).toBe(0);
    expect(errno(() => mremap(as, A, 0x6000, 0x7000, MREMAP_MAYMOVE, 0))).toBe(ENOMEM);
    expect(brk(as, 0x08051000)).toBe(0x08050000);
    munmap(as, A, 0x1000);
    expect(brk(as, 0x08051000)).toBe(0x08051000);
    as.destroy();
  });

  it('moves the break within free space only, and never below its start', () => {
    const { mm } = newMm();
    const as = AddressSpace.create(mm);
    setBrkStart(as, 0x08050123);
    expect(brk(as, 0)).toBe(0x08050123);
    expect(brk(as, 0x08060000)).toBe(0x08060000);
    mmap(as, 0x08070000, 0x1000, RW, ANON | MAP_FIXED, null, 0);
    expect(brk(as, 0x08071000)).toBe(0x08060000);
    expect(brk(as, 0x08052000)).toBe(0x08052000);
    expect(as.vmas.findContaining(0x08051000)?.end).toBe(0x08052000);
    expect(as.vmas.find(0x08052000)?.start).toBe(0x08070000);
    expect(MMAP_MIN_ADDR).toBe(0x10000);
    as.destroy();
  });
});
