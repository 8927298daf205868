/**
 * The page-fault handler: what the kernel does with a #PF (vector 14) the CPU reports, and what usercopy.ts
 * does when a kernel access to user memory finds no usable PTE. Layer: kernel mm; the trap dispatcher above
 * calls `handlePageFault` with CR2 and the error code, and turns a non-ok result into a signal or an OOM kill.
 *
 * How it works
 * - The VMA decides. No VMA (or a growing-down one that may not grow that far): SEGV_MAPERR. A VMA whose
 *   protection forbids the access: SEGV_ACCERR. The i386 has no NX bit, so any protection but PROT_NONE
 *   allows reads and execution, and PROT_WRITE implies read.
 * - Not present: private anonymous memory gets a zeroed frame; shared memory (a shared file, or the object
 *   behind MAP_SHARED|MAP_ANONYMOUS) maps the page cache's frame for all mappers; a private file page is
 *   mapped read-only from the page cache on a read, and copied on a write. A page wholly past end of file, or
 *   one the source fails to read (an ErrnoError such as EIO), is SIGBUS (BUS_ADRERR), as in Linux.
 * - Fault-around (Linux's do_fault_around, fault_around_bytes = 64 KiB): a read fault in a file or shared
 *   mapping also maps the neighbours of the page that the page cache already holds, within the 64 KiB-aligned
 *   window around it, the VMA and the page table, and only where the PTE is empty. It never allocates nor
 *   reads the source, so it costs a few PTE stores and saves the faults a program's text and rodata would
 *   take one page at a time. The neighbours get the PTE a read fault there would get (read-only in a private
 *   mapping, so a write still copies) and count in RSS, but not as faults (min_flt), as in Linux.
 * - Present but read-only, write allowed by the VMA: copy-on-write. A frame with one holder is the writer's
 *   own (the other side of a fork already let go), so it just becomes writable; otherwise it is copied.
 * - Not present but not empty: a swap entry; swap.ts reads the page back (SIGBUS if the area cannot be read).
 * - A fault whose PTE already allows the access is a stale TLB entry: invlpg and retry.
 * - With swap on, free frames below the low watermark are first replenished by the clock (reclaim.ts);
 *   a fault that still finds no frame reclaims once more and retries before it gives up.
 * - No frame (or page table) free: `FAULT_OOM`, never an exception; the caller picks a process to kill.
 */
import type { ErrnoError, PhysAddr, VirtAddr } from '@kmos/abi-driver';
import { PAGE_SIZE, PF_P, PF_U, PF_W } from '@kmos/abi-driver';
import {
  BUS_ADRERR,
  PROT_NONE,
  PROT_WRITE,
  SEGV_ACCERR,
  SEGV_MAPERR,
  SIGBUS,
  SIGSEGV,
} from '@kmos/abi-linux';
import { type AddressSpace, TASK_SIZE } from './address-space.js';
import { CACHE_BEYOND_EOF, CACHE_OOM, type PageCache } from './page-cache.js';
import { PAGE_TABLE_SPAN, PTE_P, PTE_U, PTE_W, pteFrame, virt } from './page-table.js';
import { VM_GROWSDOWN, type Vma } from './vma.js';

/** A fault the handler could not resolve: the signal to deliver, as siginfo describes it. */
export interface FaultSignal {
  readonly kind: 'signal';
  /** SIGSEGV or SIGBUS. */
  readonly signo: number;
  /** si_code: SEGV_MAPERR, SEGV_ACCERR or BUS_ADRERR. */
  readonly code: number;
  /** si_addr: the faulting address (CR2). */
  readonly addr: VirtAddr;
}

export type FaultResult = { readonly kind: 'ok' } | { readonly kind: 'oom' } | FaultSignal;

export const FAULT_OK: FaultResult = Object.freeze({ kind: 'ok' });
export const FAULT_OOM: FaultResult = Object.freeze({ kind: 'oom' });

function signal(signo: number, code: number, addr: number): FaultSignal {
  return { kind: 'signal', signo, code, addr: virt(addr) };
}

/** Resolves a page fault at `addr` with the #PF `errorCode` (PF_P/PF_W/PF_U bits). */
export function handlePageFault(as: AddressSpace, addr: number, errorCode: number): FaultResult {
  const reclaim = as.mm.reclaim;
  if (reclaim === null) return resolveFault(as, addr, errorCode);
  // Before anything reads the PTE: reclaim may unmap any page, the faulting one included.
  reclaim.balance();
  const r = resolveFault(as, addr, errorCode);
  if (r !== FAULT_OOM || reclaim.reclaim() === 0) return r;
  return resolveFault(as, addr, errorCode);
}

function resolveFault(as: AddressSpace, addr: number, errorCode: number): FaultResult {
  const a = addr >>> 0;
  if (a >= TASK_SIZE) return signal(SIGSEGV, SEGV_MAPERR, a);
  const vma = as.vmas.find(a);
  if (vma === null) return signal(SIGSEGV, SEGV_MAPERR, a);
  if (vma.start > a && ((vma.flags & VM_GROWSDOWN) === 0 || !as.growDown(vma, a))) {
    return signal(SIGSEGV, SEGV_MAPERR, a);
  }
  const write = (errorCode & PF_W) !== 0;
  if (write ? (vma.prot & PROT_WRITE) === 0 : vma.prot === PROT_NONE) {
    return signal(SIGSEGV, SEGV_ACCERR, a);
  }
  const va = a - (a % PAGE_SIZE);
  const pte = as.pd.pte(va);
  if (pte === 0) return faultIn(as, vma, va, write, a);
  if ((pte & PTE_P) === 0) return swapIn(as, vma, va, pte, write, a);
  if (write && (pte & PTE_W) === 0) return writeProtected(as, vma, va, pte);
  if ((pte & PTE_U) === 0) as.pd.updateFlags(va, 0, PTE_U);
  as.notifier.invlpg(virt(va));
  return FAULT_OK;
}

/** A not-present page of `vma`: allocate, share from the cache, or copy from it. */
function faultIn(as: AddressSpace, vma: Vma, va: number, write: boolean, addr: number): FaultResult {
  const cache = vma.cache;
  if (cache === null) {
    const frame = as.mm.frames.allocZeroed();
    return frame === null ? FAULT_OOM : install(as, va, frame, as.pteFlags(vma, true));
  }
  const cached = readCached(cache, vma.pageIndex(va));
  if (cached === null) return signal(SIGBUS, BUS_ADRERR, addr);
  if (cached === CACHE_OOM) return FAULT_OOM;
  if (cached === CACHE_BEYOND_EOF) return signal(SIGBUS, BUS_ADRERR, addr);
  if (vma.isShared() || !write) {
    as.mm.frames.refs.get(cached);
    const flags = as.pteFlags(vma, vma.isShared());
    const r = install(as, va, cached, flags);
    if (!write && r === FAULT_OK) faultAround(as, vma, cache, va, flags);
    return r;
  }
  const copy = as.mm.frames.allocCopy(cached);
  return copy === null ? FAULT_OOM : install(as, va, copy, as.pteFlags(vma, true));
}

/** Linux's fault_around_bytes default: the window a read fault maps from the page cache. */
export const FAULT_AROUND_BYTES = 64 * 1024;

/**
 * Maps the pages of `vma` around `va` (just mapped by a read fault) that `cache` holds already, with `flags`:
 * Linux's window, from the 64 KiB boundary below `va` (or the VMA's start) for 64 KiB, clipped to the VMA
 * and to the page table of `va`, which exists, so no store here can fail.
 */
function faultAround(as: AddressSpace, vma: Vma, cache: PageCache, va: number, flags: number): void {
  const from = Math.max((va & ~(FAULT_AROUND_BYTES - 1)) >>> 0, vma.start);
  const tableEnd = va - (va % PAGE_TABLE_SPAN) + PAGE_TABLE_SPAN;
  const to = Math.min(from + FAULT_AROUND_BYTES, vma.end, tableEnd);
  const refs = as.mm.frames.refs;
  for (let a = from; a < to; a += PAGE_SIZE) {
    if (as.pd.pte(a) !== 0) continue;
    const frame = cache.peek(vma.pageIndex(a));
    if (frame === null) continue;
    refs.get(frame);
    as.installPte(a, frame, flags);
  }
}

/** A swap entry: the page comes back from the swap area. */
function swapIn(
  as: AddressSpace,
  vma: Vma,
  va: number,
  entry: number,
  write: boolean,
  addr: number,
): FaultResult {
  const r = as.mm.swapping.swapIn(as, vma, va, entry, write);
  if (r === 'ok') return FAULT_OK;
  return r === 'oom' ? FAULT_OOM : signal(SIGBUS, BUS_ADRERR, addr);
}

/** The cache's frame for page `index`, or null when the source failed to read it (an I/O error is SIGBUS). */
function readCached(cache: PageCache, index: number): ReturnType<PageCache['get']> | null {
  try {
    return cache.get(index);
  } catch (e) {
    if (typeof (e as Partial<ErrnoError>).errno === 'number') return null;
    throw e;
  }
}

/** Installs a frame the caller holds a reference for; on a page-table shortage the reference is dropped. */
function install(as: AddressSpace, va: number, frame: PhysAddr, flags: number): FaultResult {
  if (as.installPte(va, frame, flags)) return FAULT_OK;
  as.mm.frames.put(frame);
  return FAULT_OOM;
}

/** A write to a present read-only page the VMA lets the process write: copy-on-write, or a shared page. */
function writeProtected(as: AddressSpace, vma: Vma, va: number, pte: number): FaultResult {
  const frame = pteFrame(pte);
  if (vma.isShared() || as.mm.frames.soleMapper(frame)) {
    as.pd.updateFlags(va, 0, as.pteFlags(vma, true));
    as.notifier.invlpg(virt(va));
    return FAULT_OK;
  }
  const copy = as.mm.frames.allocCopy(frame);
  if (copy === null) return FAULT_OOM;
  as.replacePte(va, copy, as.pteFlags(vma, true));
  return FAULT_OK;
}

/** The #PF error code a user-mode access of this kind would raise, given the PTE it found. */
export function userErrorCode(pte: number, write: boolean): number {
  return PF_U | (write ? PF_W : 0) | ((pte & PTE_P) !== 0 ? PF_P : 0);
}

/** Faults in every page of [start, end) as an access would (MAP_POPULATE); stops at the first failure. */
export function populate(as: AddressSpace, start: number, end: number, write: boolean): FaultResult {
  for (let va = start; va < end; va += PAGE_SIZE) {
    const pte = as.pd.pte(va);
    const need = write ? PTE_P | PTE_U | PTE_W : PTE_P | PTE_U;
    if ((pte & need) === need) continue;
    const r = handlePageFault(as, va, userErrorCode(pte, write));
    if (r.kind !== 'ok') return r;
  }
  return FAULT_OK;
}
