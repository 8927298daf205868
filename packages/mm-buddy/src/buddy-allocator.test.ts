// Property tests of the buddy allocator against a model: the set of live blocks is kept beside the allocator
// and checked for overlap, alignment and range after random operations; the free count and per-order stats
// are checked against sums over that model and against an independent description of the start-up blocks.
import { PAGE_SIZE, type PageAllocatorContext, type PhysAddr } from '@kmos/abi-driver';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BuddyAllocator, MAX_ORDER, ZONE_DMA_END_BYTES } from './buddy-allocator.js';

class Panic extends Error {}

function context(firstFrame: number, frameCount: number): PageAllocatorContext {
  const buffer = new ArrayBuffer((firstFrame + frameCount) * PAGE_SIZE);
  const memory = {
    sizeBytes: buffer.byteLength,
    buffer,
    u8: new Uint8Array(buffer),
    u16: new Uint16Array(buffer),
    u32: new Uint32Array(buffer),
    i32: new Int32Array(buffer),
  };
  const log = { debugEnabled: false, debug() {}, info() {}, warn() {}, error() {} };
  return {
    memory,
    firstFrame,
    frameCount,
    log,
    options: {},
    panic: (message: string): never => {
      throw new Panic(message);
    },
  };
}

/**
 * The free blocks a fresh allocator must have, by definition rather than by the allocator's loop: an aligned
 * block of order k lies wholly inside the range, and (for k < MAX_ORDER) its parent of order k + 1 does not.
 */
function expectedStartBlocks(firstFrame: number, frameCount: number): number[] {
  const end = firstFrame + frameCount;
  const inside = (start: number, order: number) => start >= firstFrame && start + (1 << order) <= end;
  const counts = new Array<number>(MAX_ORDER + 1).fill(0);
  for (let order = 0; order <= MAX_ORDER; order++) {
    for (let start = 0; start < end; start += 1 << order) {
      const parent = start & ~((1 << (order + 1)) - 1);
      if (inside(start, order) && (order === MAX_ORDER || !inside(parent, order + 1))) counts[order]++;
    }
  }
  return counts;
}

function sumOverZones(stats: ReturnType<BuddyAllocator['stats']>): number[] {
  const sum = new Array<number>(MAX_ORDER + 1).fill(0);
  for (const zone of stats.zones) {
    zone.freeBlocks.forEach((n, order) => {
      sum[order] += n;
    });
  }
  return sum;
}

const rangeArb = fc.record({
  firstFrame: fc.integer({ min: 0, max: 3000 }),
  frameCount: fc.integer({ min: 0, max: 3000 }),
});
const opArb = fc.oneof(
  fc.record({ kind: fc.constant('alloc' as const), order: fc.integer({ min: 0, max: MAX_ORDER }) }),
  fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
);

interface Live {
  frame: number;
  order: number;
}

describe('BuddyAllocator', () => {
  it('starts with the aligned blocks that tile its range, whatever the range', () => {
    fc.assert(
      fc.property(rangeArb, ({ firstFrame, frameCount }) => {
        const buddy = new BuddyAllocator(context(firstFrame, frameCount));
        const stats = buddy.stats();
        expect(stats.freePages).toBe(frameCount);
        expect(stats.totalPages).toBe(frameCount);
        expect(sumOverZones(stats)).toEqual(expectedStartBlocks(firstFrame, frameCount));
      }),
    );
  });

  it('hands out aligned, disjoint, in-range blocks and gets every block back on free', () => {
    fc.assert(
      fc.property(rangeArb, fc.array(opArb, { maxLength: 300 }), ({ firstFrame, frameCount }, ops) => {
        const buddy = new BuddyAllocator(context(firstFrame, frameCount));
        const start = buddy.stats();
        const live: Live[] = [];
        const owner = new Int32Array(firstFrame + frameCount).fill(-1); // the model: which live block owns a frame
        let liveFrames = 0;
        for (const op of ops) {
          if (op.kind === 'alloc') {
            const addr = buddy.allocPages(op.order);
            if (addr === null) {
              // Null is allowed only if no free block of that order or above exists.
              expect(
                sumOverZones(buddy.stats())
                  .slice(op.order)
                  .every((n) => n === 0),
              ).toBe(true);
              continue;
            }
            const frame = addr / PAGE_SIZE;
            expect(frame % (1 << op.order)).toBe(0);
            expect(frame).toBeGreaterThanOrEqual(firstFrame);
            expect(frame + (1 << op.order)).toBeLessThanOrEqual(firstFrame + frameCount);
            const taken = owner.subarray(frame, frame + (1 << op.order)).findIndex((o) => o !== -1);
            expect(taken, 'the block overlaps a live block').toBe(-1);
            owner.fill(frame, frame, frame + (1 << op.order));
            live.push({ frame, order: op.order });
            liveFrames += 1 << op.order;
          } else if (live.length > 0) {
            const [block] = live.splice(op.pick % live.length, 1);
            buddy.freePages((block.frame * PAGE_SIZE) as PhysAddr, block.order);
            owner.fill(-1, block.frame, block.frame + (1 << block.order));
            liveFrames -= 1 << block.order;
          }
          const stats = buddy.stats();
          expect(stats.freePages).toBe(frameCount - liveFrames);
          const blocks = sumOverZones(stats);
          expect(blocks.reduce((sum, n, order) => sum + n * (1 << order), 0)).toBe(stats.freePages);
        }
        for (const block of live) buddy.freePages((block.frame * PAGE_SIZE) as PhysAddr, block.order);
        expect(buddy.stats()).toEqual(start);
      }),
      { numRuns: 100 },
    );
  }, 20_000);

  it('serves every frame as order-0 pages until it is empty, then returns null', () => {
    fc.assert(
      fc.property(rangeArb, ({ firstFrame, frameCount }) => {
        const buddy = new BuddyAllocator(context(firstFrame, frameCount));
        const seen = new Set<number>();
        for (let addr = buddy.allocPages(0); addr !== null; addr = buddy.allocPages(0)) seen.add(addr);
        expect(seen.size).toBe(frameCount);
        expect(buddy.stats().freePages).toBe(0);
      }),
      { numRuns: 30 },
    );
  });

  it('panics with the address on a double free, a wild free, a wrong order or a misaligned address', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 1, max: MAX_ORDER }),
        (firstFrame, order) => {
          const buddy = new BuddyAllocator(context(firstFrame, 4096));
          const addr = buddy.allocPages(order)!;
          const hex = addr.toString(16).padStart(8, '0');
          expect(() => buddy.freePages(addr, order - 1)).toThrow(/wrong order/);
          expect(() => buddy.freePages((addr + PAGE_SIZE) as PhysAddr, 0)).toThrow(/never allocated/);
          expect(() => buddy.freePages((addr + 8) as PhysAddr, order)).toThrow(Panic);
          expect(() => buddy.freePages((addr + PAGE_SIZE) as PhysAddr, order)).toThrow(/not aligned/);
          buddy.freePages(addr, order);
          expect(() => buddy.freePages(addr, order)).toThrow(new RegExp(`0x${hex}.*double free`));
          const beyond = ((firstFrame + 4096) * PAGE_SIZE) as PhysAddr;
          expect(() => buddy.freePages(beyond, 0)).toThrow(/not a managed/);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('reports frames below 16 MiB as zone DMA and the rest as Normal', () => {
    const dmaFrames = ZONE_DMA_END_BYTES / PAGE_SIZE;
    const buddy = new BuddyAllocator(context(256, dmaFrames));
    const zones = buddy.stats().zones;
    expect(zones.map((z) => z.zone)).toEqual(['DMA', 'Normal']);
    const pages = (z: (typeof zones)[number]) => z.freeBlocks.reduce((s, n, o) => s + n * (1 << o), 0);
    expect(pages(zones[0])).toBe(dmaFrames - 256);
    expect(pages(zones[1])).toBe(256);
  });
});
