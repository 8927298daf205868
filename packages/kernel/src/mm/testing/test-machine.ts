/**
 * Test-only: RAM with the first MiB kept back, as boot does, and the real buddy allocator (@kmos/mm-buddy, a
 * devDependency) over the rest, so mm tests count frames exactly against the allocator production uses.
 * Production code never imports a concrete plugin; only tests do.
 */
import type { Logger, PageAllocator, PhysicalMemory } from '@kmos/abi-driver';
import { PAGE_SHIFT } from '@kmos/abi-driver';
import { BuddyAllocator } from '@kmos/mm-buddy';
import { createPhysicalMemory } from '../../machine/physical-memory.js';

const silent: Logger = { debugEnabled: false, debug() {}, info() {}, warn() {}, error() {} };
const FIRST_FRAME = 0x100000 >>> PAGE_SHIFT;

export function testMachine(megabytes = 8): { memory: PhysicalMemory; pages: PageAllocator } {
  const memory = createPhysicalMemory(megabytes << 20);
  const pages = new BuddyAllocator({
    memory,
    firstFrame: FIRST_FRAME,
    frameCount: (memory.sizeBytes >>> PAGE_SHIFT) - FIRST_FRAME,
    log: silent,
    options: {},
    panic(message: string): never {
      throw new Error(message);
    },
  });
  return { memory, pages };
}
