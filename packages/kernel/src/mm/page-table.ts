/**
 * i386 two-level page tables (Intel SDM vol. 3, 4.3 "32-bit paging") built in emulated physical memory, where
 * the emulated MMU walks them. Layer: kernel mm, the lowest piece; above it address-space.ts decides *what*
 * to map, below it the page-allocator plugin supplies frames through @kmos/abi-driver.
 *
 * How it works
 * - A page directory is one frame of 1024 PDEs; each present PDE points at a page table of 1024 PTEs, each
 *   mapping one 4 KiB page. CR3 holds the directory's physical address.
 * - User page tables are created on demand by `setPte` and freed the moment their last used PTE goes, so
 *   an empty address space holds exactly one frame (the directory). A PTE is used when it is not 0: present,
 *   or a swap entry (swap-entry.ts) that must outlive the page it replaced. `usedInTable[pdi]` counts used
 *   PTEs per table; it is the invariant that makes "free when empty" O(1).
 * - PDEs of user tables are P|W|U: the i386 combines PDE and PTE rights, so the PTE alone decides access.
 * - kmOS runs the kernel natively (the gVisor model), so no kernel half is mapped: every PDE is user space.
 * - This file knows nothing of frame ownership; it never frees a leaf frame. `destroy` panics if a PTE is
 *   still used, because its frame or swap slot would leak.
 */
import type { PageAllocator, PhysAddr, PhysicalMemory, VirtAddr } from '@kmos/abi-driver';
import { PAGE_SHIFT, PAGE_SIZE } from '@kmos/abi-driver';
import { KernelPanic } from '../errors.js';

/** PDE/PTE bits, as the Intel SDM names them (vol. 3, tables 4-5 and 4-6). */
export const PTE_P = 0x001;
export const PTE_W = 0x002;
export const PTE_U = 0x004;
export const PTE_PWT = 0x008;
export const PTE_PCD = 0x010;
export const PTE_A = 0x020;
export const PTE_D = 0x040;
/** In a PDE: a 4 MiB page (needs CR4.PSE). kmOS never creates one; walkers must still honour it. */
export const PTE_PS = 0x080;
/** In a PTE: the PAT index bit (same position as PS in a PDE). */
export const PTE_PAT = 0x080;
export const PTE_G = 0x100;
/** Bits 9-11 are ignored by the MMU and free for the OS. */
export const PTE_AVAIL_MASK = 0xe00;
/** The frame address field of a 4 KiB PTE or of a PDE that points at a page table. */
export const PTE_FRAME_MASK = 0xfffff000;

/** Entries per directory and per table. */
export const PDE_COUNT = 1024;
export const PTE_COUNT = 1024;
/** Bytes one page table maps: 4 MiB. */
export const PAGE_TABLE_SPAN = PTE_COUNT * PAGE_SIZE;
const PDE_SHIFT = 22;
const INDEX_MASK = 0x3ff;
/** The rights every user page-table PDE carries (the PTE narrows them). */
const USER_PDE = PTE_P | PTE_W | PTE_U;

export function pdIndex(va: number): number {
  return va >>> PDE_SHIFT;
}

export function ptIndex(va: number): number {
  return (va >>> PAGE_SHIFT) & INDEX_MASK;
}

export function pteFrame(pte: number): PhysAddr {
  return ((pte & PTE_FRAME_MASK) >>> 0) as PhysAddr;
}

/**
 * Count arrays of destroyed directories, all zero (destroy checks it), for the next directories: every fork
 * and exec makes one, and a fresh 2 KiB typed array costs a host allocation outside the JS heap each time.
 */
const spareCounts: Uint16Array[] = [];
const SPARE_COUNTS_MAX = 16;

/** One process's page directory and the page tables below it. */
export class PageDirectory {
  /** Used (non-zero) PTEs per page table, indexed by PDE index; 0 means the table does not exist. */
  private readonly usedInTable = spareCounts.pop() ?? new Uint16Array(PDE_COUNT);
  private readonly u32: Uint32Array;
  /** Dword index of the directory in physical memory. */
  private readonly pdBase: number;

  private constructor(
    private readonly memory: PhysicalMemory,
    private readonly pages: PageAllocator,
    /** The value to load into CR3. */
    readonly cr3: PhysAddr,
  ) {
    this.u32 = memory.u32;
    this.pdBase = cr3 >>> 2;
  }

  /** A new, empty directory, or null when no frame is free. */
  static create(memory: PhysicalMemory, pages: PageAllocator): PageDirectory | null {
    const frame = allocZeroedFrame(memory, pages);
    return frame === null ? null : new PageDirectory(memory, pages, frame);
  }

  /** The PTE mapping `va`, or 0 when none (no table, or an empty slot). The fast path of every walk. */
  pte(va: number): number {
    const pde = this.u32[this.pdBase + (va >>> PDE_SHIFT)];
    if ((pde & PTE_P) === 0) return 0;
    return this.u32[(pde >>> PAGE_SHIFT) * PTE_COUNT + ((va >>> PAGE_SHIFT) & INDEX_MASK)];
  }

  /**
   * Stores `pte` for `va`, creating the page table when needed. Returns false (and changes nothing) only
   * when a table is needed and no frame is free. Storing 0 clears the slot and may free the table.
   */
  setPte(va: number, pte: number): boolean {
    const pdi = va >>> PDE_SHIFT;
    if ((this.u32[this.pdBase + pdi] & PTE_P) === 0) {
      if (pte === 0) return true;
      if (!this.createTable(pdi)) return false;
    }
    const slot = this.slotIndex(pdi, va);
    const wasUsed = this.u32[slot] !== 0;
    const isUsed = pte !== 0;
    this.u32[slot] = pte >>> 0;
    if (wasUsed !== isUsed) this.countChange(pdi, isUsed ? 1 : -1);
    return true;
  }

  /** Changes flag bits of a present PTE in place (the frame stays); returns the new PTE. */
  updateFlags(va: number, clear: number, set: number): number {
    const pdi = va >>> PDE_SHIFT;
    if ((this.u32[this.pdBase + pdi] & PTE_P) === 0) return 0;
    const slot = this.slotIndex(pdi, va);
    const old = this.u32[slot];
    if ((old & PTE_P) === 0) return 0;
    const next = ((old & ~clear) | set) & ~PTE_FRAME_MASK;
    this.u32[slot] = ((old & PTE_FRAME_MASK) | next | PTE_P) >>> 0;
    return this.u32[slot];
  }

  /** Makes sure the tables covering [start, end) exist, so later `setPte` there cannot fail. */
  ensureTables(start: number, end: number): boolean {
    for (let pdi = pdIndex(start); pdi <= pdIndex(end - 1); pdi++) {
      if ((this.u32[this.pdBase + pdi] & PTE_P) === 0 && !this.createTable(pdi)) return false;
    }
    return true;
  }

  /** Frees tables that `ensureTables` created but nothing filled. */
  trimTables(start: number, end: number): void {
    for (let pdi = pdIndex(start); pdi <= pdIndex(end - 1); pdi++) {
      if ((this.u32[this.pdBase + pdi] & PTE_P) !== 0 && this.usedInTable[pdi] === 0) {
        this.freeTable(pdi);
      }
    }
  }

  /**
   * The next address >= `va` and < `end` whose PTE is present, or -1. Skips absent tables 4 MiB at a time,
   * so walking a sparse range costs its populated tables, not its size.
   */
  nextPresent(va: number, end: number): number {
    return this.nextWith(va, end, PTE_P);
  }

  /** The next address >= `va` and < `end` whose PTE is used (present or a swap entry), or -1. */
  nextUsed(va: number, end: number): number {
    return this.nextWith(va, end, ~0);
  }

  private nextWith(va: number, end: number, mask: number): number {
    let addr = va;
    while (addr < end) {
      const pdi = addr >>> PDE_SHIFT;
      if (this.usedInTable[pdi] === 0) {
        addr = (pdi + 1) * PAGE_TABLE_SPAN;
        continue;
      }
      const tableBase = (this.u32[this.pdBase + pdi] >>> PAGE_SHIFT) * PTE_COUNT;
      const stop = Math.min(end, (pdi + 1) * PAGE_TABLE_SPAN);
      for (; addr < stop; addr += PAGE_SIZE) {
        if ((this.u32[tableBase + ((addr >>> PAGE_SHIFT) & INDEX_MASK)] & mask) !== 0) return addr;
      }
    }
    return -1;
  }

  /**
   * Copies every used PTE of [start, end) into the same slot of `child` (fork), clearing the `clearPresent`
   * bits of present ones in this directory first, and calls `copied` with each PTE as the child now holds it.
   * One pass per page table instead of a walk per page. Returns false when the child could not get a page
   * table; the PTEs copied until then stay (the caller tears the child down).
   */
  copyUsed(
    child: PageDirectory,
    start: number,
    end: number,
    clearPresent: number,
    copied: (pte: number) => void,
  ): boolean {
    const u32 = this.u32;
    return this.eachTable(start, end, (pdi, base, from, stop) => {
      let childBase = -1;
      for (let addr = from; addr < stop; addr += PAGE_SIZE) {
        const index = (addr >>> PAGE_SHIFT) & INDEX_MASK;
        let pte = u32[base + index];
        if (pte === 0) continue;
        if ((pte & PTE_P) !== 0 && (pte & clearPresent) !== 0) {
          pte = (pte & ~clearPresent) >>> 0;
          u32[base + index] = pte;
        }
        if (childBase < 0) {
          if ((child.u32[child.pdBase + pdi] & PTE_P) === 0 && !child.createTable(pdi)) return false;
          childBase = child.tableBase(pdi);
        }
        if (child.u32[childBase + index] === 0) child.usedInTable[pdi]++;
        child.u32[childBase + index] = pte;
        copied(pte);
      }
      return true;
    });
  }

  /**
   * Clears every used PTE of [start, end), calling `cleared` with its address and old value after each
   * (a table is freed the moment its last used PTE goes, as with setPte). One pass per page table.
   */
  clearUsed(start: number, end: number, cleared: (va: number, pte: number) => void): void {
    const u32 = this.u32;
    this.eachTable(start, end, (pdi, base, from, stop) => {
      for (let addr = from; addr < stop; addr += PAGE_SIZE) {
        const slot = base + ((addr >>> PAGE_SHIFT) & INDEX_MASK);
        const pte = u32[slot];
        if (pte === 0) continue;
        u32[slot] = 0;
        const left = this.usedInTable[pdi] - 1;
        this.usedInTable[pdi] = left;
        if (left === 0) this.freeTable(pdi);
        cleared(addr, pte);
        if (left === 0) break;
      }
      return true;
    });
  }

  /**
   * Calls `visit` for each page table that exists under [start, end), with its dword index in RAM and the
   * part of the range it maps; stops (returning false) when `visit` returns false.
   */
  private eachTable(
    start: number,
    end: number,
    visit: (pdi: number, base: number, from: number, stop: number) => boolean,
  ): boolean {
    for (let addr = start; addr < end; ) {
      const pdi = addr >>> PDE_SHIFT;
      const stop = Math.min(end, (pdi + 1) * PAGE_TABLE_SPAN);
      if (this.usedInTable[pdi] !== 0 && !visit(pdi, this.tableBase(pdi), addr, stop)) return false;
      addr = stop;
    }
    return true;
  }

  /** The dword index in RAM of page table `pdi`, which must exist. */
  private tableBase(pdi: number): number {
    return (this.u32[this.pdBase + pdi] >>> PAGE_SHIFT) * PTE_COUNT;
  }

  /** Number of page-table frames held now, the directory included (for VmPTE in /proc/<pid>/status). */
  tableFrames(): number {
    let n = 1;
    for (let pdi = 0; pdi < PDE_COUNT; pdi++) if (this.usedInTable[pdi] !== 0) n++;
    return n;
  }

  /** Frees the directory. Every PTE must have been cleared by the owner first: a used one is a leak. */
  destroy(): void {
    for (let pdi = 0; pdi < PDE_COUNT; pdi++) {
      if (this.usedInTable[pdi] !== 0) {
        throw new KernelPanic(
          `page directory ${hex(this.cr3)} destroyed with PTEs present (or swap entries) at ${hex(pdi << PDE_SHIFT)}`,
        );
      }
    }
    this.pages.freePages(this.cr3, 0);
    if (spareCounts.length < SPARE_COUNTS_MAX) spareCounts.push(this.usedInTable);
  }

  private slotIndex(pdi: number, va: number): number {
    return (this.u32[this.pdBase + pdi] >>> PAGE_SHIFT) * PTE_COUNT + ((va >>> PAGE_SHIFT) & INDEX_MASK);
  }

  private createTable(pdi: number): boolean {
    const frame = allocZeroedFrame(this.memory, this.pages);
    if (frame === null) return false;
    this.u32[this.pdBase + pdi] = (frame | USER_PDE) >>> 0;
    return true;
  }

  private countChange(pdi: number, delta: number): void {
    const n = this.usedInTable[pdi] + delta;
    this.usedInTable[pdi] = n;
    if (n === 0) this.freeTable(pdi);
  }

  private freeTable(pdi: number): void {
    const pde = this.u32[this.pdBase + pdi];
    this.u32[this.pdBase + pdi] = 0;
    this.pages.freePages(pteFrame(pde), 0);
  }
}

function allocZeroedFrame(memory: PhysicalMemory, pages: PageAllocator): PhysAddr | null {
  const frame = pages.allocPages(0);
  if (frame === null) return null;
  memory.u32.fill(0, frame >>> 2, (frame + PAGE_SIZE) >>> 2);
  return frame;
}

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

/** The branded form of an address this layer computed. */
export function virt(n: number): VirtAddr {
  return (n >>> 0) as VirtAddr;
}
