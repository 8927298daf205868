/**
 * Test-only: builds a MemoryManager over fresh RAM and checks, for any address space, the invariants every mm
 * test relies on — the VMA list is sorted, aligned, non-overlapping and fully merged, and every present PTE
 * (read by the independent SDM walker) grants no more than its VMA allows and maps a frame whose reference
 * count is at least the number of PTEs that map it.
 */
import type { UserPtr } from '@kmos/abi-driver';
import { PROT_NONE, PROT_WRITE } from '@kmos/abi-linux';
import { expect } from 'vitest';
import { AddressSpace, MemoryManager, type MmuNotifier, TASK_SIZE } from '../address-space.js';
import { canMerge } from '../vma.js';
import { sdmWalk } from './sdm-walker.js';
import { testMachine } from './test-machine.js';

export function newMm(megabytes = 8) {
  const { memory, pages } = testMachine(megabytes);
  const mm = new MemoryManager(memory, pages);
  return { memory, pages, mm };
}

/** A notifier that records what it was told, for tests that check TLB shootdowns. */
export class RecordingNotifier implements MmuNotifier {
  readonly invlpgs: number[] = [];
  flushes = 0;
  codeInvalidations = 0;
  invlpg(addr: number): void {
    this.invlpgs.push(addr);
  }
  flushTlb(): void {
    this.flushes++;
  }
  invalidateCode(): void {
    this.codeInvalidations++;
  }
}

export function ptr(n: number): UserPtr {
  return n as UserPtr;
}

/** Checks the VMA list and every present PTE of `spaces`; returns how many PTEs map each frame. */
export function checkInvariants(mm: MemoryManager, spaces: readonly AddressSpace[]): Map<number, number> {
  const mappers = new Map<number, number>();
  for (const as of spaces) {
    const vmas = as.vmas.all();
    let rss = 0;
    for (let i = 0; i < vmas.length; i++) {
      const v = vmas[i];
      expect(v.start % 4096, 'aligned start').toBe(0);
      expect(v.end % 4096, 'aligned end').toBe(0);
      expect(v.start < v.end && v.end <= TASK_SIZE).toBe(true);
      if (i > 0) {
        expect(vmas[i - 1].end <= v.start, 'sorted, no overlap').toBe(true);
        expect(canMerge(vmas[i - 1], v), `unmerged neighbours at ${v.start.toString(16)}`).toBe(false);
      }
      for (let va = v.start; va < v.end; va += 4096) {
        const w = sdmWalk(mm.memory, as.cr3, va);
        if (w.phys < 0) continue;
        rss++;
        const frame = w.phys & ~0xfff;
        mappers.set(frame, (mappers.get(frame) ?? 0) + 1);
        if (v.prot === PROT_NONE) expect(w.userRead, 'PROT_NONE page readable').toBe(false);
        if ((v.prot & PROT_WRITE) === 0) expect(w.userWrite, 'read-only page writable').toBe(false);
      }
    }
    expect(as.rssPages).toBe(rss);
    // Nothing outside VMAs is mapped.
    let inVmas = 0;
    for (let va = as.pd.nextPresent(0, TASK_SIZE); va >= 0; va = as.pd.nextPresent(va + 4096, TASK_SIZE))
      inVmas++;
    expect(inVmas).toBe(rss);
  }
  for (const [frame, n] of mappers) {
    expect(mm.frames.refs.count(frame as never) >= n, `frame ${frame.toString(16)} undercounted`).toBe(true);
  }
  return mappers;
}

export { AddressSpace };
