/**
 * The Linux memory-mapping calls over an AddressSpace: mmap, munmap, mprotect, mremap, brk, madvise, msync,
 * mincore, with Linux's argument checks and errnos. Layer: kernel mm; the syscall handlers above decode
 * arguments, resolve the fd to a MapFile and call these; address-space.ts and page-fault.ts sit below.
 * Every function throws KernelError(errno) for what the guest did wrong; `brk` follows Linux in never
 * failing (it returns the old break instead).
 */
import type { VirtAddr } from '@kmos/abi-driver';
import { PAGE_SIZE } from '@kmos/abi-driver';
import {
  EACCES,
  EBADF,
  EEXIST,
  EFAULT,
  EINVAL,
  ENOMEM,
  EOVERFLOW,
  EPERM,
  MADV_DODUMP,
  MADV_DOFORK,
  MADV_DONTDUMP,
  MADV_DONTFORK,
  MADV_DONTNEED,
  MADV_FREE,
  MADV_NORMAL,
  MADV_RANDOM,
  MADV_SEQUENTIAL,
  MADV_WILLNEED,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_GROWSDOWN,
  MAP_LOCKED,
  MAP_NONBLOCK,
  MAP_NORESERVE,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_TYPE,
  MREMAP_FIXED,
  MREMAP_MAYMOVE,
  MS_ASYNC,
  MS_INVALIDATE,
  MS_SYNC,
  PROT_EXEC,
  PROT_GROWSDOWN,
  PROT_GROWSUP,
  PROT_NONE,
  PROT_READ,
  PROT_SEM,
  PROT_WRITE,
} from '@kmos/abi-linux';
import { KernelError } from '../kernel-error.js';
import {
  type AddressSpace,
  INITIAL_STACK_BYTES,
  isPageAligned,
  MMAP_MIN_ADDR,
  pageAlignUp,
  TASK_SIZE,
} from './address-space.js';
import { AnonSharedSource, type PageCache, type PageSource } from './page-cache.js';
import { populate } from './page-fault.js';
import { PTE_D, PTE_P, PTE_U, PTE_W, virt } from './page-table.js';
import {
  VM_DONTCOPY,
  VM_GROWSDOWN,
  VM_LOCKED,
  VM_LOCKONFAULT,
  VM_MAYWRITE,
  VM_NORESERVE,
  VM_SHARED,
  Vma,
} from './vma.js';

const PROT_ALL = PROT_READ | PROT_WRITE | PROT_EXEC;
/** Linux's cap on a mapping's file offset in pages on 32-bit (pgoff_t is unsigned long). */
const MAX_PGOFF = 2 ** 32;

/** An open file as mmap needs it: its pages, and the access modes it was opened with. */
export interface MapFile {
  readonly source: PageSource;
  readonly readable: boolean;
  readonly writable: boolean;
}

/** Byte length rounded up to pages; ENOMEM when it cannot fit in user space. */
function mapLength(length: number): number {
  const len = pageAlignUp(length);
  if (len > TASK_SIZE) throw new KernelError(ENOMEM, 'mapping larger than user space');
  return len;
}

/**
 * mmap(2). `offsetBytes` is the file offset (mmap2's page offset times PAGE_SIZE). Returns the address.
 * MAP_SHARED_VALIDATE is accepted as MAP_SHARED: every flag kmOS does not implement is one Linux ignores.
 */
export function mmap(
  as: AddressSpace,
  addr: number,
  length: number,
  prot: number,
  flags: number,
  file: MapFile | null,
  offsetBytes: number,
): VirtAddr {
  const type = flags & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) {
    throw new KernelError(EINVAL, 'mmap: neither MAP_SHARED nor MAP_PRIVATE');
  }
  if (length === 0) throw new KernelError(EINVAL, 'mmap: zero length');
  const len = mapLength(length);
  const shared = type !== MAP_PRIVATE;
  const anon = (flags & MAP_ANONYMOUS) !== 0;
  if (!anon) checkFile(file, offsetBytes, len, shared, prot);
  const start = chooseAddress(as, addr, len, flags);
  if (as.vmas.length >= as.limits.maxMapCount) throw new KernelError(ENOMEM, 'mmap: too many mappings');
  if (!as.mayExpand(len - as.mappedBytesIn(start, start + len)))
    throw new KernelError(ENOMEM, 'mmap: RLIMIT_AS');
  // exec maps each segment MAP_FIXED over nothing: only a range some VMA covers has anything to unmap.
  if ((flags & MAP_FIXED) !== 0 && !as.vmas.isFree(start, start + len)) as.unmapRange(start, start + len);
  const vmFlags = vmFlagsOf(as, flags, shared, anon || (file as MapFile).writable);
  const cache = anon
    ? shared
      ? as.mm.caches.attach(new AnonSharedSource())
      : null
    : as.mm.caches.attach((file as MapFile).source);
  const pgoff = anon ? 0 : offsetBytes / PAGE_SIZE;
  as.vmas.insert(new Vma(start, start + len, prot & PROT_ALL, vmFlags, cache, pgoff, ''));
  as.vmas.mergeAround(start, start + len);
  const locked = (vmFlags & (VM_LOCKED | VM_LOCKONFAULT)) === VM_LOCKED;
  if ((locked || (flags & MAP_POPULATE) !== 0) && (flags & MAP_NONBLOCK) === 0 && prot !== PROT_NONE) {
    populate(as, start, start + len, (prot & PROT_WRITE) !== 0);
  }
  return virt(start);
}

function checkFile(
  file: MapFile | null,
  offsetBytes: number,
  len: number,
  shared: boolean,
  prot: number,
): void {
  if (file === null) throw new KernelError(EBADF, 'mmap: no file');
  if (!isPageAligned(offsetBytes) || offsetBytes < 0) throw new KernelError(EINVAL, 'mmap: unaligned offset');
  if (offsetBytes / PAGE_SIZE + len / PAGE_SIZE > MAX_PGOFF)
    throw new KernelError(EOVERFLOW, 'mmap: offset overflow');
  if (!file.readable) throw new KernelError(EACCES, 'mmap: file not open for reading');
  if (shared && (prot & PROT_WRITE) !== 0 && !file.writable) {
    throw new KernelError(EACCES, 'mmap: shared writable mapping of a file not open for writing');
  }
}

function chooseAddress(as: AddressSpace, addr: number, len: number, flags: number): number {
  if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) === 0) {
    const start = as.unmappedArea(len, addr >>> 0);
    if (start < 0) throw new KernelError(ENOMEM, 'mmap: no room');
    return start;
  }
  if (!isPageAligned(addr)) throw new KernelError(EINVAL, 'mmap: unaligned fixed address');
  if (addr + len > TASK_SIZE) throw new KernelError(ENOMEM, 'mmap: fixed range beyond user space');
  if (addr < MMAP_MIN_ADDR) throw new KernelError(EPERM, 'mmap: below mmap_min_addr');
  if ((flags & MAP_FIXED) === 0 && !as.vmas.isFree(addr, addr + len)) {
    throw new KernelError(EEXIST, 'mmap: MAP_FIXED_NOREPLACE range in use');
  }
  return addr;
}

function vmFlagsOf(as: AddressSpace, flags: number, shared: boolean, mayWrite: boolean): number {
  let vm = as.lockNewMappings;
  if ((flags & MAP_LOCKED) !== 0) vm |= VM_LOCKED;
  if (shared) vm |= VM_SHARED | (mayWrite ? VM_MAYWRITE : 0);
  if ((flags & MAP_GROWSDOWN) !== 0) vm |= VM_GROWSDOWN;
  if ((flags & MAP_NORESERVE) !== 0) vm |= VM_NORESERVE;
  return vm;
}

/** munmap(2). */
export function munmap(as: AddressSpace, addr: number, length: number): void {
  if (!isPageAligned(addr) || length === 0) throw new KernelError(EINVAL, 'munmap: bad range');
  const len = pageAlignUp(length);
  if (addr + len > TASK_SIZE) throw new KernelError(EINVAL, 'munmap: range beyond user space');
  as.unmapRange(addr, addr + len);
}

/** mprotect(2), with PROT_GROWSDOWN extending the range to the start of a growing-down VMA. */
export function mprotect(as: AddressSpace, addr: number, length: number, protArg: number): void {
  if (!isPageAligned(addr)) throw new KernelError(EINVAL, 'mprotect: unaligned address');
  const grows = protArg & (PROT_GROWSDOWN | PROT_GROWSUP);
  // PROT_SEM is accepted and ignored, as on x86 Linux (arch_validate_prot).
  const prot = protArg & ~grows & ~PROT_SEM;
  if ((prot & ~PROT_ALL) !== 0 || (grows & PROT_GROWSUP) !== 0)
    throw new KernelError(EINVAL, 'mprotect: bad prot');
  if (length === 0) return;
  const end = addr + pageAlignUp(length);
  if (end > TASK_SIZE) throw new KernelError(ENOMEM, 'mprotect: range beyond user space');
  let start = addr;
  if (grows !== 0) {
    const v = as.vmas.find(start);
    if (v === null || v.start >= end || (v.flags & VM_GROWSDOWN) === 0)
      throw new KernelError(EINVAL, 'mprotect: not a stack');
    start = v.start;
  }
  if (!as.vmas.coversFully(start, end)) throw new KernelError(ENOMEM, 'mprotect: range not mapped');
  for (let i = as.vmas.indexAfter(start); i < as.vmas.length && as.vmas.at(i).start < end; i++) {
    const v = as.vmas.at(i);
    if ((prot & PROT_WRITE) !== 0 && v.isShared() && (v.flags & VM_MAYWRITE) === 0) {
      throw new KernelError(EACCES, 'mprotect: shared mapping of a read-only file');
    }
  }
  for (const v of as.vmas.inRange(start, end)) reprotect(as, v, prot);
  as.vmas.mergeAround(start, end);
}

/** Gives `v` a new protection and brings its present PTEs in line; private pages regain W only on a fault. */
function reprotect(as: AddressSpace, v: Vma, prot: number): void {
  v.prot = prot;
  const pd = as.pd;
  for (let va = pd.nextPresent(v.start, v.end); va >= 0; va = pd.nextPresent(va + PAGE_SIZE, v.end)) {
    const pte = pd.pte(va);
    let set = prot === PROT_NONE ? 0 : PTE_U;
    if ((prot & PROT_WRITE) !== 0 && (v.isShared() || (pte & PTE_W) !== 0)) set |= PTE_W;
    if ((pte & (PTE_U | PTE_W)) !== set) {
      pd.updateFlags(va, PTE_U | PTE_W, set);
      as.notifier.invlpg(virt(va));
    }
  }
}

/** brk(2): moves the break and returns it; on any failure returns the old one, as Linux does. */
export function brk(as: AddressSpace, newBrk: number): number {
  const requested = newBrk >>> 0;
  if (requested < as.startBrk) return as.brk;
  const oldEnd = pageAlignUp(as.brk);
  const newEnd = pageAlignUp(requested);
  if (newEnd < oldEnd) as.unmapRange(newEnd, oldEnd);
  if (newEnd > oldEnd) {
    if (!as.rangeAvailable(oldEnd, newEnd) || as.vmas.length >= as.limits.maxMapCount) return as.brk;
    if (!as.mayExpand(newEnd - oldEnd)) return as.brk;
    const lock = as.lockNewMappings;
    as.vmas.insert(new Vma(oldEnd, newEnd, PROT_READ | PROT_WRITE, lock, null, 0, '[heap]'));
    as.vmas.mergeAround(oldEnd, newEnd);
    if ((lock & (VM_LOCKED | VM_LOCKONFAULT)) === VM_LOCKED) populate(as, oldEnd, newEnd, true);
  }
  as.brk = requested;
  return as.brk;
}

/** Sets where the break starts (exec, after loading the program's data); the heap is empty. */
export function setBrkStart(as: AddressSpace, addr: number): void {
  as.startBrk = addr;
  as.brk = addr;
}

/**
 * The initial stack for exec: a growing-down VMA of INITIAL_STACK_BYTES ending at `top` (default TASK_SIZE),
 * read-write. Returns `top`; the ELF loader copies argv and envp below it with copyToUser.
 */
export function setupStack(as: AddressSpace, top = TASK_SIZE): VirtAddr {
  const start = top - INITIAL_STACK_BYTES;
  if (!as.vmas.isFree(start, top)) throw new KernelError(ENOMEM, 'stack range in use');
  as.vmas.insert(new Vma(start, top, PROT_READ | PROT_WRITE, VM_GROWSDOWN, null, 0, '[stack]'));
  return virt(top);
}

/** mremap(2): shrink in place, grow in place when the space after is free, else move (MREMAP_MAYMOVE). */
export function mremap(
  as: AddressSpace,
  oldAddr: number,
  oldLength: number,
  newLength: number,
  flags: number,
  newAddr: number,
): VirtAddr {
  if ((flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) !== 0)
    throw new KernelError(EINVAL, 'mremap: unknown flags');
  if ((flags & MREMAP_FIXED) !== 0 && (flags & MREMAP_MAYMOVE) === 0)
    throw new KernelError(EINVAL, 'mremap: FIXED needs MAYMOVE');
  if (!isPageAligned(oldAddr)) throw new KernelError(EINVAL, 'mremap: unaligned address');
  const oldLen = pageAlignUp(oldLength);
  const newLen = pageAlignUp(newLength);
  // oldLength 0 (duplicating a shared mapping) is not implemented: EINVAL, as Linux answers for private ones.
  if (newLen === 0 || oldLen === 0) throw new KernelError(EINVAL, 'mremap: zero length');
  if (newLen > TASK_SIZE || oldAddr + oldLen > TASK_SIZE)
    throw new KernelError(EINVAL, 'mremap: range beyond user space');
  const vma = as.vmas.findContaining(oldAddr);
  if (vma === null || oldAddr + oldLen > vma.end)
    throw new KernelError(EFAULT, 'mremap: old range not one mapping');
  if ((flags & MREMAP_FIXED) !== 0) return remapFixed(as, oldAddr, oldLen, newLen, newAddr);
  if (newLen <= oldLen) {
    as.unmapRange(oldAddr + newLen, oldAddr + oldLen);
    return virt(oldAddr);
  }
  if (!as.mayExpand(newLen - oldLen)) throw new KernelError(ENOMEM, 'mremap: RLIMIT_AS');
  if (oldAddr + oldLen === vma.end && as.rangeAvailable(vma.end, oldAddr + newLen)) {
    vma.end = oldAddr + newLen;
    as.vmas.mergeAround(vma.start, vma.end);
    return virt(oldAddr);
  }
  if ((flags & MREMAP_MAYMOVE) === 0) throw new KernelError(ENOMEM, 'mremap: cannot grow in place');
  const dest = as.unmappedArea(newLen, 0);
  if (dest < 0) throw new KernelError(ENOMEM, 'mremap: no room');
  return moveMapping(as, oldAddr, oldLen, newLen, dest);
}

function remapFixed(
  as: AddressSpace,
  oldAddr: number,
  oldLen: number,
  newLen: number,
  newAddr: number,
): VirtAddr {
  if (!isPageAligned(newAddr) || newAddr + newLen > TASK_SIZE || newAddr < MMAP_MIN_ADDR) {
    throw new KernelError(EINVAL, 'mremap: bad new address');
  }
  if (newAddr < oldAddr + oldLen && oldAddr < newAddr + newLen)
    throw new KernelError(EINVAL, 'mremap: ranges overlap');
  if (!as.mayExpand(newLen - oldLen - as.mappedBytesIn(newAddr, newAddr + newLen))) {
    throw new KernelError(ENOMEM, 'mremap: RLIMIT_AS');
  }
  as.unmapRange(newAddr, newAddr + newLen);
  let len = oldLen;
  if (newLen < oldLen) {
    as.unmapRange(oldAddr + newLen, oldAddr + oldLen);
    len = newLen;
  }
  return moveMapping(as, oldAddr, len, newLen, newAddr);
}

/** Moves [oldAddr, oldAddr+oldLen) — inside one VMA — to `dest`, PTEs and all, then extends it to newLen. */
function moveMapping(
  as: AddressSpace,
  oldAddr: number,
  oldLen: number,
  newLen: number,
  dest: number,
): VirtAddr {
  if (!as.pd.ensureTables(dest, dest + oldLen))
    throw new KernelError(ENOMEM, 'mremap: no frame for page tables');
  const [v] = as.vmas.extract(oldAddr, oldAddr + oldLen);
  const pd = as.pd;
  // Swap entries move with the present PTEs: the slot follows its page to the new address.
  for (let va = pd.nextUsed(v.start, v.end); va >= 0; va = pd.nextUsed(va + PAGE_SIZE, v.end)) {
    const pte = pd.pte(va);
    pd.setPte(dest + (va - v.start), pte);
    pd.setPte(va, 0);
    as.notifier.invlpg(virt(va));
  }
  pd.trimTables(dest, dest + oldLen);
  v.start = dest;
  v.end = dest + newLen;
  as.vmas.insert(v);
  as.vmas.mergeAround(v.start, v.end);
  return virt(dest);
}

const KNOWN_ADVICE = new Set([
  MADV_NORMAL,
  MADV_RANDOM,
  MADV_SEQUENTIAL,
  MADV_WILLNEED,
  MADV_DONTNEED,
  MADV_FREE,
  MADV_DONTFORK,
  MADV_DOFORK,
  MADV_DONTDUMP,
  MADV_DODUMP,
]);

/** madvise(2): DONTNEED and FREE drop pages, DONTFORK/DOFORK mark ranges; the rest are accepted hints. */
export function madvise(as: AddressSpace, addr: number, length: number, advice: number): void {
  if (!isPageAligned(addr) || !KNOWN_ADVICE.has(advice))
    throw new KernelError(EINVAL, 'madvise: bad argument');
  if (length === 0) return;
  const end = Math.min(addr + pageAlignUp(length), TASK_SIZE);
  if (advice === MADV_FREE) checkPrivateAnon(as, addr, end);
  if (advice === MADV_DONTNEED || advice === MADV_FREE) {
    for (let i = as.vmas.indexAfter(addr); i < as.vmas.length && as.vmas.at(i).start < end; i++) {
      const v = as.vmas.at(i);
      as.zap(v, Math.max(v.start, addr), Math.min(v.end, end));
    }
  } else if (advice === MADV_DONTFORK || advice === MADV_DOFORK) {
    for (const v of as.vmas.inRange(addr, end)) {
      v.flags = advice === MADV_DONTFORK ? v.flags | VM_DONTCOPY : v.flags & ~VM_DONTCOPY;
    }
    as.vmas.mergeAround(addr, end);
  }
  if (!as.vmas.coversFully(addr, addr + pageAlignUp(length)))
    throw new KernelError(ENOMEM, 'madvise: range not mapped');
}

function checkPrivateAnon(as: AddressSpace, start: number, end: number): void {
  for (let i = as.vmas.indexAfter(start); i < as.vmas.length && as.vmas.at(i).start < end; i++) {
    if (as.vmas.at(i).cache !== null)
      throw new KernelError(EINVAL, 'madvise: MADV_FREE on a non-anonymous mapping');
  }
}

/** The locking flags mlock2's MLOCK_ONFAULT and mlockall's MCL_ONFAULT ask for. */
function lockFlags(onFault: boolean): number {
  return onFault ? VM_LOCKED | VM_LOCKONFAULT : VM_LOCKED;
}

/** The mapped bytes of [start, end) not locked yet. */
function unlockedBytesIn(as: AddressSpace, start: number, end: number): number {
  let bytes = 0;
  for (const v of as.vmas.all())
    if (!(v.flags & VM_LOCKED)) bytes += Math.max(0, Math.min(v.end, end) - Math.max(v.start, start));
  return bytes;
}

/**
 * mlock, mlock2 and munlock on [addr, addr + length), widened to pages: sets or clears VM_LOCKED (and
 * VM_LOCKONFAULT); ENOMEM when part of the range is not mapped (what is mapped changes anyway, as in
 * Linux). Locking faults the pages in unless on fault. `limitBytes`: RLIMIT_MEMLOCK, null for no limit
 * (CAP_IPC_LOCK); ENOMEM past it.
 */
export function mlock(
  as: AddressSpace,
  addr: number,
  length: number,
  lock: 'lock' | 'lock-on-fault' | 'unlock',
  limitBytes: number | null,
): void {
  const start = addr - (addr % PAGE_SIZE);
  const end = Math.min(pageAlignUp(addr + length), TASK_SIZE);
  if (end <= start) return;
  if (lock !== 'unlock' && limitBytes !== null) {
    if (as.vmas.lockedBytes + unlockedBytesIn(as, start, end) > limitBytes)
      throw new KernelError(ENOMEM, 'mlock: RLIMIT_MEMLOCK');
  }
  const flags = lock === 'unlock' ? 0 : lockFlags(lock === 'lock-on-fault');
  for (const v of as.vmas.inRange(start, end)) v.flags = (v.flags & ~(VM_LOCKED | VM_LOCKONFAULT)) | flags;
  as.vmas.mergeAround(start, end);
  if (lock === 'lock') lockIn(as, start, end);
  if (!as.vmas.coversFully(start, end)) throw new KernelError(ENOMEM, 'mlock: range not mapped');
}

/** Faults in the accessible pages of the locked VMAs in [start, end), as __mm_populate does. */
function lockIn(as: AddressSpace, start: number, end: number): void {
  for (let i = as.vmas.indexAfter(start); i < as.vmas.length && as.vmas.at(i).start < end; i++) {
    const v = as.vmas.at(i);
    if (v.prot === PROT_NONE) continue;
    populate(
      as,
      Math.max(v.start, start),
      Math.min(v.end, end),
      (v.prot & PROT_WRITE) !== 0 && !v.isShared(),
    );
  }
}

/**
 * mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) and munlockall (`flags` 0): every mapping now, and those to
 * come. Limits as `mlock`.
 */
export function mlockall(
  as: AddressSpace,
  current: boolean,
  future: boolean,
  onFault: boolean,
  limitBytes: number | null,
): void {
  const flags = lockFlags(onFault);
  if (current && limitBytes !== null && as.vmas.totalBytes > limitBytes)
    throw new KernelError(ENOMEM, 'mlockall: RLIMIT_MEMLOCK');
  as.lockNewMappings = future ? flags : 0;
  if (!current) return;
  for (const v of as.vmas.all()) v.flags = (v.flags & ~(VM_LOCKED | VM_LOCKONFAULT)) | flags;
  if (!onFault) lockIn(as, 0, TASK_SIZE);
}

/** munlockall: no mapping locked, none to come. */
export function munlockall(as: AddressSpace): void {
  as.lockNewMappings = 0;
  for (const v of as.vmas.all()) v.flags &= ~(VM_LOCKED | VM_LOCKONFAULT);
  as.vmas.mergeAround(0, TASK_SIZE);
}

/** msync(2): writes back the dirty pages of shared file mappings in the range. */
export function msync(as: AddressSpace, addr: number, length: number, flags: number): void {
  if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) !== 0 || !isPageAligned(addr)) {
    throw new KernelError(EINVAL, 'msync: bad argument');
  }
  if ((flags & MS_ASYNC) !== 0 && (flags & MS_SYNC) !== 0)
    throw new KernelError(EINVAL, 'msync: ASYNC and SYNC');
  const end = addr + pageAlignUp(length);
  if (end > TASK_SIZE) throw new KernelError(ENOMEM, 'msync: range beyond user space');
  for (let i = as.vmas.indexAfter(addr); i < as.vmas.length && as.vmas.at(i).start < end; i++) {
    const v = as.vmas.at(i);
    if (v.isShared() && v.cache !== null)
      syncVma(as, v, v.cache, Math.max(v.start, addr), Math.min(v.end, end));
  }
  if (!as.vmas.coversFully(addr, end)) throw new KernelError(ENOMEM, 'msync: range not mapped');
}

function syncVma(as: AddressSpace, v: Vma, cache: PageCache, start: number, end: number): void {
  const pd = as.pd;
  for (let va = pd.nextPresent(start, end); va >= 0; va = pd.nextPresent(va + PAGE_SIZE, end)) {
    if ((pd.pte(va) & PTE_D) === 0) continue;
    cache.markDirty(v.pageIndex(va));
    pd.updateFlags(va, PTE_D, 0);
    as.notifier.invlpg(virt(va));
  }
  cache.writeBack(v.pageIndex(start), v.pageIndex(end - PAGE_SIZE));
}

/** mincore(2): one byte per page of [addr, addr+length), bit 0 set when the page is resident. */
export function mincore(as: AddressSpace, addr: number, length: number): Uint8Array {
  if (!isPageAligned(addr)) throw new KernelError(EINVAL, 'mincore: unaligned address');
  const end = addr + pageAlignUp(length);
  if (end > TASK_SIZE || end < addr) throw new KernelError(ENOMEM, 'mincore: range beyond user space');
  if (!as.vmas.coversFully(addr, end)) throw new KernelError(ENOMEM, 'mincore: range not mapped');
  const vec = new Uint8Array((end - addr) / PAGE_SIZE);
  for (let va = addr; va < end; va += PAGE_SIZE) {
    const v = as.vmas.findContaining(va) as Vma;
    const resident = (as.pd.pte(va) & PTE_P) !== 0 || (v.cache?.has(v.pageIndex(va)) ?? false);
    vec[(va - addr) / PAGE_SIZE] = resident ? 1 : 0;
  }
  return vec;
}
