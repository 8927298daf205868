/**
 * A bench machine for the allocators: emulated RAM laid out as the kernel lays it out (the first MiB
 * reserved), a page allocator over the rest, and an object allocator over that. Layer: the bench tool, which
 * may assemble concrete plugins.
 */
import {
  type ObjectAllocator,
  type ObjectAllocatorPlugin,
  PAGE_SIZE,
  type PageAllocator,
  type PhysicalMemory,
} from '@kmos/abi-driver';
import buddy from '@kmos/mm-buddy';
import slab from '@kmos/mm-slab';
import slob from '@kmos/mm-slob';
import slub from '@kmos/mm-slub';

/** As the kernel's RESERVED_LOW_BYTES: real-mode structures and ROMs live below 1 MiB. */
const RESERVED_LOW_BYTES = 0x100000;
export const BENCH_MEMORY_BYTES = 64 << 20;

export const OBJECT_ALLOCATORS: ReadonlyMap<string, ObjectAllocatorPlugin> = new Map([
  ['slub', slub],
  ['slab', slab],
  ['slob', slob],
]);

export interface BenchMachine {
  readonly memory: PhysicalMemory;
  readonly pages: PageAllocator;
}

const log = { debugEnabled: false, debug() {}, info() {}, warn() {}, error() {} };

function panic(message: string): never {
  throw new Error(`panic: ${message}`);
}

export function pageMachine(memoryBytes = BENCH_MEMORY_BYTES): BenchMachine {
  const buffer = new ArrayBuffer(memoryBytes);
  const memory: PhysicalMemory = {
    sizeBytes: memoryBytes,
    buffer,
    u8: new Uint8Array(buffer),
    u16: new Uint16Array(buffer),
    u32: new Uint32Array(buffer),
    i32: new Int32Array(buffer),
  };
  const firstFrame = RESERVED_LOW_BYTES / PAGE_SIZE;
  const pages = buddy.create({
    log,
    options: {},
    panic,
    memory,
    firstFrame,
    frameCount: memoryBytes / PAGE_SIZE - firstFrame,
  });
  return { memory, pages };
}

export function objectAllocator(design: string, machine: BenchMachine): ObjectAllocator {
  const plugin = OBJECT_ALLOCATORS.get(design);
  if (!plugin) throw new Error(`no object allocator ${design}`);
  return plugin.create({ log, options: {}, panic, memory: machine.memory, pages: machine.pages });
}
