/**
 * Virtual memory areas: the list of an address space's mappings, each a page-aligned range [start, end) with
 * one protection, one set of flags and one backing (anonymous, or a page source at a page offset).
 * Layer: kernel mm; address-space.ts and mmap.ts edit the list, page-fault.ts reads it; page-cache.ts is the
 * backing below.
 *
 * How it works
 * - The list is an array sorted by start with no overlaps; lookups are binary searches. A process has tens
 *   of VMAs, not thousands, so splicing an array beats a tree here in both speed and clarity.
 * - `split` cuts a VMA at an address so that a range operation (munmap, mprotect, madvise) touches whole
 *   VMAs only; `mergeAround` joins neighbours that became identical so the list does not fragment.
 * - A VMA with a cache holds one reference on it: split adds one, merge and `dropVma` remove one.
 * - VM_* flags are kernel-internal (not ABI): the VMA's own facts, derived from the MAP_* flags at mmap.
 */
import { PAGE_SHIFT } from '@kmos/abi-driver';
import { KernelPanic } from '../errors.js';
import type { PageCache } from './page-cache.js';
import { hex } from './page-table.js';

/** Writes reach the shared object (MAP_SHARED); otherwise the mapping is private (copy-on-write). */
export const VM_SHARED = 0x01;
/** A shared mapping whose file was opened for writing: mprotect may add PROT_WRITE. */
export const VM_MAYWRITE = 0x02;
/** The mapping grows down on a fault just below it (the stack, MAP_GROWSDOWN). */
export const VM_GROWSDOWN = 0x04;
export const VM_NORESERVE = 0x08;
/** MADV_DONTFORK: the child of fork does not get this range. */
export const VM_DONTCOPY = 0x10;
/** mlock: the pages stay resident (reclaim passes them over); with VM_LOCKONFAULT, once faulted in. */
export const VM_LOCKED = 0x20;
export const VM_LOCKONFAULT = 0x40;

export class Vma {
  constructor(
    public start: number,
    public end: number,
    /** PROT_* bits. Written by mmap and mprotect. */
    public prot: number,
    /** VM_* bits. */
    public flags: number,
    /** The backing's cache; null for private anonymous memory. */
    readonly cache: PageCache | null,
    /** The page index in the source that `start` maps (0 for anonymous memory). */
    public pgoff: number,
    /** `[heap]`, `[stack]` or '' (file mappings are named by their source). */
    readonly name: string,
  ) {}

  get pages(): number {
    return (this.end - this.start) >>> PAGE_SHIFT;
  }

  /** The source page index that `addr` (inside this VMA) maps. */
  pageIndex(addr: number): number {
    return this.pgoff + ((addr - this.start) >>> PAGE_SHIFT);
  }

  isShared(): boolean {
    return (this.flags & VM_SHARED) !== 0;
  }

  /** A copy covering [start, end) of this VMA, holding its own cache reference. */
  slice(start: number, end: number): Vma {
    this.cache?.ref();
    return new Vma(start, end, this.prot, this.flags, this.cache, this.pageIndex(start), this.name);
  }
}

/** True when `b` continues `a` so exactly that the two can be one VMA. */
export function canMerge(a: Vma, b: Vma): boolean {
  return (
    a.end === b.start &&
    a.prot === b.prot &&
    a.flags === b.flags &&
    a.cache === b.cache &&
    a.name === b.name &&
    (a.cache === null || a.pgoff + a.pages === b.pgoff)
  );
}

export class VmaList {
  private readonly list: Vma[] = [];
  /** The largest total size as of the last removal: before anything shrinks the list, it is noted here. */
  private peakBeforeRemoval = 0;

  /** Bytes in mlock'ed VMAs (VmLck). */
  get lockedBytes(): number {
    let bytes = 0;
    for (const v of this.list) if (v.flags & VM_LOCKED) bytes += v.end - v.start;
    return bytes;
  }

  /** Bytes the VMAs span (status's VmSize). */
  get totalBytes(): number {
    let n = 0;
    for (const v of this.list) n += v.end - v.start;
    return n;
  }

  /** The largest total size the list has had (status's VmPeak): only removals shrink it, and they note it. */
  get peakBytes(): number {
    return Math.max(this.peakBeforeRemoval, this.totalBytes);
  }

  private notePeak(): void {
    this.peakBeforeRemoval = this.peakBytes;
  }

  get length(): number {
    return this.list.length;
  }

  /** The VMAs in address order. Callers must not keep the array across edits. */
  all(): readonly Vma[] {
    return this.list;
  }

  at(i: number): Vma {
    return this.list[i];
  }

  /** Index of the first VMA with end > addr (the list length when none). */
  indexAfter(addr: number): number {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.list[mid].end > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The first VMA ending above `addr` (it may start above it too), or null: Linux's find_vma. */
  find(addr: number): Vma | null {
    const i = this.indexAfter(addr);
    return i < this.list.length ? this.list[i] : null;
  }

  findContaining(addr: number): Vma | null {
    const v = this.find(addr);
    return v !== null && v.start <= addr ? v : null;
  }

  /** The VMA just below `vma`, or null. */
  prev(vma: Vma): Vma | null {
    const i = this.indexAfter(vma.start);
    return i > 0 ? this.list[i - 1] : null;
  }

  /** True when no VMA overlaps [start, end). */
  isFree(start: number, end: number): boolean {
    const v = this.find(start);
    return v === null || v.start >= end;
  }

  /** True when VMAs cover [start, end) with no hole. */
  coversFully(start: number, end: number): boolean {
    let addr = start;
    for (let i = this.indexAfter(start); i < this.list.length && addr < end; i++) {
      if (this.list[i].start > addr) return false;
      addr = this.list[i].end;
    }
    return addr >= end;
  }

  insert(vma: Vma): void {
    const i = this.indexAfter(vma.start);
    const next = this.list[i];
    if (vma.start >= vma.end || (next !== undefined && next.start < vma.end)) {
      throw new KernelPanic(
        `VMA ${hex(vma.start)}-${hex(vma.end)} overlaps ${next ? hex(next.start) : 'nothing'}`,
      );
    }
    this.list.splice(i, 0, vma);
  }

  /**
   * Adds a VMA above every VMA in the list (fork copies a sorted list in order): no search, no splice.
   * Panics when it would not keep the list sorted and disjoint.
   */
  append(vma: Vma): void {
    const last = this.list.length > 0 ? this.list[this.list.length - 1] : null;
    if (vma.start >= vma.end || (last !== null && last.end > vma.start)) {
      throw new KernelPanic(
        `VMA ${hex(vma.start)}-${hex(vma.end)} appended below ${last ? hex(last.end) : 'nothing'}`,
      );
    }
    this.list.push(vma);
  }

  /** Makes `addr` a VMA boundary (a VMA strictly containing it becomes two). */
  split(addr: number): void {
    const i = this.indexAfter(addr);
    const v = this.list[i];
    if (v === undefined || v.start >= addr) return;
    const upper = v.slice(addr, v.end);
    v.end = addr;
    this.list.splice(i + 1, 0, upper);
  }

  /** The VMAs inside [start, end) after splitting at both ends; they stay in the list. */
  inRange(start: number, end: number): Vma[] {
    if (start >= end) return [];
    this.split(start);
    this.split(end);
    const out: Vma[] = [];
    for (let i = this.indexAfter(start); i < this.list.length && this.list[i].start < end; i++) {
      out.push(this.list[i]);
    }
    return out;
  }

  /** Removes the VMAs inside [start, end) (splitting at both ends) and returns them. */
  extract(start: number, end: number): Vma[] {
    this.notePeak();
    const out = this.inRange(start, end);
    if (out.length > 0) this.list.splice(this.indexAfter(start), out.length);
    return out;
  }

  /** Removes one VMA that is in the list. */
  remove(vma: Vma): void {
    this.notePeak();
    const i = this.indexAfter(vma.start);
    if (this.list[i] !== vma) throw new KernelPanic(`VMA ${hex(vma.start)} is not in the list`);
    this.list.splice(i, 1);
  }

  /** Joins compatible neighbours among the VMAs touching [start, end], releasing the absorbed ones' caches. */
  mergeAround(start: number, end: number): void {
    let i = Math.max(0, this.indexAfter(start) - 1);
    while (i + 1 < this.list.length && this.list[i].start <= end) {
      const a = this.list[i];
      const b = this.list[i + 1];
      if (canMerge(a, b)) {
        a.end = b.end;
        this.list.splice(i + 1, 1);
        b.cache?.unref();
      } else {
        i++;
      }
    }
  }
}
