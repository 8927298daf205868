/**
 * swapon: turns swap on for the machine's memory manager — the swap service over the area, the swap cache as
 * a keeper of user frames, and the clock that reclaims at Linux's watermarks. Layer: kernel mm; the kernel's
 * setup (kernel-setup.ts) calls it with the area the config names.
 */
import { KernelPanic } from '../errors.js';
import type { MemoryManager } from './address-space.js';
import { freePageCount } from './page-counter.js';
import { ClockReclaim, type Watermarks, watermarksFor } from './reclaim.js';
import { Swap } from './swap.js';
import type { SwapArea } from './swap-area.js';

export function swapOn(mm: MemoryManager, area: SwapArea, marks?: Watermarks): Swap {
  if (mm.swap !== null) throw new KernelPanic(`swapon ${area.path}: swap is already on`);
  const swap = new Swap(area, mm.frames);
  mm.swap = swap;
  mm.frames.keeper = swap;
  mm.reclaim = new ClockReclaim(
    mm.spaces,
    swap,
    () => freePageCount(mm.pages),
    marks ?? watermarksFor(mm.pages.stats().totalPages),
  );
  return swap;
}
