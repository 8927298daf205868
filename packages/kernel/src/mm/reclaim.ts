/**
 * Page replacement: the clock (second-chance) algorithm that picks which anonymous pages go to swap when
 * free frames run low. Layer: kernel mm; the page-fault handler calls `balance` before it allocates and
 * `reclaim` when an allocation failed; swap.ts does the writing.
 *
 * How it works
 * - The clock's dial is every present PTE of every private mapping of every live address space, in address
 *   order, one address space after another; the hand is (address space, address) and survives between
 *   calls. Walking PTEs rather than frames needs no reverse map: each PTE the hand passes is the mapping to
 *   test and, if it loses, the one to unmap. A frame that fork shares is freed once the hand has unmapped it
 *   everywhere (swap.ts keeps it in the swap cache meanwhile).
 * - Second chance: the MMU sets a PTE's Accessed bit on every use (cpu-i386 writes A/D into the page
 *   tables in RAM). A page with A set has it cleared (and its TLB entry dropped, so the next use sets it
 *   again) and is passed over; a page with A clear has not been used for a whole turn of the hand and goes.
 * - Watermarks as Linux sets them: min_free_kbytes = sqrt(16 * KiB of RAM), low = 5/4 of it, high = 3/2.
 *   Below low, a fault first reclaims until high is free, so the page tables, slabs and kernel stacks
 *   allocated outside faults keep some headroom and evictions come in batches.
 * - At most two turns of the hand per call: the first may only clear Accessed bits, the second then finds
 *   victims. A call that frees nothing (a full swap area, or nothing evictable) makes `balance` rest for a
 *   while; only then is a failing allocation an out-of-memory kill.
 */
import { PAGE_SIZE } from '@kmos/abi-driver';
import { type AddressSpace, TASK_SIZE } from './address-space.js';
import { PTE_A, virt } from './page-table.js';
import { AREA_FULL, EVICTED, type Swap } from './swap.js';
import { VM_LOCKED, type Vma } from './vma.js';

export interface Watermarks {
  /** Below this many free frames, faults reclaim. */
  readonly low: number;
  /** Reclaim stops once this many are free. */
  readonly high: number;
}

const KIB_PER_PAGE = PAGE_SIZE / 1024;
/** Faults `balance` skips after a pass that freed nothing, before it tries again. */
const BACKOFF_FAULTS = 64;

/** Linux's watermarks for a machine with `totalPages` frames (min_free_kbytes, clamped to 128 KiB..64 MiB). */
export function watermarksFor(totalPages: number): Watermarks {
  const minKb = Math.min(Math.max(Math.floor(Math.sqrt(totalPages * KIB_PER_PAGE * 16)), 128), 65536);
  const min = Math.ceil(minKb / KIB_PER_PAGE);
  return { low: Math.floor((min * 5) / 4), high: Math.floor((min * 3) / 2) };
}

export interface ReclaimStats {
  /** PTEs the hand has looked at, Accessed bits it cleared, and pages it evicted. */
  readonly scanned: number;
  readonly referenced: number;
  readonly evicted: number;
}

export class ClockReclaim {
  /** The hand. Written only by `reclaim` and `sweep`. */
  private handSpace: AddressSpace | null = null;
  private handVa = 0;
  private backoff = 0;
  private areaFull = false;
  private scanned = 0;
  private referenced = 0;
  private evicted = 0;

  constructor(
    private readonly spaces: ReadonlySet<AddressSpace>,
    private readonly swap: Swap,
    private readonly freePages: () => number,
    readonly marks: Watermarks,
  ) {}

  stats(): ReclaimStats {
    return { scanned: this.scanned, referenced: this.referenced, evicted: this.evicted };
  }

  /** Before a fault allocates: below the low watermark, reclaim up to the high one. */
  balance(): void {
    if (this.freePages() >= this.marks.low) return;
    if (this.backoff > 0) {
      this.backoff--;
      return;
    }
    if (this.reclaim(this.marks.high) === 0) this.backoff = BACKOFF_FAULTS;
  }

  /** Evicts until `target` frames are free, the swap area fills, or two turns pass; returns frames freed. */
  reclaim(target = this.marks.high): number {
    const before = this.freePages();
    const spaces = [...this.spaces];
    if (spaces.length === 0 || this.swap.slots.freeCount === 0) return 0;
    let i = this.handSpace === null ? -1 : spaces.indexOf(this.handSpace);
    if (i < 0) {
      i = 0;
      this.handVa = 0;
    }
    // Two turns: every PTE twice, plus one step per address space and turn for the move to the next.
    let budget = 2 * (spaces.reduce((n, as) => n + as.rssPages, 0) + spaces.length) + 1;
    this.areaFull = false;
    this.swap.beginBatch();
    try {
      while (budget > 0 && !this.areaFull && this.freePages() < target) {
        this.handSpace = spaces[i];
        budget -= this.sweep(spaces[i], budget, target) + 1;
        if (this.handVa >= TASK_SIZE) {
          i = (i + 1) % spaces.length;
          this.handVa = 0;
        }
      }
    } finally {
      this.swap.endBatch();
    }
    this.handSpace = spaces[i];
    return Math.max(0, this.freePages() - before);
  }

  /**
   * Moves the hand through `as` from where it stands until `target` frames are free, `budget` PTEs were
   * looked at, or the area is full; leaves handVa at TASK_SIZE when it passed the end. Returns PTEs seen.
   */
  private sweep(as: AddressSpace, budget: number, target: number): number {
    const pd = as.pd;
    let seen = 0;
    for (const v of as.vmas.all()) {
      if (v.end <= this.handVa || v.isShared() || v.flags & VM_LOCKED) continue;
      let va = pd.nextPresent(Math.max(v.start, this.handVa), v.end);
      while (va >= 0) {
        this.handVa = va + PAGE_SIZE;
        seen++;
        if (this.visit(as, v, va, target) || seen >= budget) {
          this.scanned += seen;
          return seen;
        }
        va = pd.nextPresent(va + PAGE_SIZE, v.end);
      }
    }
    this.handVa = TASK_SIZE;
    this.scanned += seen;
    return seen;
  }

  /** One tick of the hand at `va`: a second chance, or an eviction. True when the sweep should stop. */
  private visit(as: AddressSpace, v: Vma, va: number, target: number): boolean {
    const pte = as.pd.pte(va);
    if ((pte & PTE_A) !== 0) {
      as.pd.updateFlags(va, PTE_A, 0);
      as.notifier.invlpg(virt(va));
      this.referenced++;
      return false;
    }
    const r = this.swap.evict(as, v, va, pte);
    if (r === AREA_FULL) {
      this.areaFull = true;
      return true;
    }
    if (r !== EVICTED) return false;
    this.evicted++;
    return this.freePages() >= target;
  }
}
