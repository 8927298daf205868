/**
 * Fragmentation after a fixed workload: FRAG_OBJECTS kmalloc requests of mixed sizes, then every object whose
 * index is not a multiple of 3 freed (a third stay live, scattered through the heap), then shrink(). Reports
 * what the object allocator holds against what is in use, and the page allocator's free blocks by order (its
 * /proc/buddyinfo) before and after shrink. Deterministic: same stream, same figures. Layer: the bench tool.
 */
import type { PhysAddr } from '@kmos/abi-driver';
import { objectAllocator, pageMachine } from './machine.js';
import { mixedSizeStream } from './random-stream.js';

export const FRAG_OBJECTS = 20_000;
export const FRAG_MEMORY_BYTES = 64 << 20;
const KEEP_EVERY = 3;

export interface FragmentationResult {
  readonly design: string;
  readonly liveObjects: number;
  readonly bytesInUse: number;
  readonly pagesHeld: number;
  readonly pagesHeldAfterShrink: number;
  /** Free blocks per order over all zones, after shrink. */
  readonly freeBlocksByOrder: readonly number[];
}

function freeBlocksByOrder(zones: readonly { freeBlocks: readonly number[] }[]): number[] {
  const sum: number[] = [];
  for (const zone of zones) {
    zone.freeBlocks.forEach((n, order) => {
      sum[order] = (sum[order] ?? 0) + n;
    });
  }
  return sum;
}

export function fragmentation(design: string): FragmentationResult {
  const machine = pageMachine(FRAG_MEMORY_BYTES);
  const objects = objectAllocator(design, machine);
  const sizes = mixedSizeStream();
  const addrs: number[] = [];
  for (let i = 0; i < FRAG_OBJECTS; i++) addrs.push(objects.kmalloc(sizes[i])!);
  addrs.forEach((addr, i) => {
    if (i % KEEP_EVERY !== 0) objects.kfree(addr as PhysAddr);
  });
  const before = objects.stats();
  objects.shrink();
  const after = objects.stats();
  return {
    design,
    liveObjects: Math.ceil(FRAG_OBJECTS / KEEP_EVERY),
    bytesInUse: before.bytesInUse,
    pagesHeld: before.pagesHeld,
    pagesHeldAfterShrink: after.pagesHeld,
    freeBlocksByOrder: freeBlocksByOrder(machine.pages.stats().zones),
  };
}

/** The same workload on the page allocator alone: FRAG_OBJECTS order-0 pages, two thirds freed. */
export function pageFragmentation(): FragmentationResult {
  const machine = pageMachine(FRAG_MEMORY_BYTES);
  const addrs: number[] = [];
  for (let i = 0; i < FRAG_OBJECTS / 4; i++) addrs.push(machine.pages.allocPages(0)!);
  addrs.forEach((addr, i) => {
    if (i % KEEP_EVERY !== 0) machine.pages.freePages(addr as PhysAddr, 0);
  });
  const live = Math.ceil(addrs.length / KEEP_EVERY);
  return {
    design: 'buddy (order-0 pages only)',
    liveObjects: live,
    bytesInUse: live * 4096,
    pagesHeld: live,
    pagesHeldAfterShrink: live,
    freeBlocksByOrder: freeBlocksByOrder(machine.pages.stats().zones),
  };
}
