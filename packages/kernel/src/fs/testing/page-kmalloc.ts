/**
 * Test support: a minimal ObjectAllocator over a small emulated RAM, handing out page-sized kmalloc objects
 * from a free list, with double-free and foreign-free detection. Stands in for the real slab plugins (which
 * the kernel may not import) in pipe tests. Layer: kernel VFS tests only.
 */
import type {
  ObjectAllocator,
  ObjectAllocatorStats,
  ObjectCache,
  PhysAddr,
  PhysicalMemory,
} from '@kmos/abi-driver';
import { PAGE_SIZE } from '@kmos/abi-driver';

export function createTestMemory(pages: number): PhysicalMemory {
  const buffer = new ArrayBuffer(pages * PAGE_SIZE);
  return {
    sizeBytes: buffer.byteLength,
    buffer,
    u8: new Uint8Array(buffer),
    u16: new Uint16Array(buffer),
    u32: new Uint32Array(buffer),
    i32: new Int32Array(buffer),
  };
}

export class PageKmalloc implements ObjectAllocator {
  private readonly free: number[] = [];
  private readonly live = new Set<number>();

  constructor(readonly memory: PhysicalMemory) {
    // Page 0 stays unused so that address 0 never names an object.
    for (let page = memory.sizeBytes / PAGE_SIZE - 1; page >= 1; page--) this.free.push(page * PAGE_SIZE);
  }

  get liveObjects(): number {
    return this.live.size;
  }

  kmalloc(sizeBytes: number): PhysAddr | null {
    if (sizeBytes > PAGE_SIZE) throw new Error(`test kmalloc: ${sizeBytes} bytes is more than a page`);
    const addr = this.free.pop();
    if (addr === undefined) return null;
    this.live.add(addr);
    this.memory.u8.fill(0xa5, addr, addr + PAGE_SIZE); // poison: stale reads show up
    return addr as PhysAddr;
  }

  kfree(addr: PhysAddr): void {
    if (!this.live.delete(addr)) throw new Error(`test kmalloc: free of ${addr} which is not live`);
    this.free.push(addr);
  }

  ksize(): number {
    return PAGE_SIZE;
  }

  createCache(name: string, objectSizeBytes: number): ObjectCache {
    return { name, objectSizeBytes };
  }

  destroyCache(): void {}

  cacheAlloc(): PhysAddr | null {
    return this.kmalloc(PAGE_SIZE);
  }

  cacheFree(_cache: ObjectCache, addr: PhysAddr): void {
    this.kfree(addr);
  }

  shrink(): number {
    return 0;
  }

  stats(): ObjectAllocatorStats {
    return {
      design: 'test-pages',
      caches: [],
      pagesHeld: this.live.size,
      bytesInUse: this.live.size * PAGE_SIZE,
    };
  }
}
