// @kmos/mm-slub: the SLUB object allocator. The plugin object, and the class for embedders and tests.
import type { ObjectAllocatorPlugin } from '@kmos/abi-driver';
import { SlubAllocator } from './slub-allocator.js';

export { KMALLOC_MAX_CACHE_SIZE, KMALLOC_SIZES } from './kmalloc-classes.js';
export { MIN_ALIGN_BYTES, SlubAllocator } from './slub-allocator.js';
export { SLUB_MAX_ORDER, SLUB_MIN_OBJECTS } from './slub-cache.js';

export const plugin: ObjectAllocatorPlugin = {
  kind: 'object-allocator',
  name: '@kmos/mm-slub',
  version: '0.1.0',
  abi: '^1.0.0',
  create: (ctx) => new SlubAllocator(ctx),
};

export default plugin;
