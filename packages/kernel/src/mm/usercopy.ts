/**
 * The only way the kernel touches user memory: copies between kernel buffers and a user address range, done
 * the way the CPU would do a ring-3 access — walk the page tables, fault in demand-zero, file and
 * copy-on-write pages through page-fault.ts, set Accessed/Dirty — and KernelError(EFAULT) for any address the
 * process could not access itself. Layer: kernel mm; syscall handlers call it, with a UserPtr from a register.
 *
 * Fast path: one page-table walk per page, then a typed-array `set` of the whole run inside that page; no
 * per-byte loop and no allocation besides one subarray view per page (none for the `...Phys` copies, whose
 * other side is kernel memory in emulated RAM: one `copyWithin`). Strings are the exception: short, so a
 * byte loop that stops at the NUL (strncpyFromUser). Bytes copied before a bad page stay copied
 * (as with Linux's partial copies); the error is EFAULT, or ENOMEM when the fault ran out of frames.
 */
import type { PhysAddr, UserPtr } from '@kmos/abi-driver';
import { PAGE_SIZE } from '@kmos/abi-driver';
import { EFAULT, ENOMEM } from '@kmos/abi-linux';
import { KernelPanic } from '../errors.js';
import { KernelError } from '../kernel-error.js';
import { type AddressSpace, TASK_SIZE } from './address-space.js';
import { handlePageFault, userErrorCode } from './page-fault.js';
import { hex, PTE_A, PTE_D, PTE_FRAME_MASK, PTE_P, PTE_U, PTE_W } from './page-table.js';

const PAGE_OFFSET_MASK = PAGE_SIZE - 1;
const NEED_READ = PTE_P | PTE_U;
const NEED_WRITE = PTE_P | PTE_U | PTE_W;

/** The physical address of user byte `va` for a read or a write, faulting the page in as the CPU would. */
function userPhys(as: AddressSpace, va: number, write: boolean): number {
  const need = write ? NEED_WRITE : NEED_READ;
  let pte = as.pd.pte(va);
  if ((pte & need) !== need) {
    const r = handlePageFault(as, va, userErrorCode(pte, write));
    if (r.kind === 'oom') throw new KernelError(ENOMEM, `usercopy: out of memory at ${hex(va)}`);
    if (r.kind !== 'ok') throw new KernelError(EFAULT, `usercopy: bad address ${hex(va)}`);
    pte = as.pd.pte(va);
    if ((pte & need) !== need)
      throw new KernelPanic(`page fault at ${hex(va)} resolved without a usable PTE`);
  }
  const ad = write ? PTE_A | PTE_D : PTE_A;
  if ((pte & ad) !== ad) as.pd.updateFlags(va, 0, ad);
  return ((pte & PTE_FRAME_MASK) >>> 0) + (va & PAGE_OFFSET_MASK);
}

function checkRange(ptr: number, sizeBytes: number): void {
  if (ptr < 0 || ptr + sizeBytes > TASK_SIZE)
    throw new KernelError(EFAULT, `usercopy: range beyond user space at ${hex(ptr)}`);
}

/** Bytes from `va` to the end of its page, capped at `left`. */
function runLength(va: number, left: number): number {
  return Math.min(left, PAGE_SIZE - (va & PAGE_OFFSET_MASK));
}

/**
 * Walks the user range [va, va + sizeBytes) for a read or a write, one page at a time, and calls
 * `each(phys, done, run)` for each run of it inside one page; after a write, the CPU drops code it had
 * translated from those bytes. The one loop of every range copy below.
 */
function eachUserRun(
  as: AddressSpace,
  va: number,
  sizeBytes: number,
  write: boolean,
  each: (phys: number, done: number, run: number) => void,
): void {
  checkRange(va, sizeBytes);
  for (let done = 0; done < sizeBytes; ) {
    const at = va + done;
    const phys = userPhys(as, at, write);
    const run = runLength(at, sizeBytes - done);
    each(phys, done, run);
    if (write) as.notifier.invalidateCode(phys as PhysAddr, run);
    done += run;
  }
}

/** Copies `into.length` bytes from user address `src` into `into`. */
export function copyFromUser(as: AddressSpace, src: UserPtr, into: Uint8Array): void {
  const u8 = as.mm.memory.u8;
  eachUserRun(as, src, into.length, false, (phys, done, run) =>
    into.set(u8.subarray(phys, phys + run), done),
  );
}

/** Copies all of `from` to user address `dst`, breaking copy-on-write as a user store would. */
export function copyToUser(as: AddressSpace, dst: UserPtr, from: Uint8Array): void {
  const u8 = as.mm.memory.u8;
  eachUserRun(as, dst, from.length, true, (phys, done, run) => u8.set(from.subarray(done, done + run), phys));
}

/**
 * Copies `sizeBytes` bytes from user address `src` to `phys`, kernel memory in the same RAM (a pipe page):
 * a `copyWithin` per user page, without the views and the intermediate buffer of `copyFromUser`.
 */
export function copyFromUserToPhys(as: AddressSpace, src: UserPtr, phys: PhysAddr, sizeBytes: number): void {
  const u8 = as.mm.memory.u8;
  eachUserRun(as, src, sizeBytes, false, (from, done, run) => u8.copyWithin(phys + done, from, from + run));
}

/** Copies `sizeBytes` bytes at `phys`, kernel memory in the same RAM, to user address `dst`. */
export function copyToUserFromPhys(as: AddressSpace, dst: UserPtr, phys: PhysAddr, sizeBytes: number): void {
  const u8 = as.mm.memory.u8;
  eachUserRun(as, dst, sizeBytes, true, (to, done, run) => u8.copyWithin(to, phys + done, phys + done + run));
}

/** Zeroes `sizeBytes` bytes at user address `dst` (the tail of a bss page, a cleared struct). */
export function clearUser(as: AddressSpace, dst: UserPtr, sizeBytes: number): void {
  const u8 = as.mm.memory.u8;
  eachUserRun(as, dst, sizeBytes, true, (phys, _done, run) => u8.fill(0, phys, phys + run));
}

/**
 * Copies a NUL-terminated string from `src` into `into` from index `at`, at most `max` bytes. Returns the
 * string's length (the NUL is copied when it fits), or `max` when no NUL came within it — the caller decides
 * between ENAMETOOLONG and truncation. Stops at the NUL: pages after it are never touched. A byte loop: strings
 * are short (execve copies dozens of environment strings), and a typed-array view per string and page cost
 * more than the copy.
 */
export function strncpyFromUser(
  as: AddressSpace,
  src: UserPtr,
  into: Uint8Array,
  at = 0,
  max = into.length - at,
): number {
  const u8 = as.mm.memory.u8;
  for (let done = 0; done < max; ) {
    const va = src + done;
    if (va >= TASK_SIZE) throw new KernelError(EFAULT, `usercopy: string beyond user space at ${hex(va)}`);
    const phys = userPhys(as, va, false);
    const run = runLength(va, max - done);
    for (let i = 0; i < run; i++) {
      const b = u8[phys + i];
      into[at + done + i] = b;
      if (b === 0) return done + i;
    }
    done += run;
  }
  return max;
}

/** A NUL-terminated user string of at most `maxBytes` bytes as a byte string (one char per byte), or null if longer. */
export function readUserString(as: AddressSpace, src: UserPtr, maxBytes: number): string | null {
  const buf = new Uint8Array(maxBytes);
  const len = strncpyFromUser(as, src, buf);
  if (len === maxBytes) return null;
  let s = '';
  for (let i = 0; i < len; i += 8192) s += String.fromCharCode(...buf.subarray(i, Math.min(len, i + 8192)));
  return s;
}

/** One little-endian dword from user memory (syscall arguments in structs, futex words). */
export function getUser32(as: AddressSpace, src: UserPtr): number {
  if ((src & 3) === 0 && src >= 0 && src + 4 <= TASK_SIZE)
    return as.mm.memory.u32[userPhys(as, src, false) >>> 2];
  const b = new Uint8Array(4);
  copyFromUser(as, src, b);
  return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
}

/** Stores one little-endian dword to user memory. */
export function putUser32(as: AddressSpace, dst: UserPtr, value: number): void {
  if ((dst & 3) === 0 && dst >= 0 && dst + 4 <= TASK_SIZE) {
    const phys = userPhys(as, dst, true);
    as.mm.memory.u32[phys >>> 2] = value >>> 0;
    as.notifier.invalidateCode(phys as PhysAddr, 4);
    return;
  }
  copyToUser(as, dst, new Uint8Array([value, value >>> 8, value >>> 16, value >>> 24]));
}
