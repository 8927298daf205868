// @kmos/mm-slob: the SLOB object allocator for tiny memories. The plugin object, and the class for tests.
import type { ObjectAllocatorPlugin } from '@kmos/abi-driver';
import { SlobAllocator } from './slob-allocator.js';

export { SLOB_UNIT } from './page-blocks.js';
export { KMALLOC_HEADER, MIN_ALIGN_BYTES, SlobAllocator } from './slob-allocator.js';
export { SLOB_BREAK1, SLOB_BREAK2 } from './slob-heap.js';

export const plugin: ObjectAllocatorPlugin = {
  kind: 'object-allocator',
  name: '@kmos/mm-slob',
  version: '0.1.0',
  abi: '^1.0.0',
  create: (ctx) => new SlobAllocator(ctx),
};

export default plugin;
