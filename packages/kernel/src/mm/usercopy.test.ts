// usercopy against two oracles: a plain byte array modelling a user region (random writes and reads across
// page boundaries), and the SDM walker reading physical memory directly; plus EFAULT at every kind of bad
// pointer, copy-on-write through copyToUser, and strings that end at a page edge.

import type { PhysAddr } from '@kmos/abi-driver';
import {
  EFAULT,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
} from '@kmos/abi-linux';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../kernel-error.js';
import { AddressSpace, TASK_SIZE } from './address-space.js';
import { mmap } from './mmap.js';
import { PTE_A, PTE_D } from './page-table.js';
import { newMm, ptr, RecordingNotifier } from './testing/harness.js';
import { sdmWalk } from './testing/sdm-walker.js';
import {
  clearUser,
  copyFromUser,
  copyFromUserToPhys,
  copyToUser,
  copyToUserFromPhys,
  getUser32,
  putUser32,
  readUserString,
  strncpyFromUser,
} from './usercopy.js';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
const A = 0x20000000;

/** Byte equality without vitest's element-by-element diffing (slow on megabytes). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

function errno(f: () => unknown): number {
  try {
    f();
    return 0;
  } catch (e) {
    if (e instanceof KernelError) return e.errno;
    throw e;
  }
}

describe('usercopy', () => {
  it('round-trips random slices across pages like a flat array, and the bytes are where the page tables say', () => {
    const SIZE = 0x9000;
    const slice = fc.record({
      off: fc.nat(SIZE - 1),
      len: fc.nat(0x2400),
      seed: fc.nat(255),
      clear: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(slice, { maxLength: 30 }), (ops) => {
        const { mm, memory } = newMm(4);
        const as = AddressSpace.create(mm);
        mmap(as, A, SIZE, RW, ANON, null, 0);
        const model = new Uint8Array(SIZE);
        for (const { off, len, seed, clear } of ops) {
          const n = Math.min(len, SIZE - off);
          const data = new Uint8Array(n).map((_, i) => (seed + i * 13) & 0xff);
          if (clear) clearUser(as, ptr(A + off), n);
          else copyToUser(as, ptr(A + off), data);
          model.set(clear ? new Uint8Array(n) : data, off);
          const back = new Uint8Array(n);
          copyFromUser(as, ptr(A + off), back);
          expect(same(back, model.subarray(off, off + n))).toBe(true);
        }
        for (let va = A; va < A + SIZE; va += 0x1000) {
          const w = sdmWalk(memory, as.cr3, va);
          const expected = model.subarray(va - A, va - A + 0x1000);
          if (w.phys < 0) expect(expected.every((b) => b === 0)).toBe(true);
          else expect(same(memory.u8.subarray(w.phys, w.phys + 0x1000), expected)).toBe(true);
        }
        as.destroy();
      }),
      { numRuns: 60 },
    );
  });

  it('copies between user memory and kernel RAM (the ...Phys copies) as copyFromUser and copyToUser do', () => {
    const SIZE = 0x6000;
    const slice = fc.record({ off: fc.nat(SIZE - 1), len: fc.nat(0x2400), seed: fc.nat(255) });
    fc.assert(
      fc.property(fc.array(slice, { maxLength: 20 }), (ops) => {
        const { mm, memory, pages } = newMm(4);
        const as = AddressSpace.create(mm);
        mmap(as, A, SIZE, RW, ANON, null, 0);
        const kernel = pages.allocPages(2) as PhysAddr; // 16 KiB of kernel RAM, unmapped in user space
        for (const { off, len, seed } of ops) {
          const n = Math.min(len, SIZE - off, 0x4000);
          const data = new Uint8Array(n).map((_, i) => (seed + i * 7) & 0xff);
          memory.u8.set(data, kernel);
          copyToUserFromPhys(as, ptr(A + off), kernel, n);
          const back = new Uint8Array(n);
          copyFromUser(as, ptr(A + off), back);
          expect(same(back, data)).toBe(true);
          memory.u8.fill(0, kernel, kernel + n);
          copyFromUserToPhys(as, ptr(A + off), kernel, n);
          expect(same(memory.u8.subarray(kernel, kernel + n), data)).toBe(true);
        }
        pages.freePages(kernel, 2);
        as.destroy();
      }),
      { numRuns: 40 },
    );
  });

  it('raises EFAULT in the ...Phys copies after copying what it could, and invalidates code it overwrites', () => {
    const { mm, memory, pages } = newMm();
    const tlb = new RecordingNotifier();
    const as = AddressSpace.create(mm, tlb);
    mmap(as, A, 0x1000, RW, ANON, null, 0);
    mmap(as, A + 0x1000, 0x1000, PROT_READ, ANON, null, 0);
    const kernel = pages.allocPages(1) as PhysAddr;
    memory.u8.fill(9, kernel, kernel + 0x20);
    const before = tlb.codeInvalidations;
    expect(errno(() => copyToUserFromPhys(as, ptr(A + 0x1000 - 0x10), kernel, 0x20))).toBe(EFAULT);
    expect(tlb.codeInvalidations).toBe(before + 1);
    const head = new Uint8Array(0x10);
    copyFromUser(as, ptr(A + 0x1000 - 0x10), head);
    expect(head.every((b) => b === 9)).toBe(true);
    memory.u8.fill(0, kernel, kernel + 0x20);
    copyToUser(as, ptr(A + 0x1000 - 0x10), new Uint8Array(0x10).fill(7));
    expect(errno(() => copyFromUserToPhys(as, ptr(A + 0x1000 - 0x10), kernel, 0x20 + 0x1000))).toBe(EFAULT);
    expect(memory.u8.subarray(kernel, kernel + 0x10).every((b) => b === 7)).toBe(true);
    expect(errno(() => copyFromUserToPhys(as, ptr(TASK_SIZE - 0x10), kernel, 0x20))).toBe(EFAULT);
    pages.freePages(kernel, 1);
    as.destroy();
  });

  it('raises EFAULT for unmapped, read-only, PROT_NONE and kernel addresses, after copying what it could', () => {
    const { mm } = newMm();
    const as = AddressSpace.create(mm);
    mmap(as, A, 0x1000, RW, ANON, null, 0);
    mmap(as, A + 0x1000, 0x1000, PROT_READ, ANON, null, 0);
    mmap(as, A + 0x2000, 0x1000, PROT_NONE, ANON, null, 0);
    const buf = new Uint8Array(0x20).fill(9);
    expect(errno(() => copyToUser(as, ptr(A + 0x1000 - 0x10), buf))).toBe(EFAULT);
    const head = new Uint8Array(0x10);
    copyFromUser(as, ptr(A + 0x1000 - 0x10), head);
    expect(head.every((b) => b === 9)).toBe(true);
    expect(errno(() => copyFromUser(as, ptr(A + 0x2000), buf))).toBe(EFAULT);
    expect(errno(() => copyFromUser(as, ptr(A + 0x1ff0), buf))).toBe(EFAULT);
    expect(errno(() => copyFromUser(as, ptr(A - 0x10), buf))).toBe(EFAULT);
    expect(errno(() => copyFromUser(as, ptr(TASK_SIZE - 0x10), buf))).toBe(EFAULT);
    expect(errno(() => copyFromUser(as, ptr(0), buf))).toBe(EFAULT);
    expect(errno(() => getUser32(as, ptr(A + 0x2000)))).toBe(EFAULT);
    as.destroy();
  });

  it('breaks copy-on-write on a write after fork, leaving the other space untouched', () => {
    const { mm } = newMm();
    const parent = AddressSpace.create(mm);
    mmap(parent, A, 0x2000, RW, ANON, null, 0);
    copyToUser(parent, ptr(A + 0xffe), new Uint8Array([1, 2, 3, 4]));
    const child = parent.fork();
    copyToUser(child, ptr(A + 0xffe), new Uint8Array([5, 6, 7, 8]));
    const p = new Uint8Array(4);
    const c = new Uint8Array(4);
    copyFromUser(parent, ptr(A + 0xffe), p);
    copyFromUser(child, ptr(A + 0xffe), c);
    expect([...p, ...c]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    child.destroy();
    parent.destroy();
  });

  it('sets Accessed and Dirty as the CPU would, and invalidates decoded code it overwrites', () => {
    const { mm } = newMm();
    const tlb = new RecordingNotifier();
    const as = AddressSpace.create(mm, tlb);
    mmap(as, A, 0x2000, RW, ANON, null, 0);
    copyToUser(as, ptr(A), new Uint8Array(8));
    getUser32(as, ptr(A + 0x1000));
    expect(as.pd.pte(A) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
    expect(as.pd.pte(A + 0x1000) & (PTE_A | PTE_D)).toBe(PTE_A);
    const before = tlb.codeInvalidations;
    putUser32(as, ptr(A + 4), 1);
    expect(tlb.codeInvalidations).toBe(before + 1);
    as.destroy();
  });

  it('reads and writes dwords, aligned and straddling pages, little-endian', () => {
    const { mm } = newMm();
    const as = AddressSpace.create(mm);
    mmap(as, A, 0x2000, RW, ANON, null, 0);
    putUser32(as, ptr(A + 0xffe), 0xdeadbeef);
    putUser32(as, ptr(A + 8), 0x01020304);
    const b = new Uint8Array(4);
    copyFromUser(as, ptr(A + 0xffe), b);
    expect([...b]).toEqual([0xef, 0xbe, 0xad, 0xde]);
    expect(getUser32(as, ptr(A + 0xffe))).toBe(0xdeadbeef);
    expect(getUser32(as, ptr(A + 8))).toBe(0x01020304);
    as.destroy();
  });

  it('copies strings up to the NUL without touching the page after it', () => {
    const { mm } = newMm();
    const as = AddressSpace.create(mm);
    mmap(as, A, 0x2000, RW, ANON, null, 0);
    const text = new TextEncoder().encode('/bin/sh\0');
    copyToUser(as, ptr(A + 0x2000 - text.length), text);
    const into = new Uint8Array(64);
    expect(strncpyFromUser(as, ptr(A + 0x2000 - text.length), into)).toBe(7);
    expect(readUserString(as, ptr(A + 0x2000 - text.length), 64)).toBe('/bin/sh');
    // Straddling: "ab" at the end of page 0, "c\0" at the start of page 1.
    copyToUser(as, ptr(A + 0xffe), new Uint8Array([0x61, 0x62, 0x63, 0]));
    expect(readUserString(as, ptr(A + 0xffe), 64)).toBe('abc');
    expect(strncpyFromUser(as, ptr(A + 0xffe), new Uint8Array(2))).toBe(2);
    // Into the middle of a buffer (execve packs argv and envp back to back): the bytes around stay.
    const packed = new Uint8Array(8).fill(0xee);
    expect(strncpyFromUser(as, ptr(A + 0xffe), packed, 2, 5)).toBe(3);
    expect([...packed]).toEqual([0xee, 0xee, 0x61, 0x62, 0x63, 0, 0xee, 0xee]);
    expect(strncpyFromUser(as, ptr(A + 0xffe), packed, 6, 2)).toBe(2);
    expect([...packed.subarray(6)]).toEqual([0x61, 0x62]);
    // No NUL before the unmapped page: EFAULT.
    copyToUser(as, ptr(A + 0x1ffc), new Uint8Array([1, 1, 1, 1]));
    expect(errno(() => strncpyFromUser(as, ptr(A + 0x1ffc), into))).toBe(EFAULT);
    expect(readUserString(as, ptr(A + 0x1ffc), 4)).toBe(null);
    as.destroy();
  });

  it('copies a large buffer in page-sized runs', () => {
    const { mm } = newMm(16);
    const as = AddressSpace.create(mm);
    const SIZE = 4 << 20;
    mmap(as, A, SIZE, RW, ANON, null, 0);
    const data = new Uint8Array(SIZE).map((_, i) => (i * 31) >>> 3);
    copyToUser(as, ptr(A + 123), data.subarray(0, SIZE - 123));
    const back = new Uint8Array(SIZE - 123);
    copyFromUser(as, ptr(A + 123), back);
    expect(same(back, data.subarray(0, SIZE - 123))).toBe(true);
    as.destroy();
  });
});
