/**
 * A process's address space: its VMAs (vma.ts), its page directory (page-table.ts) and the bookkeeping that
 * keeps the two consistent — which frames its PTEs hold (frame-refs.ts), the break, the mmap base, fork and
 * teardown. Layer: kernel mm. The Linux operations (mmap, munmap, mprotect, mremap, brk, madvise, msync,
 * mincore) are in mmap.ts, faults in page-fault.ts, user copies in usercopy.ts; the process layer above owns
 * one AddressSpace per thread group and wires its MmuNotifier to the CPU.
 *
 * How it works
 * - Layout (i386, 3 GiB user): user space is [0, TASK_SIZE = 0xC0000000); nothing below MMAP_MIN_ADDR is
 *   ever mapped. The stack sits at the top, growing down; mmap picks addresses top-down from `mmapBase`,
 *   which is TASK_SIZE less the stack's reserve (Linux's "top-down" layout without randomization:
 *   mmapBase = 0xB8000000 with an 8 MiB stack limit); when nothing fits there it searches bottom-up over the
 *   whole space (Linux's fallback). The heap ([heap], brk) starts after the program's data.
 * - A growing-down VMA keeps STACK_GUARD_GAP of unmapped space below it: neither mmap nor brk nor another
 *   VMA's growth may enter it, so a stack overflow faults instead of running into a mapping.
 * - Every present user PTE holds one reference on its frame. Frames are freed when the last reference goes;
 *   page-table frames belong to the PageDirectory and never appear in FrameRefs.
 * - Whenever a live PTE loses rights or its frame, the notifier's invlpg (or, for a large zap, one flushTlb)
 *   runs before the frame can be reused, so the TLB never holds a stale entry.
 * - With swap on, a PTE may hold a swap entry instead (swap-entry.ts): zap frees its slot, fork copies it and
 *   counts one more holder, the fault handler brings the page back; reclaim.ts walks every live address
 *   space (`MemoryManager.spaces`) to choose the pages that go.
 */
import type { PageAllocator, PhysAddr, PhysicalMemory, VirtAddr } from '@kmos/abi-driver';
import { PAGE_SIZE } from '@kmos/abi-driver';
import { ENOMEM, PROT_NONE, PROT_WRITE } from '@kmos/abi-linux';
import { KernelPanic } from '../errors.js';
import { KernelError } from '../kernel-error.js';
import { type InvalidateCode, UserFrames } from './frame-refs.js';
import { PageCaches } from './page-cache.js';
import { PageDirectory, PTE_D, PTE_P, PTE_U, PTE_W, pteFrame, virt } from './page-table.js';
import type { ClockReclaim } from './reclaim.js';
import type { Swap } from './swap.js';
import { VM_DONTCOPY, VM_GROWSDOWN, VM_LOCKED, VM_LOCKONFAULT, type Vma, VmaList } from './vma.js';

/**
 * Past this many pages, a zap flushes the whole TLB once instead of invalidating page by page (Linux's
 * tlb_single_page_flush_ceiling, 33: beyond it, refilling the TLB costs less than the single invalidations).
 */
export const TLB_SINGLE_PAGE_FLUSH_CEILING = 33;

/** The end of user space on i386 with the 3G/1G split (Linux's TASK_SIZE, PAGE_OFFSET). */
export const TASK_SIZE = 0xc0000000;
/** Linux's vm.mmap_min_addr default: the first 64 KiB stay unmapped so NULL dereferences fault. */
export const MMAP_MIN_ADDR = 0x10000;
/** Linux's stack_guard_gap: 256 pages below a stack that nothing else may occupy. */
export const STACK_GUARD_GAP = 256 * PAGE_SIZE;
/** RLIMIT_STACK's usual soft limit. */
export const DEFAULT_STACK_LIMIT_BYTES = 8 * 1024 * 1024;
/** Linux's MIN_GAP: mmapBase sits at least this far below TASK_SIZE, leaving room for the stack. */
export const MMAP_MIN_GAP = 128 * 1024 * 1024;
/** Linux's DEFAULT_MAX_MAP_COUNT (vm.max_map_count). */
export const DEFAULT_MAX_MAP_COUNT = 65530;
/** Linux's initial stack VMA: 128 KiB (stack_expand in setup_arg_pages). */
export const INITIAL_STACK_BYTES = 128 * 1024;

/** What the kernel wires to the CPU so that page-table changes reach its TLB and its decoded-code cache. */
export interface MmuNotifier {
  invlpg(addr: VirtAddr): void;
  flushTlb(): void;
  invalidateCode(phys: PhysAddr, sizeBytes: number): void;
}

export const NULL_NOTIFIER: MmuNotifier = { invlpg() {}, flushTlb() {}, invalidateCode() {} };

export interface MmLimits {
  /** RLIMIT_STACK: the most a growing-down VMA may span. */
  readonly stackBytes: number;
  /** vm.max_map_count. */
  readonly maxMapCount: number;
  /** RLIMIT_AS: the most all VMAs together may span (Infinity: unlimited). */
  readonly addressSpaceBytes: number;
}

export const DEFAULT_LIMITS: MmLimits = {
  stackBytes: DEFAULT_STACK_LIMIT_BYTES,
  maxMapCount: DEFAULT_MAX_MAP_COUNT,
  addressSpaceBytes: Number.POSITIVE_INFINITY,
};

/**
 * The limits an address space takes from its process's RLIMIT_AS soft limit (`bytes`, null: unlimited).
 * RLIMIT_STACK stays at its default here: it also places the mmap base, which kmOS keeps fixed.
 */
export function limitsForAddressSpace(bytes: number | null): MmLimits {
  return { ...DEFAULT_LIMITS, addressSpaceBytes: bytes ?? Number.POSITIVE_INFINITY };
}

/** The machine-wide half of mm: user frames and page caches, shared by every address space. */
export class MemoryManager {
  readonly frames: UserFrames;
  readonly caches: PageCaches;
  /** Every live address space, for the reclaim clock. Written by AddressSpace.create and destroy. */
  readonly spaces = new Set<AddressSpace>();
  /** Swap and its page replacement, or null while no swap area is on. Written once, by swapon.ts. */
  swap: Swap | null = null;
  reclaim: ClockReclaim | null = null;

  constructor(
    readonly memory: PhysicalMemory,
    readonly pages: PageAllocator,
    invalidateCode?: InvalidateCode,
  ) {
    this.frames = new UserFrames(memory, pages, invalidateCode);
    this.caches = new PageCaches(this.frames);
  }

  /** The swap that owns the swap entries found in PTEs; one without swap on is a broken invariant. */
  get swapping(): Swap {
    if (this.swap === null) throw new KernelPanic('a PTE holds a swap entry but swap is off');
    return this.swap;
  }
}

export function pageAlignUp(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

export function pageAlignDown(n: number): number {
  return Math.floor(n / PAGE_SIZE) * PAGE_SIZE;
}

export function isPageAligned(n: number): boolean {
  return n % PAGE_SIZE === 0;
}

export class AddressSpace {
  readonly vmas = new VmaList();
  /** The break's start (end of the program's data) and current value. Written by exec and brk. */
  startBrk = 0;
  brk = 0;
  /**
   * The program's code: from the lowest start to the highest file end of its executable segments, as Linux's
   * start_code and end_code (/proc/<pid>/stat, statm, status's VmExe). Written by exec.
   */
  startCode = 0;
  /** Where the initial stack begins (argc's slot: Linux's start_stack, /proc/<pid>/stat). Written by exec. */
  startStack = 0;
  /** VM_LOCKED (and VM_LOCKONFAULT) after mlockall(MCL_FUTURE): what new mappings get. Not inherited. */
  lockNewMappings = 0;
  /** membarrier's registrations (MEMBARRIER_CMD_REGISTER_* bits), which fork copies. */
  membarrierRegistered = 0;
  endCode = 0;
  /** Frames a batched zap frees after its one TLB flush; empty between zaps (reused, not reallocated). */
  private readonly zapBatch: PhysAddr[] = [];
  /** Present user PTEs (VmRSS). Written only by installPte and the zap paths here. */
  rssPages = 0;
  /** The most present PTEs there have been (status's VmHWM). Written with rssPages as it grows. */
  rssPeakPages = 0;
  /** The top of the top-down mmap search. */
  readonly mmapBase: number;

  private constructor(
    readonly mm: MemoryManager,
    readonly pd: PageDirectory,
    /** Written by the process layer when the address space moves to another CPU context. */
    public notifier: MmuNotifier,
    /** Written by setrlimit (RLIMIT_AS) through the process layer and set at exec; mmapBase keeps its value. */
    public limits: MmLimits,
  ) {
    const gap = Math.min(Math.max(limits.stackBytes + STACK_GUARD_GAP, MMAP_MIN_GAP), (TASK_SIZE / 6) * 5);
    this.mmapBase = pageAlignDown(TASK_SIZE - gap);
  }

  /** An empty address space; KernelError(ENOMEM) when no frame is free for the page directory. */
  static create(
    mm: MemoryManager,
    notifier: MmuNotifier = NULL_NOTIFIER,
    limits = DEFAULT_LIMITS,
  ): AddressSpace {
    const pd = PageDirectory.create(mm.memory, mm.pages);
    if (pd === null) throw new KernelError(ENOMEM, 'no frame for a page directory');
    const as = new AddressSpace(mm, pd, notifier, limits);
    mm.spaces.add(as);
    return as;
  }

  /** The value for CR3 while this address space runs. */
  get cr3(): PhysAddr {
    return this.pd.cr3;
  }

  /** The PTE bits a page of `vma` gets; `writable` is false for pages that must stay copy-on-write. */
  pteFlags(vma: Vma, writable: boolean): number {
    let flags = PTE_P;
    if (vma.prot !== PROT_NONE) flags |= PTE_U;
    if (writable && (vma.prot & PROT_WRITE) !== 0) flags |= PTE_W;
    return flags;
  }

  /** Maps `va` to `frame`, whose reference the PTE now owns. False when a page table could not be had. */
  installPte(va: number, frame: PhysAddr, flags: number): boolean {
    this.mm.frames.refs.assertUser(frame);
    if (!this.pd.setPte(va, frame | flags)) return false;
    if (++this.rssPages > this.rssPeakPages) this.rssPeakPages = this.rssPages;
    return true;
  }

  /** Replaces the frame of a present PTE (copy-on-write), dropping the old frame's reference. */
  replacePte(va: number, frame: PhysAddr, flags: number): void {
    const old = this.pd.pte(va);
    this.mm.frames.refs.assertUser(frame);
    this.pd.setPte(va, frame | flags);
    this.notifier.invlpg(virt(va));
    this.mm.frames.put(pteFrame(old));
  }

  /** Swaps out a present PTE (reclaim): `entry` replaces it and the frame's reference goes. */
  unmapForSwap(va: number, entry: number): void {
    const old = this.pd.pte(va);
    this.pd.setPte(va, entry);
    this.notifier.invlpg(virt(va));
    this.rssPages--;
    this.mm.frames.put(pteFrame(old));
  }

  /**
   * Removes the PTEs of `vma` in [start, end), dropping their frames and swap slots; dirty shared pages are
   * noted. A range of more than TLB_SINGLE_PAGE_FLUSH_CEILING pages is invalidated with one TLB flush
   * after its PTEs are cleared (as Linux's flush_tlb_mm_range), and its frames are freed only after that
   * flush; a smaller one page by page.
   */
  zap(vma: Vma, start: number, end: number): void {
    const cache = vma.isShared() ? vma.cache : null;
    const frames = (end - start) / PAGE_SIZE > TLB_SINGLE_PAGE_FLUSH_CEILING ? this.zapBatch : null;
    this.pd.clearUsed(start, end, (va, pte) => {
      if ((pte & PTE_P) === 0) {
        this.mm.swapping.freeEntry(pte);
        return;
      }
      if (cache !== null && (pte & PTE_D) !== 0) cache.markDirty(vma.pageIndex(va));
      this.rssPages--;
      if (frames !== null) {
        frames.push(pteFrame(pte));
        return;
      }
      this.notifier.invlpg(virt(va));
      this.mm.frames.put(pteFrame(pte));
    });
    if (frames === null || frames.length === 0) return;
    this.notifier.flushTlb();
    for (const frame of frames) this.mm.frames.put(frame);
    frames.length = 0;
  }

  /** Unmaps [start, end): its VMAs leave the list, their pages and cache references are dropped. */
  unmapRange(start: number, end: number): void {
    for (const v of this.vmas.extract(start, end)) this.dropVma(v);
  }

  /** A VMA that already left the list: zap its pages and release its cache. */
  dropVma(vma: Vma): void {
    this.zap(vma, vma.start, vma.end);
    vma.cache?.unref();
  }

  /** True when [start, end) may be given to a new mapping: inside user space, unmapped, clear of guard gaps. */
  rangeAvailable(start: number, end: number): boolean {
    if (start < MMAP_MIN_ADDR || end > TASK_SIZE || start >= end) return false;
    const next = this.vmas.find(start);
    if (next === null) return true;
    if (next.start < end) return false;
    return (next.flags & VM_GROWSDOWN) === 0 || end + STACK_GUARD_GAP <= next.start;
  }

  /** The highest free range of `len` bytes below `high` (and at or above `low`), or -1. */
  findGapTopDown(len: number, low: number, high: number): number {
    const list = this.vmas.all();
    for (let i = list.length; i >= 0; i--) {
      const below = i > 0 ? list[i - 1].end : 0;
      const above = i < list.length ? list[i] : null;
      let top = above === null ? TASK_SIZE : above.start;
      if (above !== null && (above.flags & VM_GROWSDOWN) !== 0) top -= STACK_GUARD_GAP;
      top = Math.min(top, high);
      const bottom = Math.max(below, low);
      if (top - bottom >= len) return top - len;
      if (below < low) break;
    }
    return -1;
  }

  /** The lowest free range of `len` bytes at or above `low`, or -1. */
  findGapBottomUp(len: number, low: number): number {
    const list = this.vmas.all();
    for (let i = 0; i <= list.length; i++) {
      const bottom = Math.max(i > 0 ? list[i - 1].end : 0, low);
      const above = i < list.length ? list[i] : null;
      let top = above === null ? TASK_SIZE : above.start;
      if (above !== null && (above.flags & VM_GROWSDOWN) !== 0) top -= STACK_GUARD_GAP;
      if (top - bottom >= len) return bottom;
    }
    return -1;
  }

  /** True when `bytes` more of mappings stay within RLIMIT_AS (Linux's may_expand_vm). */
  mayExpand(bytes: number): boolean {
    return this.sizeBytes() + bytes <= this.limits.addressSpaceBytes;
  }

  /** Bytes of [start, end) that VMAs cover now. */
  mappedBytesIn(start: number, end: number): number {
    let n = 0;
    for (let i = this.vmas.indexAfter(start); i < this.vmas.length && this.vmas.at(i).start < end; i++) {
      const v = this.vmas.at(i);
      n += Math.min(v.end, end) - Math.max(v.start, start);
    }
    return n;
  }

  /** Where a new mapping of `len` bytes goes: the hint if it fits, else top-down, else bottom-up; -1 if none. */
  unmappedArea(len: number, hint: number): number {
    if (hint !== 0) {
      const start = pageAlignUp(hint);
      if (this.rangeAvailable(start, start + len)) return start;
    }
    const top = this.findGapTopDown(len, MMAP_MIN_ADDR, this.mmapBase);
    return top >= 0 ? top : this.findGapBottomUp(len, MMAP_MIN_ADDR);
  }

  /**
   * Extends a growing-down VMA so it covers `addr`: allowed while it stays within the stack limit, above
   * MMAP_MIN_ADDR and STACK_GUARD_GAP clear of the VMA below. Returns false when the growth is refused.
   */
  growDown(vma: Vma, addr: number): boolean {
    const start = pageAlignDown(addr);
    if (vma.end - start > this.limits.stackBytes || start < MMAP_MIN_ADDR) return false;
    if (!this.mayExpand(vma.start - start)) return false;
    const prev = this.vmas.prev(vma);
    if (prev !== null && prev.end + STACK_GUARD_GAP > start) return false;
    const grownPages = (vma.start - start) / PAGE_SIZE;
    if (vma.cache !== null && vma.pgoff < grownPages) return false;
    if (vma.cache !== null) vma.pgoff -= grownPages;
    vma.start = start;
    return true;
  }

  /**
   * A copy-on-write clone for fork: shared VMAs keep sharing frames; private pages become read-only in both
   * spaces and count one more holder, so the first write by either side copies (or reuses the last copy).
   * KernelError(ENOMEM) when frames for the child's page tables run out; the parent is then unchanged
   * except for write-protected PTEs, which only cost a fault.
   */
  fork(childNotifier: MmuNotifier = NULL_NOTIFIER): AddressSpace {
    const child = AddressSpace.create(this.mm, childNotifier, this.limits);
    child.startBrk = this.startBrk;
    child.brk = this.brk;
    child.startCode = this.startCode;
    child.startStack = this.startStack;
    child.membarrierRegistered = this.membarrierRegistered;
    child.endCode = this.endCode;
    try {
      for (const v of this.vmas.all()) {
        if ((v.flags & VM_DONTCOPY) === 0) this.forkVma(v, child);
      }
    } finally {
      this.notifier.flushTlb();
    }
    // As Linux's dup_mm: the child's high-water marks start at what it has (VmPeak: its VmaList is new).
    child.rssPeakPages = child.rssPages;
    return child;
  }

  private forkVma(v: Vma, child: AddressSpace): void {
    // The parent's list is walked in address order, so each copy goes on the end of the child's.
    // Memory locks are not inherited (mlock(2)).
    const copy = v.slice(v.start, v.end);
    copy.flags &= ~(VM_LOCKED | VM_LOCKONFAULT);
    child.vmas.append(copy);
    const refs = this.mm.frames.refs;
    // Private pages become read-only on both sides (copy-on-write); shared ones keep their rights.
    const clear = v.isShared() ? 0 : PTE_W;
    const copied = this.pd.copyUsed(child.pd, v.start, v.end, clear, (pte) => {
      if ((pte & PTE_P) === 0) {
        this.mm.swapping.dupEntry(pte);
        return;
      }
      refs.get(pteFrame(pte));
      child.rssPages++;
    });
    if (!copied) {
      child.destroy();
      throw new KernelError(ENOMEM, 'fork: no frame for a page table');
    }
  }

  /** Frees everything: pages, caches, page tables, the directory. The address space is unusable after. */
  destroy(): void {
    const all = this.vmas.extract(0, TASK_SIZE);
    for (const v of all) this.dropVma(v);
    this.mm.spaces.delete(this);
    this.pd.destroy();
  }

  /** Sum of VMA sizes in bytes (VmSize). */
  sizeBytes(): number {
    return this.vmas.totalBytes;
  }
}
