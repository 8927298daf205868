/**
 * Property tests every object allocator must pass, run against the real mm-buddy page allocator. The oracle
 * is a model kept beside the allocator: the live objects (address, size, fill pattern), the page blocks the
 * page allocator handed out (recorded by a wrapper), and the caches. After random operations it checks that
 * no two live objects overlap, alignment holds, objects lie in pages handed out, writes to one object never
 * change another, stats agree with the model, and that freeing everything and shrinking returns every page.
 * Double and wild frees must panic with the address.
 *
 * Shared by the tests of mm-slub, mm-slob and mm-slab through this private package (a devDependency), since
 * plugins may not import one another. Layer: test support (tools/), never shipped.
 */
import {
  type ObjectAllocator,
  type ObjectAllocatorPlugin,
  type ObjectCache,
  PAGE_SIZE,
  type PageAllocator,
  type PhysAddr,
  type PhysicalMemory,
} from '@kmos/abi-driver';
import buddy from '@kmos/mm-buddy';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

export class Panic extends Error {}

export interface DesignFacts {
  /** kmalloc objects up to this size are counted in the allocator's cache rows (-1 if never). */
  readonly kmallocInCachesUpTo: number;
  /** Cache rows describe real slabs (2^n pages, aligned to their size): activeSlabs can be checked. */
  readonly slabRows: boolean;
}

const MEMORY_BYTES = 16 << 20;
/** The property tests take 1-3 s; a shared, busy machine can make that several times longer. */
const SLOW_TEST_MS = 30_000;
const FIRST_FRAME = 256;

export function makeMemory(sizeBytes: number): PhysicalMemory {
  const buffer = new ArrayBuffer(sizeBytes);
  return {
    sizeBytes,
    buffer,
    u8: new Uint8Array(buffer),
    u16: new Uint16Array(buffer),
    u32: new Uint32Array(buffer),
    i32: new Int32Array(buffer),
  };
}

const log = { debugEnabled: false, debug() {}, info() {}, warn() {}, error() {} };
const panic = (message: string): never => {
  throw new Panic(message);
};

/** The page allocator as the object allocator sees it, recording which frames it handed out. */
export class RecordingPages implements PageAllocator {
  readonly maxOrder: number;
  /** Per frame: the first frame of the handed-out block holding it, or -1. */
  readonly blockOf: Int32Array;
  pagesHeld = 0;
  constructor(
    private readonly inner: PageAllocator,
    frames: number,
  ) {
    this.maxOrder = inner.maxOrder;
    this.blockOf = new Int32Array(frames).fill(-1);
  }
  allocPages(order: number): PhysAddr | null {
    const addr = this.inner.allocPages(order);
    if (addr !== null) {
      const frame = addr / PAGE_SIZE;
      this.blockOf.fill(frame, frame, frame + (1 << order));
      this.pagesHeld += 1 << order;
    }
    return addr;
  }
  freePages(addr: PhysAddr, order: number): void {
    const frame = addr / PAGE_SIZE;
    expect(this.blockOf[frame], `freePages(${addr}) of a block not handed out`).toBe(frame);
    this.blockOf.fill(-1, frame, frame + (1 << order));
    this.pagesHeld -= 1 << order;
    this.inner.freePages(addr, order);
  }
  stats() {
    return this.inner.stats();
  }
}

export interface Rig {
  readonly memory: PhysicalMemory;
  readonly buddy: PageAllocator;
  readonly pages: RecordingPages;
  readonly objects: ObjectAllocator;
}

export function makeRig(plugin: ObjectAllocatorPlugin, memoryBytes = MEMORY_BYTES): Rig {
  const memory = makeMemory(memoryBytes);
  const frames = memoryBytes / PAGE_SIZE;
  const base = { log, options: {}, panic, memory };
  const pageAllocator = buddy.create({ ...base, firstFrame: FIRST_FRAME, frameCount: frames - FIRST_FRAME });
  const pages = new RecordingPages(pageAllocator, frames);
  return { memory, buddy: pageAllocator, pages, objects: plugin.create({ ...base, pages }) };
}

interface LiveObject {
  readonly addr: number;
  readonly sizeBytes: number;
  readonly seed: number;
  /** The cache it came from, or null for kmalloc. */
  readonly cache: ObjectCache | null;
}

interface ModelCache {
  readonly handle: ObjectCache;
  readonly alignBytes: number;
}

type Op =
  | { kind: 'createCache'; sizeBytes: number; alignLog: number }
  | { kind: 'destroyCache'; pick: number }
  | { kind: 'cacheAlloc'; pick: number }
  | { kind: 'kmalloc'; sizeBytes: number }
  | { kind: 'free'; pick: number }
  | { kind: 'shrink' };

const sizeArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 256 }) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 8192 }) },
  { weight: 1, arbitrary: fc.integer({ min: 8193, max: 40_000 }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('createCache' as const),
      sizeBytes: fc.integer({ min: 1, max: 3000 }),
      alignLog: fc.integer({ min: 0, max: 8 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('destroyCache' as const), pick: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('cacheAlloc' as const), pick: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('kmalloc' as const), sizeBytes: sizeArb }) },
  { weight: 9, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('shrink' as const) }) },
);

function fill(memory: PhysicalMemory, object: LiveObject): void {
  for (let i = 0; i < object.sizeBytes; i++) memory.u8[object.addr + i] = (object.seed + i * 13) & 0xff;
}

function expectIntact(memory: PhysicalMemory, object: LiveObject): void {
  for (let i = 0; i < object.sizeBytes; i++) {
    if (memory.u8[object.addr + i] !== ((object.seed + i * 13) & 0xff)) {
      expect.fail(`object at ${object.addr} (${object.sizeBytes} bytes) changed at byte ${i}`);
    }
  }
}

/** Runs the model: one allocator, random operations, every check after every step. */
class ModelRun {
  readonly live: LiveObject[] = [];
  readonly caches: ModelCache[] = [];
  private seed = 1;
  private readonly startFree: number;

  constructor(
    readonly rig: Rig,
    readonly facts: DesignFacts,
  ) {
    this.startFree = rig.buddy.stats().freePages;
  }

  step(op: Op): void {
    const { objects } = this.rig;
    switch (op.kind) {
      case 'createCache': {
        const alignBytes = 1 << op.alignLog;
        const handle = objects.createCache(`test-${this.caches.length}`, op.sizeBytes, { alignBytes });
        this.caches.push({ handle, alignBytes: Math.max(alignBytes, 8) });
        break;
      }
      case 'destroyCache': {
        if (this.caches.length === 0) break;
        const index = op.pick % this.caches.length;
        const { handle } = this.caches[index];
        if (this.live.some((o) => o.cache === handle)) break;
        objects.destroyCache(handle);
        this.caches.splice(index, 1);
        break;
      }
      case 'cacheAlloc': {
        if (this.caches.length === 0) break;
        const cache = this.caches[op.pick % this.caches.length];
        const addr = objects.cacheAlloc(cache.handle);
        expect(addr).not.toBeNull();
        expect(addr! % cache.alignBytes).toBe(0);
        this.admit(addr!, cache.handle.objectSizeBytes, cache.handle);
        break;
      }
      case 'kmalloc': {
        const addr = objects.kmalloc(op.sizeBytes);
        expect(addr).not.toBeNull();
        expect(addr! % 8).toBe(0);
        expect(objects.ksize(addr!)).toBeGreaterThanOrEqual(op.sizeBytes);
        this.admit(addr!, op.sizeBytes, null);
        break;
      }
      case 'free':
        if (this.live.length > 0) this.release(this.live.splice(op.pick % this.live.length, 1)[0]);
        break;
      case 'shrink':
        objects.shrink();
        break;
    }
    this.checkStats();
  }

  /** Checks a new object against the model, then fills it with its pattern. */
  private admit(addr: number, sizeBytes: number, cache: ObjectCache | null): void {
    const end = addr + Math.max(sizeBytes, 1);
    for (const other of this.live) {
      const otherEnd = other.addr + Math.max(other.sizeBytes, 1);
      if (addr < otherEnd && other.addr < end)
        expect.fail(`object ${addr}+${sizeBytes} overlaps ${other.addr}+${other.sizeBytes}`);
    }
    for (let frame = Math.floor(addr / PAGE_SIZE); frame * PAGE_SIZE < end; frame++) {
      expect(
        this.rig.pages.blockOf[frame],
        `object ${addr} lies in a page not handed out`,
      ).toBeGreaterThanOrEqual(0);
    }
    const object = { addr, sizeBytes, seed: this.seed++ * 7, cache };
    fill(this.rig.memory, object);
    this.live.push(object);
  }

  private release(object: LiveObject): void {
    expectIntact(this.rig.memory, object);
    if (object.cache) this.rig.objects.cacheFree(object.cache, object.addr as PhysAddr);
    else this.rig.objects.kfree(object.addr as PhysAddr);
  }

  checkStats(): void {
    const { objects, pages } = this.rig;
    const stats = objects.stats();
    expect(stats.pagesHeld).toBe(pages.pagesHeld);
    expect(this.rig.buddy.stats().freePages).toBe(this.startFree - pages.pagesHeld);
    let bytes = 0;
    let inCaches = 0;
    for (const object of this.live) {
      if (object.cache) {
        const row = stats.caches.find((r) => r.name === object.cache!.name)!;
        bytes += row.objSizeBytes;
        inCaches++;
      } else {
        bytes += objects.ksize(object.addr as PhysAddr);
        if (object.sizeBytes <= this.facts.kmallocInCachesUpTo) inCaches++;
      }
    }
    expect(stats.bytesInUse).toBe(bytes);
    expect(stats.caches.reduce((sum, row) => sum + row.activeObjs, 0)).toBe(inCaches);
    for (const cache of this.caches) {
      const row = stats.caches.find((r) => r.name === cache.handle.name)!;
      const mine = this.live.filter((o) => o.cache === cache.handle);
      expect(row.activeObjs).toBe(mine.length);
      if (this.facts.slabRows) {
        // Slabs are buddy blocks, aligned to their size: an object's slab is its address rounded down.
        const slabBytes = row.pagesPerSlab * PAGE_SIZE;
        expect(row.activeSlabs).toBe(new Set(mine.map((o) => Math.floor(o.addr / slabBytes))).size);
        expect(row.numObjs).toBe(row.numSlabs * row.objsPerSlab);
      }
      expect(row.objSizeBytes).toBeGreaterThanOrEqual(cache.handle.objectSizeBytes);
      expect(row.objSizeBytes % cache.alignBytes).toBe(0);
    }
    for (const row of stats.caches) {
      expect(row.activeObjs).toBeLessThanOrEqual(row.numObjs);
      expect(row.activeSlabs).toBeLessThanOrEqual(row.numSlabs);
    }
  }

  /** Verifies every pattern, frees everything, destroys the caches, shrinks: every page must come back. */
  drain(order: number[]): void {
    for (const object of this.live) expectIntact(this.rig.memory, object);
    const shuffled = this.live.map((object, i) => ({ key: order[i] ?? i, object }));
    shuffled.sort((a, b) => a.key - b.key);
    for (const { object } of shuffled) this.release(object);
    this.live.length = 0;
    for (const cache of this.caches) this.rig.objects.destroyCache(cache.handle);
    this.caches.length = 0;
    this.rig.objects.shrink();
    const stats = this.rig.objects.stats();
    expect(stats.bytesInUse).toBe(0);
    expect(stats.pagesHeld).toBe(0);
    expect(this.rig.pages.pagesHeld).toBe(0);
    expect(this.rig.buddy.stats().freePages).toBe(this.startFree);
  }
}

function hexPattern(addr: number): RegExp {
  return new RegExp(`0x0*${addr.toString(16)}\\b`, 'i');
}

export function describeObjectAllocator(plugin: ObjectAllocatorPlugin, facts: DesignFacts): void {
  describe(`${plugin.name} (object-allocator properties)`, () => {
    it(
      'keeps objects aligned, disjoint, inside its pages and intact; stats match; no page leaks',
      () => {
        fc.assert(
          fc.property(
            fc.array(opArb, { maxLength: 250 }),
            fc.array(fc.nat(), { maxLength: 250 }),
            (ops, order) => {
              const run = new ModelRun(makeRig(plugin), facts);
              for (const op of ops) run.step(op);
              run.drain(order);
            },
          ),
          { numRuns: 60 },
        );
      },
      SLOW_TEST_MS,
    );

    it(
      'panics with the address on a double free, a wild free, a misaligned free and a wrong-cache free',
      () => {
        fc.assert(
          fc.property(sizeArb, fc.integer({ min: 16, max: 2000 }), (sizeBytes, cacheSize) => {
            const { objects } = makeRig(plugin);
            const a = objects.kmalloc(sizeBytes)!;
            const b = objects.kmalloc(sizeBytes)!;
            expect(() => objects.kfree((a + 1) as PhysAddr)).toThrow(Panic);
            if (objects.ksize(a) >= 16)
              expect(() => objects.kfree((a + 8) as PhysAddr)).toThrow(hexPattern(a + 8));
            expect(() => objects.kfree(0x1000 as PhysAddr)).toThrow(hexPattern(0x1000));
            objects.kfree(a);
            expect(() => objects.kfree(a)).toThrow(hexPattern(a));
            const one = objects.createCache('one', cacheSize);
            const two = objects.createCache('two', cacheSize);
            const x = objects.cacheAlloc(one)!;
            expect(() => objects.cacheFree(two, x)).toThrow(Panic);
            objects.cacheFree(one, x);
            expect(() => objects.cacheFree(one, x)).toThrow(hexPattern(x));
            expect(() => objects.cacheFree(one, (x + 8) as PhysAddr)).toThrow(Panic);
            objects.kfree(b);
          }),
          { numRuns: 40 },
        );
      },
      SLOW_TEST_MS,
    );

    it('panics when a cache with live objects is destroyed', () => {
      const { objects } = makeRig(plugin);
      const cache = objects.createCache('busy', 100);
      objects.cacheAlloc(cache);
      expect(() => objects.destroyCache(cache)).toThrow(/busy/);
    });

    it('reports null, not a panic, when RAM runs out, and recovers everything afterwards', () => {
      const rig = makeRig(plugin, 2 << 20);
      const run = new ModelRun(rig, facts);
      const got: number[] = [];
      for (let addr = rig.objects.kmalloc(1000); addr !== null; addr = rig.objects.kmalloc(1000))
        got.push(addr);
      expect(got.length).toBeGreaterThan(0);
      for (const addr of got) rig.objects.kfree(addr as PhysAddr);
      run.drain([]);
    });
  });
}
